/* Probes with exception-table fixups (see trap_dispatch): used by the
 * self-tests to check that W^X, guard pages and #UD are really enforced. */

	.text
	.globl probe_ud
probe_ud:
1:	ud2
	xor %eax, %eax
	ret
2:	mov $1, %eax
	ret
	.section .ex_table, "a"
	.quad 1b, 2b
	.text

	.globl probe_write8
probe_write8:
1:	movb %sil, (%rdi)
	xor %eax, %eax
	ret
2:	mov $-1, %eax
	ret
	.section .ex_table, "a"
	.quad 1b, 2b
	.text

	.globl probe_read8
probe_read8:
1:	movzbl (%rdi), %eax
	ret
2:	mov $-1, %eax
	ret
	.section .ex_table, "a"
	.quad 1b, 2b
	.text
