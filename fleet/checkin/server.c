/* bulkhead-checkin: device enrollment and signed check-in reports, a small
 * HTTP service apart from the static update repository.
 *   bulkhead-checkin serve   --db CONNINFO --listen 127.0.0.1:PORT --key FILE [--migrations DIR]
 *                            [--tls-cert PEM --tls-key PEM]
 *   bulkhead-checkin migrate --db CONNINFO [--migrations DIR]
 *   bulkhead-checkin token   --db CONNINFO [--count N]  (prints one-time enrollment tokens)
 *   bulkhead-checkin revoke  --db CONNINFO --device ID
 *   bulkhead-checkin pubkey  --key FILE                  (prints the service key's public half)
 * --key FILE: the check-in service key (ed25519, a key file as keys.h, role
 * "checkin"), made with mode 0600 if FILE does not exist. It signs every
 * answer to a report (answer.h); a device pins its public half at enrollment.
 * POST /v1/enroll  {"token", "pubkey" (64 hex), "name"} -> {"device": ID,
 *                  "service_key": 64 hex}
 * POST /v1/checkin a signed report (report.h) -> 200 and a signed answer
 *                  (answer.h): "status": "ok" and "assignment", what the
 *                  console's running rollout assigned to this device
 *                  ({"rollout", "image", "version", "policy"}) or null
 * Errors: {"error": "..."} with 400 (malformed), 403 (bad token, unknown
 * device, bad signature), 409 (replay, known key), 413 (too large),
 * 503 (database unavailable); nothing is written for a refused request. A
 * revoked device's correctly signed report gets 403 with a signed answer,
 * "status": "revoked", "lease": "not renewed" (and "error" beside it). */
#include <arpa/inet.h>
#include <getopt.h>
#include <microhttpd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "httpd.h"
#include "answer.h"
#include "db.h"
#include "keys.h"
#include "report.h"

struct server {
	PGconn *db;
	struct fl_key key; /* the check-in service key: signs answers */
};

struct upload {
	struct fl_buf body;
	int too_big;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, json_t *j)
{
	char *t = json_dumps(j, JSON_COMPACT);
	struct MHD_Response *r;
	enum MHD_Result rc;

	json_decref(j);
	r = MHD_create_response_from_buffer(t ? strlen(t) : 0, t ? t : (char *)"", MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

/* A signed answer (answer.h), already serialised; NULL: out of memory. */
static enum MHD_Result reply_signed(struct MHD_Connection *c, unsigned code, char *t)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	if (!t)
		return reply(c, 500, json_pack("{s:s}", "error", "out of memory"));
	r = MHD_create_response_from_buffer(strlen(t), t, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json");
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result fail(struct MHD_Connection *c, unsigned code, const char *msg)
{
	return reply(c, code, json_pack("{s:s}", "error", msg));
}

static enum MHD_Result enroll(struct server *s, struct MHD_Connection *c, const struct fl_buf *b)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)b->data, b->len, JSON_REJECT_DUPLICATES, &je);
	const char *tok = json_string_value(json_object_get(j, "token"));
	const char *pub = json_string_value(json_object_get(j, "pubkey"));
	const char *name = json_string_value(json_object_get(j, "name"));
	struct fl_err err;
	uint8_t k[32], t[32];
	int64_t id;
	int status;
	enum MHD_Result rc;

	if (!j || json_object_size(j) != 3 || !tok || fl_unhex(tok, t, 32) || !pub || fl_unhex(pub, k, 32) ||
	    !name || !*name || strlen(name) > 64) {
		if (j)
			json_decref(j);
		return fail(c, 400, "enroll: want {\"token\": 64 hex, \"pubkey\": 64 hex, \"name\": 1..64 chars}");
	}
	if (db_ready(s->db, &err))
		rc = fail(c, 503, err.msg);
	else if (db_enroll(s->db, tok, pub, name, &id, &status, &err))
		rc = fail(c, (unsigned)status, err.msg);
	else {
		char pk[65];

		fl_hex(s->key.pub, 32, pk);
		rc = reply(c, 200, json_pack("{s:I, s:s}", "device", (json_int_t)id, "service_key", pk));
	}
	json_decref(j);
	return rc;
}

/* A report is verified with the device's key before anything is answered;
 * the answer is signed and bound to the report (answer.h). A revoked device
 * is told so, and that its lease is not renewed: the client records it and
 * its managed VM locks (docs/fleet.md). */
static enum MHD_Result checkin(struct server *s, struct MHD_Connection *c, const struct fl_buf *b)
{
	struct report r;
	struct fl_err err;
	uint8_t pub[32], hash[32];
	int status, rev;
	json_t *a;
	enum MHD_Result rc;

