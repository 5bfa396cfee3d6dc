/* Packs: fewer requests for a client that needs many chunks.
 * An image version's pack is the .cacnk files of the distinct chunks of its
 * index, in index order, concatenated; a client fetches runs of the chunks it
 * needs with one HTTP range request each instead of one request per chunk.
 * The store stays a plain casync store (casync ignores packs); every chunk cut
 * from a pack is verified like one fetched alone.
 * Pack index (.pkx): "BHPKX001", u64 LE item count n (that of the .caibx),
 * then n u32 LE: the compressed length of item i in the pack, 0 for a repeat
 * of an earlier item. Offsets are running sums of the lengths.
 * Both are targets: images/<img>/.. names them in its "custom" ("pack_index"),
 * the .pkx entry names the pack ("pack"); lengths and hashes are signed. */
#ifndef FLEET_PACK_H
#define FLEET_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "caidx.h"
#include "util.h"

#define PACK_MAGIC "BHPKX001"
#define PACK_HDR_SIZE 16U

struct pack_map {
	uint64_t *off;  /* per item of the index: offset in the pack */
	uint32_t *len;  /* compressed length, 0 for a repeat */
	uint64_t total; /* bytes of the pack */
};

/* Publisher: write the pack of idx from the store (fd) to pack_fd and its
 * index into *pkx (caller frees). */
int pack_write(int store, const struct ca_index *idx, int pack_fd, struct fl_buf *pkx, struct fl_err *err);
/* Client: parse an untrusted .pkx against the index it belongs to: item
 * count, repeats exactly where the index repeats a chunk, each length at most
 * the compressed bound of its chunk, total at most pack_len. */
int pack_parse(const uint8_t *buf, size_t len, const struct ca_index *idx, uint64_t pack_len,
	       struct pack_map *out, struct fl_err *err);
void pack_map_free(struct pack_map *m);
/* Largest .cacnk a chunk of size bytes may have (zstd bound + frame slack). */
size_t pack_max_comp(size_t size);

#endif
