/* The Update Framework metadata: signed envelopes, roles, keys, meta entries.
 * Envelope: {"signatures":[{"keyid":hex,"sig":hex}],"signed":{...}}; the
 * signature covers the canonical form of "signed" (jansson, sorted keys,
 * compact, ASCII). Keys are ed25519 (libsodium). */
#ifndef FLEET_TUF_H
#define FLEET_TUF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util.h"

enum tuf_role { TUF_ROOT, TUF_TARGETS, TUF_SNAPSHOT, TUF_TIMESTAMP, TUF_NROLES };
extern const char *const tuf_role_names[TUF_NROLES];

#define TUF_MAX_ROLE_KEYS 8U
#define TUF_MAX_KEYS (TUF_MAX_ROLE_KEYS * TUF_NROLES)
#define TUF_KEYID_LEN 65U
#define TUF_SPEC_VERSION "1.0.31"

struct tuf_key {
	char keyid[TUF_KEYID_LEN];
	uint8_t pub[32];
};

struct tuf_rolekeys {
	char keyids[TUF_MAX_ROLE_KEYS][TUF_KEYID_LEN];
	size_t n;
	uint64_t threshold;
};

struct tuf_root {
	uint64_t version;
	time_t expires;
	struct tuf_key keys[TUF_MAX_KEYS];
	size_t nkeys;
	struct tuf_rolekeys roles[TUF_NROLES];
};

/* A hash-and-length pin of another metadata file or target. */
struct tuf_meta {
	uint64_t version; /* 0 for targets files */
	uint64_t length;
	uint8_t sha256[32];
};

char *tuf_canonical(const json_t *v);
void tuf_keyid(const uint8_t pub[32], char out[TUF_KEYID_LEN]);
json_t *tuf_key_json(const uint8_t pub[32]);

/* Parse an untrusted envelope, check "_type" and a threshold of valid
 * signatures from role's keys in root. On success *doc owns the document
 * and *sig points into it. */
int tuf_verify(const uint8_t *buf, size_t len, const struct tuf_root *root,
	       enum tuf_role role, json_t **doc, json_t **sig, struct fl_err *err);
int tuf_root_parse(const json_t *sig, struct tuf_root *out, struct fl_err *err);
/* version and expires of any signed body. */
int tuf_header(const json_t *sig, uint64_t *version, time_t *expires, struct fl_err *err);
/* Entry of "meta" (timestamp, snapshot) or "targets" (targets), with
 * require_version for meta entries. */
int tuf_meta_get(const json_t *table, const char *name, int require_version,
		 struct tuf_meta *m, struct fl_err *err);
json_t *tuf_meta_json(uint64_t version, const uint8_t *data, size_t len);
int tuf_rolekeys_equal(const struct tuf_rolekeys *a, const struct tuf_rolekeys *b);

/* Signing: envelope owns sig. */
json_t *tuf_envelope(json_t *sig);
int tuf_sign(json_t *envelope, const uint8_t sk[64], const char *keyid);

#endif