	if (report_parse(b->data, b->len, &r, &err))
		return fail(c, 400, err.msg);
	if (answer_report_hash(r.signed_part, hash))
		rc = fail(c, 500, "out of memory");
	else if (db_ready(s->db, &err))
		rc = fail(c, 503, err.msg);
	else if (db_device_key(s->db, r.device, pub, &status, &rev, &err) && !rev)
		rc = fail(c, (unsigned)status, err.msg);
	else if (report_verify(&r, pub))
		rc = fail(c, 403, "report: bad signature for this device's key");
	else if (rev)
		rc = reply_signed(c, 403, answer_sign(r.device, r.seq, hash, NULL, 1, err.msg, s->key.sk));
	else if (db_store_report(s->db, &r, &a, &status, &err))
		rc = fail(c, (unsigned)status, err.msg);
	else {
		rc = reply_signed(c, 200, answer_sign(r.device, r.seq, hash, json_is_null(a) ? NULL : a, 0, NULL,
						      s->key.sk));
		json_decref(a);
	}
	report_free(&r);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *data, size_t *size, void **con_cls)
{
	struct server *s = cls;
	struct upload *u = *con_cls;

	(void)version;
	if (!u) { /* first call: headers only */
		if (!(u = calloc(1, sizeof(*u))))
			return MHD_NO;
		*con_cls = u;
		return MHD_YES;
	}
	if (*size) {
		if (u->body.len + *size > REPORT_MAX_BYTES)
			u->too_big = 1; /* keep reading, answer when the upload ends */
		else if (fl_buf_append(&u->body, data, *size))
			return MHD_NO;
		*size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "POST"))
		return fail(c, 405, "only POST");
	if (u->too_big)
		return fail(c, 413, "request larger than 65536 bytes");
	if (!strcmp(url, "/v1/enroll"))
		return enroll(s, c, &u->body);
	if (!strcmp(url, "/v1/checkin"))
		return checkin(s, c, &u->body);
	return fail(c, 404, "no such endpoint");
}

static void done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
	struct upload *u = *con_cls;

	(void)cls, (void)c, (void)t;
	if (u) {
		fl_buf_free(&u->body);
		free(u);
	}
	*con_cls = NULL;
}

/* One polling thread and one database connection: requests are short. */
static int serve(struct server *s, const char *listen, const char *cert, const char *key, struct fl_err *err)
{
	struct fl_httpd h = { listen, cert, key, handle, s, done, 10U, 1000U, "check-in service" };

	return fl_httpd_run(&h, err);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "listen", required_argument, NULL, 'l' },
		{ "migrations", required_argument, NULL, 'm' }, { "device", required_argument, NULL, 'D' },
		{ "tls-cert", required_argument, NULL, 'c' }, { "tls-key", required_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' }, { "count", required_argument, NULL, 'n' },
		{ "key", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 }
	};
	const char *conninfo = NULL, *listen = NULL, *mig = "fleet/checkin/migrations", *cert = NULL, *key = NULL,
		   *svc = NULL;
	struct fl_err err = { "" };
	struct server s;
	long device = 0, count = 1;
	int c, quiet = 0, rc = 1;

	if (argc < 2) {
		fputs("usage: bulkhead-checkin serve|migrate|token|revoke|pubkey --db CONNINFO [--listen IP:PORT] "
		      "[--key FILE] [--migrations DIR] [--device ID] [--tls-cert PEM --tls-key PEM]\n", stderr);
		return 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		switch (c) {
		case 'd': conninfo = optarg; break;
		case 'l': listen = optarg; break;
		case 'm': mig = optarg; break;
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'q': quiet = 1; break;
		case 'K': svc = optarg; break;
		case 'n':
			if (fl_parse_long(optarg, 1, 1000000, &count)) {
				fprintf(stderr, "bulkhead-checkin: --count wants 1 to 1000000\n");
				return 2;
			}
			break;
		case 'D':
			if (fl_parse_long(optarg, 1, INT64_MAX, &device)) {
				fprintf(stderr, "bulkhead-checkin: --device wants a device id\n");
				return 2;
			}
			break;
		default: return 2;
		}
	}
	memset(&s, 0, sizeof(s));
	if (sodium_init() < 0) {
		fprintf(stderr, "bulkhead-checkin: libsodium failed to initialise\n");
		return 1;
	}
	if (!strcmp(argv[1], "serve") || !strcmp(argv[1], "pubkey")) {
		char pk[65];

		if (!svc) {
			fprintf(stderr, "bulkhead-checkin: %s needs --key FILE (the check-in service key)\n", argv[1]);
			return 2;
		}
		if (access(svc, F_OK) ? keys_generate(svc, "checkin", &s.key, &err) : keys_load(svc, &s.key, &err)) {
			fprintf(stderr, "bulkhead-checkin: %s\n", err.msg);
			return 1;
		}
		if (strcmp(s.key.role, "checkin")) {
			fprintf(stderr, "bulkhead-checkin: %s: a %s key, not a checkin key\n", svc, s.key.role);
			return 1;
		}
		if (!strcmp(argv[1], "pubkey")) {
			fl_hex(s.key.pub, 32, pk);
			printf("%s\n", pk);
			return 0;
		}
	}
	if (!conninfo || (!cert) != (!key)) {
		fprintf(stderr, "bulkhead-checkin: --db is required (and --tls-cert with --tls-key)\n");
		return 2;
	}
	if (!(s.db = db_connect(conninfo, &err)))
		goto out;
	if (!strcmp(argv[1], "migrate") || !strcmp(argv[1], "serve")) {
		if (db_migrate(s.db, mig, quiet, &err))
			goto out;
		if (!strcmp(argv[1], "serve") && (!listen || serve(&s, listen, cert, key, &err))) {
			if (!listen)
				fl_fail(&err, "serve needs --listen IP:PORT");
			goto out;
		}
	} else if (!strcmp(argv[1], "token")) {
		char tok[65];

		for (long i = 0; i < count; i++) {
			if (db_new_token(s.db, tok, &err))
				goto out;
			printf("%s\n", tok);
		}
	} else if (!strcmp(argv[1], "revoke")) {
		if (!device) {
			fl_fail(&err, "revoke needs --device ID");
			goto out;
		}
		if (db_revoke(s.db, device, &err))
			goto out;
	} else {
		fl_fail(&err, "unknown command %s", argv[1]);
		goto out;
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "bulkhead-checkin: %s\n", err.msg);
	if (s.db)
		PQfinish(s.db);
	sodium_memzero(&s.key, sizeof(s.key));
	return rc;
}
