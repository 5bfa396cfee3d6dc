/* vCPU register access, event injection and the emulator's callbacks. */
#include <bulkhead/apic_bus.h>
#include <bulkhead/console.h>
#include <bulkhead/string.h>
#include <bulkhead/vm.h>
#include <bulkhead/vmm.h>

u64 vcpu_read_reg(struct vcpu *v, enum x86_reg reg)
{
	u64 val;

	if (reg <= X86_REG_R15)
		return v->gpr[reg];
	if (reg == X86_REG_RIP)
		return v->rip;
	if (reg == X86_REG_RFLAGS)
		return v->rflags;
	return x86_cpu_state_reg(&v->exit_state, reg, &val) ? val : 0;
}

void vcpu_write_reg(struct vcpu *v, enum x86_reg reg, u64 val)
{
	if (reg <= X86_REG_R15)
		v->gpr[reg] = val;
	else if (reg == X86_REG_RIP)
		v->rip = val;
	else if (reg == X86_REG_RFLAGS)
		v->rflags = val | 2; /* bit 1 is always set */
}

void vcpu_read_seg(struct vcpu *v, enum x86_seg seg, struct x86_segment *out)
{
	if ((unsigned)seg < X86_SEG_COUNT)
		x86_seg_unpack(&v->exit_state.seg[seg], out);
	else
		memset(out, 0, sizeof(*out));
}

/* Exception classes of SDM vol. 3 table 6-4. */
enum exc_class { EXC_BENIGN, EXC_CONTRIBUTORY, EXC_PAGE_FAULT, EXC_DOUBLE_FAULT };

static enum exc_class exc_class(u8 vector)
{
	switch (vector) {
	case 0: case 10: case 11: case 12: case 13:
		return EXC_CONTRIBUTORY;
	case 14:
		return EXC_PAGE_FAULT;
	case 8:
		return EXC_DOUBLE_FAULT;
	default:
		return EXC_BENIGN;
	}
}

/* SDM vol. 3 table 6-5 (APM vol. 2 8.2.9): a second exception while the
 * first waits for delivery. */
static void queue_exception(struct vcpu *v, struct vcpu_event e)
{
	const struct vcpu_event *first = &v->event;

	if (first->pending && first->type == VCPU_EVENT_EXCEPTION) {
		enum exc_class a = exc_class(first->vector), b = exc_class(e.vector);

		if (a == EXC_DOUBLE_FAULT && (b == EXC_CONTRIBUTORY || b == EXC_PAGE_FAULT)) {
			v->event.pending = false;
			vm_crash(v->vm, "triple fault (shutdown): #%u during #DF delivery at rip %#lx",
				 e.vector, v->rip);
			return;
		}
		if ((a == EXC_CONTRIBUTORY && b == EXC_CONTRIBUTORY) ||
		    (a == EXC_PAGE_FAULT && (b == EXC_CONTRIBUTORY || b == EXC_PAGE_FAULT)))
			e = (struct vcpu_event){ true, VCPU_EVENT_EXCEPTION, 8, true, 0, 0 };
	} else if (first->pending && first->type == VCPU_EVENT_NMI) {
		/* The NMI follows the exception; its handler never ran, so no
		 * IRET will unblock NMIs for it. */
		v->nmi_pending = true;
		v->nmi_blocked = v->nmi_iret_seen = false;
	}
	v->event = e;
}

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	queue_exception(v, (struct vcpu_event){ true, VCPU_EVENT_EXCEPTION, vector, has_error,
						error, 0 });
}

void vcpu_inject_page_fault(struct vcpu *v, u32 error, u64 cr2)
{
	queue_exception(v, (struct vcpu_event){ true, VCPU_EVENT_EXCEPTION, 14, true, error, cr2 });
}

/* --- callbacks for the instruction emulator and page walker --- */

static u64 emul_read_reg(void *ctx, enum x86_reg reg)
{
	return vcpu_read_reg(ctx, reg);
}

static void emul_write_reg(void *ctx, enum x86_reg reg, u64 val)
{
	vcpu_write_reg(ctx, reg, val);
}

static void emul_read_seg(void *ctx, enum x86_seg seg, struct x86_segment *out)
{
	vcpu_read_seg(ctx, seg, out);
}

/* An MMIO access goes through the bus rule (bus.h): odd ones get what the
 * platform gives. One that no device claims at all is the unbacked-memory
 * policy (docs/architecture.md): the VM stops. */
static enum x86_access_result from_bus(struct vcpu *v, enum bus_result r, u64 gpa)
{
	if (r == BUS_OK)
		return X86_ACCESS_OK;
	vm_crash(v->vm, "access to unbacked guest-physical memory at %#lx (rip %#lx)", gpa,
		 v->rip);
	return X86_ACCESS_ERROR;
}

