/* bulkhead-sync: verify the TUF chain, fetch the delta, switch atomically. */
#include "sync_cmd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caidx.h"
#include "castore.h"
#include "sync_checkin.h"
#include "fetch.h"
#include "policy.h"
#include "state.h"
#include "sync_apply.h"
#include "targets.h"
#include "tuf_client.h"

#define MAX_POLICIES 32

struct client {
	const struct sync_args *a;
	int fd[4]; /* subdirectories of the state directory, opened with O_NOFOLLOW */
	struct sync_state st;
	int have_state;
	struct tuf_trust trust;
	struct src *src;
};

enum { P_META, P_STORE, P_IMAGES, P_POLICY };

static const char *const subdir_names[] = { "metadata", "store", "images", "policy" };

/* Every name below is one component under an fd of the state directory: no
 * path through a planted symlink is ever opened, written or removed. */
static void image_name(const struct client *c, uint64_t v, const char *ext, char *out, size_t n)
{
	snprintf(out, n, "%.63s-%llu.%s", c->st.image, (unsigned long long)v, ext);
}

/* Point images/<name>.img at the installed version (atomic symlink swap). */
static int link_current(const struct client *c, struct fl_err *err)
{
	char target[256], link[128], tmp[160];
	int d = c->fd[P_IMAGES];

	if (!c->st.installed)
		return 0;
	image_name(c, c->st.installed, "img", target, sizeof(target));
	snprintf(link, sizeof(link), "%.63s.img", c->st.image);
	snprintf(tmp, sizeof(tmp), "%s.lnk.tmp", link);
	unlinkat(d, tmp, 0);
	if (symlinkat(target, d, tmp) || renameat(d, tmp, d, link))
		return fl_fail(err, "images/%s: %s", link, strerror(errno));
	fsync(d);
	return 0;
}

/* Remove leftovers of interrupted runs and versions older than previous. */
static void tidy_images(const struct client *c)
{
	int fd = dup(c->fd[P_IMAGES]);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	char keep[4][256];

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	image_name(c, c->st.installed, "img", keep[0], 256);
	image_name(c, c->st.installed, "caibx", keep[1], 256);
	image_name(c, c->st.previous, "img", keep[2], 256);
	image_name(c, c->st.previous, "caibx", keep[3], 256);
	while ((e = readdir(d))) {
		size_t l = strlen(c->st.image);
		int ours = !strncmp(e->d_name, c->st.image, l) && e->d_name[l] == '-';

		if (!ours || !strcmp(e->d_name, keep[0]) || !strcmp(e->d_name, keep[1]) ||
		    !strcmp(e->d_name, keep[2]) || !strcmp(e->d_name, keep[3]))
			continue;
		unlinkat(c->fd[P_IMAGES], e->d_name, 0);
	}
	closedir(d);
}

static int load_trust(struct client *c, struct fl_err *err)
{
	struct fl_buf raw[TUF_NROLES] = { { 0 } };
	char p[1300];
	int rc, had_trust;

	for (int r = 0; r < TUF_NROLES; r++) {
		snprintf(p, sizeof(p), "%s.json", tuf_role_names[r]);
		if (!faccessat(c->fd[P_META], p, F_OK, AT_SYMLINK_NOFOLLOW) &&
		    fl_read_at(c->fd[P_META], p, 1U << 26, &raw[r], err))
			goto fail;
	}
	had_trust = raw[TUF_ROOT].len != 0;
	if (!had_trust) {
		if (!c->a->root) {
			fl_fail(err, "no trusted root yet: give --root PINNED_ROOT for the first sync");
			goto fail;
		}
		if (fl_read_file(c->a->root, 1U << 20, &raw[TUF_ROOT], err))
			goto fail;
	}
	rc = tuf_trust_load(&c->trust, raw, err);
	if (!rc && c->a->root && had_trust)
		fprintf(stderr, "bulkhead-sync: --root %s ignored: %s already trusts root v%llu "
			"(a pinned root is used only for the first sync)\n", c->a->root, c->a->dir,
			(unsigned long long)c->trust.version[TUF_ROOT]);
	for (int r = 0; r < TUF_NROLES; r++)
		fl_buf_free(&raw[r]);
	return rc;
fail:
	for (int r = 0; r < TUF_NROLES; r++)
		fl_buf_free(&raw[r]);
	return -1;
}

static int save_trust(const struct client *c, struct fl_err *err)
{
	char p[1300];

	for (int r = 0; r < TUF_NROLES; r++) {
		snprintf(p, sizeof(p), "%s.json", tuf_role_names[r]);
		if (fl_write_atomic_at(c->fd[P_META], p, c->trust.raw[r].data, c->trust.raw[r].len, err))
			return -1;
		fl_crash_point();
	}
	return 0;
}

