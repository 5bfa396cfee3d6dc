/* Signed targets: image versions, policies, target file fetch. */
#include "targets.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "repo.h"

#define MAX_TARGET_SIZE (256U << 20)

static int safe_name(const char *s)
{
	return s[0] != '/' && !strstr(s, "..") && !strchr(s, '\\') && strlen(s) < 200;
}

static const char *safe_name_or_empty(const char *s)
{
	return s && safe_name(s) ? s : "";
}

int targets_latest_image(const json_t *targets, const char *image, uint64_t at_most, struct image_target *out,
			 struct fl_err *err)
{
	const char *name;
	json_t *e;
	int found = 0;

	memset(out, 0, sizeof(*out));
	json_object_foreach((json_t *)targets, name, e) {
		json_t *c = json_object_get(e, "custom");
		const char *kind = json_string_value(json_object_get(c, "kind"));
		const char *img = json_string_value(json_object_get(c, "image"));
		json_t *v = json_object_get(c, "version"), *sz = json_object_get(c, "image_size");
		json_t *nc = json_object_get(c, "chunks");
		const char *h = json_string_value(json_object_get(c, "image_sha256"));
		struct image_target t;

		if (!kind || strcmp(kind, "image") || !img || strcmp(img, image))
			continue;
		memset(&t, 0, sizeof(t));
		if (!safe_name(name) || !json_is_integer(v) || json_integer_value(v) < 1 ||
		    !json_is_integer(sz) || json_integer_value(sz) < 1 || !h ||
		    (nc && (!json_is_integer(nc) || json_integer_value(nc) < 1)) ||
		    fl_unhex(h, t.sha256, 32) || tuf_meta_get(targets, name, 0, &t.meta, err))
			return fl_fail(err, "targets metadata: malformed image entry %.64s", name);
		t.version = (uint64_t)json_integer_value(v);
		t.size = (uint64_t)json_integer_value(sz);
		t.chunks = nc ? (uint64_t)json_integer_value(nc) : 0;
		snprintf(t.pack_index, sizeof(t.pack_index), "%s",
			 safe_name_or_empty(json_string_value(json_object_get(c, "pack_index"))));
		snprintf(t.name, sizeof(t.name), "%s", name);
		if (at_most && t.version > at_most)
			continue;
		if (!found || t.version > out->version)
			*out = t;
		found = 1;
	}
	return found ? 0 : 1;
}

int targets_fetch(struct src *s, const char *name, const struct tuf_meta *m, struct fl_buf *out,
		  struct fl_err *err)
{
	char rel[512];
	uint8_t h[32];
	int st;

	if (!safe_name(name))
		return fl_fail(err, "target %.64s: unsafe name", name);
	if (m->length > MAX_TARGET_SIZE)
		return fl_fail(err, "target %s: too large", name);
	repo_target_path(name, m->sha256, rel, sizeof(rel));
	st = src_get(s, rel, (size_t)m->length, out, err);
	if (st == 1)
		return fl_fail(err, "target %s: not found in repository", name);
	if (st == 2)
		return fl_fail(err, "target %s: HTTP status 403", name);
	if (st)
		return -1;
	crypto_hash_sha256(h, out->data, out->len);
	if (out->len != m->length || sodium_memcmp(h, m->sha256, 32))
		return fl_fail(err, "target %s: length or hash differs from signed targets (tampered?)", name);
	return 0;
}

int targets_pack(struct src *s, const json_t *targets, const struct image_target *t,
		 const struct ca_index *idx, struct pack_map *map, char *pack_rel, size_t n,
		 struct fl_err *err)
{
	struct fl_buf b = { 0 };
	struct tuf_meta pm, km;
	const char *pack;
	int rc = -1;

	if (!t->pack_index[0])
		return fl_fail(err, "not offered");
	pack = json_string_value(json_object_get(json_object_get(json_object_get(targets, t->pack_index),
								 "custom"), "pack"));
	if (!pack || !safe_name(pack) || tuf_meta_get(targets, t->pack_index, 0, &km, err) ||
	    tuf_meta_get(targets, pack, 0, &pm, err))
		return fl_fail(err, "targets metadata: malformed pack entry for %.64s", t->name);
	if (km.length > (uint64_t)PACK_HDR_SIZE + 4U * (uint64_t)idx->n)
		return fl_fail(err, "pack index: larger than its image index allows");
	if (!targets_fetch(s, t->pack_index, &km, &b, err) && !pack_parse(b.data, b.len, idx, pm.length, map, err)) {
		repo_target_path(pack, pm.sha256, pack_rel, n);
		rc = 0;
	}
	fl_buf_free(&b);
	return rc;
}

int targets_src_fetch(void *ctx, const char *rel, size_t max, struct fl_buf *out, struct fl_err *err)
{
	return src_get(ctx, rel, max, out, err);
}