static enum x86_access_result emul_mmio_read(void *ctx, u64 gpa, u32 size, u64 *val)
{
	struct vcpu *v = ctx;

	return from_bus(v, bus_guest_read(&v->vm->bus.mmio, gpa, size, val, v->vm->name), gpa);
}

static enum x86_access_result emul_mmio_write(void *ctx, u64 gpa, u32 size, u64 val)
{
	struct vcpu *v = ctx;

	return from_bus(v, bus_guest_write(&v->vm->bus.mmio, gpa, size, val, v->vm->name), gpa);
}

static enum x86_access_result from_gm(enum gm_result r)
{
	return r == GM_OK ? X86_ACCESS_OK : r == GM_HOLE ? X86_ACCESS_UNMAPPED : X86_ACCESS_ERROR;
}

static enum x86_access_result emul_gpa_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	struct vcpu *v = ctx;

	return from_gm(vm_read(v->vm, gpa, buf, len));
}

static enum x86_access_result emul_gpa_write(void *ctx, u64 gpa, const void *buf, size_t len)
{
	struct vcpu *v = ctx;

	return from_gm(vm_write(v->vm, gpa, buf, len));
}

static const struct x86_emul_ops vcpu_emul_ops = {
	.read_reg = emul_read_reg,
	.write_reg = emul_write_reg,
	.read_seg = emul_read_seg,
	.mmio_read = emul_mmio_read,
	.mmio_write = emul_mmio_write,
	.gpa_read = emul_gpa_read,
	.gpa_write = emul_gpa_write,
};

void vcpu_emul_init(struct vcpu *v, struct x86_emul *em)
{
	*em = (struct x86_emul){ .ops = &vcpu_emul_ops, .ctx = v, .maxphyaddr = 48,
				 .state = &v->exit_state };
}

/* Acts on an emulator result other than OK; false if the VM stopped. */
static bool emul_failed(struct vcpu *v, enum x86_emul_result r, const struct x86_fault *f,
			const char *what)
{
	switch (r) {
	case X86_EMUL_GUEST_FAULT:
		if (f->vector == 14)
			vcpu_inject_page_fault(v, f->error_code, f->cr2);
		else
			vcpu_inject_exception(v, f->vector, f->has_error, f->error_code);
		return true;
	case X86_EMUL_RETRY:
		return true;
	default:
		vm_crash(v->vm, "cannot emulate the %s at rip %#lx (%s)", what, v->rip,
			 r == X86_EMUL_UNHANDLED ? "unsupported instruction" : "bad access");
		return false;
	}
}

void vcpu_single_step(struct vcpu *v)
{
	if (!(v->rflags & X86_RFLAGS_TF) || v->event.pending)
		return;
	v->event = (struct vcpu_event){ true, VCPU_EVENT_EXCEPTION, X86_EXC_DB, false, 0,
					X86_DR6_BS };
}

bool vcpu_skip_insn(struct vcpu *v, u8 inst_len)
{
	struct x86_emul em;
	struct x86_insn insn;
	struct x86_fault fault;
	enum x86_emul_result r;

	if (inst_len) {
		v->rip += inst_len;
		vcpu_single_step(v);
		return true;
	}
	vcpu_emul_init(v, &em);
	r = x86_emul_fetch(&em, &insn, &fault);
	if (r != X86_EMUL_OK) {
		emul_failed(v, r, &fault, "intercepted instruction");
		return false; /* a fault is queued or the VM stopped: RIP stays */
	}
	x86_emul_advance_rip(&em, &insn);
	vcpu_single_step(v);
	return true;
}

bool vcpu_emul_done(struct vcpu *v, enum x86_emul_result r, const struct x86_fault *f)
{
	if (r != X86_EMUL_OK)
		return emul_failed(v, r, f, "MMIO access");
	vcpu_single_step(v); /* the instruction, or one REP round, is done */
	return true;
}

void vcpu_raise_nmi(struct vcpu *v)
{
	v->nmi_pending = true;
}

/* The vCPU as at power-on, core and backend state alike, waiting for a
 * SIPI; the VM's loader then starts vCPU 0 at its entry. What the core
 * keeps is listed here whole, so that a reset cannot leave an old value
 * behind. The TSC offset is the VM's and stays. */
void vcpu_power_on(struct vcpu *v)
{
	memset(v->gpr, 0, sizeof(v->gpr));
	v->rip = 0;
	v->rflags = 2;
	v->state = VCPU_WAIT_SIPI;
	v->event = (struct vcpu_event){ 0 };
	v->nmi_pending = v->nmi_blocked = v->nmi_iret_seen = false;
	v->nmi_iret_rip = 0;
	v->init_pending = v->sipi_pending = false;
	v->sipi_vector = 0;
	msr_vcpu_reset(v);
	vmm->vcpu_reset(v);
	vmm->vcpu_set_tsc_offset(v, v->tsc_offset);
}

