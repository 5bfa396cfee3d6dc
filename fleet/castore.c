/* casync chunk store (.cacnk files). */
#include "castore.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

void castore_relpath(const uint8_t id[CA_CHUNK_ID_SIZE], char out[CASTORE_RELPATH_LEN])
{
	char hex[2 * CA_CHUNK_ID_SIZE + 1];

	fl_hex(id, CA_CHUNK_ID_SIZE, hex);
	snprintf(out, CASTORE_RELPATH_LEN, "%.4s/%s.cacnk", hex, hex);
}

void castore_chunk_id(const uint8_t *data, size_t n, uint8_t id[CA_CHUNK_ID_SIZE])
{
	crypto_hash_sha256(id, data, n);
}

int castore_compress(const uint8_t *data, size_t n, int level, struct fl_buf *out)
{
	size_t bound = ZSTD_compressBound(n), r;

	out->len = 0;
	if (out->cap < bound) {
		uint8_t *d = realloc(out->data, bound);

		if (!d)
			return -1;
		out->data = d;
		out->cap = bound;
	}
	r = ZSTD_compress(out->data, out->cap, data, n, level);
	if (ZSTD_isError(r))
		return -1;
	out->len = r;
	return 0;
}

int castore_decode(const uint8_t *comp, size_t clen, const uint8_t id[CA_CHUNK_ID_SIZE],
		   uint8_t *out, size_t size, struct fl_err *err)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer in = { comp, clen, 0 };
	ZSTD_outBuffer ob = { out, size, 0 };
	uint8_t extra, got[CA_CHUNK_ID_SIZE];
	size_t r = 1;

	if (!ds)
		return fl_fail(err, "chunk: out of memory");
	while (in.pos < in.size && ob.pos < ob.size) {
		r = ZSTD_decompressStream(ds, &ob, &in);
		if (ZSTD_isError(r))
			break;
	}
	if (!ZSTD_isError(r) && r != 0 && ob.pos == ob.size) {
		/* the frame may still be open: it must not yield one byte more */
		ZSTD_outBuffer ex = { &extra, 1, 0 };

		r = ZSTD_decompressStream(ds, &ex, &in);
		if (!ZSTD_isError(r) && ex.pos)
			r = (size_t)-1;
	}
	ZSTD_freeDStream(ds);
	if (ZSTD_isError(r) || r != 0 || ob.pos != size || in.pos != in.size)
		return fl_fail(err, "corrupt or truncated chunk (zstd)");
	castore_chunk_id(out, size, got);
	if (sodium_memcmp(got, id, CA_CHUNK_ID_SIZE))
		return fl_fail(err, "chunk hash mismatch");
	return 0;
}

int castore_has(const char *store, const uint8_t id[CA_CHUNK_ID_SIZE])
{
	char rel[CASTORE_RELPATH_LEN], path[4200];

	castore_relpath(id, rel);
	snprintf(path, sizeof(path), "%s/%s", store, rel);
	return access(path, F_OK) == 0;
}

int castore_put(const char *store, const uint8_t id[CA_CHUNK_ID_SIZE],
		const uint8_t *comp, size_t clen, struct fl_err *err)
{
	char rel[CASTORE_RELPATH_LEN], path[4200], tmp[4300];
	FILE *f;

	castore_relpath(id, rel);
	snprintf(path, sizeof(path), "%s/%s", store, rel);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (fl_mkdir_parent(path, err))
		return -1;
	f = fopen(tmp, "wbe");
	if (!f)
		return fl_fail(err, "%s: %s", tmp, strerror(errno));
	if (fwrite(comp, 1, clen, f) != clen || fflush(f)) {
		fl_fail(err, "%s: write: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) || rename(tmp, path)) {
		fl_fail(err, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int castore_get(const char *store, const uint8_t id[CA_CHUNK_ID_SIZE],
		uint8_t *out, size_t size, struct fl_err *err)
{
	char rel[CASTORE_RELPATH_LEN], path[4200];
	struct fl_buf b = { 0 };
	int r;

	castore_relpath(id, rel);
	snprintf(path, sizeof(path), "%s/%s", store, rel);
	if (access(path, F_OK))
		return 1;
	r = fl_read_file(path, ZSTD_compressBound(size) + 1024, &b, err);
	if (!r)
		r = castore_decode(b.data, b.len, id, out, size, err);
	if (r)
		unlink(path); /* a damaged cache entry is fetched again */
	fl_buf_free(&b);
	return r;
}
