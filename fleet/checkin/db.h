/* The check-in service's PostgreSQL access (libpq). Every value from a device
 * goes in as a query parameter (PQexecParams), never into SQL text. */
#ifndef FLEET_CHECKIN_DB_H
#define FLEET_CHECKIN_DB_H

#include <libpq-fe.h>
#include <stdint.h>

#include "report.h"
#include "util.h"

/* Connect (conninfo as for psql); a lost connection is re-made by db_ready. */
PGconn *db_connect(const char *conninfo, struct fl_err *err);
/* 0 if the connection works (resetting it once if it was lost). */
int db_ready(PGconn *db, struct fl_err *err);
/* Run one statement with text parameters (never SQL text from outside);
 * returns the result, or NULL with the database's error in err. */
PGresult *db_query(PGconn *db, const char *sql, int n, const char *const *v, ExecStatusType want,
		   struct fl_err *err);
/* A statement without parameters or rows (BEGIN, COMMIT, ROLLBACK). */
int db_exec(PGconn *db, const char *sql, struct fl_err *err);
/* Apply the numbered *.sql files of dir not yet in schema_migrations, each
 * in its own transaction. Prints what it applied unless quiet. */
int db_migrate(PGconn *db, const char *dir, int quiet, struct fl_err *err);
/* A new one-time enrollment token (64 hex digits; only its hash is stored). */
int db_new_token(PGconn *db, char token[65], struct fl_err *err);
/* Enroll: consume token, register pubkey (hex). 0 and *id, or -1 with
 * *status an HTTP status (403 bad token, 409 key known, 503 database). */
int db_enroll(PGconn *db, const char *token, const char *pubkey_hex, const char *name, int64_t *id,
	      int *status, struct fl_err *err);
/* The device's public key; *status 403 for unknown or revoked devices,
 * and *revoked set for the latter (pub is filled in for it too, so that its
 * report can be verified before it is answered). */
int db_device_key(PGconn *db, int64_t id, uint8_t pub[32], int *status, int *revoked, struct fl_err *err);
/* Store a verified report if its seq is above the device's last one (which
 * makes it the device's latest; its earliest lease is kept too). 0 and in
 * *assignment what the console assigned to the device: {"rollout", "image",
 * "version", "policy"} of the newest running rollout that reached it, or JSON
 * null (caller frees); else -1 and *status:
 * 409 replay, 403 revoked meanwhile, 503 database. */
int db_store_report(PGconn *db, const struct report *r, json_t **assignment, int *status, struct fl_err *err);
int db_revoke(PGconn *db, int64_t id, struct fl_err *err);

#endif
