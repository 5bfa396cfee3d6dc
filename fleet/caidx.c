/* casync blob index (.caibx) reader and writer. */
#include "caidx.h"

#include <stdlib.h>
#include <string.h>

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

int caidx_parse(const uint8_t *buf, size_t len, struct ca_index *out, struct fl_err *err)
{
	const uint8_t *tail;
	size_t body, n;
	uint64_t prev = 0;

	memset(out, 0, sizeof(*out));
	if (len < CA_INDEX_HDR_SIZE + CA_TABLE_HDR_SIZE + CA_TAIL_SIZE)
		return fl_fail(err, "index: truncated (%zu bytes)", len);
	if (le64(buf) != CA_INDEX_HDR_SIZE || le64(buf + 8) != CA_FORMAT_INDEX)
		return fl_fail(err, "index: not a casync index (bad header)");
	out->flags = le64(buf + 16);
	out->chunk_min = le64(buf + 24);
	out->chunk_avg = le64(buf + 32);
	out->chunk_max = le64(buf + 40);
	if (out->chunk_min < 1 || out->chunk_min > out->chunk_avg ||
	    out->chunk_avg > out->chunk_max || out->chunk_max > CA_CHUNK_SIZE_LIMIT)
		return fl_fail(err, "index: bad chunk size limits");
	if (le64(buf + 48) != UINT64_MAX || le64(buf + 56) != CA_FORMAT_TABLE)
		return fl_fail(err, "index: bad table header");
	body = len - CA_INDEX_HDR_SIZE - CA_TABLE_HDR_SIZE - CA_TAIL_SIZE;
	if (body % CA_ITEM_SIZE)
		return fl_fail(err, "index: truncated table");
	n = body / CA_ITEM_SIZE;
	tail = buf + len - CA_TAIL_SIZE;
	if (le64(tail) != 0 || le64(tail + 8) != 0 ||
	    le64(tail + 16) != CA_INDEX_HDR_SIZE ||
	    le64(tail + 24) != len - CA_INDEX_HDR_SIZE ||
	    le64(tail + 32) != CA_FORMAT_TABLE_TAIL_MARKER)
		return fl_fail(err, "index: bad table tail");
	if (n) {
		out->items = malloc(n * sizeof(*out->items));
		if (!out->items)
			return fl_fail(err, "index: out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = buf + CA_INDEX_HDR_SIZE + CA_TABLE_HDR_SIZE + i * CA_ITEM_SIZE;
		uint64_t end = le64(p);

		if (end <= prev || end - prev > out->chunk_max) {
			free(out->items);
			out->items = NULL;
			return fl_fail(err, "index: chunk %zu has a bad size", i);
		}
		out->items[i].end = prev = end;
		memcpy(out->items[i].id, p + 8, CA_CHUNK_ID_SIZE);
	}
	out->n = out->cap = n;
	return 0;
}

int caidx_serialize(const struct ca_index *x, uint8_t **out, size_t *len)
{
	size_t n = CA_INDEX_HDR_SIZE + CA_TABLE_HDR_SIZE + x->n * CA_ITEM_SIZE + CA_TAIL_SIZE;
	uint8_t *b = calloc(1, n), *p;

	if (!b)
		return -1;
	put_le64(b, CA_INDEX_HDR_SIZE);
	put_le64(b + 8, CA_FORMAT_INDEX);
	put_le64(b + 16, x->flags);
	put_le64(b + 24, x->chunk_min);
	put_le64(b + 32, x->chunk_avg);
	put_le64(b + 40, x->chunk_max);
	put_le64(b + 48, UINT64_MAX);
	put_le64(b + 56, CA_FORMAT_TABLE);
	p = b + CA_INDEX_HDR_SIZE + CA_TABLE_HDR_SIZE;
	for (size_t i = 0; i < x->n; i++, p += CA_ITEM_SIZE) {
		put_le64(p, x->items[i].end);
		memcpy(p + 8, x->items[i].id, CA_CHUNK_ID_SIZE);
	}
	/* tail: two zero words, index offset, table size, marker */
	put_le64(p + 16, CA_INDEX_HDR_SIZE);
	put_le64(p + 24, n - CA_INDEX_HDR_SIZE);
	put_le64(p + 32, CA_FORMAT_TABLE_TAIL_MARKER);
	*out = b;
	*len = n;
	return 0;
}

int caidx_push(struct ca_index *x, uint64_t end, const uint8_t id[CA_CHUNK_ID_SIZE])
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 1024;
		struct ca_item *it = realloc(x->items, cap * sizeof(*it));

		if (!it)
			return -1;
		x->items = it;
		x->cap = cap;
	}
	x->items[x->n].end = end;
	memcpy(x->items[x->n].id, id, CA_CHUNK_ID_SIZE);
	x->n++;
	return 0;
}

void caidx_free(struct ca_index *x)
{
	free(x->items);
	memset(x, 0, sizeof(*x));
}
