/* fleet-checkin-clients: N simulated devices in one process (libcurl multi).
 * Each enrolls with one token of TOKENS (one per line, from `bulkhead-checkin
 * token --count N`) and a key it makes, then sends R signed reports one after
 * the other; up to C requests are in flight at once. A device reports image
 * "corp" at version 1 until a check-in answer assigns it a version of corp
 * (a console rollout); from its next report on it runs that version, as a
 * device that synced it would. Prints one JSON line: reports accepted,
 * reports per second, the p50/p99 latency of a report, how many devices had
 * an assignment and how many were refused as revoked. Each device pins the
 * service key of its enrollment answer and acts only on answers signed by it
 * for its report (checkin/answer.h); "bad_answers" counts the others.
 *   fleet-checkin-clients URL TOKENS N R C [STATE]
 * With STATE, the devices (id, counter, key, version) are kept in that file
 * between runs: a run that finds it skips enrollment (TOKENS unused). */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkin/answer.h"
#include "checkin/report.h"

struct dev {
	CURL *h;
	struct curl_slist *hdr;
	struct fl_buf ans;
	char *body, *enroll_req;
	int64_t id, seq, version;
	uint8_t pk[32], sk[64];
	uint8_t service[32], hash[32]; /* pinned service key; hash of the report in flight */
	int enrolled, busy, assigned, revoked, bad_answers;
};

