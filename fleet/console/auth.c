/* Administrators, login, sessions and CSRF tokens.
 * Passwords: libsodium crypto_pwhash_str (Argon2id, the interactive limits).
 * Session: 32 random bytes in an HttpOnly, SameSite=Strict cookie; only its
 * SHA-256 is stored, with an expiry (8 hours) and the session's CSRF token.
 * The login form itself carries a token that must equal its own short-lived
 * cookie (double submit), so no POST goes without a CSRF check. */
#include "console.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin/db.h"

#define SESSION_SECONDS 28800
#define LOGIN_FAILURES  10    /* refused logins of one name ... */
#define LOGIN_WINDOW    "15"  /* ... within this many minutes lock that name out */

static void rand_hex(char out[65])
{
	uint8_t t[32];

	randombytes_buf(t, sizeof(t));
	fl_hex(t, 32, out);
}

static void sha_hex(const char *s, char out[65])
{
	uint8_t h[32];

	crypto_hash_sha256(h, (const uint8_t *)s, strlen(s));
	fl_hex(h, 32, out);
}

static int is_token(const char *s)
{
	uint8_t t[32];

	return s && strlen(s) == 64 && !fl_unhex(s, t, 32);
}

enum MHD_Result auth_login_page(struct req *r, const char *error)
{
	struct html h = { 0 };
	char tok[65], cookie[160];

	/* keep a login-form token the browser has: a second page load (another
	 * tab, or a favicon request sent here) must not void the first form */
	if (is_token(web_cookie(r, "bh_login")))
		snprintf(tok, sizeof(tok), "%s", web_cookie(r, "bh_login"));
	else
		rand_hex(tok);
	snprintf(cookie, sizeof(cookie), "bh_login=%s; Path=/login; HttpOnly; SameSite=Strict; Max-Age=900", tok);
	page_begin(&h, "Log in", NULL);
	if (error)
		html(&h, "<p class=\"error\" id=\"error\">%s</p>", error);
	html(&h, "<form method=\"post\" action=\"/login\" id=\"login\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		 "<p><label>Name <input name=\"name\" id=\"name\" autocomplete=\"username\"></label></p>"
		 "<p><label>Password <input type=\"password\" name=\"password\" id=\"password\" "
		 "autocomplete=\"current-password\"></label></p><p><button type=\"submit\" id=\"submit\">Log in</button>"
		 "</p></form>", tok);
	page_end(&h);
	return web_page(r->c, error ? 403 : 200, &h, cookie);
}

/* Same work whether or not the name exists: a hash of a random password.
 * Its answer does not matter (the name is unknown); 0 always. */
static int verify_dummy(const char *pw)
{
	static char dummy[crypto_pwhash_STRBYTES];
	char rnd[65];

	if (!dummy[0]) {
		rand_hex(rnd);
		if (crypto_pwhash_str(dummy, rnd, 64, crypto_pwhash_OPSLIMIT_INTERACTIVE,
				      crypto_pwhash_MEMLIMIT_INTERACTIVE))
			return 0;
	}
	if (crypto_pwhash_str_verify(dummy, pw, strlen(pw)) == 0)
		return 0;
	return 0;
}

enum MHD_Result auth_login(struct console *k, struct req *r)
{
	const char *pre = web_cookie(r, "bh_login"), *tok = web_form(r, "csrf");
	const char *name = web_form(r, "name"), *pw = web_form(r, "password");
	char sess[65], hash[65], csrf[65], secs[16], id[24], cookie[200];
	const char *v[1] = { name }, *v4[4] = { hash, id, csrf, secs };
	struct fl_err err;
	PGresult *res;
	int ok;

