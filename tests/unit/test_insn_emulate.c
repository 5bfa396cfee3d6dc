/* Emulator tests: each instruction form run against a fake vCPU (registers,
 * RAM, one logged MMIO page). ALU results and flags are checked against
 * the host CPU running the same instruction (inline asm): the oracle.
 * Instruction bytes come from GNU as; the asm is in the comment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/x86/insn_emul.h>
#include "test_insn_fakevm.h"

static struct fakevm vm;

/* Decodes bytes in mode and emulates them against vm for fault gpa. */
static enum x86_emul_result run(enum x86_mode mode, const u8 *b, size_t n, u64 gpa,
				struct x86_fault *f)
{
	struct x86_emul em = fake_emul(&vm);
	struct x86_insn insn;

	assert_int_equal(x86_insn_decode(b, n, mode, &insn), X86_DECODE_OK);
	return x86_emul_mmio(&em, &insn, gpa, f);
}

#define RUN(mode, gpa, f, ...)                                            \
	({                                                                \
		static const u8 b_[] = { __VA_ARGS__ };                   \
		run(mode, b_, sizeof(b_), gpa, f);                        \
	})

static void setup64(void)
{
	fake_init(&vm, X86_MODE_64);
	vm.reg[X86_REG_RIP] = 0x400000;
}

static void put_mmio(u64 off, u64 v)
{
	memcpy(vm.mmio + off, &v, 8);
}

static u64 get_mmio(u64 off)
{
	u64 v;

	memcpy(&v, vm.mmio + off, 8);
	return v;
}

static void test_mov_store(void **state)
{
	struct x86_fault f;

	(void)state;
	setup64();
	vm.reg[X86_REG_RBX] = FAKE_MMIO_BASE + 0x30;
	vm.reg[X86_REG_RAX] = 0x1122334455667788ULL;
	/* mov %eax,(%rbx) */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x30, &f, 0x89, 0x03), X86_EMUL_OK);
	assert_int_equal(vm.nlog, 1);
	assert_true(vm.log[0].write);
	assert_int_equal(vm.log[0].gpa, FAKE_MMIO_BASE + 0x30);
	assert_int_equal(vm.log[0].size, 4);
	assert_int_equal(vm.log[0].val, 0x55667788);
	assert_int_equal(vm.reg[X86_REG_RIP], 0x400002);
	/* mov %ah,(%rbx) */
	vm.nlog = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x30, &f, 0x88, 0x23), X86_EMUL_OK);
	assert_int_equal(vm.log[0].size, 1);
	assert_int_equal(vm.log[0].val, 0x77);
	/* mov %sil,(%rbx) with REX: SIL, not DH */
	vm.nlog = 0;
	vm.reg[X86_REG_RSI] = 0xab;
	vm.reg[X86_REG_RDX] = 0xcd00;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x30, &f, 0x40, 0x88, 0x33), X86_EMUL_OK);
	assert_int_equal(vm.log[0].val, 0xab);
	/* mov %rax,(%rbx) */
	vm.nlog = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x30, &f, 0x48, 0x89, 0x03), X86_EMUL_OK);
	assert_int_equal(vm.log[0].size, 8);
	assert_int_equal(vm.log[0].val, 0x1122334455667788ULL);
	assert_int_equal(get_mmio(0x30), 0x1122334455667788ULL);
	/* mov %ax,0x10(%rsp) */
	vm.nlog = 0;
	vm.reg[X86_REG_RSP] = FAKE_MMIO_BASE + 0x100;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x110, &f, 0x66, 0x89, 0x44, 0x24, 0x10),
			 X86_EMUL_OK);
	assert_int_equal(vm.log[0].gpa, FAKE_MMIO_BASE + 0x110);
	assert_int_equal(vm.log[0].size, 2);
	assert_int_equal(vm.log[0].val, 0x7788);
	/* movq $-2,0x10(%r12,%r13,8) */
	vm.nlog = 0;
	vm.reg[X86_REG_R12] = FAKE_MMIO_BASE;
	vm.reg[X86_REG_R13] = 2;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x20, &f,
			     0x4b, 0xc7, 0x44, 0xec, 0x10, 0xfe, 0xff, 0xff, 0xff),
			 X86_EMUL_OK);
	assert_int_equal(vm.log[0].gpa, FAKE_MMIO_BASE + 0x20);
	assert_int_equal(vm.log[0].size, 8);
	assert_int_equal(vm.log[0].val, 0xfffffffffffffffeULL);
	/* movb $0x80,(%rdi) */
	vm.nlog = 0;
	vm.reg[X86_REG_RDI] = FAKE_MMIO_BASE + 7;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 7, &f, 0xc6, 0x07, 0x80), X86_EMUL_OK);
	assert_int_equal(vm.log[0].size, 1);
	assert_int_equal(vm.log[0].val, 0x80);
	/* movw $0x1234,(%rdi) */
	vm.nlog = 0;
	vm.reg[X86_REG_RDI] = FAKE_MMIO_BASE + 8;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 8, &f, 0x66, 0xc7, 0x07, 0x34, 0x12),
			 X86_EMUL_OK);
	assert_int_equal(vm.log[0].size, 2);
	assert_int_equal(vm.log[0].val, 0x1234);
}

/* Loads: 8/16-bit writes keep the rest of the register, 32-bit zero-extend. */
static void test_mov_load(void **state)
{
	struct x86_fault f;
	const u64 junk = 0xdeadbeefcafef00dULL;

	(void)state;
	setup64();
	put_mmio(0x40, 0x8877665544332211ULL);
	vm.reg[X86_REG_RAX] = FAKE_MMIO_BASE + 0x40;
	vm.reg[X86_REG_RCX] = junk;
	/* mov (%rax),%cl */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x40, &f, 0x8a, 0x08), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], (junk & ~0xffULL) | 0x11);
	/* mov (%rax),%ch */
	vm.reg[X86_REG_RCX] = junk;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x40, &f, 0x8a, 0x28), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], (junk & ~0xff00ULL) | 0x1100);
	/* mov (%rax),%cx */
	vm.reg[X86_REG_RCX] = junk;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x40, &f, 0x66, 0x8b, 0x08), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], (junk & ~0xffffULL) | 0x2211);
	/* mov (%rax),%ecx */
	vm.reg[X86_REG_RCX] = junk;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x40, &f, 0x8b, 0x08), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], 0x44332211);
	/* mov (%rax),%r10 */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x40, &f, 0x4c, 0x8b, 0x10), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_R10], 0x8877665544332211ULL);
	/* mov (%rax),%dil: REX selects DIL */
	vm.reg[X86_REG_RDI] = junk;
	vm.reg[X86_REG_RBX] = junk;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x40, &f, 0x40, 0x8a, 0x38), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RDI], (junk & ~0xffULL) | 0x11);
	assert_int_equal(vm.reg[X86_REG_RBX], junk);
	/* mov (%rax),%bh: no REX selects BH */
	vm.reg[X86_REG_RDI] = junk;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x40, &f, 0x8a, 0x38), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RBX], (junk & ~0xff00ULL) | 0x1100);
	assert_int_equal(vm.reg[X86_REG_RDI], junk);
	assert_int_equal(vm.nlog, 7);
	for (unsigned i = 0; i < vm.nlog; i++)
		assert_false(vm.log[i].write);
}

