/* Guest page-table walker tests: each paging mode with hand-built tables,
 * expected addresses and #PF error codes (SDM vol 3 4.7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/x86/guest_walk.h>
#include "test_insn_fakevm.h"

#define P  0x1ULL
#define RW 0x2ULL
#define US 0x4ULL
#define PS 0x80ULL
#define XD (1ULL << 63)

static struct fakevm vm;
static struct x86_walker w;

static void put32(u64 gpa, u32 v)
{
	memcpy(vm.ram + gpa, &v, 4);
}

static void reset(u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	fake_init(&vm, X86_MODE_32);
	memset(&w, 0, sizeof(w));
	w.read = fake_gpa_read;
	w.ctx = &vm;
	w.cr0 = cr0;
	w.cr3 = cr3;
	w.cr4 = cr4;
	w.efer = efer;
	w.maxphyaddr = 40;
}

/* Expects a successful translation. */
static void ok(u64 gva, u32 access, u64 want)
{
	u64 gpa = 0;
	u32 ec = 0xdead;
	enum x86_walk_result r = x86_walk_gva(&w, gva, access, &gpa, &ec);

	if (r != X86_WALK_OK || gpa != want)
		fail_msg("gva %#llx access %#x: result %d gpa %#llx ec %#x, want gpa %#llx",
			 (unsigned long long)gva, access, r, (unsigned long long)gpa, ec,
			 (unsigned long long)want);
}

/* Expects a #PF with error code want_ec. */
static void pf(u64 gva, u32 access, u32 want_ec)
{
	u64 gpa = 0;
	u32 ec = 0xdead;
	enum x86_walk_result r = x86_walk_gva(&w, gva, access, &gpa, &ec);

	if (r != X86_WALK_PAGE_FAULT || ec != want_ec)
		fail_msg("gva %#llx access %#x: result %d ec %#x, want #PF ec %#x",
			 (unsigned long long)gva, access, r, ec, want_ec);
}

static void test_paging_off(void **state)
{
	(void)state;
	reset(X86_CR0_PE, 0, 0, 0);
	ok(0x12345678, 0, 0x12345678);
	ok(0x12345678, X86_WALK_WRITE | X86_WALK_USER | X86_WALK_FETCH, 0x12345678);
	ok(0x100000000ULL + 5, 0, 5); /* linear addresses are 32-bit */
	reset(0, 0, X86_CR4_PAE, 0); /* real mode */
	ok(0xffff0, X86_WALK_FETCH, 0xffff0);
}

/* 32-bit paging (CR4.PAE = 0): PD at CR3, 4-byte entries. */
static void test_32bit(void **state)
{
	(void)state;
	reset(X86_CR0_PE | X86_CR0_PG, 0x10000, 0, 0);
	put32(0x10000 + 1 * 4, 0x11000 | P | RW | US);     /* PDE[1] -> PT */
	put32(0x11000 + 0x23 * 4, 0x55000 | P | RW | US);  /* PTE[0x23] */
	put32(0x11000 + 0x24 * 4, 0x56000 | P | US);       /* read-only */
	put32(0x11000 + 0x25 * 4, 0x57000 | P | RW);       /* supervisor */
	put32(0x10000 + 2 * 4, 0x00400000 | PS | P | RW);  /* 4 MiB page */
	put32(0x10000 + 3 * 4, 0x00400000 | (0x3 << 13) | PS | P); /* PSE-36 */
	put32(0x10000 + 4 * 4, 0x00400000 | (1 << 21) | PS | P);   /* bit 21 rsvd */
	put32(0x10000 + 5 * 4, 0x12000 | P | RW);          /* supervisor PDE */
	put32(0x12000 + 0, 0x58000 | P | RW | US);

	ok(0x00423abc, 0, 0x55abc);
	ok(0x00423abc, X86_WALK_WRITE | X86_WALK_USER, 0x55abc);
	ok(0x100423abcULL, 0, 0x55abc); /* upper bits dropped */
	/* not present PTE / PDE */
	pf(0x00426000, 0, 0);
	pf(0x00426000, X86_WALK_WRITE | X86_WALK_USER, X86_PF_W | X86_PF_U);
	pf(0x00c00000 + 0x3000000, X86_WALK_WRITE, X86_PF_W);
	/* rights */
	pf(0x00424000, X86_WALK_WRITE | X86_WALK_USER, X86_PF_P | X86_PF_W | X86_PF_U);
	ok(0x00424000, X86_WALK_WRITE, 0x56000); /* CR0.WP = 0: allowed */
	w.cr0 |= X86_CR0_WP;
	pf(0x00424000, X86_WALK_WRITE, X86_PF_P | X86_PF_W);
	pf(0x00425000, X86_WALK_USER, X86_PF_P | X86_PF_U);
	pf(0x01400000, X86_WALK_USER, X86_PF_P | X86_PF_U); /* U=0 in the PDE */
	/* no I/D bit without SMEP in 32-bit paging, even with NXE */
	w.efer = X86_EFER_NXE;
	pf(0x00426000, X86_WALK_FETCH, 0);
	w.cr4 |= X86_CR4_SMEP;
	pf(0x00426000, X86_WALK_FETCH, X86_PF_I);
	/* SMEP: supervisor fetch from a user page */
	pf(0x00423000, X86_WALK_FETCH, X86_PF_P | X86_PF_I);
	w.cr4 = 0;
	/* PS without CR4.PSE is ignored: the PDE points at a "PT" at 4 MiB,
	 * outside guest RAM */
	u64 gpa;
	u32 ec;
	assert_int_equal(x86_walk_gva(&w, 0x00812345, 0, &gpa, &ec), X86_WALK_BAD_GPA);
	w.cr4 = X86_CR4_PSE;
	ok(0x00812345, X86_WALK_WRITE, 0x412345);
	ok(0x00c12345, 0, 0x300412345ULL); /* PSE-36: PDE[20:13] = PA[39:32] */
	w.maxphyaddr = 33; /* only PA[32] available: bit 14 is reserved */
	pf(0x00c12345, 0, X86_PF_P | X86_PF_RSVD);
	w.maxphyaddr = 40;
	pf(0x01012345, 0, X86_PF_P | X86_PF_RSVD);
}

