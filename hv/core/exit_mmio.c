/* Guest-physical accesses outside RAM: a device's MMIO, emulated through
 * the instruction decoder, or a stray access that stops the VM. */
#include <bulkhead/exit.h>

void exit_handle_mmio(struct vcpu *v, const struct vm_exit *e)
{
	struct vm *vm = v->vm;
	u64 gpa = e->u.mmio.gpa;
	struct x86_emul em;
	struct x86_insn insn;
	struct x86_fault fault;
	enum x86_emul_result r;

	if (gpa < vm->mem.size) {
		/* demand-zero RAM (guest_mem.h): the instruction restarts. A
		 * block that is mapped already was mapped for another vCPU of
		 * this VM that faulted on it at the same time, on another CPU:
		 * restarting finds it now. */
		if (!guest_mem_mapped(&vm->mem, gpa) && !vm_fault_in_ram(vm, gpa))
			vm_crash(vm, "nested page fault on its own RAM at %#lx (rip %#lx)", gpa,
				 e->rip);
		return;
	}
	if (e->u.mmio.fetch || !bus_claimed(&vm->bus.mmio, gpa)) {
		vm_crash(vm, "access to unbacked guest-physical memory at %#lx (rip %#lx%s)", gpa,
			 e->rip, e->u.mmio.fetch ? ", instruction fetch" : "");
		return;
	}
	vcpu_emul_init(v, &em);
	r = x86_emul_fetch(&em, &insn, &fault);
	if (r == X86_EMUL_OK)
		r = x86_emul_mmio(&em, &insn, gpa, &fault);
	vcpu_emul_done(v, r, &fault);
}
