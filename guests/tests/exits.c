/* Exit paths of the SVM and VMX backends, one group per intercept: port I/O
 * (latch and FIFO of the test device, an unclaimed port), CPUID, MSRs, the
 * hypercall (VMCALL on Intel, VMMCALL on AMD) and HLT with the local APIC
 * timer. Needs `testdev testexit` (guests/README.md). */
#include "guest.h"

const char guest_name[] = "exits";

#define UNCLAIMED_PORT 0x2e0U   /* nothing lives here, bare or under Bulkhead */
#define MSR_TSC        0x10U
#define MSR_PAT        0x277U
#define MSR_UNKNOWN    0x12345U
#define PAT_DEFAULT    0x0007040600070406ULL
#define GP_VECTOR      13
#define UD_VECTOR      6

/* ---- the VM as the guest finds it (guests/README.md "Platform") ---- */
static u64 tsc_at_entry;

/* command line: mem_mib=N (the VM's mem=), module=WORD module_size=BYTES
 * (a vmmod module expected with that command line and size) */
static void test_platform(void)
{
	u64 mem = cmdline_get_u64("mem_mib", 0) << 20;
	const char *mod_word = cmdline_get("module");

	/* TSC starts near 0 when the VM starts: well under a second's worth */
	if (!EXPECT_TRUE(tsc_at_entry < 2000000000ULL))
		printf("exits: TSC at entry %lu\n", tsc_at_entry);
	/* LSR always reads THRE|TEMT */
	EXPECT_EQ(inb(COM1 + 5), 0x60);

	/* exactly the contract's memory map */
	if (EXPECT_TRUE(mem != 0) && EXPECT_EQ(mb_nr_regions, 3)) {
		EXPECT_EQ(mb_regions[0].base, 0);
		EXPECT_EQ(mb_regions[0].len, 0x9f000);
		EXPECT_EQ(mb_regions[0].type, 1);
		EXPECT_EQ(mb_regions[1].base, 0x9f000);
		EXPECT_EQ(mb_regions[1].len, 0x61000);
		EXPECT_NE(mb_regions[1].type, 1);
		EXPECT_EQ(mb_regions[2].base, 0x100000);
		EXPECT_EQ(mb_regions[2].len, mem - 0x100000);
		EXPECT_EQ(mb_regions[2].type, 1);
	}
	EXPECT_TRUE(mb_info_addr < 0x9f000);
	EXPECT_TRUE((u64)(uintptr_t)mb_cmdline < 0x9f000);

	/* the vmmod module: its command line, placement and size */
	u64 mod_lo = 0, mod_hi = 0;
	if (mod_word) {
		size_t len = 0;
		while (mod_word[len] && mod_word[len] != ' ')
			len++;
		if (EXPECT_EQ(mb_mods_count, 1)) {
			const struct mb_module *m = &mb_modules[0];
			printf("exits: module 0x%lx-0x%lx \"%s\"\n", m->start, m->end, m->cmdline);
			EXPECT_TRUE(strlen(m->cmdline) == len && !strncmp(m->cmdline, mod_word, len));
			EXPECT_EQ(m->start & 0xfff, 0);        /* header flag bit 0 */
			EXPECT_TRUE(m->start >= (u64)(uintptr_t)__image_end);
			EXPECT_TRUE(m->end <= mem);
			EXPECT_EQ(m->end - m->start, cmdline_get_u64("module_size", 0));
			EXPECT_EQ(*(const volatile u32 *)m->start, 0x464c457f);  /* "\x7fELF" */
			mod_lo = m->start;
			mod_hi = m->end;
		}
	} else {
		EXPECT_EQ(mb_mods_count, 0);
	}

	/* everything else is zero: RAM above the image, outside the module */
	u64 nonzero = 0, first = 0;
	for (u64 a = (u64)(uintptr_t)__image_end; a < mem; a += 8) {
		if (a >= (mod_lo & ~7ULL) && a < mod_hi)
			continue;
		if (*(const volatile u64 *)a && !nonzero++)
			first = a;
	}
	if (!EXPECT_EQ(nonzero, 0))
		printf("exits: %lu non-zero words above the image, first at 0x%lx\n", nonzero, first);

	/* local APIC registers */
	EXPECT_EQ(apic_read(APIC_ID) >> 24, 0);
	EXPECT_TRUE((apic_read(APIC_VERSION) & 0xf0) == 0x10);     /* integrated xAPIC */
	apic_write(APIC_TPR, 0x20);
	EXPECT_EQ(apic_read(APIC_TPR) & 0xff, 0x20);
	apic_write(APIC_TPR, 0);
	EXPECT_EQ(apic_read(APIC_TPR) & 0xff, 0);
	EXPECT_EQ(apic_read(APIC_SVR) & 0x1ff, 0x100 | APIC_SPURIOUS_VECTOR);
}

