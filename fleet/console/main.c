/* bulkhead-console: the fleet's web console (see console.h, docs/fleet.md).
 *   bulkhead-console serve   --db CONNINFO --listen IP:PORT [--migrations DIR] [--secure-cookies]
 *                            [--tls-cert PEM --tls-key PEM]  (HTTPS; cookies are then Secure)
 *   bulkhead-console migrate --db CONNINFO [--migrations DIR]
 *   bulkhead-console admin   --db CONNINFO --name NAME
 *       sets NAME's password from BULKHEAD_ADMIN_PASSWORD, or makes one and prints it
 * One polling thread and one database connection: every request runs to its
 * end before the next, so an action's transaction never interleaves. */
#include <arpa/inet.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../checkin/httpd.h"
#include "checkin/db.h"
#include "console.h"

static enum MHD_Result route(struct console *k, struct req *r)
{
	struct session s;
	struct fl_err err;
	int post = !strcmp(r->method, "POST"), rc;

	if (!post && strcmp(r->method, "GET"))
		return web_error(r->c, 405, "only GET and POST");
	if (!post && !strcmp(r->url, "/style.css"))
		return web_css(r->c);
	if (r->too_big)
		return web_error(r->c, 413, "request larger than 16384 bytes");
	if (post && web_parse_form(r, &err))
		return web_error(r->c, 400, err.msg);
	if (!strcmp(r->url, "/login"))
		return post ? auth_login(k, r) : auth_login_page(r, NULL);
	if (db_ready(k->db, &err))
		return web_error(r->c, 503, err.msg);
	rc = auth_session(k, r, &s, &err);
	if (rc < 0)
		return web_error(r->c, console_db_status(k->db) == 503 ? 503 : 500, err.msg);
	if (rc > 0)
		return post ? web_error(r->c, 403, "no valid session: log in again") : web_redirect(r->c, "/login", NULL);
	if (!post)
		return pages_get(k, r, &s);
	if (!auth_csrf_ok(r, &s))
		return web_error(r->c, 403, "missing or wrong CSRF token: nothing was done (reload the page)");
	if (!strcmp(r->url, "/logout"))
		return auth_logout(k, r, &s);
	return actions_post(k, r, &s);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *data, size_t *size, void **con_cls)
{
	struct req *r = *con_cls;

	(void)version;
	if (!r) { /* first call: headers only */
		if (!(r = calloc(1, sizeof(*r))))
			return MHD_NO;
		r->c = c;
		r->url = url;
		r->method = method;
		*con_cls = r;
		return MHD_YES;
	}
	if (*size) {
		if (r->body.len + *size > WEB_MAX_BODY)
			r->too_big = 1; /* keep reading, answer when the upload ends */
		else if (fl_buf_append(&r->body, data, *size))
			return MHD_NO;
		*size = 0;
		return MHD_YES;
	}
	return route(cls, r);
}

static void done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
	struct req *r = *con_cls;

	(void)cls, (void)c, (void)t;
	if (r) {
		web_free(r);
		free(r);
	}
	*con_cls = NULL;
}

static int serve(struct console *k, const char *listen, const char *cert, const char *key, struct fl_err *err)
{
	struct fl_httpd h = { listen, cert, key, handle, k, done, 30U, 256U, "console" };

	k->secure_cookies = cert != NULL;
	return fl_httpd_run(&h, err);
}

static int admin(PGconn *db, const char *name, struct fl_err *err)
{
	const char *env = getenv("BULKHEAD_ADMIN_PASSWORD");
	char made[33];
	uint8_t rnd[16];
	int rc;

	if (!name)
		return fl_fail(err, "admin needs --name NAME");
	if (!env) {
		randombytes_buf(rnd, sizeof(rnd));
		fl_hex(rnd, sizeof(rnd), made);
	}
	rc = auth_add_admin(db, name, env ? env : made, err);
	if (!rc && !env)
		printf("administrator %s, password %s\n", name, made);
	else if (!rc)
		printf("administrator %s, password from BULKHEAD_ADMIN_PASSWORD\n", name);
	sodium_memzero(made, sizeof(made));
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "listen", required_argument, NULL, 'l' },
		{ "migrations", required_argument, NULL, 'm' }, { "name", required_argument, NULL, 'n' },
		{ "secure-cookies", no_argument, NULL, 's' }, { "quiet", no_argument, NULL, 'q' },
		{ "tls-cert", required_argument, NULL, 'c' }, { "tls-key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conninfo = NULL, *listen = NULL, *mig = "fleet/checkin/migrations", *name = NULL;
	const char *cert = NULL, *key = NULL;
	struct console k = { 0 };
	struct fl_err err = { "" };
	int c, quiet = 0, rc = 1;

	if (argc < 2) {
		fputs("usage: bulkhead-console serve|migrate|admin --db CONNINFO [--listen IP:PORT] [--migrations DIR] "
		      "[--name ADMIN] [--secure-cookies] [--tls-cert PEM --tls-key PEM]\n", stderr);
		return 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		switch (c) {
		case 'd': conninfo = optarg; break;
		case 'l': listen = optarg; break;
		case 'm': mig = optarg; break;
		case 'n': name = optarg; break;
		case 's': k.secure_cookies = 1; break;
		case 'q': quiet = 1; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		default: return 2;
		}
	}
	if (!conninfo || sodium_init() < 0 || (!cert) != (!key)) {
		fprintf(stderr, "bulkhead-console: --db is required (and --tls-cert with --tls-key)\n");
		return 2;
	}
	if (!(k.db = db_connect(conninfo, &err)))
		goto out;
	if (!strcmp(argv[1], "migrate") || !strcmp(argv[1], "serve")) {
		if (db_migrate(k.db, mig, quiet, &err))
			goto out;
		if (!strcmp(argv[1], "serve") && (!listen || serve(&k, listen, cert, key, &err))) {
			if (!listen)
				fl_fail(&err, "serve needs --listen IP:PORT");
			goto out;
		}
	} else if (!strcmp(argv[1], "admin")) {
		if (admin(k.db, name, &err))
			goto out;
	} else {
		fl_fail(&err, "unknown command %s", argv[1]);
		goto out;
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "bulkhead-console: %s\n", err.msg);
	if (k.db)
		PQfinish(k.db);
	return rc;
}