/* PAE: 4-entry PDPT at CR3[31:5], 8-byte entries, NX. */
static void test_pae(void **state)
{
	const u64 va = (1ULL << 30) | (3ULL << 21) | (4ULL << 12) | 0x123;

	(void)state;
	reset(X86_CR0_PE | X86_CR0_PG | X86_CR0_WP, 0x20020, X86_CR4_PAE, X86_EFER_NXE);
	fake_put64(&vm, 0x20020 + 1 * 8, 0x21000 | P);          /* PDPTE[1] */
	fake_put64(&vm, 0x21000 + 3 * 8, 0x22000 | P | RW | US); /* PDE[3] */
	fake_put64(&vm, 0x22000 + 4 * 8, 0x66000 | P | RW | US); /* PTE[4] */
	fake_put64(&vm, 0x22000 + 5 * 8, 0x67000 | P | RW | XD); /* NX */
	fake_put64(&vm, 0x22000 + 6 * 8, 0x68000 | P | (1ULL << 45)); /* > MAXPHYADDR */
	fake_put64(&vm, 0x21000 + 5 * 8, 0x200000 | PS | P | RW); /* 2 MiB */
	fake_put64(&vm, 0x21000 + 6 * 8, 0x200000 | (1 << 13) | PS | P); /* rsvd */
	fake_put64(&vm, 0x20020 + 2 * 8, 0x23000 | P | RW);       /* RW is rsvd */

	ok(va, X86_WALK_WRITE | X86_WALK_USER, 0x66123);
	ok(va + 0x100000000ULL, 0, 0x66123); /* 32-bit linear address */
	ok((1ULL << 30) | (5ULL << 21) | 0x12345, 0, 0x212345);
	ok(va + 0x1000, 0, 0x67123);
	pf(va + 0x1000, X86_WALK_FETCH, X86_PF_P | X86_PF_I);
	pf(va + 0x1000, X86_WALK_USER, X86_PF_P | X86_PF_U);
	pf(va + 0x2000, 0, X86_PF_P | X86_PF_RSVD);
	pf((1ULL << 30) | (6ULL << 21), 0, X86_PF_P | X86_PF_RSVD);
	pf(2ULL << 30, 0, X86_PF_P | X86_PF_RSVD);
	pf(3ULL << 30, X86_WALK_FETCH, X86_PF_I); /* PDPTE not present */
	pf(va + 0x3000, X86_WALK_WRITE, X86_PF_W);  /* PTE not present */
	/* Without NXE, bit 63 is reserved. */
	w.efer = 0;
	pf(va + 0x1000, 0, X86_PF_P | X86_PF_RSVD);
	pf(3ULL << 30, X86_WALK_FETCH, 0); /* no I/D without NXE/SMEP */
}

