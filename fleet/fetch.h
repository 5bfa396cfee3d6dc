/* Where a client reads a repository from: an http(s):// URL (libcurl) or a
 * local directory (USB stick, LAN cache mount). */
#ifndef FLEET_FETCH_H
#define FLEET_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct src;

struct src_chunk {
	uint8_t id[32];
	size_t size; /* uncompressed size from the index */
	uint64_t pack_off; /* where its .cacnk lies in a pack (src_get_packed) */
	uint32_t pack_len;
};

/* done_bytes: uncompressed size of the chunks fetched so far */
typedef void src_progress_fn(void *arg, uint64_t done_bytes);

struct src *src_open(const char *location, struct fl_err *err);
void src_close(struct src *s);
/* 0 = ok, 1 = not found (HTTP 404/410 or ENOENT), 2 = forbidden (HTTP 403),
 * -1 = error (err filled). More than max bytes is an error, and so is taking
 * longer than a time bound derived from max and a minimum rate. */
int src_get(struct src *s, const char *rel, size_t max, struct fl_buf *out, struct fl_err *err);
/* Fetch chunks (from "store/") into the local store (directory fd), verifying each
 * before it is stored; finished chunks survive an interruption. */
int src_get_chunks(struct src *s, const struct src_chunk *c, size_t n, int store,
		   src_progress_fn *progress, void *arg, struct fl_err *err);
/* The same from a pack (pack.h) at pack_rel, by HTTP range requests; c
 * sorted by pack_off. Fails (err filled) on anything unexpected, such as a
 * server that ignores ranges or a directory source: the caller then fetches
 * what is still missing chunk by chunk. */
int src_get_packed(struct src *s, const char *pack_rel, const struct src_chunk *c, size_t n, int store,
		   src_progress_fn *progress, void *arg, struct fl_err *err);
int src_is_http(const struct src *s);
uint64_t src_bytes(const struct src *s);
uint64_t src_requests(const struct src *s);

#endif
