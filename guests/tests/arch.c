/* Architectural behaviour of intercepted state (issue 10 "Found 2", "Found
 * 6"): WRMSR checks as the manuals give them (EFER, PAT, MTRRdefType,
 * IA32_APIC_BASE), MSRs kept as written (IA32_MISC_ENABLE, the legacy PMU
 * MSRs, which RDPMC reads too), an NMI IPI delivered once and blocked until IRET, and the ACPI
 * tables with a working PM timer. Also linked below 1 MiB as arch_low.elf:
 * a Multiboot kernel may load anywhere the hypervisor leaves free. Needs
 * `testexit`. Every expected fault arrives through the guest's IDT. */
#include "guest.h"

const char guest_name[] = "arch";

#define GP_VECTOR       13
#define MSR_EFER        0xc0000080U
#define EFER_LME        (1ULL << 8)
#define EFER_LMA        (1ULL << 10)
#define EFER_SVME       (1ULL << 12)
#define EFER_LMSLE      (1ULL << 13)
#define EFER_TCE        (1ULL << 15)
#define MSR_PAT         0x277U
#define PAT_DEFAULT     0x0007040600070406ULL
#define MSR_MTRR_DEFTYPE 0x2ffU
#define MSR_MISC_ENABLE 0x1a0U
#define MSR_PERF_CTL0   0xc0010000U
#define MSR_PERF_CTR0   0xc0010004U
#define APIC_ICR_LO     0x300U
#define APIC_ICR_HI     0x310U
#define ICR_NMI         (4U << 8)
#define ICR_ASSERT      (1U << 14)
#define ICR_SELF        (1U << 18)
#define NMI_VECTOR      2
#define PM_TMR_HZ       3579545U

/* ---- EFER (APM vol. 2 3.1.7) ---- */
static void test_efer(void)
{
	u64 efer = rdmsr(MSR_EFER), v = 0;

	EXPECT_TRUE((efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA));
	/* CPUID says what the #GPs below enforce: no TCE (Fn8000_0001_ECX[17]),
	 * LMSLE unsupported (Fn8000_0008_EBX[20]) */
	EXPECT_EQ(cpuid(0x80000001U, 0).ecx & (1U << 17), 0);
	EXPECT_EQ(cpuid(0x80000008U, 0).ebx & (1U << 20), 1U << 20);
	EXPECT_EQ(wrmsr_safe(MSR_EFER, efer | EFER_LMSLE), GP_VECTOR);
	EXPECT_EQ(wrmsr_safe(MSR_EFER, efer | EFER_TCE), GP_VECTOR);
	EXPECT_EQ(wrmsr_safe(MSR_EFER, efer | EFER_SVME), GP_VECTOR); /* SVM not offered */
	EXPECT_EQ(wrmsr_safe(MSR_EFER, efer | (1ULL << 16)), GP_VECTOR);
	EXPECT_EQ(wrmsr_safe(MSR_EFER, efer | (1ULL << 63)), GP_VECTOR);
	/* LME may not change while paging is on */
	EXPECT_EQ(wrmsr_safe(MSR_EFER, efer & ~(EFER_LME | EFER_LMA)), GP_VECTOR);
	/* LMA is read-only: a write that clears it is taken, LMA stays */
	EXPECT_EQ(wrmsr_safe(MSR_EFER, efer & ~EFER_LMA), -1);
	EXPECT_EQ(rdmsr_safe(MSR_EFER, &v), -1);
	EXPECT_EQ(v, efer);
}

