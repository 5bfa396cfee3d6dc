/* libFuzzer target: decode arbitrary bytes, then fetch, walk and emulate
 * them against a fake guest whose registers, control state and RAM (hence
 * page tables) come from the input. Checks invariants, not outputs:
 * lengths within bounds, decoding stable and prefix-closed, the emulator
 * touching state only on success, MMIO only at the faulting page, every
 * page walk bounded.
 *
 * Input: 28-byte header (see struct hdr), then the instruction bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bulkhead/x86/insn.h>
#include <bulkhead/x86/insn_emul.h>

#define RAM_SIZE 0x10000ULL
#define MMIO_BASE 0xfee00000ULL

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

struct hdr {
	u8 mode;  /* bits 0-1 mode, 2 paging, 3 LA57, 4 DF, 5 CF, 6 WP, 7 SMAP/SMEP */
	u8 cpl;   /* bits 0-1 CPL, 2 NXE, 3 PAE (32-bit), 4 PSE, 5 AC */
	u8 gpa_lo;
	u8 gpa_hi;
	u8 sel[16];
	u8 seed[8];
};

struct fuzzvm {
	u64 reg[X86_REG_COUNT];
	struct x86_segment seg[X86_SEG_COUNT];
	u8 ram[RAM_SIZE];
	u64 fault_page; /* MMIO accesses must stay in this page (non-string) */
	bool strict_page;
	unsigned reads; /* gpa_read calls during one walk */
};

