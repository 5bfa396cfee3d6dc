/* Image chunking for the publisher. */
#include "publish_image.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "castore.h"
#include "progress.h"
#include "sha256.h"

extern char **environ;

static int is_qcow2(const char *path)
{
	unsigned char m[4] = { 0 };
	FILE *f = fopen(path, "rbe");
	int q;

	if (!f)
		return 0;
	q = fread(m, 1, 4, f) == 4 && !memcmp(m, "QFI\xfb", 4);
	fclose(f);
	return q;
}

int image_to_raw(const char *path, const char *format, const char *tmpdir, char *raw_out,
		 size_t n, int *is_temp, struct fl_err *err)
{
	char *argv[] = { "qemu-img", "convert", "-q", "-f", "qcow2", "-O", "raw", (char *)path, raw_out, NULL };
	pid_t pid;
	int st;

	*is_temp = 0;
	if (access(path, R_OK))
		return fl_fail(err, "%s: %s", path, strerror(errno));
	if (!strcmp(format, "raw") || (!strcmp(format, "auto") && !is_qcow2(path))) {
		snprintf(raw_out, n, "%s", path);
		return 0;
	}
	if (strcmp(format, "qcow2") && strcmp(format, "auto"))
		return fl_fail(err, "unknown image format \"%s\" (raw, qcow2, auto)", format);
	snprintf(raw_out, n, "%s/.convert.%ld.raw", tmpdir, (long)getpid());
	if (posix_spawnp(&pid, "qemu-img", NULL, NULL, argv, environ))
		return fl_fail(err, "cannot run qemu-img to read qcow2 (install qemu-utils)");
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		unlink(raw_out);
		return fl_fail(err, "%s: qemu-img convert failed", path);
	}
	*is_temp = 1;
	return 0;
}

/* Parallel publishing: the chunk boundaries are found in one pass (the
 * chunker is sequential by nature and cheap), then every thread takes
 * batches of chunks off a shared counter and hashes, compresses and stores
 * them; one more thread hashes the whole image meanwhile. */
#define BATCH 32U

struct pool {
	const uint8_t *map;
	struct ca_index *idx;
	int store, level;
	_Atomic size_t next;
	_Atomic uint64_t done;
	_Atomic int failed;
	uint8_t *isnew;
	size_t *clen;
	pthread_mutex_t lock;
	struct fl_err err;
	struct progress *pb; /* drawn by the calling thread only */
};

static void pool_fail(struct pool *p, const char *msg)
{
	pthread_mutex_lock(&p->lock);
	if (!p->failed)
		snprintf(p->err.msg, sizeof(p->err.msg), "%s", msg);
	p->failed = 1;
	pthread_mutex_unlock(&p->lock);
}

static int pool_chunk(struct pool *p, ZSTD_CCtx *cc, struct fl_buf *comp, size_t i, struct fl_err *err)
{
	struct ca_item *it = &p->idx->items[i];
	uint64_t start = ca_item_start(p->idx, i);
	size_t len = (size_t)(it->end - start);

	castore_chunk_id(p->map + start, len, it->id);
	if (!castore_has(p->store, it->id)) {
		if (castore_compress_cctx(cc, p->map + start, len, p->level, comp))
			return fl_fail(err, "zstd compression failed");
		if (castore_put(p->store, it->id, comp->data, comp->len, err))
			return -1;
		p->isnew[i] = 1;
		p->clen[i] = comp->len;
	}
	p->done += len;
	return 0;
}

static void *pool_work(void *arg)
{
	struct pool *p = arg;
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	struct fl_buf comp = { 0 };
	struct fl_err err;

	if (!cc) {
		pool_fail(p, "zstd: out of memory");
		return NULL;
	}
	for (;;) {
		size_t i0 = atomic_fetch_add(&p->next, BATCH);

		if (i0 >= p->idx->n || p->failed)
			break;
		for (size_t i = i0; i < i0 + BATCH && i < p->idx->n; i++)
			if (pool_chunk(p, cc, &comp, i, &err)) {
				pool_fail(p, err.msg);
				break;
			}
		if (p->pb && pthread_equal(pthread_self(), p->pb->owner))
			progress_update(p->pb, p->done);
	}
	ZSTD_freeCCtx(cc);
	fl_buf_free(&comp);
	return NULL;
}

struct hasher {
	const uint8_t *map;
	uint64_t size;
	uint8_t sha256[32];
};

static void *hash_image(void *arg)
{
	struct hasher *h = arg;

	fl_sha256(h->map, h->size, h->sha256);
	return NULL;
}

static int cmp_id(const void *a, const void *b, void *items)
{
	const struct ca_item *it = items;

	return memcmp(it[*(const size_t *)a].id, it[*(const size_t *)b].id, CA_CHUNK_ID_SIZE);
}

/* New chunks and their compressed bytes, each distinct chunk once (two
 * threads may both have stored a chunk that occurs twice in the image). */
