/* Kernel formats a VM can boot: a bzImage (Linux boot protocol) or a
 * Multiboot v1 kernel; and the ACPI tables every VM gets. */
#include <bulkhead/acpi_tables.h>
#include <bulkhead/guest_linux.h>
#include <bulkhead/mm.h>
#include <bulkhead/pc_platform.h>

#define ACPI_AREA (PC_ACPI_TABLES_END - PC_ACPI_RSDP_GPA)

/* Built here, then copied into the VM: VMs are loaded one at a time. */
static u8 acpi_buf[ACPI_AREA] __aligned(16);

bool guest_load_acpi(struct vm *vm, u64 *rsdp, const char **err)
{
	struct acpi_platform p = { .nr_cpus = vm->nr_vcpus, .fixed_power_button = true };

	if (!acpi_tables_build(acpi_buf, PC_ACPI_RSDP_GPA, ACPI_AREA, &p, rsdp, err))
		return false;
	if (vm_write(vm, PC_ACPI_RSDP_GPA, acpi_buf, ACPI_AREA) != GM_OK) {
		*err = "guest RAM too small for the ACPI tables";
		return false;
	}
	return true;
}

bool guest_load(struct vm *vm, const struct vm_config *cfg, struct vcpu_init_state *init,
		const char **err)
{
	if (guest_is_bzimage(phys_to_virt(cfg->kernel.hpa), cfg->kernel.len))
		return guest_load_linux(vm, cfg, init, err);
	return guest_load_multiboot(vm, cfg, init, err);
}
