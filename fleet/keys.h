/* Publisher signing keys: one JSON file per ed25519 key, mode 0600:
 * {"keytype":"ed25519","role":"timestamp","public":hex,"private":hex}. */
#ifndef FLEET_KEYS_H
#define FLEET_KEYS_H

#include <stdint.h>

#include "tuf.h"
#include "util.h"

struct fl_key {
	char role[16];
	char keyid[TUF_KEYID_LEN];
	uint8_t pub[32];
	uint8_t sk[64];
	char path[512];
};

/* Create a new key file (refuses to overwrite). */
int keys_generate(const char *path, const char *role, struct fl_key *out, struct fl_err *err);
int keys_load(const char *path, struct fl_key *out, struct fl_err *err);
/* Load every *.key in dir; returns the count or -1. */
int keys_load_dir(const char *dir, struct fl_key *out, int max, struct fl_err *err);

#endif
