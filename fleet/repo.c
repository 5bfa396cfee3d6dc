/* Publisher repository: load current metadata, sign and commit new versions. */
#include "repo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int default_days[TUF_NROLES] = { 365, 90, 7, 1 };

static json_t *load_signed(const char *dir, const char *file, json_t **doc, struct fl_err *err)
{
	char path[1200];
	json_error_t je;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	*doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!*doc) {
		fl_fail(err, "%s: %s", path, je.text);
		return NULL;
	}
	return json_object_get(*doc, "signed");
}

int repo_open(struct repo *r, const char *dir, const char *keydir, struct fl_err *err)
{
	json_t *ts_doc = NULL, *sn_doc = NULL, *tg_doc = NULL, *s;
	struct tuf_meta m;
	char file[64];
	time_t e;

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	memcpy(r->expires_days, default_days, sizeof(default_days));
	if (keydir && (r->nkeys = keys_load_dir(keydir, r->keys, REPO_MAX_KEYS, err)) < 0)
		return -1;
	s = load_signed(dir, "root.json", &r->root_doc, err);
	if (!s || tuf_root_parse(s, &r->root, err))
		goto fail;
	r->version[TUF_ROOT] = r->root.version;
	s = load_signed(dir, "timestamp.json", &ts_doc, err);
	if (!s || tuf_header(s, &r->version[TUF_TIMESTAMP], &e, err) ||
	    tuf_meta_get(json_object_get(s, "meta"), "snapshot.json", 1, &m, err))
		goto fail;
	r->version[TUF_SNAPSHOT] = m.version;
	snprintf(file, sizeof(file), "%llu.snapshot.json", (unsigned long long)m.version);
	s = load_signed(dir, file, &sn_doc, err);
	if (!s || tuf_meta_get(json_object_get(s, "meta"), "targets.json", 1, &m, err))
		goto fail;
	r->version[TUF_TARGETS] = m.version;
	snprintf(file, sizeof(file), "%llu.targets.json", (unsigned long long)m.version);
	s = load_signed(dir, file, &tg_doc, err);
	if (!s || !json_is_object(json_object_get(s, "targets"))) {
		if (s)
			fl_fail(err, "%s: no targets table", file);
		goto fail;
	}
	r->targets = json_deep_copy(json_object_get(s, "targets"));
	json_decref(ts_doc);
	json_decref(sn_doc);
	json_decref(tg_doc);
	return 0;
fail:
	json_decref(ts_doc);
	json_decref(sn_doc);
	json_decref(tg_doc);
	repo_close(r);
	return -1;
}

void repo_close(struct repo *r)
{
	json_decref(r->root_doc);
	json_decref(r->targets);
	r->root_doc = r->targets = NULL;
}

void repo_target_path(const char *name, const uint8_t sha256[32], char *out, size_t n)
{
	const char *slash = strrchr(name, '/');
	char hex[65];

	fl_hex(sha256, 32, hex);
	if (slash)
		snprintf(out, n, "targets/%.*s/%s.%s", (int)(slash - name), name, hex, slash + 1);
	else
		snprintf(out, n, "targets/%s.%s", hex, name);
}

time_t repo_expiry(const struct repo *r, enum tuf_role role)
{
	if (r->fixed_expiry)
		return r->fixed_expiry;
	return fl_now() + (time_t)r->expires_days[role] * 86400;
}

json_t *repo_sign(struct repo *r, const struct tuf_root *root, enum tuf_role role, json_t *sig,
		  struct fl_err *err)
{
	const struct tuf_rolekeys *rk = &root->roles[role];
	json_t *env = tuf_envelope(sig);
	uint64_t used = 0;

