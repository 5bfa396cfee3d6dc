/* Reading the signed targets table: image versions and VM-role policies,
 * and fetching target files checked against their signed length and hash. */
#ifndef FLEET_TARGETS_H
#define FLEET_TARGETS_H

#include <jansson.h>
#include <stdint.h>

#include "fetch.h"
#include "tuf.h"
#include "util.h"

struct image_target {
	char name[256]; /* target name, e.g. images/corp/corp-2.caibx */
	uint64_t version, size;
	uint64_t chunks; /* chunk count of the index; 0 if the entry does not say */
	uint8_t sha256[32]; /* of the whole raw image */
	struct tuf_meta meta; /* of the index file */
};

/* Highest version of image in the table: 0 found, 1 none, -1 malformed. */
int targets_latest_image(const json_t *targets, const char *image, struct image_target *out,
			 struct fl_err *err);
/* Fetch target `name` and check it against m. */
int targets_fetch(struct src *s, const char *name, const struct tuf_meta *m, struct fl_buf *out,
		  struct fl_err *err);
/* tuf_fetch_fn over a struct src. */
int targets_src_fetch(void *ctx, const char *rel, size_t max, struct fl_buf *out, struct fl_err *err);

#endif