	if (!is_token(pre) || !is_token(tok) || sodium_memcmp(pre, tok, 64))
		return web_error(r->c, 403, "login: missing or wrong CSRF token (reload the login page)");
	if (!web_valid_text(name, 64) || !pw || strlen(pw) < 1 || strlen(pw) > 1024)
		return auth_login_page(r, "wrong name or password");
	if (db_ready(k->db, &err))
		return web_error(r->c, 503, err.msg);
	/* the audit log counts refused logins: a name guessed too often is locked
	 * for a while, before any hash work */
	res = db_query(k->db, "SELECT count(*) FROM audit_log WHERE action = 'login refused' AND admin = $1 "
			      "AND at > now() - interval '" LOGIN_WINDOW " minutes'", 1, v, PGRES_TUPLES_OK, &err);
	if (!res)
		return web_error(r->c, 503, err.msg);
	ok = atoi(PQgetvalue(res, 0, 0)) >= LOGIN_FAILURES;
	PQclear(res);
	if (ok)
		return web_error(r->c, 429, "too many refused logins for this name: try again in " LOGIN_WINDOW " minutes");
	res = db_query(k->db, "SELECT id, pwhash FROM admins WHERE name = $1", 1, v, PGRES_TUPLES_OK, &err);
	if (!res)
		return web_error(r->c, 503, err.msg);
	if (PQntuples(res) == 1) {
		ok = crypto_pwhash_str_verify(PQgetvalue(res, 0, 1), pw, strlen(pw)) == 0;
	} else {
		ok = verify_dummy(pw);
	}
	snprintf(id, sizeof(id), "%s", ok ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	res = NULL;
	if (!ok) {
		/* a failed login is recorded; if the database fails here, the answer is the same */
		audit(k->db, name, "login refused", "wrong name or password", &err);
		return auth_login_page(r, "wrong name or password");
	}
	rand_hex(sess);
	rand_hex(csrf);
	sha_hex(sess, hash);
	snprintf(secs, sizeof(secs), "%d", SESSION_SECONDS);
	if (db_exec(k->db, "BEGIN", &err))
		goto fail;
	PQclear(db_query(k->db, "DELETE FROM sessions WHERE expires_at < now()", 0, NULL, PGRES_COMMAND_OK, &err));
	res = db_query(k->db, "INSERT INTO sessions (token_sha256, admin_id, csrf, expires_at) "
			      "VALUES ($1, $2, $3, now() + make_interval(secs => $4))", 4, v4, PGRES_COMMAND_OK, &err);
	if (!res || audit(k->db, name, "login", "session started", &err) || db_exec(k->db, "COMMIT", &err))
		goto fail;
	PQclear(res);
	snprintf(cookie, sizeof(cookie), "bh_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", sess,
		 SESSION_SECONDS, k->secure_cookies ? "; Secure" : "");
	sodium_memzero(sess, sizeof(sess));
	return web_redirect(r->c, "/", cookie);
fail:
	PQclear(res);
	db_exec(k->db, "ROLLBACK", NULL);
	return web_error(r->c, 503, err.msg);
}

int auth_session(struct console *k, const struct req *r, struct session *s, struct fl_err *err)
{
	const char *tok = web_cookie(r, "bh_session");
	char hash[65];
	const char *v[1] = { hash };
	PGresult *res;
	int rc = 1;

	if (!is_token(tok))
		return 1;
	sha_hex(tok, hash);
	res = db_query(k->db, "SELECT s.admin_id, a.name, s.csrf FROM sessions s JOIN admins a ON a.id = s.admin_id "
			      "WHERE s.token_sha256 = $1 AND s.expires_at > now()", 1, v, PGRES_TUPLES_OK, err);
	if (!res)
		return -1;
	if (PQntuples(res) == 1) {
		s->admin_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		snprintf(s->admin, sizeof(s->admin), "%s", PQgetvalue(res, 0, 1));
		snprintf(s->csrf, sizeof(s->csrf), "%s", PQgetvalue(res, 0, 2));
		rc = 0;
	}
	PQclear(res);
	return rc;
}

int auth_csrf_ok(const struct req *r, const struct session *s)
{
	const char *t = web_form(r, "csrf");

	return is_token(t) && strlen(s->csrf) == 64 && !sodium_memcmp(t, s->csrf, 64);
}

enum MHD_Result auth_logout(struct console *k, struct req *r, const struct session *s)
{
	char hash[65];
	const char *v[1] = { hash };
	struct fl_err err;
	PGresult *res;

	sha_hex(web_cookie(r, "bh_session"), hash);
	if (db_exec(k->db, "BEGIN", &err))
		return web_error(r->c, 503, err.msg);
	res = db_query(k->db, "DELETE FROM sessions WHERE token_sha256 = $1", 1, v, PGRES_COMMAND_OK, &err);
	if (!res || audit(k->db, s->admin, "logout", "session ended", &err) || db_exec(k->db, "COMMIT", &err)) {
		PQclear(res);
		db_exec(k->db, "ROLLBACK", NULL);
		return web_error(r->c, 503, err.msg);
	}
	PQclear(res);
	return web_redirect(r->c, "/login", "bh_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

int auth_add_admin(PGconn *db, const char *name, const char *password, struct fl_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	const char *v[2] = { name, hash };
	PGresult *r;

	if (!web_valid_text(name, 64))
		return fl_fail(err, "an administrator's name is 1 to 64 characters, no control characters");
	if (strlen(password) < 12 || strlen(password) > 1024)
		return fl_fail(err, "a password has 12 to 1024 characters");
	if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE))
		return fl_fail(err, "out of memory hashing the password");
	if (db_exec(db, "BEGIN", err))
		return -1;
	r = db_query(db, "INSERT INTO admins (name, pwhash) VALUES ($1, $2) ON CONFLICT (name) "
			 "DO UPDATE SET pwhash = EXCLUDED.pwhash", 2, v, PGRES_COMMAND_OK, err);
	if (!r || audit(db, name, "administrator set", "password set from the command line", err) ||
	    db_exec(db, "COMMIT", err)) {
		PQclear(r);
		db_exec(db, "ROLLBACK", NULL);
		return -1;
	}
	PQclear(r);
	return 0;
}
