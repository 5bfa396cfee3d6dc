/* Content-defined chunker: a gear rolling hash with normalized chunking
 * (FastCDC, Xia et al., USENIX ATC 2016). Boundaries depend only on the
 * bytes near them, so an insertion shifts data without changing the chunks
 * after it. */
#ifndef FLEET_CHUNKER_H
#define FLEET_CHUNKER_H

#include <stddef.h>
#include <stdint.h>

/* Defaults chosen by measurement (docs/fleet.md, bench/results/fleet.md). */
#define CHUNK_MIN_DEFAULT (4U * 1024U)
#define CHUNK_AVG_DEFAULT (16U * 1024U)
#define CHUNK_MAX_DEFAULT (256U * 1024U)

struct chunker {
	size_t min, avg, max;
	uint64_t mask_small, mask_large; /* stricter before avg, looser after */
};

/* @pre 64 <= min <= avg <= max, avg a power of two. Returns -1 otherwise. */
int chunker_init(struct chunker *c, size_t min, size_t avg, size_t max);
/* Length of the next chunk of data[0..len): the whole rest when len <= min. */
size_t chunker_next(const struct chunker *c, const uint8_t *data, size_t len);

#endif
