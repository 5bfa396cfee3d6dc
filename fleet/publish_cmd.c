/* bulkhead-publish: init, add, sign, rotate-root. */
#include "publish_cmd.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "castore.h"
#include "pack.h"
#include "sha256.h"
#include "policy.h"
#include "publish_image.h"
#include "repo.h"

static void apply_expiry(struct repo *r, const struct pub_args *a)
{
	if (a->expires_days > 0)
		for (int i = 0; i < TUF_NROLES; i++)
			r->expires_days[i] = a->expires_days;
	r->fixed_expiry = a->expires;
}

static json_t *root_json(const struct tuf_root *root, time_t expires)
{
	json_t *keys = json_object(), *roles = json_object();
	char exp[32];

	for (size_t i = 0; i < root->nkeys; i++)
		json_object_set_new(keys, root->keys[i].keyid, tuf_key_json(root->keys[i].pub));
	for (int r = 0; r < TUF_NROLES; r++) {
		json_t *ids = json_array();

		for (size_t k = 0; k < root->roles[r].n; k++)
			json_array_append_new(ids, json_string(root->roles[r].keyids[k]));
		json_object_set_new(roles, tuf_role_names[r], json_pack("{s:o, s:I}", "keyids", ids,
			"threshold", (json_int_t)root->roles[r].threshold));
	}
	fl_time_format(expires, exp);
	return json_pack("{s:s, s:s, s:I, s:s, s:b, s:o, s:o}", "_type", "root", "spec_version",
			 TUF_SPEC_VERSION, "version", (json_int_t)root->version, "expires", exp,
			 "consistent_snapshot", 1, "keys", keys, "roles", roles);
}

/* Put key k into role r of root (and into the key table). */
static void root_add_key(struct tuf_root *root, enum tuf_role r, const struct fl_key *k)
{
	int known = 0;

	for (size_t i = 0; i < root->nkeys; i++)
		known |= !strcmp(root->keys[i].keyid, k->keyid);
	if (!known && root->nkeys < TUF_MAX_KEYS) {
		memcpy(root->keys[root->nkeys].pub, k->pub, 32);
		snprintf(root->keys[root->nkeys++].keyid, TUF_KEYID_LEN, "%s", k->keyid);
	}
	if (root->roles[r].n < TUF_MAX_ROLE_KEYS)
		snprintf(root->roles[r].keyids[root->roles[r].n++], TUF_KEYID_LEN, "%s", k->keyid);
}

/* Drop keys that no role uses any more. */
static void root_prune_keys(struct tuf_root *root)
{
	size_t o = 0;

	for (size_t i = 0; i < root->nkeys; i++) {
		int used = 0;

		for (int r = 0; r < TUF_NROLES; r++)
			for (size_t k = 0; k < root->roles[r].n; k++)
				used |= !strcmp(root->roles[r].keyids[k], root->keys[i].keyid);
		if (used)
			root->keys[o++] = root->keys[i];
	}
	root->nkeys = o;
}

/* Sign a root with every available key of the old and the new root role,
 * check both thresholds, write N.root.json and root.json. */
static int write_root(struct repo *r, const struct tuf_root *old, const struct tuf_root *nroot,
		      struct fl_err *err)
{
	json_t *sig = root_json(nroot, repo_expiry(r, TUF_ROOT)), *env = tuf_envelope(sig), *doc, *s;
	struct fl_buf raw = { 0 };
	char file[64], *text;
	int rc = -1;

