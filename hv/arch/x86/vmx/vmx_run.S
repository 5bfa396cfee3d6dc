/* int vmx_run(u64 *gpr, bool launched)
 *
 * Loads the guest's general registers (but RSP, which VM entry takes from
 * the VMCS) from gpr[16], enters the guest with VMLAUNCH (first entry after
 * VMCLEAR) or VMRESUME, and on VM exit stores them back and returns 0. VM
 * exit loads the host state from the VMCS (SDM vol. 3 28.5): RSP is the
 * value written to HOST_RSP here, RIP is vmx_exit_point, RFLAGS is 0x2
 * (interrupts off). A VMLAUNCH/VMRESUME that fails does not enter: 1 for
 * VMfailInvalid (CF), 2 for VMfailValid (ZF; the VM-instruction error field
 * says why, 31.2). x87/SSE/AVX, XCR0 and DR0-DR3 are the caller's
 * (x86/xstate.c), as are CR2 and DR6. */

#define GPR(n) (8 * (n))
#define VMCS_HOST_RSP 0x6c14

	.text
	.globl vmx_run
	.globl vmx_exit_point
vmx_run:
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi                 /* gpr: at 0(%rsp) on exit */
	mov $VMCS_HOST_RSP, %rax
	vmwrite %rsp, %rax

	test %sil, %sil           /* the MOVs below leave the flags alone */
	mov GPR(0)(%rdi), %rax
	mov GPR(1)(%rdi), %rcx
	mov GPR(2)(%rdi), %rdx
	mov GPR(3)(%rdi), %rbx
	mov GPR(5)(%rdi), %rbp
	mov GPR(6)(%rdi), %rsi
	mov GPR(8)(%rdi), %r8
	mov GPR(9)(%rdi), %r9
	mov GPR(10)(%rdi), %r10
	mov GPR(11)(%rdi), %r11
	mov GPR(12)(%rdi), %r12
	mov GPR(13)(%rdi), %r13
	mov GPR(14)(%rdi), %r14
	mov GPR(15)(%rdi), %r15
	mov GPR(7)(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	mov $1, %eax              /* not entered: CF = VMfailInvalid */
	jc 3f
	mov $2, %eax              /* ZF = VMfailValid */
	jmp 3f

vmx_exit_point:
	push %rax                 /* the guest's */
	mov 8(%rsp), %rax         /* gpr */
	mov %rcx, GPR(1)(%rax)
	mov %rdx, GPR(2)(%rax)
	mov %rbx, GPR(3)(%rax)
	mov %rbp, GPR(5)(%rax)
	mov %rsi, GPR(6)(%rax)
	mov %rdi, GPR(7)(%rax)
	mov %r8, GPR(8)(%rax)
	mov %r9, GPR(9)(%rax)
	mov %r10, GPR(10)(%rax)
	mov %r11, GPR(11)(%rax)
	mov %r12, GPR(12)(%rax)
	mov %r13, GPR(13)(%rax)
	mov %r14, GPR(14)(%rax)
	mov %r15, GPR(15)(%rax)
	pop %rcx
	mov %rcx, GPR(0)(%rax)
	xor %eax, %eax

3:	add $8, %rsp              /* gpr */
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
