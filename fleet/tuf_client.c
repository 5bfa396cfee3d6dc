/* TUF client update workflow. */
#include "tuf_client.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define MAX_ROOT_SIZE      (512U * 1024U)
#define MAX_TIMESTAMP_SIZE (64U * 1024U)
#define MAX_ROOT_UPDATES   1024U

static void slot_clear(struct tuf_trust *t, int r)
{
	fl_buf_free(&t->raw[r]);
	if (t->doc[r])
		json_decref(t->doc[r]);
	t->doc[r] = t->sig[r] = NULL;
	t->version[r] = 0;
}

void tuf_trust_free(struct tuf_trust *t)
{
	for (int r = 0; r < TUF_NROLES; r++)
		slot_clear(t, r);
}

/* Take ownership of a verified document into slot r (not on failure). */
static int slot_set(struct tuf_trust *t, int r, const struct fl_buf *raw, json_t *doc, json_t *sig)
{
	struct fl_buf copy = { 0 };
	uint64_t v;
	time_t e;

	if (fl_buf_append(&copy, raw->data, raw->len) || tuf_header(sig, &v, &e, NULL)) {
		fl_buf_free(&copy);
		return -1;
	}
	slot_clear(t, r);
	t->raw[r] = copy;
	t->doc[r] = doc;
	t->sig[r] = sig;
	t->version[r] = v;
	return 0;
}

int tuf_trust_load(struct tuf_trust *t, struct fl_buf raw[TUF_NROLES], struct fl_err *err)
{
	struct tuf_root root;
	json_t *doc, *sig;

	memset(t, 0, sizeof(*t));
	/* The pinned root is trusted as given; it must still be self-consistent. */
	{
		json_error_t je;
		json_t *d = json_loadb((const char *)raw[TUF_ROOT].data, raw[TUF_ROOT].len, 0, &je);

		if (!d || tuf_root_parse(json_object_get(d, "signed"), &root, err)) {
			if (d)
				json_decref(d);
			else
				fl_fail(err, "trusted root: bad JSON (%s)", je.text);
			return -1;
		}
		json_decref(d);
	}
	if (tuf_verify(raw[TUF_ROOT].data, raw[TUF_ROOT].len, &root, TUF_ROOT, &doc, &sig, err))
		return -1;
	t->root = root;
	if (slot_set(t, TUF_ROOT, &raw[TUF_ROOT], doc, sig)) {
		json_decref(doc);
		return fl_fail(err, "trusted root: bad header");
	}
	for (int r = TUF_TARGETS; r < TUF_NROLES; r++) {
		if (!raw[r].len || tuf_verify(raw[r].data, raw[r].len, &root, (enum tuf_role)r, &doc, &sig, NULL))
			continue;
		if (slot_set(t, r, &raw[r], doc, sig))
			json_decref(doc);
	}
	return 0;
}

static int check_expiry(const json_t *sig, const char *name, time_t now, struct fl_err *err)
{
	uint64_t v;
	time_t e;
	char when[32];

	if (tuf_header(sig, &v, &e, err))
		return -1;
	if (e <= now) {
		fl_time_format(e, when);
		return fl_fail(err, "%s metadata expired at %s (freeze attack or stale mirror)", name, when);
	}
	return 0;
}

/* Fetched bytes must match the length and hash that the parent role pinned. */
static int check_pin(const struct fl_buf *b, const struct tuf_meta *m, const char *name,
		     struct fl_err *err)
{
	uint8_t h[32];

	crypto_hash_sha256(h, b->data, b->len);
	if (b->len != m->length || sodium_memcmp(h, m->sha256, 32))
		return fl_fail(err, "%s: length or hash differs from what the signed metadata pins", name);
	return 0;
}

/* Does b hold a signed root at all (an envelope whose "signed" has _type
 * "root")? Anything else where N.root.json should be is a mirror's answer for
 * an absent file: an HTML page from a catch-all rule, an error document. */