static void test_movzx_movsx(void **state)
{
	struct x86_fault f;
	const u64 junk = 0xdeadbeefcafef00dULL;

	(void)state;
	setup64();
	put_mmio(0, 0x80000000ffff8080ULL);
	put_mmio(8, 0x0000000080000000ULL);
	vm.reg[X86_REG_RAX] = FAKE_MMIO_BASE;
	/* movzbl (%rax),%ecx */
	vm.reg[X86_REG_RCX] = junk;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x0f, 0xb6, 0x08), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], 0x80);
	assert_int_equal(vm.log[0].size, 1);
	/* movsbl (%rax),%ecx */
	vm.reg[X86_REG_RCX] = junk;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x0f, 0xbe, 0x08), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], 0xffffff80ULL);
	/* movsbq (%rax),%rcx */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x48, 0x0f, 0xbe, 0x08), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], 0xffffffffffffff80ULL);
	/* movsbw (%rax),%cx: upper 48 bits kept */
	vm.reg[X86_REG_RCX] = junk;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x66, 0x0f, 0xbe, 0x08), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], (junk & ~0xffffULL) | 0xff80);
	/* movzwq (%rax),%rcx */
	vm.reg[X86_REG_RCX] = junk;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x48, 0x0f, 0xb7, 0x08), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], 0x8080);
	assert_int_equal(vm.log[vm.nlog - 1].size, 2);
	/* movswl (%rax),%ecx */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x0f, 0xbf, 0x08), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], 0xffff8080ULL);
	/* movslq 8(%rax),%rcx */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 8, &f, 0x48, 0x63, 0x48, 0x08), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], 0xffffffff80000000ULL);
	assert_int_equal(vm.log[vm.nlog - 1].size, 4);
	/* movsxd 8(%rax),%ecx without REX.W: a 32-bit move */
	vm.reg[X86_REG_RCX] = junk;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 8, &f, 0x63, 0x48, 0x08), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], 0x80000000ULL);
}

/* ---- Host oracle: run the real instruction, capture result and flags. */

#define HOST_ASM(text)                                                     \
	__asm__ __volatile__("sub $128, %%rsp\n\t" /* stay clear of the red zone */ \
		     "push %[fin]\n\t"                                      \
		     "popfq\n\t" text "\n\t"                                \
		     "pushfq\n\t"                                           \
		     "pop %[fout]\n\t"                                      \
		     "add $128, %%rsp"                                      \
		     : [d] "+r"(d), [fout] "=&r"(fout)                      \
		     : [s] "r"(s), [fin] "r"(fin)                           \
		     : "cc", "memory")

#define HOST_OP(name, m)                                                   \
	static u64 host_##name(u8 size, u64 d, u64 s, u64 fin, u64 *fo)    \
	{                                                                  \
		u64 fout = 0;                                              \
		switch (size) {                                            \
		case 1: HOST_ASM(m "b %b[s], %b[d]"); break;               \
		case 2: HOST_ASM(m "w %w[s], %w[d]"); break;               \
		case 4: HOST_ASM(m "l %k[s], %k[d]"); break;               \
		default: HOST_ASM(m "q %q[s], %q[d]"); break;              \
		}                                                          \
		*fo = fout;                                                \
		return d;                                                  \
	}

HOST_OP(add, "add")
HOST_OP(or, "or")
HOST_OP(adc, "adc")
HOST_OP(sbb, "sbb")
HOST_OP(and, "and")
HOST_OP(sub, "sub")
HOST_OP(xor, "xor")
HOST_OP(cmp, "cmp")
HOST_OP(test, "test")

static const struct {
	enum x86_op op;
	u64 (*host)(u8, u64, u64, u64, u64 *);
	const char *name;
} alu[] = {
	{ X86_OP_ADD, host_add, "add" }, { X86_OP_OR, host_or, "or" },
	{ X86_OP_ADC, host_adc, "adc" }, { X86_OP_SBB, host_sbb, "sbb" },
	{ X86_OP_AND, host_and, "and" }, { X86_OP_SUB, host_sub, "sub" },
	{ X86_OP_XOR, host_xor, "xor" }, { X86_OP_CMP, host_cmp, "cmp" },
	{ X86_OP_TEST, host_test, "test" },
};

