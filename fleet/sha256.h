/* SHA-256 (FIPS 180-4) for bulk data: chunk ids and whole images. OpenSSL's
 * libcrypto uses the CPU's SHA extensions where it has them (x86 SHA-NI),
 * about three times the speed of a portable implementation; metadata and key
 * ids keep libsodium's, which is plenty for a few kilobytes. */
#ifndef FLEET_SHA256_H
#define FLEET_SHA256_H

#include <stddef.h>
#include <stdint.h>

void fl_sha256(const void *data, size_t n, uint8_t out[32]);

/* Streaming form, for an image written chunk by chunk. */
struct fl_sha256_ctx {
	void *md; /* EVP_MD_CTX */
};
int fl_sha256_init(struct fl_sha256_ctx *c);
void fl_sha256_update(struct fl_sha256_ctx *c, const void *data, size_t n);
void fl_sha256_final(struct fl_sha256_ctx *c, uint8_t out[32]); /* frees c */

#endif