	for (int i = 0; i < r->nkeys; i++) {
		int use = 0;

		for (size_t k = 0; k < old->roles[TUF_ROOT].n; k++)
			use |= !strcmp(old->roles[TUF_ROOT].keyids[k], r->keys[i].keyid);
		for (size_t k = 0; k < nroot->roles[TUF_ROOT].n; k++)
			use |= !strcmp(nroot->roles[TUF_ROOT].keyids[k], r->keys[i].keyid);
		if (use)
			tuf_sign(env, r->keys[i].sk, r->keys[i].keyid);
	}
	text = json_dumps(env, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	if (!text || fl_buf_append(&raw, text, strlen(text))) {
		fl_fail(err, "out of memory");
		goto out;
	}
	/* the same checks a client makes */
	if (tuf_verify(raw.data, raw.len, old, TUF_ROOT, &doc, &s, err))
		goto out;
	json_decref(doc);
	if (tuf_verify(raw.data, raw.len, nroot, TUF_ROOT, &doc, &s, err))
		goto out;
	json_decref(doc);
	snprintf(file, sizeof(file), "%llu.root.json", (unsigned long long)nroot->version);
	if (repo_write_json(r->dir, file, env, NULL, err) ||
	    repo_write_json(r->dir, "root.json", env, NULL, err))
		goto out;
	rc = 0;
out:
	free(text);
	fl_buf_free(&raw);
	json_decref(env);
	return rc;
}

static int gen_key(const char *keydir, const char *role, const char *tag, struct repo *r,
		   struct fl_key *out, struct fl_err *err)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s%s.key", keydir, role, tag);
	if (keys_generate(path, role, out, err))
		return -1;
	if (r->nkeys == REPO_MAX_KEYS)
		return fl_fail(err, "too many keys");
	r->keys[r->nkeys++] = *out;
	return 0;
}

int pub_init(const struct pub_args *a, struct fl_err *err)
{
	struct tuf_root root, empty;
	struct repo r;
	char path[1200], tag[16];
	struct fl_key k;

	if (!a->keys)
		return fl_fail(err, "--keys DIR is required");
	if (a->root_keys < 1 || a->root_keys > (int)TUF_MAX_ROLE_KEYS || a->root_threshold < 1 ||
	    a->root_threshold > a->root_keys)
		return fl_fail(err, "need 1 <= --root-threshold <= --root-keys <= %u", TUF_MAX_ROLE_KEYS);
	snprintf(path, sizeof(path), "%s/root.json", a->repo);
	if (!access(path, F_OK))
		return fl_fail(err, "%s: repository already initialised", a->repo);
	snprintf(path, sizeof(path), "%s/store", a->repo);
	if (fl_mkdir_p(path, err) || fl_mkdir_p(a->keys, err))
		return -1;
	chmod(a->keys, 0700);
	memset(&r, 0, sizeof(r));
	memset(&root, 0, sizeof(root));
	snprintf(r.dir, sizeof(r.dir), "%s", a->repo);
	r.expires_days[TUF_ROOT] = 365;
	r.expires_days[TUF_TARGETS] = 90;
	r.expires_days[TUF_SNAPSHOT] = 7;
	r.expires_days[TUF_TIMESTAMP] = 1;
	apply_expiry(&r, a);
	root.version = 1;
	for (int i = 0; i < a->root_keys; i++) {
		snprintf(tag, sizeof(tag), "-%d", i + 1);
		if (gen_key(a->keys, "root", tag, &r, &k, err))
			return -1;
		root_add_key(&root, TUF_ROOT, &k);
	}
	root.roles[TUF_ROOT].threshold = (uint64_t)a->root_threshold;
	for (int role = TUF_TARGETS; role < TUF_NROLES; role++) {
		if (gen_key(a->keys, tuf_role_names[role], "", &r, &k, err))
			return -1;
		root_add_key(&root, (enum tuf_role)role, &k);
		root.roles[role].threshold = 1;
	}
	/* the first root is signed by its own keys only */
	empty = root;
	if (write_root(&r, &empty, &root, err))
		return -1;
	r.root = root;
	r.targets = json_object();
	r.version[TUF_ROOT] = 1;
	if (repo_commit(&r, TUF_TARGETS, err)) {
		json_decref(r.targets);
		return -1;
	}
	json_decref(r.targets);
	if (!a->quiet)
		printf("initialised %s (root keys %d, threshold %d), keys in %s\n", a->repo,
		       a->root_keys, a->root_threshold, a->keys);
	return 0;
}

/* Write a target file content-addressed and return its targets entry. */
static json_t *put_target(struct repo *r, const char *name, const uint8_t *data, size_t len,
			  json_t *custom, struct fl_err *err)
{
	char rel[512], path[1600];
	uint8_t h[32];
	json_t *e;

	crypto_hash_sha256(h, data, len);
	repo_target_path(name, h, rel, sizeof(rel));
	snprintf(path, sizeof(path), "%s/%s", r->dir, rel);
	if (fl_mkdir_parent(path, err) || fl_write_atomic(path, data, len, err)) {
		json_decref(custom);
		return NULL;
	}
	e = tuf_meta_json(0, data, len);
	json_object_set_new(e, "custom", custom);
	return e;
}

