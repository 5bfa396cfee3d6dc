/* fleet-clients: N simulated clients in one process (libcurl multi), each
 * doing what bulkhead-sync does for a v1 -> v2 update: walk the TUF chain
 * from its pinned root (signatures, versions, expiry, pins), fetch and check
 * the v2 index, then fetch and verify (zstd + SHA-256) every chunk that the
 * v1 image does not hold. Prints one JSON line with the totals.
 *   fleet-clients URL PINNED_ROOT V1_INDEX IMAGE N */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "caidx.h"
#include "castore.h"
#include "repo.h"
#include "targets.h"
#include "tuf_client.h"

enum { S_ROOT, S_TS, S_SNAP, S_TARG, S_INDEX, S_CHUNKS, S_DONE, S_FAIL };

struct client {
	CURL *h;
	int step;
	struct fl_buf body, meta[4];
	char snap_name[64], targ_name[64];
	struct src_chunk *need;
	size_t nneed, next;
	struct tuf_meta index_pin;
	char index_name[256];
};

static const char *base;
static struct fl_buf pinned;
static struct ca_index v1;
static const char *image;
static uint8_t *scratch;
static uint64_t requests, bytes, chunks_ok;
static char *errors_first;

static size_t sink(char *p, size_t sz, size_t n, void *arg)
{
	return fl_buf_append(arg, p, sz * n) ? 0 : sz * n;
}

static void start(CURLM *m, struct client *c, const char *rel)
{
	char url[1024];

	snprintf(url, sizeof(url), "%s/%s", base, rel);
	c->body.len = 0;
	curl_easy_setopt(c->h, CURLOPT_URL, url);
	curl_multi_add_handle(m, c->h);
	requests++;
}

