/* Unit tests: TUF signatures, thresholds and the client workflow against an
 * in-memory repository (rollback, freeze, mix-and-match, key rotation). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "tuf.h"
#include "tuf_client.h"

struct key {
	uint8_t pk[32], sk[64];
	char id[TUF_KEYID_LEN];
};

static struct key mkkey(void)
{
	struct key k;

	crypto_sign_keypair(k.pk, k.sk);
	tuf_keyid(k.pk, k.id);
	return k;
}

/* In-memory repository: file name -> bytes. */
#define NFILES 32
static struct {
	char name[64];
	char *text;
} files[NFILES];

static void put(const char *name, json_t *env)
{
	int i;

	for (i = 0; i < NFILES && files[i].text && strcmp(files[i].name, name); i++)
		;
	assert_true(i < NFILES);
	free(files[i].text);
	snprintf(files[i].name, sizeof(files[i].name), "%s", name);
	files[i].text = json_dumps(env, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(env);
}

static void clear_files(void)
{
	for (int i = 0; i < NFILES; i++) {
		free(files[i].text);
		files[i].text = NULL;
	}
}

static int mem_fetch(void *ctx, const char *rel, size_t max, struct fl_buf *out, struct fl_err *err)
{
	(void)ctx;
	out->len = 0;
	for (int i = 0; i < NFILES; i++)
		if (files[i].text && !strcmp(files[i].name, rel)) {
			if (strlen(files[i].text) > max)
				return fl_fail(err, "%s: too large", rel);
			return fl_buf_append(out, files[i].text, strlen(files[i].text));
		}
	return 1;
}

static const char *text_of(const char *name)
{
	for (int i = 0; i < NFILES; i++)
		if (files[i].text && !strcmp(files[i].name, name))
			return files[i].text;
	return NULL;
}

static struct key kroot, kroot2, ktarg, ksnap, kts;
static const time_t NOW = 1900000000;

static json_t *hdr(const char *type, int version, time_t exp)
{
	char e[32];

	fl_time_format(exp, e);
	return json_pack("{s:s, s:i, s:s}", "_type", type, "version", version, "expires", e);
}

static json_t *root_body(int version, const struct key *root_keys, int nroot, int threshold,
			 const struct key *ts)
{
	json_t *s = hdr("root", version, NOW + 1000), *keys = json_object(), *rids = json_array();
	const struct key *all[] = { &ktarg, &ksnap, ts };

	for (int i = 0; i < nroot; i++) {
		json_object_set_new(keys, root_keys[i].id, tuf_key_json(root_keys[i].pk));
		json_array_append_new(rids, json_string(root_keys[i].id));
	}
	for (int i = 0; i < 3; i++)
		json_object_set_new(keys, all[i]->id, tuf_key_json(all[i]->pk));
	json_object_set_new(s, "keys", keys);
	json_object_set_new(s, "roles", json_pack("{s:{s:o,s:i}, s:{s:[s],s:i}, s:{s:[s],s:i}, s:{s:[s],s:i}}",
		"root", "keyids", rids, "threshold", threshold,
		"targets", "keyids", ktarg.id, "threshold", 1,
		"snapshot", "keyids", ksnap.id, "threshold", 1,
		"timestamp", "keyids", ts->id, "threshold", 1));
	return s;
}

static json_t *signed_by(json_t *body, const struct key *k, int n)
{
	json_t *env = tuf_envelope(body);

	for (int i = 0; i < n; i++)
		assert_int_equal(tuf_sign(env, k[i].sk, k[i].id), 0);
	return env;
}

/* Publish targets v, snapshot v, timestamp tv with given timestamp expiry. */
static void publish(int v, int tv, time_t ts_exp, const struct key *ts)
{
	char name[64];
	const char *t;
	json_t *s;

	s = hdr("targets", v, NOW + 1000);
	json_object_set_new(s, "targets", json_object());
	snprintf(name, sizeof(name), "%d.targets.json", v);
	put(name, signed_by(s, &ktarg, 1));
	t = text_of(name);
	s = hdr("snapshot", v, NOW + 1000);
	json_object_set_new(s, "meta", json_pack("{s:o}", "targets.json",
		tuf_meta_json((uint64_t)v, (const uint8_t *)t, strlen(t))));
	snprintf(name, sizeof(name), "%d.snapshot.json", v);
	put(name, signed_by(s, &ksnap, 1));
	t = text_of(name);
	s = hdr("timestamp", tv, ts_exp);
	json_object_set_new(s, "meta", json_pack("{s:o}", "snapshot.json",
		tuf_meta_json((uint64_t)v, (const uint8_t *)t, strlen(t))));
	put("timestamp.json", signed_by(s, ts, 1));
}

static void trust_from_root1(struct tuf_trust *t)
{
	struct fl_buf raw[TUF_NROLES] = { { 0 } };
	struct fl_err err;
	const char *r = text_of("1.root.json");

	fl_buf_append(&raw[TUF_ROOT], r, strlen(r));
	assert_int_equal(tuf_trust_load(t, raw, &err), 0);
	fl_buf_free(&raw[TUF_ROOT]);
}

static int setup(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	kroot = mkkey();
	kroot2 = mkkey();
	ktarg = mkkey();
	ksnap = mkkey();
	kts = mkkey();
	put("1.root.json", signed_by(root_body(1, &kroot, 1, 1, &kts), &kroot, 1));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	clear_files();
	return 0;
}

static void test_happy_path_and_rollback(void **state)
{
	struct tuf_trust t;
	struct fl_err err;

	(void)state;
	publish(2, 2, NOW + 100, &kts);
	trust_from_root1(&t);
	assert_int_equal(tuf_trust_refresh(&t, mem_fetch, NULL, NOW, &err), 0);
	assert_int_equal(t.version[TUF_TARGETS], 2);
	/* an older, still valid repository state: rollback */
	publish(1, 1, NOW + 100, &kts);
	assert_int_equal(tuf_trust_refresh(&t, mem_fetch, NULL, NOW, &err), -1);
	assert_non_null(strstr(err.msg, "rollback"));
	assert_int_equal(t.version[TUF_TIMESTAMP], 2); /* unchanged */
	tuf_trust_free(&t);
}

static void test_freeze(void **state)
{
	struct tuf_trust t;
	struct fl_err err;

	(void)state;
	publish(3, 3, NOW - 1, &kts);
	trust_from_root1(&t);
	assert_int_equal(tuf_trust_refresh(&t, mem_fetch, NULL, NOW, &err), -1);
	assert_non_null(strstr(err.msg, "expired"));
	tuf_trust_free(&t);
}

static void test_mix_and_match(void **state)
{
	struct tuf_trust t;
	struct fl_err err;
	char *old;

	(void)state;
	publish(4, 4, NOW + 100, &kts);
	publish(5, 5, NOW + 100, &kts);
	/* serve targets v4 under the name snapshot v5 pins */
	for (int i = 0; i < NFILES; i++)
		if (files[i].text && !strcmp(files[i].name, "5.targets.json")) {
			old = files[i].text;
			files[i].text = strdup(text_of("4.targets.json"));
			free(old);
		}
	trust_from_root1(&t);
	assert_int_equal(tuf_trust_refresh(&t, mem_fetch, NULL, NOW, &err), -1);
	assert_non_null(strstr(err.msg, "5.targets.json"));
	tuf_trust_free(&t);
}

static void test_threshold_counts_distinct_keys(void **state)
{
	struct key two[2] = { kroot, kroot2 }, dup[2] = { kroot, kroot };
	struct tuf_root root;
	struct fl_err err;
	json_t *env, *doc, *sig;
	char *text;

	(void)state;
	env = signed_by(root_body(1, two, 2, 2, &kts), dup, 2); /* same key twice */
	text = json_dumps(env, 0);
	assert_int_equal(tuf_root_parse(json_object_get(env, "signed"), &root, &err), 0);
	assert_int_equal(tuf_verify((const uint8_t *)text, strlen(text), &root, TUF_ROOT, &doc, &sig, &err), -1);
	assert_non_null(strstr(err.msg, "1 valid signature"));
	free(text);
	json_decref(env);
	env = signed_by(root_body(1, two, 2, 2, &kts), two, 2);
	text = json_dumps(env, 0);
	assert_int_equal(tuf_verify((const uint8_t *)text, strlen(text), &root, TUF_ROOT, &doc, &sig, &err), 0);
	json_decref(doc);
	free(text);
	json_decref(env);
}

static void test_root_rotation_revokes_key(void **state)
{
	struct key both[2] = { kroot, kroot2 }, newts = mkkey();
	struct tuf_trust t;
	struct fl_err err;

	(void)state;
	/* root v2: root key kroot -> kroot2, timestamp key kts -> newts;
	 * signed by the old and the new root key */
	put("2.root.json", signed_by(root_body(2, &kroot2, 1, 1, &newts), both, 2));
	publish(6, 6, NOW + 100, &kts); /* signed with the revoked timestamp key */
	trust_from_root1(&t);
	assert_int_equal(tuf_trust_refresh(&t, mem_fetch, NULL, NOW, &err), -1);
	assert_int_equal(t.version[TUF_ROOT], 2);
	assert_non_null(strstr(err.msg, "timestamp metadata: 0 valid"));
	publish(6, 7, NOW + 100, &newts);
	assert_int_equal(tuf_trust_refresh(&t, mem_fetch, NULL, NOW, &err), 0);
	tuf_trust_free(&t);
	/* a root v3 signed only by the new key (not the old) is refused */
	put("3.root.json", signed_by(root_body(3, &kroot, 1, 1, &newts), &kroot, 1));
	trust_from_root1(&t);
	assert_int_equal(tuf_trust_refresh(&t, mem_fetch, NULL, NOW, &err), -1);
	assert_non_null(strstr(err.msg, "root metadata: 0 valid"));
	tuf_trust_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_happy_path_and_rollback),
		cmocka_unit_test(test_freeze),
		cmocka_unit_test(test_mix_and_match),
		cmocka_unit_test(test_threshold_counts_distinct_keys),
		cmocka_unit_test(test_root_rotation_revokes_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
