/* The publisher's view of a repository directory:
 *   root.json, N.root.json         root role, every version kept (clients walk them)
 *   timestamp.json                 the only mutable file; written last (commit point)
 *   N.snapshot.json, N.targets.json  consistent snapshots, never overwritten
 *   store/XXXX/<id>.cacnk          casync chunk store
 *   targets/<dir>/<sha256>.<file>  target files (image indexes, policies) */
#ifndef FLEET_REPO_H
#define FLEET_REPO_H

#include <time.h>

#include "keys.h"
#include "tuf.h"
#include "util.h"

#define REPO_MAX_KEYS 64

struct repo {
	char dir[1024];
	struct tuf_root root;
	json_t *root_doc;    /* current root envelope */
	json_t *targets;     /* "targets" table of the current targets role (owned) */
	uint64_t version[TUF_NROLES];
	struct fl_key keys[REPO_MAX_KEYS];
	int nkeys;
	int expires_days[TUF_NROLES];
	time_t fixed_expiry; /* nonzero: use this expiry for roles written now */
};

int repo_open(struct repo *r, const char *dir, const char *keydir, struct fl_err *err);
void repo_close(struct repo *r);
/* Storage path of a target: targets/<dir>/<hex>.<base>. */
void repo_target_path(const char *name, const uint8_t sha256[32], char *out, size_t n);
/* Sign and write a new version of targets, then snapshot, then timestamp
 * (from = TUF_TARGETS), or only snapshot+timestamp, or only timestamp. */
int repo_commit(struct repo *r, enum tuf_role from, struct fl_err *err);
/* Sign `sig` (owned) with the role's available keys; envelope returned. */
json_t *repo_sign(struct repo *r, const struct tuf_root *root, enum tuf_role role, json_t *sig,
		  struct fl_err *err);
int repo_write_json(const char *dir, const char *file, json_t *envelope, struct fl_buf *raw,
		    struct fl_err *err);
time_t repo_expiry(const struct repo *r, enum tuf_role role);

#endif