/* ---- port I/O: latch at 0xE0 ---- */
static void test_latch(void)
{
	u8 b = 0;
	u16 w = 0;
	u32 l = 0;

	/* imm8 forms: E6 / 66 E7 / E7 out, E4 / 66 E5 / E5 in */
	asm volatile("outb %%al, $0xe0" : : "a"(0xa5));
	asm volatile("inb $0xe0, %%al" : "=a"(b));
	EXPECT_EQ(b, 0xa5);
	asm volatile("outw %%ax, $0xe0" : : "a"(0xbeef));
	asm volatile("inw $0xe0, %%ax" : "=a"(w));
	EXPECT_EQ(w, 0xbeef);
	asm volatile("outl %%eax, $0xe0" : : "a"(0xdeadc0de));
	asm volatile("inl $0xe0, %%eax" : "=a"(l));
	EXPECT_EQ(l, 0xdeadc0de);

	/* DX forms: EE / 66 EF / EF out, EC / 66 ED / ED in */
	outb(TESTDEV_LATCH, 0x3c);
	EXPECT_EQ(inb(TESTDEV_LATCH), 0x3c);
	outw(TESTDEV_LATCH, 0x1234);
	EXPECT_EQ(inw(TESTDEV_LATCH), 0x1234);
	outl(TESTDEV_LATCH, 0x11223344);
	EXPECT_EQ(inl(TESTDEV_LATCH), 0x11223344);

	/* the individual bytes at 0xE1-0xE3 */
	EXPECT_EQ(inb(TESTDEV_LATCH + 1), 0x33);
	EXPECT_EQ(inb(TESTDEV_LATCH + 2), 0x22);
	EXPECT_EQ(inb(TESTDEV_LATCH + 3), 0x11);
	outb(TESTDEV_LATCH + 2, 0xab);
	EXPECT_EQ(inl(TESTDEV_LATCH), 0x11ab3344);
	outb(TESTDEV_LATCH + 1, 0xcd);
	EXPECT_EQ(inl(TESTDEV_LATCH), 0x11abcd44);

	/* upper RAX bits survive an 8-bit IN (only AL is written) */
	u64 rax = 0x1122334455667700ULL;
	outb(TESTDEV_LATCH, 0x99);
	asm volatile("inb $0xe0, %%al" : "+a"(rax));
	EXPECT_EQ(rax, 0x1122334455667799ULL);
	/* a 32-bit IN zero-extends into RAX, as any 32-bit register write */
	rax = 0xffffffff00000000ULL;
	outl(TESTDEV_LATCH, 0x5a5a5a5a);
	asm volatile("inl $0xe0, %%eax" : "+a"(rax));
	EXPECT_EQ(rax, 0x5a5a5a5aULL);
}

/* ---- string I/O through the FIFO at 0xE4 ---- */
static u8 page_pair[2 * 4096] __attribute__((aligned(4096)));

static void fifo_drain(void)
{
	for (unsigned i = 0; i < 5000 && inb(TESTDEV_FIFO) != 0xff; i++)
		;
}

