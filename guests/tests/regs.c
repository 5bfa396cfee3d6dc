/* Register isolation: two VMs on one CPU (tests/system/test_vm_regs.sh),
 * each with its own pattern (seed=N), check that the registers VMRUN does
 * not switch stay theirs across scheduler slices: x87 ST0-7 (read also as
 * MMX mm0-7), FCW, MXCSR, XMM0-15, the YMM upper halves, XCR0, DR0-DR3.
 *
 * 1. A fresh vCPU's state is the reset state (FCW 0x37F, MXCSR 0x1F80,
 *    registers zero, XCR0 1, DR0-3 0).
 * 2. XSETBV and CPUID: #UD with CR4.OSXSAVE clear, #GP(0) for the values
 *    the SDM refuses, CPUID.1:ECX.OSXSAVE follows CR4.OSXSAVE, leaf 0xD
 *    sizes follow XCR0; PKU is not offered. (XSETBV at CPL 3 is left to
 *    tests/unit/test_xcr0.c: this runtime has no ring 3.)
 * 3. Phase 1, XCR0 = 7: the pattern is loaded with XRSTOR and DR moves,
 *    then checked (XSAVE and direct reads, an AVX load) again and again
 *    until the TSC has jumped (another VM ran) slices=N times.
 * 4. Phase 2, XCR0 = xcr0=X (7 or 3): the same checks with that XCR0; an
 *    AVX instruction must work with 7 and raise #UD with 3.
 * 5. With `reset`: the first start loads the pattern and resets the VM
 *    (port 0xCF9, with a mark in CMOS RAM, which a reset keeps); the second
 *    start must find the reset state again.
 * Command line: seed=N (1 or 2: FCW and MXCSR differ), xcr0=7|3, reset,
 * slices=N (default 12; 0: no phases), gap=TICKS (default 1000000),
 * deadline=TICKS (default 4000000000). */
#include "guest.h"

const char guest_name[] = "regs";

#define UD_VECTOR 6
#define GP_VECTOR 13
#define CR0_MP (1ULL << 1)
#define CR0_EM (1ULL << 2)
#define CR0_TS (1ULL << 3)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_OSXSAVE (1ULL << 18)
#define XCR0_X87 1ULL
#define XCR0_SSE 2ULL
#define XCR0_YMM 4ULL
#define XCR0_PKRU (1ULL << 9)
#define XSAVE_BUF 4096
#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define CMOS_MARK_REG 0x40      /* a byte of CMOS RAM: survives a reset */
#define CMOS_MARK 0xa5
#define RESET_CONTROL 0xcf9
#define RCR_RESET 0x06          /* system reset, CPU reset */

/* XSAVE area offsets (SDM vol. 1 13.4.1, table 10-2 for the legacy part) */
#define OFF_FCW 0
#define OFF_FSW 2
#define OFF_FTW 4
#define OFF_MXCSR 24
#define OFF_ST(i) (32 + 16 * (i))
#define OFF_XMM(i) (160 + 16 * (i))
#define OFF_XSTATE_BV 512

static u8 image[XSAVE_BUF] __attribute__((aligned(64)));  /* the pattern */
static u8 saved[XSAVE_BUF] __attribute__((aligned(64)));  /* what XSAVE finds */
static u64 seed, dr_pat[4];
static u32 ymm_off;             /* CPUID 0xD.2 EBX */
static unsigned reported;       /* mismatches printed so far */

static u64 pat(unsigned i)
{
	u64 x = seed * 0x9e3779b97f4a7c15ULL + (i + 1) * 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 29);
}

static u16 fcw_pat(void) { return (u16)(0x037f & ~0xc00) | (u16)((seed & 3) << 10); }
static u32 mxcsr_pat(void) { return 0x1f80U | (u32)((seed & 3) << 13); }

