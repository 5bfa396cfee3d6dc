/* casync chunk store: each chunk zstd-compressed in
 * <store>/<first 4 hex digits of id>/<hex id>.cacnk, id = SHA-256 of the
 * uncompressed chunk. */
#ifndef FLEET_CASTORE_H
#define FLEET_CASTORE_H

#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#include "caidx.h"
#include "util.h"

#define CASTORE_RELPATH_LEN (4 + 1 + 64 + 6 + 1)

void castore_relpath(const uint8_t id[CA_CHUNK_ID_SIZE], char out[CASTORE_RELPATH_LEN]);
void castore_chunk_id(const uint8_t *data, size_t n, uint8_t id[CA_CHUNK_ID_SIZE]);
int castore_compress(const uint8_t *data, size_t n, int level, struct fl_buf *out);
/* The same with a compression context of the caller's (one per thread). */
int castore_compress_cctx(ZSTD_CCtx *cc, const uint8_t *data, size_t n, int level, struct fl_buf *out);
/* Decompress an untrusted .cacnk that must hold exactly `size` bytes hashing
 * to id. out must have room for size bytes. */
int castore_decode(const uint8_t *comp, size_t clen, const uint8_t id[CA_CHUNK_ID_SIZE],
		   uint8_t *out, size_t size, struct fl_err *err);
/* The store is a directory held open (fd); XXXX directories and chunk files
 * are opened relative to it with O_NOFOLLOW, so a symlink planted in the
 * store is never followed (fl_subdir_at). */
int castore_has(int store, const uint8_t id[CA_CHUNK_ID_SIZE]);
/* Store compressed bytes under id (O_EXCL temp file + renameat; callers
 * verify on read). Safe to call from several threads. */
int castore_put(int store, const uint8_t id[CA_CHUNK_ID_SIZE],
		const uint8_t *comp, size_t clen, struct fl_err *err);
/* Read and verify a chunk from store into out[0..size). A missing chunk
 * returns 1, a corrupt one is deleted and returns -1. */
int castore_get(int store, const uint8_t id[CA_CHUNK_ID_SIZE],
		uint8_t *out, size_t size, struct fl_err *err);
/* The compressed bytes of a chunk as stored (at most max), unchecked: for
 * the publisher's packs. 0 ok, -1 missing or unreadable. */
int castore_read(int store, const uint8_t id[CA_CHUNK_ID_SIZE], size_t max, struct fl_buf *out,
		 struct fl_err *err);
/* Remove every chunk and XXXX directory (the client's download cache);
 * symlinks found in the store are unlinked, not followed. */
void castore_empty(int store);

#endif
