/* 32-bit entry from a Multiboot (v1 or v2) loader: protected mode, paging
 * off, EAX = loader magic, EBX = physical address of the info block. GRUB
 * enters here the same way on a UEFI PC, after ExitBootServices (see
 * multiboot_header.S); nothing below reads the BIOS data area or the VGA
 * text buffer, and the one early message goes to COM1.
 * Build early page tables identity mapping 4 GiB with 2 MiB pages, enter
 * long mode (SDM vol. 3 9.8.5; APM vol. 2 14.6) and call hv_main(magic, info).
 * hv_main replaces these tables with W^X ones as soon as it can. */
#include <bulkhead/layout.h>

#define EARLY_PTE 0x83          /* present, writable, 2 MiB page */
#define COM1 0x3f8

	.section .text.boot, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	mov %eax, %edi                  /* magic: first argument */
	mov %ebx, %esi                  /* info:  second argument */
	lea hv_stacks + HV_STACK_GUARD + HV_STACK_SIZE, %esp

	/* long mode available? CPUID 8000_0001h EDX bit 29 */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc no_long_mode
	mov %edx, %ebp                  /* keep NX support (bit 20) */

	/* PML4[0] -> PDPT, PDPT[0..3] -> four PDs of 2 MiB pages: 0..4 GiB */
	lea early_pdpt, %eax
	or $3, %eax
	mov %eax, early_pml4
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $12, %eax
	add $early_pd, %eax
	or $3, %eax
	mov %eax, early_pdpt(,%ecx,8)
	inc %ecx
	cmp $4, %ecx
	jb 1b
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $21, %eax
	or $EARLY_PTE, %eax
	mov %eax, early_pd(,%ecx,8)
	mov %ecx, %eax
	shr $11, %eax                   /* high dword: bits 32+ of the address */
	mov %eax, early_pd + 4(,%ecx,8)
	inc %ecx
	cmp $2048, %ecx
	jb 2b

	mov %cr4, %eax
	or $(1 << 5), %eax              /* PAE */
	mov %eax, %cr4
	lea early_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx           /* EFER */
	rdmsr
	or $(1 << 8), %eax              /* LME */
	bt $20, %ebp
	jnc 3f
	or $(1 << 11), %eax             /* NXE, needed for W^X */
3:	wrmsr
	mov %cr0, %eax
	or $((1 << 31) | (1 << 16) | 1), %eax   /* PG, WP, PE */
	mov %eax, %cr0

	lgdt early_gdt_desc
	ljmp $GDT_CODE64, $long_mode

no_long_mode:
	lea msg_no_lm, %esi
4:	lodsb
	test %al, %al
	jz 6f
	mov %al, %bl
	mov $COM1 + 5, %dx
5:	in %dx, %al
	test $0x20, %al
	jz 5b
	mov $COM1, %dx
	mov %bl, %al
	out %al, %dx
	jmp 4b
6:	hlt
	jmp 6b

	.code64
long_mode:
	mov $GDT_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov %edi, %edi                  /* zero-extend the arguments */
	mov %esi, %esi
	lea hv_stacks + HV_STACK_GUARD + HV_STACK_SIZE(%rip), %rsp
	xor %ebp, %ebp                  /* ends the frame-pointer chain */
	call hv_main
7:	cli
	hlt
	jmp 7b

	.section .rodata
msg_no_lm:
	.asciz "Bulkhead: this CPU has no long mode (x86-64); not supported\r\n"
	.balign 8
early_gdt:
	.quad 0
	.quad 0x00af9b000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf93000000ffff        /* 0x10: data */
early_gdt_desc:
	.short early_gdt_desc - early_gdt - 1
	.long early_gdt

	.section .bss
	.balign 4096
early_pml4: .skip 4096
early_pdpt: .skip 4096
early_pd:   .skip 4 * 4096