static u64 read_cr0(void) { u64 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static u64 read_cr4(void) { u64 v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static void write_cr0(u64 v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

static u64 xgetbv0(void)
{
	u32 lo, hi;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((u64)hi << 32) | lo;
}

/* -1 if XSETBV went through, else the exception vector */
static int xsetbv_safe(u32 index, u64 v)
{
	exc_clear();
	TRY_ASM("xsetbv", : : "c"(index), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
	return last_exc.count ? (int)last_exc.vector : -1;
}

static int xgetbv_safe(u64 *v)
{
	u32 lo = 0, hi = 0;
	exc_clear();
	TRY_ASM("xgetbv", : "+a"(lo), "+d"(hi) : "c"(0) : "memory");
	*v = ((u64)hi << 32) | lo;
	return last_exc.count ? (int)last_exc.vector : -1;
}

static u64 read_dr(unsigned i)
{
	u64 v = 0;
	switch (i) {
	case 0: asm volatile("mov %%dr0, %0" : "=r"(v)); break;
	case 1: asm volatile("mov %%dr1, %0" : "=r"(v)); break;
	case 2: asm volatile("mov %%dr2, %0" : "=r"(v)); break;
	case 3: asm volatile("mov %%dr3, %0" : "=r"(v)); break;
	}
	return v;
}

static void write_dr(unsigned i, u64 v)
{
	switch (i) {
	case 0: asm volatile("mov %0, %%dr0" : : "r"(v)); break;
	case 1: asm volatile("mov %0, %%dr1" : : "r"(v)); break;
	case 2: asm volatile("mov %0, %%dr2" : : "r"(v)); break;
	case 3: asm volatile("mov %0, %%dr3" : : "r"(v)); break;
	}
}

static u64 read_mm(unsigned i)
{
	u64 v = 0;
	switch (i) {
	case 0: asm volatile("movq %%mm0, %0" : "=r"(v)); break;
	case 1: asm volatile("movq %%mm1, %0" : "=r"(v)); break;
	case 2: asm volatile("movq %%mm2, %0" : "=r"(v)); break;
	case 3: asm volatile("movq %%mm3, %0" : "=r"(v)); break;
	case 4: asm volatile("movq %%mm4, %0" : "=r"(v)); break;
	case 5: asm volatile("movq %%mm5, %0" : "=r"(v)); break;
	case 6: asm volatile("movq %%mm6, %0" : "=r"(v)); break;
	case 7: asm volatile("movq %%mm7, %0" : "=r"(v)); break;
	}
	return v;
}

static const u8 xmm_direct[] = { 0, 7, 15 }; /* read with MOVQ as well */

static u64 read_xmm_lo(unsigned i)
{
	u64 v = 0;
	switch (i) {
	case 0: asm volatile("movq %%xmm0, %0" : "=r"(v)); break;
	case 7: asm volatile("movq %%xmm7, %0" : "=r"(v)); break;
	case 15: asm volatile("movq %%xmm15, %0" : "=r"(v)); break;
	}
	return v;
}

static u16 fnstcw(void) { u16 v; asm volatile("fnstcw %0" : "=m"(v)); return v; }
static u16 fnstsw(void) { u16 v; asm volatile("fnstsw %0" : "=m"(v)); return v; }
static u32 stmxcsr(void) { u32 v; asm volatile("stmxcsr %0" : "=m"(v)); return v; }

static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }
static u64 get64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }

/* The pattern as an XSAVE image (standard format) and DR values. */
static void build_pattern(void)
{
	u16 fcw = fcw_pat();
	u32 mxcsr = mxcsr_pat();
	u64 bv = XCR0_X87 | XCR0_SSE | XCR0_YMM;

	memset(image, 0, sizeof(image));
	memcpy(image + OFF_FCW, &fcw, 2);
	image[OFF_FTW] = 0xff;                  /* abridged tag: all eight in use */
	memcpy(image + OFF_MXCSR, &mxcsr, 4);
	for (unsigned i = 0; i < 8; i++) {      /* 80-bit: mantissa, sign+exponent */
		u16 se = (u16)(0x4000 + (seed << 4) + i);
		put64(image + OFF_ST(i), pat(i) | (1ULL << 63));
		memcpy(image + OFF_ST(i) + 8, &se, 2);
	}
	for (unsigned i = 0; i < 16; i++) {
		put64(image + OFF_XMM(i), pat(16 + 2 * i));
		put64(image + OFF_XMM(i) + 8, pat(17 + 2 * i));
		put64(image + ymm_off + 16 * i, pat(48 + 2 * i));
		put64(image + ymm_off + 16 * i + 8, pat(49 + 2 * i));
	}
	memcpy(image + OFF_XSTATE_BV, &bv, 8);
	for (unsigned i = 0; i < 4; i++)
		dr_pat[i] = 0x00007f0000000000ULL | (seed << 32) | ((u64)i << 12) | 0x100;
}

static void load_pattern(void)
{
	asm volatile("xrstor64 %0" : : "m"(*image), "a"(7), "d"(0) : "memory");
	for (unsigned i = 0; i < 4; i++)
		write_dr(i, dr_pat[i]);
}

static bool same(const char *what, unsigned i, u64 got, u64 want)
{
	if (got == want)
		return true;
	if (reported++ < 12)
		printf("regs: %s %u is 0x%lx, want 0x%lx\n", what, i, got, want);
	return false;
}

/* Everything still the pattern? xcr0 is what this phase set. */
static bool check_all(u64 xcr0)
{
	bool ok = true;

	memset(saved, 0, sizeof(saved));
	asm volatile("xsave64 %0" : "=m"(*saved) : "a"(7), "d"(0) : "memory");
	ok &= same("FCW", 0, get64(saved + OFF_FCW) & 0xffff, fcw_pat());
	ok &= same("FSW", 0, get64(saved + OFF_FSW) & 0xffff, 0);
	ok &= same("FTW", 0, saved[OFF_FTW], 0xff);
	ok &= same("MXCSR", 0, get64(saved + OFF_MXCSR) & 0xffffffff, mxcsr_pat());
	for (unsigned i = 0; i < 8; i++) {
		ok &= same("ST mantissa", i, get64(saved + OFF_ST(i)), get64(image + OFF_ST(i)));
		ok &= same("ST exponent", i, get64(saved + OFF_ST(i) + 8) & 0xffff,
			   get64(image + OFF_ST(i) + 8) & 0xffff);
	}
	for (unsigned i = 0; i < 16; i++)
		for (unsigned h = 0; h < 16; h += 8)
			ok &= same("XMM", i, get64(saved + OFF_XMM(i) + h),
				   get64(image + OFF_XMM(i) + h));
	if (xcr0 & XCR0_YMM) {
		for (unsigned i = 0; i < 16; i++)
			for (unsigned h = 0; h < 16; h += 8)
				ok &= same("YMM upper", i, get64(saved + ymm_off + 16 * i + h),
					   get64(image + ymm_off + 16 * i + h));
	}
	/* direct reads besides XSAVE's view */
	ok &= same("fnstcw", 0, fnstcw(), fcw_pat());
	ok &= same("stmxcsr", 0, stmxcsr(), mxcsr_pat());
	for (unsigned i = 0; i < 8; i++)
		ok &= same("MM", i, read_mm(i), get64(image + OFF_ST(i)));
	for (unsigned k = 0; k < sizeof(xmm_direct); k++)
		ok &= same("XMM low", xmm_direct[k], read_xmm_lo(xmm_direct[k]),
			   get64(image + OFF_XMM(xmm_direct[k])));
	for (unsigned i = 0; i < 4; i++)
		ok &= same("DR", i, read_dr(i), dr_pat[i]);
	ok &= same("XCR0", 0, xgetbv0(), xcr0);

	/* AVX: works with XCR0.YMM, #UD without (SDM vol. 1 14.3) */
	u8 y[32] __attribute__((aligned(32)));
	memset(y, 0, sizeof(y));
	exc_clear();
	TRY_ASM("vmovdqu %%ymm5, %0", : "=m"(y) : : "memory");
	if (xcr0 & XCR0_YMM) {
		ok &= same("AVX load raised exception", 0, last_exc.count ? last_exc.vector : 0xff,
			   0xff);
		ok &= same("YMM5 bits 0-63", 0, get64(y), get64(image + OFF_XMM(5)));
		ok &= same("YMM5 bits 192-255", 0, get64(y + 24), get64(image + ymm_off + 16 * 5 + 8));
	} else {
		ok &= same("AVX without XCR0.YMM, vector", 0, last_exc.count ? last_exc.vector : 0xff,
			   UD_VECTOR);
	}
	return ok;
}

/* Checks until the TSC has jumped `want` times: another VM ran each time. */
static void run_phase(unsigned phase, u64 xcr0, unsigned want, u64 gap, u64 deadline)
{
	u64 prev = rdtsc(), now, checks = 0, bad = 0;
	unsigned gaps = 0;

	while (gaps < want) {
		now = rdtsc();
		if (now - prev > gap)
			gaps++;
		prev = now;
		if (now > deadline) {
			printf("regs: phase %u: deadline passed after %u of %u slices\n", phase,
			       gaps, want);
			test_fail();
			return;
		}
		if (!check_all(xcr0))
			bad++;
		checks++;
	}
	printf("regs: phase %u (xcr0 0x%lx): %lu checks over %u slices of the other VM, %lu bad\n",
	       phase, xcr0, checks, gaps, bad);
	EXPECT_EQ(bad, 0);
}

static void check_reset_state(void)
{
	EXPECT_EQ(fnstcw(), 0x37f);
	EXPECT_EQ(fnstsw(), 0);
	EXPECT_EQ(stmxcsr(), 0x1f80);
	for (unsigned k = 0; k < sizeof(xmm_direct); k++)
		EXPECT_EQ(read_xmm_lo(xmm_direct[k]), 0);
	for (unsigned i = 0; i < 8; i++)
		EXPECT_EQ(read_mm(i), 0);
	for (unsigned i = 0; i < 4; i++)
		EXPECT_EQ(read_dr(i), 0);
}

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void cmos_write(u8 reg, u8 v)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, v);
}

