/* Kernel formats a VM can boot: a bzImage (Linux boot protocol) or a
 * Multiboot v1 kernel. */
#include <bulkhead/guest_linux.h>
#include <bulkhead/mm.h>

bool guest_load(struct vm *vm, const struct vm_config *cfg, struct vcpu_init_state *init,
		const char **err)
{
	if (guest_is_bzimage(phys_to_virt(cfg->kernel.hpa), cfg->kernel.len))
		return guest_load_linux(vm, cfg, init, err);
	return guest_load_multiboot(vm, cfg, init, err);
}
