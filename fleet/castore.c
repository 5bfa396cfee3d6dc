/* casync chunk store (.cacnk files). */
#include "castore.h"
#include "sha256.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

/* Unlink every entry of an XXXX directory (files or planted symlinks alike). */
static void empty_dir(int fd)
{
	int dup_fd = dup(fd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(fd, e->d_name, 0);
	closedir(d);
}

void castore_relpath(const uint8_t id[CA_CHUNK_ID_SIZE], char out[CASTORE_RELPATH_LEN])
{
	char hex[2 * CA_CHUNK_ID_SIZE + 1];

	fl_hex(id, CA_CHUNK_ID_SIZE, hex);
	snprintf(out, CASTORE_RELPATH_LEN, "%.4s/%s.cacnk", hex, hex);
}

void castore_chunk_id(const uint8_t *data, size_t n, uint8_t id[CA_CHUNK_ID_SIZE])
{
	fl_sha256(data, n, id);
}

int castore_compress(const uint8_t *data, size_t n, int level, struct fl_buf *out)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	int r;

	if (!cc)
		return -1;
	r = castore_compress_cctx(cc, data, n, level, out);
	ZSTD_freeCCtx(cc);
	return r;
}

int castore_compress_cctx(ZSTD_CCtx *cc, const uint8_t *data, size_t n, int level, struct fl_buf *out)
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
	r = ZSTD_compressCCtx(cc, out->data, out->cap, data, n, level);
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

	/* zstd frame magic number, RFC 8878 3.1.1; casync's .cacnk is one frame */
	if (clen < 4 || memcmp(comp, "\x28\xb5\x2f\xfd", 4)) {
		ZSTD_freeDStream(ds);
		if (clen && (comp[0] == '<' || comp[0] == ' ' || comp[0] == '\n'))
			return fl_fail(err, "not a zstd frame but text (an HTML page? check the store URL)");
		return fl_fail(err, "not a zstd frame (corrupt chunk)");
	}
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

/* The XXXX directory of a chunk, never through a symlink. */
static int chunk_dir(int store, const uint8_t id[CA_CHUNK_ID_SIZE], int create, char name[CASTORE_RELPATH_LEN],
		     struct fl_err *err)
{
	char rel[CASTORE_RELPATH_LEN], sub[5];
	int d;

	castore_relpath(id, rel);
	memcpy(sub, rel, 4);
	sub[4] = '\0';
	snprintf(name, CASTORE_RELPATH_LEN, "%s", rel + 5);
	d = fl_subdir_at(store, sub, create, create ? NULL : err);
	if (d < 0 && create && (errno == ELOOP || errno == ENOTDIR)) {
		/* the store is a cache: whatever was planted as XXXX goes */
		unlinkat(store, sub, 0);
		d = fl_subdir_at(store, sub, 1, err);
	} else if (d < 0 && create) {
		d = fl_subdir_at(store, sub, 1, err);
	}
	return d;
}

int castore_has(int store, const uint8_t id[CA_CHUNK_ID_SIZE])
{
	char name[CASTORE_RELPATH_LEN];
	struct stat sb;
	int d = chunk_dir(store, id, 0, name, NULL), r;

	if (d < 0)
		return 0;
	r = fstatat(d, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode);
	close(d);
	return r;
}

int castore_put(int store, const uint8_t id[CA_CHUNK_ID_SIZE], const uint8_t *comp, size_t clen,
		struct fl_err *err)
{
	static _Atomic unsigned long seq;
	char name[CASTORE_RELPATH_LEN], tmp[CASTORE_RELPATH_LEN + 48];
	const uint8_t *p = comp;
	int d = chunk_dir(store, id, 1, name, err), fd;

	if (d < 0)
		return -1;
	/* unique per process and call: threads of one publisher may store the same chunk */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%lu", name, (long)getpid(), seq++);
	fd = openat(d, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		fl_fail(err, "%s: %s", tmp, strerror(errno));
		close(d);
		return -1;
	}
	while (clen) {
		ssize_t w = write(fd, p, clen);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			fl_fail(err, "%s: write: %s", tmp, strerror(errno));
			goto fail;
		}
		p += w;
		clen -= (size_t)w;
	}
	if (close(fd)) {
		fd = -1;
		fl_fail(err, "%s: %s", name, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (renameat(d, tmp, d, name)) {
		fl_fail(err, "%s: %s", name, strerror(errno));
		goto fail;
	}
	close(d);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlinkat(d, tmp, 0);
	close(d);
	return -1;
}

int castore_get(int store, const uint8_t id[CA_CHUNK_ID_SIZE], uint8_t *out, size_t size,
		struct fl_err *err)
{
	char name[CASTORE_RELPATH_LEN];
	struct fl_buf b = { 0 };
	int d = chunk_dir(store, id, 0, name, NULL), r;

	if (d < 0)
		return 1;
	if (faccessat(d, name, F_OK, AT_SYMLINK_NOFOLLOW)) {
		close(d);
		return 1;
	}
	r = fl_read_at(d, name, ZSTD_compressBound(size) + 1024, &b, err);
	if (!r)
		r = castore_decode(b.data, b.len, id, out, size, err);
	if (r)
		unlinkat(d, name, 0); /* a damaged cache entry is fetched again */
	close(d);
	fl_buf_free(&b);
	return r;
}

int castore_read(int store, const uint8_t id[CA_CHUNK_ID_SIZE], size_t max, struct fl_buf *out,
		 struct fl_err *err)
{
	char name[CASTORE_RELPATH_LEN];
	int d = chunk_dir(store, id, 0, name, err), r;

	if (d < 0)
		return -1;
	r = fl_read_at(d, name, max, out, err);
	close(d);
	return r;
}

void castore_empty(int store)
{
	int dup_fd = dup(store), sub;
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *e;

	if (!d) {
		if (dup_fd >= 0)
			close(dup_fd);
		return;
	}
	rewinddir(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		/* a symlink planted in place of XXXX is removed, never entered */
		sub = openat(store, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			unlinkat(store, e->d_name, 0);
			continue;
		}
		empty_dir(sub);
		close(sub);
		unlinkat(store, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}
