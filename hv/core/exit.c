/* Exit dispatch: a table indexed by the neutral exit code, and the small
 * handlers that need no file of their own. */
#include <bulkhead/console.h>
#include <bulkhead/exit.h>
#include <bulkhead/vmm.h>

#define HYPERCALL_VERSION 0U
#define HYPERCALL_ABI     0x00010000ULL
#define ENOSYS            38

static const char *const exit_names[EXIT_NR] = {
	[EXIT_NONE] = "none", [EXIT_IO] = "io", [EXIT_MMIO] = "mmio", [EXIT_MSR] = "msr",
	[EXIT_CPUID] = "cpuid", [EXIT_HLT] = "hlt", [EXIT_HYPERCALL] = "hypercall",
	[EXIT_EXCEPTION] = "exception", [EXIT_SHUTDOWN] = "shutdown", [EXIT_INTR] = "intr",
	[EXIT_IRQ_WINDOW] = "irq-window", [EXIT_INVALID] = "invalid", [EXIT_IRET] = "iret",
	[EXIT_RDPMC] = "rdpmc", [EXIT_XSETBV] = "xsetbv", [EXIT_NMI_WINDOW] = "nmi-window",
	[EXIT_UNKNOWN] = "unknown",
};

const char *vm_exit_name(enum vm_exitcode code)
{
	return (unsigned)code < EXIT_NR ? exit_names[code] : "?";
}

static void handle_hlt(struct vcpu *v, const struct vm_exit *e)
{
	if (!vcpu_skip_insn(v, e->inst_len))
		return;
	if (v->event.pending) /* the single-step trap after HLT */
		return;
	if (vcpu_irq_pending(v) && (v->rflags & (1ULL << 9)))
		return;
	v->state = VCPU_HALTED;
	if (v->vm->console_flush)
		v->vm->console_flush(v->vm->console_dev, true); /* a prompt waits for input */
}

static void handle_hypercall(struct vcpu *v, const struct vm_exit *e)
{
	u64 nr = v->gpr[X86_REG_RAX];

	if (!vcpu_skip_insn(v, e->inst_len))
		return;
	v->gpr[X86_REG_RAX] = nr == HYPERCALL_VERSION ? HYPERCALL_ABI : (u64)-ENOSYS;
}

static void handle_shutdown(struct vcpu *v, const struct vm_exit *e)
{
	vm_crash(v->vm, "triple fault (shutdown) at rip %#lx", e->rip);
}

static void handle_exception(struct vcpu *v, const struct vm_exit *e)
{
	/* Only #UD for hidden instructions (SVM, MONITOR) reaches us. */
	if (e->u.exception.vector == 6) {
		vcpu_inject_exception(v, 6, false, 0);
		return;
	}
	vm_crash(v->vm, "unexpected exception %u exit at rip %#lx", e->u.exception.vector, e->rip);
}

/* A failed VMRUN: the guest state broke a consistency check (APM vol. 2
 * 15.5.1). The backend names the first failed check when it finds one. */
static void handle_invalid(struct vcpu *v, const struct vm_exit *e)
{
	if (e->u.invalid.what)
		vm_crash(v->vm, "invalid guest state: %s %#lx at rip %#lx", e->u.invalid.what,
			 e->u.invalid.value, e->rip);
	else
		vm_crash(v->vm, "invalid guest state (VMRUN failed, no check found why) at rip %#lx",
			 e->rip);
}

static void handle_iret(struct vcpu *v, const struct vm_exit *e)
{
	vcpu_nmi_iret(v, e->rip);
}

/* The IRET that ends NMI blocking has run already (VMX's NMI-window exit
 * with virtual NMIs, SDM vol. 3 26.7.6): a waiting NMI can go now. */
static void handle_nmi_window(struct vcpu *v, const struct vm_exit *e)
{
	(void)e;
	vmm->vcpu_intercept_iret(v, false);
	v->nmi_blocked = v->nmi_iret_seen = false;
}

static void handle_unknown(struct vcpu *v, const struct vm_exit *e)
{
	vm_crash(v->vm, "unhandled exit %#lx (info %#lx, %#lx) at rip %#lx", e->raw.code,
		 e->raw.info1, e->raw.info2, e->rip);
}

static void handle_intr(struct vcpu *v, const struct vm_exit *e)
{
	(void)v;
	(void)e; /* the host takes the interrupt when the scheduler opens IF */
}

static void handle_irq_window(struct vcpu *v, const struct vm_exit *e)
{
	(void)e;
	vmm->vcpu_want_irq_window(v, false); /* vcpu_prepare_entry injects */
}

static exit_handler_fn *const handlers[EXIT_NR] = {
	[EXIT_IO] = exit_handle_io,
	[EXIT_MMIO] = exit_handle_mmio,
	[EXIT_MSR] = exit_handle_msr,
	[EXIT_CPUID] = exit_handle_cpuid,
	[EXIT_HLT] = handle_hlt,
	[EXIT_HYPERCALL] = handle_hypercall,
	[EXIT_EXCEPTION] = handle_exception,
	[EXIT_SHUTDOWN] = handle_shutdown,
	[EXIT_INTR] = handle_intr,
	[EXIT_IRQ_WINDOW] = handle_irq_window,
	[EXIT_INVALID] = handle_invalid,
	[EXIT_IRET] = handle_iret,
	[EXIT_NMI_WINDOW] = handle_nmi_window,
	[EXIT_RDPMC] = exit_handle_rdpmc,
	[EXIT_XSETBV] = exit_handle_xsetbv,
	[EXIT_UNKNOWN] = handle_unknown,
};

void exit_dispatch(struct vcpu *v, const struct vm_exit *e)
{
	exit_handler_fn *h = (unsigned)e->code < EXIT_NR ? handlers[e->code] : NULL;

	v->vm->exits[(unsigned)e->code < EXIT_NR ? e->code : EXIT_UNKNOWN]++;
	if (v->irq_offer_ended) { /* before the handler: an EOI may be this exit */
		v->irq_offer_ended = false;
		vcpu_irq_offer_end(v, v->irq_offer_vector, v->irq_offer_taken);
	}
	(h ? h : handle_unknown)(v, e);
}
