/* A simulated bulkhead-sync for many devices in one process (sim_sync.h). */
#include "sim_sync.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "repo.h"
#include "targets.h"
#include "tuf_client.h"

static size_t sink(char *p, size_t sz, size_t n, void *arg)
{
	return fl_buf_append(arg, p, sz * n) ? 0 : sz * n;
}

static void start(struct sim_sync_ctx *x, CURLM *m, struct sim_sync *c, CURL *h, const char *rel)
{
	char url[1024];

	snprintf(url, sizeof(url), "%s/%s", x->base, rel);
	c->body.len = 0;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_multi_add_handle(m, h);
	x->requests++;
}

static int mem_fetch(void *ctx, const char *rel, size_t max, struct fl_buf *out, struct fl_err *err)
{
	struct sim_sync *c = ctx;
	const struct fl_buf *b = NULL;

	if (!strcmp(rel, "2.root.json"))
		return 1;
	if (!strcmp(rel, "timestamp.json"))
		b = &c->meta[1];
	else if (!strcmp(rel, c->snap_name))
		b = &c->meta[2];
	else if (!strcmp(rel, c->targ_name))
		b = &c->meta[3];
	if (!b)
		return fl_fail(err, "%s was not fetched", rel);
	if (b->len > max)
		return fl_fail(err, "%s too large", rel);
	out->len = 0;
	return fl_buf_append(out, b->data, b->len);
}

static int64_t v1_has(const struct sim_sync_ctx *x, const uint8_t *id)
{
	uint64_t h;

	memcpy(&h, id, 8);
	for (size_t i = h & (x->v1cap - 1); x->v1slot[i] >= 0; i = (i + 1) & (x->v1cap - 1))
		if (!memcmp(x->v1.items[x->v1slot[i]].id, id, 32))
			return x->v1slot[i];
	return -1;
}

/* Name of the next metadata file, read (unverified) from its parent; the
 * full verification happens once everything is here. */
static int next_name(const struct fl_buf *b, const char *key, const char *suffix, char *out)
{
	json_t *j = json_loadb((const char *)b->data, b->len, 0, NULL);
	json_int_t v = json_integer_value(json_object_get(json_object_get(
		json_object_get(json_object_get(j, "signed"), "meta"), key), "version"));

	json_decref(j);
	snprintf(out, 64, "%lld.%s", (long long)v, suffix);
	return v > 0 ? 0 : -1;
}

static int verify_chain(const struct sim_sync_ctx *x, struct sim_sync *c, struct fl_err *err)
{
	struct fl_buf raw[TUF_NROLES] = { { 0 } };
	struct image_target t;
	struct tuf_trust tr;
	int rc;

	fl_buf_append(&raw[TUF_ROOT], x->pinned.data, x->pinned.len);
	rc = tuf_trust_load(&tr, raw, err);
	fl_buf_free(&raw[TUF_ROOT]);
	if (rc)
		return -1;
	rc = tuf_trust_refresh(&tr, mem_fetch, c, time(NULL), err);
	if (!rc)
		rc = targets_latest_image(json_object_get(tr.sig[TUF_TARGETS], "targets"), x->image, c->at_most, &t,
					  err);
	if (!rc) {
		c->index_pin = t.meta;
		c->version = t.version;
		snprintf(c->index_name, sizeof(c->index_name), "%s", t.name);
	}
	tuf_trust_free(&tr);
	return rc ? -1 : 0;
}

static int take_index(const struct sim_sync_ctx *x, struct sim_sync *c, struct fl_err *err)
{
	struct ca_index ix;
	uint8_t h[32];

	crypto_hash_sha256(h, c->body.data, c->body.len);
	if (c->body.len != c->index_pin.length || memcmp(h, c->index_pin.sha256, 32))
		return fl_fail(err, "index hash mismatch");
	if (caidx_parse(c->body.data, c->body.len, &ix, err))
		return -1;
	size_t cap = 16, *seen;

	while (cap < 2 * ix.n)
		cap *= 2;
	seen = calloc(cap, sizeof(*seen)); /* need index + 1, 0 = empty */
	c->need = malloc(ix.n * sizeof(*c->need));
	for (size_t i = 0; i < ix.n; i++) {
		uint64_t hv;
		size_t k;

		if (v1_has(x, ix.items[i].id) >= 0)
			continue;
		memcpy(&hv, ix.items[i].id, 8);
		for (k = hv & (cap - 1); seen[k] && memcmp(c->need[seen[k] - 1].id, ix.items[i].id, 32);
		     k = (k + 1) & (cap - 1))
			;
		if (seen[k])
			continue; /* repeated chunk */
		memcpy(c->need[c->nneed].id, ix.items[i].id, 32);
		c->need[c->nneed++].size = (size_t)(ix.items[i].end - ca_item_start(&ix, i));
		seen[k] = c->nneed;
	}
	free(seen);
	caidx_free(&ix);
	return 0;
}

