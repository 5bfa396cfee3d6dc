/* Multiboot1 header with the a.out kludge (Multiboot 0.6.96 section 3.1.3):
 * flag bit 16 says the load addresses below are valid, which is what lets
 * QEMU's -kernel and Bulkhead load an ELF64 file. Same as
 * hv/boot/multiboot_header.S, Multiboot1 only. */
#define MB1_MAGIC       0x1badb002
#define MB1_PAGE_ALIGN  (1 << 0)   /* modules on page boundaries */
#define MB1_MEMINFO     (1 << 1)   /* we want the memory map */
#define MB1_ADDRESSES   (1 << 16)  /* a.out kludge: addresses below */
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
