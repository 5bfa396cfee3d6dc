/* PostgreSQL access for the check-in service (see db.h). */
#include "db.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpq's messages span lines: one line for a log and an HTTP answer. */
static int db_fail(struct fl_err *err, const char *msg)
{
	char line[FL_ERRLEN];
	size_t n = 0;

	for (; *msg && n + 1 < sizeof(line); msg++) {
		char ch = *msg == '\n' || *msg == '\t' ? ' ' : *msg;

		if (ch != ' ' || (n && line[n - 1] != ' '))
			line[n++] = ch;
	}
	while (n && line[n - 1] == ' ')
		n--;
	line[n] = '\0';
	return fl_fail(err, "database: %s", line);
}

/* Server notices ("relation ... already exists, skipping") are not errors. */
static void no_notice(void *arg, const char *msg)
{
	(void)arg, (void)msg;
}

PGconn *db_connect(const char *conninfo, struct fl_err *err)
{
	PGconn *db = PQconnectdb(conninfo);

	if (PQstatus(db) != CONNECTION_OK) {
		db_fail(err, PQerrorMessage(db));
		PQfinish(db);
		return NULL;
	}
	PQsetNoticeProcessor(db, no_notice, NULL);
	return db;
}

int db_ready(PGconn *db, struct fl_err *err)
{
	if (PQstatus(db) == CONNECTION_OK)
		return 0;
	PQreset(db);
	if (PQstatus(db) == CONNECTION_OK)
		return 0;
	return fl_fail(err, "database unavailable");
}

PGresult *db_query(PGconn *db, const char *sql, int n, const char *const *v, ExecStatusType want,
		   struct fl_err *err)
{
	PGresult *r = PQexecParams(db, sql, n, NULL, v, NULL, NULL, 0);

	if (PQresultStatus(r) != want) {
		db_fail(err, PQresultErrorMessage(r));
		PQclear(r);
		return NULL;
	}
	return r;
}

int db_exec(PGconn *db, const char *sql, struct fl_err *err)
{
	PGresult *r = db_query(db, sql, 0, NULL, PGRES_COMMAND_OK, err);

	PQclear(r);
	return r ? 0 : -1;
}

