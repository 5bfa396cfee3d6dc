/* SHA-256 through OpenSSL's libcrypto (see sha256.h). */
#include "sha256.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

void fl_sha256(const void *data, size_t n, uint8_t out[32])
{
	SHA256(data, n, out);
}

int fl_sha256_init(struct fl_sha256_ctx *c)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		c->md = NULL;
		return -1;
	}
	c->md = md;
	return 0;
}

void fl_sha256_update(struct fl_sha256_ctx *c, const void *data, size_t n)
{
	EVP_DigestUpdate(c->md, data, n);
}

void fl_sha256_final(struct fl_sha256_ctx *c, uint8_t out[32])
{
	unsigned int len = 32;

	EVP_DigestFinal_ex(c->md, out, &len);
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
}
