/* The neutral exit record: each backend (SVM now, VMX later) translates its
 * hardware exit into this, and the generic core never sees a VMCB or VMCS.
 * (bhyve's vm_exit with VM_EXITCODE_* is the model.) */
#ifndef BULKHEAD_VM_EXIT_H
#define BULKHEAD_VM_EXIT_H

#include <bulkhead/types.h>

enum vm_exitcode {
	EXIT_NONE = 0,
	EXIT_IO,        /* IN/OUT/INS/OUTS intercepted */
	EXIT_MMIO,      /* guest-physical access with no RAM behind it */
	EXIT_MSR,       /* RDMSR/WRMSR */
	EXIT_CPUID,
	EXIT_HLT,
	EXIT_HYPERCALL, /* VMMCALL/VMCALL */
	EXIT_EXCEPTION, /* an intercepted guest exception */
	EXIT_SHUTDOWN,  /* triple fault */
	EXIT_INTR,      /* a physical interrupt arrived for the host */
	EXIT_IRQ_WINDOW,/* the guest can now take an interrupt */
	EXIT_INVALID,   /* the CPU refused the guest state (VMRUN failed) */
	EXIT_IRET,      /* IRET intercepted (NMI blocking ends after it) */
	EXIT_RDPMC,
	EXIT_XSETBV,    /* XSETBV: the value in EDX:EAX for XCR[ECX] */
	EXIT_NMI_WINDOW,/* NMI blocking ended: the guest's IRET has run (VMX) */
	EXIT_UNKNOWN,   /* anything else: raw payload in u.raw */
	EXIT_NR,
};

struct io_exit {
	u16 port;
	u8 size;       /* 1, 2 or 4 */
	bool in;
	bool string;   /* INS/OUTS */
	bool rep;
	u8 addr_size;  /* 2, 4 or 8 (string forms) */
	u8 seg;        /* enum x86_seg of the source (OUTS) */
};

struct mmio_exit {
	u64 gpa;
	bool write;
	bool fetch;    /* instruction fetch from a non-RAM address */
};

struct msr_exit {
	u32 index;
	bool write;
	u64 value;     /* for writes: EDX:EAX */
};

struct exception_exit {
	u8 vector;
	bool has_error;
	u32 error;
};

/* Why the CPU refused the guest state: the first failed check, in words
 * (static text from the backend), and the offending value. */
struct invalid_exit {
	const char *what; /* NULL: no check found the cause */
	u64 value;
};

struct raw_exit {
	u64 code, info1, info2;
};

/* The guest state the core's emulator needs (CR0/2/3/4, EFER, CPL, the
 * segments: struct x86_cpu_state, insn_emul.h) is captured by the backend
 * once per exit, whatever the exit, into vcpu->exit_state (bhyve carries the
 * same in struct vm_exit: vm_guest_paging and the segment descriptors of
 * inout_str). The decoder, the page walker and string I/O read that copy;
 * nothing in it is specific to SVM or VMX. It is the state the exiting
 * instruction ran under: a handler that changes a register through the
 * backend (WRMSR to EFER) does not update it. */

struct vm_exit {
	enum vm_exitcode code;
	u64 rip;
	u8 inst_len;   /* 0 if the backend does not know: decode it */
	union {
		struct io_exit io;
		struct mmio_exit mmio;
		struct msr_exit msr;
		struct exception_exit exception;
		struct invalid_exit invalid;
	} u;
	struct raw_exit raw; /* vendor payload, for logs */
};

const char *vm_exit_name(enum vm_exitcode code);

#endif
