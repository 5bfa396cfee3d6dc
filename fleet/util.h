/* Small helpers shared by the fleet tools: errors, hex, files written atomically. */
#ifndef FLEET_UTIL_H
#define FLEET_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define FL_ERRLEN 256U

/* A one-line error message, filled by the function that failed. */
struct fl_err {
	char msg[FL_ERRLEN];
};

/* Format into err (printf-style); always returns -1 so callers can `return fl_fail(...)`. */
int fl_fail(struct fl_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A growable byte buffer. */
struct fl_buf {
	uint8_t *data;
	size_t len, cap;
};
int fl_buf_append(struct fl_buf *b, const void *p, size_t n);
void fl_buf_free(struct fl_buf *b);

void fl_hex(const uint8_t *in, size_t n, char *out); /* out: 2n+1 bytes */
int fl_unhex(const char *in, uint8_t *out, size_t n); /* exactly 2n hex digits */

/* Read a whole file of at most max bytes. */
int fl_read_file(const char *path, size_t max, struct fl_buf *out, struct fl_err *err);
/* Write path atomically: temp file in the same directory, fsync, rename, fsync dir. */
int fl_write_atomic(const char *path, const void *data, size_t n, struct fl_err *err);
int fl_fsync_dir(const char *path);
int fl_mkdir_p(const char *path, struct fl_err *err);
/* Create the parent directories of path. */
int fl_mkdir_parent(const char *path, struct fl_err *err);

/* "2025-01-31T12:00:00Z" <-> time_t (UTC). */
int fl_time_parse(const char *s, time_t *out);
void fl_time_format(time_t t, char out[32]);
/* Current time; BULKHEAD_NOW is not honoured: clients trust only their clock. */
time_t fl_now(void);

/* Test-only crash injection: when BULKHEAD_SYNC_CRASH_AT=k, the k-th call
 * kills the process with SIGKILL (exactly what kill -9 does). */
void fl_crash_point(void);
unsigned long fl_crash_points_passed(void);

#endif
