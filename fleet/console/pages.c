/* The console's pages: the layout, the fleet and one device (the other pages
 * are in pages_admin.c). Every value goes through html()'s escaping and
 * every query takes its values as parameters. */
#include "console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin/db.h"

#define UTC(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '')"

void page_begin(struct html *h, const char *title, const struct session *s)
{
	html(h, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s - Bulkhead fleet</title>"
		"<link rel=\"stylesheet\" href=\"/style.css\"></head><body><nav>", title);
	if (s)
		html(h, "<a href=\"/\">Fleet</a><a href=\"/groups\">Groups</a><a href=\"/images\">Images</a>"
			"<a href=\"/policies\">Policies</a><a href=\"/rollouts\">Rollouts</a><a href=\"/audit\">Audit log</a>"
			"<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			"<button type=\"submit\" id=\"logout\">Log out %s</button></form>", s->csrf, s->admin);
	else
		html(h, "<a href=\"/login\">Bulkhead fleet console</a>");
	html(h, "</nav><main><h1>%s</h1>", title);
}

void page_end(struct html *h)
{
	html(h, "</main></body></html>");
}

PGresult *page_query(struct console *k, struct MHD_Connection *c, const char *sql, int n, const char *const *v)
{
	struct fl_err err;
	PGresult *r = db_query(k->db, sql, n, v, PGRES_TUPLES_OK, &err);

	if (!r)
		web_error(c, console_db_status(k->db) == 503 ? 503 : 500, err.msg);
	return r;
}

static const char *const healths[] = { "ok", "lease expiring", "lease expired", "offline", "never checked in",
				       "revoked", NULL };

/* GET /?q=NAME&group=GROUP&health=HEALTH: every device (first 1000). */
static enum MHD_Result page_fleet(struct console *k, struct req *r, const struct session *s)
{
	const char *q = web_query(r, "q"), *g = web_query(r, "group"), *hl = web_query(r, "health");
	const char *v[3] = { q ? q : "", g ? g : "", hl ? hl : "" };
	struct html h = { 0 };
	PGresult *res, *groups;
	int n;

	res = page_query(k, r->c,
			 "SELECT id, name, coalesce(group_name, ''), coalesce((SELECT string_agg((i->>'image') || ' ' || "
			 "(i->>'version'), ', ' ORDER BY i->>'image') FROM jsonb_array_elements(last_report->'images') i), ''), "
			 UTC("last_checkin") ", " UTC("lease_expires") ", health FROM device_status "
			 "WHERE ($1 = '' OR strpos(lower(name), lower($1)) > 0) AND ($2 = '' OR group_name = $2) "
			 "AND ($3 = '' OR health = $3) ORDER BY id LIMIT 1000", 3, v);
	if (!res)
		return MHD_YES;
	if (!(groups = page_query(k, r->c, "SELECT name FROM device_groups ORDER BY name", 0, NULL))) {
		PQclear(res);
		return MHD_YES;
	}
	n = PQntuples(res);
	page_begin(&h, "Fleet", s);
	html(&h, "<form method=\"get\" action=\"/\" id=\"filter\"><label>Name <input name=\"q\" value=\"%s\"></label>"
		 "<label>Group <select name=\"group\"><option value=\"\">any</option>", v[0]);
	for (int i = 0; i < PQntuples(groups); i++)
		html(&h, "<option%s>%s</option>", strcmp(v[1], PQgetvalue(groups, i, 0)) ? "" : " selected",
		     PQgetvalue(groups, i, 0));
	html(&h, "</select></label><label>Health <select name=\"health\"><option value=\"\">any</option>");
	for (int i = 0; healths[i]; i++)
		html(&h, "<option%s>%s</option>", strcmp(v[2], healths[i]) ? "" : " selected", healths[i]);
	html(&h, "</select></label><button type=\"submit\">Filter</button></form>"
		 "<p id=\"count\">%d devices%s</p><table id=\"fleet\"><tr><th>Device</th><th>Name</th><th>Group</th>"
		 "<th>Images and versions</th><th>Last check-in (UTC)</th><th>Lease expires (UTC)</th><th>Health</th></tr>",
	     n, n == 1000 ? " (the first 1000: filter to see others)" : "");
	for (int i = 0; i < n; i++) {
		char cls[40];
		size_t j;

		snprintf(cls, sizeof(cls), "health-%s", PQgetvalue(res, i, 6));
		for (j = 0; cls[j]; j++)
			cls[j] = cls[j] == ' ' ? '-' : cls[j];
		html(&h, "<tr class=\"device\"><td><a href=\"/device?id=%s\">%s</a></td><td class=\"name\">%s</td>"
			 "<td>%s</td><td class=\"versions\">%s</td><td>%s</td><td>%s</td><td class=\"%s health\">%s</td></tr>",
		     PQgetvalue(res, i, 0), PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
		     PQgetvalue(res, i, 3), PQgetvalue(res, i, 4), PQgetvalue(res, i, 5), cls, PQgetvalue(res, i, 6));
	}
	html(&h, "</table>");
	page_end(&h);
	PQclear(res);
	PQclear(groups);
	return web_page(r->c, 200, &h, NULL);
}

