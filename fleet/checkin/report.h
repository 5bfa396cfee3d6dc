/* Check-in reports: what a device runs, signed by its device key.
 * Envelope: {"signed": {...}, "sig": "<128 hex digits>"}; sig is ed25519 over
 * the canonical form of "signed" (tuf_canonical: sorted keys, compact).
 * "signed": {"device": ID, "seq": N (> every earlier report's), "time": UTC,
 *   "images": [{"image", "version", "sha256"}], "policies": {ROLE:
 *   {"lease_expires": UTC, optional "version": N >= 0 (the applied
 *   policy's signed version)}}, "last_sync": UTC, "free_bytes": N,
 *   optional: "hypervisor": version (1..64 printable ASCII characters),
 *   "vms": [{"name", "state": "running"|"exited"|"stopped"|"off" (the
 *   hypervisor's enum vm_state), "uptime_s": N, optional "locked": bool}]}
 * Every field is checked for type and size; unknown fields are refused. */
#ifndef FLEET_CHECKIN_REPORT_H
#define FLEET_CHECKIN_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define REPORT_MAX_BYTES  (64U * 1024U)
#define REPORT_MAX_IMAGES 64U
#define REPORT_MAX_ROLES  32U
#define REPORT_MAX_VMS    32U
#define REPORT_MAX_HV_LEN 64U

struct report {
	json_t *doc;    /* owns everything below */
	json_t *signed_part;
	int64_t device, seq;
	uint8_t sig[64];
};

/* Parse and check an untrusted envelope (not the signature: that needs the
 * device's key). 0 ok (out->doc to be freed with report_free), -1 err. */
int report_parse(const uint8_t *buf, size_t len, struct report *out, struct fl_err *err);
/* A VM state a report may name (see above). */
int report_vm_state_ok(const char *s);
/* ed25519 signature of the canonical "signed" part by pub. 0 valid. */
int report_verify(const struct report *r, const uint8_t pub[32]);
void report_free(struct report *r);
/* Device side: sign a "signed" object into an envelope (caller frees). */
char *report_sign(json_t *signed_part, const uint8_t sk[64]);

#endif
