/* Application processors start here. The boot CPU copies the 16-bit part
 * to AP_TRAMPOLINE_PA and sends INIT-SIPI-SIPI (SDM vol. 3 8.4.4.1, 10.6.1);
 * the AP wakes in real mode at CS = AP_TRAMPOLINE_PA >> 4, IP = 0, with
 * caches disabled (CR0 = 6000_0010h, SDM vol. 3 table 9-1). It loads a
 * small GDT from that page, turns on protected mode and jumps into the
 * hypervisor's image, where paging and long mode are enabled with the
 * boot CPU's page tables and control registers from the mailbox (layout.h):
 * the low page itself is mapped no-execute once paging is on. */
#include <bulkhead/layout.h>

	.section .rodata
	.code16
	.globl ap_trampoline, ap_trampoline_end
ap_trampoline:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl (tr_gdtr - ap_trampoline)
	mov %cr0, %eax
	or $1, %eax                     /* PE */
	mov %eax, %cr0
	ljmpl $GDT_CODE32, $ap_start32

	.balign 8
tr_gdt:
	.quad 0
	.quad 0x00af9b000000ffff        /* GDT_CODE64 */
	.quad 0x00cf93000000ffff        /* GDT_DATA */
	.quad 0x00cf9b000000ffff        /* GDT_CODE32 */
tr_gdtr:
	.word 4 * 8 - 1
	.long AP_TRAMPOLINE_PA + (tr_gdt - ap_trampoline)
ap_trampoline_end:

	.text
	.code32
ap_start32:
	mov $GDT_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov AP_MB_CR4, %eax
	mov %eax, %cr4                  /* with PAE */
	mov AP_MB_CR3, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx           /* EFER: LME, NXE as on the boot CPU */
	mov AP_MB_EFER, %eax
	xor %edx, %edx
	wrmsr
	mov AP_MB_CR0, %eax             /* PG, WP, PE; CD and NW clear */
	mov %eax, %cr0
	ljmp $GDT_CODE64, $ap_start64

	.code64
ap_start64:
	mov $GDT_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov AP_MB_STACK, %rsp
	mov AP_MB_CPU, %rdi
	call ap_main
	ud2
