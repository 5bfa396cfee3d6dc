/* TUF metadata: canonical form, ed25519 signatures, role and meta parsing. */
#include "tuf.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

const char *const tuf_role_names[TUF_NROLES] = { "root", "targets", "snapshot", "timestamp" };

#define CANON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)

char *tuf_canonical(const json_t *v)
{
	return json_dumps(v, CANON_FLAGS);
}

json_t *tuf_key_json(const uint8_t pub[32])
{
	char hex[65];

	fl_hex(pub, 32, hex);
	return json_pack("{s:s, s:s, s:{s:s}}", "keytype", "ed25519", "scheme", "ed25519",
			 "keyval", "public", hex);
}

void tuf_keyid(const uint8_t pub[32], char out[TUF_KEYID_LEN])
{
	json_t *k = tuf_key_json(pub);
	char *c = tuf_canonical(k);
	uint8_t h[32];

	crypto_hash_sha256(h, (const uint8_t *)c, strlen(c));
	fl_hex(h, 32, out);
	free(c);
	json_decref(k);
}

static const struct tuf_key *root_key(const struct tuf_root *root, const char *keyid)
{
	for (size_t i = 0; i < root->nkeys; i++)
		if (!strcmp(root->keys[i].keyid, keyid))
			return &root->keys[i];
	return NULL;
}

static int role_has(const struct tuf_rolekeys *r, const char *keyid)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->keyids[i], keyid))
			return 1;
	return 0;
}

static int count_signatures(const json_t *sigs, const char *canon, const struct tuf_root *root,
			    const struct tuf_rolekeys *role)
{
	char seen[TUF_MAX_ROLE_KEYS][TUF_KEYID_LEN];
	size_t nseen = 0, i;
	json_t *s;

	json_array_foreach(sigs, i, s) {
		const char *keyid = json_string_value(json_object_get(s, "keyid"));
		const char *sighex = json_string_value(json_object_get(s, "sig"));
		const struct tuf_key *k;
		uint8_t sig[64];
		int dup = 0;

		if (!keyid || !sighex || !role_has(role, keyid) || !(k = root_key(root, keyid)))
			continue;
		for (size_t j = 0; j < nseen; j++)
			dup |= !strcmp(seen[j], keyid);
		if (dup || nseen >= TUF_MAX_ROLE_KEYS || fl_unhex(sighex, sig, sizeof(sig)))
			continue;
		if (crypto_sign_verify_detached(sig, (const uint8_t *)canon, strlen(canon), k->pub))
			continue;
		snprintf(seen[nseen++], TUF_KEYID_LEN, "%s", keyid);
	}
	return (int)nseen;
}

int tuf_verify(const uint8_t *buf, size_t len, const struct tuf_root *root,
	       enum tuf_role role, json_t **doc, json_t **sig, struct fl_err *err)
{
	const struct tuf_rolekeys *rk = &root->roles[role];
	const char *name = tuf_role_names[role];
	json_error_t jerr;
	json_t *d, *s, *sigs;
	const char *type;
	char *canon;
	int good;

	d = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!d)
		return fl_fail(err, "%s metadata: bad JSON (%s)", name, jerr.text);
	s = json_object_get(d, "signed");
	sigs = json_object_get(d, "signatures");
	type = json_string_value(json_object_get(s, "_type"));
	if (!json_is_object(s) || !json_is_array(sigs) || !type) {
		json_decref(d);
		return fl_fail(err, "%s metadata: not a signed TUF document", name);
	}
	if (strcmp(type, name)) {
		fl_fail(err, "%s metadata: wrong type \"%.32s\"", name, type);
		json_decref(d); /* type points into d */
		return -1;
	}
	canon = tuf_canonical(s);
	if (!canon) {
		json_decref(d);
		return fl_fail(err, "%s metadata: out of memory", name);
	}
	good = count_signatures(sigs, canon, root, rk);
	free(canon);
	if (rk->threshold < 1 || (uint64_t)good < rk->threshold) {
		json_decref(d);
		return fl_fail(err, "%s metadata: %d valid signature(s) from trusted %s keys, threshold %llu",
			       name, good, name, (unsigned long long)rk->threshold);
	}
	*doc = d;
	*sig = s;
	return 0;
}

int tuf_header(const json_t *sig, uint64_t *version, time_t *expires, struct fl_err *err)
{
	json_t *v = json_object_get(sig, "version");
	const char *e = json_string_value(json_object_get(sig, "expires"));

	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return fl_fail(err, "metadata: missing or bad version");
	if (!e || fl_time_parse(e, expires))
		return fl_fail(err, "metadata: missing or bad expiry");
	*version = (uint64_t)json_integer_value(v);
	return 0;
}

