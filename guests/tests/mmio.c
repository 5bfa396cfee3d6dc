/* The MMIO instruction emulator, form by form, after Jailhouse's
 * inmates/tests/x86/mmio-access.c: every case runs one instruction (fixed
 * encoding, noted beside it) once on a RAM buffer and once on the test
 * device's scratch page at 0xD0000000, from identical memory, registers and
 * RFLAGS. The RAM run on the real CPU is the oracle: resulting registers,
 * RFLAGS (minus flags the SDM leaves undefined) and memory must agree, and
 * the device's access counter (0xD0001000) must show that the MMIO run
 * really exited. Needs `testdev testexit` (guests/README.md). */
#include "guest.h"

const char guest_name[] = "mmio";

#define OFF       0x100U        /* operand address within the page (MMIO_OPERAND) */
#define WIN_LO    (OFF - 16)    /* compared window [WIN_LO, WIN_HI) */
#define WIN_HI    (OFF + 64)
#define AUX_OFF   0x40U         /* RAM operand of MOVS within aux_buf */
#define F_STATUS  0x8d5ULL      /* CF PF AF ZF SF OF */
#define F_AF      0x10ULL
#define F_DF      0x400ULL

struct st { u64 rax, rcx, rdx, rsi, rdi, r8, flags; };
typedef void case_fn(struct st *s, u64 m, u64 aux);

struct mmio_case {
	const char *name;
	case_fn *ram, *mmio;
	u64 undef;              /* RFLAGS bits undefined after the instruction */
	u64 flags_or;           /* forced into the initial RFLAGS (DF) */
};

static u8 ram_page[4096] __attribute__((aligned(4096)));
static u8 aux_buf[256] __attribute__((aligned(64)));
/* "ram-only" on the command line: a second RAM page stands in for the device
 * (checks the harness itself, bare under QEMU; moffs cases still use MMIO) */
static u8 stand_in_page[4096] __attribute__((aligned(4096)));
static bool ram_only;
static u64 target;

/* The instruction runs with RBX = operand address (RAM or MMIO), R9 = aux
 * buffer, the other registers from struct st. PRE sets up registers (may
 * touch flags), then RFLAGS is loaded, INSN runs, RFLAGS is saved, POST
 * normalizes pointer registers to offsets (may touch flags). */
#define CASE_BODY(pre, insn, post, ...) \
	{ \
		register u64 r8 asm("r8") = s->r8; \
		register u64 r9 asm("r9") = aux; \
		u64 fl = s->flags; \
		asm volatile(pre "\n\tpushq %[fl]\n\tpopfq\n\t" insn \
			     "\n\tpushfq\n\tpopq %[fl]\n\t" post \
			     : "+a"(s->rax), "+c"(s->rcx), "+d"(s->rdx), "+S"(s->rsi), \
			       "+D"(s->rdi), "+r"(r8), "+r"(r9), [fl] "+r"(fl) \
			     : "b"(m) __VA_ARGS__ : "memory", "cc"); \
		s->r8 = r8; \
		s->flags = fl; \
	}

#define DEF_CASE(name, pre, insn, post, undef, flags_or) \
	static void name(struct st *s, u64 m, u64 aux) CASE_BODY(pre, insn, post)