static u64 mask_of(u8 size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

static void check_alu(unsigned k, u8 size, u64 d, u64 s, u64 fin)
{
	u64 hf, ef = fin;
	u64 hr = alu[k].host(size, d, s, fin, &hf) & mask_of(size);
	u64 er = x86_alu_exec(alu[k].op, size, d, s, &ef);

	if (alu[k].op == X86_OP_CMP || alu[k].op == X86_OP_TEST)
		hr = d & mask_of(size); /* host leaves d alone; we return the
					 * would-be result, not written back */
	if ((alu[k].op != X86_OP_CMP && alu[k].op != X86_OP_TEST && hr != er) ||
	    (hf & X86_RFLAGS_ARITH) != (ef & X86_RFLAGS_ARITH))
		fail_msg("%s%u %#llx, %#llx (flags in %#llx): host %#llx flags %#llx, "
			 "emulated %#llx flags %#llx", alu[k].name, size * 8,
			 (unsigned long long)d, (unsigned long long)s,
			 (unsigned long long)fin, (unsigned long long)hr,
			 (unsigned long long)(hf & X86_RFLAGS_ARITH),
			 (unsigned long long)er, (unsigned long long)(ef & X86_RFLAGS_ARITH));
}

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_alu_flags_oracle(void **state)
{
	static const u64 edge[] = { 0, 1, 2, 0xf, 0x10, 0x7f, 0x80, 0xff, 0x100, 0x7fff,
				    0x8000, 0xffff, 0x7fffffff, 0x80000000ULL,
				    0xffffffffULL, 0x7fffffffffffffffULL,
				    0x8000000000000000ULL, ~0ULL, 0x5555555555555555ULL };
	static const u8 sizes[] = { 1, 2, 4, 8 };
	unsigned n = 0;

	(void)state;
	for (unsigned k = 0; k < sizeof(alu) / sizeof(alu[0]); k++) {
		for (unsigned z = 0; z < 4; z++) {
			for (unsigned i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
				for (unsigned j = 0; j < sizeof(edge) / sizeof(edge[0]); j++) {
					/* CF in 0 and 1; the other flags set to
					 * catch bits we forget to clear */
					check_alu(k, sizes[z], edge[i], edge[j], 0x2);
					check_alu(k, sizes[z], edge[i], edge[j], 0x2 | 0x8d5);
					n += 2;
				}
			}
			for (unsigned i = 0; i < 20000; i++) {
				u64 r = rng();
				check_alu(k, sizes[z], rng(), rng(), 0x2 | (r & 0x8d5));
				n++;
			}
		}
	}
	print_message("%u ALU cases match the host CPU\n", n);
}

/* ALU with the memory operand, end to end: write-back, flags, CMP/TEST. */
static void test_alu_mmio(void **state)
{
	struct x86_fault f;
	u64 hf;

	(void)state;
	setup64();
	vm.reg[X86_REG_RBX] = FAKE_MMIO_BASE + 0x80;
	vm.reg[X86_REG_RFLAGS] = 0x202 | X86_RFLAGS_DF; /* IF, DF kept */
	put_mmio(0x80, 0xfffffff0);
	vm.reg[X86_REG_RAX] = 0x10;
	/* add %eax,(%rbx): 0xfffffff0 + 0x10 = 0, CF ZF PF AF */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0x01, 0x03), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80), 0);
	host_add(4, 0xfffffff0, 0x10, 0x2, &hf);
	assert_int_equal(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_ARITH, hf & X86_RFLAGS_ARITH);
	assert_int_equal(vm.reg[X86_REG_RFLAGS] & ~X86_RFLAGS_ARITH, 0x202 | X86_RFLAGS_DF);
	assert_int_equal(vm.nlog, 2); /* read, then write */
	assert_false(vm.log[0].write);
	assert_true(vm.log[1].write);
	/* cmpl $1,(%rbx): flags only, no write */
	vm.nlog = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0x83, 0x3b, 0x01), X86_EMUL_OK);
	assert_int_equal(vm.nlog, 1);
	assert_true(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_CF);
	assert_true(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_SF);
	/* testl $0x100,(%rbx): flags only */
	vm.nlog = 0;
	put_mmio(0x80, 0x100);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f,
			     0xf7, 0x03, 0x00, 0x01, 0x00, 0x00), X86_EMUL_OK);
	assert_int_equal(vm.nlog, 1);
	assert_false(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_ZF);
	assert_int_equal(get_mmio(0x80), 0x100);
	/* orl $0x80000000,(%rbx) via 81 */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f,
			     0x81, 0x0b, 0x00, 0x00, 0x00, 0x80), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80), 0x80000100);
	/* andq $-16,(%rbx) via 83 (imm8 sign-extended to 64) */
	put_mmio(0x80, 0x123456789abcdefULL);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0x48, 0x83, 0x23, 0xf0),
			 X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80), 0x123456789abcde0ULL);
	/* sub (%rbx),%ecx: register destination, zero-extended */
	vm.reg[X86_REG_RCX] = 0xffffffff00000005ULL;
	put_mmio(0x80, 7);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0x2b, 0x0b), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], 0xfffffffeULL);
	assert_true(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_CF);
	/* adc %ch,(%rbx) with CF set: 7 + 0 + 1 */
	vm.reg[X86_REG_RCX] = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0x10, 0x2b), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80) & 0xff, 8);
	/* xor %r8w,(%rbx) */
	vm.reg[X86_REG_R8] = 0xffff;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0x66, 0x44, 0x31, 0x03),
			 X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80) & 0xffff, 0xfff7);
	/* testb $1,(%rbx) */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0xf6, 0x03, 0x01), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RFLAGS] & (X86_RFLAGS_CF | X86_RFLAGS_OF), 0);
	/* lock orl $1,(%rbx) works like orl */
	put_mmio(0x80, 0);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0xf0, 0x83, 0x0b, 0x01),
			 X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80), 1);
}

static void test_xchg(void **state)
{
	struct x86_fault f;

	(void)state;
	setup64();
	put_mmio(0x10, 0xaaaaaaaa);
	vm.reg[X86_REG_RBX] = FAKE_MMIO_BASE + 0x10;
	vm.reg[X86_REG_RAX] = 0xffffffff12345678ULL;
	/* xchg %eax,(%rbx) */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x10, &f, 0x87, 0x03), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x10), 0x12345678);
	assert_int_equal(vm.reg[X86_REG_RAX], 0xaaaaaaaa);
	/* xchg %r8b,(%rbx) */
	vm.reg[X86_REG_R8] = 0x1ff;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x10, &f, 0x44, 0x86, 0x03), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x10), 0x123456ff);
	assert_int_equal(vm.reg[X86_REG_R8], 0x178);
}

/* Addressing: RIP-relative, moffs, segment bases, 16-bit forms, checks. */
static void test_addressing(void **state)
{
	struct x86_fault f;

	(void)state;
	setup64();
	vm.reg[X86_REG_RIP] = FAKE_MMIO_BASE - 0x1000;
	put_mmio(0x306, 0x42);
	/* mov 0x1300(%rip),%eax: la = rip + 6 + 0x1300 */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x306, &f,
			     0x8b, 0x05, 0x00, 0x13, 0x00, 0x00), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RAX], 0x42);
	/* the same with a page-aligned fault address: offset from the insn */
	vm.reg[X86_REG_RIP] = FAKE_MMIO_BASE - 0x1000;
	vm.reg[X86_REG_RAX] = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f,
			     0x8b, 0x05, 0x00, 0x13, 0x00, 0x00), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RAX], 0x42);
	/* offset disagrees with the exact fault address: rewritten insn */
	vm.reg[X86_REG_RIP] = FAKE_MMIO_BASE - 0x1000;
	vm.nlog = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x300, &f,
			     0x8b, 0x05, 0x00, 0x13, 0x00, 0x00), X86_EMUL_RETRY);
	assert_int_equal(vm.nlog, 0);
	assert_int_equal(vm.reg[X86_REG_RIP], FAKE_MMIO_BASE - 0x1000);
	/* movabs 0xfee000b0,%eax */
	put_mmio(0xb0, 0x12345678);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0xb0, &f,
			     0xa1, 0xb0, 0x00, 0xe0, 0xfe, 0, 0, 0, 0), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RAX], 0x12345678);
	/* mov %fs:0x20(%rax),%ecx: FS base applies in 64-bit mode */
	vm.seg[X86_SEG_FS].base = FAKE_MMIO_BASE;
	vm.seg[X86_SEG_DS].base = 0x1000; /* ignored in 64-bit mode */
	vm.reg[X86_REG_RAX] = 0x10;
	put_mmio(0x30, 0x99);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x30, &f, 0x64, 0x8b, 0x48, 0x20),
			 X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], 0x99);
	/* addr32: mov (%ebx),%eax truncates the address to 32 bits */
	vm.reg[X86_REG_RBX] = 0xffffffff00000000ULL | (FAKE_MMIO_BASE + 0x30);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x30, &f, 0x67, 0x8b, 0x03), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RAX], 0x99);
	/* non-canonical address: #GP(0); through RSP/RBP: #SS(0) */
	vm.reg[X86_REG_RBX] = 0x0000800000000000ULL;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x8b, 0x03), X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.vector, X86_EXC_GP);
	assert_true(f.has_error);
	assert_int_equal(f.error_code, 0);
	vm.reg[X86_REG_RBP] = 0xffff000000000000ULL;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x8b, 0x45, 0x00),
			 X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.vector, X86_EXC_SS);
	/* 57-bit canonical with CR4.LA57 */
	vm.reg[X86_REG_CR4] |= X86_CR4_LA57;
	vm.reg[X86_REG_RBX] = 0x00ff000000000000ULL | (FAKE_MMIO_BASE + 0x30);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x30, &f, 0x8b, 0x03), X86_EMUL_OK);
	/* access split across a page boundary whose second page is not
	 * mapped: the walk of that page faults (#PF, not present, write) */
	vm.reg[X86_REG_CR4] &= ~X86_CR4_LA57;
	fake_map4k(&vm, 0x600000, FAKE_MMIO_BASE, 0x3);
	vm.reg[X86_REG_RBX] = 0x600ffe;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0xffe, &f, 0x89, 0x03),
			 X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.vector, X86_EXC_PF);
	assert_int_equal(f.cr2, 0x601000);
	assert_int_equal(f.error_code, X86_PF_W);

	/* 32-bit protected mode: DS base applies, addresses wrap at 4 GiB. */
	fake_init(&vm, X86_MODE_32);
	vm.reg[X86_REG_RIP] = 0x1000;
	vm.seg[X86_SEG_DS].base = 0x100;
	vm.reg[X86_REG_RAX] = 0xcafe;
	/* mov %eax,0xfedfff10 -> la 0xfee00010 */
	assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE + 0x10, &f,
			     0xa3, 0x10, 0xff, 0xdf, 0xfe), X86_EMUL_OK);
	assert_int_equal(vm.log[0].gpa, FAKE_MMIO_BASE + 0x10);
	assert_int_equal(vm.log[0].val, 0xcafe);
	assert_int_equal(vm.reg[X86_REG_RIP], 0x1005);
	vm.seg[X86_SEG_DS].base = 0x20000000;
	vm.reg[X86_REG_RBX] = 0xdee00010; /* + base wraps to 0xfee00010 */
	assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE + 0x10, &f, 0x89, 0x03), X86_EMUL_OK);

	/* Real mode: mov %ax,4(%bp,%si), SS base, 16-bit wrap of the EA. */
	fake_init(&vm, X86_MODE_16);
	vm.reg[X86_REG_RIP] = 0xfffe;
	vm.seg[X86_SEG_SS].base = FAKE_MMIO_BASE;
	vm.reg[X86_REG_RBP] = 0xfff0;
	vm.reg[X86_REG_RSI] = 0x20;
	vm.reg[X86_REG_RAX] = 0xbeef;
	assert_int_equal(RUN(X86_MODE_16, FAKE_MMIO_BASE + 0x14, &f, 0x89, 0x42, 0x04), X86_EMUL_OK);
	assert_int_equal(vm.log[0].gpa, FAKE_MMIO_BASE + 0x14);
	assert_int_equal(vm.log[0].size, 2);
	assert_int_equal(vm.reg[X86_REG_RIP], 0x0001); /* IP wraps at 64 KiB */
}

