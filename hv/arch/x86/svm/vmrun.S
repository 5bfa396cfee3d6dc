/* void svm_vmrun(u64 vmcb_pa, u64 host_vmcb_pa, u64 *gpr)
 *
 * Loads the guest's general registers (but RAX and RSP, which VMRUN takes
 * from the VMCB) from gpr[16], enters the guest, and stores them back on
 * #VMEXIT. VMLOAD/VMSAVE move the state VMRUN leaves alone (FS, GS, TR,
 * LDTR, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK, SYSENTER MSRs) between the
 * CPU and the guest's VMCB; the host's copy is reloaded afterwards
 * (APM vol. 2 15.5.1-15.5.2, 15.6). x87/SSE/AVX, XCR0 and DR0-DR3, which
 * neither switches, are the caller's (x86/xstate.c). Called with GIF = 0. */

#define GPR(n) (8 * (n))

	.text
	.globl svm_vmrun
svm_vmrun:
	push %rbp
	mov %rsp, %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdx                 /* gpr */
	push %rsi                 /* host VMCB */
	mov %rdi, %rax            /* guest VMCB, as VMRUN wants it */

	mov GPR(1)(%rdx), %rcx
	mov GPR(3)(%rdx), %rbx
	mov GPR(5)(%rdx), %rbp
	mov GPR(6)(%rdx), %rsi
	mov GPR(7)(%rdx), %rdi
	mov GPR(8)(%rdx), %r8
	mov GPR(9)(%rdx), %r9
	mov GPR(10)(%rdx), %r10
	mov GPR(11)(%rdx), %r11
	mov GPR(12)(%rdx), %r12
	mov GPR(13)(%rdx), %r13
	mov GPR(14)(%rdx), %r14
	mov GPR(15)(%rdx), %r15
	mov GPR(2)(%rdx), %rdx

	vmload %rax
	vmrun %rax
	vmsave %rax

	mov %rdx, %rax            /* the guest's; RAX is free after VMSAVE */
	mov 8(%rsp), %rdx         /* gpr */
	mov %rcx, GPR(1)(%rdx)
	mov %rbx, GPR(3)(%rdx)
	mov %rbp, GPR(5)(%rdx)
	mov %rsi, GPR(6)(%rdx)
	mov %rdi, GPR(7)(%rdx)
	mov %r8, GPR(8)(%rdx)
	mov %r9, GPR(9)(%rdx)
	mov %r10, GPR(10)(%rdx)
	mov %r11, GPR(11)(%rdx)
	mov %r12, GPR(12)(%rdx)
	mov %r13, GPR(13)(%rdx)
	mov %r14, GPR(14)(%rdx)
	mov %r15, GPR(15)(%rdx)
	mov %rax, GPR(2)(%rdx)

	pop %rax                  /* host VMCB */
	vmload %rax
	pop %rdx
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