#define TAB_CASE(name, pre, insn, post, undef, flags_or) \
	{ #name, name, name, undef, flags_or },

/* MOV moffs: the address is part of the instruction, so one function per
 * target. %c[a] prints the 64-bit absolute address. */
#define MMIO_OPERAND "0xd0000100"     /* MMIO_SCRATCH + OFF */
#define DEF_MOFFS(name, before, after) \
	static void name##_ram(struct st *s, u64 m, u64 aux) \
		CASE_BODY("", before "%c[a]" after, "", , [a] "i"(&ram_page[OFF])) \
	static void name##_mmio(struct st *s, u64 m, u64 aux) \
		CASE_BODY("", before MMIO_OPERAND after, "")
#define TAB_MOFFS(name, before, after) { #name, name##_ram, name##_mmio, 0, 0 },

#define NONE ""
/* pointer set-up for the string instructions */
#define STOS_PRE        "mov %%rbx, %%rdi"
#define STOS_POST       "sub %%rbx, %%rdi"
#define TO_MMIO_PRE     "mov %%r9, %%rsi\n\tmov %%rbx, %%rdi"
#define TO_MMIO_POST    "sub %%r9, %%rsi\n\tsub %%rbx, %%rdi"
#define FROM_MMIO_PRE   "mov %%rbx, %%rsi\n\tmov %%r9, %%rdi"
#define FROM_MMIO_POST  "sub %%rbx, %%rsi\n\tsub %%r9, %%rdi"

/* ALU with a memory operand, register forms: op r/m,reg and op reg,r/m.
 * Opcodes: ADD 00-03, OR 08-0B, AND 20-23, SUB 28-2B, XOR 30-33, CMP 38-3B
 * (+0 r/m8,r8; +1 r/m16/32/64,r; +2 r8,r/m8; +3 r,r/m). */
#define ALU_REG(X, op, undef) \
	X(op##_m8_al,   NONE, #op " %%al, (%%rbx)",  NONE, undef, 0) /* x0 03 */ \
	X(op##_m16_si,  NONE, #op " %%si, (%%rbx)",  NONE, undef, 0) /* 66 x1 33 */ \
	X(op##_m32_ecx, NONE, #op " %%ecx, (%%rbx)", NONE, undef, 0) /* x1 0B */ \
	X(op##_m64_rdx, NONE, #op " %%rdx, (%%rbx)", NONE, undef, 0) /* 48 x1 13 */ \
	X(op##_cl_m8,   NONE, #op " (%%rbx), %%cl",  NONE, undef, 0) /* x2 0B */ \
	X(op##_dx_m16,  NONE, #op " 2(%%rbx), %%dx", NONE, undef, 0) /* 66 x3 53 02 */ \
	X(op##_eax_m32, NONE, #op " (%%rbx), %%eax", NONE, undef, 0) /* x3 03 */ \
	X(op##_rdi_m64, NONE, #op " (%%rbx), %%rdi", NONE, undef, 0) /* 48 x3 3B */

/* ALU immediate forms: 80 /n ib, 66 81 /n iw, 81 /n id, 48 81 /n id
 * (sign-extended), 83 /n ib (sign-extended) in 32 and 64 bits. */
#define ALU_IMM(X, op, undef) \
	X(op##b_imm8,    NONE, #op "b $0x81, (%%rbx)",        NONE, undef, 0) /* 80 /n ib */ \
	X(op##w_imm16,   NONE, #op "w $0x8001, 2(%%rbx)",     NONE, undef, 0) /* 66 81 /n iw */ \
	X(op##l_imm32,   NONE, #op "l $0x80000001, (%%rbx)",  NONE, undef, 0) /* 81 /n id */ \
	X(op##q_imm32,   NONE, #op "q $-0x7ffffff0, (%%rbx)", NONE, undef, 0) /* 48 81 /n id */ \
	X(op##l_simm8,   NONE, #op "l $-3, 4(%%rbx)",         NONE, undef, 0) /* 83 /n ib */ \
	X(op##q_simm8,   NONE, #op "q $0x7f, (%%rbx)",        NONE, undef, 0) /* 48 83 /n ib */

#define CASES(X) \
	/* MOV r/m, reg (88, 89) */ \
	X(mov_m8_al,      NONE, "mov %%al, (%%rbx)",         NONE, 0, 0) /* 88 03 */ \
	X(mov_m8_ah,      NONE, "mov %%ah, (%%rbx)",         NONE, 0, 0) /* 88 23 */ \
	X(mov_m8_r8b,     NONE, "mov %%r8b, 1(%%rbx)",       NONE, 0, 0) /* 44 88 43 01 */ \
	X(mov_m16_cx,     NONE, "mov %%cx, (%%rbx)",         NONE, 0, 0) /* 66 89 0B */ \
	X(mov_m32_edx,    NONE, "mov %%edx, (%%rbx)",        NONE, 0, 0) /* 89 13 */ \
	X(mov_m64_rsi,    NONE, "mov %%rsi, (%%rbx)",        NONE, 0, 0) /* 48 89 33 */ \
	X(mov_m64_r8,     NONE, "mov %%r8, 8(%%rbx)",        NONE, 0, 0) /* 4C 89 43 08 */ \
	X(mov_m32_sib,    "mov $-2, %%rcx", "mov %%eax, 0x10(%%rbx,%%rcx,4)", NONE, 0, 0) /* 89 44 8B 10 */ \
	X(mov_m32_disp32, NONE, ".byte 0x89, 0x83; .long 0x20", NONE, 0, 0) /* 89 83 20000000: mov %eax,0x20(%rbx) */ \
	X(mov_m64_unal,   NONE, "mov %%rax, 0x13(%%rbx)",    NONE, 0, 0) /* 48 89 43 13 */ \
	/* MOV reg, r/m (8A, 8B) */ \
	X(mov_cl_m8,      NONE, "mov (%%rbx), %%cl",         NONE, 0, 0) /* 8A 0B */ \
	X(mov_dh_m8,      NONE, "mov (%%rbx), %%dh",         NONE, 0, 0) /* 8A 33 */ \
	X(mov_r8b_m8,     NONE, "mov 3(%%rbx), %%r8b",       NONE, 0, 0) /* 44 8A 43 03 */ \
	X(mov_si_m16,     NONE, "mov (%%rbx), %%si",         NONE, 0, 0) /* 66 8B 33 */ \
	X(mov_edi_m32,    NONE, "mov (%%rbx), %%edi",        NONE, 0, 0) /* 8B 3B */ \
	X(mov_rax_m64,    NONE, "mov (%%rbx), %%rax",        NONE, 0, 0) /* 48 8B 03 */ \
	X(mov_r8_m64,     NONE, "mov -8(%%rbx), %%r8",       NONE, 0, 0) /* 4C 8B 43 F8 */ \
	X(mov_ecx_unal,   NONE, "mov 5(%%rbx), %%ecx",       NONE, 0, 0) /* 8B 4B 05 */ \
	X(mov_rdx_unal,   NONE, "mov 3(%%rbx), %%rdx",       NONE, 0, 0) /* 48 8B 53 03 */ \
	/* MOV r/m, imm (C6, C7) */ \
	X(movb_imm,       NONE, "movb $0x5a, (%%rbx)",       NONE, 0, 0) /* C6 03 5A */ \
	X(movb_imm_disp,  NONE, "movb $0xa5, 7(%%rbx)",      NONE, 0, 0) /* C6 43 07 A5 */ \
	X(movw_imm,       NONE, "movw $0x8123, (%%rbx)",     NONE, 0, 0) /* 66 C7 03 23 81 */ \
	X(movl_imm,       NONE, "movl $0x89abcdef, (%%rbx)", NONE, 0, 0) /* C7 03 EF CD AB 89 */ \
	X(movq_imm_neg,   NONE, "movq $-2, (%%rbx)",         NONE, 0, 0) /* 48 C7 03 FEFFFFFF */ \
	X(movq_imm_pos,   NONE, "movq $0x7edcba98, 8(%%rbx)", NONE, 0, 0) /* 48 C7 43 08 98BADC7E */ \
	X(movq_imm_sext,  NONE, "movq $-0x76543211, 16(%%rbx)", NONE, 0, 0) /* 48 C7 43 10 EFCDAB89 */ \
	/* MOVZX (0F B6, 0F B7), MOVSX (0F BE, 0F BF), MOVSXD (63) */ \
	X(movzbl,         NONE, "movzbl (%%rbx), %%ecx",     NONE, 0, 0) /* 0F B6 0B */ \
	X(movzbw,         NONE, "movzbw (%%rbx), %%cx",      NONE, 0, 0) /* 66 0F B6 0B */ \
	X(movzbq,         NONE, "movzbq 1(%%rbx), %%rdx",    NONE, 0, 0) /* 48 0F B6 53 01 */ \
	X(movzwl,         NONE, "movzwl (%%rbx), %%esi",     NONE, 0, 0) /* 0F B7 33 */ \
	X(movzwq,         NONE, "movzwq 2(%%rbx), %%rdi",    NONE, 0, 0) /* 48 0F B7 7B 02 */ \
	X(movsbl,         NONE, "movsbl (%%rbx), %%ecx",     NONE, 0, 0) /* 0F BE 0B */ \
	X(movsbw,         NONE, "movsbw (%%rbx), %%cx",      NONE, 0, 0) /* 66 0F BE 0B */ \
	X(movsbq,         NONE, "movsbq 1(%%rbx), %%rdx",    NONE, 0, 0) /* 48 0F BE 53 01 */ \
	X(movswl,         NONE, "movswl (%%rbx), %%esi",     NONE, 0, 0) /* 0F BF 33 */ \
	X(movswq,         NONE, "movswq 2(%%rbx), %%rdi",    NONE, 0, 0) /* 48 0F BF 7B 02 */ \
	X(movslq,         NONE, "movslq (%%rbx), %%rax",     NONE, 0, 0) /* 48 63 03 */ \
	X(movslq_r8,      NONE, "movslq 4(%%rbx), %%r8",     NONE, 0, 0) /* 4C 63 43 04 */ \
	X(movsxd_32,      NONE, ".byte 0x63, 0x03",          NONE, 0, 0) /* 63 03: movsxd (%rbx),%eax, no REX.W */ \
	/* STOS (AA, AB), with and without REP (F3) */ \
	X(stosb,          STOS_PRE, "stosb",                 STOS_POST, 0, 0) /* AA */ \
	X(stosw,          STOS_PRE, "stosw",                 STOS_POST, 0, 0) /* 66 AB */ \
	X(stosl,          STOS_PRE, "stosl",                 STOS_POST, 0, 0) /* AB */ \
	X(stosq,          STOS_PRE, "stosq",                 STOS_POST, 0, 0) /* 48 AB */ \
	X(rep_stosb,      STOS_PRE "\n\tmov $7, %%ecx", "rep stosb", STOS_POST, 0, 0) /* F3 AA */ \
	X(rep_stosq,      STOS_PRE "\n\tmov $5, %%ecx", "rep stosq", STOS_POST, 0, 0) /* F3 48 AB */ \
	/* MOVS (A4, A5) RAM -> MMIO */ \
	X(movsb_to,       TO_MMIO_PRE, "movsb",              TO_MMIO_POST, 0, 0) /* A4 */ \
	X(movsw_to,       TO_MMIO_PRE, "movsw",              TO_MMIO_POST, 0, 0) /* 66 A5 */ \
	X(movsl_to,       TO_MMIO_PRE, "movsl",              TO_MMIO_POST, 0, 0) /* A5 */ \
	X(movsq_to,       TO_MMIO_PRE, "movsq",              TO_MMIO_POST, 0, 0) /* 48 A5 */ \
	X(rep_movsb_to,   TO_MMIO_PRE "\n\tmov $13, %%ecx", "rep movsb", TO_MMIO_POST, 0, 0) /* F3 A4 */ \
	X(rep_movsl_to,   TO_MMIO_PRE "\n\tmov $3, %%ecx",  "rep movsl", TO_MMIO_POST, 0, 0) /* F3 A5 */ \
	X(rep_movsq_to,   TO_MMIO_PRE "\n\tmov $5, %%ecx",  "rep movsq", TO_MMIO_POST, 0, 0) /* F3 48 A5 */ \
	X(rep_movsq_to_df, "lea 24(%%r9), %%rsi\n\tlea 24(%%rbx), %%rdi\n\tmov $4, %%ecx", \
	  "rep movsq", "cld\n\t" TO_MMIO_POST, 0, F_DF) /* F3 48 A5, DF=1 */ \
	/* MOVS MMIO -> RAM */ \
	X(movsb_from,     FROM_MMIO_PRE, "movsb",            FROM_MMIO_POST, 0, 0) /* A4 */ \
	X(movsw_from,     FROM_MMIO_PRE, "movsw",            FROM_MMIO_POST, 0, 0) /* 66 A5 */ \
	X(movsl_from,     FROM_MMIO_PRE, "movsl",            FROM_MMIO_POST, 0, 0) /* A5 */ \
	X(movsq_from,     FROM_MMIO_PRE, "movsq",            FROM_MMIO_POST, 0, 0) /* 48 A5 */ \
	X(rep_movsb_from, FROM_MMIO_PRE "\n\tmov $11, %%ecx", "rep movsb", FROM_MMIO_POST, 0, 0) /* F3 A4 */ \
	X(rep_movsq_from, FROM_MMIO_PRE "\n\tmov $4, %%ecx",  "rep movsq", FROM_MMIO_POST, 0, 0) /* F3 48 A5 */ \
	X(rep_movsb_from_df, "lea 8(%%rbx), %%rsi\n\tlea 8(%%r9), %%rdi\n\tmov $9, %%ecx", \
	  "rep movsb", "cld\n\t" FROM_MMIO_POST, 0, F_DF) /* F3 A4, DF=1 */ \
	/* ALU */ \
	ALU_REG(X, add, 0) ALU_REG(X, or, F_AF) ALU_REG(X, and, F_AF) \
	ALU_REG(X, sub, 0) ALU_REG(X, xor, F_AF) ALU_REG(X, cmp, 0) \
	ALU_IMM(X, add, 0) ALU_IMM(X, or, F_AF) ALU_IMM(X, and, F_AF) \
	ALU_IMM(X, sub, 0) ALU_IMM(X, xor, F_AF) ALU_IMM(X, cmp, 0) \
	/* TEST (84, 85, F6 /0, F7 /0): AF undefined */ \
	X(test_m8_al,     NONE, "test %%al, (%%rbx)",        NONE, F_AF, 0) /* 84 03 */ \
	X(test_m16_si,    NONE, "test %%si, (%%rbx)",        NONE, F_AF, 0) /* 66 85 33 */ \
	X(test_m32_ecx,   NONE, "test %%ecx, (%%rbx)",       NONE, F_AF, 0) /* 85 0B */ \
	X(test_m64_rdx,   NONE, "test %%rdx, (%%rbx)",       NONE, F_AF, 0) /* 48 85 13 */ \
	X(testb_imm,      NONE, "testb $0x81, (%%rbx)",      NONE, F_AF, 0) /* F6 03 81 */ \
	X(testw_imm,      NONE, "testw $0x8001, (%%rbx)",    NONE, F_AF, 0) /* 66 F7 03 0180 */ \
	X(testl_imm,      NONE, "testl $0x80000001, (%%rbx)", NONE, F_AF, 0) /* F7 03 01000080 */ \
	X(testq_imm,      NONE, "testq $-2, (%%rbx)",        NONE, F_AF, 0) /* 48 F7 03 FEFFFFFF */ \
	/* XCHG (86, 87) */ \
	X(xchg_m8_al,     NONE, "xchg %%al, (%%rbx)",        NONE, 0, 0) /* 86 03 */ \
	X(xchg_m16_cx,    NONE, "xchg %%cx, (%%rbx)",        NONE, 0, 0) /* 66 87 0B */ \
	X(xchg_m32_edx,   NONE, "xchg %%edx, (%%rbx)",       NONE, 0, 0) /* 87 13 */ \
	X(xchg_m64_rsi,   NONE, "xchg %%rsi, (%%rbx)",       NONE, 0, 0) /* 48 87 33 */ \
	X(xchg_m64_r8,    NONE, "xchg (%%rbx), %%r8",        NONE, 0, 0) /* 4C 87 03 */

/* MOV moffs (A0-A3) with a 64-bit address */
#define MOFFS_CASES(Y) \
	Y(movabs_al_moffs,  "movabs ", ", %%al")  /* A0 moffs64 */ \
	Y(movabs_ax_moffs,  "movabs ", ", %%ax")  /* 66 A1 moffs64 */ \
	Y(movabs_eax_moffs, "movabs ", ", %%eax") /* A1 moffs64 */ \
	Y(movabs_rax_moffs, "movabs ", ", %%rax") /* 48 A1 moffs64 */ \
	Y(movabs_moffs_al,  "movabs %%al, ", "")  /* A2 moffs64 */ \
	Y(movabs_moffs_ax,  "movabs %%ax, ", "")  /* 66 A3 moffs64 */ \
	Y(movabs_moffs_eax, "movabs %%eax, ", "") /* A3 moffs64 */ \
	Y(movabs_moffs_rax, "movabs %%rax, ", "") /* 48 A3 moffs64 */

CASES(DEF_CASE)
MOFFS_CASES(DEF_MOFFS)

static const struct mmio_case cases[] = {
	CASES(TAB_CASE)
	MOFFS_CASES(TAB_MOFFS)
};

/* ---- data sets: memory words and registers ---- */
#define NR_SETS 4
static u64 mem_word(unsigned set, unsigned i)
{
	switch (set) {
	case 0: return 0x8badf00d13579bdfULL ^ (i * 0x0101010101010101ULL);
	case 1: return ~0ULL;
	case 2: return 0x7fffffff7fff7f7fULL;
	default: return 0;
	}
}

static const struct st reg_sets[NR_SETS] = {
	{ 0x0123456789abcdefULL, 0xfedcba9876543210ULL, 0x8000000080008080ULL,
	  0x5555aaaa5555aaaaULL, 0x00000000ffffffffULL, 0x7f7f7f7f80808080ULL, 0 },
	{ 1, ~0ULL, 0x8000000000000000ULL, 0, 1, 0xffffffffULL, 0 },
	{ 0x7fffffffffffffffULL, 0x0000000000000001ULL, 0x7f7f7f7f7f7f7f7fULL,
	  0x8000800080008000ULL, 0x0000000100000001ULL, 0x7fffffff7fff7f7fULL, 0 },
	{ 0, 0, 0, 0, 0, 0, 0 },
};
static const u64 flag_sets[2] = { 0x2, 0x2 | F_STATUS };

static u64 counter_baseline;
static unsigned mismatches, mismatch_lines;

static u64 counter(void)
{
	return mmio_read64(MMIO_COUNTER);
}

/* fill [WIN_LO, WIN_HI) of a target with 8-byte stores, aux_buf likewise */
static void fill(u64 base, unsigned set)
{
	for (unsigned o = WIN_LO, i = 0; o < WIN_HI; o += 8, i++)
		mmio_write64(base + o, mem_word(set, i));
	for (unsigned o = 0, i = 0; o < sizeof(aux_buf); o += 8, i++)
		*(volatile u64 *)(aux_buf + o) = ~mem_word(set, i + 3) ^ 0x0f0f0f0f0f0f0f0fULL;
}

static void snapshot(u64 base, u64 *win, u64 *aux)
{
	for (unsigned o = WIN_LO, i = 0; o < WIN_HI; o += 8, i++)
		win[i] = mmio_read64(base + o);
	for (unsigned o = 0, i = 0; o < sizeof(aux_buf); o += 8, i++)
		aux[i] = *(volatile u64 *)(aux_buf + o);
}

static void mismatch(const struct mmio_case *c, unsigned set, u64 fl, const char *what,
		     u64 ram, u64 mmio)
{
	mismatches++;
	if (mismatch_lines++ < 60)
		printf("mmio: MISMATCH %s set %u flags 0x%lx: %s ram 0x%lx mmio 0x%lx\n",
		       c->name, set, fl, what, ram, mmio);
}

#define NWIN ((WIN_HI - WIN_LO) / 8)
#define NAUX (sizeof(aux_buf) / 8)

static void run_case(const struct mmio_case *c, unsigned set, u64 fl)
{
	struct st sr = reg_sets[set], sm = reg_sets[set];
	u64 win_r[NWIN], win_m[NWIN], aux_r[NAUX], aux_m[NAUX];
	u64 aux = (u64)(uintptr_t)(aux_buf + AUX_OFF);
	sr.flags = sm.flags = fl | c->flags_or;

	fill((u64)(uintptr_t)ram_page, set);
	c->ram(&sr, (u64)(uintptr_t)ram_page + OFF, aux);
	snapshot((u64)(uintptr_t)ram_page, win_r, aux_r);

	fill(target, set);
	u64 c0 = ram_only ? 0 : counter();
	c->mmio(&sm, target + OFF, aux);
	u64 c1 = ram_only ? 1 : counter();
	snapshot(target, win_m, aux_m);

	unsigned before = mismatches;
	if (c1 - c0 <= counter_baseline)
		mismatch(c, set, fl, "device access count", counter_baseline + 1, c1 - c0);
#define CMP(f) if (sr.f != sm.f) mismatch(c, set, fl, #f, sr.f, sm.f)
	CMP(rax); CMP(rcx); CMP(rdx); CMP(rsi); CMP(rdi); CMP(r8);
#undef CMP
	if ((sr.flags & ~c->undef) != (sm.flags & ~c->undef))
		mismatch(c, set, fl, "rflags", sr.flags, sm.flags);
	for (unsigned i = 0; i < NWIN; i++)
		if (win_r[i] != win_m[i])
			mismatch(c, set, fl, "memory word", win_r[i], win_m[i]);
	for (unsigned i = 0; i < NAUX; i++)
		if (aux_r[i] != aux_m[i])
			mismatch(c, set, fl, "aux RAM word", aux_r[i], aux_m[i]);
	if (mismatches == before)
		test_pass();
	else
		test_fail();
}

/* plain accesses of each size before the instruction cases */
static void test_basics(void)
{
	/* initial content zero (checked before anything is written) */
	unsigned nonzero = 0;
	for (u64 o = 0; o < 4096; o += 8)
		nonzero += mmio_read64(MMIO_SCRATCH + o) != 0;
	EXPECT_EQ(nonzero, 0);

	u64 c0 = counter(), c1 = counter();
	counter_baseline = c1 - c0;
	printf("mmio: counter 0x%lx, a counter read adds %lu\n", c0, counter_baseline);
	EXPECT_TRUE(counter_baseline <= 1);

	c0 = counter();
	mmio_write64(MMIO_SCRATCH + 8, 0x0807060504030201ULL);
	c1 = counter();
	EXPECT_EQ(c1 - c0 - counter_baseline, 1);
	EXPECT_EQ(mmio_read8(MMIO_SCRATCH + 8), 0x01);
	EXPECT_EQ(mmio_read8(MMIO_SCRATCH + 15), 0x08);
	EXPECT_EQ(mmio_read16(MMIO_SCRATCH + 10), 0x0403);
	EXPECT_EQ(mmio_read32(MMIO_SCRATCH + 12), 0x08070605);
	mmio_write8(MMIO_SCRATCH + 9, 0xee);
	mmio_write16(MMIO_SCRATCH + 12, 0xddcc);
	mmio_write32(MMIO_SCRATCH + 16, 0xaabbccdd);
	EXPECT_EQ(mmio_read64(MMIO_SCRATCH + 8), 0x0807ddcc0403ee01ULL);
	EXPECT_EQ(mmio_read64(MMIO_SCRATCH + 16), 0xaabbccddULL);
	/* last bytes of the page */
	mmio_write64(MMIO_SCRATCH + 4088, 0x1122334455667788ULL);
	EXPECT_EQ(mmio_read64(MMIO_SCRATCH + 4088), 0x1122334455667788ULL);
	EXPECT_EQ(mmio_read8(MMIO_SCRATCH + 4095), 0x11);
}

void guest_main(void)
{
	const unsigned nr = sizeof(cases) / sizeof(cases[0]);
	ram_only = cmdline_has("ram-only");
	target = ram_only ? (u64)(uintptr_t)stand_in_page : MMIO_SCRATCH;
	if (ram_only)
		printf("mmio: ram-only: checking the harness, not the device\n");
	else
		test_basics();
	u64 c_start = ram_only ? 0 : counter(), t0 = rdtsc();
	for (unsigned i = 0; i < nr; i++)
		for (unsigned set = 0; set < NR_SETS; set++)
			for (unsigned f = 0; f < 2; f++)
				run_case(&cases[i], set, flag_sets[f]);
	u64 t1 = rdtsc(), c_end = ram_only ? 0 : counter();
	printf("mmio: %u instruction forms x %u runs, %u mismatches, %lu device accesses, %lu TSC ticks\n",
	       nr, NR_SETS * 2, mismatches, c_end - c_start, t1 - t0);
}
