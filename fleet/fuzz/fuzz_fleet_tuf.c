/* libFuzzer: TUF metadata and policy parsers on untrusted bytes: as a root,
 * as each signed role against a fixed trusted root, through the whole client
 * workflow (the input served as every metadata file), and as a policy. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "tuf.h"
#include "tuf_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tuf_root fixed;
static struct fl_buf fixed_raw;

/* A fixed root whose four roles share one deterministic key. */
static void init_root(void)
{
	uint8_t seed[32] = { 1 }, pk[32], sk[64];
	char id[TUF_KEYID_LEN], *text;
	json_t *s, *env;
	struct fl_err err;

	if (sodium_init() < 0)
		abort();
	crypto_sign_seed_keypair(pk, sk, seed);
	tuf_keyid(pk, id);
	s = json_pack("{s:s, s:i, s:s, s:{s:o}, s:{s:{s:[s],s:i}, s:{s:[s],s:i}, s:{s:[s],s:i}, s:{s:[s],s:i}}}",
		      "_type", "root", "version", 1, "expires", "2100-01-01T00:00:00Z",
		      "keys", id, tuf_key_json(pk), "roles",
		      "root", "keyids", id, "threshold", 1, "targets", "keyids", id, "threshold", 1,
		      "snapshot", "keyids", id, "threshold", 1, "timestamp", "keyids", id, "threshold", 1);
	if (tuf_root_parse(s, &fixed, &err))
		abort();
	env = tuf_envelope(s);
	tuf_sign(env, sk, id);
	text = json_dumps(env, 0);
	fl_buf_append(&fixed_raw, text, strlen(text));
	free(text);
	json_decref(env);
}

struct input {
	const uint8_t *data;
	size_t size;
};

static int serve(void *ctx, const char *rel, size_t max, struct fl_buf *out, struct fl_err *err)
{
	const struct input *in = ctx;

	out->len = 0;
	if (!strcmp(rel, "2.root.json") && in->size % 2)
		return 1;
	if (in->size > max)
		return fl_fail(err, "too large");
	return fl_buf_append(out, in->data, in->size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_buf raw[TUF_NROLES] = { { 0 } };
	struct input in = { data, size };
	struct tuf_trust t;
	struct tuf_root r;
	struct tuf_meta m;
	struct policy p;
	struct fl_err err;
	json_t *doc, *sig;

	if (!fixed_raw.len)
		init_root();
	json_t *j = json_loadb((const char *)data, size, 0, NULL);

	if (j) {
		tuf_root_parse(json_object_get(j, "signed"), &r, &err);
		tuf_meta_get(json_object_get(json_object_get(j, "signed"), "meta"), "snapshot.json", 1, &m, &err);
		json_decref(j);
	}
	for (int role = 0; role < TUF_NROLES; role++)
		if (!tuf_verify(data, size, &fixed, (enum tuf_role)role, &doc, &sig, &err))
			json_decref(doc);
	/* the input as a pinned root, then as every file of a repository */
	fl_buf_append(&raw[TUF_ROOT], data, size);
	if (!tuf_trust_load(&t, raw, &err))
		tuf_trust_free(&t);
	fl_buf_free(&raw[TUF_ROOT]);
	fl_buf_append(&raw[TUF_ROOT], fixed_raw.data, fixed_raw.len);
	if (tuf_trust_load(&t, raw, &err))
		abort();
	tuf_trust_refresh(&t, serve, &in, 1900000000, &err);
	tuf_trust_free(&t);
	fl_buf_free(&raw[TUF_ROOT]);
	policy_parse(data, size, &p, &err);
	return 0;
}
