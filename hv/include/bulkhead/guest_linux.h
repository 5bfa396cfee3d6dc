/* Booting a Linux bzImage in a VM (Linux x86 boot protocol). */
#ifndef BULKHEAD_GUEST_LINUX_H
#define BULKHEAD_GUEST_LINUX_H

#include <bulkhead/guest_load.h>

/* Low guest memory used while Linux boots (all below 0x9f000, which the
 * kernel reclaims once it has copied what it needs). */
#define LINUX_PT_GPA          0x10000ULL /* 6 pages of boot page tables */
#define LINUX_GDT_GPA         0x17000ULL
#define LINUX_BOOT_PARAMS_GPA 0x18000ULL
#define LINUX_CMDLINE_GPA     0x20000ULL
#define LINUX_CMDLINE_MAX     0x10000ULL

bool linux_entry_state(struct vm *vm, u64 entry, u64 boot_params_gpa,
		       struct vcpu_init_state *s, const char **err);
/* Loads a bzImage, its initrd (the VM's first vmmod module) and the ACPI
 * tables, and describes the 64-bit entry. */
bool __must_check guest_load_linux(struct vm *vm, const struct vm_config *cfg,
				   struct vcpu_init_state *init, const char **err);
/* Is this image a bzImage (boot sector flag and "HdrS")? */
bool guest_is_bzimage(const u8 *img, u64 len);

#endif
