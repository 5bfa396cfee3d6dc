/* The console's pages for groups, images and versions, policies, rollouts
 * and the audit log, each with the forms of its actions (actions.c). */
#include "console.h"

#include <string.h>

#include "checkin/db.h"

#define UTC(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), '')"

static void csrf_field(struct html *h, const struct session *s)
{
	html(h, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", s->csrf);
}

enum MHD_Result page_groups(struct console *k, struct req *r, const struct session *s)
{
	struct html h = { 0 };
	PGresult *g = page_query(k, r->c, "SELECT g.id, g.name, count(d.id), count(d.id) FILTER (WHERE d.revoked_at IS NULL) "
				 "FROM device_groups g LEFT JOIN devices d ON d.group_id = g.id GROUP BY g.id ORDER BY g.name",
				 0, NULL);

	if (!g)
		return MHD_YES;
	page_begin(&h, "Groups", s);
	html(&h, "<table id=\"groups\"><tr><th>Group</th><th>Devices</th><th>Not revoked</th><th></th></tr>");
	for (int i = 0; i < PQntuples(g); i++) {
		html(&h, "<tr><td><a href=\"/?group=%u\">%s</a></td><td>%s</td><td>%s</td><td>"
			 "<form class=\"inline\" method=\"post\" action=\"/groups/add-ungrouped\">", PQgetvalue(g, i, 1),
		     PQgetvalue(g, i, 1), PQgetvalue(g, i, 2), PQgetvalue(g, i, 3));
		csrf_field(&h, s);
		html(&h, "<input type=\"hidden\" name=\"group\" value=\"%s\"><button type=\"submit\">Add every device "
			 "without a group</button></form></td></tr>", PQgetvalue(g, i, 0));
	}
	html(&h, "</table><fieldset><legend>New group</legend><form method=\"post\" action=\"/groups/new\" id=\"new-group\">");
	csrf_field(&h, s);
	html(&h, "<label>Name <input name=\"name\" maxlength=\"64\"></label><button type=\"submit\">Create</button>"
		 "</form></fieldset>");
	page_end(&h);
	PQclear(g);
	return web_page(r->c, 200, &h, NULL);
}

enum MHD_Result page_images(struct console *k, struct req *r, const struct session *s)
{
	struct html h = { 0 };
	/* the versions IT registered and those devices report, with how many run each */
	PGresult *im = page_query(k, r->c,
				  "WITH running AS (SELECT i->>'image' AS image, (i->>'version')::bigint AS version, "
				  "count(*) AS n FROM device_status d, jsonb_array_elements(d.last_report->'images') i "
				  "WHERE d.revoked_at IS NULL GROUP BY 1, 2) "
				  "SELECT coalesce(v.image, r.image), coalesce(v.version, r.version), v.image IS NOT NULL, "
				  "coalesce(v.note, ''), coalesce(r.n, 0) FROM image_versions v FULL JOIN running r "
				  "ON r.image = v.image AND r.version = v.version ORDER BY 1, 2", 0, NULL);

	if (!im)
		return MHD_YES;
	page_begin(&h, "Images and versions", s);
	html(&h, "<table id=\"images\"><tr><th>Image</th><th>Version</th><th>Registered</th><th>Note</th>"
		 "<th>Devices running it</th></tr>");
	for (int i = 0; i < PQntuples(im); i++)
		html(&h, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", PQgetvalue(im, i, 0),
		     PQgetvalue(im, i, 1), strcmp(PQgetvalue(im, i, 2), "t") ? "no (seen in reports)" : "yes",
		     PQgetvalue(im, i, 3), PQgetvalue(im, i, 4));
	html(&h, "</table><fieldset><legend>Register a published version</legend><p>The version must already be "
		 "published to the repository (bulkhead-publish add); the console only names it.</p>"
		 "<form method=\"post\" action=\"/images/new\" id=\"new-image\">");
	csrf_field(&h, s);
	html(&h, "<label>Image <input name=\"image\" maxlength=\"64\"></label><label>Version <input name=\"version\" "
		 "type=\"number\" min=\"1\"></label><label>Note <input name=\"note\" maxlength=\"200\"></label>"
		 "<button type=\"submit\">Register</button></form></fieldset>");
	page_end(&h);
	PQclear(im);
	return web_page(r->c, 200, &h, NULL);
}

static void options(struct html *h, PGresult *res, int value_col, int label_col);

/* The policies, and each one's versions: those IT registered (as
 * bulkhead-publish add --policy signed them) and those devices report, with
 * how many report each. */
enum MHD_Result page_policies(struct console *k, struct req *r, const struct session *s)
{
	struct html h = { 0 };
	PGresult *p, *pv = NULL;

	p = page_query(k, r->c, "SELECT name, vm_role, lease_days, " UTC("created_at") ", name, name "
		       "FROM policies ORDER BY name", 0, NULL);
	/* report_parse let in only names for roles and integers >= 0 for versions */
	if (!p || !(pv = page_query(k, r->c,
				   "WITH running AS (SELECT x.key AS policy, (x.value->>'version')::bigint AS version, "
				   "count(*) AS n FROM device_status d, jsonb_each(CASE WHEN jsonb_typeof(d.last_report->"
				   "'policies') = 'object' THEN d.last_report->'policies' ELSE '{}'::jsonb END) x "
				   "WHERE d.revoked_at IS NULL AND x.value ? 'version' GROUP BY 1, 2) "
				   "SELECT coalesce(v.policy, r.policy), coalesce(v.version, r.version), v.policy IS NOT NULL, "
				   "coalesce(v.note, ''), " UTC("v.created_at") ", coalesce(r.n, 0) FROM policy_versions v "
				   "FULL JOIN running r ON r.policy = v.policy AND r.version = v.version ORDER BY 1, 2",
				   0, NULL))) {
		PQclear(p);
		return MHD_YES;
	}
	page_begin(&h, "Policies", s);
	html(&h, "<table id=\"policies\"><tr><th>Policy</th><th>VM role</th><th>Offline lease (days)</th>"
		 "<th>Registered (UTC)</th></tr>");
	for (int i = 0; i < PQntuples(p); i++)
		html(&h, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", PQgetvalue(p, i, 0),
		     PQgetvalue(p, i, 1), PQgetvalue(p, i, 2), PQgetvalue(p, i, 3));
	html(&h, "</table><h2>Versions</h2><table id=\"policy-versions\"><tr><th>Policy</th><th>Version</th>"
		 "<th>Registered</th><th>Note</th><th>Registered (UTC)</th><th>Devices reporting it</th></tr>");
	for (int i = 0; i < PQntuples(pv); i++)
		html(&h, "<tr class=\"version\" id=\"policy-%s-v%s\"><td>%s</td><td>%s</td><td class=\"registered\">"
			 "%s</td><td>%s</td><td>%s</td><td class=\"devices\">%s</td></tr>", PQgetvalue(pv, i, 0),
		     PQgetvalue(pv, i, 1), PQgetvalue(pv, i, 0), PQgetvalue(pv, i, 1),
		     strcmp(PQgetvalue(pv, i, 2), "t") ? "no (seen in reports)" : "yes", PQgetvalue(pv, i, 3),
		     PQgetvalue(pv, i, 4), PQgetvalue(pv, i, 5));
	html(&h, "</table><fieldset><legend>Register a policy</legend><p>The policy document itself is signed and "
		 "published with bulkhead-publish add --policy; the console records its name for rollouts.</p>"
		 "<form method=\"post\" action=\"/policies/new\" id=\"new-policy\">");
	csrf_field(&h, s);
	html(&h, "<label>Name <input name=\"name\" maxlength=\"64\"></label><label>VM role <input name=\"vm_role\" "
		 "maxlength=\"63\"></label><label>Lease days <input name=\"lease_days\" type=\"number\" min=\"1\" "
		 "max=\"3650\"></label><button type=\"submit\">Register</button></form></fieldset>");
	html(&h, "<fieldset><legend>Register a published policy version</legend><p>Each bulkhead-publish add "
		 "--policy of a role signs its next version (1, 2, ...; it prints the number); register the ones "
		 "rollouts may assign. The console only names them.</p>"
		 "<form method=\"post\" action=\"/policies/version\" id=\"new-policy-version\">");
	csrf_field(&h, s);
	html(&h, "<label>Policy <select name=\"policy\">");
	options(&h, p, 4, 5);
	html(&h, "</select></label><label>Version <input name=\"version\" type=\"number\" min=\"1\"></label>"
		 "<label>Note <input name=\"note\" maxlength=\"200\"></label><button type=\"submit\">Register</button>"
		 "</form></fieldset>");
	page_end(&h);
	PQclear(p);
	PQclear(pv);
	return web_page(r->c, 200, &h, NULL);
}

static void options(struct html *h, PGresult *res, int value_col, int label_col)
{
	for (int i = 0; i < PQntuples(res); i++)
		html(h, "<option value=\"%s\">%s</option>", PQgetvalue(res, i, value_col), PQgetvalue(res, i, label_col));
}

/* Progress: the group's devices (not revoked), those the rollout reached so
 * far, and of these the ones whose latest report runs its version. */
enum MHD_Result page_rollouts(struct console *k, struct req *r, const struct session *s)
{
	struct html h = { 0 };
	PGresult *ro, *g = NULL, *v = NULL, *p = NULL;

	ro = page_query(k, r->c,
			"SELECT r.id, gr.name, r.image, r.version, r.policy || coalesce(' ' || r.policy_version, ' (no version)'), "
			"r.percent, r.state, "
			"(SELECT count(*) FROM devices d WHERE d.group_id = r.group_id AND d.revoked_at IS NULL), "
			"(SELECT count(*) FROM rollout_targets t WHERE t.rollout_id = r.id), "
			"(SELECT count(*) FROM rollout_targets t JOIN device_status d ON d.id = t.device_id WHERE t.rollout_id = r.id "
			"AND d.last_report->'images' @> jsonb_build_array(jsonb_build_object('image', r.image, "
			"'version', r.version))) FROM rollouts r JOIN device_groups gr ON gr.id = r.group_id ORDER BY r.id DESC",
			0, NULL);
	if (!ro || !(g = page_query(k, r->c, "SELECT id, name FROM device_groups ORDER BY name", 0, NULL)) ||
	    !(v = page_query(k, r->c, "SELECT image || ' ' || version, image || ' ' || version FROM image_versions "
				      "ORDER BY image, version", 0, NULL)) ||
	    !(p = page_query(k, r->c, "SELECT policy || ' ' || version, policy || ' ' || version FROM policy_versions "
				      "ORDER BY policy, version", 0, NULL))) {
		PQclear(ro);
		PQclear(g);
		PQclear(v);
		return MHD_YES;
	}
	page_begin(&h, "Rollouts", s);
	html(&h, "<table id=\"rollouts\"><tr><th>Rollout</th><th>Group</th><th>Image</th><th>Version</th><th>Policy</th>"
		 "<th>Stage (%%)</th><th>State</th><th>Group devices</th><th>Reached</th><th>Updated</th><th>Actions</th></tr>");
	for (int i = 0; i < PQntuples(ro); i++) {
		const char *id = PQgetvalue(ro, i, 0);

		html(&h, "<tr class=\"rollout\" id=\"rollout-%s\"><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class=\"policy\">%s</td>"
			 "<td class=\"percent\">%s</td><td class=\"state\">%s</td><td class=\"group-size\">%s</td>"
			 "<td class=\"reached\">%s</td><td class=\"updated\">%s</td><td>", id, id, PQgetvalue(ro, i, 1),
		     PQgetvalue(ro, i, 2), PQgetvalue(ro, i, 3), PQgetvalue(ro, i, 4), PQgetvalue(ro, i, 5),
		     PQgetvalue(ro, i, 6), PQgetvalue(ro, i, 7), PQgetvalue(ro, i, 8), PQgetvalue(ro, i, 9));
		html(&h, "<form class=\"inline start\" method=\"post\" action=\"/rollouts/start\">");
		csrf_field(&h, s);
		html(&h, "<input type=\"hidden\" name=\"rollout\" value=\"%s\"><input name=\"percent\" type=\"number\" "
			 "min=\"1\" max=\"100\" value=\"%s\" size=\"4\"><button type=\"submit\">Start at this %%</button></form>",
		     id, PQgetvalue(ro, i, 5));
		if (!strcmp(PQgetvalue(ro, i, 6), "running")) {
			html(&h, "<form class=\"inline pause\" method=\"post\" action=\"/rollouts/pause\">");
			csrf_field(&h, s);
			html(&h, "<input type=\"hidden\" name=\"rollout\" value=\"%s\"><button type=\"submit\">Pause</button>"
				 "</form>", id);
		}
		html(&h, "</td></tr>");
	}
	html(&h, "</table><fieldset><legend>Assign an image version and a policy version to a group</legend>"
		 "<form method=\"post\" action=\"/rollouts/new\" id=\"assign\">");
	csrf_field(&h, s);
	html(&h, "<label>Group <select name=\"group\">");
	options(&h, g, 0, 1);
	html(&h, "</select></label><label>Image version <select name=\"image_version\">");
	options(&h, v, 0, 1);
	html(&h, "</select></label><label>Policy version <select name=\"policy_version\">");
	options(&h, p, 0, 1);
	html(&h, "</select></label><label>Stage (%%) <input name=\"percent\" type=\"number\" min=\"1\" max=\"100\" "
		 "value=\"10\"></label><button type=\"submit\">Assign</button></form><p>An assignment starts in "
		 "state ready and reaches no device until started. Starting it at N%% reaches ceil(N%% of the group's devices), chosen in a fixed order per "
		 "rollout; raising N keeps the devices already reached. A device learns its assignment in its next "
		 "check-in answer; what it installs is what the signed repository metadata says (docs/fleet.md).</p>"
		 "</fieldset>");
	page_end(&h);
	PQclear(ro);
	PQclear(g);
	PQclear(v);
	PQclear(p);
	return web_page(r->c, 200, &h, NULL);
}

enum MHD_Result page_audit(struct console *k, struct req *r, const struct session *s)
{
	struct html h = { 0 };
	PGresult *a = page_query(k, r->c, "SELECT id, " UTC("at") ", admin, action, detail FROM audit_log "
				 "ORDER BY id DESC LIMIT 500", 0, NULL);

	if (!a)
		return MHD_YES;
	page_begin(&h, "Audit log", s);
	html(&h, "<table id=\"audit\"><tr><th>#</th><th>When (UTC)</th><th>Administrator</th><th>Action</th>"
		 "<th>Detail</th></tr>");
	for (int i = 0; i < PQntuples(a); i++)
		html(&h, "<tr><td>%s</td><td>%s</td><td>%s</td><td class=\"action\">%s</td><td>%s</td></tr>",
		     PQgetvalue(a, i, 0), PQgetvalue(a, i, 1), PQgetvalue(a, i, 2), PQgetvalue(a, i, 3),
		     PQgetvalue(a, i, 4));
	html(&h, "</table>");
	page_end(&h);
	PQclear(a);
	return web_page(r->c, 200, &h, NULL);
}
