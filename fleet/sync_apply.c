/* Assemble a new image from seed, local store and downloaded chunks. */
#include "sync_apply.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "castore.h"
#include "idmap.h"
#include "progress.h"
#include "sha256.h"

static size_t item_size(const struct ca_index *x, size_t i)
{
	return (size_t)(x->items[i].end - ca_item_start(x, i));
}

static int all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && !memcmp(p, p + 1, n - 1));
}

/* Read chunk i of the seed image and check its id. */
static int seed_read(int fd, const struct ca_index *sx, size_t i, uint8_t *buf)
{
	size_t n = item_size(sx, i);
	uint8_t id[32];

	if (fd < 0 || pread(fd, buf, n, (off_t)ca_item_start(sx, i)) != (ssize_t)n)
		return -1;
	castore_chunk_id(buf, n, id);
	return memcmp(id, sx->items[i].id, 32) ? -1 : 0;
}

static void on_progress(void *arg, uint64_t done)
{
	progress_update(arg, done);
}

/* Download every chunk the seed and the store cannot supply. */
static int fetch_missing(const struct apply_job *j, const struct idmap *seed,
			 struct apply_stats *st, struct fl_err *err)
{
	const struct ca_index *x = j->index;
	struct src_chunk *need = malloc((x->n ? x->n : 1) * sizeof(*need));
	struct idmap self;
	struct progress pb;
	uint64_t total = 0;
	size_t n = 0;
	int rc;

	if (!need || idmap_build(&self, x)) {
		free(need);
		return fl_fail(err, "out of memory");
	}
	for (size_t i = 0; i < x->n; i++) {
		if (idmap_find(&self, x->items[i].id) != (int64_t)i)
			continue; /* repeated chunk */
		st->unique++;
		if (idmap_find(seed, x->items[i].id) >= 0 || castore_has(j->store, x->items[i].id))
			continue;
		memcpy(need[n].id, x->items[i].id, 32);
		need[n].size = item_size(x, i);
		need[n].pack_off = j->pack ? j->pack->off[i] : 0;
		need[n].pack_len = j->pack ? j->pack->len[i] : 0;
		total += need[n].size;
		n++;
	}
	idmap_free(&self);
	progress_start(&pb, "download", total, j->quiet);
	rc = -1;
	if (j->pack && n) {
		rc = src_get_packed(j->src, j->pack_rel, need, n, j->store, on_progress, &pb, err);
		snprintf(st->pack, sizeof(st->pack), "%s", rc ? err->msg : "used");
	}
	if (rc) { /* no pack, or it failed: what is still missing, one request each */
		size_t k = 0;

		for (size_t i = 0; i < n; i++)
			if (!castore_has(j->store, need[i].id))
				need[k++] = need[i];
		rc = src_get_chunks(j->src, need, k, j->store, on_progress, &pb, err);
	}
	progress_end(&pb);
	st->fetched = n;
	free(need);
	return rc;
}

/* Get chunk i of the new index into buf from the seed or the store,
 * re-fetching it once if the store copy is missing or damaged. */
static int get_chunk(const struct apply_job *j, const struct idmap *seed, int seedfd, size_t i,
		     uint8_t *buf, struct apply_stats *st, struct fl_err *err)
{
	const struct ca_item *it = &j->index->items[i];
	size_t n = item_size(j->index, i);
	int64_t s = idmap_find(seed, it->id);
	int r;

	if (s >= 0 && seed_read(seedfd, j->seed_index, (size_t)s, buf) == 0) {
		st->from_seed++;
		return 0;
	}
	r = castore_get(j->store, it->id, buf, n, err);
	if (r != 0) {
		struct src_chunk c;

		memcpy(c.id, it->id, 32);
		c.size = n;
		if (src_get_chunks(j->src, &c, 1, j->store, NULL, NULL, err) ||
		    castore_get(j->store, it->id, buf, n, err))
			return -1;
		st->fetched++;
		return 0;
	}
	st->from_store++;
	return 0;
}

static int assemble(const struct apply_job *j, const struct idmap *seed, const char *tmp,
		    struct apply_stats *st, struct fl_err *err)
{
	const struct ca_index *x = j->index;
	struct fl_sha256_ctx hs;
	uint8_t *buf = malloc(x->chunk_max), h[32];
	struct progress pb;
	int fd, seedfd = -1, rc = -1;

