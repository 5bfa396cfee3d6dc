/* Entry stubs for all 256 vectors: each pushes a dummy error code where the
 * CPU pushes none (SDM vol. 3 6.13), then its vector, and joins the common
 * path that saves the general registers and calls trap_dispatch. */

	.text
	.altmacro
.macro STUB n
	.balign 16
trap_stub_\n:
	.if (\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	jmp trap_common
.endm

	.set i, 0
	.rept 256
	STUB %i
	.set i, i + 1
	.endr

trap_common:
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
	mov %rsp, %rdi
	/* Chain the frame pointer to the interrupted code for the backtrace. */
	mov 18*8(%rsp), %rax    /* rip */
	push %rax
	push %rbp
	mov %rsp, %rbp
	call trap_dispatch
	add $16, %rsp
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
	add $16, %rsp           /* vector, error code */
	iretq

.macro STUB_ADDR n
	.quad trap_stub_\n
.endm
	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
	.set i, 0
	.rept 256
	STUB_ADDR %i
	.set i, i + 1
	.endr