static u64 splitmix(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u64 f_read_reg(void *ctx, enum x86_reg reg)
{
	CHECK((unsigned)reg < X86_REG_COUNT);
	return ((struct fuzzvm *)ctx)->reg[reg];
}

static void f_write_reg(void *ctx, enum x86_reg reg, u64 val)
{
	CHECK((unsigned)reg <= X86_REG_RFLAGS);
	((struct fuzzvm *)ctx)->reg[reg] = val;
}

static void f_read_seg(void *ctx, enum x86_seg seg, struct x86_segment *out)
{
	CHECK((unsigned)seg < X86_SEG_COUNT);
	*out = ((struct fuzzvm *)ctx)->seg[seg];
}

static bool is_mmio(u64 gpa, u64 len)
{
	return gpa >= MMIO_BASE && len <= 4096 && gpa - MMIO_BASE <= 4096 - len;
}

static enum x86_access_result f_mmio(struct fuzzvm *vm, u64 gpa, u32 size)
{
	CHECK(size == 1 || size == 2 || size == 4 || size == 8);
	if (vm->strict_page) {
		CHECK((gpa & ~0xfffULL) == vm->fault_page);
		CHECK((gpa & 0xfffULL) + size <= 4096);
	}
	return (gpa & 0x30) == 0x30 ? X86_ACCESS_ERROR : X86_ACCESS_OK;
}

static enum x86_access_result f_mmio_read(void *ctx, u64 gpa, u32 size, u64 *val)
{
	*val = gpa * 0x0101010101010101ULL;
	return f_mmio(ctx, gpa, size);
}

static enum x86_access_result f_mmio_write(void *ctx, u64 gpa, u32 size, u64 val)
{
	(void)val;
	return f_mmio(ctx, gpa, size);
}

static enum x86_access_result f_gpa_read(void *ctx, u64 gpa, void *buf, size_t len)
{
	struct fuzzvm *vm = ctx;

	vm->reads++;
	CHECK(len <= 15);
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return is_mmio(gpa, len) ? X86_ACCESS_UNMAPPED : X86_ACCESS_ERROR;
	memcpy(buf, vm->ram + gpa, len);
	return X86_ACCESS_OK;
}

static enum x86_access_result f_gpa_write(void *ctx, u64 gpa, const void *buf, size_t len)
{
	struct fuzzvm *vm = ctx;

	CHECK(len <= 8);
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return is_mmio(gpa, len) ? X86_ACCESS_UNMAPPED : X86_ACCESS_ERROR;
	memcpy(vm->ram + gpa, buf, len);
	return X86_ACCESS_OK;
}

static const struct x86_emul_ops ops = {
	.read_reg = f_read_reg,
	.write_reg = f_write_reg,
	.read_seg = f_read_seg,
	.mmio_read = f_mmio_read,
	.mmio_write = f_mmio_write,
	.gpa_read = f_gpa_read,
	.gpa_write = f_gpa_write,
};

static struct fuzzvm vm;

static u64 pick(u8 sel, u64 *seed)
{
	switch (sel & 3) {
	case 0: return sel >> 2;
	case 1: return MMIO_BASE + (u64)(sel >> 2) * 8;
	case 2: return (u64)sel << 8;
	default: return splitmix(seed);
	}
}

static void setup(const struct hdr *h, enum x86_mode mode)
{
	u64 seed;

	memcpy(&seed, h->seed, 8);
	memset(vm.reg, 0, sizeof(vm.reg));
	memset(vm.seg, 0, sizeof(vm.seg));
	for (int i = 0; i < 16; i++)
		vm.reg[i] = pick(h->sel[i], &seed);
	vm.reg[X86_REG_RIP] = pick(h->sel[0] ^ h->sel[1], &seed);
	vm.reg[X86_REG_RFLAGS] = 0x2 | ((h->mode & 0x10) ? X86_RFLAGS_DF : 0) |
				 ((h->mode & 0x20) ? X86_RFLAGS_CF : 0) |
				 ((h->cpl & 0x20) ? X86_RFLAGS_AC : 0);
	vm.reg[X86_REG_CPL] = h->cpl & 3;
	vm.reg[X86_REG_CR3] = splitmix(&seed) & 0xffffULL;
	vm.reg[X86_REG_CR0] = X86_CR0_PE | ((h->mode & 0x40) ? X86_CR0_WP : 0);
	if (h->mode & 0x4)
		vm.reg[X86_REG_CR0] |= X86_CR0_PG;
	if (h->mode & 0x80)
		vm.reg[X86_REG_CR4] |= X86_CR4_SMAP | X86_CR4_SMEP;
	if (h->cpl & 0x10)
		vm.reg[X86_REG_CR4] |= X86_CR4_PSE;
	if (h->cpl & 0x4)
		vm.reg[X86_REG_EFER] |= X86_EFER_NXE;
	for (int i = 0; i < X86_SEG_COUNT; i++)
		vm.seg[i].base = (h->sel[i] & 1) ? splitmix(&seed) & 0xffffffffULL : 0;
	if (mode == X86_MODE_64) {
		vm.reg[X86_REG_CR0] |= X86_CR0_PG;
		vm.reg[X86_REG_CR4] |= X86_CR4_PAE | ((h->mode & 0x8) ? X86_CR4_LA57 : 0);
		vm.reg[X86_REG_EFER] |= X86_EFER_LME | X86_EFER_LMA;
		vm.seg[X86_SEG_CS].l = true;
	} else {
		if (h->cpl & 0x8)
			vm.reg[X86_REG_CR4] |= X86_CR4_PAE;
		vm.seg[X86_SEG_CS].db = mode == X86_MODE_32;
	}
}

static void check_decode(const u8 *b, size_t n, enum x86_mode mode)
{
	struct x86_insn a, c;
	enum x86_decode_result r = x86_insn_decode(b, n, mode, &a);
	int len = x86_insn_length(b, n, mode, X86_OP_ANY);

	CHECK(r <= X86_DECODE_BAD_LOCK);
	CHECK(r != X86_DECODE_TRUNCATED || n < X86_INSN_MAX_LEN);
	CHECK(r != X86_DECODE_TOO_LONG || n >= X86_INSN_MAX_LEN);
	if (r != X86_DECODE_OK) {
		CHECK(len == -(int)r);
		return;
	}
	CHECK(a.len >= 1 && a.len <= X86_INSN_MAX_LEN && a.len <= n);
	CHECK(len == a.len);
	CHECK(a.op > X86_OP_NONE && a.op < X86_OP_COUNT);
	/* the same bytes, cut at the length: same instruction */
	CHECK(x86_insn_decode(b, a.len, mode, &c) == X86_DECODE_OK);
	CHECK(memcmp(&a, &c, sizeof(a)) == 0);
	/* one byte less: truncated */
	CHECK(x86_insn_decode(b, a.len - 1U, mode, &c) == X86_DECODE_TRUNCATED);
}

static void check_emulate(const struct hdr *h, const u8 *b, size_t n, enum x86_mode mode)
{
	struct x86_emul em = { .ops = &ops, .ctx = &vm, .maxphyaddr = (u8)(h->seed[0] % 60) };
	struct x86_insn insn;
	struct x86_fault f;
	u64 before[X86_REG_COUNT], gpa;
	enum x86_emul_result r;

	if (x86_insn_decode(b, n, mode, &insn) != X86_DECODE_OK)
		return;
	setup(h, mode);
	memcpy(before, vm.reg, sizeof(before));
	gpa = MMIO_BASE | ((u64)h->gpa_hi << 8 | h->gpa_lo) % 4096;
	vm.fault_page = MMIO_BASE;
	vm.strict_page = insn.op != X86_OP_MOVS && insn.op != X86_OP_STOS;
	r = x86_emul_mmio(&em, &insn, gpa, &f);
	CHECK(r <= X86_EMUL_RETRY);
	if (r != X86_EMUL_OK) {
		CHECK(memcmp(before, vm.reg, sizeof(before)) == 0);
		if (r == X86_EMUL_GUEST_FAULT)
			CHECK(f.vector == X86_EXC_PF || f.vector == X86_EXC_GP ||
			      f.vector == X86_EXC_SS);
		return;
	}
	u64 ipmask = mode == X86_MODE_64 ? ~0ULL : mode == X86_MODE_32 ? 0xffffffffULL : 0xffffULL;
	bool rep_more = x86_insn_is_rep(&insn) && vm.reg[X86_REG_RIP] == before[X86_REG_RIP];
	if (!rep_more)
		CHECK(vm.reg[X86_REG_RIP] == ((before[X86_REG_RIP] + insn.len) & ipmask));
	/* only RFLAGS' arithmetic bits may change */
	CHECK((vm.reg[X86_REG_RFLAGS] & ~X86_RFLAGS_ARITH) ==
	      (before[X86_REG_RFLAGS] & ~X86_RFLAGS_ARITH));
	for (int i = X86_REG_CR0; i < X86_REG_COUNT; i++)
		CHECK(vm.reg[i] == before[i]);
}

static void check_fetch_walk(const struct hdr *h, enum x86_mode mode)
{
	struct x86_emul em = { .ops = &ops, .ctx = &vm, .maxphyaddr = (u8)(h->seed[1] % 60) };
	struct x86_insn insn;
	struct x86_fault f;
	struct x86_walker w = { .read = f_gpa_read, .ctx = &vm };
	u64 gpa;
	u32 ec;

	setup(h, mode);
	vm.strict_page = false;
	enum x86_emul_result r = x86_emul_fetch(&em, &insn, &f);
	CHECK(r <= X86_EMUL_RETRY);
	if (r == X86_EMUL_OK)
		CHECK(insn.len >= 1 && insn.len <= X86_INSN_MAX_LEN);
	if (r == X86_EMUL_GUEST_FAULT)
		CHECK(f.vector == X86_EXC_PF || f.vector == X86_EXC_GP || f.vector == X86_EXC_UD);

	/* raw walks: at most 5 table reads each (PAE: PDPTE + 2) */
	w.cr0 = vm.reg[X86_REG_CR0];
	w.cr3 = vm.reg[X86_REG_CR3];
	w.cr4 = vm.reg[X86_REG_CR4];
	w.efer = vm.reg[X86_REG_EFER];
	w.rflags = vm.reg[X86_REG_RFLAGS];
	w.maxphyaddr = h->seed[2];
	for (int i = 0; i < 4; i++) {
		u64 gva = vm.reg[i];
		vm.reads = 0;
		enum x86_walk_result wr = x86_walk_gva(&w, gva, (u32)(h->sel[i] & 0x16), &gpa, &ec);
		CHECK(vm.reads <= 5);
		CHECK(wr <= X86_WALK_BAD_GPA);
		if (wr == X86_WALK_PAGE_FAULT)
			CHECK((ec & ~0x1fU) == 0);
		if (wr == X86_WALK_OK && !(w.cr0 & X86_CR0_PG))
			CHECK(gpa == (gva & 0xffffffffULL));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdr h;
	const u8 *b;
	size_t n;
	enum x86_mode mode;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	b = data + sizeof(h);
	n = size - sizeof(h);
	mode = (h.mode & 3) == 3 ? X86_MODE_64 : (enum x86_mode)(h.mode & 3);

	/* decoding an exact-size heap copy: ASan catches any over-read */
	u8 *copy = malloc(n ? n : 1);
	memcpy(copy, b, n);
	check_decode(copy, n, mode);

	/* guest RAM: the input repeated, so page tables and code are fuzzed */
	for (size_t i = 0; i < RAM_SIZE; i++)
		vm.ram[i] = data[i % size];
	check_emulate(&h, copy, n, mode);
	free(copy);
	check_fetch_walk(&h, mode);
	return 0;
}
