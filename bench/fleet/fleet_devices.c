/* fleet-devices: N simulated devices in one process (libcurl multi) that
 * enroll, check in and sync, as bulkhead-sync enroll / checkin / --assigned
 * would: each enrolls with one token of TOKENS (one per line) and a key it
 * makes (sim_checkin.h), then sends R signed reports one after the other; it
 * acts only on answers signed by the service key it pinned for the report it
 * sent. When an answer assigns it a version of corp above the one it runs, it
 * syncs that version from the repository before its next report: the TUF
 * chain from its pinned root, the index, and every chunk its v1 image lacks,
 * each verified (sim_sync.h); from then on it reports the version it synced.
 * Up to C connections at once. The devices (id, counter, key, pinned service
 * key, version) are kept in STATE between runs: a run that finds it skips
 * enrollment (TOKENS unused). Prints one JSON line with the totals.
 *   fleet-devices CHECKIN_URL TOKENS REPO_URL PINNED_ROOT V1_INDEX N R C STATE */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_checkin.h"
#include "sim_sync.h"

enum { D_ENROLL, D_REPORT, D_SYNC, D_DONE };

struct dev {
	struct sim_dev *s; /* in an array of its own, as sim_state_load/save want */
	struct sim_sync sync;
	CURL *h;
	struct fl_buf ans;
	char *body;
	int phase;
	size_t reports_left;
};

static char enroll_url[600], checkin_url[600];

static void post(CURLM *m, struct dev *d, const char *url, char *body)
{
	free(d->body);
	d->body = body;
	sim_post(m, d->h, url, body, &d->ans, d);
}

/* The next report, or done. */
static void next_report(CURLM *m, struct dev *d)
{
	if (!d->reports_left) {
		d->phase = D_DONE;
		return;
	}
	d->reports_left--;
	d->phase = D_REPORT;
	post(m, d, checkin_url, sim_report_body(d->s));
}

int main(int argc, char **argv)
{
	struct sim_sync_ctx x;
	struct fl_err err;
	struct dev *devs;
	struct sim_dev *sd;
	char line[256];
	size_t n, reports, enrolled = 0, ok = 0, failed = 0, assigned = 0, revoked = 0, bad = 0, synced = 0,
	       sync_failed = 0;
	struct timespec t0, t1;
	const char *state;
	int have_state, running = 1;
	long c;
	FILE *f = NULL;
	CURLM *m;

	if (argc != 10 || sodium_init() < 0)
		return fprintf(stderr, "usage: fleet-devices CHECKIN_URL TOKENS REPO_URL PINNED_ROOT V1_INDEX N R C "
			       "STATE\n"), 2;
	n = strtoul(argv[6], NULL, 10);
	reports = strtoul(argv[7], NULL, 10);
	c = strtol(argv[8], NULL, 10);
	state = argv[9];
	snprintf(enroll_url, sizeof(enroll_url), "%.500s/v1/enroll", argv[1]);
	snprintf(checkin_url, sizeof(checkin_url), "%.500s/v1/checkin", argv[1]);
	if (sim_sync_ctx_init(&x, argv[3], argv[4], argv[5], "corp", &err))
		return fprintf(stderr, "fleet-devices: %s\n", err.msg), 1;
	devs = calloc(n, sizeof(*devs));
	sd = calloc(n, sizeof(*sd));
	if (!devs || !sd || c < 1 || n < 1)
		return fprintf(stderr, "fleet-devices: bad arguments\n"), 2;
	have_state = sim_state_load(state, sd, n) == 0;
	for (size_t i = 0; i < n; i++) {
		devs[i].s = &sd[i];
		if (!have_state) { /* new devices, on corp 1 */
			memset(&sd[i], 0, sizeof(sd[i]));
			sd[i].version = 1;
		}
	}
	if (!have_state && !(f = fopen(argv[2], "r")))
		return fprintf(stderr, "fleet-devices: %s: cannot open\n", argv[2]), 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, c);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n; i++) {
		struct dev *d = &devs[i];

		d->h = curl_easy_init();
		d->reports_left = reports;
		if (have_state) {
			next_report(m, d);
			continue;
		}
		if (!fgets(line, sizeof(line), f))
			return fprintf(stderr, "fleet-devices: fewer than %zu tokens\n", n), 2;
		line[strcspn(line, "\n")] = '\0';
		d->phase = D_ENROLL;
		post(m, d, enroll_url, sim_enroll_body(d->s, i + 1, line));
	}
	if (f)
		fclose(f);
	while (running) {
		CURLMsg *msg;
		int q;

		curl_multi_perform(m, &running);
		while ((msg = curl_multi_info_read(m, &q))) {
			struct dev *d;
			long code = 0;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&d);
			curl_easy_getinfo(d->h, CURLINFO_RESPONSE_CODE, &code);
			curl_multi_remove_handle(m, d->h);
			running = 1;
			if (d->phase == D_ENROLL) {
				if (msg->data.result != CURLE_OK || sim_enrolled(d->s, code, &d->ans)) {
					failed++;
					d->phase = D_DONE;
				} else {
					enrolled++;
					next_report(m, d);
				}
				continue;
			}
			if (d->phase == D_SYNC) {
				sim_sync_advance(&x, &d->sync, m, d->h, msg->data.result, code);
				if (d->sync.step == SIM_S_DONE && d->sync.version == (uint64_t)d->s->assigned_version) {
					d->s->version = d->s->assigned_version;
					synced++;
				} else if (d->sync.step == SIM_S_DONE || d->sync.step == SIM_S_FAIL) {
					sync_failed++;
				} else {
					continue; /* its next transfer is under way */
				}
				sim_sync_reset(&d->sync);
				next_report(m, d);
				continue;
			}
			/* D_REPORT */
			if (msg->data.result == CURLE_OK && code == 200)
				ok++;
			else
				failed++;
			sim_answer(d->s, msg->data.result == CURLE_OK ? code : 0, &d->ans);
			if (code == 200 && d->s->assigned_version > d->s->version) {
				/* as bulkhead-sync --assigned: the assigned version, from the signed repository */
				d->phase = D_SYNC;
				sim_sync_begin(&x, &d->sync, m, d->h, (uint64_t)d->s->assigned_version, d);
			} else {
				next_report(m, d);
			}
		}
		if (running)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (size_t i = 0; i < n; i++)
		assigned += devs[i].s->assigned, revoked += devs[i].s->revoked, bad += (size_t)devs[i].s->bad_answers;
	sim_state_save(state, sd, n);
	printf("{\"devices\":%zu,\"enrolled\":%zu,\"reports\":%zu,\"accepted\":%zu,\"failed\":%zu,\"assigned\":%zu,"
	       "\"revoked\":%zu,\"bad_answers\":%zu,\"synced\":%zu,\"sync_failed\":%zu,\"chunks_verified\":%llu,"
	       "\"repository_requests\":%llu,\"seconds\":%.2f,\"first_error\":\"%s\"}\n",
	       n, enrolled, n * reports, ok, failed, assigned, revoked, bad, synced, sync_failed,
	       (unsigned long long)x.chunks_ok, (unsigned long long)x.requests,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       x.errors_first ? x.errors_first : "");
	return ok == n * reports && !failed && !bad && !sync_failed ? 0 : 1;
}