	if (!buf)
		return fl_fail(err, "out of memory");
	/* a leftover or planted NAME.img.tmp (maybe a symlink) is removed, not followed */
	unlinkat(j->images, tmp, 0);
	fd = openat(j->images, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(buf);
		return fl_fail(err, "%s: %s", tmp, strerror(errno));
	}
	if (fl_sha256_init(&hs)) {
		close(fd);
		free(buf);
		return fl_fail(err, "out of memory");
	}
	if (j->seed_image)
		seedfd = openat(j->images, j->seed_image, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	progress_start(&pb, "apply", ca_index_size(x), j->quiet);
	for (size_t i = 0; i < x->n; i++) {
		size_t n = item_size(x, i);

		if (get_chunk(j, seed, seedfd, i, buf, st, err))
			goto out;
		fl_sha256_update(&hs, buf, n);
		/* zero chunks stay holes: the image file is sparse */
		errno = 0;
		if (!all_zero(buf, n) &&
		    pwrite(fd, buf, n, (off_t)ca_item_start(x, i)) != (ssize_t)n) {
			fl_fail(err, "%s: write: %s", tmp, strerror(errno ? errno : ENOSPC));
			goto out;
		}
		st->chunks++;
		progress_update(&pb, x->items[i].end);
		if ((i & 255U) == 255U)
			fl_crash_point();
	}
	progress_end(&pb);
	fl_sha256_final(&hs, h);
	if (ca_index_size(x) != j->target->size || sodium_memcmp(h, j->target->sha256, 32)) {
		fl_fail(err, "rebuilt image does not match the signed size and hash");
		goto out;
	}
	if (ftruncate(fd, (off_t)ca_index_size(x)) || fsync(fd)) {
		fl_fail(err, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (hs.md) /* left early */
		fl_sha256_final(&hs, h);
	if (close(fd) && !rc)
		rc = fl_fail(err, "%s: close: %s", tmp, strerror(errno));
	if (seedfd >= 0)
		close(seedfd);
	free(buf);
	return rc;
}

int sync_check_index(const struct ca_index *x, const struct image_target *t, struct fl_err *err)
{
	if (x->flags & CA_FORMAT_SHA512_256)
		return fl_fail(err, "index uses SHA512/256 chunk ids; this client needs SHA-256");
	if (x->chunk_max > CA_CHUNK_SIZE_LIMIT)
		return fl_fail(err, "index: chunk size limit too large");
	if (ca_index_size(x) != t->size)
		return fl_fail(err, "index describes %llu bytes but the signed image size is %llu (refused)",
			       (unsigned long long)ca_index_size(x), (unsigned long long)t->size);
	if (t->chunks && x->n != t->chunks)
		return fl_fail(err, "index has %zu chunks but the signed targets say %llu (refused)", x->n,
			       (unsigned long long)t->chunks);
	return 0;
}

int sync_apply(const struct apply_job *j, struct apply_stats *st, struct fl_err *err)
{
	char tmp[1200];
	struct idmap seed;
	uint64_t before = src_bytes(j->src);
	int rc;

	memset(st, 0, sizeof(*st));
	snprintf(st->pack, sizeof(st->pack), "%s",
		 j->pack ? "not needed" : j->pack_note ? j->pack_note : "not offered");
	if (sync_check_index(j->index, j->target, err))
		return -1;
	if (idmap_build(&seed, j->seed_image ? j->seed_index : NULL))
		return fl_fail(err, "out of memory");
	rc = fetch_missing(j, &seed, st, err);
	snprintf(tmp, sizeof(tmp), "%s.tmp", j->out);
	if (!rc)
		rc = assemble(j, &seed, tmp, st, err);
	idmap_free(&seed);
	st->fetched_bytes = src_bytes(j->src) - before;
	if (rc) {
		unlinkat(j->images, tmp, 0);
		return -1;
	}
	fl_crash_point();
	if (renameat(j->images, tmp, j->images, j->out)) {
		rc = fl_fail(err, "%s: rename: %s", j->out, strerror(errno));
		unlinkat(j->images, tmp, 0);
		return rc;
	}
	fsync(j->images);
	fl_crash_point();
	return 0;
}
