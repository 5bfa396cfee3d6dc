/* Attaches a virtual local APIC to each vCPU of a new VM. */
#include <bulkhead/dev.h>
#include <bulkhead/vlapic.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_timer.h>

static u64 host_tsc(void)
{
	return rdtsc();
}

static void eoi_to_vm(void *ctx, u8 vector)
{
	vm_irq_eoi(ctx, vector);
}

static void nmi_to_vcpu(void *ctx)
{
	vcpu_raise_nmi(ctx);
}

static bool vlapic_create(struct vm *vm, const struct vm_config *cfg, const char **err)
{
	struct vcpu *v = &vm->vcpu[0];
	struct vlapic *a = dev_create(vm, &vm->bus.mmio, VLAPIC_BASE, VLAPIC_SIZE, sizeof(*a),
				      &vlapic_bus_ops, "lapic", err);

	(void)cfg;
	if (!a)
		return false;
	vlapic_init(a, v->id, tsc_hz, host_tsc);
	a->eoi_level = eoi_to_vm;
	a->eoi_ctx = vm;
	a->nmi = nmi_to_vcpu;
	a->nmi_ctx = v;
	v->irq_ops = &vlapic_irq_ops;
	v->irq_dev = a;
	return true;
}

VM_DEVICE(15, vlapic, vlapic_create);
