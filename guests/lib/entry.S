/* Test-guest entry. The loader leaves us in 32-bit protected mode, paging
 * off, EAX = 0x2BADB002, EBX = Multiboot info (guests/README.md "Entry").
 * Zero .bss, identity map 0..4 GiB with 2 MiB pages (the top GiB, which holds
 * the test device at 0xD0000000 and the local APIC at 0xFEE00000, uncached),
 * enter long mode (SDM vol. 3 9.8.5; APM vol. 2 14.6) and call
 * guest_start(magic, info). Also the 256 interrupt stubs for the IDT. */

#define PDE_2M      0x83        /* present, writable, 2 MiB page */
#define PDE_UC      0x18        /* PWT | PCD */
#define SEL_CODE64  0x08
#define SEL_DATA    0x10
#define STACK_SIZE  0x10000

	.section .text.boot, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	mov %eax, %esi                  /* keep magic and info out of the way */
	mov %ebx, %ebp

	/* .bss is zero per Multiboot, but a loader bug should not look like ours */
	lea __data_end, %edi
	lea __image_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	lea boot_stack + STACK_SIZE, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories */
	lea pdpt, %eax
	or $3, %eax
	mov %eax, pml4
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $12, %eax
	add $pd, %eax
	or $3, %eax
	mov %eax, pdpt(,%ecx,8)
	inc %ecx
	cmp $4, %ecx
	jb 1b
	/* 2048 entries of 2 MiB: 0..4 GiB, all below 4 GiB so high dwords are 0 */
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $21, %eax
	or $PDE_2M, %eax
	cmp $1536, %ecx                 /* 3 GiB and up: device space, uncached */
	jb 3f
	or $PDE_UC, %eax
3:	mov %eax, pd(,%ecx,8)
	inc %ecx
	cmp $2048, %ecx
	jb 2b

	mov %cr4, %eax
	or $(1 << 5), %eax              /* PAE */
	mov %eax, %cr4
	lea pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx           /* EFER.LME */
	rdmsr
	or $(1 << 8), %eax
	wrmsr
	mov %cr0, %eax
	or $((1 << 31) | 1), %eax       /* PG, PE */
	mov %eax, %cr0

	lgdt gdt_desc
	ljmp $SEL_CODE64, $long_mode

	.code64
long_mode:
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov %ax, %fs
	mov %ax, %gs
	mov %esi, %edi                  /* guest_start(magic, info) */
	mov %ebp, %esi
	lea boot_stack + STACK_SIZE(%rip), %rsp
	xor %ebp, %ebp
	call guest_start
4:	cli
	hlt
	jmp 4b

/* Interrupt stubs, 16 bytes apart: push a zero error code where the CPU does
 * not push one (SDM vol. 3 6.13), push the vector, go to the common path. */
	.text
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	cld
	mov %rsp, %rdi                  /* struct irq_frame * */
	call isr_dispatch
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp                   /* vector, error code */
	iretq

	.section .rodata
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9b000000ffff        /* 0x08: 64-bit code */
	.quad 0x00cf93000000ffff        /* 0x10: flat data */
gdt_desc:
	.short gdt_desc - gdt - 1
	.quad gdt

	.section .bss
	.balign 4096
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4 * 4096
	.balign 16
boot_stack:
	.skip STACK_SIZE
