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

/* The same inside a directory held open (dirfd): every name is one path
 * component, opened with O_NOFOLLOW, so a symlink planted in a client's state
 * directory is never followed (open(2), openat(2)). Names are for messages. */
int fl_read_at(int dirfd, const char *name, size_t max, struct fl_buf *out, struct fl_err *err);
/* Temp file name.tmp.PID created with O_EXCL (a planted one is removed
 * first, not followed), fsync, renameat, fsync of dirfd. */
int fl_write_atomic_at(int dirfd, const char *name, const void *data, size_t n, struct fl_err *err);
/* The same, mode 0600 (a device's secret key). */
int fl_write_private_at(int dirfd, const char *name, const void *data, size_t n, struct fl_err *err);
/* mkdirat + openat(O_DIRECTORY | O_NOFOLLOW): a symlink in place of the
 * directory is an error (errno ELOOP or ENOTDIR). Returns the fd or -1. */
int fl_subdir_at(int dirfd, const char *name, int create, struct fl_err *err);

/* The publisher's rule for image and VM-role names: 1 to 63 of [a-z0-9-_]
 * (so never "..", "/" or empty), checked by the client too. */
int fl_valid_name(const char *s);

/* Strict decimal integer in [min, max]; 0 ok, -1 otherwise. */
int fl_parse_long(const char *s, long min, long max, long *out);
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