static void test_fifo(void)
{
	u8 out[64], in[64];
	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (u8)(0x10 + 3 * i);

	fifo_drain();
	EXPECT_EQ(inb(TESTDEV_FIFO), 0xff);        /* empty */

	/* single OUT/IN pushes and pops one byte */
	outb(TESTDEV_FIFO, 0x42);
	EXPECT_EQ(inb(TESTDEV_FIFO), 0x42);
	EXPECT_EQ(inb(TESTDEV_FIFO), 0xff);

	/* rep outsb (F3 6E) / rep insb (F3 6C) */
	{
		const void *s = out;
		void *d = in;
		u64 n = 37;
		memset(in, 0, sizeof(in));
		asm volatile("rep outsb" : "+S"(s), "+c"(n) : "d"(TESTDEV_FIFO) : "memory");
		EXPECT_EQ(n, 0);
		EXPECT_EQ((const u8 *)s - out, 37);
		n = 37;
		asm volatile("rep insb" : "+D"(d), "+c"(n) : "d"(TESTDEV_FIFO) : "memory");
		EXPECT_EQ(n, 0);
		EXPECT_EQ((u8 *)d - in, 37);
		EXPECT_EQ(memcmp(in, out, 37), 0);
		EXPECT_EQ(in[37], 0);
		EXPECT_EQ(inb(TESTDEV_FIFO), 0xff);
	}
	/* rep outsw (66 F3 6F) pushes little-endian bytes; read back bytewise,
	 * then rep insw (66 F3 6D) */
	{
		const void *s = out;
		void *d = in;
		u64 n = 8;
		asm volatile("rep outsw" : "+S"(s), "+c"(n) : "d"(TESTDEV_FIFO) : "memory");
		EXPECT_EQ((const u8 *)s - out, 16);
		for (unsigned i = 0; i < 4; i++)
			EXPECT_EQ(inb(TESTDEV_FIFO), out[i]);
		n = 6;
		memset(in, 0, sizeof(in));
		asm volatile("rep insw" : "+D"(d), "+c"(n) : "d"(TESTDEV_FIFO) : "memory");
		EXPECT_EQ((u8 *)d - in, 12);
		EXPECT_EQ(memcmp(in, out + 4, 12), 0);
		EXPECT_EQ(inb(TESTDEV_FIFO), 0xff);
	}
	/* rep outsl (F3 6F) / rep insl (F3 6D), and a non-rep outsl/insl */
	{
		const void *s = out;
		void *d = in;
		u64 n = 10;
		asm volatile("rep outsl" : "+S"(s), "+c"(n) : "d"(TESTDEV_FIFO) : "memory");
		EXPECT_EQ((const u8 *)s - out, 40);
		asm volatile("outsl" : "+S"(s) : "d"(TESTDEV_FIFO) : "memory");
		EXPECT_EQ((const u8 *)s - out, 44);
		memset(in, 0, sizeof(in));
		asm volatile("insl" : "+D"(d) : "d"(TESTDEV_FIFO) : "memory");
		EXPECT_EQ((u8 *)d - in, 4);
		n = 10;
		asm volatile("rep insl" : "+D"(d), "+c"(n) : "d"(TESTDEV_FIFO) : "memory");
		EXPECT_EQ((u8 *)d - in, 44);
		EXPECT_EQ(memcmp(in, out, 44), 0);
		EXPECT_EQ(inl(TESTDEV_FIFO), 0xffffffffU);  /* empty: every byte 0xff */
	}
	/* non-rep outsb / insb (6E / 6C) */
	{
		const void *s = out + 5;
		void *d = in;
		asm volatile("outsb" : "+S"(s) : "d"(TESTDEV_FIFO) : "memory");
		in[0] = 0;
		asm volatile("insb" : "+D"(d) : "d"(TESTDEV_FIFO) : "memory");
		EXPECT_EQ(in[0], out[5]);
		EXPECT_EQ((u8 *)d - in, 1);
	}
	/* a string that crosses a page boundary, both directions */
	{
		u8 *buf = page_pair + 4096 - 21;
		const void *s = buf;
		void *d;
		u64 n = 48;
		for (unsigned i = 0; i < 48; i++)
			buf[i] = (u8)(0xc0 ^ i);
		asm volatile("rep outsb" : "+S"(s), "+c"(n) : "d"(TESTDEV_FIFO) : "memory");
		memset(buf, 0, 48);
		d = buf;
		n = 12;
		asm volatile("rep insl" : "+D"(d), "+c"(n) : "d"(TESTDEV_FIFO) : "memory");
		bool same = true;
		for (unsigned i = 0; i < 48; i++)
			same &= buf[i] == (u8)(0xc0 ^ i);
		EXPECT_TRUE(same);
	}
	/* capacity: 4096 bytes are kept, more are dropped */
	{
		for (unsigned i = 0; i < 4100; i++)
			outb(TESTDEV_FIFO, (u8)i);
		unsigned popped = 0, ok = 1;
		while (popped < 5000) {
			u8 v = inb(TESTDEV_FIFO);
			if (v == 0xff && popped >= 4096)
				break;
			if (v != (u8)popped && !(v == 0xff && (u8)popped == 0xff))
				ok = 0;
			popped++;
		}
		EXPECT_EQ(popped, 4096);
		EXPECT_TRUE(ok);
	}
}

