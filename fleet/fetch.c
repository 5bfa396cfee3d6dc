/* Repository access over HTTP(S) (libcurl; multi interface for chunks and
 * for range requests into packs) or from a local directory. */
#include "fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "castore.h"

#define PARALLEL 16U

/* Slow retrieval (TUF spec 5, "slow retrieval attacks"): every download is
 * bounded in time by its size bound at a minimum average rate, plus a grace
 * for connecting and the first byte. A 64 KiB timestamp gets 28 s. */
#define FETCH_GRACE_S    20L
#define FETCH_MIN_RATE   8192UL /* bytes per second */
#define FETCH_MAX_HEADER (64U * 1024U)

struct src {
	char *base; /* URL or directory, no trailing slash */
	int http;
	CURL *easy;
	uint64_t bytes, requests;
};

struct sink {
	struct fl_buf *buf;
	size_t max;
	int too_big;
	size_t header_bytes;
	int header_too_big;
};

static size_t sink_header(char *p, size_t sz, size_t n, void *arg)
{
	struct sink *k = arg;

	(void)p;
	n *= sz;
	k->header_bytes += n;
	if (k->header_bytes > FETCH_MAX_HEADER) {
		k->header_too_big = 1;
		return 0;
	}
	return n;
}

static long time_bound(size_t max)
{
	return FETCH_GRACE_S + (long)(max / FETCH_MIN_RATE);
}

static size_t sink_write(char *p, size_t sz, size_t n, void *arg)
{
	struct sink *k = arg;

	n *= sz; /* curl documents sz as always 1 */
	if (k->buf->len + n > k->max) {
		k->too_big = 1;
		return 0;
	}
	return fl_buf_append(k->buf, p, n) ? 0 : n;
}

struct src *src_open(const char *location, struct fl_err *err)
{
	struct src *s = calloc(1, sizeof(*s));
	size_t n;

	if (!s || !(s->base = strdup(location))) {
		free(s);
		fl_fail(err, "out of memory");
		return NULL;
	}
	n = strlen(s->base);
	while (n > 1 && s->base[n - 1] == '/')
		s->base[--n] = '\0';
	s->http = !strncmp(location, "http://", 7) || !strncmp(location, "https://", 8);
	if (s->http) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		s->easy = curl_easy_init();
		if (!s->easy) {
			src_close(s);
			fl_fail(err, "curl: cannot initialise");
			return NULL;
		}
	}
	return s;
}

void src_close(struct src *s)
{
	if (!s)
		return;
	if (s->easy)
		curl_easy_cleanup(s->easy);
	free(s->base);
	free(s);
}

static void setup_easy(CURL *h, const char *url, struct sink *k)
{
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	/* mirrors and CDNs redirect; every byte is verified anyway */
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, sink_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, k);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, time_bound(k->max));
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "bulkhead-sync/1");
}

/* Classify a finished transfer: 0 ok, 1 not found, 2 forbidden, -1 error. */
static int finish(CURL *h, CURLcode rc, const struct sink *k, const char *what, struct fl_err *err)
{
	long code = 0;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (k->too_big)
		return fl_fail(err, "%s: larger than %zu bytes", what, k->max);
	if (k->header_too_big)
		return fl_fail(err, "%s: response headers longer than %u bytes (endless headers?)", what,
			       FETCH_MAX_HEADER);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return fl_fail(err, "%s: not received within %ld s (slower than %lu bytes/s on average: "
			       "slow-retrieval attack or a bad link)", what, time_bound(k->max), FETCH_MIN_RATE);
	if (rc != CURLE_OK)
		return fl_fail(err, "%s: %s", what, curl_easy_strerror(rc));
	if (code == 404 || code == 410)
		return 1;
	if (code == 403)
		return 2;
	if (code != 200)
		return fl_fail(err, "%s: HTTP status %ld", what, code);
	return 0;
}

