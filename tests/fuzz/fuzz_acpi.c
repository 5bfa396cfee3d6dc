/* libFuzzer target: ACPI RSDP/XSDT/RSDT/MADT parsing. The input is placed at
 * physical 0xE0000 (the BIOS area scanned for the RSDP) and is also offered
 * as the loader's RSDP copy. */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/acpi.h>

#define BASE 0xe0000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi_info info;
	struct phys_view v;
	const char *err = NULL;
	u8 *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	v = (struct phys_view){ copy, BASE, size };
	if (!acpi_read(&v, NULL, 0, &info, &err) && (!err || !*err))
		abort();
	if (!acpi_read(&v, copy, size, &info, &err) && (!err || !*err))
		abort();
	free(copy);
	return 0;
}