/* INIT and SIPI are taken when the vCPU is on no CPU (vcpu_startup), not
 * here: the sender may run on another CPU than the target. A SIPI counts
 * only for a vCPU waiting for one (SDM vol. 3 8.4.2, 10.6.1); further
 * ones, as the MP protocol sends, are dropped. */
void vcpu_apic_signal(struct vcpu *v, u8 mode, u8 vector)
{
	switch (mode) {
	case APIC_NMI:
		vcpu_raise_nmi(v);
		break;
	case APIC_INIT:
		v->init_pending = true;
		v->sipi_pending = false;
		break;
	case APIC_SIPI:
		if (v->state == VCPU_WAIT_SIPI || v->init_pending) {
			v->sipi_pending = true;
			v->sipi_vector = vector;
		}
		break;
	default:
		break;
	}
}

/* Real mode at vector:0000 (SDM vol. 3 8.4.4.1, table 9-1: CR0 6000_0010h,
 * CS selector VV00h and base VV000h, 64 KiB limits). */
static void start_at_sipi(struct vcpu *v)
{
	struct x86_segment code = { .base = (u64)v->sipi_vector << 12, .limit = 0xffff,
				    .type = 0xb, .s = true, .present = true };
	struct x86_segment data = { .limit = 0xffff, .type = 0x3, .s = true, .present = true };
	struct vcpu_init_state st = {
		.cr0 = 0x60000010ULL,
		.rflags = 2,
		.cs_sel = (u16)(v->sipi_vector << 8),
		.cs = code,
		.ds = data,
		.gdtr_limit = 0xffff,
		.idtr_limit = 0xffff,
	};

	vmm->vcpu_set_state(v, &st);
	v->state = VCPU_RUNNABLE;
}

void vcpu_startup(struct vcpu *v)
{
	if (v->init_pending) {
		bool sipi = v->sipi_pending;
		u8 vector = v->sipi_vector;

		vcpu_power_on(v);
		if (v->irq_ops)
			v->irq_ops->init(v->irq_dev);
		v->sipi_pending = sipi;
		v->sipi_vector = vector;
	}
	if (v->state == VCPU_WAIT_SIPI && v->sipi_pending) {
		v->sipi_pending = false;
		start_at_sipi(v);
	}
}

/* Can a waiting NMI go in? NMI blocking ends once the intercepted IRET has
 * run, seen as RIP having moved on from it. Checked only while an NMI
 * waits, which keeps the common entry path short. */
static bool nmi_unblocked(struct vcpu *v)
{
	if (v->nmi_iret_seen && v->rip != v->nmi_iret_rip)
		v->nmi_iret_seen = v->nmi_blocked = false;
	return !v->nmi_blocked;
}

void vcpu_nmi_iret(struct vcpu *v, u64 rip)
{
	vmm->vcpu_intercept_iret(v, false);
	if (v->nmi_blocked) {
		v->nmi_iret_seen = true;
		v->nmi_iret_rip = rip;
	}
}

bool vcpu_irq_pending(struct vcpu *v)
{
	if (v->nmi_pending && nmi_unblocked(v))
		return true;
	return v->irq_ops && v->irq_ops->pending(v->irq_dev) >= 0;
}

void vcpu_prepare_entry(struct vcpu *v)
{
	int vec;

	if (v->event.pending) {
		vmm->vcpu_inject(v, &v->event);
		v->event.pending = false;
		return;
	}
	if (v->nmi_pending && nmi_unblocked(v) && vmm->vcpu_nmi_window_open(v)) {
		struct vcpu_event e = { true, VCPU_EVENT_NMI, 2, false, 0, 0 };

		vmm->vcpu_inject(v, &e);
		v->nmi_pending = false;
		v->nmi_blocked = true;
		vmm->vcpu_intercept_iret(v, true);
		return;
	}
	if (!v->irq_ops || (vec = v->irq_ops->pending(v->irq_dev)) < 0) {
		vmm->vcpu_want_irq_window(v, false);
		return;
	}
	if (vmm->vcpu_offer_irq) { /* settled at the exit: taken or not */
		v->irq_ops->offer(v->irq_dev, (u8)vec);
		vmm->vcpu_offer_irq(v, (u8)vec);
		return;
	}
	if (vmm->vcpu_irq_window_open(v)) {
		struct vcpu_event e = { true, VCPU_EVENT_EXTINT, (u8)vec, false, 0, 0 };

		v->irq_ops->accept(v->irq_dev, (u8)vec);
		vmm->vcpu_inject(v, &e);
		vmm->vcpu_want_irq_window(v, false);
	} else {
		vmm->vcpu_want_irq_window(v, true);
	}
}
