/* Repository access over HTTP(S) (libcurl, multi interface for chunks) or
 * from a local directory. */
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
			sl->buf.len = 0;
			sl->sink = (struct sink){ &sl->buf, max_comp(c[next].size), 0, 0, 0 };
			setup_easy(sl->h, url, &sl->sink);
			curl_easy_setopt(sl->h, CURLOPT_PRIVATE, sl);
			sl->idx = next++;
			sl->busy = 1;
			s->requests++;
			curl_multi_add_handle(m, sl->h);
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

uint64_t src_bytes(const struct src *s)
{
	return s->bytes;
}

uint64_t src_requests(const struct src *s)
{
	return s->requests;
}