static int parse_rolekeys(const json_t *r, struct tuf_rolekeys *out)
{
	json_t *ids = json_object_get(r, "keyids"), *t = json_object_get(r, "threshold"), *k;
	size_t i;

	if (!json_is_array(ids) || !json_is_integer(t) || json_integer_value(t) < 1 ||
	    json_array_size(ids) > TUF_MAX_ROLE_KEYS)
		return -1;
	out->n = 0;
	out->threshold = (uint64_t)json_integer_value(t);
	json_array_foreach(ids, i, k) {
		const char *s = json_string_value(k);

		if (!s || strlen(s) != TUF_KEYID_LEN - 1U)
			return -1;
		snprintf(out->keyids[out->n++], TUF_KEYID_LEN, "%s", s);
	}
	return out->threshold <= out->n ? 0 : -1;
}

int tuf_root_parse(const json_t *sig, struct tuf_root *out, struct fl_err *err)
{
	json_t *keys = json_object_get(sig, "keys"), *roles = json_object_get(sig, "roles"), *k;
	const char *keyid;

	memset(out, 0, sizeof(*out));
	if (tuf_header(sig, &out->version, &out->expires, err))
		return -1;
	if (!json_is_object(keys) || !json_is_object(roles) || json_object_size(keys) > TUF_MAX_KEYS)
		return fl_fail(err, "root metadata: missing keys or roles");
	json_object_foreach(keys, keyid, k) {
		const char *pub = json_string_value(json_object_get(json_object_get(k, "keyval"), "public"));
		const char *type = json_string_value(json_object_get(k, "keytype"));
		struct tuf_key *key = &out->keys[out->nkeys];

		if (!type || strcmp(type, "ed25519") || !pub || fl_unhex(pub, key->pub, 32))
			return fl_fail(err, "root metadata: bad key %.16s", keyid);
		tuf_keyid(key->pub, key->keyid);
		if (strcmp(key->keyid, keyid))
			return fl_fail(err, "root metadata: key id %.16s does not match its key", keyid);
		out->nkeys++;
	}
	for (int r = 0; r < TUF_NROLES; r++)
		if (parse_rolekeys(json_object_get(roles, tuf_role_names[r]), &out->roles[r]))
			return fl_fail(err, "root metadata: bad or missing role \"%s\"", tuf_role_names[r]);
	return 0;
}

int tuf_meta_get(const json_t *table, const char *name, int require_version,
		 struct tuf_meta *m, struct fl_err *err)
{
	json_t *e = json_object_get(table, name), *v, *l;
	const char *h;

	memset(m, 0, sizeof(*m));
	if (!json_is_object(e))
		return fl_fail(err, "metadata: no entry for %s", name);
	v = json_object_get(e, "version");
	l = json_object_get(e, "length");
	h = json_string_value(json_object_get(json_object_get(e, "hashes"), "sha256"));
	if (require_version && (!json_is_integer(v) || json_integer_value(v) < 1))
		return fl_fail(err, "metadata: bad version for %s", name);
	if (!json_is_integer(l) || json_integer_value(l) < 0 || !h || fl_unhex(h, m->sha256, 32))
		return fl_fail(err, "metadata: bad length or hash for %s", name);
	m->version = json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
	m->length = (uint64_t)json_integer_value(l);
	return 0;
}

json_t *tuf_meta_json(uint64_t version, const uint8_t *data, size_t len)
{
	uint8_t h[32];
	char hex[65];
	json_t *e;

	crypto_hash_sha256(h, data, len);
	fl_hex(h, 32, hex);
	e = json_pack("{s:I, s:{s:s}}", "length", (json_int_t)len, "hashes", "sha256", hex);
	if (e && version)
		json_object_set_new(e, "version", json_integer((json_int_t)version));
	return e;
}

int tuf_rolekeys_equal(const struct tuf_rolekeys *a, const struct tuf_rolekeys *b)
{
	if (a->n != b->n || a->threshold != b->threshold)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (!role_has(b, a->keyids[i]))
			return 0;
	return 1;
}

json_t *tuf_envelope(json_t *sig)
{
	return json_pack("{s:[], s:o}", "signatures", "signed", sig);
}

int tuf_sign(json_t *envelope, const uint8_t sk[64], const char *keyid)
{
	char *canon = tuf_canonical(json_object_get(envelope, "signed"));
	uint8_t sig[64];
	char hex[129];

	if (!canon)
		return -1;
	crypto_sign_detached(sig, NULL, (const uint8_t *)canon, strlen(canon), sk);
	free(canon);
	fl_hex(sig, 64, hex);
	return json_array_append_new(json_object_get(envelope, "signatures"),
				     json_pack("{s:s, s:s}", "keyid", keyid, "sig", hex));
}