/* ---- PAT (SDM vol. 3 11.12.2) and MTRRdefType (11.11.2.1) ---- */
static void test_pat_mtrr(void)
{
	u64 v = 0;

	EXPECT_EQ(rdmsr(MSR_PAT), PAT_DEFAULT);
	EXPECT_EQ(wrmsr_safe(MSR_PAT, (PAT_DEFAULT & ~0xffULL) | 2), GP_VECTOR); /* type 2 */
	EXPECT_EQ(wrmsr_safe(MSR_PAT, PAT_DEFAULT | (3ULL << 56)), GP_VECTOR);  /* type 3 */
	EXPECT_EQ(wrmsr_safe(MSR_PAT, PAT_DEFAULT | (8ULL << 24)), GP_VECTOR);  /* bit 3 */
	EXPECT_EQ(rdmsr(MSR_PAT), PAT_DEFAULT);
	EXPECT_EQ(wrmsr_safe(MSR_PAT, 0x0007010600070106ULL), -1);             /* WC */
	EXPECT_EQ(rdmsr_safe(MSR_PAT, &v), -1);
	EXPECT_EQ(v, 0x0007010600070106ULL);
	wrmsr(MSR_PAT, PAT_DEFAULT);

	EXPECT_EQ(rdmsr(MSR_MTRR_DEFTYPE), 0x806);
	EXPECT_EQ(wrmsr_safe(MSR_MTRR_DEFTYPE, 0x806 | (1ULL << 9)), GP_VECTOR);
	EXPECT_EQ(wrmsr_safe(MSR_MTRR_DEFTYPE, 0x806 | (1ULL << 32)), GP_VECTOR);
	EXPECT_EQ(wrmsr_safe(MSR_MTRR_DEFTYPE, 0x802), GP_VECTOR);              /* type 2 */
	EXPECT_EQ(rdmsr(MSR_MTRR_DEFTYPE), 0x806);
	EXPECT_EQ(wrmsr_safe(MSR_MTRR_DEFTYPE, 0x800), -1);                     /* UC */
	EXPECT_EQ(rdmsr(MSR_MTRR_DEFTYPE), 0x800);
	wrmsr(MSR_MTRR_DEFTYPE, 0x806);
}

/* RDPMC that survives #GP: the vector raised, or -1 */
static int rdpmc_safe(u32 index, u64 *v)
{
	u32 lo = 0, hi = 0;

	exc_clear();
	TRY_ASM("rdpmc", : "+a"(lo), "+d"(hi) : "c"(index) : "memory");
	*v = ((u64)hi << 32) | lo;
	return last_exc.count ? (int)last_exc.vector : -1;
}

/* ---- MSRs kept as written ---- */
static void test_kept_msrs(void)
{
	u64 misc = 0, v = 0;

	/* IA32_MISC_ENABLE: fast strings on, BTS and PEBS unavailable */
	EXPECT_EQ(rdmsr_safe(MSR_MISC_ENABLE, &misc), -1);
	EXPECT_EQ(misc, (1ULL << 0) | (1ULL << 11) | (1ULL << 12));
	EXPECT_EQ(wrmsr_safe(MSR_MISC_ENABLE, (1ULL << 3) | (1ULL << 23)), -1);
	EXPECT_EQ(rdmsr(MSR_MISC_ENABLE), (1ULL << 3) | (1ULL << 23) | (1ULL << 11) | (1ULL << 12));
	EXPECT_EQ(wrmsr_safe(MSR_MISC_ENABLE, misc | (1ULL << 1)), GP_VECTOR);  /* reserved */
	wrmsr(MSR_MISC_ENABLE, misc);
	EXPECT_EQ(rdmsr(MSR_MISC_ENABLE), misc);

	/* the legacy PMU of every family 17h CPU */
	for (u32 i = 0; i < 4; i++) {
		EXPECT_EQ(wrmsr_safe(MSR_PERF_CTL0 + i, 0x430076ULL + i), -1);
		EXPECT_EQ(wrmsr_safe(MSR_PERF_CTR0 + i, 0xffff000000001000ULL + i), -1);
	}
	for (u32 i = 0; i < 4; i++) {
		EXPECT_EQ(rdmsr_safe(MSR_PERF_CTL0 + i, &v), -1);
		EXPECT_EQ(v, 0x430076ULL + i);
		EXPECT_EQ(rdmsr_safe(MSR_PERF_CTR0 + i, &v), -1);
		EXPECT_EQ(v, 0x0000000000001000ULL + i); /* 48-bit counters */
		/* RDPMC reads the same counter, not the host's */
		EXPECT_EQ(rdpmc_safe(i, &v), -1);
		EXPECT_EQ(v, 0x0000000000001000ULL + i);
		wrmsr(MSR_PERF_CTL0 + i, 0);
	}
	EXPECT_EQ(rdpmc_safe(4, &v), GP_VECTOR);        /* no such counter */

	/* IA32_APIC_BASE: reserved bit 9 #GP, BSP read-only */
	u64 base = rdmsr(MSR_APIC_BASE);
	EXPECT_EQ(base, APIC_MMIO | APIC_BASE_BSP | APIC_BASE_EN);
	EXPECT_EQ(wrmsr_safe(MSR_APIC_BASE, base | (1ULL << 9)), GP_VECTOR);
	EXPECT_EQ(wrmsr_safe(MSR_APIC_BASE, base & ~APIC_BASE_BSP), -1);
	EXPECT_EQ(rdmsr(MSR_APIC_BASE), base);
}