/* A migration file: several statements, no parameters (PQexec). */
static int exec_script(PGconn *db, const char *sql, struct fl_err *err)
{
	PGresult *r = PQexec(db, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	if (!ok)
		db_fail(err, PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int db_migrate(PGconn *db, const char *dir, int quiet, struct fl_err *err)
{
	char *names[256], path[1200], ver[16];
	struct fl_buf sql = { 0 };
	size_t n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);
	int rc = -1;

	if (!d)
		return fl_fail(err, "%s: cannot open", dir);
	while ((e = readdir(d)) && n < 256)
		if (strlen(e->d_name) > 4 && !strcmp(e->d_name + strlen(e->d_name) - 4, ".sql"))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	if (db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, "
		      "applied_at timestamptz NOT NULL DEFAULT now())", err))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const char *v[1] = { ver };
		PGresult *r;
		int have;

		snprintf(ver, sizeof(ver), "%d", atoi(names[i]));
		r = db_query(db, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, v, PGRES_TUPLES_OK, err);
		if (!r)
			goto out;
		have = PQntuples(r) > 0;
		PQclear(r);
		if (have)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (fl_read_file(path, 1U << 20, &sql, err) || fl_buf_append(&sql, "", 1))
			goto out;
		if (db_exec(db, "BEGIN", err))
			goto out;
		if (exec_script(db, (const char *)sql.data, err) ||
		    !(r = db_query(db, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, v, PGRES_COMMAND_OK, err))) {
			db_exec(db, "ROLLBACK", NULL);
			fl_fail(err, "%s: %s", names[i], err->msg);
			goto out;
		}
		PQclear(r);
		if (db_exec(db, "COMMIT", err))
			goto out;
		if (!quiet)
			printf("applied migration %s\n", names[i]);
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	fl_buf_free(&sql);
	return rc;
}

int db_new_token(PGconn *db, char token[65], struct fl_err *err)
{
	uint8_t t[32], h[32];
	char hex[65];
	const char *v[1] = { hex };
	PGresult *r;

	randombytes_buf(t, sizeof(t));
	fl_hex(t, 32, token);
	crypto_hash_sha256(h, (const uint8_t *)token, 64);
	fl_hex(h, 32, hex);
	r = db_query(db, "INSERT INTO enroll_tokens (token_sha256) VALUES ($1)", 1, v, PGRES_COMMAND_OK, err);
	PQclear(r);
	return r ? 0 : -1;
}

int db_enroll(PGconn *db, const char *token, const char *pubkey_hex, const char *name, int64_t *id,
	      int *status, struct fl_err *err)
{
	uint8_t h[32];
	char hex[65];
	const char *v1[1] = { hex }, *v2[2] = { pubkey_hex, name };
	PGresult *r;

	*status = 503;
	crypto_hash_sha256(h, (const uint8_t *)token, strlen(token));
	fl_hex(h, 32, hex);
	if (db_exec(db, "BEGIN", err))
		return -1;
	r = db_query(db, "UPDATE enroll_tokens SET used_at = now() WHERE token_sha256 = $1 AND used_at IS NULL "
		  "RETURNING 1", 1, v1, PGRES_TUPLES_OK, err);
	if (!r)
		goto fail;
	if (PQntuples(r) != 1) {
		PQclear(r);
		*status = 403;
		fl_fail(err, "unknown or already used enrollment token");
		goto fail;
	}
	PQclear(r);
	r = db_query(db, "INSERT INTO devices (pubkey, name) VALUES ($1, $2) ON CONFLICT (pubkey) DO NOTHING "
		  "RETURNING id", 2, v2, PGRES_TUPLES_OK, err);
	if (!r)
		goto fail;
	if (PQntuples(r) != 1) {
		PQclear(r);
		*status = 409;
		fl_fail(err, "this device key is already enrolled");
		goto fail;
	}
	*id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	if (db_exec(db, "COMMIT", err))
		return -1;
	*status = 200;
	return 0;
fail:
	db_exec(db, "ROLLBACK", NULL);
	return -1;
}

int db_device_key(PGconn *db, int64_t id, uint8_t pub[32], int *status, int *revoked, struct fl_err *err)
{
	char ids[24];
	const char *v[1] = { ids };
	PGresult *r;
	int rc = -1;

	*status = 503;
	*revoked = 0;
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	r = db_query(db, "SELECT pubkey, revoked_at IS NOT NULL FROM devices WHERE id = $1", 1, v, PGRES_TUPLES_OK, err);
	if (!r)
		return -1;
	*status = 403;
	if (PQntuples(r) != 1)
		fl_fail(err, "unknown device %lld", (long long)id);
	else if (fl_unhex(PQgetvalue(r, 0, 0), pub, 32))
		*status = 500, fl_fail(err, "device %lld: bad key in the database", (long long)id);
	else if (!strcmp(PQgetvalue(r, 0, 1), "t"))
		*revoked = 1, fl_fail(err, "device %lld is revoked", (long long)id);
	else
		rc = 0, *status = 200;
	PQclear(r);
	return rc;
}

/* The earliest lease_expires of the report's policies (report_parse checked
 * each is a UTC time), or NULL when it names no policy. */
static const char *earliest_lease(const struct report *r, char out[32])
{
	const char *role;
	json_t *p;
	time_t t, min = 0;

	json_object_foreach(json_object_get(r->signed_part, "policies"), role, p)
		if (!fl_time_parse(json_string_value(json_object_get(p, "lease_expires")), &t) && (!min || t < min))
			min = t;
	if (!min)
		return NULL;
	fl_time_format(min, out);
	return out;
}

int db_store_report(PGconn *db, const struct report *r, json_t **assignment, int *status, struct fl_err *err)
{
	char ids[24], seq[24], lease[32], *body = json_dumps(r->signed_part, JSON_COMPACT | JSON_SORT_KEYS);
	const char *v[3] = { ids, seq, body }, *u[3] = { ids, seq, earliest_lease(r, lease) };
	PGresult *res;

	*status = 503;
	*assignment = NULL;
	if (!body)
		return fl_fail(err, "out of memory");
	snprintf(ids, sizeof(ids), "%lld", (long long)r->device);
	snprintf(seq, sizeof(seq), "%lld", (long long)r->seq);
	if (db_exec(db, "BEGIN", err))
		goto out_free;
	/* the row lock of this UPDATE orders concurrent reports of one device */
	/* the assignment comes back with the same statement: no extra round trip */
	res = db_query(db, "UPDATE devices SET last_seq = $2, last_checkin = now(), lease_expires = $3 "
		    "WHERE id = $1 AND revoked_at IS NULL AND last_seq < $2 RETURNING "
		    "(SELECT json_build_object('rollout', r.id, 'image', r.image, 'version', r.version, 'policy', r.policy, "
		    "'policy_version', r.policy_version) "
		    "FROM rollout_targets t JOIN rollouts r ON r.id = t.rollout_id WHERE t.device_id = $1 "
		    "AND r.state = 'running' ORDER BY r.id DESC LIMIT 1)", 3, u, PGRES_TUPLES_OK, err);
	if (!res)
		goto fail;
	if (PQntuples(res) != 1) {
		PQclear(res);
		*status = 409;
		fl_fail(err, "report %lld of device %lld is not newer than the last one (replayed?)",
			(long long)r->seq, (long long)r->device);
		goto fail;
	}
	*assignment = PQgetisnull(res, 0, 0) ? json_null() : json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	if (!*assignment) {
		fl_fail(err, "database: unreadable assignment");
		goto fail;
	}
	res = db_query(db, "INSERT INTO reports (device_id, seq, report) VALUES ($1, $2, $3)", 3, v,
		PGRES_COMMAND_OK, err);
	if (!res)
		goto fail;
	PQclear(res);
	if (db_exec(db, "COMMIT", err))
		goto out_free;
	free(body);
	*status = 200;
	return 0;
fail:
	db_exec(db, "ROLLBACK", NULL);
out_free:
	json_decref(*assignment);
	*assignment = NULL;
	free(body);
	return -1;
}

int db_revoke(PGconn *db, int64_t id, struct fl_err *err)
{
	char ids[24];
	const char *v[1] = { ids };
	PGresult *r;
	int n;

	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	r = db_query(db, "UPDATE devices SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING 1", 1, v,
	      PGRES_TUPLES_OK, err);
	if (!r)
		return -1;
	n = PQntuples(r);
	PQclear(r);
	return n == 1 ? 0 : fl_fail(err, "no such device, or already revoked");
}
