/* Booting a Linux bzImage in a VM (Linux x86 boot protocol). */
#ifndef BULKHEAD_GUEST_LINUX_H
#define BULKHEAD_GUEST_LINUX_H

#include <bulkhead/guest_load.h>
#include <bulkhead/linux_boot.h>

/* The boot page tables (6 pages) and GDT live in the load plan's scratch
 * area of low RAM, which the kernel reclaims once it runs on its own. */
#define LINUX_PT_GPA  LINUX_SCRATCH_GPA
#define LINUX_GDT_GPA (LINUX_SCRATCH_GPA + 0x6000ULL)

bool linux_entry_state(struct vm *vm, u64 entry, u64 boot_params_gpa,
		       struct vcpu_init_state *s, const char **err);
/* Loads a bzImage, its initrd (the VM's first vmmod module) and the ACPI
 * tables, and describes the 64-bit entry. */
bool __must_check guest_load_linux(struct vm *vm, const struct vm_config *cfg,
				   struct vcpu_init_state *init, const char **err);
/* Is this image a bzImage (boot sector flag and "HdrS")? */
bool guest_is_bzimage(const u8 *img, u64 len);

#endif
