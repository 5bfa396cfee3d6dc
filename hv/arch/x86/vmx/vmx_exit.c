/* Translation of VMX exits into the neutral struct vm_exit. Decoding only:
 * no policy here (SDM vol. 3 27.2 exit information, appendix C exit
 * reasons). Pure: the caller read the fields (struct vmx_exit_raw). */
#include <bulkhead/string.h>
#include <bulkhead/vcpu.h>
#include "vmx_priv.h"

/* I/O exit (27.2.1 table 27-5); for INS/OUTS the address size and segment
 * come from the VM-exit instruction information (27.2.5 table 27-8), which
 * a CPU fills for them only when IA32_VMX_BASIC[54] says so: else 0 (not
 * known) and DS, as SVM gives without the fields. */
static void decode_io(const struct vmx_exit_raw *r, struct vm_exit *e)
{
	u8 size = IO_QUAL_SIZE(r->qual);

	if (size != 1 && size != 2 && size != 4)
		return; /* EXIT_UNKNOWN */
	e->code = EXIT_IO;
	e->u.io = (struct io_exit){
		.port = IO_QUAL_PORT(r->qual),
		.size = size,
		.in = r->qual & IO_QUAL_IN,
		.string = r->qual & IO_QUAL_STRING,
		.rep = r->qual & IO_QUAL_REP,
		.seg = X86_SEG_DS,
	};
	if (e->u.io.string && r->insn_info_io) {
		u32 asz = (r->insn_info >> 7) & 7; /* 0: 16, 1: 32, 2: 64 bits */
		if (asz > 2) {
			e->code = EXIT_UNKNOWN;
			return;
		}
		e->u.io.addr_size = (u8)(2U << asz);
		e->u.io.seg = (u8)((r->insn_info >> 15) & 7);
		if (e->u.io.seg > X86_SEG_GS) {
			e->code = EXIT_UNKNOWN;
			return;
		}
	}
}

/* Exception or NMI (reason 0): the exit interruption information (25.9.2).
 * An NMI is the host's; a guest exception is reported with its error code. */
static void decode_exception(const struct vmx_exit_raw *r, struct vm_exit *e)
{
	u32 info = r->intr_info;

	if (!(info & INTR_INFO_VALID))
		return; /* EXIT_UNKNOWN */
	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI) {
		e->code = EXIT_INTR;
		return;
	}
	e->code = EXIT_EXCEPTION;
	e->u.exception = (struct exception_exit){
		.vector = INTR_INFO_VECTOR(info),
		.has_error = info & INTR_INFO_ERR_VALID,
		.error = (info & INTR_INFO_ERR_VALID) ? r->intr_error : 0,
	};
}

/* A VM entry that failed after the VMCS checks (27.8): the basic reason
 * says which class, the qualification (reason 33) which special case. */
static void decode_entry_failure(const struct vmx_exit_raw *r, struct vm_exit *e)
{
	u32 basic = r->reason & 0xffffU;

	e->code = EXIT_INVALID;
	e->u.invalid.value = r->qual;
	if (basic == VMX_EXIT_BAD_GUEST) {
		static const char *const qual[] = {
			[0] = "VM entry failure: invalid guest state (reason 33), qualification",
			[2] = "VM entry failure: PDPTE loading (reason 33), qualification",
			[3] = "VM entry failure: NMI injection with NMI blocking (reason 33), "
			      "qualification",
			[4] = "VM entry failure: invalid VMCS link pointer (reason 33), qualification",
		};
		e->u.invalid.what = r->qual < ARRAY_SIZE(qual) && qual[r->qual] ? qual[r->qual]
										: qual[0];
	} else if (basic == VMX_EXIT_BAD_MSR_LOAD) {
		e->u.invalid.what = "VM entry failure: MSR loading (reason 34), MSR entry";
	} else {
		e->u.invalid.what = "VM entry failure: machine check (reason 41), qualification";
	}
}

static void set_len(const struct vmx_exit_raw *r, struct vm_exit *e)
{
	if (r->insn_len >= 1 && r->insn_len <= 15)
		e->inst_len = (u8)r->insn_len;
}

