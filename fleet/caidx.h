/* casync blob index (.caibx): CaFormatIndex header, CaFormatTable of
 * (end offset, chunk id) items, CaFormatTableTail. All little-endian.
 * Layout as written by casync 2 (src/caformat.h). */
#ifndef FLEET_CAIDX_H
#define FLEET_CAIDX_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define CA_FORMAT_INDEX             0x96824d9c7b129ff9ULL
#define CA_FORMAT_TABLE             0xe75b9e112f17417dULL
#define CA_FORMAT_TABLE_TAIL_MARKER 0x4b4f050e5549ecd1ULL
#define CA_FORMAT_SHA512_256        0x2000000000000000ULL
#define CA_FORMAT_EXCLUDE_NODUMP    0x8000000000000000ULL
#define CA_FORMAT_EXCLUDE_FILE      0x1000000000000000ULL
/* What `casync make --digest=sha256` writes for a blob. */
#define CA_FLAGS_BLOB_SHA256 (CA_FORMAT_EXCLUDE_NODUMP | CA_FORMAT_EXCLUDE_FILE)

#define CA_INDEX_HDR_SIZE 48U
#define CA_TABLE_HDR_SIZE 16U
#define CA_ITEM_SIZE      40U
#define CA_TAIL_SIZE      40U
#define CA_CHUNK_ID_SIZE  32U
#define CA_CHUNK_SIZE_LIMIT (128U * 1024U * 1024U)

struct ca_item {
	uint64_t end; /* offset of the chunk's end in the blob */
	uint8_t id[CA_CHUNK_ID_SIZE];
};

struct ca_index {
	uint64_t flags;
	uint64_t chunk_min, chunk_avg, chunk_max;
	size_t n, cap;
	struct ca_item *items;
};

static inline uint64_t ca_item_start(const struct ca_index *x, size_t i)
{
	return i ? x->items[i - 1].end : 0;
}

static inline uint64_t ca_index_size(const struct ca_index *x)
{
	return x->n ? x->items[x->n - 1].end : 0;
}

/* Parse an untrusted .caibx. Checks magic, sizes, tail, monotonic offsets and
 * every chunk's size against [1, chunk_max]. */
int caidx_parse(const uint8_t *buf, size_t len, struct ca_index *out, struct fl_err *err);
/* Serialize; caller frees *out. */
int caidx_serialize(const struct ca_index *x, uint8_t **out, size_t *len);
int caidx_push(struct ca_index *x, uint64_t end, const uint8_t id[CA_CHUNK_ID_SIZE]);
void caidx_free(struct ca_index *x);

#endif