/* SHA-256 and length of a file (the pack, too big to hold twice in memory). */
static int hash_file(int fd, uint8_t h[32], uint64_t *len)
{
	struct stat sb;
	void *p;

	if (fstat(fd, &sb))
		return -1;
	*len = (uint64_t)sb.st_size;
	if (!*len) {
		fl_sha256("", 0, h);
		return 0;
	}
	p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	fl_sha256(p, *len, h);
	munmap(p, *len);
	return 0;
}

/* Write the pack of an image version and its pack index as targets (pack.h):
 * packs/<image>/<image>-<version>.pack and .pkx; sets pkx_name. */
static int add_pack(struct repo *r, const struct pub_args *a, const struct ca_index *idx,
		    char *pkx_name, size_t n, struct fl_err *err)
{
	char name[256], rel[512], path[1600], tmp[1700], hex[65];
	struct fl_buf pkx = { 0 };
	uint8_t h[32];
	uint64_t len;
	json_t *e;
	int fd, sfd, rc = -1;

	snprintf(name, sizeof(name), "packs/%s/%s-%llu.pack", a->image, a->image, (unsigned long long)a->version);
	snprintf(path, sizeof(path), "%s/store", r->dir);
	sfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(tmp, sizeof(tmp), "%s/targets/packs/%s/.pack.tmp.%ld", r->dir, a->image, (long)getpid());
	if (sfd < 0) {
		fl_fail(err, "%s: %s", path, strerror(errno));
		goto out_sfd;
	}
	if (fl_mkdir_parent(tmp, err))
		goto out_sfd;
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fl_fail(err, "%s: %s", tmp, strerror(errno));
		goto out_sfd;
	}
	if (pack_write(sfd, idx, fd, &pkx, err))
		goto out;
	if (fsync(fd) || hash_file(fd, h, &len)) {
		fl_fail(err, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	repo_target_path(name, h, rel, sizeof(rel));
	snprintf(path, sizeof(path), "%s/%s", r->dir, rel);
	if (rename(tmp, path)) {
		fl_fail(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	fl_hex(h, 32, hex);
	e = json_pack("{s:I, s:{s:s}, s:{s:s}}", "length", (json_int_t)len, "hashes", "sha256", hex,
		      "custom", "kind", "pack");
	json_object_set_new(r->targets, name, e);
	snprintf(pkx_name, n, "packs/%s/%s-%llu.pkx", a->image, a->image, (unsigned long long)a->version);
	e = put_target(r, pkx_name, pkx.data, pkx.len, json_pack("{s:s, s:s}", "kind", "pack-index", "pack", name), err);
	if (!e)
		goto out;
	json_object_set_new(r->targets, pkx_name, e);
	rc = 0;
out:
	close(fd);
	if (rc)
		unlink(tmp);
out_sfd:
	if (sfd >= 0)
		close(sfd);
	fl_buf_free(&pkx);
	return rc;
}

static int add_image(struct repo *r, const struct pub_args *a, struct fl_err *err)
{
	char raw[1200], name[1200], hex[65], pkx[256];
	struct image_stats st;
	struct image_job job;
	struct ca_index idx;
	struct chunker ck;
	const char *tname;
	json_t *e, *custom;
	uint8_t *ibuf;
	size_t ilen;
	int tmp, rc;

	if (!fl_valid_name(a->image) || a->version < 1 || !a->input)
		return fl_fail(err, "add needs --image NAME ([a-z0-9-_]), --version N >= 1 and --input FILE");
	json_object_foreach(r->targets, tname, e) {
		json_t *c = json_object_get(e, "custom");
		const char *img = json_string_value(json_object_get(c, "image"));
		json_int_t v = json_integer_value(json_object_get(c, "version"));

		if (img && !strcmp(img, a->image) && (uint64_t)v >= a->version)
			return fl_fail(err, "image %s already has version %lld; versions must increase",
				       a->image, (long long)v);
	}
	if (chunker_init(&ck, a->chunk_min, a->chunk_avg, a->chunk_max))
		return fl_fail(err, "bad --chunk-size (64 <= MIN <= AVG <= MAX, AVG a power of two)");
	if (image_to_raw(a->input, a->format, r->dir, raw, sizeof(raw), &tmp, err))
		return -1;
	snprintf(name, sizeof(name), "%s/store", r->dir);
	job = (struct image_job){ raw, name, &ck, a->level, a->threads, a->quiet };
	rc = image_publish(&job, &idx, &st, err);
	if (tmp)
		unlink(raw);
	if (rc)
		return -1;
	rc = caidx_serialize(&idx, &ibuf, &ilen);
	if (!rc && add_pack(r, a, &idx, pkx, sizeof(pkx), err)) {
		free(ibuf);
		caidx_free(&idx);
		return -1;
	}
	caidx_free(&idx);
	if (rc)
		return fl_fail(err, "out of memory");
	fl_hex(st.sha256, 32, hex);
	custom = json_pack("{s:s, s:s, s:I, s:I, s:s, s:I, s:s}", "kind", "image", "image", a->image,
			   "version", (json_int_t)a->version, "image_size", (json_int_t)st.size,
			   "image_sha256", hex, "chunks", (json_int_t)st.chunks, "pack_index", pkx);
	snprintf(name, sizeof(name), "images/%s/%s-%llu.caibx", a->image, a->image,
		 (unsigned long long)a->version);
	e = put_target(r, name, ibuf, ilen, custom, err);
	free(ibuf);
	if (!e)
		return -1;
	json_object_set_new(r->targets, name, e);
	if (!a->quiet)
		printf("added %s v%llu: %llu bytes, %llu chunks, %llu new (%.1f MiB compressed, zstd level %d, "
		       "%d threads), index %zu bytes\n",
		       a->image, (unsigned long long)a->version, (unsigned long long)st.size,
		       (unsigned long long)st.chunks, (unsigned long long)st.new_chunks,
		       (double)st.new_bytes_compressed / 1048576.0, a->level, a->threads, ilen);
	return 0;
}

static int add_policy(struct repo *r, const char *file, int quiet, struct fl_err *err)
{
	struct fl_buf b = { 0 };
	struct policy p;
	char name[128];
	json_int_t version;
	json_t *e;

	if (fl_read_file(file, 1U << 20, &b, err))
		return -1;
	if (policy_parse(b.data, b.len, &p, err)) {
		fl_fail(err, "%s: %s", file, err->msg);
		fl_buf_free(&b);
		return -1;
	}
	snprintf(name, sizeof(name), "policy/%s.json", p.vm_role);
	/* each policy of a role is a new version, one above the one it replaces:
	 * devices apply a policy version only upward (sync_cmd.c) */
	version = json_integer_value(json_object_get(json_object_get(json_object_get(r->targets, name), "custom"),
						     "version")) + 1;
	e = put_target(r, name, b.data, b.len, json_pack("{s:s, s:s, s:I, s:I}", "kind", "policy",
		       "vm_role", p.vm_role, "offline_lease_days", (json_int_t)p.offline_lease_days, "version",
		       version), err);
	fl_buf_free(&b);
	if (!e)
		return -1;
	json_object_set_new(r->targets, name, e);
	if (!quiet)
		printf("added policy for VM role %s, version %lld (offline lease %lld days)\n", p.vm_role,
		       (long long)version, (long long)p.offline_lease_days);
	return 0;
}

int pub_add(const struct pub_args *a, struct fl_err *err)
{
	struct repo r;
	int rc = -1;

	if (!a->keys)
		return fl_fail(err, "--keys DIR is required");
	if (!a->image && !a->npolicies)
		return fl_fail(err, "nothing to add: give --image/--version/--input and/or --policy");
	if (repo_open(&r, a->repo, a->keys, err))
		return -1;
	apply_expiry(&r, a);
	for (int i = 0; i < a->npolicies; i++)
		if (add_policy(&r, a->policies[i], a->quiet, err))
			goto out;
	if (a->image && add_image(&r, a, err))
		goto out;
	rc = repo_commit(&r, TUF_TARGETS, err);
	if (!rc && !a->quiet)
		printf("published targets v%llu, snapshot v%llu, timestamp v%llu\n",
		       (unsigned long long)r.version[TUF_TARGETS], (unsigned long long)r.version[TUF_SNAPSHOT],
		       (unsigned long long)r.version[TUF_TIMESTAMP]);
out:
	repo_close(&r);
	return rc;
}

static int parse_role(const char *s, enum tuf_role *out)
{
	for (int i = 0; i < TUF_NROLES; i++)
		if (s && !strcmp(s, tuf_role_names[i])) {
			*out = (enum tuf_role)i;
			return 0;
		}
	return -1;
}

int pub_sign(const struct pub_args *a, struct fl_err *err)
{
	enum tuf_role role;
	struct tuf_root nroot;
	struct repo r;
	int rc;

	if (!a->keys || parse_role(a->role, &role))
		return fl_fail(err, "sign needs --keys DIR and --role root|targets|snapshot|timestamp");
	if (repo_open(&r, a->repo, a->keys, err))
		return -1;
	apply_expiry(&r, a);
	if (role == TUF_ROOT) {
		nroot = r.root;
		nroot.version++;
		rc = write_root(&r, &r.root, &nroot, err);
	} else {
		rc = repo_commit(&r, role, err);
	}
	if (!rc && !a->quiet && role == TUF_ROOT)
		printf("re-signed root (v%llu)\n", (unsigned long long)nroot.version);
	else if (!rc && !a->quiet)
		printf("re-signed %s and the roles below it (timestamp v%llu)\n", tuf_role_names[role],
		       (unsigned long long)r.version[TUF_TIMESTAMP]);
	repo_close(&r);
	return rc;
}

/* Move a retired key file out of the signing directory. */
static void retire_key(const char *keydir, const struct fl_key *k)
{
	char dir[1024], path[1600];
	const char *base = strrchr(k->path, '/');

	snprintf(dir, sizeof(dir), "%s/revoked", keydir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/%s", dir, base ? base + 1 : k->path);
	if (rename(k->path, path))
		fprintf(stderr, "bulkhead-publish: warning: %s: %s\n", k->path, strerror(errno));
}

int pub_rotate_root(const struct pub_args *a, struct fl_err *err)
{
	enum tuf_role role = TUF_ROOT;
	struct tuf_root old, nroot;
	struct repo r;
	char tag[32];
	int rc = -1, threshold = a->threshold, nold;

	if (!a->keys || (a->role && parse_role(a->role, &role)))
		return fl_fail(err, "rotate-root needs --keys DIR [--role root|targets|snapshot|timestamp]");
	if (a->count < 1 || a->count > (int)TUF_MAX_ROLE_KEYS || threshold < 1 || threshold > a->count)
		return fl_fail(err, "need 1 <= --threshold <= --count <= %u", TUF_MAX_ROLE_KEYS);
	if (repo_open(&r, a->repo, a->keys, err))
		return -1;
	apply_expiry(&r, a);
	old = nroot = r.root;
	nroot.version++;
	nroot.roles[role].n = 0;
	nroot.roles[role].threshold = (uint64_t)threshold;
	nold = r.nkeys;
	for (int i = 0; i < a->count; i++) {
		struct fl_key k;

		snprintf(tag, sizeof(tag), "-v%llu-%d", (unsigned long long)nroot.version, i + 1);
		if (gen_key(a->keys, tuf_role_names[role], tag, &r, &k, err))
			goto out;
		root_add_key(&nroot, role, &k);
	}
	root_prune_keys(&nroot);
	if (write_root(&r, &old, &nroot, err)) {
		for (int i = nold; i < r.nkeys; i++) /* an unused new key must not linger */
			unlink(r.keys[i].path);
		goto out;
	}
	for (int i = 0; i < nold; i++)
		for (size_t k = 0; k < old.roles[role].n; k++)
			if (!strcmp(old.roles[role].keyids[k], r.keys[i].keyid))
				retire_key(a->keys, &r.keys[i]);
	r.root = nroot;
	r.version[TUF_ROOT] = nroot.version;
	rc = role == TUF_ROOT ? 0 : repo_commit(&r, role, err);
	if (!rc && !a->quiet)
		printf("root v%llu: %s role now has %d new key(s), threshold %d; old keys moved to %s/revoked\n",
		       (unsigned long long)nroot.version, tuf_role_names[role], a->count, threshold, a->keys);
out:
	repo_close(&r);
	return rc;
}
