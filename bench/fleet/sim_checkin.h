/* A simulated device's enrollment and check-in, for many devices in one
 * process: the device key made here, the enrollment request, signed reports
 * (image "corp" at the device's version, a 14-day lease of policy "work"),
 * and the answers, acted on only when signed by the service key the device
 * pinned at enrollment for the report it sent (checkin/answer.h). The state
 * of N devices can be kept in a file between runs. Used by
 * fleet-checkin-clients and fleet-devices. */
#ifndef BENCH_FLEET_SIM_CHECKIN_H
#define BENCH_FLEET_SIM_CHECKIN_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct sim_dev {
	int64_t id, seq, version;      /* version: the corp version it runs */
	int64_t assigned_version;      /* from its last verified answer (0: none) */
	uint8_t pk[32], sk[64];
	uint8_t service[32], hash[32]; /* pinned service key; hash of the report in flight */
	int enrolled, assigned, revoked, bad_answers;
};

/* A new key and the enrollment request for device number i (1-based) with
 * token (caller frees). */
char *sim_enroll_body(struct sim_dev *d, size_t i, const char *token);
/* The enrollment answer (HTTP code, body): 0 and the device id and service
 * key taken, or -1. */
int sim_enrolled(struct sim_dev *d, long code, const struct fl_buf *ans);
/* The next signed report (seq + 1) of what the device runs (caller frees). */
char *sim_report_body(struct sim_dev *d);
/* A check-in answer (HTTP code, body): if signed by the pinned key for the
 * report just sent, note an assignment of corp (assigned_version) and a
 * revocation; else count a bad answer (for 200 and 403). */
void sim_answer(struct sim_dev *d, long code, const struct fl_buf *ans);
/* Start POSTing body (JSON; it must live until the transfer ends) to url
 * on handle h in m (reset here; priv its CURLOPT_PRIVATE); the answer goes
 * to ans (emptied first). */
void sim_post(CURLM *m, CURL *h, const char *url, const char *body, struct fl_buf *ans, void *priv);
/* State of n devices in a file, one line each. load: 0 ok, -1 no file, -2 bad. */
int sim_state_load(const char *path, struct sim_dev *devs, size_t n);
void sim_state_save(const char *path, const struct sim_dev *devs, size_t n);

#endif
