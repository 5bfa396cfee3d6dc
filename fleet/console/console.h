/* bulkhead-console: IT's web console over the fleet's PostgreSQL database
 * (the same schema as the check-in service, fleet/checkin/migrations/).
 * Administrators log in (Argon2id password hashes), get a session cookie and
 * a CSRF token that every form sends back; every action is written together
 * with its audit-log entry in one transaction, and acknowledged (303) only
 * after that transaction committed. */
#ifndef FLEET_CONSOLE_CONSOLE_H
#define FLEET_CONSOLE_CONSOLE_H

#include <libpq-fe.h>

#include "web.h"

struct console {
	PGconn *db;
	int secure_cookies; /* add Secure to cookies (behind HTTPS) */
};

struct session {
	long long admin_id;
	char admin[65];
	char csrf[65];
};

/* auth.c */
enum MHD_Result auth_login_page(struct req *r, const char *error);
enum MHD_Result auth_login(struct console *k, struct req *r);
enum MHD_Result auth_logout(struct console *k, struct req *r, const struct session *s);
/* 0 and *s for a live session cookie; 1 for none, expired or forged; -1
 * when the database failed (err). */
int auth_session(struct console *k, const struct req *r, struct session *s, struct fl_err *err);
/* 1 if the form's csrf field is this session's token. */
int auth_csrf_ok(const struct req *r, const struct session *s);
int auth_add_admin(PGconn *db, const char *name, const char *password, struct fl_err *err);

/* pages.c, pages_admin.c: the GET pages */
enum MHD_Result pages_get(struct console *k, struct req *r, const struct session *s);
void page_begin(struct html *h, const char *title, const struct session *s);
void page_end(struct html *h);
/* The rows of a read-only query, or NULL after answering the error. */
PGresult *page_query(struct console *k, struct MHD_Connection *c, const char *sql, int n, const char *const *v);
enum MHD_Result page_groups(struct console *k, struct req *r, const struct session *s);
enum MHD_Result page_images(struct console *k, struct req *r, const struct session *s);
enum MHD_Result page_policies(struct console *k, struct req *r, const struct session *s);
enum MHD_Result page_rollouts(struct console *k, struct req *r, const struct session *s);
enum MHD_Result page_audit(struct console *k, struct req *r, const struct session *s);

/* actions.c: the POST actions */
enum MHD_Result actions_post(struct console *k, struct req *r, const struct session *s);
/* Append to the audit log (inside the action's transaction). */
int audit(PGconn *db, const char *admin, const char *action, const char *detail, struct fl_err *err);
/* The HTTP status for a failed statement: 503 if the connection is gone
 * (nothing was acknowledged), else 409 (a constraint refused the action). */
unsigned console_db_status(PGconn *db);

#endif
