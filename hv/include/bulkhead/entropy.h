/* Random bytes for virtio-rng: the CPU's RDSEED where CPUID offers it
 * (AMD APM vol. 3, RDSEED; CPUID 7.EBX[18]), else RDRAND (CPUID 1.ECX[30]),
 * else a ChaCha20 DRBG seeded once from TSC jitter (weak: the log says so).
 * hv/dev/backend/entropy.c; the DRBG alone is hv/dev/backend/drbg.c. */
#ifndef BULKHEAD_ENTROPY_H
#define BULKHEAD_ENTROPY_H

#include <bulkhead/types.h>

void entropy_fill(void *buf, u32 len);
/* Which source entropy_fill uses: "RDSEED", "RDRAND" or "DRBG (seeded from TSC jitter)". */
const char *entropy_source(void);

/* ChaCha20 (RFC 8439 2.3) as a fast-key-erasure DRBG: after each fill the
 * key is replaced from the stream, so the state never reproduces output
 * already given. */
struct drbg {
	u32 key[8];
	u64 counter;
};
void drbg_seed(struct drbg *d, const u32 seed[8]);
void drbg_fill(struct drbg *d, void *buf, u32 len);
/* One ChaCha20 block: key, 32-bit counter, 96-bit nonce, as RFC 8439. */
void chacha20_block(const u32 key[8], u32 counter, const u32 nonce[3], u8 out[64]);

#endif