static void test_unhandled_and_errors(void **state)
{
	struct x86_fault f;
	struct x86_emul em;
	struct x86_insn insn;

	(void)state;
	setup64();
	em = fake_emul(&vm);
	/* register-only forms and non-memory instructions */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x89, 0xc3), X86_EMUL_UNHANDLED);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x0f, 0xa2), X86_EMUL_UNHANDLED);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x0f, 0x01, 0x38), X86_EMUL_UNHANDLED);
	assert_int_equal(vm.reg[X86_REG_RIP], 0x400000);
	/* the device refuses: BAD_ACCESS, register untouched */
	vm.mmio_fail = true;
	vm.reg[X86_REG_RBX] = FAKE_MMIO_BASE;
	vm.reg[X86_REG_RAX] = 5;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x8b, 0x03), X86_EMUL_BAD_ACCESS);
	assert_int_equal(vm.reg[X86_REG_RAX], 5);
	assert_int_equal(vm.reg[X86_REG_RIP], 0x400000);
	vm.mmio_fail = false;
	/* a corrupted insn struct is refused, not trusted */
	static const u8 mov[] = { 0x8b, 0x03 };
	assert_int_equal(x86_insn_decode(mov, 2, X86_MODE_64, &insn), 0);
	insn.dst.reg = 200;
	assert_int_equal(x86_emul_mmio(&em, &insn, FAKE_MMIO_BASE, &f), X86_EMUL_UNHANDLED);
	assert_int_equal(x86_insn_decode(mov, 2, X86_MODE_64, &insn), 0);
	insn.mem.index = 77;
	assert_int_equal(x86_emul_mmio(&em, &insn, FAKE_MMIO_BASE, &f), X86_EMUL_UNHANDLED);
	assert_int_equal(x86_insn_decode(mov, 2, X86_MODE_64, &insn), 0);
	insn.src.size = 3;
	assert_int_equal(x86_emul_mmio(&em, &insn, FAKE_MMIO_BASE, &f), X86_EMUL_UNHANDLED);
	assert_int_equal(x86_insn_decode(mov, 2, X86_MODE_64, &insn), 0);
	insn.len = 0;
	assert_int_equal(x86_emul_mmio(&em, &insn, FAKE_MMIO_BASE, &f), X86_EMUL_UNHANDLED);
}

/* ---- String instructions: paging off (32-bit protected mode). */

static void test_rep_stos(void **state)
{
	struct x86_fault f;

	(void)state;
	fake_init(&vm, X86_MODE_32);
	vm.reg[X86_REG_RIP] = 0x1000;
	vm.reg[X86_REG_RDI] = FAKE_MMIO_BASE + 0x100;
	vm.reg[X86_REG_RCX] = 3;
	vm.reg[X86_REG_RAX] = 0xa5a5a5a5;
	/* rep stos %eax,%es:(%edi): one iteration per call, RIP kept */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE + 0x100 + 4 * i, &f, 0xf3, 0xab),
				 X86_EMUL_OK);
		assert_int_equal(vm.reg[X86_REG_RCX], 2 - i);
		assert_int_equal(vm.reg[X86_REG_RDI], FAKE_MMIO_BASE + 0x104 + 4 * i);
		assert_int_equal(vm.reg[X86_REG_RIP], i < 2 ? 0x1000 : 0x1002);
	}
	assert_int_equal(vm.nlog, 3);
	assert_int_equal(vm.log[2].gpa, FAKE_MMIO_BASE + 0x108);
	assert_int_equal(get_mmio(0x108) & 0xffffffff, 0xa5a5a5a5);
	/* rCX = 0: nothing is done, RIP moves on */
	vm.nlog = 0;
	assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE, &f, 0xf3, 0xab), X86_EMUL_OK);
	assert_int_equal(vm.nlog, 0);
	assert_int_equal(vm.reg[X86_REG_RIP], 0x1004);
	/* DF = 1: stosb walks down; no REP: one store, RIP advances */
	vm.reg[X86_REG_RFLAGS] |= X86_RFLAGS_DF;
	vm.reg[X86_REG_RDI] = FAKE_MMIO_BASE + 0x10;
	assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE + 0x10, &f, 0xaa), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RDI], FAKE_MMIO_BASE + 0xf);
	assert_int_equal(vm.reg[X86_REG_RIP], 0x1005);
	assert_int_equal(vm.log[0].size, 1);
	assert_int_equal(vm.log[0].val, 0xa5);
	/* 16-bit address size (67): DI wraps, upper bits of EDI/ECX kept */
	vm.reg[X86_REG_RFLAGS] &= ~X86_RFLAGS_DF;
	vm.seg[X86_SEG_ES].base = FAKE_MMIO_BASE;
	vm.reg[X86_REG_RDI] = 0xabcdffff;
	vm.reg[X86_REG_RCX] = 0x12340001;
	vm.nlog = 0;
	/* addr16 rep stosb */
	assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE + 0xfff, &f, 0x67, 0xf3, 0xaa), X86_EMUL_BAD_ACCESS);
	/* ES base + 0xffff is outside the MMIO page: refused by the bus */
	vm.seg[X86_SEG_ES].base = FAKE_MMIO_BASE - 0xf000;
	assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE + 0xfff, &f, 0x67, 0xf3, 0xaa), X86_EMUL_OK);
	assert_int_equal(vm.log[0].gpa, FAKE_MMIO_BASE + 0xfff);
	assert_int_equal(vm.reg[X86_REG_RDI], 0xabcd0000);
	assert_int_equal(vm.reg[X86_REG_RCX], 0x12340000);
	assert_int_equal(vm.reg[X86_REG_RIP], 0x1008);
}

