/* Reading the signed targets table: image versions and VM-role policies,
 * and fetching target files checked against their signed length and hash. */
#ifndef FLEET_TARGETS_H
#define FLEET_TARGETS_H

#include <jansson.h>
#include <stdint.h>

#include "caidx.h"
#include "fetch.h"
#include "pack.h"
#include "tuf.h"
#include "util.h"

struct image_target {
	char name[256]; /* target name, e.g. images/corp/corp-2.caibx */
	uint64_t version, size;
	uint64_t chunks; /* chunk count of the index; 0 if the entry does not say */
	uint8_t sha256[32]; /* of the whole raw image */
	struct tuf_meta meta; /* of the index file */
	char pack_index[256]; /* target name of its pack index, "" if none */
};

/* Highest version of image in the table, at most at_most unless that is 0:
 * 0 found, 1 none, -1 malformed. */
int targets_latest_image(const json_t *targets, const char *image, uint64_t at_most, struct image_target *out,
			 struct fl_err *err);
/* Fetch target `name` and check it against m. */
int targets_fetch(struct src *s, const char *name, const struct tuf_meta *m, struct fl_buf *out,
		  struct fl_err *err);
/* The pack of an image version (pack.h): fetch its pinned pack index, check
 * it against idx, and give the pack's path in the repository. 0 ok, -1 if
 * there is none or it does not fit (err says why). */
int targets_pack(struct src *s, const json_t *targets, const struct image_target *t,
		 const struct ca_index *idx, struct pack_map *map, char *pack_rel, size_t n,
		 struct fl_err *err);
/* tuf_fetch_fn over a struct src. */
int targets_src_fetch(void *ctx, const char *rel, size_t max, struct fl_buf *out, struct fl_err *err);

#endif
