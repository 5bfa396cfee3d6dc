/* Build a new image version from the chunks the client already has (its
 * current image, used as a seed, and its local chunk store) plus the ones
 * it downloads, into a temporary file; check the whole-image hash, fsync and
 * rename it into place. */
#ifndef FLEET_SYNC_APPLY_H
#define FLEET_SYNC_APPLY_H

#include <stdint.h>

#include "caidx.h"
#include "fetch.h"
#include "targets.h"
#include "util.h"

struct apply_stats {
	uint64_t chunks, unique, from_seed, from_store, fetched, fetched_bytes;
};

struct apply_job {
	struct src *src;
	const char *store;         /* local chunk store */
	const char *seed_image;    /* installed image, or NULL */
	const struct ca_index *seed_index;
	const struct ca_index *index; /* of the new version */
	const struct image_target *target;
	const char *out;           /* final path of the new image */
	int quiet;
};

int sync_apply(const struct apply_job *job, struct apply_stats *st, struct fl_err *err);

#endif
