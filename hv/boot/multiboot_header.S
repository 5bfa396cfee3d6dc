/* Multiboot headers: v1 for QEMU's -kernel, v2 for GRUB on real PCs.
 * Multiboot 0.6.96 section 3.1; Multiboot2 1.6 section 3.1.
 * On a UEFI PC the v2 header has no "EFI boot services tag" (type 7), so
 * the loader terminates boot services before entering us (Multiboot2 2.0,
 * "I386 machine state": "On EFI system boot services must be terminated"):
 * the hypervisor owns the machine. Nor has it an "EFI amd64 entry address
 * tag" (type 9, honoured only with type 7): GRUB enters _start32 in 32-bit
 * protected mode with paging off, as on a BIOS. */
#include <bulkhead/layout.h>

#define MB1_MAGIC       0x1badb002
#define MB1_PAGE_ALIGN  (1 << 0)   /* modules on page boundaries */
#define MB1_MEMINFO     (1 << 1)   /* we need the memory map */
#define MB1_ADDRESSES   (1 << 16)  /* load addresses given here: lets QEMU load an ELF64 */
#define MB1_FLAGS       (MB1_PAGE_ALIGN | MB1_MEMINFO | MB1_ADDRESSES)

	.section .multiboot1, "a"
	.balign 4
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header        /* header_addr */
	.long __image_start     /* load_addr */
	.long __data_end        /* load_end_addr */
	.long __image_end       /* bss_end_addr */
	.long _start32          /* entry_addr */

#define MB2_MAGIC 0xe85250d6
	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long 0                          /* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + (mb2_header_end - mb2_header))
	/* information request: cmdline, modules, mmap, ACPI (old and new) */
	.balign 8
	.short 1, 0
	.long 8 + 5 * 4
	.long 1, 3, 6, 14, 15
	.balign 8
	/* information request, optional (a BIOS loader has no EFI tags):
	 * framebuffer, EFI 64-bit system table, EFI memory map */
	.short 1, 1
	.long 8 + 3 * 4
	.long 8, 12, 17
	.balign 8
	/* framebuffer tag (type 5), optional, no preferred mode: on UEFI
	 * GRUB sets a GOP mode and passes it. Only recorded for now. */
	.short 5, 1
	.long 20
	.long 0, 0, 0
	.balign 8
	/* modules page aligned */
	.short 6, 0
	.long 8
	/* end tag */
	.short 0, 0
	.long 8
mb2_header_end:
