/* bulkhead-image: one image file's header, checked before qemu-img opens it,
 * and the backing chain walked file by file, so that qemu-img is only ever
 * given a chain that stays in the image directory and ends.
 * qcow2 header layout: QEMU docs/interop/qcow2.txt (big-endian; version 2
 * has a 72-byte header, version 3 gives its length at byte 100; header
 * extensions follow it, the backing file format being type 0xE2792ACA). */
#include "bulkhead-image.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define QCOW2_MAGIC        0x514649fbU /* "QFI\xfb" */
#define QCOW2_EXT_END      0U
#define QCOW2_EXT_BACKFMT  0xe2792acaU
#define QCOW2_INCOMPAT_CORRUPT (1ULL << 1)

const char *img_format_name(enum img_format f)
{
	return f == IMG_QCOW2 ? "qcow2" : "raw";
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static int bad(const char *path, const char *why)
{
	fprintf(stderr, "bulkhead-image: %s: %s\n", path, why);
	return -1;
}

/* A table of LEN bytes at OFF lies inside the file and is cluster-aligned. */
static int table_ok(uint64_t off, uint64_t len, uint64_t cluster, uint64_t fsize)
{
	return off % cluster == 0 && off >= cluster && off <= fsize && len <= fsize - off;
}

/* The qcow2 header in BUF (the file's first LEN bytes, LEN >= 72). NULL, or
 * why it is refused. */
static const char *qcow2_header(const uint8_t *buf, size_t len, uint64_t fsize, struct img_file *out)
{
	uint32_t version = be32(buf + 4), cbits = be32(buf + 20), bsize = be32(buf + 16), hlen = 72;
	uint64_t boff = be64(buf + 8), cluster, l1 = be64(buf + 40), rt = be64(buf + 48);
	uint64_t l1n = be32(buf + 36), rtc = be32(buf + 56);
	size_t p;

	if (version != 2 && version != 3)
		return "corrupt qcow2 header (version is neither 2 nor 3)";
	if (cbits < 9 || cbits > 21)
		return "corrupt qcow2 header (cluster size out of range)";
	cluster = 1ULL << cbits;
	if (version == 3) {
		if (len < 104)
			return "truncated: shorter than its qcow2 version 3 header";
		hlen = be32(buf + 100);
		if (hlen < 104 || hlen > cluster || hlen > len)
			return "corrupt qcow2 header (header length out of range)";
		if (be64(buf + 72) & QCOW2_INCOMPAT_CORRUPT)
			return "qcow2 image is marked corrupt by QEMU";
	}
	if (be32(buf + 32))
		return "encrypted qcow2 images are not supported";
	if (fsize < cluster)
		return "truncated: shorter than one qcow2 cluster";
	if (!table_ok(l1, l1n * 8, cluster, fsize))
		return "truncated or corrupt: the qcow2 L1 table lies outside the file";
	if (!rtc || !table_ok(rt, rtc << cbits, cluster, fsize))
		return "truncated or corrupt: the qcow2 refcount table lies outside the file";
	out->virtual_size = be64(buf + 24);
	if (!out->virtual_size || out->virtual_size > (1ULL << 55))
		return "corrupt qcow2 header (virtual size out of range)";
	out->backing[0] = 0;
	if (boff) {
		if (bsize == 0 || bsize >= sizeof(out->backing) || boff > len || bsize > len - boff)
			return "corrupt qcow2 header (backing file name out of range)";
		memcpy(out->backing, buf + boff, bsize);
		out->backing[bsize] = 0;
		if (strlen(out->backing) != bsize)
			return "corrupt qcow2 header (NUL in the backing file name)";
	}
	/* header extensions: type, length, data padded to 8 bytes, until type 0 */
	out->backing_format = IMG_RAW;
	int have_fmt = 0;
	for (p = hlen;;) {
		uint32_t type, elen;

		if (p + 8 > len || p + 8 > cluster)
			return "corrupt qcow2 header (header extensions run past the first cluster)";
		type = be32(buf + p);
		elen = be32(buf + p + 4);
		p += 8;
		if (type == QCOW2_EXT_END)
			break;
		if (elen > len - p)
			return "corrupt qcow2 header (header extension past the end)";
		if (type == QCOW2_EXT_BACKFMT) {
			if (elen == 3 && !memcmp(buf + p, "raw", 3))
				out->backing_format = IMG_RAW;
			else if (elen == 5 && !memcmp(buf + p, "qcow2", 5))
				out->backing_format = IMG_QCOW2;
			else
				return "backing file format is neither raw nor qcow2";
			have_fmt = 1;
		}
		p += (elen + 7) & ~7U;
	}
	if (out->backing[0] && !have_fmt)
		return "names a backing file without its format (qemu would guess it; refused)";
	return NULL;
}

const char *img_header_parse(const uint8_t *buf, size_t len, uint64_t fsize, int force_format,
			     struct img_file *out)
{
	out->format = IMG_RAW;
	out->virtual_size = 0;
	out->backing[0] = 0;
	out->backing_format = IMG_RAW;
	if (len >= 4 && be32(buf) == QCOW2_MAGIC && force_format != IMG_RAW) {
		out->format = IMG_QCOW2;
		if (len < 72)
			return "truncated: shorter than a qcow2 header";
		return qcow2_header(buf, len, fsize, out);
	}
	if (force_format == IMG_QCOW2)
		return len < 4 ? "truncated: empty or shorter than a qcow2 header" : "not a qcow2 image (no qcow2 magic)";
	if (fsize == 0 || fsize % 512)
		return "truncated or not a disk image: a raw image is a non-zero multiple of 512 bytes";
	out->format = IMG_RAW;
	out->virtual_size = fsize;
	return NULL;
}

int img_backing_is_protocol(const char *name)
{
	const char *colon = strchr(name, ':'), *slash = strchr(name, '/');

	return colon && (!slash || colon < slash);
}

int img_read(const char *path, int force_format, struct img_file *out)
{
	const char *why;
	uint8_t *buf = NULL;
	struct stat st;
	ssize_t got;
	int fd, rc = -1;

	memset(out, 0, sizeof(*out));
	if (!realpath(path, out->path)) {
		fprintf(stderr, "bulkhead-image: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fd = open(out->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "bulkhead-image: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		bad(path, "not a regular file");
		goto out;
	}
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	buf = malloc(IMG_HEADER_READ);
	got = buf ? pread(fd, buf, IMG_HEADER_READ, 0) : -1;
	if (got < 0) {
		fprintf(stderr, "bulkhead-image: %s: %s\n", path, buf ? strerror(errno) : "out of memory");
		goto out;
	}
	why = img_header_parse(buf, (size_t)got, (uint64_t)st.st_size, force_format, out);
	rc = why ? bad(path, why) : 0;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* PATH is DIR itself or below it (both resolved). */
static int inside(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1) /* "/" */
		return 1;
	return !strncmp(path, dir, n) && path[n] == '/';
}

int img_chain(const char *top, const char *dir, struct img_chain *c)
{
	char tmp[IMG_PATH_MAX];

	memset(c, 0, sizeof(*c));
	if (!dir) {
		if (snprintf(tmp, sizeof(tmp), "%s", top) >= (int)sizeof(tmp))
			return bad(top, "path too long");
		dir = dirname(tmp);
	}
	if (!realpath(dir, c->dir)) {
		fprintf(stderr, "bulkhead-image: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (img_read(top, -1, &c->files[0]))
		return -1;
	if (!inside(c->files[0].path, c->dir)) {
		fprintf(stderr, "bulkhead-image: %s lies outside the image directory %s (refused)\n", top, c->dir);
		return -1;
	}
	for (c->n = 1;; c->n++) {
		struct img_file *f = &c->files[c->n - 1];
		const char *b = f->backing;
		char name[IMG_PATH_MAX];

		if (!b[0])
			return 0;
		if (c->n == IMG_CHAIN_MAX)
			return bad(c->files[0].path, "backing chain longer than 16 files (refused)");
		/* "proto:..." (nbd:, json:, http:, ...) is not a file: qemu would
		 * reach outside the directory through it */
		if (img_backing_is_protocol(b)) {
			fprintf(stderr, "bulkhead-image: %s: backing \"%s\" is not a plain file name (refused: it "
				"escapes the image directory)\n", f->path, b);
			return -1;
		}
		if (b[0] == '/')
			snprintf(name, sizeof(name), "%s", b);
		else {
			snprintf(tmp, sizeof(tmp), "%s", f->path);
			if (snprintf(name, sizeof(name), "%s/%s", dirname(tmp), b) >= (int)sizeof(name))
				return bad(f->path, "backing file name too long");
		}
		if (access(name, F_OK)) {
			fprintf(stderr, "bulkhead-image: %s: its backing file %s is missing (%s)\n", f->path, b,
				strerror(errno));
			return -1;
		}
		if (img_read(name, (int)f->backing_format, &c->files[c->n]))
			return -1;
		if (!inside(c->files[c->n].path, c->dir)) {
			fprintf(stderr, "bulkhead-image: %s: backing \"%s\" escapes the image directory %s (refused)\n",
				f->path, b, c->dir);
			return -1;
		}
		for (int i = 0; i < c->n; i++)
			if (c->files[i].dev == c->files[c->n].dev && c->files[i].ino == c->files[c->n].ino) {
				fprintf(stderr, "bulkhead-image: %s: backing chain loops (%s is already in it; refused)\n",
					c->files[0].path, c->files[c->n].path);
				return -1;
			}
	}
}