static size_t collect(char *p, size_t sz, size_t n, void *arg)
{
	struct fl_buf *b = arg;

	return fl_buf_append(b, p, sz * n) ? 0 : sz * n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static char *report_body(struct dev *d)
{
	char now[32], lease[32], h[65];
	json_t *s;
	char *out;

	fl_time_format(fl_now(), now);
	fl_time_format(fl_now() + 14 * 86400, lease); /* a 14-day lease, renewed at each sync */
	memset(h, 'a', 64);
	h[64] = '\0';
	s = json_pack("{s:I, s:I, s:s, s:[{s:s, s:I, s:s}], s:{s:{s:s}}, s:s, s:I}", "device", (json_int_t)d->id,
		      "seq", (json_int_t)++d->seq, "time", now, "images", "image", "corp", "version", (json_int_t)d->version, "sha256", h,
		      "policies", "work", "lease_expires", lease, "last_sync", now, "free_bytes", (json_int_t)1 << 33);
	out = answer_report_hash(s, d->hash) ? NULL : report_sign(s, d->sk);
	json_decref(s);
	return out;
}

static void start(CURLM *m, struct dev *d, const char *url, char *body)
{
	free(d->body);
	d->body = body;
	d->ans.len = 0;
	curl_easy_reset(d->h);
	curl_easy_setopt(d->h, CURLOPT_URL, url);
	curl_easy_setopt(d->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(d->h, CURLOPT_HTTPHEADER, d->hdr);
	curl_easy_setopt(d->h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(d->h, CURLOPT_WRITEDATA, &d->ans);
	curl_easy_setopt(d->h, CURLOPT_PRIVATE, d);
	curl_easy_setopt(d->h, CURLOPT_TIMEOUT, 60L);
	curl_multi_add_handle(m, d->h);
}

/* A check-in answer: if signed by the pinned key for this report, follow an
 * assignment of corp and note a revocation. */
static void answer(struct dev *d, long code)
{
	struct answer an;
	struct fl_err err;
	const char *img;

	if ((code != 200 && code != 403) ||
	    answer_check(d->ans.data, d->ans.len, d->service, d->id, d->seq, d->hash, &an, &err)) {
		d->bad_answers += code == 200 || code == 403;
		return;
	}
	img = json_string_value(json_object_get(an.assignment, "image"));
	if (code == 200 && img && !strcmp(img, "corp")) {
		d->version = json_integer_value(json_object_get(an.assignment, "version"));
		d->assigned = 1;
	}
	if (code == 403 && an.revoked)
		d->revoked = 1;
	answer_free(&an);
}

static int state_load(const char *path, struct dev *devs, size_t n)
{
	FILE *f = fopen(path, "r");
	char sk[129], svc[65];
	size_t i = 0;

	if (!f)
		return -1;
	for (; i < n; i++) {
		struct dev *d = &devs[i];
		long long id, seq, ver;

		if (fscanf(f, "%lld %lld %lld %128s %64s", &id, &seq, &ver, sk, svc) != 5 || fl_unhex(sk, d->sk, 64) ||
		    fl_unhex(svc, d->service, 32))
			break;
		d->id = id, d->seq = seq, d->version = ver;
		d->enrolled = 1;
	}
	fclose(f);
	return i == n ? 0 : -2;
}

static void state_save(const char *path, const struct dev *devs, size_t n)
{
	FILE *f = fopen(path, "w");
	char sk[129], svc[65];

	if (!f)
		return;
	for (size_t i = 0; i < n; i++) {
		fl_hex(devs[i].sk, 64, sk);
		fl_hex(devs[i].service, 32, svc);
		fprintf(f, "%lld %lld %lld %s %s\n", (long long)devs[i].id, (long long)devs[i].seq,
			(long long)devs[i].version, devs[i].enrolled ? sk : "-", devs[i].enrolled ? svc : "-");
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	char enroll_url[600], checkin_url[600], line[256], pk[65], name[32];
	struct dev *devs;
	double *lat, t0, t1;
	size_t n, reports, inflight, nlat = 0, next = 0, ok = 0, failed = 0, assigned = 0, revoked = 0, bad = 0;
	const char *state = argc == 7 ? argv[6] : NULL;
	int have_state = 0;
	long c;
	FILE *f = NULL;
	CURLM *m;

	if ((argc != 6 && argc != 7) || sodium_init() < 0)
		return fprintf(stderr, "usage: fleet-checkin-clients URL TOKENS N R C [STATE]\n"), 2;
	n = strtoul(argv[3], NULL, 10);
	reports = strtoul(argv[4], NULL, 10);
	c = strtol(argv[5], NULL, 10);
	snprintf(enroll_url, sizeof(enroll_url), "%.500s/v1/enroll", argv[1]);
	snprintf(checkin_url, sizeof(checkin_url), "%.500s/v1/checkin", argv[1]);
	devs = calloc(n, sizeof(*devs));
	lat = calloc(n * reports + 1, sizeof(*lat));
	if (devs && state)
		have_state = state_load(state, devs, n) == 0;
	if (!have_state)
		f = fopen(argv[2], "r");
	if (!devs || !lat || (!have_state && !f) || c < 1)
		return fprintf(stderr, "fleet-checkin-clients: bad arguments\n"), 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, c);
	/* enrollment: every device, C at a time (not timed) */
	for (size_t i = 0; i < n; i++) {
		struct dev *d = &devs[i];
		json_t *req;

		d->h = curl_easy_init();
		d->hdr = curl_slist_append(NULL, "Content-Type: application/json");
		if (have_state)
			continue;
		d->version = 1;
		if (!fgets(line, sizeof(line), f))
			return fprintf(stderr, "fleet-checkin-clients: fewer than %zu tokens\n", n), 2;
		line[strcspn(line, "\n")] = '\0';
		crypto_sign_keypair(d->pk, d->sk);
		fl_hex(d->pk, 32, pk);
		snprintf(name, sizeof(name), "device-%zu", i + 1);
		req = json_pack("{s:s, s:s, s:s}", "token", line, "pubkey", pk, "name", name);
		d->enroll_req = json_dumps(req, JSON_COMPACT);
		json_decref(req);
	}
	if (f)
		fclose(f);
	for (int phase = have_state; phase < 2; phase++) {
		size_t total = phase ? n * reports : n;

		next = 0;
		inflight = 0;
		t0 = now_s();
		while (next < total || inflight) {
			int running, q;
			CURLMsg *msg;

			while (inflight < (size_t)c && next < total) {
				struct dev *d = &devs[next % n];

				if (d->busy) /* its previous report first: seq order */
					break;
				if (phase == 0) {
					start(m, d, enroll_url, d->enroll_req); /* start owns it now */
					d->enroll_req = NULL;
				} else if (d->enrolled) {
					start(m, d, checkin_url, report_body(d));
				} else {
					next++;
					continue;
				}
				next++;
				inflight++;
				d->busy = 1;
			}
			curl_multi_perform(m, &running);
			while ((msg = curl_multi_info_read(m, &q))) {
				struct dev *d;
				long code = 0;
				curl_off_t us = 0;

				if (msg->msg != CURLMSG_DONE)
					continue;
				curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&d);
				curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &code);
				curl_easy_getinfo(d->h, CURLINFO_TOTAL_TIME_T, &us);
				curl_multi_remove_handle(m, d->h);
				inflight--;
				d->busy = 0;
				if (phase == 0 && code == 200 && fl_buf_append(&d->ans, "", 1) == 0) {
					json_t *a = json_loads((const char *)d->ans.data, 0, NULL);

					const char *svc = json_string_value(json_object_get(a, "service_key"));

					d->id = json_integer_value(json_object_get(a, "device"));
					d->enrolled = d->id > 0 && svc && !fl_unhex(svc, d->service, 32);
					json_decref(a);
				} else if (phase == 1 && code == 200) {
					ok++;
					lat[nlat++] = (double)us / 1e6;
					answer(d, code);
				} else {
					failed++;
					if (phase == 1)
						answer(d, code);
				}
			}
			if (inflight)
				curl_multi_poll(m, NULL, 0, 100, NULL);
		}
		t1 = now_s();
	}
	qsort(lat, nlat, sizeof(*lat), cmp_double);
	for (size_t i = 0; i < n; i++)
		assigned += devs[i].assigned, revoked += devs[i].revoked, bad += (size_t)devs[i].bad_answers;
	if (state)
		state_save(state, devs, n);
	printf("{\"devices\":%zu,\"reports\":%zu,\"accepted\":%zu,\"failed\":%zu,\"seconds\":%.2f,"
	       "\"reports_per_second\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"in_flight\":%ld,"
	       "\"assigned\":%zu,\"revoked\":%zu,\"bad_answers\":%zu}\n",
	       n, n * reports, ok, failed, t1 - t0, (double)ok / (t1 - t0),
	       nlat ? lat[nlat / 2] * 1e3 : 0.0, nlat ? lat[nlat * 99 / 100] * 1e3 : 0.0, c, assigned, revoked, bad);
	return ok == n * reports && !failed && !bad ? 0 : 1;
}