static int looks_like_root(const struct fl_buf *b)
{
	json_t *d = json_loadb((const char *)b->data, b->len, 0, NULL);
	const char *type;
	int r;

	if (!d)
		return 0;
	type = json_string_value(json_object_get(json_object_get(d, "signed"), "_type"));
	r = type && !strcmp(type, "root");
	json_decref(d);
	return r;
}

static int update_root(struct tuf_trust *t, tuf_fetch_fn *fetch, void *ctx, struct fl_err *err)
{
	struct fl_buf b = { 0 };
	int rc = 0;

	for (unsigned i = 0; i < MAX_ROOT_UPDATES && !rc; i++) {
		uint64_t next = t->version[TUF_ROOT] + 1;
		struct tuf_root nroot;
		json_t *doc, *sig, *doc2, *sig2;
		char name[48];
		int st;

		snprintf(name, sizeof(name), "%llu.root.json", (unsigned long long)next);
		st = fetch(ctx, name, MAX_ROOT_SIZE, &b, err);
		/* 404, 403 (a bucket without list permission) and a 200 that is no
		 * signed root all end the chain, as in python-tuf; a 200 that is a
		 * signed root is verified in full below */
		if (st == 1 || st == 2 || (st == 0 && !looks_like_root(&b)))
			break;
		if (st < 0 || tuf_verify(b.data, b.len, &t->root, TUF_ROOT, &doc, &sig, err)) {
			rc = -1;
			break;
		}
		/* signed by a threshold of the old root keys and of its own */
		if (tuf_root_parse(sig, &nroot, err) ||
		    tuf_verify(b.data, b.len, &nroot, TUF_ROOT, &doc2, &sig2, err)) {
			json_decref(doc);
			rc = -1;
			break;
		}
		json_decref(doc2);
		if (nroot.version != next) {
			json_decref(doc);
			rc = fl_fail(err, "%s: holds root version %llu", name, (unsigned long long)nroot.version);
			break;
		}
		/* keys rotated away from timestamp/snapshot: forget what they signed */
		if (!tuf_rolekeys_equal(&nroot.roles[TUF_TIMESTAMP], &t->root.roles[TUF_TIMESTAMP]) ||
		    !tuf_rolekeys_equal(&nroot.roles[TUF_SNAPSHOT], &t->root.roles[TUF_SNAPSHOT])) {
			slot_clear(t, TUF_TIMESTAMP);
			slot_clear(t, TUF_SNAPSHOT);
		}
		if (!tuf_rolekeys_equal(&nroot.roles[TUF_TARGETS], &t->root.roles[TUF_TARGETS]))
			slot_clear(t, TUF_TARGETS);
		t->root = nroot;
		if (slot_set(t, TUF_ROOT, &b, doc, sig)) {
			json_decref(doc);
			rc = fl_fail(err, "out of memory");
		}
	}
	fl_buf_free(&b);
	return rc;
}

struct stage {
	struct fl_buf raw;
	json_t *doc, *sig;
	uint64_t version;
};

static void stage_free(struct stage *s)
{
	fl_buf_free(&s->raw);
	if (s->doc)
		json_decref(s->doc);
}

/* Fetch and verify one role pinned by its parent (pin may be NULL). */
static int fetch_role(struct tuf_trust *t, enum tuf_role r, const char *file,
		      const struct tuf_meta *pin, size_t max, tuf_fetch_fn *fetch, void *ctx,
		      time_t now, struct stage *out, struct fl_err *err)
{
	const char *name = tuf_role_names[r];
	time_t e;
	int st;

	st = fetch(ctx, file, pin ? (size_t)pin->length + 1 : max, &out->raw, err);
	if (st == 1)
		return fl_fail(err, "%s: not found in repository", file);
	if (st == 2)
		return fl_fail(err, "%s: HTTP status 403", file);
	if (st < 0 || (pin && check_pin(&out->raw, pin, file, err)))
		return -1;
	if (tuf_verify(out->raw.data, out->raw.len, &t->root, r, &out->doc, &out->sig, err) ||
	    tuf_header(out->sig, &out->version, &e, err))
		return -1;
	if (pin && out->version != pin->version)
		return fl_fail(err, "%s metadata: version %llu but %s pins %llu (mix-and-match attack?)",
			       name, (unsigned long long)out->version,
			       r == TUF_SNAPSHOT ? "timestamp" : "snapshot",
			       (unsigned long long)pin->version);
	if (out->version < t->version[r])
		return fl_fail(err, "%s metadata: version %llu is older than trusted %llu (rollback attack?)",
			       name, (unsigned long long)out->version, (unsigned long long)t->version[r]);
	return check_expiry(out->sig, name, now, err);
}

