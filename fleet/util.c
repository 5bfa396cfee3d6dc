/* Small helpers shared by the fleet tools. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fl_fail(struct fl_err *err, const char *fmt, ...)
{
	char msg[FL_ERRLEN];
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt); /* via msg: the arguments may point into err->msg */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(err->msg, msg, sizeof(msg));
	return -1;
}

int fl_buf_append(struct fl_buf *b, const void *p, size_t n)
{
	if (n > SIZE_MAX - b->len)
		return -1;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096U;
		uint8_t *d;

		while (cap < b->len + n)
			cap *= 2U;
		d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void fl_buf_free(struct fl_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void fl_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15U];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int fl_unhex(const char *in, uint8_t *out, size_t n)
{
	if (strlen(in) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(in[2 * i]), lo = hexval(in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int read_fd(int fd, const char *name, size_t max, struct fl_buf *out, struct fl_err *err);

int fl_read_file(const char *path, size_t max, struct fl_buf *out, struct fl_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	out->len = 0;
	if (fd < 0)
		return fl_fail(err, "%s: %s", path, strerror(errno));
	rc = read_fd(fd, path, max, out, err);
	close(fd);
	return rc;
}

int fl_fsync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd, r;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* Writes all n bytes to fd, fsyncs and closes it (also on failure); the
 * error names `name`. The common middle of the atomic writes below. */
static int write_sync_close(int fd, const void *data, size_t n, const char *name,
			    struct fl_err *err)
{
	const uint8_t *p = data;
	const char *step = "write";

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		p += w;
		n -= (size_t)w;
	}
	step = "fsync";
	if (fsync(fd))
		goto fail;
	if (close(fd))
		return fl_fail(err, "%s: close: %s", name, strerror(errno));
	return 0;
fail:
	fl_fail(err, "%s: %s: %s", name, step, strerror(errno));
	close(fd);
	return -1;
}

int fl_write_atomic(const char *path, const void *data, size_t n, struct fl_err *err)
{
	char tmp[4200];
	int fd, r;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fl_fail(err, "%s: %s", tmp, strerror(errno));
	r = write_sync_close(fd, data, n, path, err);
	fd = -1; /* closed either way */
	if (r)
		goto fail;
	if (rename(tmp, path)) {
		fl_fail(err, "%s: rename: %s", path, strerror(errno));
		goto fail;
	}
	fl_fsync_dir(path);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

int fl_mkdir_p(const char *path, struct fl_err *err)
{
	char p[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(p))
		return fl_fail(err, "bad directory name");
	memcpy(p, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return fl_fail(err, "%s: mkdir: %s", p, strerror(errno));
		p[i] = i < n ? '/' : '\0';
	}
	return 0;
}

static int read_fd(int fd, const char *name, size_t max, struct fl_buf *out, struct fl_err *err)
{
	uint8_t tmp[65536];

	out->len = 0;
	for (;;) {
		ssize_t r = read(fd, tmp, sizeof(tmp));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fl_fail(err, "%s: read: %s", name, strerror(errno));
		if (r == 0)
			return 0;
		if (out->len + (size_t)r > max)
			return fl_fail(err, "%s: larger than %zu bytes", name, max);
		if (fl_buf_append(out, tmp, (size_t)r))
			return fl_fail(err, "%s: out of memory", name);
	}
}

int fl_read_at(int dirfd, const char *name, size_t max, struct fl_buf *out, struct fl_err *err)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc;

	out->len = 0;
	if (fd < 0)
		return fl_fail(err, "%s: %s", name, strerror(errno));
	rc = read_fd(fd, name, max, out, err);
	close(fd);
	return rc;
}

static int write_at_mode(int dirfd, const char *name, const void *data, size_t n, mode_t mode,
			 struct fl_err *err);

int fl_write_atomic_at(int dirfd, const char *name, const void *data, size_t n, struct fl_err *err)
{
	return write_at_mode(dirfd, name, data, n, 0644, err);
}

int fl_write_private_at(int dirfd, const char *name, const void *data, size_t n, struct fl_err *err)
{
	return write_at_mode(dirfd, name, data, n, 0600, err);
}

static int write_at_mode(int dirfd, const char *name, const void *data, size_t n, mode_t mode,
			 struct fl_err *err)
{
	char tmp[512];
	int fd, r;

	snprintf(tmp, sizeof(tmp), "%.400s.tmp.%ld", name, (long)getpid());
	unlinkat(dirfd, tmp, 0); /* a leftover or a planted symlink: removed, never followed */
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return fl_fail(err, "%s: %s", tmp, strerror(errno));
	r = write_sync_close(fd, data, n, name, err);
	fd = -1; /* closed either way */
	if (r)
		goto fail;
	if (renameat(dirfd, tmp, dirfd, name)) {
		fl_fail(err, "%s: rename: %s", name, strerror(errno));
		goto fail;
	}
	fsync(dirfd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	return -1;
}

int fl_subdir_at(int dirfd, const char *name, int create, struct fl_err *err)
{
	int fd;

	if (create && mkdirat(dirfd, name, 0755) && errno != EEXIST)
		return fl_fail(err, "%s: mkdir: %s", name, strerror(errno));
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		fl_fail(err, "%s: %s", name, e == ELOOP || e == ENOTDIR ? "not a directory (symlink refused)"
								       : strerror(e));
		errno = e;
	}
	return fd;
}

int fl_valid_name(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n < 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

int fl_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int fl_mkdir_parent(const char *path, struct fl_err *err)
{
	char p[4096];
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return 0;
	snprintf(p, sizeof(p), "%.*s", (int)(slash - path), path);
	return fl_mkdir_p(p, err);
}

int fl_time_parse(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	*out = timegm(&tm);
	return 0;
}

void fl_time_format(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

time_t fl_now(void)
{
	return time(NULL);
}

static unsigned long crash_count;

void fl_crash_point(void)
{
	static long at = -2;

	if (at == -2) {
		const char *e = getenv("BULKHEAD_SYNC_CRASH_AT");

		at = e ? strtol(e, NULL, 10) : -1;
	}
	crash_count++;
	if (at > 0 && crash_count == (unsigned long)at)
		raise(SIGKILL);
}

unsigned long fl_crash_points_passed(void)
{
	return crash_count;
}