static int mem_fetch(void *ctx, const char *rel, size_t max, struct fl_buf *out, struct fl_err *err)
{
	struct client *c = ctx;
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

static int64_t v1_has(const uint8_t *id); /* below */

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

static int verify_chain(struct client *c, struct fl_err *err)
{
	struct fl_buf raw[TUF_NROLES] = { { 0 } };
	struct image_target t;
	struct tuf_trust tr;
	int rc;

	fl_buf_append(&raw[TUF_ROOT], pinned.data, pinned.len);
	rc = tuf_trust_load(&tr, raw, err);
	fl_buf_free(&raw[TUF_ROOT]);
	if (rc)
		return -1;
	rc = tuf_trust_refresh(&tr, mem_fetch, c, time(NULL), err);
	if (!rc)
		rc = targets_latest_image(json_object_get(tr.sig[TUF_TARGETS], "targets"), image, 0, &t, err);
	if (!rc) {
		c->index_pin = t.meta;
		snprintf(c->index_name, sizeof(c->index_name), "%s", t.name);
	}
	tuf_trust_free(&tr);
	return rc ? -1 : 0;
}

static int take_index(struct client *c, struct fl_err *err)
{
	struct ca_index x;
	uint8_t h[32];

	crypto_hash_sha256(h, c->body.data, c->body.len);
	if (c->body.len != c->index_pin.length || memcmp(h, c->index_pin.sha256, 32))
		return fl_fail(err, "index hash mismatch");
	if (caidx_parse(c->body.data, c->body.len, &x, err))
		return -1;
	size_t cap = 16, *seen;

	while (cap < 2 * x.n)
		cap *= 2;
	seen = calloc(cap, sizeof(*seen)); /* need index + 1, 0 = empty */
	c->need = malloc(x.n * sizeof(*c->need));
	for (size_t i = 0; i < x.n; i++) {
		uint64_t hv;
		size_t k;

		if (v1_has(x.items[i].id) >= 0)
			continue;
		memcpy(&hv, x.items[i].id, 8);
		for (k = hv & (cap - 1); seen[k] && memcmp(c->need[seen[k] - 1].id, x.items[i].id, 32);
		     k = (k + 1) & (cap - 1))
			;
		if (seen[k])
			continue; /* repeated chunk */
		memcpy(c->need[c->nneed].id, x.items[i].id, 32);
		c->need[c->nneed++].size = (size_t)(x.items[i].end - ca_item_start(&x, i));
		seen[k] = c->nneed;
	}
	free(seen);
	caidx_free(&x);
	return 0;
}

static void advance(CURLM *m, struct client *c, long code)
{
	struct fl_err err = { "" };
	char rel[600];

	bytes += c->body.len;
	switch (c->step) {
	case S_ROOT:
		if (code != 404 && fl_fail(&err, "unexpected root update"))
			goto fail;
		c->step = S_TS;
		start(m, c, "timestamp.json");
		return;
	case S_TS:
	case S_SNAP:
	case S_TARG:
		if (code != 200 && fl_fail(&err, "HTTP %ld", code))
			goto fail;
		fl_buf_append(&c->meta[c->step], c->body.data, c->body.len);
		if (c->step == S_TS) {
			if (next_name(&c->body, "snapshot.json", "snapshot.json", c->snap_name))
				goto fail;
			c->step = S_SNAP;
			start(m, c, c->snap_name);
		} else if (c->step == S_SNAP) {
			if (next_name(&c->body, "targets.json", "targets.json", c->targ_name))
				goto fail;
			c->step = S_TARG;
			start(m, c, c->targ_name);
		} else {
			if (verify_chain(c, &err))
				goto fail;
			c->step = S_INDEX;
			repo_target_path(c->index_name, c->index_pin.sha256, rel, sizeof(rel));
			start(m, c, rel);
		}
		return;
	case S_INDEX:
		if (take_index(c, &err))
			goto fail;
		c->step = S_CHUNKS;
		break;
	case S_CHUNKS:
		if (castore_decode(c->body.data, c->body.len, c->need[c->next].id, scratch,
				   c->need[c->next].size, &err))
			goto fail;
		chunks_ok++;
		c->next++;
		break;
	}
	if (c->next == c->nneed) {
		c->step = S_DONE;
		return;
	}
	castore_relpath(c->need[c->next].id, rel + 400);
	snprintf(rel, 400, "store/%s", rel + 400);
	start(m, c, rel);
	return;
fail:
	if (!errors_first)
		errors_first = strdup(err.msg);
	c->step = S_FAIL;
}

static struct idtab { size_t cap; int64_t *slot; } v1tab;

static int64_t v1_has(const uint8_t *id)
{
	uint64_t h;

	memcpy(&h, id, 8);
	for (size_t i = h & (v1tab.cap - 1); v1tab.slot[i] >= 0; i = (i + 1) & (v1tab.cap - 1))
		if (!memcmp(v1.items[v1tab.slot[i]].id, id, 32))
			return v1tab.slot[i];
	return -1;
}

static void v1_index(void)
{
	v1tab.cap = 16;
	while (v1tab.cap < 2 * v1.n)
		v1tab.cap *= 2;
	v1tab.slot = malloc(v1tab.cap * sizeof(int64_t));
	for (size_t i = 0; i < v1tab.cap; i++)
		v1tab.slot[i] = -1;
	for (size_t i = 0; i < v1.n; i++) {
		uint64_t h;
		size_t k;

		if (v1_has(v1.items[i].id) >= 0)
			continue;
		memcpy(&h, v1.items[i].id, 8);
		for (k = h & (v1tab.cap - 1); v1tab.slot[k] >= 0; k = (k + 1) & (v1tab.cap - 1))
			;
		v1tab.slot[k] = (int64_t)i;
	}
}

int main(int argc, char **argv)
{
	struct fl_buf b = { 0 };
	struct fl_err err;
	struct client *cl;
	struct timespec t0, t1;
	CURLM *m;
	int n, running = 1, ok = 0;
	double secs;

	if (argc != 6 || sodium_init() < 0) {
		fprintf(stderr, "usage: fleet-clients URL PINNED_ROOT V1_INDEX IMAGE N\n");
		return 2;
	}
	base = argv[1];
	image = argv[4];
	n = atoi(argv[5]);
	if (fl_read_file(argv[2], 1U << 20, &pinned, &err) || fl_read_file(argv[3], 1U << 30, &b, &err) ||
	    caidx_parse(b.data, b.len, &v1, &err)) {
		fprintf(stderr, "fleet-clients: %s\n", err.msg);
		return 1;
	}
	v1_index();
	scratch = malloc(CA_CHUNK_SIZE_LIMIT);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)n + 16);
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)n + 16);
	cl = calloc((size_t)n, sizeof(*cl));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		cl[i].h = curl_easy_init();
		curl_easy_setopt(cl[i].h, CURLOPT_WRITEFUNCTION, sink);
		curl_easy_setopt(cl[i].h, CURLOPT_WRITEDATA, &cl[i].body);
		curl_easy_setopt(cl[i].h, CURLOPT_PRIVATE, &cl[i]);
		curl_easy_setopt(cl[i].h, CURLOPT_CONNECTTIMEOUT, 60L);
		start(m, &cl[i], "2.root.json");
	}
	while (running) {
		CURLMsg *msg;
		int q;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &q))) {
			struct client *c;
			long code = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
			curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
			curl_multi_remove_handle(m, c->h);
			if (msg->data.result != CURLE_OK) {
				if (!errors_first)
					errors_first = strdup(curl_easy_strerror(msg->data.result));
				c->step = S_FAIL;
				continue;
			}
			advance(m, c, code);
			running = 1;
		}
		if (running)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	for (int i = 0; i < n; i++)
		ok += cl[i].step == S_DONE;
	printf("{\"clients\":%d,\"verified\":%d,\"seconds\":%.2f,\"requests\":%llu,\"requests_per_second\":%.0f,"
	       "\"bytes\":%llu,\"chunks_verified\":%llu,\"chunks_per_client\":%zu,\"first_error\":\"%s\"}\n",
	       n, ok, secs, (unsigned long long)requests, (double)requests / secs, (unsigned long long)bytes,
	       (unsigned long long)chunks_ok, n ? cl[0].nneed : 0, errors_first ? errors_first : "");
	return ok == n ? 0 : 1;
}