/* Leaves every register of the pattern dirty and resets the VM. */
static void load_and_reset(void)
{
	write_cr4(read_cr4() | CR4_OSXSAVE);
	if (xsetbv_safe(0, 7) != -1)
		test_fail();
	build_pattern();
	load_pattern();
	EXPECT_TRUE(check_all(7));
	cmos_write(CMOS_MARK_REG, CMOS_MARK);
	printf("regs: pattern loaded, resetting the VM\n");
	outb(RESET_CONTROL, RCR_RESET);
	for (u64 t = rdtsc(); rdtsc() - t < 100000000ULL;)
		cpu_relax();
	printf("regs: the reset did not happen\n");
	test_fail();
}

static bool cpuid_osxsave(void)
{
	return (cpuid(1, 0).ecx >> 27) & 1;
}

static void check_xsetbv(void)
{
	u64 v;

	/* CR4.OSXSAVE clear: XSETBV and XGETBV #UD; CPUID says so */
	write_cr4(read_cr4() & ~CR4_OSXSAVE);
	EXPECT_EQ(cpuid_osxsave(), 0);
	EXPECT_EQ(xsetbv_safe(0, XCR0_X87 | XCR0_SSE), UD_VECTOR);
	EXPECT_EQ(xgetbv_safe(&v), UD_VECTOR);

	write_cr4(read_cr4() | CR4_OSXSAVE);
	EXPECT_EQ(cpuid_osxsave(), 1);
	EXPECT_EQ(xgetbv_safe(&v), -1);
	EXPECT_EQ(v, XCR0_X87);                 /* reset value */

	/* what is offered: x87, SSE, AVX, not PKRU; PKU hidden, OSPKE = CR4.PKE = 0 */
	struct cpuid_regs d = cpuid(0xd, 0), l7 = cpuid(7, 0);
	EXPECT_EQ(d.eax & (XCR0_X87 | XCR0_SSE | XCR0_YMM | XCR0_PKRU), 7);
	EXPECT_EQ(d.ebx, 576);                  /* legacy area + header for XCR0 = 1 */
	/* ECX: the standard-format area for everything offered, the YMM upper
	 * halves and, where the CPU has AVX-512, its three components, which
	 * come all or none (guests/README.md, SDM vol. 1 13.3) */
	u32 want_ecx = ymm_off + 256;
	EXPECT_TRUE((d.eax & 0xe0) == 0 || (d.eax & 0xe0) == 0xe0);
	for (unsigned i = 5; i <= 7; i++) {
		struct cpuid_regs c = cpuid(0xd, i);
		if ((d.eax & (1U << i)) && c.ebx + c.eax > want_ecx)
			want_ecx = c.ebx + c.eax;
	}
	EXPECT_EQ(d.ecx, want_ecx);
	EXPECT_EQ((l7.ecx >> 3) & 3, 0);        /* PKU, OSPKE */

	/* refused values: #GP(0), XCR0 unchanged (SDM vol. 2 XSETBV) */
	static const struct { u32 index; u64 val; } bad[] = {
		{ 1, XCR0_X87 },                        /* only XCR0 exists */
		{ 0, 0 },                               /* x87 must stay on */
		{ 0, XCR0_SSE | XCR0_YMM },             /* x87 off */
		{ 0, XCR0_X87 | XCR0_YMM },             /* AVX without SSE */
		{ 0, XCR0_X87 | XCR0_PKRU },            /* not offered */
		{ 0, 7 | (1ULL << 5) },                 /* AVX-512 opmask alone */
		{ 0, XCR0_X87 | (1ULL << 63) },         /* reserved */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!EXPECT_EQ(xsetbv_safe(bad[i].index, bad[i].val), GP_VECTOR))
			printf("regs: xsetbv(%u, 0x%lx) was not refused\n", bad[i].index, bad[i].val);
		else
			EXPECT_EQ(last_exc.error, 0);
		EXPECT_EQ(xgetbv0(), XCR0_X87);
	}

	/* accepted values; leaf 0xD's EBX follows */
	EXPECT_EQ(xsetbv_safe(0, XCR0_X87 | XCR0_SSE), -1);
	EXPECT_EQ(xgetbv0(), XCR0_X87 | XCR0_SSE);
	EXPECT_EQ(cpuid(0xd, 0).ebx, 576);
	EXPECT_EQ(xsetbv_safe(0, XCR0_X87 | XCR0_SSE | XCR0_YMM), -1);
	EXPECT_EQ(xgetbv0(), XCR0_X87 | XCR0_SSE | XCR0_YMM);
	EXPECT_EQ(cpuid(0xd, 0).ebx, ymm_off + 256);

	/* CPUID.1:ECX.OSXSAVE flips with CR4 (XCR0 stays) */
	write_cr4(read_cr4() & ~CR4_OSXSAVE);
	EXPECT_EQ(cpuid_osxsave(), 0);
	write_cr4(read_cr4() | CR4_OSXSAVE);
	EXPECT_EQ(cpuid_osxsave(), 1);
	EXPECT_EQ(xgetbv0(), XCR0_X87 | XCR0_SSE | XCR0_YMM);
}