static void test_movs(void **state)
{
	struct x86_fault f;

	(void)state;
	fake_init(&vm, X86_MODE_32);
	vm.reg[X86_REG_RIP] = 0x1000;
	/* memcpy_toio: rep movsb from RAM 0x2000 to MMIO */
	memcpy(vm.ram + 0x2000, "xyz", 3);
	vm.reg[X86_REG_RSI] = 0x2000;
	vm.reg[X86_REG_RDI] = FAKE_MMIO_BASE + 0x200;
	vm.reg[X86_REG_RCX] = 3;
	for (int i = 0; i < 3; i++)
		assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE + 0x200 + i, &f, 0xf3, 0xa4),
				 X86_EMUL_OK);
	assert_memory_equal(vm.mmio + 0x200, "xyz", 3);
	assert_int_equal(vm.reg[X86_REG_RSI], 0x2003);
	assert_int_equal(vm.reg[X86_REG_RDI], FAKE_MMIO_BASE + 0x203);
	assert_int_equal(vm.reg[X86_REG_RCX], 0);
	assert_int_equal(vm.reg[X86_REG_RIP], 0x1002);
	/* memcpy_fromio: movsl from MMIO to RAM, DF = 1 */
	vm.reg[X86_REG_RFLAGS] |= X86_RFLAGS_DF;
	put_mmio(0x300, 0x11223344);
	vm.reg[X86_REG_RSI] = FAKE_MMIO_BASE + 0x300;
	vm.reg[X86_REG_RDI] = 0x3000;
	assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE + 0x300, &f, 0xa5), X86_EMUL_OK);
	assert_int_equal(*(u32 *)(vm.ram + 0x3000), 0x11223344);
	assert_int_equal(vm.reg[X86_REG_RSI], FAKE_MMIO_BASE + 0x2fc);
	assert_int_equal(vm.reg[X86_REG_RDI], 0x2ffc);
	/* MMIO to MMIO, with an FS override on the source */
	vm.reg[X86_REG_RFLAGS] &= ~X86_RFLAGS_DF;
	vm.seg[X86_SEG_FS].base = FAKE_MMIO_BASE;
	vm.reg[X86_REG_RSI] = 0x300;
	vm.reg[X86_REG_RDI] = FAKE_MMIO_BASE + 0x400;
	vm.nlog = 0;
	/* movsw %fs:(%esi),%es:(%edi) */
	assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE + 0x300, &f, 0x64, 0x66, 0xa5), X86_EMUL_OK);
	assert_int_equal(vm.nlog, 2);
	assert_int_equal(vm.log[0].gpa, FAKE_MMIO_BASE + 0x300);
	assert_int_equal(vm.log[1].gpa, FAKE_MMIO_BASE + 0x400);
	assert_int_equal(vm.log[1].val, 0x3344);
	/* RAM source straddling two pages (unaligned memcpy_toio) */
	memcpy(vm.ram + 0x4ffe, "\x01\x02\x03\x04", 4);
	vm.reg[X86_REG_RSI] = 0x4ffe;
	vm.reg[X86_REG_RDI] = FAKE_MMIO_BASE + 0x500;
	assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE + 0x500, &f, 0xa5), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x500) & 0xffffffff, 0x04030201);
	/* source outside RAM and MMIO: the access is refused */
	vm.reg[X86_REG_RSI] = 0x80000000;
	assert_int_equal(RUN(X86_MODE_32, FAKE_MMIO_BASE + 0x500, &f, 0xa5), X86_EMUL_BAD_ACCESS);
}

/* ---- Long mode with guest page tables: string ops walk, fetch. */

static void test_string_paged(void **state)
{
	struct x86_fault f;

	(void)state;
	setup64();
	fake_map4k(&vm, 0x7000000000ULL, 0x5000, 0x7);                 /* user RW RAM */
	fake_map4k(&vm, 0xffff800000001000ULL, FAKE_MMIO_BASE, 0x3);   /* kernel MMIO */
	fake_map4k(&vm, 0xffff800000002000ULL, 0x6000, 0x1);           /* read-only */
	memcpy(vm.ram + 0x5010, "\xde\xad\xbe\xef\x01\x02\x03\x04", 8);
	/* movsq (%rsi) -> (%rdi): RAM -> MMIO */
	vm.reg[X86_REG_RSI] = 0x7000000010ULL;
	vm.reg[X86_REG_RDI] = 0xffff800000001008ULL;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 8, &f, 0x48, 0xa5), X86_EMUL_OK);
	assert_int_equal(get_mmio(8), 0x04030201efbeaddeULL);
	assert_int_equal(vm.reg[X86_REG_RSI], 0x7000000018ULL);
	assert_int_equal(vm.reg[X86_REG_RDI], 0xffff800000001010ULL);
	/* destination not mapped: #PF, W=1, P=0, CR2 = rdi; nothing changes */
	vm.reg[X86_REG_RDI] = 0xffff800000009000ULL;
	vm.nlog = 0;
	u64 rip = vm.reg[X86_REG_RIP];
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x48, 0xa5), X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.vector, X86_EXC_PF);
	assert_int_equal(f.error_code, X86_PF_W);
	assert_int_equal(f.cr2, 0xffff800000009000ULL);
	assert_int_equal(vm.reg[X86_REG_RDI], 0xffff800000009000ULL);
	assert_int_equal(vm.reg[X86_REG_RIP], rip);
	assert_int_equal(vm.nlog, 0);
	/* user mode (CPL 3) reading the kernel MMIO page: #PF P|U */
	vm.reg[X86_REG_CPL] = 3;
	vm.reg[X86_REG_RSI] = 0xffff800000001000ULL;
	vm.reg[X86_REG_RDI] = 0x7000000000ULL;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0xa4), X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.error_code, X86_PF_P | X86_PF_U);
	/* kernel write to a read-only page with CR0.WP: #PF P|W */
	vm.reg[X86_REG_CPL] = 0;
	vm.reg[X86_REG_RDI] = 0xffff800000002000ULL;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0xa4), X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.error_code, X86_PF_P | X86_PF_W);
	/* rep stosq into MMIO through the tables */
	vm.reg[X86_REG_RDI] = 0xffff800000001100ULL;
	vm.reg[X86_REG_RCX] = 2;
	vm.reg[X86_REG_RAX] = 0x0123456789abcdefULL;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x100, &f, 0xf3, 0x48, 0xab), X86_EMUL_OK);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x108, &f, 0xf3, 0x48, 0xab), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x108), 0x0123456789abcdefULL);
	assert_int_equal(vm.reg[X86_REG_RIP], rip + 3);
}