int src_get(struct src *s, const char *rel, size_t max, struct fl_buf *out, struct fl_err *err)
{
	char path[4200];
	int r;

	snprintf(path, sizeof(path), "%s/%s", s->base, rel);
	out->len = 0;
	s->requests++;
	if (s->http) {
		struct sink k = { out, max, 0, 0, 0 };

		setup_easy(s->easy, path, &k);
		r = finish(s->easy, curl_easy_perform(s->easy), &k, rel, err);
	} else {
		FILE *f = fopen(path, "rbe");

		if (!f && errno == ENOENT)
			return 1;
		if (f)
			fclose(f);
		r = fl_read_file(path, max, out, err);
	}
	if (r == 0)
		s->bytes += out->len;
	return r;
}

/* Verify compressed bytes of one chunk and put them in the local store. */
static int store_chunk(const struct src_chunk *c, const struct fl_buf *comp, uint8_t *scratch,
		       int store, struct fl_err *err)
{
	char rel[CASTORE_RELPATH_LEN];

	if (castore_decode(comp->data, comp->len, c->id, scratch, c->size, err)) {
		castore_relpath(c->id, rel);
		return fl_fail(err, "chunk %s: %s", rel, err->msg);
	}
	if (castore_put(store, c->id, comp->data, comp->len, err))
		return -1;
	fl_crash_point();
	return 0;
}

static size_t max_comp(size_t size)
{
	return ZSTD_compressBound(size) + 4096U;
}

static int get_chunks_dir(struct src *s, const struct src_chunk *c, size_t n, int store,
			  src_progress_fn *progress, void *arg, uint8_t *scratch, struct fl_err *err)
{
	struct fl_buf b = { 0 };
	uint64_t done = 0;
	int r = 0;

	for (size_t i = 0; i < n && !r; i++) {
		char rel[CASTORE_RELPATH_LEN], path[4200];

		castore_relpath(c[i].id, rel);
		snprintf(path, sizeof(path), "store/%s", rel);
		r = src_get(s, path, max_comp(c[i].size), &b, err);
		if (r < 0)
			fl_fail(err, "chunk %s", err->msg);
		if (r >= 1)
			r = fl_fail(err, "chunk %s: missing from repository", rel);
		if (!r)
			r = store_chunk(&c[i], &b, scratch, store, err);
		done += c[i].size;
		if (progress)
			progress(arg, done);
	}
	fl_buf_free(&b);
	return r;
}

struct slot {
	CURL *h;
	struct fl_buf buf;
	struct sink sink;
	size_t idx;
	int busy;
};

/* Starts the GET of url (of byte range `range` when not NULL) in a free
 * slot, its body bounded by limit, for item idx of the caller's list. */
static void slot_start(struct src *s, CURLM *m, struct slot *sl, const char *url,
		       const char *range, size_t limit, size_t idx)
{
	sl->buf.len = 0;
	sl->sink = (struct sink){ &sl->buf, limit, 0, 0, 0 };
	setup_easy(sl->h, url, &sl->sink);
	if (range)
		curl_easy_setopt(sl->h, CURLOPT_RANGE, range);
	curl_easy_setopt(sl->h, CURLOPT_PRIVATE, sl);
	sl->idx = idx;
	sl->busy = 1;
	s->requests++;
	curl_multi_add_handle(m, sl->h);
}