static void count_new(const struct pool *p, struct image_stats *st)
{
	size_t n = 0, *ix = malloc((p->idx->n ? p->idx->n : 1) * sizeof(*ix));

	if (!ix)
		return;
	for (size_t i = 0; i < p->idx->n; i++)
		if (p->isnew[i])
			ix[n++] = i;
	qsort_r(ix, n, sizeof(*ix), cmp_id, p->idx->items);
	for (size_t k = 0; k < n; k++) {
		if (k && !memcmp(p->idx->items[ix[k]].id, p->idx->items[ix[k - 1]].id, CA_CHUNK_ID_SIZE))
			continue;
		st->new_chunks++;
		st->new_bytes_compressed += p->clen[ix[k]];
	}
	free(ix);
}

static int find_boundaries(const uint8_t *map, uint64_t size, const struct chunker *ck,
			   struct ca_index *idx, struct fl_err *err)
{
	static const uint8_t unset[CA_CHUNK_ID_SIZE];
	uint64_t off = 0;

	while (off < size) {
		off += chunker_next(ck, map + off, size - off);
		if (caidx_push(idx, off, unset))
			return fl_fail(err, "out of memory");
	}
	return 0;
}

static int run_pool(struct pool *p, int threads, struct fl_err *err)
{
	pthread_t tid[PUB_MAX_THREADS];
	int started = 0;

	for (int t = 1; t < threads; t++) {
		if (pthread_create(&tid[started], NULL, pool_work, p))
			break; /* fewer threads; the work still gets done */
		started++;
	}
	pool_work(p);
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	if (p->failed)
		return fl_fail(err, "%s", p->err.msg);
	return 0;
}

static int fits_in_ram(uint64_t size)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);

	return pages > 0 && psize > 0 && size <= (uint64_t)pages * (uint64_t)psize / 2U;
}

int image_publish(const struct image_job *j, struct ca_index *idx, struct image_stats *st,
		  struct fl_err *err)
{
	struct hasher h = { 0 };
	struct pool p;
	struct progress pb;
	struct stat sb;
	const uint8_t *map = NULL;
	pthread_t ht;
	int fd, sfd, rc = -1, hashing = 0;

	memset(st, 0, sizeof(*st));
	memset(idx, 0, sizeof(*idx));
	memset(&p, 0, sizeof(p));
	idx->flags = CA_FLAGS_BLOB_SHA256;
	idx->chunk_min = j->ck->min;
	idx->chunk_avg = j->ck->avg;
	idx->chunk_max = j->ck->max;
	sfd = open(j->store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return fl_fail(err, "%s: %s", j->store, strerror(errno));
	fd = open(j->raw, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb)) {
		fl_fail(err, "%s: %s", j->raw, strerror(errno));
		if (fd >= 0)
			close(fd);
		close(sfd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size == 0) {
		close(fd);
		close(sfd);
		return fl_fail(err, "%s: not a non-empty regular file", j->raw);
	}
	st->size = (uint64_t)sb.st_size;
	/* populated up front when it fits in half the RAM: a fault per page from
	 * several threads cost more system time than compressing a sparse image;
	 * a larger image is read as it goes rather than twice */
	map = mmap(NULL, st->size, PROT_READ, MAP_PRIVATE | (fits_in_ram(st->size) ? MAP_POPULATE : 0), fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		close(sfd);
		return fl_fail(err, "%s: mmap: %s", j->raw, strerror(errno));
	}
	h.map = map;
	h.size = st->size;
	hashing = !pthread_create(&ht, NULL, hash_image, &h);
	if (find_boundaries(map, st->size, j->ck, idx, err))
		goto out;
	p.map = map;
	p.idx = idx;
	p.store = sfd;
	p.level = j->level;
	p.isnew = calloc(idx->n, 1);
	p.clen = calloc(idx->n, sizeof(*p.clen));
	pthread_mutex_init(&p.lock, NULL);
	if (!p.isnew || !p.clen) {
		fl_fail(err, "out of memory");
		goto out_pool;
	}
	progress_start(&pb, "chunking", st->size, j->quiet);
	pb.owner = pthread_self();
	p.pb = &pb;
	if (run_pool(&p, j->threads, err))
		goto out_pool;
	progress_end(&pb);
	count_new(&p, st);
	st->chunks = idx->n;
	/* chunks reach the disk before any metadata that names them */
	if (syncfs(sfd)) {
		fl_fail(err, "%s: sync: %s", j->store, strerror(errno));
		goto out_pool;
	}
	rc = 0;
out_pool:
	pthread_mutex_destroy(&p.lock);
	free(p.isnew);
	free(p.clen);
out:
	if (hashing)
		pthread_join(ht, NULL);
	else if (!rc)
		fl_sha256(map, st->size, h.sha256);
	memcpy(st->sha256, h.sha256, 32);
	munmap((void *)map, st->size);
	close(sfd);
	if (rc)
		caidx_free(idx);
	return rc;
}
