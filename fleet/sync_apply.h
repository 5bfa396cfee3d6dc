/* Build a new image version from the chunks the client already has (its
 * current image, used as a seed, and its local chunk store) plus the ones
 * it downloads, into a temporary file; check the whole-image hash, fsync and
 * rename it into place. */
#ifndef FLEET_SYNC_APPLY_H
#define FLEET_SYNC_APPLY_H

#include <stdint.h>

#include "caidx.h"
#include "fetch.h"
#include "pack.h"
#include "targets.h"
#include "util.h"

struct apply_stats {
	uint64_t chunks, unique, from_seed, from_store, fetched, fetched_bytes;
	char pack[FL_ERRLEN]; /* "used", "not offered", or why it was not used */
};

struct apply_job {
	struct src *src;
	int store;                 /* local chunk store (directory fd) */
	int images;                /* directory fd of seed_image and out */
	const char *seed_image;    /* installed image's name in images, or NULL */
	const struct ca_index *seed_index;
	const struct ca_index *index; /* of the new version */
	const struct image_target *target;
	const char *out;           /* final name of the new image in images */
	const struct pack_map *pack; /* of index, or NULL */
	const char *pack_rel;      /* the pack's path in the repository */
	const char *pack_note;     /* why there is no pack, or NULL */
	int quiet;
};

/* Before any work that grows with the index: its total size and chunk count
 * must be those the signed targets entry pins (image_size, chunks). */
int sync_check_index(const struct ca_index *x, const struct image_target *t, struct fl_err *err);

int sync_apply(const struct apply_job *job, struct apply_stats *st, struct fl_err *err);

#endif
