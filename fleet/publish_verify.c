/* bulkhead-publish verify: check a repository the way a client would, from
 * a pinned root, then every target file and every chunk its indexes name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caidx.h"
#include "castore.h"
#include "fetch.h"
#include "publish_cmd.h"
#include "targets.h"
#include "tuf_client.h"

static int verify_chunks(struct src *s, const struct ca_index *idx, int quick, uint64_t *nchunks,
			 struct fl_err *err)
{
	uint8_t *scratch = malloc(idx->chunk_max ? idx->chunk_max : 1);
	struct fl_buf b = { 0 };
	int rc = 0;

	if (!scratch)
		return fl_fail(err, "out of memory");
	for (size_t i = 0; i < idx->n && !rc; i++) {
		char rel[CASTORE_RELPATH_LEN], path[CASTORE_RELPATH_LEN + 8];
		size_t size = (size_t)(idx->items[i].end - ca_item_start(idx, i));
		int st;

		castore_relpath(idx->items[i].id, rel);
		snprintf(path, sizeof(path), "store/%s", rel);
		st = src_get(s, path, quick ? (64U << 20) : size + (size >> 4) + 4096U, &b, err);
		if (st == 1)
			rc = fl_fail(err, "chunk %s: missing", rel);
		else if (st == 2)
			rc = fl_fail(err, "chunk %s: HTTP status 403", rel);
		else if (st)
			rc = -1;
		else if (!quick && castore_decode(b.data, b.len, idx->items[i].id, scratch, size, err))
			rc = fl_fail(err, "chunk %s: %s", rel, err->msg);
		(*nchunks)++;
	}
	fl_buf_free(&b);
	free(scratch);
	return rc;
}

int pub_verify(const struct pub_args *a, struct fl_err *err)
{
	struct fl_buf raw[TUF_NROLES] = { { 0 } }, b = { 0 };
	struct tuf_trust t;
	struct src *s = NULL;
	const char *name;
	json_t *e;
	char path[1200];
	uint64_t nimg = 0, npol = 0, npack = 0, nchunks = 0;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/1.root.json", a->repo);
	if (fl_read_file(a->pinned_root ? a->pinned_root : path, 1U << 20, &raw[TUF_ROOT], err))
		return -1;
	rc = tuf_trust_load(&t, raw, err);
	fl_buf_free(&raw[TUF_ROOT]);
	if (rc)
		return -1;
	rc = -1;
	if (!(s = src_open(a->repo, err)))
		goto out;
	if (tuf_trust_refresh(&t, targets_src_fetch, s, fl_now(), err))
		goto out;
	json_object_foreach(json_object_get(t.sig[TUF_TARGETS], "targets"), name, e) {
		const char *kind = json_string_value(json_object_get(json_object_get(e, "custom"), "kind"));
		struct tuf_meta m;
		struct ca_index idx;

		if (kind && !strcmp(kind, "pack")) {
			npack++; /* large; its chunks are the store's, checked through the index */
			continue;
		}
		if (tuf_meta_get(json_object_get(t.sig[TUF_TARGETS], "targets"), name, 0, &m, err) ||
		    targets_fetch(s, name, &m, &b, err))
			goto out;
		if (kind && !strcmp(kind, "image")) {
			if (caidx_parse(b.data, b.len, &idx, err))
				goto out;
			rc = verify_chunks(s, &idx, a->quick, &nchunks, err);
			caidx_free(&idx);
			if (rc)
				goto out;
			rc = -1;
			nimg++;
		} else if (kind && !strcmp(kind, "policy")) {
			npol++;
		}
	}
	if (!a->quiet)
		printf("verified: root v%llu, targets v%llu, snapshot v%llu, timestamp v%llu; "
		       "%llu image(s), %llu policy file(s), %llu pack(s), %llu chunk(s) %s\n",
		       (unsigned long long)t.version[TUF_ROOT], (unsigned long long)t.version[TUF_TARGETS],
		       (unsigned long long)t.version[TUF_SNAPSHOT], (unsigned long long)t.version[TUF_TIMESTAMP],
		       (unsigned long long)nimg, (unsigned long long)npol, (unsigned long long)npack,
		       (unsigned long long)nchunks,
		       a->quick ? "present" : "decompressed and hash-checked");
	rc = 0;
out:
	fl_buf_free(&b);
	src_close(s);
	tuf_trust_free(&t);
	return rc;
}

int pub_inspect(const char *index)
{
	struct fl_buf b = { 0 };
	struct fl_err err = { "" };
	struct ca_index idx;

	if (fl_read_file(index, 1U << 30, &b, &err) || caidx_parse(b.data, b.len, &idx, &err)) {
		fprintf(stderr, "bulkhead-publish: inspect: %s\n", err.msg);
		fl_buf_free(&b);
		return 1;
	}
	printf("{\"flags\":\"0x%016llx\",\"digest\":\"%s\",\"chunk_min\":%llu,\"chunk_avg\":%llu,"
	       "\"chunk_max\":%llu,\"chunks\":%zu,\"size\":%llu}\n",
	       (unsigned long long)idx.flags, idx.flags & CA_FORMAT_SHA512_256 ? "sha512-256" : "sha256",
	       (unsigned long long)idx.chunk_min, (unsigned long long)idx.chunk_avg,
	       (unsigned long long)idx.chunk_max, idx.n, (unsigned long long)ca_index_size(&idx));
	caidx_free(&idx);
	fl_buf_free(&b);
	return 0;
}
