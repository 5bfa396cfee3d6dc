/* Image chunking for the publisher. */
#include "publish_image.h"

#include <errno.h>
#include <fcntl.h>
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

int image_publish(const char *raw, const char *store, const struct chunker *ck, int level,
		  int quiet, struct ca_index *idx, struct image_stats *st, struct fl_err *err)
{
	crypto_hash_sha256_state hs;
	struct fl_buf comp = { 0 };
	struct progress pb;
	struct stat sb;
	const uint8_t *map = NULL;
	uint64_t off = 0;
	int fd, sfd, rc = -1;

	memset(st, 0, sizeof(*st));
	memset(idx, 0, sizeof(*idx));
	idx->flags = CA_FLAGS_BLOB_SHA256;
	idx->chunk_min = ck->min;
	idx->chunk_avg = ck->avg;
	idx->chunk_max = ck->max;
	sfd = open(store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return fl_fail(err, "%s: %s", store, strerror(errno));
	fd = open(raw, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb)) {
		close(sfd);
		return fl_fail(err, "%s: %s", raw, strerror(errno));
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size == 0) {
		close(fd);
		close(sfd);
		return fl_fail(err, "%s: not a non-empty regular file", raw);
	}
	st->size = (uint64_t)sb.st_size;
	map = mmap(NULL, st->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		close(sfd);
		return fl_fail(err, "%s: mmap: %s", raw, strerror(errno));
	}
	madvise((void *)map, st->size, MADV_SEQUENTIAL);
	crypto_hash_sha256_init(&hs);
	progress_start(&pb, "chunking", st->size, quiet);
	while (off < st->size) {
		size_t len = chunker_next(ck, map + off, st->size - off);
		uint8_t id[CA_CHUNK_ID_SIZE];

		crypto_hash_sha256_update(&hs, map + off, len);
		castore_chunk_id(map + off, len, id);
		if (!castore_has(sfd, id)) {
			if (castore_compress(map + off, len, level, &comp)) {
				fl_fail(err, "zstd compression failed");
				goto out;
			}
			if (castore_put(sfd, id, comp.data, comp.len, err))
				goto out;
			st->new_chunks++;
			st->new_bytes_compressed += comp.len;
		}
		off += len;
		if (caidx_push(idx, off, id)) {
			fl_fail(err, "out of memory");
			goto out;
		}
		progress_update(&pb, off);
	}
	progress_end(&pb);
	crypto_hash_sha256_final(&hs, st->sha256);
	st->chunks = idx->n;
	/* chunks reach the disk before any metadata that names them */
	if (syncfs(sfd)) {
		fl_fail(err, "%s: sync: %s", store, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(sfd);
	munmap((void *)map, st->size);
	fl_buf_free(&comp);
	if (rc)
		caidx_free(idx);
	return rc;
}
