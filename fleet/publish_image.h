/* Cut a raw image into content-defined chunks, store the new ones in the
 * repository's casync store and build its .caibx index. */
#ifndef FLEET_PUBLISH_IMAGE_H
#define FLEET_PUBLISH_IMAGE_H

#include <stdint.h>

#include "caidx.h"
#include "chunker.h"
#include "util.h"

struct image_stats {
	uint64_t size;
	uint8_t sha256[32];
	uint64_t chunks, new_chunks, new_bytes_compressed;
};

/* If path is qcow2, convert it to a raw temp file (qemu-img) first; *raw_out
 * names the file to read and *is_temp tells the caller to unlink it. */
int image_to_raw(const char *path, const char *format, const char *tmpdir, char *raw_out,
		 size_t n, int *is_temp, struct fl_err *err);
#define PUB_MAX_THREADS 64

struct image_job {
	const char *raw;   /* raw image file */
	const char *store; /* the repository's chunk store */
	const struct chunker *ck;
	int level;         /* zstd level */
	int threads;       /* 1 .. PUB_MAX_THREADS */
	int quiet;
};

/* Chunk, hash, compress and store on j->threads threads; the index and the
 * stored chunks are the same whatever the thread count. */
int image_publish(const struct image_job *j, struct ca_index *idx, struct image_stats *st,
		  struct fl_err *err);

#endif