/* 4-level paging, including 1 GiB and 2 MiB pages. */
static void test_4level(void **state)
{
	u64 gpa;
	u32 ec;

	(void)state;
	reset(X86_CR0_PE | X86_CR0_PG | X86_CR0_WP, 0, X86_CR4_PAE,
	      X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE);
	u64 pml4 = fake_alloc_table(&vm), pdpt = fake_alloc_table(&vm);
	u64 pd = fake_alloc_table(&vm), pt = fake_alloc_table(&vm);
	w.cr3 = pml4 | 0x18; /* PWT/PCD bits are not part of the address */
	fake_put64(&vm, pml4 + 256 * 8, pdpt | P | RW);       /* 0xffff8000_00000000 */
	fake_put64(&vm, pdpt + 0 * 8, pd | P | RW);
	fake_put64(&vm, pd + 0 * 8, pt | P | RW);
	fake_put64(&vm, pt + 5 * 8, 0x77000 | P | RW | (1ULL << 55)); /* 62:52 ignored */
	fake_put64(&vm, pd + 1 * 8, 0x600000 | PS | P);        /* 2 MiB, read-only */
	fake_put64(&vm, pdpt + 1 * 8, 0x80000000ULL | PS | P | RW | XD); /* 1 GiB */
	fake_put64(&vm, pdpt + 2 * 8, 0x80000000ULL | (1 << 20) | PS | P); /* rsvd */
	fake_put64(&vm, pml4 + 257 * 8, pdpt | PS | P);        /* PS in PML4E */
	fake_put64(&vm, pml4 + 1 * 8, pdpt | P | RW | US);     /* user half */
	fake_put64(&vm, pml4 + 2 * 8, 0x7ff000 | P | RW | US); /* table outside RAM */
	const u64 k = 0xffff800000000000ULL;

	ok(k + 0x5abc, X86_WALK_WRITE, 0x77abc);
	ok(k + 0x200000 + 0x12345, 0, 0x612345);
	pf(k + 0x200000, X86_WALK_WRITE, X86_PF_P | X86_PF_W);
	ok(k + 0x40000000ULL + 0x1234567, X86_WALK_WRITE, 0x81234567ULL);
	pf(k + 0x40000000ULL, X86_WALK_FETCH, X86_PF_P | X86_PF_I);
	pf(k + 0x80000000ULL, 0, X86_PF_P | X86_PF_RSVD);
	pf(0xffff808000000000ULL, 0, X86_PF_P | X86_PF_RSVD);
	pf(k + 0x6000, 0, 0);
	pf(k, X86_WALK_USER, X86_PF_U); /* PTE[0] not present */
	pf(k + 0x5000, X86_WALK_USER, X86_PF_P | X86_PF_U); /* supervisor */
	/* U must be set at every level: PML4E[1] has it, the rest not */
	pf(0x0000008000005000ULL, X86_WALK_USER, X86_PF_P | X86_PF_U);
	ok(0x0000008000005000ULL, 0, 0x77000); /* supervisor read: fine */
	/* SMAP: supervisor data access to a user page, unless RFLAGS.AC */
	fake_put64(&vm, pt + 6 * 8, 0x78000 | P | RW | US);
	fake_put64(&vm, pdpt + 3 * 8, pd | P | RW | US);
	fake_put64(&vm, pd + 2 * 8, pt | P | RW | US);
	const u64 u = 0x0000008000000000ULL + 3 * 0x40000000ULL + 2 * 0x200000ULL + 0x6000;
	ok(u, X86_WALK_USER | X86_WALK_WRITE, 0x78000);
	w.cr4 |= X86_CR4_SMAP | X86_CR4_SMEP;
	pf(u, 0, X86_PF_P);
	pf(u, X86_WALK_FETCH, X86_PF_P | X86_PF_I);
	w.rflags = X86_RFLAGS_AC;
	ok(u, X86_WALK_WRITE, 0x78000);
	/* a table outside guest RAM stops the walk */
	assert_int_equal(x86_walk_gva(&w, 0x10000000000ULL, 0, &gpa, &ec), X86_WALK_BAD_GPA);
	/* non-canonical */
	assert_int_equal(x86_walk_gva(&w, 0x0000800000000000ULL, 0, &gpa, &ec),
			 X86_WALK_NONCANONICAL);
	assert_int_equal(x86_walk_gva(&w, 0xfff0800000000000ULL, 0, &gpa, &ec),
			 X86_WALK_NONCANONICAL);
	/* entries above MAXPHYADDR */
	fake_put64(&vm, pt + 7 * 8, (1ULL << 40) | 0x79000 | P);
	pf(k + 0x7000, 0, X86_PF_P | X86_PF_RSVD);
	w.maxphyaddr = 52;
	ok(k + 0x7000, 0, (1ULL << 40) | 0x79000);
}

/* A self-referencing PML4 entry (recursive mapping) ends after 4 levels. */
static void test_recursive_bounded(void **state)
{
	(void)state;
	reset(X86_CR0_PE | X86_CR0_PG, 0, X86_CR4_PAE, X86_EFER_LMA);
	u64 pml4 = fake_alloc_table(&vm);
	w.cr3 = pml4;
	fake_put64(&vm, pml4, pml4 | P | RW);
	ok(0x123, 0, pml4 | 0x123);
}