struct fetched_policy {
	struct policy p;
	struct fl_buf body;
	char sha[65];
	int64_t version; /* the signed custom "version" (0 for a policy published without one) */
};

/* The policy version this device applied for a role (0: none, or one
 * published before policies had versions). */
static int64_t applied_policy_version(const struct client *c, const char *role)
{
	return json_integer_value(json_object_get(json_object_get(c->st.policies, role), "version"));
}

/* Fetch and check the VM-role policies the targets list: every one, or with
 * only set just the target policy/<only>.json, and then, if only_version is
 * not 0, only if it is signed as that version. A signed version below the
 * one applied for its role is refused (rollback), as for images. */
static int fetch_policies(struct client *c, const char *only, int64_t only_version, struct fetched_policy *out,
			  int *n, struct fl_err *err)
{
	json_t *targets = json_object_get(c->trust.sig[TUF_TARGETS], "targets"), *e;
	const char *name;
	char want[128];

	*n = 0;
	snprintf(want, sizeof(want), "policy/%.63s.json", only ? only : "");
	json_object_foreach(targets, name, e) {
		json_t *custom = json_object_get(e, "custom"), *ver = json_object_get(custom, "version");
		const char *kind = json_string_value(json_object_get(custom, "kind"));
		struct fetched_policy *fp = &out[*n];
		struct tuf_meta m;

		if (!kind || strcmp(kind, "policy") || (only && strcmp(name, want)))
			continue;
		if (*n == MAX_POLICIES)
			return fl_fail(err, "targets metadata: too many policies");
		if (ver && (!json_is_integer(ver) || json_integer_value(ver) < 1))
			return fl_fail(err, "%s: signed policy version is not a number >= 1", name);
		memset(fp, 0, sizeof(*fp));
		(*n)++;
		fp->version = ver ? json_integer_value(ver) : 0;
		if (tuf_meta_get(targets, name, 0, &m, err) || targets_fetch(c->src, name, &m, &fp->body, err))
			return -1;
		if (policy_parse(fp->body.data, fp->body.len, &fp->p, err))
			return fl_fail(err, "%s: %s", name, err->msg);
		if (fp->version < applied_policy_version(c, fp->p.vm_role))
			return fl_fail(err, "%s: signed version %lld is older than applied v%lld (rollback refused)", name,
				       (long long)fp->version, (long long)applied_policy_version(c, fp->p.vm_role));
		if (only && only_version && fp->version != only_version)
			return fl_fail(err, "%s: the repository signs version %lld, the assignment is version %lld "
				       "(nothing applied)", name, (long long)fp->version, (long long)only_version);
		fl_hex(m.sha256, 32, fp->sha);
	}
	if (only && !*n)
		return fl_fail(err, "repository has no signed policy \"%s\" (the assigned one)", only);
	return 0;
}

/* --assigned: what the console assigned (STATE_DIR/assignment.json, kept by
 * bulkhead-sync checkin from a signed answer). *cap: the highest version this
 * sync may install, the assigned version of this image; without one, the
 * installed version (no update), or no bound for a first install. policy:
 * the one policy this sync applies, the assigned one ("" without an
 * assignment: none, the applied policies stay); *pver: its assigned version
 * (0 when the assignment names none: a rollout from before policy
 * versions, or an older check-in service). Only a version the signed
 * targets list is ever installed or applied, and never one below the
 * installed (rollback refused): the console chooses among signed versions,
 * it cannot add one. */
static int read_assignment(const struct client *c, uint64_t *cap, char policy[64], int64_t *pver,
			   struct fl_err *err)
{
	struct fl_buf b = { 0 };
	json_t *j, *pv;
	const char *img, *pol;
	json_int_t v;

	*cap = c->st.installed;
	*pver = 0;
	policy[0] = '\0';
	if (faccessat(c->a->dirfd, SYNC_ASSIGNMENT_FILE, F_OK, AT_SYMLINK_NOFOLLOW))
		return 0;
	if (fl_read_at(c->a->dirfd, SYNC_ASSIGNMENT_FILE, 4096, &b, err))
		return -1;
	j = json_loadb((const char *)b.data, b.len, 0, NULL);
	fl_buf_free(&b);
	img = json_string_value(json_object_get(j, "image"));
	pol = json_string_value(json_object_get(j, "policy"));
	v = json_integer_value(json_object_get(j, "version"));
	pv = json_object_get(j, "policy_version");
	if (!img || v < 1 || !fl_valid_name(pol) ||
	    (pv && !json_is_null(pv) && (!json_is_integer(pv) || json_integer_value(pv) < 1))) {
		json_decref(j);
		return fl_fail(err, "%s: malformed", SYNC_ASSIGNMENT_FILE);
	}
	if (!strcmp(img, c->a->image))
		*cap = (uint64_t)v;
	snprintf(policy, 64, "%s", pol);
	*pver = json_is_integer(pv) ? json_integer_value(pv) : 0;
	json_decref(j);
	return 0;
}

