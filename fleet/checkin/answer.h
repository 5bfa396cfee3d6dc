/* Check-in answers: what the service tells a device, signed by the check-in
 * service key whose public half the device pinned at enrollment.
 * Envelope: {"signed": {...}, "sig": "<128 hex digits>"[, "error": "..."]};
 * sig is ed25519 over the canonical form of "signed" (tuf_canonical), the
 * same construction as a report's (report.h), with another key.
 * "signed": {"type": "checkin-answer", "device": ID, "seq": N,
 *   "report": SHA-256 (hex) of the canonical "signed" part of the report
 *   this answers, and either "status": "ok", "assignment": {"rollout",
 *   "image", "version", "policy", optional "policy_version" (N >= 1, or
 *   null for a rollout made before policy versions)} or null, or
 *   "status": "revoked",
 *   "lease": "not renewed"}.
 * The device id, the report's seq and its hash bind an answer to the one
 * report it answers: an answer recorded earlier (or for another device) does
 * not verify as the answer to a later report. "error" is outside the
 * signature (a message for people, never acted on). */
#ifndef FLEET_CHECKIN_ANSWER_H
#define FLEET_CHECKIN_ANSWER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define ANSWER_MAX_BYTES (64U * 1024U)

struct answer {
	json_t *doc;        /* owns everything below */
	json_t *assignment; /* NULL: none (status ok with null, or revoked) */
	int revoked;
};

/* SHA-256 of the canonical form of a report's "signed" part. 0 ok. */
int answer_report_hash(json_t *report_signed, uint8_t out[32]);
/* Service side: sign an answer to report (device, seq, hash). assignment
 * (borrowed) is an object or NULL for none; revoked makes a revocation
 * answer (assignment ignored) carrying msg as "error". Caller frees. */
char *answer_sign(int64_t device, int64_t seq, const uint8_t report_hash[32], json_t *assignment, int revoked,
		  const char *msg, const uint8_t sk[64]);
/* Device side: parse an untrusted answer, check its signature by the pinned
 * service key pub and that it answers (device, seq, report_hash); check the
 * assignment's shape. 0 ok (free with answer_free), -1 err. */
int answer_check(const uint8_t *buf, size_t len, const uint8_t pub[32], int64_t device, int64_t seq,
		 const uint8_t report_hash[32], struct answer *out, struct fl_err *err);
void answer_free(struct answer *a);

#endif