static void test_5level(void **state)
{
	u64 gpa;
	u32 ec;

	(void)state;
	reset(X86_CR0_PE | X86_CR0_PG, 0, X86_CR4_PAE | X86_CR4_LA57,
	      X86_EFER_LMA | X86_EFER_NXE);
	u64 t[5];
	for (int i = 0; i < 5; i++)
		t[i] = fake_alloc_table(&vm);
	w.cr3 = t[0];
	/* va = 0x01fe_0000_0000_0000 | ... uses PML5 index 3 */
	const u64 va = (3ULL << 48) | (2ULL << 39) | (1ULL << 30) | (4ULL << 21) | (9ULL << 12) | 0x42;
	fake_put64(&vm, t[0] + 3 * 8, t[1] | P | RW);
	fake_put64(&vm, t[1] + 2 * 8, t[2] | P | RW);
	fake_put64(&vm, t[2] + 1 * 8, t[3] | P | RW);
	fake_put64(&vm, t[3] + 4 * 8, t[4] | P | RW);
	fake_put64(&vm, t[4] + 9 * 8, 0x99000 | P | RW);
	ok(va, X86_WALK_WRITE, 0x99042);
	fake_put64(&vm, t[0] + 4 * 8, t[1] | PS | P); /* PS in PML5E: reserved */
	pf(4ULL << 48, 0, X86_PF_P | X86_PF_RSVD);
	/* 57-bit canonical: bit 56 sign-extends */
	assert_int_equal(x86_walk_gva(&w, 0x0100000000000000ULL, 0, &gpa, &ec),
			 X86_WALK_NONCANONICAL);
	pf(0xff00000000000000ULL, 0, 0);
	/* without LA57 the same address is non-canonical */
	w.cr4 &= ~X86_CR4_LA57;
	assert_int_equal(x86_walk_gva(&w, va, 0, &gpa, &ec), X86_WALK_NONCANONICAL);
}

static void test_fetch_insn(void **state)
{
	struct x86_fetch f;
	u32 ec;

	(void)state;
	reset(X86_CR0_PE | X86_CR0_PG, 0, X86_CR4_PAE, X86_EFER_LMA | X86_EFER_NXE);
	w.cr3 = fake_alloc_table(&vm);
	vm.reg[X86_REG_CR3] = w.cr3;
	vm.reg[X86_REG_CR4] = X86_CR4_PAE;
	fake_map4k(&vm, 0x400000, 0x8000, P);
	for (int i = 0; i < 16; i++)
		vm.ram[0x8ff0 + i] = (u8)i;
	/* 15 bytes within one page */
	assert_int_equal(x86_walk_fetch_insn(&w, 0x400ff0, false, &f, &ec), X86_WALK_OK);
	assert_int_equal(f.len, 15);
	assert_false(f.tail_fault);
	assert_int_equal(f.bytes[14], 14);
	/* crossing into an unmapped page: partial fetch + tail fault */
	assert_int_equal(x86_walk_fetch_insn(&w, 0x400ffa, false, &f, &ec), X86_WALK_OK);
	assert_int_equal(f.len, 6);
	assert_int_equal(f.bytes[0], 10);
	assert_true(f.tail_fault);
	assert_int_equal(f.tail_addr, 0x401000);
	assert_int_equal(f.tail_pf_error, X86_PF_I);
	/* first page not user-accessible: the fault is for the first page */
	assert_int_equal(x86_walk_fetch_insn(&w, 0x400ffa, true, &f, &ec),
			 X86_WALK_PAGE_FAULT);
	assert_int_equal(ec, X86_PF_P | X86_PF_U | X86_PF_I);
	fake_map4k(&vm, 0x401000, 0x3000, P | US);
	vm.ram[0x3000] = 0xaa;
	assert_int_equal(x86_walk_fetch_insn(&w, 0x400ffa, false, &f, &ec), X86_WALK_OK);
	assert_int_equal(f.len, 15);
	assert_int_equal(f.bytes[5], 0x0f);
	assert_int_equal(f.bytes[6], 0xaa);
	assert_false(f.tail_fault);
	fake_map4k(&vm, 0x402000, 0x4000, P | XD);
	assert_int_equal(x86_walk_fetch_insn(&w, 0x402000, false, &f, &ec),
			 X86_WALK_PAGE_FAULT);
	assert_int_equal(ec, X86_PF_P | X86_PF_I);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paging_off),
		cmocka_unit_test(test_32bit),
		cmocka_unit_test(test_pae),
		cmocka_unit_test(test_4level),
		cmocka_unit_test(test_recursive_bounded),
		cmocka_unit_test(test_5level),
		cmocka_unit_test(test_fetch_insn),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	fake_free(&vm);
	return r;
}