static void test_fetch(void **state)
{
	struct x86_emul em;
	struct x86_insn insn;
	struct x86_fault f;
	/* movq $-2,0x10(%r12,%r13,8): 9 bytes */
	static const u8 movq[] = { 0x4b, 0xc7, 0x44, 0xec, 0x10, 0xfe, 0xff, 0xff, 0xff };

	(void)state;
	setup64();
	em = fake_emul(&vm);
	/* code at 0x400ffc..0x401004 spans two pages mapped far apart */
	fake_map4k(&vm, 0x400000, 0x8000, 0x1);
	memcpy(vm.ram + 0x8ffc, movq, 4);
	vm.reg[X86_REG_RIP] = 0x400ffc;
	assert_int_equal(x86_emul_fetch(&em, &insn, &f), X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.vector, X86_EXC_PF); /* second page missing */
	assert_int_equal(f.cr2, 0x401000);
	assert_int_equal(f.error_code, X86_PF_I); /* not present, fetch, NXE */
	fake_map4k(&vm, 0x401000, 0x3000, 0x1);
	memcpy(vm.ram + 0x3000, movq + 4, 5);
	assert_int_equal(x86_emul_fetch(&em, &insn, &f), X86_EMUL_OK);
	assert_int_equal(insn.len, 9);
	assert_int_equal(insn.imm, (u64)-2);
	/* the decoded insn then runs as usual */
	vm.reg[X86_REG_R12] = FAKE_MMIO_BASE;
	vm.reg[X86_REG_R13] = 0;
	assert_int_equal(x86_emul_mmio(&em, &insn, FAKE_MMIO_BASE + 0x10, &f), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RIP], 0x401005);
	/* a short insn at the end of a page needs no second page */
	fake_map4k(&vm, 0x401000, 0x3000, 0); /* unmap */
	vm.reg[X86_REG_RIP] = 0x400ffe;
	memcpy(vm.ram + 0x8ffe, "\x0f\xa2", 2); /* cpuid */
	assert_int_equal(x86_emul_fetch(&em, &insn, &f), X86_EMUL_OK);
	assert_int_equal(insn.op, X86_OP_CPUID);
	x86_emul_advance_rip(&em, &insn);
	assert_int_equal(vm.reg[X86_REG_RIP], 0x401000);
	/* NX code page: #PF P|I; user fetch of a kernel page: P|U|I */
	fake_map4k(&vm, 0x402000, 0x8000, 0x1 | (1ULL << 63));
	vm.reg[X86_REG_RIP] = 0x402000;
	assert_int_equal(x86_emul_fetch(&em, &insn, &f), X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.error_code, X86_PF_P | X86_PF_I);
	vm.reg[X86_REG_CPL] = 3;
	vm.reg[X86_REG_RIP] = 0x400ffe;
	assert_int_equal(x86_emul_fetch(&em, &insn, &f), X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.error_code, X86_PF_P | X86_PF_U | X86_PF_I);
	vm.reg[X86_REG_CPL] = 0;
	/* > 15 bytes of prefixes: #GP(0) */
	fake_map4k(&vm, 0x403000, 0x9000, 0x1);
	memset(vm.ram + 0x9000, 0x66, 16);
	vm.reg[X86_REG_RIP] = 0x403000;
	assert_int_equal(x86_emul_fetch(&em, &insn, &f), X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.vector, X86_EXC_GP);
	/* lock mov: #UD; unknown opcode: UNHANDLED */
	memcpy(vm.ram + 0x9000, "\xf0\x89\x03", 3);
	assert_int_equal(x86_emul_fetch(&em, &insn, &f), X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.vector, X86_EXC_UD);
	assert_false(f.has_error);
	memcpy(vm.ram + 0x9000, "\x0f\x0b", 2);
	assert_int_equal(x86_emul_fetch(&em, &insn, &f), X86_EMUL_UNHANDLED);
	/* code in MMIO (not RAM): BAD_ACCESS */
	fake_map4k(&vm, 0x404000, FAKE_MMIO_BASE, 0x1);
	vm.reg[X86_REG_RIP] = 0x404000;
	assert_int_equal(x86_emul_fetch(&em, &insn, &f), X86_EMUL_BAD_ACCESS);
	/* non-canonical RIP: #GP */
	vm.reg[X86_REG_RIP] = 0x0000900000000000ULL;
	assert_int_equal(x86_emul_fetch(&em, &insn, &f), X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.vector, X86_EXC_GP);

	/* real mode: CS base + IP, paging off */
	fake_init(&vm, X86_MODE_16);
	em = fake_emul(&vm);
	vm.seg[X86_SEG_CS].base = 0xf0000;
	vm.reg[X86_REG_RIP] = 0xfff0;
	memcpy(vm.ram + 0xffff0, "\x89\x42\x04", 3); /* mov %ax,4(%bp,%si) */
	assert_int_equal(x86_emul_mode(&em), X86_MODE_16);
	assert_int_equal(x86_emul_fetch(&em, &insn, &f), X86_EMUL_OK);
	assert_int_equal(insn.len, 3);
	assert_int_equal(insn.opsize, 2);
	/* 32-bit protected mode, CS.D = 1 */
	fake_init(&vm, X86_MODE_32);
	em = fake_emul(&vm);
	assert_int_equal(x86_emul_mode(&em), X86_MODE_32);
	vm.reg[X86_REG_RFLAGS] |= X86_RFLAGS_VM;
	assert_int_equal(x86_emul_mode(&em), X86_MODE_16);
}

/* Host oracle for the one-operand forms and XADD/BT: result and flags. */
#define HOST_UNARY(name, m)                                                \
	static u64 host_##name(u8 size, u64 d, u64 fin, u64 *fo)           \
	{                                                                  \
		u64 fout = 0, s = 0;                                       \
		(void)s;                                                   \
		switch (size) {                                            \
		case 1: HOST_ASM(m "b %b[d]"); break;                      \
		case 2: HOST_ASM(m "w %w[d]"); break;                      \
		case 4: HOST_ASM(m "l %k[d]"); break;                      \
		default: HOST_ASM(m "q %q[d]"); break;                     \
		}                                                          \
		*fo = fout;                                                \
		return d;                                                  \
	}

HOST_UNARY(inc, "inc")
HOST_UNARY(dec, "dec")
HOST_UNARY(neg, "neg")

