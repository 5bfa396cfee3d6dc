/* ChaCha20 block function (RFC 8439 2.3) and a fast-key-erasure DRBG over
 * it (entropy.h): pure, so a host test checks it against the RFC's vector. */
#include <bulkhead/entropy.h>
#include <bulkhead/string.h>

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define QR(a, b, c, d)                                          \
	do {                                                    \
		a += b; d ^= a; d = ROTL(d, 16);                \
		c += d; b ^= c; b = ROTL(b, 12);                \
		a += b; d ^= a; d = ROTL(d, 8);                 \
		c += d; b ^= c; b = ROTL(b, 7);                 \
	} while (0)

void chacha20_block(const u32 key[8], u32 counter, const u32 nonce[3], u8 out[64])
{
	u32 s[16], x[16];
	unsigned i;

	s[0] = 0x61707865U; s[1] = 0x3320646eU; s[2] = 0x79622d32U; s[3] = 0x6b206574U;
	for (i = 0; i < 8; i++)
		s[4 + i] = key[i];
	s[12] = counter;
	s[13] = nonce[0]; s[14] = nonce[1]; s[15] = nonce[2];
	memcpy(x, s, sizeof(x));
	for (i = 0; i < 10; i++) { /* 20 rounds: column then diagonal */
		QR(x[0], x[4], x[8], x[12]); QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]); QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]); QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]); QR(x[3], x[4], x[9], x[14]);
	}
	for (i = 0; i < 16; i++) {
		u32 v = x[i] + s[i];
		out[4 * i] = (u8)v;
		out[4 * i + 1] = (u8)(v >> 8);
		out[4 * i + 2] = (u8)(v >> 16);
		out[4 * i + 3] = (u8)(v >> 24);
	}
}

void drbg_seed(struct drbg *d, const u32 seed[8])
{
	memcpy(d->key, seed, sizeof(d->key));
	d->counter = 0;
}

static void drbg_block(struct drbg *d, u8 out[64])
{
	u32 nonce[3] = { (u32)(d->counter >> 32), 0, 0 };

	chacha20_block(d->key, (u32)d->counter, nonce, out);
	d->counter++;
}

void drbg_fill(struct drbg *d, void *buf, u32 len)
{
	u8 b[64], *p = buf;
	unsigned i;

	while (len) {
		u32 n = MIN(len, 64U);
		drbg_block(d, b);
		memcpy(p, b, n);
		p += n;
		len -= n;
	}
	/* fast key erasure: the next key comes from the stream */
	drbg_block(d, b);
	for (i = 0; i < 8; i++)
		d->key[i] = (u32)b[4 * i] | (u32)b[4 * i + 1] << 8 | (u32)b[4 * i + 2] << 16 |
			    (u32)b[4 * i + 3] << 24;
	memset(b, 0, sizeof(b));
}