/* ---- NMI IPIs (SDM vol. 3 10.6.1, 6.7.1) ---- */
static volatile unsigned nmi_count, nmi_depth, nmi_max_depth;
static volatile bool nmi_again;

static void send_nmi_self_xapic(void)
{
	apic_write(APIC_ICR_HI, 0);                     /* APIC ID 0: ours */
	apic_write(APIC_ICR_LO, ICR_NMI | ICR_ASSERT);  /* physical, no shorthand */
}

/* Up to n exits (LSR reads): the hypervisor delivers at an entry. */
static void wait_nmis(unsigned want, unsigned n)
{
	for (unsigned i = 0; i < n && nmi_count < want; i++)
		(void)inb(COM1 + 5);
}

static void nmi_handler(struct irq_frame *f)
{
	(void)f;
	if (++nmi_depth > nmi_max_depth)
		nmi_max_depth = nmi_depth;
	nmi_count++;
	if (nmi_again) {
		/* a second NMI now waits for this handler's IRET */
		nmi_again = false;
		send_nmi_self_xapic();
		for (unsigned i = 0; i < 200; i++)
			(void)inb(COM1 + 5);
	}
	nmi_depth--;
}

static void test_nmi(void)
{
	irq_register(NMI_VECTOR, nmi_handler);
	send_nmi_self_xapic();
	wait_nmis(1, 1000);
	EXPECT_EQ(nmi_count, 1);
	wait_nmis(2, 1000);             /* and only once */
	EXPECT_EQ(nmi_count, 1);

	nmi_again = true;
	send_nmi_self_xapic();
	wait_nmis(3, 1000);
	EXPECT_EQ(nmi_count, 3);
	EXPECT_EQ(nmi_max_depth, 1);    /* never nested */

	/* x2APIC: 64-bit ICR with the self shorthand */
	if (EXPECT_EQ(apic_set_x2apic(true), -1)) {
		wrmsr(X2APIC_MSR(APIC_ICR_LO), ICR_NMI | ICR_ASSERT | ICR_SELF);
		wait_nmis(4, 1000);
		EXPECT_EQ(nmi_count, 4);
		EXPECT_EQ(apic_set_x2apic(false), -1);
	}
	printf("arch: nmi: %u delivered, deepest nesting %u\n", nmi_count, nmi_max_depth);
}

/* ---- ACPI tables and the PM timer (ACPI 6.5 5.2.5.1, 5.2.9) ---- */
static bool sum_ok(const u8 *p, u32 len)
{
	u8 s = 0;

	for (u32 i = 0; i < len; i++)
		s = (u8)(s + p[i]);
	return s == 0;
}

static const u8 *find_rsdp(void)
{
	for (u64 a = 0xe0000; a < 0x100000; a += 16) {
		const u8 *p = (const u8 *)a;
		if (!memcmp(p, "RSD PTR ", 8) && sum_ok(p, 20))
			return p;
	}
	return NULL;
}