void sim_sync_advance(struct sim_sync_ctx *x, struct sim_sync *c, CURLM *m, CURL *h, CURLcode res, long code)
{
	struct fl_err err = { "" };
	char rel[600];

	if (res != CURLE_OK) {
		fl_fail(&err, "%s", curl_easy_strerror(res));
		goto fail;
	}
	x->bytes += c->body.len;
	switch (c->step) {
	case SIM_S_ROOT:
		if (code != 404 && fl_fail(&err, "unexpected root update"))
			goto fail;
		c->step = SIM_S_TS;
		start(x, m, c, h, "timestamp.json");
		return;
	case SIM_S_TS:
	case SIM_S_SNAP:
	case SIM_S_TARG:
		if (code != 200 && fl_fail(&err, "HTTP %ld", code))
			goto fail;
		fl_buf_append(&c->meta[c->step], c->body.data, c->body.len);
		if (c->step == SIM_S_TS) {
			if (next_name(&c->body, "snapshot.json", "snapshot.json", c->snap_name))
				goto fail;
			c->step = SIM_S_SNAP;
			start(x, m, c, h, c->snap_name);
		} else if (c->step == SIM_S_SNAP) {
			if (next_name(&c->body, "targets.json", "targets.json", c->targ_name))
				goto fail;
			c->step = SIM_S_TARG;
			start(x, m, c, h, c->targ_name);
		} else {
			if (verify_chain(x, c, &err))
				goto fail;
			c->step = SIM_S_INDEX;
			repo_target_path(c->index_name, c->index_pin.sha256, rel, sizeof(rel));
			start(x, m, c, h, rel);
		}
		return;
	case SIM_S_INDEX:
		if (take_index(x, c, &err))
			goto fail;
		c->step = SIM_S_CHUNKS;
		break;
	case SIM_S_CHUNKS:
		if (castore_decode(c->body.data, c->body.len, c->need[c->next].id, x->scratch,
				   c->need[c->next].size, &err))
			goto fail;
		x->chunks_ok++;
		c->next++;
		break;
	}
	if (c->next == c->nneed) {
		c->step = SIM_S_DONE;
		return;
	}
	castore_relpath(c->need[c->next].id, rel + 400);
	snprintf(rel, 400, "store/%s", rel + 400);
	start(x, m, c, h, rel);
	return;
fail:
	if (!x->errors_first)
		x->errors_first = strdup(err.msg);
	c->step = SIM_S_FAIL;
}

static void v1_index(struct sim_sync_ctx *x)
{
	x->v1cap = 16;
	while (x->v1cap < 2 * x->v1.n)
		x->v1cap *= 2;
	x->v1slot = malloc(x->v1cap * sizeof(int64_t));
	for (size_t i = 0; i < x->v1cap; i++)
		x->v1slot[i] = -1;
	for (size_t i = 0; i < x->v1.n; i++) {
		uint64_t h;
		size_t k;

		if (v1_has(x, x->v1.items[i].id) >= 0)
			continue;
		memcpy(&h, x->v1.items[i].id, 8);
		for (k = h & (x->v1cap - 1); x->v1slot[k] >= 0; k = (k + 1) & (x->v1cap - 1))
			;
		x->v1slot[k] = (int64_t)i;
	}
}

int sim_sync_ctx_init(struct sim_sync_ctx *x, const char *base, const char *root_path, const char *v1_index_path,
		      const char *image, struct fl_err *err)
{
	struct fl_buf b = { 0 };
	int rc;

	memset(x, 0, sizeof(*x));
	x->base = base;
	x->image = image;
	rc = fl_read_file(root_path, 1U << 20, &x->pinned, err) || fl_read_file(v1_index_path, 1U << 30, &b, err) ||
	     caidx_parse(b.data, b.len, &x->v1, err);
	fl_buf_free(&b);
	if (rc)
		return -1;
	v1_index(x);
	if (!x->v1slot || !(x->scratch = malloc(CA_CHUNK_SIZE_LIMIT)))
		return fl_fail(err, "out of memory");
	return 0;
}

void sim_sync_begin(struct sim_sync_ctx *x, struct sim_sync *c, CURLM *m, CURL *h, uint64_t at_most, void *priv)
{
	sim_sync_reset(c);
	c->at_most = at_most;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c->body);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(h, CURLOPT_PRIVATE, priv);
	start(x, m, c, h, "2.root.json");
}

void sim_sync_reset(struct sim_sync *c)
{
	fl_buf_free(&c->body);
	for (int i = 0; i < 4; i++)
		fl_buf_free(&c->meta[i]);
	free(c->need);
	memset(c, 0, sizeof(*c));
}
