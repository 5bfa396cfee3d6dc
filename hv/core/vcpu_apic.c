/* The VM's local APICs: one per vCPU, APIC ID = vCPU index, all at the
 * same address. Core code, not a device model: it wires the APICs to the
 * vCPUs. An access to the APIC page reaches the APIC of the vCPU
 * making it (the one this CPU runs), and IPIs are routed by APIC ID over
 * the VM's APICs (apic_bus.h). */
#include <bulkhead/dev.h>
#include <bulkhead/vm.h>
#include <bulkhead/percpu.h>
#include <bulkhead/sched.h>
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

/* NMI, INIT and SIPI for the vCPU behind an APIC. */
static void signal_vcpu(void *ctx, u8 mode, u8 vector)
{
	vcpu_apic_signal(ctx, mode, vector);
}

void vm_apic_send(struct vm *vm, const struct vlapic *from, const struct apic_msg *m)
{
	struct vlapic *set[VM_MAX_VCPUS];

	for (u32 i = 0; i < vm->nr_vcpus; i++)
		set[i] = vm->vcpu[i].irq_dev;
	if (apic_msg_send(set, vm->nr_vcpus, from, m))
		sched_kick_vm(vm); /* a vCPU on another CPU, or asleep, has work */
}

static void send_from_apic(void *ctx, const struct vlapic *from, const struct apic_msg *m)
{
	vm_apic_send(ctx, from, m);
}

static struct vlapic *accessing_apic(struct vm *vm)
{
	struct vcpu *v = this_cpu()->vcpu;

	return v && v->vm == vm ? v->irq_dev : NULL;
}

static enum bus_result apic_page_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct vlapic *a = accessing_apic(dev);

	return a ? vlapic_bus_ops.read(a, off, size, val) : BUS_BAD_ACCESS;
}

static enum bus_result apic_page_write(void *dev, u64 off, u32 size, u64 val)
{
	struct vlapic *a = accessing_apic(dev);

	return a ? vlapic_bus_ops.write(a, off, size, val) : BUS_BAD_ACCESS;
}

static void apic_page_reset(void *dev)
{
	struct vm *vm = dev;

	for (u32 i = 0; i < vm->nr_vcpus; i++)
		vlapic_reset(vm->vcpu[i].irq_dev);
}

static const struct bus_dev_ops apic_page_ops = { apic_page_read, apic_page_write,
						  apic_page_reset };

static bool vlapic_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	struct vm *vm = vm_of_dev(host);

	(void)cfg;
	if (!bus_register(&vm->bus.mmio, VLAPIC_BASE, VLAPIC_SIZE, &apic_page_ops, vm, "lapic")) {
		*err = "device address range taken";
		return false;
	}
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpu[i];
		struct vlapic *a = vm_dev_alloc(vm, sizeof(*a));

		if (!a) {
			*err = "out of device memory";
			return false;
		}
		vlapic_init(a, v->id, tsc_hz, host_tsc);
		a->eoi_level = eoi_to_vm;
		a->eoi_ctx = vm;
		a->signal = signal_vcpu;
		a->signal_ctx = v;
		a->send = send_from_apic;
		a->send_ctx = vm;
		v->irq_ops = &vlapic_irq_ops;
		v->irq_dev = a;
	}
	return true;
}

VM_DEVICE(15, vlapic, vlapic_create);