static const u8 *find_table(const u8 *rsdp, const char *sig)
{
	const u8 *xsdt;
	u32 len;

	if (rsdp[15] < 2)
		return NULL;
	xsdt = (const u8 *)(uintptr_t)*(const u64 *)(rsdp + 24);
	len = *(const u32 *)(xsdt + 4);
	if (memcmp(xsdt, "XSDT", 4) || !sum_ok(xsdt, len))
		return NULL;
	for (u32 off = 36; off + 8 <= len; off += 8) {
		const u8 *t = (const u8 *)(uintptr_t)*(const u64 *)(xsdt + off);
		if (!memcmp(t, sig, 4) && sum_ok(t, *(const u32 *)(t + 4)))
			return t;
	}
	return NULL;
}

/* One PM timer read with the APIC timer's count just before and after it:
 * false unless some try of 100 saw both counts within 500 us (a 5% error
 * on the 10 ms measured). */
static bool pm_sample(u32 port, u32 *pm, u32 *count)
{
	for (int i = 0; i < 100; i++) {
		u32 before = apic_read(APIC_TIMER_CCR), v = inl((u16)port),
		    after = apic_read(APIC_TIMER_CCR);

		if (before - after <= 500 * (APIC_TICKS_PER_MS / 16 / 1000)) {
			*pm = v;
			*count = before - (before - after) / 2;
			return true;
		}
	}
	return false;
}

static void test_acpi(void)
{
	const u8 *rsdp = find_rsdp(), *fadt;
	u32 port, a = 0, b = 0, ticks, c0 = 0, c1 = 0, us;

	if (!EXPECT_TRUE(rsdp != NULL))
		return;
	fadt = find_table(rsdp, "FACP");
	if (!EXPECT_TRUE(fadt != NULL))
		return;
	port = *(const u32 *)(fadt + 76);       /* PM_TMR_BLK */
	EXPECT_EQ(fadt[91], 4);                 /* PM_TMR_LEN */
	/* The PM timer against the APIC timer's current count, each PM read
	 * bracketed by two count reads close together, so a slice in which
	 * this VM does not run falls between samples, where both clocks go
	 * on, never between a PM read and its count (a fixed sleep_ms would
	 * count it on one clock only). A one-shot at divide 16 that does not
	 * run out during the check: 62,500 counts per ms. */
	apic_timer_start(TIMER_VECTOR, 0xffffffffU, APIC_DIV_16, false);
	if (!EXPECT_TRUE(pm_sample(port, &a, &c0)))
		goto out;
	while (c0 - apic_read(APIC_TIMER_CCR) < 10 * (APIC_TICKS_PER_MS / 16))
		;                               /* 10 ms of the APIC timer */
	if (!EXPECT_TRUE(pm_sample(port, &b, &c1)))
		goto out;
	EXPECT_EQ(a >> 24, 0);                  /* 24-bit counter */
	EXPECT_EQ(b >> 24, 0);
	ticks = (b - a) & 0xffffffU;
	us = (c0 - c1) / (APIC_TICKS_PER_MS / 16 / 1000);
	/* 3.579545 ticks per us; the two clocks agree within a factor of two */
	if (!EXPECT_TRUE(us >= 1000 && (u64)ticks * 1000000 > (u64)us * PM_TMR_HZ / 2 &&
			 (u64)ticks * 1000000 < (u64)us * PM_TMR_HZ * 2))
		printf("arch: pm timer advanced %u ticks in %u us of the APIC timer\n", ticks, us);
out:
	apic_timer_stop();
	printf("arch: rsdp at 0x%lx, pm timer at port 0x%x\n", (u64)(uintptr_t)rsdp, port);
}

void guest_main(void)
{
	printf("arch: start, image at 0x%lx\n", (u64)(uintptr_t)__image_start);
	test_efer();
	test_pat_mtrr();
	test_kept_msrs();
	test_nmi();
	test_acpi();
}
