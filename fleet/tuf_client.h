/* The TUF client workflow (spec section 5): update root one version at a time
 * from the pinned root, then timestamp, snapshot and targets, checking
 * signatures, thresholds, versions (rollback), expiry (freeze) and the
 * hashes that tie the roles together (mix-and-match). */
#ifndef FLEET_TUF_CLIENT_H
#define FLEET_TUF_CLIENT_H

#include <time.h>

#include "tuf.h"
#include "util.h"

/* Fetch rel from the repository: 0 ok, 1 not found, 2 forbidden (HTTP 403),
 * -1 error. */
typedef int tuf_fetch_fn(void *ctx, const char *rel, size_t max, struct fl_buf *out,
			 struct fl_err *err);

/* Trusted metadata: raw bytes as verified (to persist), parsed documents. */
struct tuf_trust {
	struct fl_buf raw[TUF_NROLES];
	json_t *doc[TUF_NROLES];
	json_t *sig[TUF_NROLES]; /* "signed" inside doc */
	uint64_t version[TUF_NROLES];
	struct tuf_root root;
};

/* Start from trusted bytes (root required, others may have len 0): each is
 * verified against the root; a timestamp/snapshot/targets that no longer
 * verifies is dropped. */
int tuf_trust_load(struct tuf_trust *t, struct fl_buf raw[TUF_NROLES], struct fl_err *err);
/* Run the update workflow. On failure, timestamp/snapshot/targets are
 * unchanged; verified newer roots may have been taken (as the spec says). */
int tuf_trust_refresh(struct tuf_trust *t, tuf_fetch_fn *fetch, void *ctx, time_t now,
		      struct fl_err *err);
void tuf_trust_free(struct tuf_trust *t);

#endif
