/* bulkhead-publish sub-commands. */
#ifndef FLEET_PUBLISH_CMD_H
#define FLEET_PUBLISH_CMD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "chunker.h"
#include "util.h"

#define PUB_MAX_POLICIES 16
#define PUB_LEVEL_DEFAULT 6 /* docs/fleet.md: delta 4% larger than at 19, publishing 6-15x faster */
#define PUB_LEVEL_MAX     22 /* ZSTD_maxCLevel() */

struct pub_args {
	const char *repo, *keys, *image, *input, *format, *role, *pinned_root;
	const char *policies[PUB_MAX_POLICIES];
	int npolicies;
	uint64_t version;
	size_t chunk_min, chunk_avg, chunk_max;
	int level, threads, count, threshold, root_keys, root_threshold, quick, quiet, expires_days;
	time_t expires;
};

int pub_init(const struct pub_args *a, struct fl_err *err);
int pub_add(const struct pub_args *a, struct fl_err *err);
int pub_sign(const struct pub_args *a, struct fl_err *err);
int pub_rotate_root(const struct pub_args *a, struct fl_err *err);
int pub_verify(const struct pub_args *a, struct fl_err *err);
int pub_inspect(const char *index);

#endif
