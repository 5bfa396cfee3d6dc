/* The console's actions (POST, after the session and CSRF checks in main.c).
 * Each runs in one transaction with its audit-log entry; the answer is a 303
 * to the page only after COMMIT succeeded, so an acknowledged action is in
 * the database. A refused or failed action rolls back and writes nothing. */
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin/db.h"

struct outcome {
	const char *action;   /* the audit log's name for it */
	char detail[600];     /* and what it did */
	const char *back;     /* page to go to */
	unsigned status;      /* if refused */
	struct fl_err err;
};

unsigned console_db_status(PGconn *db)
{
	return PQstatus(db) == CONNECTION_OK ? 409 : 503;
}

int audit(PGconn *db, const char *admin, const char *action, const char *detail, struct fl_err *err)
{
	const char *v[3] = { admin, action, detail };
	PGresult *r = db_query(db, "INSERT INTO audit_log (admin, action, detail) VALUES ($1, $2, $3)", 3, v,
			       PGRES_COMMAND_OK, err);

	PQclear(r);
	return r ? 0 : -1;
}

static int refuse(struct outcome *o, unsigned status, const char *msg)
{
	o->status = status;
	return fl_fail(&o->err, "%s", msg);
}

/* One statement with RETURNING; NULL (o filled) if it failed. */
static PGresult *run(struct console *k, struct outcome *o, const char *sql, int n, const char *const *v)
{
	PGresult *r = db_query(k->db, sql, n, v, PGRES_TUPLES_OK, &o->err);

	if (!r)
		o->status = console_db_status(k->db);
	return r;
}

/* A positive integer field, as text (for a parameter) and as a number. */
static int field_id(const struct req *r, const char *key, long max, long *out)
{
	const char *v = web_form(r, key);

	return v && !fl_parse_long(v, 1, max, out) ? 0 : -1;
}

static int group_new(struct console *k, struct req *r, struct outcome *o)
{
	const char *name = web_form(r, "name"), *v[1] = { name };
	PGresult *res;

	if (!web_valid_text(name, 64))
		return refuse(o, 400, "a group name is 1 to 64 characters, no control characters");
	if (!(res = run(k, o, "INSERT INTO device_groups (name) VALUES ($1) ON CONFLICT (name) DO NOTHING "
			      "RETURNING id", 1, v)))
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return refuse(o, 409, "a group of that name exists");
	}
	snprintf(o->detail, sizeof(o->detail), "group %s: %.500s", PQgetvalue(res, 0, 0), name);
	PQclear(res);
	o->action = "create group";
	o->back = "/groups";
	return 0;
}

static int group_add_ungrouped(struct console *k, struct req *r, struct outcome *o)
{
	const char *v[1] = { web_form(r, "group") };
	PGresult *res;
	long g;

	if (field_id(r, "group", INT64_MAX, &g))
		return refuse(o, 400, "want a group id");
	if (!(res = run(k, o, "SELECT 1 FROM device_groups WHERE id = $1 FOR UPDATE", 1, v)))
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return refuse(o, 404, "no such group");
	}
	PQclear(res);
	if (!(res = run(k, o, "UPDATE devices SET group_id = $1 WHERE group_id IS NULL AND revoked_at IS NULL "
			      "RETURNING id", 1, v)))
		return -1;
	snprintf(o->detail, sizeof(o->detail), "%d devices without a group into group %ld", PQntuples(res), g);
	PQclear(res);
	o->action = "group devices";
	o->back = "/groups";
	return 0;
}

static int device_group(struct console *k, struct req *r, struct outcome *o)
{
	const char *v[2] = { web_form(r, "device"), web_form(r, "group") };
	PGresult *res;
	long d, g;

	if (field_id(r, "device", INT64_MAX, &d) || !v[1] || fl_parse_long(v[1], 0, INT64_MAX, &g))
		return refuse(o, 400, "want a device id and a group id (0: none)");
	if (!(res = run(k, o, "UPDATE devices SET group_id = NULLIF($2::bigint, 0) WHERE id = $1 RETURNING id", 2, v)))
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return refuse(o, 404, "no such device");
	}
	PQclear(res);
	snprintf(o->detail, sizeof(o->detail), "device %ld into group %ld", d, g);
	o->action = "move device";
	o->back = "/";
	return 0;
}

static int device_revoke(struct console *k, struct req *r, struct outcome *o)
{
	const char *v[1] = { web_form(r, "device") };
	PGresult *res;
	long d;

	if (field_id(r, "device", INT64_MAX, &d))
		return refuse(o, 400, "want a device id");
	if (!(res = run(k, o, "UPDATE devices SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL "
			      "RETURNING id", 1, v)))
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return refuse(o, 409, "no such device, or already revoked");
	}
	PQclear(res);
	snprintf(o->detail, sizeof(o->detail), "device %ld revoked", d);
	o->action = "revoke device";
	o->back = "/";
	return 0;
}