static int get_chunks_http(struct src *s, const struct src_chunk *c, size_t n, int store,
			   src_progress_fn *progress, void *arg, uint8_t *scratch, struct fl_err *err)
{
	struct slot slots[PARALLEL];
	CURLM *m = curl_multi_init();
	size_t next = 0, active = 0;
	uint64_t done = 0;
	int r = 0;

	memset(slots, 0, sizeof(slots));
	if (!m)
		return fl_fail(err, "curl: cannot initialise");
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)PARALLEL);
	for (;;) {
		for (size_t i = 0; i < PARALLEL && next < n && !r; i++) {
			char rel[CASTORE_RELPATH_LEN], url[4300];
			struct slot *sl = &slots[i];

			if (sl->busy)
				continue;
			if (!sl->h && !(sl->h = curl_easy_init())) {
				r = fl_fail(err, "curl: cannot initialise");
				break;
			}
			castore_relpath(c[next].id, rel);
			snprintf(url, sizeof(url), "%s/store/%s", s->base, rel);
			slot_start(s, m, sl, url, NULL, max_comp(c[next].size), next);
			next++;
			active++;
		}
		if (!active)
			break;
		int running, q, freed = 0;
		CURLMsg *msg;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &q))) {
			struct slot *sl;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&sl);
			curl_multi_remove_handle(m, sl->h);
			sl->busy = 0;
			active--;
			freed = 1;
			if (!r) {
				char rel[CASTORE_RELPATH_LEN];
				int st;

				char what[CASTORE_RELPATH_LEN + 8];

				castore_relpath(c[sl->idx].id, rel);
				snprintf(what, sizeof(what), "chunk %s", rel);
				st = finish(sl->h, msg->data.result, &sl->sink, what, err);
				if (st == 1)
					st = fl_fail(err, "chunk %s: missing from repository", rel);
				if (st == 2)
					st = fl_fail(err, "chunk %s: HTTP status 403", rel);
				if (!st) {
					s->bytes += sl->buf.len;
					done += c[sl->idx].size;
					st = store_chunk(&c[sl->idx], &sl->buf, scratch, store, err);
				}
				r = st;
				if (progress)
					progress(arg, done);
			}
		}
		if (r && !active)
			break;
		if (!freed) /* refill free slots before waiting */
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (size_t i = 0; i < PARALLEL; i++) {
		if (slots[i].h)
			curl_easy_cleanup(slots[i].h);
		fl_buf_free(&slots[i].buf);
	}
	curl_multi_cleanup(m);
	return r;
}

/* Packs (pack.h): runs of wanted chunks that lie close together in the pack
 * are fetched with one range request (RFC 9110 14.2), a few at a time. A gap
 * of up to PACK_GAP unwanted bytes is fetched rather than split, so a delta
 * costs a few wasted bytes per run instead of a request per chunk. */
#define PACK_PARALLEL  4U
#define PACK_GAP       (4U * 1024U) /* bench pair delta: 257 requests, 0.3% extra bytes (32 KiB: 140, 6.3%) */
#define PACK_RANGE_MAX (8U * 1024U * 1024U)

struct range {
	uint64_t off, len;
	size_t first, count; /* chunks c[first .. first + count) */
};

static size_t plan_ranges(const struct src_chunk *c, size_t n, struct range *r)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct range *cur = k ? &r[k - 1] : NULL;
		uint64_t end = c[i].pack_off + c[i].pack_len;

		if (cur && c[i].pack_off >= cur->off + cur->len &&
		    c[i].pack_off - (cur->off + cur->len) <= PACK_GAP && end - cur->off <= PACK_RANGE_MAX) {
			cur->len = end - cur->off;
			cur->count++;
			continue;
		}
		r[k++] = (struct range){ c[i].pack_off, c[i].pack_len, i, 1 };
	}
	return k;
}

/* One finished range: status 206 with exactly the bytes asked for, then each
 * chunk cut out of it is verified and stored like a chunk fetched alone. */
static int range_done(struct src *s, CURL *h, CURLcode rc, const struct sink *k, const struct range *rg,
		      const struct src_chunk *c, int store, uint8_t *scratch, struct fl_err *err)
{
	long code = 0;
	struct fl_buf part;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code == 200) /* the whole pack (maybe cut short by the size bound) */
		return fl_fail(err, "pack: the server ignores range requests");
	if (rc != CURLE_OK || k->too_big || k->header_too_big || code != 206) {
		int st = finish(h, rc, k, "pack", err);

		return st >= 0 ? fl_fail(err, "pack: HTTP status %ld", code) : -1;
	}
	if (k->buf->len != rg->len)
		return fl_fail(err, "pack: range of %zu bytes instead of %llu", k->buf->len,
			       (unsigned long long)rg->len);
	s->bytes += k->buf->len;
	for (size_t i = rg->first; i < rg->first + rg->count; i++) {
		part.data = k->buf->data + (c[i].pack_off - rg->off);
		part.len = part.cap = c[i].pack_len;
		if (store_chunk(&c[i], &part, scratch, store, err))
			return -1;
	}
	return 0;
}

