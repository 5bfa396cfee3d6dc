/* Unit tests: casync index format and chunk store encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "caidx.h"
#include "castore.h"

static struct ca_index sample(void)
{
	struct ca_index x = { 0 };
	uint8_t id[32];

	x.flags = CA_FLAGS_BLOB_SHA256;
	x.chunk_min = 4096;
	x.chunk_avg = 16384;
	x.chunk_max = 65536;
	for (int i = 0; i < 5; i++) {
		memset(id, i + 1, sizeof(id));
		assert_int_equal(caidx_push(&x, (uint64_t)(i + 1) * 10000U, id), 0);
	}
	return x;
}

static void test_roundtrip_layout(void **state)
{
	struct ca_index x = sample(), y;
	struct fl_err err;
	uint8_t *b;
	size_t n;

	(void)state;
	assert_int_equal(caidx_serialize(&x, &b, &n), 0);
	assert_int_equal(n, 48 + 16 + 5 * 40 + 40);
	/* header size 48 and type CA_FORMAT_INDEX, little-endian */
	assert_int_equal(b[0], 48);
	assert_memory_equal(b + 8, "\xf9\x9f\x12\x7b\x9c\x4d\x82\x96", 8);
	assert_memory_equal(b + n - 8, "\xd1\xec\x49\x55\x0e\x05\x4f\x4b", 8);
	assert_int_equal(caidx_parse(b, n, &y, &err), 0);
	assert_int_equal(y.n, 5);
	assert_int_equal(y.flags, CA_FLAGS_BLOB_SHA256);
	assert_int_equal(ca_index_size(&y), 50000);
	assert_memory_equal(y.items[4].id, x.items[4].id, 32);
	caidx_free(&y);
	free(b);
	caidx_free(&x);
}

static void test_rejects_damage(void **state)
{
	struct ca_index x = sample(), y;
	struct fl_err err;
	uint8_t *b;
	size_t n;

	(void)state;
	assert_int_equal(caidx_serialize(&x, &b, &n), 0);
	assert_int_equal(caidx_parse(b, n - 1, &y, &err), -1);      /* truncated */
	assert_int_equal(caidx_parse(b, 50, &y, &err), -1);
	b[8] ^= 1;                                                  /* magic */
	assert_int_equal(caidx_parse(b, n, &y, &err), -1);
	b[8] ^= 1;
	b[64] = 0;                                                  /* first end offset 0 */
	b[65] = 0;
	assert_int_equal(caidx_parse(b, n, &y, &err), -1);
	free(b);
	/* a chunk larger than chunk_max */
	x.items[1].end = 10000 + 70000;
	x.items[2].end = 90000;
	x.items[3].end = 100000;
	x.items[4].end = 110000;
	assert_int_equal(caidx_serialize(&x, &b, &n), 0);
	assert_int_equal(caidx_parse(b, n, &y, &err), -1);
	assert_non_null(strstr(err.msg, "bad size"));
	free(b);
	caidx_free(&x);
}

static void test_chunk_encode_decode(void **state)
{
	uint8_t data[20000], out[20000], id[32];
	struct fl_buf comp = { 0 };
	struct fl_err err;
	char rel[CASTORE_RELPATH_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 / 13);
	castore_chunk_id(data, sizeof(data), id);
	castore_relpath(id, rel);
	assert_int_equal(strlen(rel), 4 + 1 + 64 + 6);
	assert_memory_equal(rel, rel + 5, 4);
	assert_int_equal(castore_compress(data, sizeof(data), 3, &comp), 0);
	assert_int_equal(castore_decode(comp.data, comp.len, id, out, sizeof(out), &err), 0);
	assert_memory_equal(out, data, sizeof(data));
	/* wrong expected size, truncation, tampering, wrong id */
	assert_int_equal(castore_decode(comp.data, comp.len, id, out, sizeof(out) - 1, &err), -1);
	assert_int_equal(castore_decode(comp.data, comp.len - 3, id, out, sizeof(out), &err), -1);
	id[0] ^= 1;
	assert_int_equal(castore_decode(comp.data, comp.len, id, out, sizeof(out), &err), -1);
	assert_non_null(strstr(err.msg, "hash mismatch"));
	fl_buf_free(&comp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_layout),
		cmocka_unit_test(test_rejects_damage),
		cmocka_unit_test(test_chunk_encode_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
