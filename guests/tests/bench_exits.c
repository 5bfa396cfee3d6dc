/* Cost of one exit round trip, in TSC ticks: N iterations of CPUID(0), of
 * IN from the latch (0xE0), of an 8-byte MMIO read of the scratch page and
 * of XSETBV (XCR0 set to its own value), minus the same loop without the
 * exiting instruction; best of several runs. Prints "bench cpuid N",
 * "bench pio N", "bench mmio N", "bench xsetbv N". Bare (not under
 * Bulkhead: CPUID 0x40000000 is not "BulkheadHV") there is no test device,
 * so the MMIO figure is skipped. Command line: iters=N (default 10000). */
#include "guest.h"

const char guest_name[] = "bench";

#define RUNS 5

static u64 loop_cpuid(u64 n)
{
	u64 t0 = rdtsc();
	asm volatile("1: xor %%eax, %%eax\n\tcpuid\n\tdec %%rsi\n\tjnz 1b"
		     : "+S"(n) : : "rax", "rbx", "rcx", "rdx", "memory");
	return rdtsc() - t0;
}

static u64 loop_cpuid_base(u64 n)
{
	u64 t0 = rdtsc();
	asm volatile("1: xor %%eax, %%eax\n\tdec %%rsi\n\tjnz 1b"
		     : "+S"(n) : : "rax", "rbx", "rcx", "rdx", "memory");
	return rdtsc() - t0;
}

static u64 loop_pio(u64 n)
{
	u64 t0 = rdtsc();
	asm volatile("1: inb $0xe0, %%al\n\tdec %%rsi\n\tjnz 1b"
		     : "+S"(n) : : "rax", "memory");
	return rdtsc() - t0;
}

static u64 loop_pio_base(u64 n)
{
	u64 t0 = rdtsc();
	asm volatile("1: dec %%rsi\n\tjnz 1b" : "+S"(n) : : "rax", "memory");
	return rdtsc() - t0;
}

static u64 loop_mmio(u64 n)
{
	u64 t0 = rdtsc();
	asm volatile("1: mov (%%rbx), %%rax\n\tdec %%rsi\n\tjnz 1b"
		     : "+S"(n) : "b"(MMIO_SCRATCH) : "rax", "memory");
	return rdtsc() - t0;
}

static u64 loop_mmio_base(u64 n)
{
	u64 t0 = rdtsc();
	asm volatile("1: mov (%%rbx), %%rax\n\tdec %%rsi\n\tjnz 1b"
		     : "+S"(n) : "b"((u64)(uintptr_t)__image_start) : "rax", "memory");
	return rdtsc() - t0;
}

/* XSETBV needs CR4.OSXSAVE (set in guest_main); EDX:EAX = current XCR0 */
static u64 loop_xsetbv(u64 n)
{
	u64 t0 = rdtsc();
	asm volatile("xor %%ecx, %%ecx\n\txgetbv\n\t"
		     "1: xsetbv\n\tdec %%rsi\n\tjnz 1b"
		     : "+S"(n) : : "rax", "rcx", "rdx", "memory");
	return rdtsc() - t0;
}

static u64 loop_xsetbv_base(u64 n)
{
	u64 t0 = rdtsc();
	asm volatile("xor %%ecx, %%ecx\n\txgetbv\n\t"
		     "1: dec %%rsi\n\tjnz 1b"
		     : "+S"(n) : : "rax", "rcx", "rdx", "memory");
	return rdtsc() - t0;
}

static u64 best(u64 (*fn)(u64), u64 n)
{
	u64 b = ~0ULL;
	for (unsigned r = 0; r < RUNS; r++) {
		u64 t = fn(n);
		if (t < b)
			b = t;
	}
	return b;
}

static void report(const char *what, u64 (*fn)(u64), u64 (*base)(u64), u64 n)
{
	fn(n / 10 + 1);         /* warm up: first-touch faults, code paths */
	u64 t = best(fn, n), b = best(base, n);
	u64 per = t > b ? (t - b) / n : 0;
	printf("bench %s %lu\n", what, per);
	printf("bench: %s: %lu iterations, loop %lu ticks, empty loop %lu ticks\n", what, n, t, b);
	EXPECT_TRUE(t > b);
}

void guest_main(void)
{
	u64 n = cmdline_get_u64("iters", 10000);
	struct cpuid_regs r = cpuid(0x40000000, 0);
	bool bulkhead = r.ebx == 0x6b6c7542 && r.ecx == 0x64616568 && r.edx == 0x5648;
	u64 c0 = 0;

	printf("bench: %s, %lu iterations, best of %u\n",
	       bulkhead ? "under Bulkhead" : "bare (no Bulkhead signature)", n, RUNS);
	report("cpuid", loop_cpuid, loop_cpuid_base, n);
	report("pio", loop_pio, loop_pio_base, n);
	if (bulkhead) {
		c0 = mmio_read64(MMIO_COUNTER);
		report("mmio", loop_mmio, loop_mmio_base, n);
		/* every timed read reached the device */
		EXPECT_TRUE(mmio_read64(MMIO_COUNTER) - c0 >= (n / 10 + 1) + RUNS * n);
	} else {
		printf("bench mmio skipped (no test device without Bulkhead)\n");
	}
	if (cpuid(1, 0).ecx & (1U << 26)) {      /* XSAVE */
		u64 cr4;
		asm volatile("mov %%cr4, %0" : "=r"(cr4));
		asm volatile("mov %0, %%cr4" : : "r"(cr4 | (1ULL << 18)) : "memory");
		report("xsetbv", loop_xsetbv, loop_xsetbv_base, n);
	}
}