static void test_unclaimed_port(void)
{
	EXPECT_EQ(inb(UNCLAIMED_PORT), 0xff);
	EXPECT_EQ(inw(UNCLAIMED_PORT), 0xffff);
	EXPECT_EQ(inl(UNCLAIMED_PORT), 0xffffffffU);
	outl(UNCLAIMED_PORT, 0x12345678);          /* ignored */
	EXPECT_EQ(inl(UNCLAIMED_PORT), 0xffffffffU);
	/* rep insb from it fills with ones */
	u8 buf[8];
	void *d = buf;
	u64 n = sizeof(buf);
	memset(buf, 0, sizeof(buf));
	asm volatile("rep insb" : "+D"(d), "+c"(n) : "d"(UNCLAIMED_PORT) : "memory");
	EXPECT_EQ(*(u64 *)buf, ~0ULL);
}

/* ---- CPUID ---- */
static void test_cpuid(void)
{
	struct cpuid_regs r = cpuid(1, 0);
	EXPECT_EQ((r.ecx >> 31) & 1, 1);           /* hypervisor present */
	EXPECT_EQ((r.ecx >> 5) & 1, 0);            /* VMX */
	EXPECT_EQ((r.ecx >> 3) & 1, 0);            /* MONITOR */
	EXPECT_EQ((r.ecx >> 21) & 1, 1);           /* x2APIC offered */
	EXPECT_EQ((r.ecx >> 24) & 1, 1);           /* TSC-deadline timer offered */
	EXPECT_EQ(r.ebx >> 24, 0);                 /* APIC ID of vCPU 0 */

	u32 max_ext = cpuid(0x80000000, 0).eax;
	EXPECT_TRUE(max_ext >= 0x80000001);
	r = cpuid(0x80000001, 0);
	EXPECT_EQ((r.ecx >> 2) & 1, 0);            /* SVM hidden */
	if (max_ext >= 0x8000000a) {
		r = cpuid(0x8000000a, 0);
		EXPECT_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
	}

	r = cpuid(0x40000000, 0);
	char sig[13];
	memcpy(sig + 0, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	printf("exits: cpuid 0x40000000: max 0x%x signature \"%s\"\n", r.eax, sig);
	EXPECT_EQ(r.eax, 0x40000001);
	EXPECT_EQ(r.ebx, 0x6b6c7542);              /* "Bulk" */
	EXPECT_EQ(r.ecx, 0x64616568);              /* "head" */
	EXPECT_EQ(r.edx, 0x00005648);              /* "HV\0\0" */
	r = cpuid(0x40000001, 0);
	EXPECT_EQ(r.eax | r.ebx | r.ecx | r.edx, 0);
}

/* ---- MSRs ---- */
static void test_msr(void)
{
	u64 v = 0;
	EXPECT_EQ(rdmsr_safe(MSR_PAT, &v), -1);
	EXPECT_EQ(v, PAT_DEFAULT);
	/* every type valid (0, 1, 4, 5, 6, 7), every byte different */
	const u64 pat = 0x0001050406070400ULL;
	EXPECT_EQ(wrmsr_safe(MSR_PAT, pat), -1);
	EXPECT_EQ(rdmsr_safe(MSR_PAT, &v), -1);
	EXPECT_EQ(v, pat);
	EXPECT_EQ(wrmsr_safe(MSR_PAT, PAT_DEFAULT), -1);
	EXPECT_EQ(rdmsr(MSR_PAT), PAT_DEFAULT);

	EXPECT_EQ(rdmsr_safe(MSR_APIC_BASE, &v), -1);
	EXPECT_EQ(v, APIC_MMIO | APIC_BASE_EN | APIC_BASE_BSP);     /* 0xfee00900 */
	/* RDMSR of the TSC agrees with RDTSC */
	u64 t0 = rdtsc();
	EXPECT_EQ(rdmsr_safe(MSR_TSC, &v), -1);
	u64 t1 = rdtsc();
	if (!EXPECT_TRUE(v >= t0 && v <= t1))
		printf("exits: rdmsr(TSC) 0x%lx, rdtsc 0x%lx..0x%lx\n", v, t0, t1);

	/* unknown MSR: #GP(0), recorded at the faulting instruction */
	v = 0x5555;
	EXPECT_EQ(rdmsr_safe(MSR_UNKNOWN, &v), GP_VECTOR);
	EXPECT_EQ(last_exc.error, 0);
	EXPECT_EQ(last_exc.count, 1);
	EXPECT_EQ(v, 0);        /* rdmsr_safe's EDX:EAX untouched (0 in) */
	EXPECT_EQ(wrmsr_safe(MSR_UNKNOWN, 0x1234), GP_VECTOR);
	EXPECT_EQ(last_exc.error, 0);
	EXPECT_EQ(last_exc.count, 1);
	/* the #GP is reported at the instruction (0F 32), not after it */
	u64 fault_rip = 0;
	exc_clear();
	TRY_ASM("lea 0f(%%rip), %%rsi\n\t0: rdmsr", : "=S"(fault_rip)
		: "c"(MSR_UNKNOWN) : "rax", "rdx", "memory");
	EXPECT_EQ(last_exc.vector, GP_VECTOR);
	EXPECT_EQ(last_exc.rip, fault_rip);
}

/* MSRs the contract says work: round trips, and the segment bases in use */
static u64 fs_area[2] = { 0x1111111111111111ULL, 0xf5f5f5f5f5f5f5f5ULL };
static u64 gs_area[2] = { 0x2222222222222222ULL, 0x6565656565656565ULL };
static u64 kgs_area[2] = { 0x3333333333333333ULL, 0x7575757575757575ULL };

static void test_msr_roundtrip(u32 msr, u64 val)
{
	u64 old = 0, v = 0;
	if (!EXPECT_EQ(rdmsr_safe(msr, &old), -1) || !EXPECT_EQ(wrmsr_safe(msr, val), -1)) {
		printf("exits: MSR 0x%x raised %s\n", msr, exc_name(last_exc.vector));
		return;
	}
	EXPECT_EQ(rdmsr_safe(msr, &v), -1);
	if (!EXPECT_EQ(v, val))
		printf("exits: MSR 0x%x wrote 0x%lx read 0x%lx\n", msr, val, v);
	EXPECT_EQ(wrmsr_safe(msr, old), -1);
}

static void test_msr_more(void)
{
	u64 v = 0;
	EXPECT_EQ(rdmsr_safe(0xc0000080, &v), -1);         /* EFER: LME | LMA */
	EXPECT_EQ(v, 0x500);
	EXPECT_EQ(rdmsr_safe(0x1a0, &v), -1);              /* MISC_ENABLE */
	EXPECT_EQ(rdmsr_safe(0xfe, &v), -1);               /* MTRRcap reads 0 */
	EXPECT_EQ(v, 0);
	test_msr_roundtrip(0x2ff, 0x6);                     /* MTRRdefType */
	test_msr_roundtrip(0x174, 0x10);                    /* SYSENTER_CS */
	test_msr_roundtrip(0x175, 0xffff800000001000ULL);   /* SYSENTER_ESP */
	test_msr_roundtrip(0x176, 0xffff800000002000ULL);   /* SYSENTER_EIP */
	test_msr_roundtrip(0xc0000081, 0x0023001000000000ULL); /* STAR */
	test_msr_roundtrip(0xc0000082, 0xffffffff81000000ULL); /* LSTAR */
	test_msr_roundtrip(0xc0000083, 0xffffffff81000100ULL); /* CSTAR */
	test_msr_roundtrip(0xc0000084, 0x47700);            /* SFMASK */
	test_msr_roundtrip(0xc0000102, 0xffff888000000000ULL); /* KernelGSBase */

	/* FS/GS bases take effect; SWAPGS exchanges GS base and KernelGSBase */
	u64 x = 0;
	EXPECT_EQ(wrmsr_safe(0xc0000100, (u64)(uintptr_t)fs_area), -1);
	EXPECT_EQ(wrmsr_safe(0xc0000101, (u64)(uintptr_t)gs_area), -1);
	EXPECT_EQ(wrmsr_safe(0xc0000102, (u64)(uintptr_t)kgs_area), -1);
	EXPECT_EQ(rdmsr(0xc0000100), (u64)(uintptr_t)fs_area);
	asm volatile("mov %%fs:8, %0" : "=r"(x));
	EXPECT_EQ(x, fs_area[1]);
	asm volatile("mov %%gs:8, %0" : "=r"(x));
	EXPECT_EQ(x, gs_area[1]);
	asm volatile("swapgs; mov %%gs:8, %0" : "=r"(x));
	EXPECT_EQ(x, kgs_area[1]);
	EXPECT_EQ(rdmsr(0xc0000101), (u64)(uintptr_t)kgs_area);
	EXPECT_EQ(rdmsr(0xc0000102), (u64)(uintptr_t)gs_area);
	asm volatile("swapgs" ::: "memory");
	wrmsr(0xc0000100, 0);
	wrmsr(0xc0000101, 0);
	wrmsr(0xc0000102, 0);

	/* WRMSR TSC moves the TSC */
	const u64 t = 0x100000000000ULL;
	EXPECT_EQ(wrmsr_safe(0x10, t), -1);
	u64 now = rdtsc();
	if (!EXPECT_TRUE(now >= t && now - t < 0x100000000ULL))
		printf("exits: wrote TSC 0x%lx, rdtsc 0x%lx\n", t, now);
}

/* ---- hypercall: VMCALL (0F 01 C1) on Intel, VMMCALL (0F 01 D9) on AMD ---- */
/* The instruction of this CPU's vendor exits (SDM vol. 3 25.1.3, APM vol. 2
 * 15.9); the other vendor's is not defined here and raises #UD in the guest
 * without reaching the hypervisor (SDM vol. 2B VMCALL, APM vol. 3 VMMCALL).
 * Returns RAX after the instruction; an exception is in last_exc. */
static u64 try_hypercall(bool vmcall, u64 rax)
{
	exc_clear();
	if (vmcall)
		TRY_ASM("vmcall", : "+a"(rax) : : "memory");
	else
		TRY_ASM("vmmcall", : "+a"(rax) : : "memory");
	return rax;
}

static void test_hypercall(void)
{
	const bool intel = cpu_is_intel();
	const char *insn = intel ? "vmcall" : "vmmcall";
	u64 rax = try_hypercall(intel, 0);

	if (!EXPECT_EQ(last_exc.count, 0))
		printf("exits: %s raised %s\n", insn, exc_name(last_exc.vector));
	EXPECT_EQ(rax, 0x00010000);
	rax = try_hypercall(intel, 7);
	EXPECT_EQ(last_exc.count, 0);
	EXPECT_EQ(rax, (u64)-38);
	/* the other vendor's instruction: #UD, RAX untouched */
	rax = try_hypercall(!intel, 0);
	EXPECT_EQ(last_exc.count, 1);
	EXPECT_EQ(last_exc.vector, UD_VECTOR);
	EXPECT_EQ(rax, 0);
	printf("exits: hypercall by %s checked\n", insn);
}

/* ---- HLT and the APIC timer ---- */
static void test_hlt(void)
{
	/* one-shot, 2 ms at divide 1: HLT wakes and the handler ran */
	u64 before = timer_ticks;
	apic_timer_start(TIMER_VECTOR, 2 * APIC_TICKS_PER_MS, APIC_DIV_1, false);
	EXPECT_EQ(apic_read(APIC_TIMER_ICR), 2 * APIC_TICKS_PER_MS);
	u32 ccr = apic_read(APIC_TIMER_CCR);
	EXPECT_TRUE(ccr > 0 && ccr <= 2 * APIC_TICKS_PER_MS);
	u64 t0 = rdtsc();
	sti_hlt_cli();
	u64 t1 = rdtsc();
	EXPECT_EQ(timer_ticks, before + 1);
	EXPECT_EQ(apic_read(APIC_TIMER_CCR), 0);   /* one-shot expired */
	printf("exits: one-shot hlt woke after %lu TSC ticks\n", t1 - t0);

	/* one-shot does not fire again */
	before = timer_ticks;
	apic_timer_start(TIMER_VECTOR, 100000, APIC_DIV_1, false);
	while (timer_ticks == before)
		sti_hlt_cli();
	for (volatile unsigned i = 0; i < 200000; i++)
		;
	sti();
	for (volatile unsigned i = 0; i < 200000; i++)
		;
	cli();
	EXPECT_EQ(timer_ticks, before + 1);

	/* periodic, 1 ms at divide 16: HLT wakes for each of 5 periods */
	before = timer_ticks;
	apic_timer_start(TIMER_VECTOR, APIC_TICKS_PER_MS / 16, APIC_DIV_16, true);
	unsigned wakes = 0;
	while (timer_ticks - before < 5 && wakes < 50) {
		sti_hlt_cli();
		wakes++;
	}
	apic_timer_stop();
	EXPECT_TRUE(timer_ticks - before >= 5);
	EXPECT_EQ(wakes, timer_ticks - before);    /* only the timer wakes us */
	EXPECT_EQ(apic_read(APIC_TIMER_CCR), 0);   /* stopped */

	/* masked timer: no interrupt; HLT would sleep forever, so spin instead */
	before = timer_ticks;
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
	apic_write(APIC_TIMER_DCR, APIC_DIV_1);
	apic_write(APIC_TIMER_ICR, 50000);
	sti();
	while (apic_read(APIC_TIMER_CCR) != 0)
		cpu_relax();
	for (volatile unsigned i = 0; i < 100000; i++)
		;
	cli();
	EXPECT_EQ(timer_ticks, before);
	apic_timer_stop();
}

/* ---- x2APIC (SDM vol. 3 10.12): the same APIC through MSRs ---- */
#define IPI_VECTOR      0x50U
#define MSR_TSC_DEADLINE 0x6e0U
#define LVT_TSC_DEADLINE (2U << 17)
#define ICR_SELF        (1U << 18)  /* destination shorthand 01 */

static volatile u64 ipis;

static void ipi_handler(struct irq_frame *f)
{
	(void)f;
	ipis++;
}

/* A sent IPI is pending: taken as soon as IF opens. */
static void expect_ipis(const char *how, u64 n)
{
	u64 before = ipis;

	sti();
	for (volatile unsigned i = 0; i < 1000; i++)
		;
	cli();
	if (!EXPECT_EQ(ipis, before + n))
		printf("exits: x2apic: %s delivered %lu interrupts\n", how, ipis - before);
}

static void test_x2apic(void)
{
	u32 version = apic_read(APIC_VERSION);
	u64 v = 0;

	irq_register(IPI_VECTOR, ipi_handler);
	/* x2APIC MSRs #GP in xAPIC mode; EXTD without EN is an invalid state */
	EXPECT_EQ(rdmsr_safe(X2APIC_MSR(APIC_VERSION), &v), GP_VECTOR);
	EXPECT_EQ(wrmsr_safe(MSR_APIC_BASE, APIC_MMIO | APIC_BASE_BSP | APIC_BASE_EXTD),
		  GP_VECTOR);
	EXPECT_EQ(apic_set_x2apic(true), -1);
	EXPECT_EQ(rdmsr(MSR_APIC_BASE), APIC_MMIO | APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_EN);
	EXPECT_EQ(rdmsr(X2APIC_MSR(APIC_ID)), 0);                 /* 32-bit ID */
	EXPECT_EQ(apic_read(APIC_VERSION), version);
	EXPECT_EQ(rdmsr(0x80d), 1);                               /* LDR: cluster 0, bit 0 */
	EXPECT_EQ(apic_read(APIC_SVR) & 0x1ff, 0x100 | APIC_SPURIOUS_VECTOR);
	/* the MMIO page is gone (reads all ones, writes are dropped) */
	EXPECT_EQ(mmio_read32(APIC_MMIO + APIC_VERSION), 0xffffffffU);
	mmio_write32(APIC_MMIO + APIC_TPR, 0x30);
	EXPECT_EQ(apic_read(APIC_TPR), 0);
	/* registers x2APIC mode does not have, or read-only ones: #GP */
	EXPECT_EQ(rdmsr_safe(0x831, &v), GP_VECTOR);               /* ICR high half */
	EXPECT_EQ(rdmsr_safe(0x80e, &v), GP_VECTOR);               /* DFR */
	EXPECT_EQ(wrmsr_safe(X2APIC_MSR(APIC_ID), 5), GP_VECTOR);
	EXPECT_EQ(wrmsr_safe(X2APIC_MSR(APIC_EOI), 1), GP_VECTOR); /* EOI must be 0 */
	EXPECT_EQ(rdmsr_safe(0x83f, &v), GP_VECTOR);               /* SELF IPI is write-only */

	/* one-shot timer through MSRs wakes HLT */
	u64 before = timer_ticks;
	apic_timer_start(TIMER_VECTOR, 2 * APIC_TICKS_PER_MS, APIC_DIV_1, false);
	u32 ccr = apic_read(APIC_TIMER_CCR);
	EXPECT_TRUE(ccr > 0 && ccr <= 2 * APIC_TICKS_PER_MS);
	sti_hlt_cli();
	EXPECT_EQ(timer_ticks, before + 1);
	EXPECT_EQ(apic_read(APIC_TIMER_CCR), 0);

	/* TSC-deadline mode: fires once at the deadline, then reads 0 */
	before = timer_ticks;
	apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | TIMER_VECTOR);
	u64 deadline = rdtsc() + 1000000;                         /* 1 ms */
	wrmsr(MSR_TSC_DEADLINE, deadline);
	EXPECT_EQ(rdmsr(MSR_TSC_DEADLINE), deadline);
	while (timer_ticks == before)
		sti_hlt_cli();
	EXPECT_TRUE(rdtsc() >= deadline);
	EXPECT_EQ(timer_ticks, before + 1);
	EXPECT_EQ(rdmsr(MSR_TSC_DEADLINE), 0);
	apic_timer_stop();

	/* IPIs to itself: SELF IPI register, ICR shorthand, ICR to its own ID */
	wrmsr(0x83f, IPI_VECTOR);
	expect_ipis("SELF IPI", 1);
	wrmsr(X2APIC_MSR(0x300), ICR_SELF | IPI_VECTOR);
	expect_ipis("ICR self shorthand", 1);
	wrmsr(X2APIC_MSR(0x300), (0ULL << 32) | IPI_VECTOR);      /* physical, ID 0 */
	expect_ipis("ICR to ID 0", 1);
	wrmsr(X2APIC_MSR(0x300), (7ULL << 32) | IPI_VECTOR);      /* nobody has ID 7 */
	expect_ipis("ICR to ID 7", 0);

	/* back to xAPIC: not directly (#GP), only through disabled */
	EXPECT_EQ(wrmsr_safe(MSR_APIC_BASE, APIC_MMIO | APIC_BASE_BSP | APIC_BASE_EN), GP_VECTOR);
	EXPECT_EQ(apic_set_x2apic(false), -1);
	EXPECT_EQ(rdmsr(MSR_APIC_BASE), APIC_MMIO | APIC_BASE_BSP | APIC_BASE_EN);
	EXPECT_EQ(apic_read(APIC_VERSION), version);              /* MMIO again */
	EXPECT_EQ(rdmsr_safe(X2APIC_MSR(APIC_VERSION), &v), GP_VECTOR);
	printf("exits: x2apic: MSR interface, timers and self-IPIs checked\n");
}

void guest_main(void)
{
	tsc_at_entry = rdtsc();
	printf("exits: start, command line \"%s\"\n", mb_cmdline);
	test_platform();
	test_latch();
	test_fifo();
	test_unclaimed_port();
	test_cpuid();
	test_msr();
	test_msr_more();
	test_hypercall();
	test_hlt();
	test_x2apic();
}
