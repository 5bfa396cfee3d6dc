/* bulkhead-sync sub-commands. */
#ifndef FLEET_SYNC_CMD_H
#define FLEET_SYNC_CMD_H

#include <jansson.h>

#include "util.h"

struct sync_args {
	const char *repo, *dir, *image, *root;
	const char *checkin, *token, *name, *ca; /* enroll, checkin */
	const char *service_key;
	const char *hv_status; /* checkin: --hv-status FILE, the hypervisor's version and VM states */ /* enroll: the check-in service key, given out of band (hex) */
	int dirfd; /* dir, held open (and locked) by the caller */
	int json, quiet;
	int assigned; /* --assigned: install only what the console assigned (sync_cmd.c) */
};

int sync_run(const struct sync_args *a, struct fl_err *err);
int sync_status(const struct sync_args *a, struct fl_err *err);
int sync_rollback(const struct sync_args *a, struct fl_err *err);
int sync_lease(const struct sync_args *a, struct fl_err *err); /* sync_lease.c */

#endif
