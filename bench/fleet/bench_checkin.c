/* fleet-checkin-clients: N simulated devices in one process (libcurl multi).
 * Each enrolls with one token of TOKENS (one per line, from `bulkhead-checkin
 * token --count N`) and a key it makes, then sends R signed reports one after
 * the other; up to C requests are in flight at once. A device reports image
 * "corp" at version 1 until a check-in answer assigns it a version of corp
 * (a console rollout); from its next report on it runs that version, as a
 * device that synced it would (fleet-devices really syncs it). Prints one JSON line: reports accepted,
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

#include "sim_checkin.h"

struct dev {
	struct sim_dev *s; /* in an array of its own, as sim_state_load/save want */
	CURL *h;
	struct fl_buf ans;
	char *body, *enroll_req;
	int busy;
};

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

static void start(CURLM *m, struct dev *d, const char *url, char *body)
{
	free(d->body);
	d->body = body;
	sim_post(m, d->h, url, body, &d->ans, d);
}

int main(int argc, char **argv)
{
	char enroll_url[600], checkin_url[600], line[256];
	struct dev *devs;
	struct sim_dev *sd;
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
	sd = calloc(n, sizeof(*sd));
	lat = calloc(n * reports + 1, sizeof(*lat));
	if (devs && sd && state)
		have_state = sim_state_load(state, sd, n) == 0;
	for (size_t i = 0; devs && sd && i < n; i++) {
		devs[i].s = &sd[i];
		if (!have_state)
			memset(&sd[i], 0, sizeof(sd[i]));
	}
	if (!have_state)
		f = fopen(argv[2], "r");
	if (!devs || !sd || !lat || (!have_state && !f) || c < 1)
		return fprintf(stderr, "fleet-checkin-clients: bad arguments\n"), 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, c);
	/* enrollment: every device, C at a time (not timed) */
	for (size_t i = 0; i < n; i++) {
		struct dev *d = &devs[i];

		d->h = curl_easy_init();
		if (have_state)
			continue;
		d->s->version = 1;
		if (!fgets(line, sizeof(line), f))
			return fprintf(stderr, "fleet-checkin-clients: fewer than %zu tokens\n", n), 2;
		line[strcspn(line, "\n")] = '\0';
		d->enroll_req = sim_enroll_body(d->s, i + 1, line);
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
				} else if (d->s->enrolled) {
					start(m, d, checkin_url, sim_report_body(d->s));
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
				if (phase == 0) {
					failed += sim_enrolled(d->s, code, &d->ans) != 0;
					continue;
				}
				if (code == 200)
					ok++, lat[nlat++] = (double)us / 1e6;
				else
					failed++;
				sim_answer(d->s, code, &d->ans);
				if (d->s->assigned_version) /* runs it from now on, as if it had synced it */
					d->s->version = d->s->assigned_version;
			}
			if (inflight)
				curl_multi_poll(m, NULL, 0, 100, NULL);
		}
		t1 = now_s();
	}
	qsort(lat, nlat, sizeof(*lat), cmp_double);
	for (size_t i = 0; i < n; i++)
		assigned += devs[i].s->assigned, revoked += devs[i].s->revoked, bad += (size_t)devs[i].s->bad_answers;
	if (state)
		sim_state_save(state, sd, n);
	printf("{\"devices\":%zu,\"reports\":%zu,\"accepted\":%zu,\"failed\":%zu,\"seconds\":%.2f,"
	       "\"reports_per_second\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"in_flight\":%ld,"
	       "\"assigned\":%zu,\"revoked\":%zu,\"bad_answers\":%zu}\n",
	       n, n * reports, ok, failed, t1 - t0, (double)ok / (t1 - t0),
	       nlat ? lat[nlat / 2] * 1e3 : 0.0, nlat ? lat[nlat * 99 / 100] * 1e3 : 0.0, c, assigned, revoked, bad);
	return ok == n * reports && !failed && !bad ? 0 : 1;
}