void guest_main(void)
{
	u64 xcr0 = cmdline_get_u64("xcr0", 7);
	unsigned slices = (unsigned)cmdline_get_u64("slices", 12);
	u64 gap = cmdline_get_u64("gap", 1000000);
	u64 deadline = cmdline_get_u64("deadline", 4000000000ULL);

	bool after_reset = false;

	seed = cmdline_get_u64("seed", 1);
	printf("regs: seed %lu, phase 2 xcr0 0x%lx\n", seed, xcr0);
	if (cmdline_has("reset")) {
		after_reset = cmos_read(CMOS_MARK_REG) == CMOS_MARK;
		cmos_write(CMOS_MARK_REG, 0);
		printf("regs: %s\n", after_reset ? "started again after a reset" : "first start");
	}
	if (!(cpuid(1, 0).ecx & (1U << 26)) || !(cpuid(1, 0).ecx & (1U << 28))) {
		printf("regs: this CPU lacks XSAVE or AVX\n");
		test_fail();
		return;
	}
	/* x87 and SSE on (CR0.EM clear, MP set; CR4.OSFXSR), before any of
	 * them runs: the reset state must be what the VM sees first */
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	check_reset_state();
	ymm_off = cpuid(0xd, 2).ebx;
	EXPECT_EQ(ymm_off, 576);
	if (cmdline_has("reset") && !after_reset)
		load_and_reset();
	check_xsetbv();
	printf("regs: reset state and XSETBV checked\n");

	build_pattern();
	load_pattern();
	EXPECT_TRUE(check_all(7));
	if (!slices)
		return;
	run_phase(1, 7, slices, gap, deadline);
	if (xsetbv_safe(0, xcr0) != -1) {
		printf("regs: xsetbv(0, 0x%lx) refused\n", xcr0);
		test_fail();
	}
	run_phase(2, xcr0, slices, gap, deadline);

	/* Keep the other VM company for a few more slices so that it can
	 * finish its own count, then end. */
	u64 t = rdtsc(), prev = t;
	unsigned extra = 0;
	for (u64 now = t; extra < 3 && now - t < 100000000ULL; now = rdtsc()) {
		if (now - prev > gap)
			extra++;
		prev = now;
	}
	printf("regs: done\n");
}
