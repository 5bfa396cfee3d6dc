/* A simulated bulkhead-sync, for many devices in one process (libcurl multi):
 * from its pinned root, a device walks the TUF chain (signatures, versions,
 * expiry, pins), fetches and checks the index of the highest signed version
 * of the image up to a bound, then fetches and verifies (zstd + SHA-256)
 * every chunk its v1 image does not hold. One request in flight per device;
 * the caller owns the curl handle and the multi loop and hands each finished
 * transfer to sim_sync_advance. Used by fleet-clients and fleet-devices. */
#ifndef BENCH_FLEET_SIM_SYNC_H
#define BENCH_FLEET_SIM_SYNC_H

#include <curl/curl.h>
#include <stdint.h>

#include "caidx.h"
#include "castore.h"
#include "tuf.h"
#include "util.h"

enum { SIM_S_ROOT, SIM_S_TS, SIM_S_SNAP, SIM_S_TARG, SIM_S_INDEX, SIM_S_CHUNKS, SIM_S_DONE, SIM_S_FAIL };

/* What every device shares: the repository, the pinned root, the v1 index
 * (the image each device starts from) and the totals. */
struct sim_sync_ctx {
	const char *base, *image;
	struct fl_buf pinned;
	struct ca_index v1;
	size_t v1cap;
	int64_t *v1slot;
	uint8_t *scratch;
	uint64_t requests, bytes, chunks_ok;
	char *errors_first;
};

/* One device's sync in progress. */
struct sim_sync {
	int step;
	uint64_t at_most, version; /* bound (0: none); the version reached */
	struct fl_buf body, meta[4];
	char snap_name[64], targ_name[64];
	struct src_chunk *need;
	size_t nneed, next;
	struct tuf_meta index_pin;
	char index_name[256];
};

int sim_sync_ctx_init(struct sim_sync_ctx *x, const char *base, const char *root_path, const char *v1_index_path,
		      const char *image, struct fl_err *err);
/* Start a sync on handle h (reset and set up here, with priv as its
 * CURLOPT_PRIVATE for the caller) up to version at_most (0: the highest signed). */
void sim_sync_begin(struct sim_sync_ctx *x, struct sim_sync *c, CURLM *m, CURL *h, uint64_t at_most, void *priv);
/* A transfer of c's finished (res, HTTP code): check it, start the next one
 * or end in SIM_S_DONE (c->version reached) or SIM_S_FAIL. */
void sim_sync_advance(struct sim_sync_ctx *x, struct sim_sync *c, CURLM *m, CURL *h, CURLcode res, long code);
/* Free c's buffers (after SIM_S_DONE or SIM_S_FAIL); c can begin again. */
void sim_sync_reset(struct sim_sync *c);

#endif