void vmx_translate_exit(const struct vcpu *v, const struct vmx_exit_raw *r, struct vm_exit *e)
{
	u32 basic = r->reason & 0xffffU;

	e->code = EXIT_UNKNOWN;
	e->inst_len = 0;
	e->rip = v->rip;
	e->raw = (struct raw_exit){ r->reason, r->qual, r->gpa };

	if (r->reason & VMX_EXIT_ENTRY_FAILED) {
		decode_entry_failure(r, e);
		return;
	}
	switch (basic) {
	case VMX_EXIT_EXCEPTION_NMI:
		decode_exception(r, e);
		return;
	case VMX_EXIT_IO:
		set_len(r, e);
		decode_io(r, e);
		return;
	case VMX_EXIT_EPT_VIOLATION: /* 28.3.3.2; the GPA field, 25.9.1 */
		e->code = EXIT_MMIO;
		e->u.mmio = (struct mmio_exit){
			.gpa = r->gpa,
			.write = r->qual & EPT_QUAL_WRITE,
			.fetch = r->qual & EPT_QUAL_FETCH,
		};
		return;
	case VMX_EXIT_RDMSR:
	case VMX_EXIT_WRMSR:
		set_len(r, e);
		e->code = EXIT_MSR;
		e->u.msr = (struct msr_exit){
			.index = (u32)v->gpr[X86_REG_RCX],
			.write = basic == VMX_EXIT_WRMSR,
			.value = (v->gpr[X86_REG_RDX] << 32) | (u32)v->gpr[X86_REG_RAX],
		};
		return;
	case VMX_EXIT_CPUID:    set_len(r, e); e->code = EXIT_CPUID; return;
	case VMX_EXIT_HLT:      set_len(r, e); e->code = EXIT_HLT; return;
	case VMX_EXIT_VMCALL:   set_len(r, e); e->code = EXIT_HYPERCALL; return;
	case VMX_EXIT_XSETBV:   set_len(r, e); e->code = EXIT_XSETBV; return;
	case VMX_EXIT_RDPMC:    set_len(r, e); e->code = EXIT_RDPMC; return;
	case VMX_EXIT_TRIPLE_FAULT: e->code = EXIT_SHUTDOWN; return;
	case VMX_EXIT_EXT_INTR:
	case VMX_EXIT_SMI:
	case VMX_EXIT_PREEMPT_TIMER: /* the host's tick budget ran out (26.7.4) */
		e->code = EXIT_INTR;
		return;
	case VMX_EXIT_INTR_WINDOW: e->code = EXIT_IRQ_WINDOW; return;
	/* With virtual NMIs, the NMI window opens when the guest's IRET has
	 * ended virtual-NMI blocking (26.7.6). */
	case VMX_EXIT_NMI_WINDOW: e->code = EXIT_NMI_WINDOW; return;
	case VMX_EXIT_GETSEC:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_INVVPID:
	case VMX_EXIT_MWAIT:
	case VMX_EXIT_MONITOR:
		/* VMX, SMX and MONITOR are hidden from guests: these #UD. */
		e->code = EXIT_EXCEPTION;
		e->u.exception = (struct exception_exit){ .vector = 6 };
		return;
	default:
		if (basic >= VMX_EXIT_VMCLEAR && basic <= VMX_EXIT_VMXON) {
			e->code = EXIT_EXCEPTION;
			e->u.exception = (struct exception_exit){ .vector = 6 };
		}
		return;
	}
}

/* VM-instruction error numbers (30.4, table 30-1) a VMLAUNCH/VMRESUME
 * can give. */
const char *vmx_insn_error_name(u32 number)
{
	switch (number) {
	case 4: return "VMLAUNCH with non-clear VMCS, VM-instruction error";
	case 5: return "VMRESUME with non-launched VMCS, VM-instruction error";
	case 7: return "VM entry with invalid control field(s), VM-instruction error";
	case 8: return "VM entry with invalid host-state field(s), VM-instruction error";
	case 26: return "VM entry with events blocked by MOV SS, VM-instruction error";
	default: return "VMLAUNCH/VMRESUME failed, VM-instruction error";
	}
}