/* inc/dec/not/neg on MMIO at each size, flags against the host CPU. */
static void test_unary_mmio(void **state)
{
	static const u64 vals[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
				    0x7fffffff, 0x80000000, 0xffffffff, 0x7fffffffffffffffULL,
				    0x8000000000000000ULL, ~0ULL, 0x123456789abcdef0ULL };
	static const u8 sizes[] = { 1, 2, 4, 8 };
	struct x86_fault f;
	u64 hf, want;

	(void)state;
	for (unsigned si = 0; si < 4; si++) {
		u8 size = sizes[si];
		for (unsigned vi = 0; vi < sizeof(vals) / sizeof(vals[0]); vi++) {
			for (unsigned cf = 0; cf < 2; cf++) {
				/* reg field: 0 inc, 1 dec, 2 not, 3 neg; opcode fe/ff or f6/f7 */
				for (u8 k = 0; k < 4; k++) {
					u8 b[4], n = 0;
					u64 v = vals[vi] & mask_of(size), fin = 0x202 | cf;

					setup64();
					vm.reg[X86_REG_RBX] = FAKE_MMIO_BASE + 0x40;
					vm.reg[X86_REG_RFLAGS] = fin;
					put_mmio(0x40, v);
					if (size == 2)
						b[n++] = 0x66;
					if (size == 8)
						b[n++] = 0x48;
					b[n++] = (u8)((k < 2 ? 0xfe : 0xf6) | (size > 1));
					b[n++] = (u8)((k & 1 ? 0x08 : 0) | (k >= 2 ? 0x10 : 0) | 0x03);
					assert_int_equal(run(X86_MODE_64, b, n, FAKE_MMIO_BASE + 0x40, &f),
							 X86_EMUL_OK);
					if (k == 2) {
						want = ~v & mask_of(size);
						hf = fin;
					} else {
						want = (k == 0 ? host_inc : k == 1 ? host_dec : host_neg)(size, v, fin, &hf);
						want &= mask_of(size);
					}
					assert_int_equal(get_mmio(0x40) & mask_of(size), want);
					assert_int_equal(vm.reg[X86_REG_RFLAGS] & (X86_RFLAGS_ARITH | 0x202),
							 hf & (X86_RFLAGS_ARITH | 0x202));
					assert_int_equal(vm.reg[X86_REG_RIP], 0x400000 + n);
				}
			}
		}
	}
}

/* lock xadd, cmpxchg (equal and not), bt/bts/btr/btc with register and
 * immediate offsets, setcc: results, flags, registers, accesses. */
static void test_rmw_forms(void **state)
{
	struct x86_fault f;
	u64 hf;

	(void)state;
	setup64();
	vm.reg[X86_REG_RBX] = FAKE_MMIO_BASE + 0x80;
	/* lock xadd %ecx,(%rbx): mem = 5 + 0xfffffffb = 0, ecx = 5 */
	put_mmio(0x80, 5);
	vm.reg[X86_REG_RCX] = 0xfffffffbULL | (7ULL << 32);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0xf0, 0x0f, 0xc1, 0x0b),
			 X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80), 0);
	assert_int_equal(vm.reg[X86_REG_RCX], 5); /* 32-bit write zero-extends */
	host_add(4, 5, 0xfffffffb, 0x2, &hf);
	assert_int_equal(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_ARITH, hf & X86_RFLAGS_ARITH);
	assert_int_equal(vm.nlog, 2);

	/* lock cmpxchg %rdx,(%rbx), equal: ZF, mem = rdx, rax kept */
	put_mmio(0x80, 0x1234);
	vm.reg[X86_REG_RAX] = 0x1234;
	vm.reg[X86_REG_RDX] = 0xabcd;
	vm.nlog = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0xf0, 0x48, 0x0f, 0xb1, 0x13),
			 X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80), 0xabcd);
	assert_int_equal(vm.reg[X86_REG_RAX], 0x1234);
	assert_true(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_ZF);
	/* not equal: ZF clear, rax = mem, mem written back unchanged */
	vm.reg[X86_REG_RAX] = 0x1;
	vm.nlog = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0xf0, 0x48, 0x0f, 0xb1, 0x13),
			 X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80), 0xabcd);
	assert_int_equal(vm.reg[X86_REG_RAX], 0xabcd);
	assert_false(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_ZF);
	host_cmp(8, 1, 0xabcd, 0x2, &hf);
	assert_int_equal(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_ARITH, hf & X86_RFLAGS_ARITH);
	assert_int_equal(vm.nlog, 2);
	assert_true(vm.log[1].write);

	/* btl $3,(%rbx) reads, CF = bit 3, no write */
	put_mmio(0x80, 0x8);
	vm.reg[X86_REG_RFLAGS] = 0x202;
	vm.nlog = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0x0f, 0xba, 0x23, 0x03),
			 X86_EMUL_OK);
	assert_true(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_CF);
	assert_int_equal(vm.nlog, 1);
	/* lock btsl $35,(%rbx): immediate modulo 32 -> bit 3, already set */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0xf0, 0x0f, 0xba, 0x2b, 35),
			 X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80), 0x8);
	assert_true(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_CF);
	/* btr %eax,(%rbx) with eax = 3: clears bit 3 */
	vm.reg[X86_REG_RAX] = 3;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0x0f, 0xb3, 0x03), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80), 0);
	assert_true(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_CF);
	/* btc %rax,(%rbx) with rax = 64 + 1: the qword after, bit 1 */
	vm.reg[X86_REG_RAX] = 65;
	put_mmio(0x88, 0);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x88, &f, 0x48, 0x0f, 0xbb, 0x03),
			 X86_EMUL_OK);
	assert_int_equal(get_mmio(0x88), 2);
	assert_false(vm.reg[X86_REG_RFLAGS] & X86_RFLAGS_CF);
	/* bts %eax,(%rbx) with eax = -1: the dword before, bit 31 */
	vm.reg[X86_REG_RAX] = 0xffffffffULL;
	put_mmio(0x7c, 0);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x7c, &f, 0x0f, 0xab, 0x03), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x7c) & 0xffffffffULL, 0x80000000ULL);
	/* a register offset whose unit is not the faulting one: retry */
	vm.reg[X86_REG_RAX] = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x84, &f, 0x0f, 0xab, 0x03),
			 X86_EMUL_RETRY);

	/* sete (%rbx) / setg 4(%rbx) */
	put_mmio(0x80, 0xffff);
	vm.reg[X86_REG_RFLAGS] = 0x202 | X86_RFLAGS_ZF;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0x0f, 0x94, 0x03), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80), 0xff01);
	vm.reg[X86_REG_RFLAGS] = 0x202 | X86_RFLAGS_SF; /* SF != OF: not greater */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0x0f, 0x9f, 0x03), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x80), 0xff00);
	assert_int_equal(vm.reg[X86_REG_RFLAGS], 0x202 | X86_RFLAGS_SF);
	/* a forged insn: XADD whose source is not a register is refused */
	{
		static const u8 b[] = { 0xf0, 0x0f, 0xc1, 0x0b };
		struct x86_emul em = fake_emul(&vm);
		struct x86_insn insn;

		assert_int_equal(x86_insn_decode(b, sizeof(b), X86_MODE_64, &insn), X86_DECODE_OK);
		insn.src.kind = X86_OPND_IMM;
		insn.src.reg = 200;
		vm.nlog = 0;
		assert_int_equal(x86_emul_mmio(&em, &insn, FAKE_MMIO_BASE + 0x80, &f),
				 X86_EMUL_UNHANDLED);
		assert_int_equal(vm.nlog, 0);
	}
	/* register forms never fault on MMIO: inc %eax is not emulated */
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0x80, &f, 0xff, 0xc0),
			 X86_EMUL_UNHANDLED);
}

