/* The client's state file (JSON, written atomically; the commit point of a
 * sync): installed and previous image version, last successful check-in and
 * the offline lease of each VM-role policy. */
#ifndef FLEET_STATE_H
#define FLEET_STATE_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "util.h"

struct sync_state {
	char image[64];
	uint64_t installed, previous; /* 0 = none */
	uint8_t installed_sha256[32], previous_sha256[32];
	time_t last_checkin;
	json_t *policies; /* role -> {"sha256","offline_lease_days","lease_expires","version"} */
};

#define STATE_FILE "state.json"

/* STATE_FILE in the state directory dirfd (never through a symlink).
 * 0 loaded, 1 no state yet, -1 error. */
int state_load(int dirfd, struct sync_state *st, struct fl_err *err);
int state_save(int dirfd, const struct sync_state *st, struct fl_err *err);
json_t *state_to_json(const struct sync_state *st);
void state_free(struct sync_state *st);

#endif
