/* The machine's entropy source for virtio-rng (entropy.h): chosen once, on
 * first use, from what CPUID offers. Callers hold the scheduler's lock
 * (exits are handled one at a time), which covers the DRBG state. */
#include <bulkhead/entropy.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/cpu.h>

enum source { SRC_UNKNOWN, SRC_RDSEED, SRC_RDRAND, SRC_DRBG };

static enum source source;
static struct drbg drbg;

#define RETRIES 16 /* RDRAND/RDSEED may say "not now" (CF=0): bounded retry */

static bool rdseed64(u64 *v)
{
	for (unsigned i = 0; i < RETRIES; i++) {
		u8 ok;
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		if (ok)
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

static bool rdrand64(u64 *v)
{
	for (unsigned i = 0; i < RETRIES; i++) {
		u8 ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		if (ok)
			return true;
	}
	return false;
}

static void drbg_start(void)
{
	u32 seed[8];
	u64 t;

	/* The low bits of back-to-back TSC reads around CPUID (which may
	 * exit or serialise) differ from boot to boot; little else differs on
	 * a machine without RDRAND. */
	for (unsigned i = 0; i < 8; i++) {
		seed[i] = 0;
		for (unsigned j = 0; j < 32; j++) {
			t = rdtsc();
			(void)cpuid(0, 0);
			seed[i] = (seed[i] << 1 | seed[i] >> 31) ^ (u32)(rdtsc() - t) ^ (u32)t;
		}
	}
	drbg_seed(&drbg, seed);
	memset(seed, 0, sizeof(seed));
}

static void choose(void)
{
	u64 v;

	if ((cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ebx & (1U << 18)) && rdseed64(&v)))
		source = SRC_RDSEED;
	else if ((cpuid(1, 0).ecx & (1U << 30)) && rdrand64(&v))
		source = SRC_RDRAND;
	else {
		source = SRC_DRBG;
		drbg_start();
	}
}

const char *entropy_source(void)
{
	if (source == SRC_UNKNOWN)
		choose();
	switch (source) {
	case SRC_RDSEED: return "RDSEED";
	case SRC_RDRAND: return "RDRAND";
	default: return "DRBG (seeded from TSC jitter)";
	}
}

void entropy_fill(void *buf, u32 len)
{
	u8 *p = buf;
	u64 v;

	if (source == SRC_UNKNOWN)
		choose();
	while (len && source != SRC_DRBG) {
		u32 n = MIN(len, 8U);
		bool ok = source == SRC_RDSEED ? rdseed64(&v) : rdrand64(&v);

		if (!ok) {
			/* the instruction keeps failing: the DRBG from here on */
			source = SRC_DRBG;
			drbg_start();
			break;
		}
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	if (len)
		drbg_fill(&drbg, p, len);
}