static int image_new(struct console *k, struct req *r, struct outcome *o)
{
	const char *image = web_form(r, "image"), *note = web_form(r, "note");
	const char *v[3] = { image, web_form(r, "version"), note && *note ? note : "" };
	PGresult *res;
	long ver;

	if (!image || !fl_valid_name(image) || field_id(r, "version", 1L << 53, &ver) ||
	    (note && *note && !web_valid_text(note, 200)))
		return refuse(o, 400, "want an image name (as bulkhead-publish accepts), a version >= 1 and a note "
				      "of at most 200 characters");
	if (!(res = run(k, o, "INSERT INTO image_versions (image, version, note) VALUES ($1, $2, $3) "
			      "ON CONFLICT DO NOTHING RETURNING 1", 3, v)))
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return refuse(o, 409, "that version is registered already");
	}
	PQclear(res);
	snprintf(o->detail, sizeof(o->detail), "%s version %ld", image, ver);
	o->action = "register image version";
	o->back = "/images";
	return 0;
}

static int policy_new(struct console *k, struct req *r, struct outcome *o)
{
	const char *name = web_form(r, "name"), *role = web_form(r, "vm_role");
	const char *v[3] = { name, role, web_form(r, "lease_days") };
	PGresult *res;
	long days;

	if (!name || !fl_valid_name(name) || !role || !fl_valid_name(role) || strlen(role) > 63 ||
	    field_id(r, "lease_days", 3650, &days))
		return refuse(o, 400, "want a policy name and a VM role (names as bulkhead-publish accepts) and "
				      "lease days 1 to 3650");
	if (!(res = run(k, o, "INSERT INTO policies (name, vm_role, lease_days) VALUES ($1, $2, $3) "
			      "ON CONFLICT DO NOTHING RETURNING 1", 3, v)))
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return refuse(o, 409, "a policy of that name is registered already");
	}
	PQclear(res);
	snprintf(o->detail, sizeof(o->detail), "%s (role %s, lease %ld days)", name, role, days);
	o->action = "register policy";
	o->back = "/policies";
	return 0;
}

/* A version of a registered policy, as bulkhead-publish add --policy signed it
 * (the target policy/NAME.json's custom "version", docs/fleet.md). */
static int policy_version_new(struct console *k, struct req *r, struct outcome *o)
{
	const char *name = web_form(r, "policy"), *note = web_form(r, "note");
	const char *v[3] = { name, web_form(r, "version"), note && *note ? note : "" };
	PGresult *res;
	long ver;

	if (!name || !fl_valid_name(name) || field_id(r, "version", 1L << 53, &ver) ||
	    (note && *note && !web_valid_text(note, 200)))
		return refuse(o, 400, "want a registered policy's name, a version >= 1 (as bulkhead-publish add --policy "
				      "signed it) and a note of at most 200 characters");
	/* the foreign key refuses a policy that is not registered (409) */
	if (!(res = run(k, o, "INSERT INTO policy_versions (policy, version, note) VALUES ($1, $2, $3) "
			      "ON CONFLICT DO NOTHING RETURNING 1", 3, v)))
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return refuse(o, 409, "that policy version is registered already");
	}
	PQclear(res);
	snprintf(o->detail, sizeof(o->detail), "policy %s version %ld", name, ver);
	o->action = "register policy version";
	o->back = "/policies";
	return 0;
}

/* "NAME VERSION" (a <select> value of the assign form) into NAME and VERSION
 * as text; 0, or -1 if it is not a valid name and a version >= 1. */
static int name_version(const char *nv, char name[65], char ver[24], long *n)
{
	const char *sp = nv ? strrchr(nv, ' ') : NULL;

	if (!sp || sp - nv > 64 || fl_parse_long(sp + 1, 1, 1L << 53, n))
		return -1;
	snprintf(name, 65, "%.*s", (int)(sp - nv), nv);
	snprintf(ver, 24, "%ld", *n);
	return fl_valid_name(name) ? 0 : -1;
}

/* Assign: a rollout of IMAGE VERSION with POLICY VERSION to a group, state
 * ready. */
static int rollout_new(struct console *k, struct req *r, struct outcome *o)
{
	char image[65], ver[24], pol[65], pver[24];
	const char *v[6] = { web_form(r, "group"), image, ver, pol, pver, web_form(r, "percent") };
	PGresult *res;
	long g, n, pn, pct;

	if (field_id(r, "group", INT64_MAX, &g) || name_version(web_form(r, "image_version"), image, ver, &n) ||
	    name_version(web_form(r, "policy_version"), pol, pver, &pn) || field_id(r, "percent", 100, &pct))
		return refuse(o, 400, "want a group, an image version (\"IMAGE VERSION\"), a policy version "
				      "(\"POLICY VERSION\") and a stage of 1 to 100%");
	/* the foreign keys refuse an unknown group, image version or policy version (409) */
	if (!(res = run(k, o, "INSERT INTO rollouts (group_id, image, version, policy, policy_version, percent, state) "
			      "VALUES ($1, $2, $3, $4, $5, $6, 'ready') RETURNING id", 6, v)))
		return -1;
	snprintf(o->detail, sizeof(o->detail), "rollout %s: %s version %ld with policy %s version %ld to group %ld, "
		 "stage %ld%%", PQgetvalue(res, 0, 0), image, n, pol, pn, g, pct);
	PQclear(res);
	o->action = "assign";
	o->back = "/rollouts";
	return 0;
}