static int get_ranges_http(struct src *s, const char *pack_rel, const struct src_chunk *c, size_t n,
			   int store, src_progress_fn *progress, void *arg, uint8_t *scratch,
			   struct fl_err *err)
{
	struct range *rg = malloc((n ? n : 1) * sizeof(*rg));
	struct slot slots[PACK_PARALLEL];
	CURLM *m = curl_multi_init();
	size_t nr, next = 0, active = 0;
	uint64_t done = 0;
	int r = 0;

	memset(slots, 0, sizeof(slots));
	if (!m || !rg) {
		free(rg);
		if (m)
			curl_multi_cleanup(m);
		return fl_fail(err, "curl: cannot initialise");
	}
	nr = plan_ranges(c, n, rg);
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)PACK_PARALLEL);
	for (;;) {
		for (size_t i = 0; i < PACK_PARALLEL && next < nr && !r; i++) {
			char url[4300], range[64];
			struct slot *sl = &slots[i];

			if (sl->busy)
				continue;
			if (!sl->h && !(sl->h = curl_easy_init())) {
				r = fl_fail(err, "curl: cannot initialise");
				break;
			}
			snprintf(url, sizeof(url), "%s/%s", s->base, pack_rel);
			snprintf(range, sizeof(range), "%llu-%llu", (unsigned long long)rg[next].off,
				 (unsigned long long)(rg[next].off + rg[next].len - 1));
			slot_start(s, m, sl, url, range, (size_t)rg[next].len, next);
			next++;
			active++;
		}
		if (!active)
			break;
		int running, q, freed = 0;
		CURLMsg *msg;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &q))) {
			struct slot *sl;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&sl);
			curl_multi_remove_handle(m, sl->h);
			sl->busy = 0;
			active--;
			freed = 1;
			if (r)
				continue;
			r = range_done(s, sl->h, msg->data.result, &sl->sink, &rg[sl->idx], c, store, scratch, err);
			for (size_t k = rg[sl->idx].first; k < rg[sl->idx].first + rg[sl->idx].count; k++)
				done += c[k].size;
			if (progress)
				progress(arg, done);
		}
		if (r && !active)
			break;
		if (!freed)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	for (size_t i = 0; i < PACK_PARALLEL; i++) {
		if (slots[i].h)
			curl_easy_cleanup(slots[i].h);
		fl_buf_free(&slots[i].buf);
	}
	curl_multi_cleanup(m);
	free(rg);
	return r;
}

int src_get_packed(struct src *s, const char *pack_rel, const struct src_chunk *c, size_t n, int store,
		   src_progress_fn *progress, void *arg, struct fl_err *err)
{
	size_t biggest = 1;
	uint8_t *scratch;
	int r;

	if (!s->http)
		return fl_fail(err, "pack: not over HTTP");
	for (size_t i = 0; i < n; i++)
		if (c[i].size > biggest)
			biggest = c[i].size;
	scratch = malloc(biggest);
	if (!scratch)
		return fl_fail(err, "out of memory");
	r = get_ranges_http(s, pack_rel, c, n, store, progress, arg, scratch, err);
	free(scratch);
	return r;
}

int src_get_chunks(struct src *s, const struct src_chunk *c, size_t n, int store,
		   src_progress_fn *progress, void *arg, struct fl_err *err)
{
	size_t biggest = 1;
	uint8_t *scratch;
	int r;

	for (size_t i = 0; i < n; i++)
		if (c[i].size > biggest)
			biggest = c[i].size;
	scratch = malloc(biggest);
	if (!scratch)
		return fl_fail(err, "out of memory");
	r = s->http ? get_chunks_http(s, c, n, store, progress, arg, scratch, err)
		    : get_chunks_dir(s, c, n, store, progress, arg, scratch, err);
	free(scratch);
	return r;
}

int src_is_http(const struct src *s)
{
	return s->http;
}

uint64_t src_bytes(const struct src *s)
{
	return s->bytes;
}

uint64_t src_requests(const struct src *s)
{
	return s->requests;
}
