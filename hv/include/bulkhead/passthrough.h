/* PCI passthrough: host functions handed to one VM (docs/architecture.md,
 * "Passthrough"). The configuration names each function by its host
 * address "BB:DD.F" or by "VVVV:DDDD" (vendor:device, the first function
 * the boot-time walk found with those IDs); vm_conf_passthrough.c parses
 * that, passthrough.c resolves it against the host's PCI functions when
 * the VM is built, refuses what may not be passed, confines the
 * function's DMA to the VM's RAM with an IOMMU domain and blocks it again
 * when the VM stops. */
#ifndef BULKHEAD_PASSTHROUGH_H
#define BULKHEAD_PASSTHROUGH_H

#include <bulkhead/types.h>

#define VM_MAX_PASSTHROUGH 4

struct vm_passthrough {
	bool by_id;          /* vendor:device, else bus:dev.fn */
	u8 bus, dev, fn;     /* by address: dev < 32, fn < 8 */
	u16 vendor, device;  /* by ID */
	/* where the configuration names it, for the boot-time messages */
	const char *file;
	u32 line, col;
};

struct vm;
struct host_pci_fn;

/* The host functions vm was given (passthrough.c), in configuration
 * order, into fns[VM_MAX_PASSTHROUGH]; how many. */
unsigned passthrough_vm_fns(const struct vm *vm, const struct host_pci_fn **fns);
/* Is [gpa, gpa + size) -> hpa a mapping of one of vm's passed-through
 * BARs as passthrough_bus.c made it (for the isolation check)? */
bool passthrough_mmio_own(const struct vm *vm, u64 gpa, u64 hpa, u64 size);
/* The VM's reset, before its RAM is wiped (vm_do_reset): each function's
 * MSI-X off, bus mastering and decoding off, BARs unmapped from the nested
 * page table, the function reset (FLR, else D3hot->D0, header put back)
 * and its guest view as at boot; it stays in the VM's IOMMU domain. */
void passthrough_vm_reset(struct vm *vm);

/* The function as written: "00:03.0" or "1b36:0010" (buf of at least 10
 * bytes). */
void passthrough_spec_name(const struct vm_passthrough *pt, char *buf, size_t size);
/* Parses one item, "BB:DD.F" (hex, DD < 0x20, F < 8) or "VVVV:DDDD" (4 hex
 * digits each), s[0..n); false if it is neither. */
bool passthrough_spec_parse(const char *s, size_t n, struct vm_passthrough *pt);

#endif