/* GET /device?id=N: one device, its latest report (with the hypervisor's
 * version and its VMs' states when the device reports them), its group, revoke. */
static enum MHD_Result page_device(struct console *k, struct req *r, const struct session *s)
{
	const char *id = web_query(r, "id");
	const char *v[1] = { id };
	struct html h = { 0 };
	PGresult *d, *groups, *reps, *ro = NULL, *vms = NULL, *pol = NULL;
	long n;

	if (!id || fl_parse_long(id, 1, INT64_MAX, &n))
		return web_error(r->c, 400, "device: want ?id=N");
	if (!(d = page_query(k, r->c, "SELECT id, name, coalesce(group_name, ''), " UTC("enrolled_at") ", "
				      UTC("revoked_at") ", " UTC("last_checkin") ", " UTC("lease_expires") ", health, "
				      "coalesce(jsonb_pretty(last_report), ''), coalesce(group_id, 0), "
				      "coalesce(last_report->>'hypervisor', 'not reported') "
				      "FROM device_status WHERE id = $1", 1, v)))
		return MHD_YES;
	if (PQntuples(d) != 1) {
		PQclear(d);
		return web_error(r->c, 404, "no such device");
	}
	groups = page_query(k, r->c, "SELECT id, name FROM device_groups ORDER BY name", 0, NULL);
	reps = groups ? page_query(k, r->c, "SELECT seq, " UTC("received_at") " FROM reports WHERE device_id = $1 "
					    "ORDER BY seq DESC LIMIT 10", 1, v) : NULL;
	ro = reps ? page_query(k, r->c, "SELECT r.id, r.image || ' ' || r.version, "
					"r.policy || coalesce(' ' || r.policy_version, ' (no version)'), r.state, "
					UTC("t.added_at") " FROM rollout_targets t JOIN rollouts r ON r.id = t.rollout_id "
					"WHERE t.device_id = $1 ORDER BY r.id DESC LIMIT 10", 1, v) : NULL;
	/* report_parse let in only names, the four states, integers >= 0 and
	 * an optional boolean locked; an
	 * uptime past 100 years is shown in seconds rather than as an interval */
	vms = ro ? page_query(k, r->c, "SELECT x->>'name', x->>'state' || CASE WHEN x->'locked' = 'true'::jsonb "
					"THEN ' (locked)' ELSE '' END, CASE WHEN (x->>'uptime_s')::numeric < 3153600000 "
					"THEN justify_hours(make_interval(secs => (x->>'uptime_s')::bigint))::text "
					"ELSE (x->>'uptime_s') || ' s' END FROM device_status, "
					"jsonb_array_elements(CASE WHEN jsonb_typeof(last_report->'vms') = 'array' "
					"THEN last_report->'vms' ELSE '[]'::jsonb END) x WHERE id = $1", 1, v) : NULL;
	/* each policy the device reports (its applied version) beside the one
	 * assigned to it: that of the newest running rollout that reached it,
	 * as the check-in answer names it (checkin/db.c) */
	pol = vms ? page_query(k, r->c, "WITH rep AS (SELECT x.key AS policy, x.value->>'version' AS v "
					"FROM device_status d, jsonb_each(CASE WHEN jsonb_typeof(d.last_report->'policies') = "
					"'object' THEN d.last_report->'policies' ELSE '{}'::jsonb END) x WHERE d.id = $1), "
					"asg AS (SELECT r.policy, r.policy_version::text AS v FROM rollout_targets t JOIN rollouts r "
					"ON r.id = t.rollout_id WHERE t.device_id = $1 AND r.state = 'running' ORDER BY r.id DESC "
					"LIMIT 1) SELECT coalesce(rep.policy, asg.policy), "
					"CASE WHEN rep.policy IS NULL THEN 'not reported' ELSE coalesce(rep.v, 'no version') END, "
					"CASE WHEN asg.policy IS NULL THEN 'none' ELSE coalesce(asg.v, 'no version') END, "
					"CASE WHEN asg.policy IS NULL THEN 'not assigned' WHEN rep.v = asg.v THEN 'as assigned' "
					"ELSE 'differs' END FROM rep FULL JOIN asg ON asg.policy = rep.policy ORDER BY 1", 1, v)
		   : NULL;
	if (!pol) {
		PQclear(vms);
		PQclear(ro);
		PQclear(d);
		PQclear(groups);
		PQclear(reps);
		return MHD_YES;
	}
	page_begin(&h, "Device", s);
	html(&h, "<table id=\"device\"><tr><th>Device</th><td>%s</td></tr><tr><th>Name</th><td id=\"name\">%s</td></tr>"
		 "<tr><th>Group</th><td>%s</td></tr><tr><th>Enrolled (UTC)</th><td>%s</td></tr>"
		 "<tr><th>Revoked (UTC)</th><td>%s</td></tr><tr><th>Last check-in (UTC)</th><td>%s</td></tr>"
		 "<tr><th>Lease expires (UTC)</th><td>%s</td></tr><tr><th>Health</th><td id=\"health\">%s</td></tr>"
		 "<tr><th>Hypervisor</th><td id=\"hypervisor\">%s</td></tr></table>",
	     PQgetvalue(d, 0, 0), PQgetvalue(d, 0, 1), PQgetvalue(d, 0, 2), PQgetvalue(d, 0, 3), PQgetvalue(d, 0, 4),
	     PQgetvalue(d, 0, 5), PQgetvalue(d, 0, 6), PQgetvalue(d, 0, 7), PQgetvalue(d, 0, 10));
	html(&h, "<h2>Virtual machines</h2><table id=\"vms\"><tr><th>VM</th><th>State</th><th>Uptime</th></tr>");
	for (int i = 0; i < PQntuples(vms); i++)
		html(&h, "<tr class=\"vm\"><td>%s</td><td>%s</td><td>%s</td></tr>", PQgetvalue(vms, i, 0),
		     PQgetvalue(vms, i, 1), PQgetvalue(vms, i, 2));
	if (!PQntuples(vms))
		html(&h, "<tr><td colspan=\"3\">none reported</td></tr>");
	html(&h, "</table>");
	html(&h, "<h2>Policies</h2><table id=\"device-policies\"><tr><th>Policy</th><th>Reported version</th>"
		 "<th>Assigned version</th><th></th></tr>");
	for (int i = 0; i < PQntuples(pol); i++)
		html(&h, "<tr class=\"policy\" id=\"policy-%s\"><td>%s</td><td class=\"reported\">%s</td>"
			 "<td class=\"assigned\">%s</td><td class=\"match\">%s</td></tr>", PQgetvalue(pol, i, 0),
		     PQgetvalue(pol, i, 0), PQgetvalue(pol, i, 1), PQgetvalue(pol, i, 2), PQgetvalue(pol, i, 3));
	if (!PQntuples(pol))
		html(&h, "<tr><td colspan=\"4\">none reported or assigned</td></tr>");
	html(&h, "</table>");
	html(&h, "<fieldset><legend>Group</legend><form method=\"post\" action=\"/devices/group\">"
		 "<input type=\"hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"device\" value=\"%s\">"
		 "<select name=\"group\"><option value=\"0\">none</option>", s->csrf, PQgetvalue(d, 0, 0));
	for (int i = 0; i < PQntuples(groups); i++)
		html(&h, "<option value=\"%s\"%s>%s</option>", PQgetvalue(groups, i, 0),
		     strcmp(PQgetvalue(groups, i, 0), PQgetvalue(d, 0, 9)) ? "" : " selected", PQgetvalue(groups, i, 1));
	html(&h, "</select> <button type=\"submit\">Move</button></form></fieldset>");
	if (!*PQgetvalue(d, 0, 4))
		html(&h, "<fieldset><legend>Revoke</legend><p>Check-in refuses a revoked device and tells it its lease is "
			 "not renewed; its managed VM locks at its next check-in. This cannot be undone.</p>"
			 "<form method=\"post\" action=\"/devices/revoke\" id=\"revoke\"><input type=\"hidden\" name=\"csrf\" "
			 "value=\"%s\"><input type=\"hidden\" name=\"device\" value=\"%s\"><button type=\"submit\" "
			 "id=\"revoke-button\">Revoke this device</button></form></fieldset>", s->csrf, PQgetvalue(d, 0, 0));
	html(&h, "<h2>Rollouts that reached it</h2><table id=\"device-rollouts\"><tr><th>Rollout</th><th>Version</th>"
		 "<th>Policy</th><th>State</th><th>Reached (UTC)</th></tr>");
	for (int i = 0; i < PQntuples(ro); i++)
		html(&h, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", PQgetvalue(ro, i, 0),
		     PQgetvalue(ro, i, 1), PQgetvalue(ro, i, 2), PQgetvalue(ro, i, 3), PQgetvalue(ro, i, 4));
	html(&h, "</table><h2>Latest report</h2><pre id=\"report\">%s</pre><h2>Recent reports</h2><table><tr><th>Seq</th>"
		 "<th>Received (UTC)</th></tr>", PQgetvalue(d, 0, 8));
	for (int i = 0; i < PQntuples(reps); i++)
		html(&h, "<tr><td>%s</td><td>%s</td></tr>", PQgetvalue(reps, i, 0), PQgetvalue(reps, i, 1));
	html(&h, "</table>");
	page_end(&h);
	PQclear(d);
	PQclear(groups);
	PQclear(reps);
	PQclear(ro);
	PQclear(vms);
	PQclear(pol);
	return web_page(r->c, 200, &h, NULL);
}

enum MHD_Result pages_get(struct console *k, struct req *r, const struct session *s)
{
	static const struct {
		const char *path;
		enum MHD_Result (*fn)(struct console *, struct req *, const struct session *);
	} routes[] = {
		{ "/", page_fleet }, { "/device", page_device }, { "/groups", page_groups }, { "/images", page_images },
		{ "/policies", page_policies }, { "/rollouts", page_rollouts }, { "/audit", page_audit },
	};

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (!strcmp(r->url, routes[i].path))
			return routes[i].fn(k, r, s);
	return web_error(r->c, 404, "no such page");
}
