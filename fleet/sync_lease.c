/* bulkhead-sync lease: the offline lease of each VM-role policy, checked
 * against the clock on the device, and the lock it asks for.
 *
 * Each successful sync renews a role's lease to now + its policy's
 * offline_lease_days (sync_cmd.c); a revoked device keeps the lease it had.
 * This command needs no network: it reads state.json and, when the lease
 * of the "work" role has run out, writes STATE_DIR/lease-expired (the
 * roles whose lease has passed, one "ROLE EXPIRY" line each). The service
 * VM's daemon, started with --lock-lease STATE_DIR/lease-expired, then
 * locks the work VMs (reason "lease expired", public/svc_ring.h). Only the
 * work role's lease locks: the hypervisor's lock applies to VMs of role
 * work, and another role's expiry must not stop the work VM. A renewed
 * lease removes the file; a lock already taken lasts until the hypervisor
 * boots again (the lock has no undo), so the work VM runs again at the
 * next boot. A lease that does not parse counts as expired. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "sync_cmd.h"

#define LEASE_FILE "lease-expired"
#define LOCKING_ROLE "work"

int sync_lease(const struct sync_args *a, struct fl_err *err)
{
	struct sync_state st;
	const char *role;
	json_t *p, *out = json_object(), *roles = json_object();
	char list[2048] = "", now_s[32];
	size_t used = 0;
	time_t now = fl_now(), until;
	int r, lock = 0, rc = -1;

	r = state_load(a->dirfd, &st, err);
	if (r < 0)
		goto out_json;
	fl_time_format(now, now_s);
	if (r == 0 && json_is_object(st.policies)) {
		json_object_foreach(st.policies, role, p) {
			const char *t = json_string_value(json_object_get(p, "lease_expires"));
			int expired = !t || fl_time_parse(t, &until) || until <= now;
			long long left = expired ? 0 : (long long)(until - now);

			json_object_set_new(roles, role, json_pack("{s:s?, s:b}", "lease_expires", t, "expired", expired));
			if (expired) {
				int n = snprintf(list + used, sizeof(list) - used, "%.64s %.31s\n", role, t ? t : "unknown");

				if (n > 0 && (size_t)n < sizeof(list) - used)
					used += (size_t)n;
				if (!strcmp(role, LOCKING_ROLE))
					lock = 1;
			}
			if (!a->json && !a->quiet) {
				if (expired)
					printf("%s: lease expired (%s)%s\n", role, t ? t : "no valid expiry",
					       strcmp(role, LOCKING_ROLE) ? "" : ": the work VMs are to be locked");
				else
					printf("%s: lease expires %s (%lld h %lld min left)\n", role, t, left / 3600,
					       left % 3600 / 60);
			}
		}
	}
	if (r == 1 && !a->json && !a->quiet)
		printf("no policy applied yet: no lease\n");
	if (lock) {
		if (fl_write_atomic_at(a->dirfd, LEASE_FILE, list, used, err))
			goto out_json;
	} else if (unlinkat(a->dirfd, LEASE_FILE, 0) && errno != ENOENT) {
		fl_fail(err, "%s/%s: %s", a->dir, LEASE_FILE, strerror(errno));
		goto out_json;
	}
	rc = 0;
out_json:
	if (a->json && rc == 0) {
		char *t;

		json_object_set_new(out, "now", json_string(now_s));
		json_object_set(out, "roles", roles);
		json_object_set_new(out, "lock", json_boolean(lock));
		t = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
		printf("%s\n", t);
		free(t);
	}
	json_decref(roles);
	json_decref(out);
	if (r == 0)
		state_free(&st);
	return rc;
}