/* Start (or resume, or widen) a rollout at PERCENT: other running rollouts of
 * its group pause, and devices of the group join its targets, in the order
 * md5(rollout:device), until ceil(PERCENT% of the group) are reached. */
static int rollout_start(struct console *k, struct req *r, struct outcome *o)
{
	const char *v[2] = { web_form(r, "rollout"), web_form(r, "percent") };
	const char *v3[3] = { v[0], NULL, v[1] };
	PGresult *res, *t;
	long id, pct;

	if (field_id(r, "rollout", INT64_MAX, &id) || field_id(r, "percent", 100, &pct))
		return refuse(o, 400, "want a rollout id and a stage of 1 to 100%");
	if (!(res = run(k, o, "UPDATE rollouts SET state = 'running', percent = $2 WHERE id = $1 RETURNING group_id",
			2, v)))
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return refuse(o, 404, "no such rollout");
	}
	v3[1] = PQgetvalue(res, 0, 0);
	t = run(k, o, "UPDATE rollouts SET state = 'paused' WHERE group_id = $2 AND id <> $1 AND state = 'running' "
		      "RETURNING id", 2, v3);
	PQclear(t);
	if (t)
		t = run(k, o, "WITH g AS (SELECT count(*) AS n FROM devices WHERE group_id = $2 AND revoked_at IS NULL), "
			      "have AS (SELECT count(*) AS k FROM rollout_targets WHERE rollout_id = $1) "
			      "INSERT INTO rollout_targets (rollout_id, device_id) SELECT $1, d.id FROM devices d "
			      "WHERE d.group_id = $2 AND d.revoked_at IS NULL AND NOT EXISTS (SELECT 1 FROM rollout_targets x "
			      "WHERE x.rollout_id = $1 AND x.device_id = d.id) ORDER BY md5($1::text || ':' || d.id::text) "
			      "LIMIT (SELECT greatest(0, ceil(n * $3::numeric / 100) - k) FROM g, have) RETURNING device_id",
			3, v3);
	PQclear(res);
	if (!t)
		return -1;
	snprintf(o->detail, sizeof(o->detail), "rollout %ld running at %ld%%, %d more devices reached", id, pct,
		 PQntuples(t));
	PQclear(t);
	o->action = "start rollout";
	o->back = "/rollouts";
	return 0;
}

static int rollout_pause(struct console *k, struct req *r, struct outcome *o)
{
	const char *v[1] = { web_form(r, "rollout") };
	PGresult *res;
	long id;

	if (field_id(r, "rollout", INT64_MAX, &id))
		return refuse(o, 400, "want a rollout id");
	if (!(res = run(k, o, "UPDATE rollouts SET state = 'paused' WHERE id = $1 AND state = 'running' RETURNING id",
			1, v)))
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return refuse(o, 409, "no such running rollout");
	}
	PQclear(res);
	snprintf(o->detail, sizeof(o->detail), "rollout %ld paused", id);
	o->action = "pause rollout";
	o->back = "/rollouts";
	return 0;
}

enum MHD_Result actions_post(struct console *k, struct req *r, const struct session *s)
{
	static const struct {
		const char *path;
		int (*fn)(struct console *, struct req *, struct outcome *);
	} acts[] = {
		{ "/groups/new", group_new }, { "/groups/add-ungrouped", group_add_ungrouped },
		{ "/devices/group", device_group }, { "/devices/revoke", device_revoke },
		{ "/images/new", image_new }, { "/policies/new", policy_new },
		{ "/policies/version", policy_version_new }, { "/rollouts/new", rollout_new },
		{ "/rollouts/start", rollout_start }, { "/rollouts/pause", rollout_pause },
	};
	struct outcome o = { .status = 503 };

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		if (strcmp(r->url, acts[i].path))
			continue;
		if (db_exec(k->db, "BEGIN", &o.err))
			return web_error(r->c, 503, o.err.msg);
		if (acts[i].fn(k, r, &o) || audit(k->db, s->admin, o.action, o.detail, &o.err)) {
			db_exec(k->db, "ROLLBACK", NULL);
			return web_error(r->c, o.status, o.err.msg);
		}
		if (db_exec(k->db, "COMMIT", &o.err))
			return web_error(r->c, 503, o.err.msg);
		return web_redirect(r->c, o.back, NULL);
	}
	return web_error(r->c, 404, "no such action");
}
