/* Chunk id -> index of its first item in a casync index (open addressing;
 * ids are SHA-256 values, so their first bytes are already uniform). */
#ifndef FLEET_IDMAP_H
#define FLEET_IDMAP_H

#include <stddef.h>
#include <stdint.h>

#include "caidx.h"

struct idmap {
	size_t cap;
	int64_t *slot; /* -1 empty */
	const struct ca_index *x;
};

/* x may be NULL (an empty map). 0 ok, -1 out of memory. */
int idmap_build(struct idmap *m, const struct ca_index *x);
/* Index of the first item with this id, or -1. */
int64_t idmap_find(const struct idmap *m, const uint8_t *id);
void idmap_free(struct idmap *m);

#endif