/* The lease a role had before this sync; the epoch (already expired) if none. */
static const char *old_lease(const struct client *c, const char *role)
{
	const char *t = json_string_value(json_object_get(json_object_get(c->st.policies, role), "lease_expires"));
	time_t when;

	return t && !fl_time_parse(t, &when) ? t : "1970-01-01T00:00:00Z";
}

/* Leases are renewed at each sync, unless the check-in service said this
 * device is revoked (STATE_DIR/revoked, written by bulkhead-sync checkin).
 * keep: the policies applied before and not fetched now stay (--assigned),
 * their leases renewed likewise from their own offline_lease_days; else the
 * fetched ones replace them all. */
static int save_policies(struct client *c, struct fetched_policy *fp, int n, int keep, time_t now,
			 struct fl_err *err)
{
	json_t *pol = json_object(), *old;
	const char *role;
	char p[1300], when[32];
	int revoked = !faccessat(c->a->dirfd, SYNC_REVOKED_FILE, F_OK, AT_SYMLINK_NOFOLLOW);

	json_object_foreach(keep ? c->st.policies : NULL, role, old) {
		json_t *kept = json_deep_copy(old);

		fl_time_format(now + (time_t)json_integer_value(json_object_get(old, "offline_lease_days")) * 86400, when);
		if (!revoked)
			json_object_set_new(kept, "lease_expires", json_string(when));
		json_object_set_new(pol, role, kept);
	}

	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%.63s.json", fp[i].p.vm_role); /* policy_parse checked the name */
		if (fl_write_atomic_at(c->fd[P_POLICY], p, fp[i].body.data, fp[i].body.len, err)) {
			json_decref(pol);
			return -1;
		}
		fl_time_format(now + (time_t)fp[i].p.offline_lease_days * 86400, when);
		if (revoked) /* a revoked device keeps the lease it had, or none */
			snprintf(when, sizeof(when), "%s", old_lease(c, fp[i].p.vm_role));
		json_object_set_new(pol, fp[i].p.vm_role, json_pack("{s:s, s:I, s:s, s:I}", "sha256", fp[i].sha,
			"offline_lease_days", (json_int_t)fp[i].p.offline_lease_days, "lease_expires", when,
			"version", (json_int_t)fp[i].version));
	}
	if (c->st.policies)
		json_decref(c->st.policies);
	c->st.policies = pol;
	return 0;
}

static void print_result(const struct client *c, const char *status, const struct apply_stats *as)
{
	json_t *j = state_to_json(&c->st);
	char *t;

	json_object_set_new(j, "status", json_string(status));
	json_object_set_new(j, "bytes_fetched", json_integer((json_int_t)src_bytes(c->src)));
	json_object_set_new(j, "requests", json_integer((json_int_t)src_requests(c->src)));
	json_object_set_new(j, "chunks", json_integer((json_int_t)as->chunks));
	json_object_set_new(j, "chunks_unique", json_integer((json_int_t)as->unique));
	json_object_set_new(j, "chunks_fetched", json_integer((json_int_t)as->fetched));
	json_object_set_new(j, "chunks_from_seed", json_integer((json_int_t)as->from_seed));
	json_object_set_new(j, "chunks_from_store", json_integer((json_int_t)as->from_store));
	json_object_set_new(j, "pack", json_string(as->pack[0] ? as->pack : "not needed"));
	json_object_set_new(j, "crash_points", json_integer((json_int_t)fl_crash_points_passed()));
	if (c->a->json) {
		t = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		printf("%s\n", t);
		free(t);
	} else if (!c->a->quiet) {
		printf("%s: %s v%llu (previous v%llu), fetched %llu bytes in %llu requests\n", status,
		       c->st.image, (unsigned long long)c->st.installed, (unsigned long long)c->st.previous,
		       (unsigned long long)src_bytes(c->src), (unsigned long long)src_requests(c->src));
	}
	json_decref(j);
}