static int meta_of(const struct stage *s, const char *name, struct tuf_meta *m, struct fl_err *err)
{
	return tuf_meta_get(json_object_get(s->sig, "meta"), name, 1, m, err);
}

/* Is the version of `pinned` (named by the new `by` role) older than the one
 * the trusted copy of `by` pinned? That is a rollback (TUF 5.4.3, 5.5.5). */
static int pin_rolled_back(const struct tuf_trust *t, enum tuf_role by, const char *by_name,
			   const char *pinned, const struct tuf_meta *pin, struct fl_err *err)
{
	struct tuf_meta old;
	char file[32];

	snprintf(file, sizeof(file), "%s.json", pinned);
	if (!t->doc[by] || tuf_meta_get(json_object_get(t->sig[by], "meta"), file, 1, &old, NULL) ||
	    pin->version >= old.version)
		return 0;
	fl_fail(err, "%s metadata: %s version %llu is older than trusted %llu (rollback attack?)",
		by_name, pinned, (unsigned long long)pin->version, (unsigned long long)old.version);
	return 1;
}

int tuf_trust_refresh(struct tuf_trust *t, tuf_fetch_fn *fetch, void *ctx, time_t now,
		      struct fl_err *err)
{
	struct stage ts = { 0 }, sn = { 0 }, tg = { 0 };
	struct tuf_meta snap_pin, targ_pin;
	char file[64];
	int rc = -1;

	if (update_root(t, fetch, ctx, err) || check_expiry(t->sig[TUF_ROOT], "root", now, err))
		return -1;
	if (fetch_role(t, TUF_TIMESTAMP, "timestamp.json", NULL, MAX_TIMESTAMP_SIZE, fetch, ctx, now, &ts, err) ||
	    meta_of(&ts, "snapshot.json", &snap_pin, err))
		goto out;
	if (pin_rolled_back(t, TUF_TIMESTAMP, "timestamp", "snapshot", &snap_pin, err))
		goto out;
	snprintf(file, sizeof(file), "%llu.snapshot.json", (unsigned long long)snap_pin.version);
	if (fetch_role(t, TUF_SNAPSHOT, file, &snap_pin, 0, fetch, ctx, now, &sn, err) ||
	    meta_of(&sn, "targets.json", &targ_pin, err))
		goto out;
	if (pin_rolled_back(t, TUF_SNAPSHOT, "snapshot", "targets", &targ_pin, err))
		goto out;
	snprintf(file, sizeof(file), "%llu.targets.json", (unsigned long long)targ_pin.version);
	if (fetch_role(t, TUF_TARGETS, file, &targ_pin, 0, fetch, ctx, now, &tg, err))
		goto out;
	if (!json_is_object(json_object_get(tg.sig, "targets"))) {
		fl_fail(err, "targets metadata: no targets table");
		goto out;
	}
	/* all three verified: commit them together */
	if (slot_set(t, TUF_TIMESTAMP, &ts.raw, ts.doc, ts.sig))
		goto oom;
	ts.doc = NULL;
	if (slot_set(t, TUF_SNAPSHOT, &sn.raw, sn.doc, sn.sig))
		goto oom;
	sn.doc = NULL;
	if (slot_set(t, TUF_TARGETS, &tg.raw, tg.doc, tg.sig))
		goto oom;
	tg.doc = NULL;
	rc = 0;
	goto out;
oom:
	fl_fail(err, "out of memory");
out:
	stage_free(&ts);
	stage_free(&sn);
	stage_free(&tg);
	return rc;
}
