/* fleet-clients: N simulated clients in one process (libcurl multi), each
 * doing what bulkhead-sync does for a v1 -> v2 update (sim_sync.h): walk the
 * TUF chain from its pinned root (signatures, versions, expiry, pins), fetch
 * and check the v2 index, then fetch and verify (zstd + SHA-256) every chunk
 * that the v1 image does not hold. Prints one JSON line with the totals.
 *   fleet-clients URL PINNED_ROOT V1_INDEX IMAGE N */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim_sync.h"

struct client {
	CURL *h;
	struct sim_sync s;
};

int main(int argc, char **argv)
{
	struct sim_sync_ctx x;
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
	n = atoi(argv[5]);
	if (sim_sync_ctx_init(&x, argv[1], argv[2], argv[3], argv[4], &err)) {
		fprintf(stderr, "fleet-clients: %s\n", err.msg);
		return 1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)n + 16);
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)n + 16);
	cl = calloc((size_t)n, sizeof(*cl));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		cl[i].h = curl_easy_init();
		sim_sync_begin(&x, &cl[i].s, m, cl[i].h, 0, &cl[i]);
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
			sim_sync_advance(&x, &c->s, m, c->h, msg->data.result, code);
			running = 1;
		}
		if (running)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	for (int i = 0; i < n; i++)
		ok += cl[i].s.step == SIM_S_DONE;
	printf("{\"clients\":%d,\"verified\":%d,\"seconds\":%.2f,\"requests\":%llu,\"requests_per_second\":%.0f,"
	       "\"bytes\":%llu,\"chunks_verified\":%llu,\"chunks_per_client\":%zu,\"first_error\":\"%s\"}\n",
	       n, ok, secs, (unsigned long long)x.requests, (double)x.requests / secs, (unsigned long long)x.bytes,
	       (unsigned long long)x.chunks_ok, n ? cl[0].s.nneed : 0, x.errors_first ? x.errors_first : "");
	return ok == n ? 0 : 1;
}
