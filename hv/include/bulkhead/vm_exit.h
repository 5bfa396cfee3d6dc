/* The neutral exit record: each backend (SVM now, VMX later) translates its
 * hardware exit into this, and the generic core never sees a VMCB or VMCS.
 * (bhyve's vm_exit with VM_EXITCODE_* is the model.) */
#ifndef BULKHEAD_VM_EXIT_H
#define BULKHEAD_VM_EXIT_H

#include <bulkhead/types.h>
#include <bulkhead/x86/insn_emul.h>

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

struct raw_exit {
	u64 code, info1, info2;
};

/* A segment register as the emulator needs it. attr holds the descriptor's
 * attribute bits packed as the architecture defines them, not any vendor's
 * field: bits 7:0 = descriptor bits 47:40 (type, S, DPL, P), bits 11:8 =
 * descriptor bits 55:52 (AVL, L, D/B, G) (SDM vol. 3 3.4.5, APM vol. 2
 * 4.7/4.8). x86_seg_unpack() gives the decoder's struct x86_segment. */
struct vm_exit_seg {
	u16 sel;
	u16 attr;
	u32 limit;
	u64 base;
};

/* The guest state the core's emulator needs, captured by the backend once
 * per exit, whatever the exit (bhyve carries the same in struct vm_exit:
 * vm_guest_paging and the segment descriptors of inout_str). The decoder,
 * the page walker and string I/O read this copy; nothing here is specific
 * to SVM or VMX. It is the state the exiting instruction ran under: a
 * handler that changes a register through the backend (WRMSR to EFER)
 * does not update it. The paging mode follows from CR0.PG, CR4.PAE/LA57
 * and EFER.LMA (x86_walk_gva). */
struct vm_exit_state {
	u64 cr0, cr2, cr3, cr4;
	u64 efer; /* as the guest sees it */
	u8 cpl;
	struct vm_exit_seg seg[X86_SEG_COUNT]; /* enum x86_seg order */
};

static inline void x86_seg_unpack(const struct vm_exit_seg *in, struct x86_segment *out)
{
	u16 a = in->attr;

	*out = (struct x86_segment){
		.base = in->base, .limit = in->limit, .type = (u8)(a & 0xf),
		.s = (a >> 4) & 1, .dpl = (u8)((a >> 5) & 3), .present = (a >> 7) & 1,
		.l = (a >> 9) & 1, .db = (a >> 10) & 1, .g = (a >> 11) & 1,
	};
}

struct vm_exit {
	enum vm_exitcode code;
	u64 rip;
	u8 inst_len;   /* 0 if the backend does not know: decode it */
	union {
		struct io_exit io;
		struct mmio_exit mmio;
		struct msr_exit msr;
		struct exception_exit exception;
	} u;
	struct raw_exit raw; /* vendor payload, for logs */
};

const char *vm_exit_name(enum vm_exitcode code);

#endif