	for (int i = 0; i < r->nkeys; i++) {
		int listed = 0;

		for (size_t k = 0; k < rk->n; k++)
			listed |= !strcmp(rk->keyids[k], r->keys[i].keyid);
		if (!listed)
			continue;
		if (tuf_sign(env, r->keys[i].sk, r->keys[i].keyid)) {
			json_decref(env);
			fl_fail(err, "signing %s failed", tuf_role_names[role]);
			return NULL;
		}
		used++;
	}
	if (used < rk->threshold) {
		json_decref(env);
		fl_fail(err, "%s: only %llu of the %llu required signing keys are available",
			tuf_role_names[role], (unsigned long long)used, (unsigned long long)rk->threshold);
		return NULL;
	}
	return env;
}

int repo_write_json(const char *dir, const char *file, json_t *envelope, struct fl_buf *raw,
		    struct fl_err *err)
{
	char path[1200];
	char *text = json_dumps(envelope, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	int rc;

	if (!text)
		return fl_fail(err, "%s: out of memory", file);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	rc = fl_write_atomic(path, text, strlen(text), err);
	if (!rc && raw) {
		raw->len = 0;
		rc = fl_buf_append(raw, text, strlen(text));
	}
	free(text);
	return rc;
}

static json_t *header(const struct repo *r, enum tuf_role role, uint64_t version)
{
	char exp[32];

	fl_time_format(repo_expiry(r, role), exp);
	return json_pack("{s:s, s:s, s:I, s:s}", "_type", tuf_role_names[role], "spec_version",
			 TUF_SPEC_VERSION, "version", (json_int_t)version, "expires", exp);
}

/* Sign and write one role; raw gets the file bytes for the parent's pin. */
static int write_role(struct repo *r, enum tuf_role role, json_t *sig, const char *file,
		      struct fl_buf *raw, struct fl_err *err)
{
	json_t *env = repo_sign(r, &r->root, role, sig, err);
	int rc;

	if (!env)
		return -1;
	rc = repo_write_json(r->dir, file, env, raw, err);
	json_decref(env);
	return rc;
}

int repo_commit(struct repo *r, enum tuf_role from, struct fl_err *err)
{
	struct fl_buf raw = { 0 };
	char file[64];
	json_t *s;
	int rc = -1;

	if (from == TUF_TARGETS) {
		s = header(r, TUF_TARGETS, ++r->version[TUF_TARGETS]);
		json_object_set(s, "targets", r->targets);
		snprintf(file, sizeof(file), "%llu.targets.json", (unsigned long long)r->version[TUF_TARGETS]);
		if (write_role(r, TUF_TARGETS, s, file, &raw, err))
			goto out;
	} else {
		snprintf(file, sizeof(file), "%llu.targets.json", (unsigned long long)r->version[TUF_TARGETS]);
		char path[1200];

		snprintf(path, sizeof(path), "%s/%s", r->dir, file);
		if (fl_read_file(path, 64U << 20, &raw, err))
			goto out;
	}
	if (from == TUF_TARGETS || from == TUF_SNAPSHOT) {
		s = header(r, TUF_SNAPSHOT, ++r->version[TUF_SNAPSHOT]);
		json_object_set_new(s, "meta", json_pack("{s:o}", "targets.json",
			tuf_meta_json(r->version[TUF_TARGETS], raw.data, raw.len)));
		snprintf(file, sizeof(file), "%llu.snapshot.json", (unsigned long long)r->version[TUF_SNAPSHOT]);
		if (write_role(r, TUF_SNAPSHOT, s, file, &raw, err))
			goto out;
	} else {
		char path[1200];

		snprintf(path, sizeof(path), "%s/%llu.snapshot.json", r->dir,
			 (unsigned long long)r->version[TUF_SNAPSHOT]);
		if (fl_read_file(path, 64U << 20, &raw, err))
			goto out;
	}
	s = header(r, TUF_TIMESTAMP, ++r->version[TUF_TIMESTAMP]);
	json_object_set_new(s, "meta", json_pack("{s:o}", "snapshot.json",
		tuf_meta_json(r->version[TUF_SNAPSHOT], raw.data, raw.len)));
	rc = write_role(r, TUF_TIMESTAMP, s, "timestamp.json", NULL, err);
out:
	fl_buf_free(&raw);
	return rc;
}