/* x86_cond against the host's SETcc for every cc and flag combination. */
static void test_cond_oracle(void **state)
{
	(void)state;
	for (u64 fl = 0; fl < 32; fl++) {
		u64 rf = 0x2 | ((fl & 1) ? X86_RFLAGS_CF : 0) | ((fl & 2) ? X86_RFLAGS_ZF : 0) |
			 ((fl & 4) ? X86_RFLAGS_SF : 0) | ((fl & 8) ? X86_RFLAGS_OF : 0) |
			 ((fl & 16) ? X86_RFLAGS_PF : 0);
		u8 host[16];

		__asm__ __volatile__("sub $128, %%rsp\n\tpush %[f]\n\tpopfq\n\t"
				     "seto 0(%[h])\n\tsetno 1(%[h])\n\tsetb 2(%[h])\n\tsetae 3(%[h])\n\t"
				     "sete 4(%[h])\n\tsetne 5(%[h])\n\tsetbe 6(%[h])\n\tseta 7(%[h])\n\t"
				     "sets 8(%[h])\n\tsetns 9(%[h])\n\tsetp 10(%[h])\n\tsetnp 11(%[h])\n\t"
				     "setl 12(%[h])\n\tsetge 13(%[h])\n\tsetle 14(%[h])\n\tsetg 15(%[h])\n\t"
				     "add $128, %%rsp"
				     : : [f] "r"(rf), [h] "r"(host) : "cc", "memory");
		for (u8 cc = 0; cc < 16; cc++)
			assert_int_equal(x86_cond(cc, rf), host[cc]);
	}
}

/* A qword that crosses from RAM into MMIO, and from MMIO into RAM: two
 * accesses, each to its own side, in aligned pieces on the bus. */
static void test_page_cross(void **state)
{
	struct x86_fault f;
	u64 v;

	(void)state;
	setup64();
	fake_map4k(&vm, 0x600000, 0x5000, 0x3);          /* RAM */
	fake_map4k(&vm, 0x601000, FAKE_MMIO_BASE, 0x3);  /* MMIO */
	fake_map4k(&vm, 0x602000, 0x6000, 0x3);          /* RAM */
	/* mov %rax,(%rbx) at 0x600ffc: 4 bytes RAM, 4 bytes MMIO at +0 */
	vm.reg[X86_REG_RBX] = 0x600ffc;
	vm.reg[X86_REG_RAX] = 0x1122334455667788ULL;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE, &f, 0x48, 0x89, 0x03), X86_EMUL_OK);
	memcpy(&v, vm.ram + 0x5ffc, 4);
	assert_int_equal(v & 0xffffffffULL, 0x55667788ULL);
	assert_int_equal(get_mmio(0) & 0xffffffffULL, 0x11223344ULL);
	assert_int_equal(vm.nlog, 1);
	assert_int_equal(vm.log[0].size, 4);
	/* mov (%rbx),%rcx at 0x601ffd: 3 MMIO bytes (1 + 2), 5 RAM bytes */
	vm.mmio[0xffd] = 0xa1;
	vm.mmio[0xffe] = 0xa2;
	vm.mmio[0xfff] = 0xa3;
	memcpy(vm.ram + 0x6000, "\xb1\xb2\xb3\xb4\xb5", 5);
	vm.reg[X86_REG_RBX] = 0x601ffd;
	vm.nlog = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0xffd, &f, 0x48, 0x8b, 0x0b), X86_EMUL_OK);
	assert_int_equal(vm.reg[X86_REG_RCX], 0xb5b4b3b2b1a3a2a1ULL);
	assert_int_equal(vm.nlog, 2);
	assert_int_equal(vm.log[0].size, 1);
	assert_int_equal(vm.log[1].size, 2);
	/* lock incl across MMIO -> RAM: read and write both sides */
	vm.reg[X86_REG_RBX] = 0x601ffe;
	vm.mmio[0xffe] = 0xff;
	vm.mmio[0xfff] = 0xff;
	memcpy(vm.ram + 0x6000, "\x00\x00", 2);
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0xffe, &f, 0xf0, 0xff, 0x03), X86_EMUL_OK);
	assert_int_equal(vm.mmio[0xffe], 0);
	assert_int_equal(vm.mmio[0xfff], 0);
	assert_int_equal(vm.ram[0x6000], 1);
	/* read-only second page: the RMW faults before any access */
	fake_map4k(&vm, 0x602000, 0x6000, 0x1);
	vm.nlog = 0;
	assert_int_equal(RUN(X86_MODE_64, FAKE_MMIO_BASE + 0xffe, &f, 0xf0, 0xff, 0x03),
			 X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.error_code, X86_PF_P | X86_PF_W);
	assert_int_equal(vm.nlog, 0);
}

/* x86_emul_virt (INS/OUTS to MMIO): a dword at the end of the MMIO page
 * into unmapped memory faults; inside the page it is one access. */
static void test_virt_mmio(void **state)
{
	struct x86_emul em;
	struct x86_fault f;
	u64 v = 0x11223344;

	(void)state;
	setup64();
	em = fake_emul(&vm);
	fake_map4k(&vm, 0x601000, FAKE_MMIO_BASE, 0x3);
	assert_int_equal(x86_emul_virt(&em, 0x601010, 4, true, &v, &f), X86_EMUL_OK);
	assert_int_equal(get_mmio(0x10) & 0xffffffffULL, 0x11223344ULL);
	assert_int_equal(vm.nlog, 1);
	assert_int_equal(x86_emul_virt(&em, 0x601ffe, 4, true, &v, &f), X86_EMUL_GUEST_FAULT);
	assert_int_equal(f.vector, X86_EXC_PF);
	assert_int_equal(f.cr2, 0x602000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mov_store),
		cmocka_unit_test(test_mov_load),
		cmocka_unit_test(test_movzx_movsx),
		cmocka_unit_test(test_alu_flags_oracle),
		cmocka_unit_test(test_alu_mmio),
		cmocka_unit_test(test_xchg),
		cmocka_unit_test(test_unary_mmio),
		cmocka_unit_test(test_rmw_forms),
		cmocka_unit_test(test_cond_oracle),
		cmocka_unit_test(test_page_cross),
		cmocka_unit_test(test_virt_mmio),
		cmocka_unit_test(test_addressing),
		cmocka_unit_test(test_unhandled_and_errors),
		cmocka_unit_test(test_rep_stos),
		cmocka_unit_test(test_movs),
		cmocka_unit_test(test_string_paged),
		cmocka_unit_test(test_fetch),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	fake_free(&vm);
	return r;
}