static void close_client(struct client *c)
{
	for (int i = P_META; i <= P_POLICY; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	state_free(&c->st);
}

static int open_client(struct client *c, const struct sync_args *a, struct fl_err *err)
{
	int st;

	memset(c, 0, sizeof(*c));
	c->a = a;
	for (int i = P_META; i <= P_POLICY; i++)
		c->fd[i] = -1;
	/* the publisher's name rule: an image name never leaves images/ */
	if (a->image && !fl_valid_name(a->image))
		return fl_fail(err, "--image \"%.64s\": not a valid image name (1 to 63 of [a-z0-9-_])",
			       a->image);
	for (int i = P_META; i <= P_POLICY; i++) {
		c->fd[i] = fl_subdir_at(a->dirfd, subdir_names[i], 1, err);
		if (c->fd[i] < 0 && i == P_STORE && (errno == ELOOP || errno == ENOTDIR)) {
			/* the store is a cache: a symlink planted in its place goes */
			unlinkat(a->dirfd, subdir_names[i], 0);
			c->fd[i] = fl_subdir_at(a->dirfd, subdir_names[i], 1, err);
		}
		if (c->fd[i] < 0)
			return -1;
	}
	st = state_load(a->dirfd, &c->st, err);
	if (st < 0)
		return -1;
	c->have_state = st == 0;
	if (a->image && c->have_state && strcmp(c->st.image, a->image))
		return fl_fail(err, "state directory holds image %s, not %s", c->st.image, a->image);
	if (a->image)
		snprintf(c->st.image, sizeof(c->st.image), "%s", a->image);
	/* recovery: the state file is the truth; the symlink follows it */
	if (c->have_state && link_current(c, err))
		return -1;
	return 0;
}

static int install(struct client *c, const struct image_target *t, struct apply_stats *as,
		   struct fl_err *err)
{
	struct ca_index idx = { 0 }, seed_idx = { 0 };
	struct fl_buf ib = { 0 }, sb = { 0 };
	char out[128], ipath[128], seed[128];
	int imgs = c->fd[P_IMAGES];
	struct apply_job j;
	struct pack_map pack = { 0 };
	struct fl_err perr;
	char pack_rel[600];
	int rc = -1, have_seed = 0;

	memset(&j, 0, sizeof(j));

	if (targets_fetch(c->src, t->name, &t->meta, &ib, err) || caidx_parse(ib.data, ib.len, &idx, err) ||
	    sync_check_index(&idx, t, err))
		goto out;
	if (c->st.installed) {
		image_name(c, c->st.installed, "caibx", ipath, sizeof(ipath));
		image_name(c, c->st.installed, "img", seed, sizeof(seed));
		have_seed = !fl_read_at(imgs, ipath, 1U << 30, &sb, NULL) &&
			    !caidx_parse(sb.data, sb.len, &seed_idx, NULL) &&
			    !faccessat(imgs, seed, R_OK, AT_SYMLINK_NOFOLLOW);
	}
	/* a local mirror reads chunk files at no cost per request: no pack */
	if (!src_is_http(c->src))
		j.pack_note = "not used (local mirror)";
	else if (targets_pack(c->src, json_object_get(c->trust.sig[TUF_TARGETS], "targets"), t, &idx,
			      &pack, pack_rel, sizeof(pack_rel), &perr) == 0)
		j.pack = &pack, j.pack_rel = pack_rel;
	else
		j.pack_note = perr.msg;
	image_name(c, t->version, "img", out, sizeof(out));
	j.src = c->src;
	j.store = c->fd[P_STORE];
	j.images = imgs;
	j.seed_image = have_seed ? seed : NULL;
	j.seed_index = &seed_idx;
	j.index = &idx;
	j.target = t;
	j.out = out;
	j.quiet = c->a->quiet;
	if (sync_apply(&j, as, err))
		goto out;
	image_name(c, t->version, "caibx", ipath, sizeof(ipath));
	if (fl_write_atomic_at(imgs, ipath, ib.data, ib.len, err))
		goto out;
	fl_crash_point();
	rc = 0;
out:
	caidx_free(&idx);
	caidx_free(&seed_idx);
	pack_map_free(&pack);
	fl_buf_free(&ib);
	fl_buf_free(&sb);
	return rc;
}

int sync_run(const struct sync_args *a, struct fl_err *err)
{
	struct fetched_policy pol[MAX_POLICIES];
	struct apply_stats as = { 0 };
	struct image_target t;
	struct client c;
	const char *status = "up-to-date";
	int npol = 0, rc = -1, st;
	uint64_t cap = 0;
	char assigned_policy[64] = "";
	int64_t assigned_policy_version = 0;
	time_t now = fl_now();

	memset(pol, 0, sizeof(pol));
	if (open_client(&c, a, err) || load_trust(&c, err) || !(c.src = src_open(a->repo, err)))
		goto out;
	if (tuf_trust_refresh(&c.trust, targets_src_fetch, c.src, now, err))
		goto out;
	if (a->assigned && read_assignment(&c, &cap, assigned_policy, &assigned_policy_version, err))
		goto out;
	st = targets_latest_image(json_object_get(c.trust.sig[TUF_TARGETS], "targets"), a->image, cap, &t, err);
	if (st == 1 && cap)
		fl_fail(err, "repository has no signed %s version up to v%llu (the assigned one)", a->image,
			(unsigned long long)cap);
	else if (st == 1)
		fl_fail(err, "repository has no image \"%s\"", a->image);
	if (st)
		goto out;
	if (t.version < c.st.installed) {
		fl_fail(err, "repository offers %s v%llu, older than installed v%llu (rollback refused)",
			a->image, (unsigned long long)t.version, (unsigned long long)c.st.installed);
		goto out;
	}
	if (t.version == c.st.installed && memcmp(t.sha256, c.st.installed_sha256, 32)) {
		fl_fail(err, "repository changed the contents of installed v%llu (refused)",
			(unsigned long long)t.version);
		goto out;
	}
	/* --assigned: the assigned policy only, or none without an assignment */
	if ((!a->assigned || assigned_policy[0]) &&
	    fetch_policies(&c, a->assigned ? assigned_policy : NULL, assigned_policy_version, pol, &npol, err))
		goto out;
	if (t.version > c.st.installed) {
		if (install(&c, &t, &as, err))
			goto out;
		c.st.previous = c.st.installed;
		memcpy(c.st.previous_sha256, c.st.installed_sha256, 32);
		c.st.installed = t.version;
		memcpy(c.st.installed_sha256, t.sha256, 32);
		status = "updated";
	}
	/* commit: trusted metadata, policies, then the state file, then the link */
	if (save_trust(&c, err) || save_policies(&c, pol, npol, a->assigned, now, err))
		goto out;
	c.st.last_checkin = now;
	if (state_save(a->dirfd, &c.st, err))
		goto out;
	fl_crash_point();
	if (link_current(&c, err))
		goto out;
	tidy_images(&c);
	castore_empty(c.fd[P_STORE]); /* every chunk now lives in an installed image */
	print_result(&c, status, &as);
	rc = 0;
out:
	for (int i = 0; i < MAX_POLICIES; i++)
		fl_buf_free(&pol[i].body);
	src_close(c.src);
	tuf_trust_free(&c.trust);
	close_client(&c);
	return rc;
}

int sync_status(const struct sync_args *a, struct fl_err *err)
{
	struct sync_state st;
	char when[32];
	json_t *j;
	char *t;
	int r;

	r = state_load(a->dirfd, &st, err);
	if (r == 1)
		return fl_fail(err, "%s: nothing installed yet", a->dir);
	if (r)
		return -1;
	j = state_to_json(&st);
	fl_time_format(fl_now(), when);
	json_object_set_new(j, "now", json_string(when));
	if (a->json) {
		t = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		printf("%s\n", t);
	} else {
		t = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("%s\n", t);
	}
	free(t);
	json_decref(j);
	state_free(&st);
	return 0;
}

int sync_rollback(const struct sync_args *a, struct fl_err *err)
{
	struct client c;
	char img[128];
	uint64_t v;
	uint8_t h[32];
	int rc = -1;

	if (open_client(&c, a, err))
		goto out;
	if (!c.have_state || !c.st.previous) {
		fl_fail(err, "no previous version to roll back to");
		goto out;
	}
	image_name(&c, c.st.previous, "img", img, sizeof(img));
	if (faccessat(c.fd[P_IMAGES], img, R_OK, AT_SYMLINK_NOFOLLOW)) {
		fl_fail(err, "images/%s: %s", img, strerror(errno));
		goto out;
	}
	v = c.st.installed;
	memcpy(h, c.st.installed_sha256, 32);
	c.st.installed = c.st.previous;
	memcpy(c.st.installed_sha256, c.st.previous_sha256, 32);
	c.st.previous = v;
	memcpy(c.st.previous_sha256, h, 32);
	if (state_save(a->dirfd, &c.st, err) || link_current(&c, err))
		goto out;
	if (!a->quiet)
		printf("rolled back %s to v%llu\n", c.st.image, (unsigned long long)c.st.installed);
	rc = 0;
out:
	close_client(&c);
	return rc;
}
