/* Packs of chunks for range requests (see pack.h). */
#include "pack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "castore.h"
#include "idmap.h"

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

size_t pack_max_comp(size_t size)
{
	return ZSTD_compressBound(size) + 4096U;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int pack_write(int store, const struct ca_index *idx, int pack_fd, struct fl_buf *pkx, struct fl_err *err)
{
	uint8_t hdr[PACK_HDR_SIZE], le[4];
	struct fl_buf c = { 0 };
	struct idmap m;
	int rc = -1;

	pkx->len = 0;
	memcpy(hdr, PACK_MAGIC, 8);
	put_le(hdr + 8, idx->n, 8);
	if (idmap_build(&m, idx) || fl_buf_append(pkx, hdr, sizeof(hdr)))
		return fl_fail(err, "out of memory");
	for (size_t i = 0; i < idx->n; i++) {
		const uint8_t *id = idx->items[i].id;
		size_t size = (size_t)(idx->items[i].end - ca_item_start(idx, i));

		c.len = 0;
		if (idmap_find(&m, id) == (int64_t)i) {
			if (castore_read(store, id, pack_max_comp(size), &c, err))
				goto out;
			if (write_all(pack_fd, c.data, c.len)) {
				fl_fail(err, "pack: write: %s", strerror(errno));
				goto out;
			}
		}
		put_le(le, c.len, 4);
		if (fl_buf_append(pkx, le, 4)) {
			fl_fail(err, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	idmap_free(&m);
	fl_buf_free(&c);
	return rc;
}

int pack_parse(const uint8_t *buf, size_t len, const struct ca_index *idx, uint64_t pack_len,
	       struct pack_map *out, struct fl_err *err)
{
	struct idmap m;
	uint64_t off = 0;

	memset(out, 0, sizeof(*out));
	if (len < PACK_HDR_SIZE || memcmp(buf, PACK_MAGIC, 8) || get_le(buf + 8, 8) != idx->n ||
	    len != PACK_HDR_SIZE + 4U * idx->n)
		return fl_fail(err, "pack index: does not match the image index");
	out->off = malloc((idx->n ? idx->n : 1) * sizeof(*out->off));
	out->len = malloc((idx->n ? idx->n : 1) * sizeof(*out->len));
	if (!out->off || !out->len || idmap_build(&m, idx)) {
		pack_map_free(out);
		return fl_fail(err, "out of memory");
	}
	for (size_t i = 0; i < idx->n; i++) {
		uint32_t l = (uint32_t)get_le(buf + PACK_HDR_SIZE + 4U * i, 4);
		size_t size = (size_t)(idx->items[i].end - ca_item_start(idx, i));
		int first = idmap_find(&m, idx->items[i].id) == (int64_t)i;

		if (first != (l != 0) || l > pack_max_comp(size) || off + l > pack_len) {
			idmap_free(&m);
			pack_map_free(out);
			return fl_fail(err, "pack index: item %zu has a bad length", i);
		}
		out->off[i] = off;
		out->len[i] = l;
		off += l;
	}
	idmap_free(&m);
	out->total = off;
	return 0;
}

void pack_map_free(struct pack_map *m)
{
	free(m->off);
	free(m->len);
	m->off = NULL;
	m->len = NULL;
}
