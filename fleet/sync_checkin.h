/* bulkhead-sync enroll and checkin (see sync_checkin.c). */
#ifndef FLEET_SYNC_CHECKIN_H
#define FLEET_SYNC_CHECKIN_H

#include "sync_cmd.h"

/* In the state directory: written when the check-in service answers that
 * this device is revoked; from then on sync renews no lease, and the managed
 * VM locks when its lease runs out. */
#define SYNC_REVOKED_FILE "revoked"
/* The console's latest assignment from a check-in answer (informational:
 * what is installed is what the signed repository metadata says). */
#define SYNC_ASSIGNMENT_FILE "assignment.json"

int sync_enroll(const struct sync_args *a, struct fl_err *err);
int sync_checkin(const struct sync_args *a, struct fl_err *err);

#endif
