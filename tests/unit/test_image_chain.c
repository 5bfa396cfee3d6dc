/* tools/bulkhead-image-chain.c: the header reader of the disk-image tool
 * (qcow2 headers per QEMU docs/interop/qcow2.txt, raw images) on a byte
 * buffer, sound headers and every refusal, and the protocol-name test on a
 * backing file name. An image file is untrusted input. */
#include <string.h>
#include "unit.h"
#include "../../tools/bulkhead-image.h"

#define CBITS   16U                 /* 64 KiB clusters */
#define CLUSTER (1U << CBITS)
#define FSIZE   (4U * CLUSTER)
#define REFT    (1U * CLUSTER)      /* refcount table offset */
#define L1      (2U * CLUSTER)      /* L1 table offset */
#define BACKOFF 0x200U              /* backing file name offset */
#define EXTFMT  0xe2792acaU         /* backing file format extension */

static uint8_t img[FSIZE];
static struct img_file f;

static void be32_put(size_t off, uint32_t v)
{
	img[off] = (uint8_t)(v >> 24);
	img[off + 1] = (uint8_t)(v >> 16);
	img[off + 2] = (uint8_t)(v >> 8);
	img[off + 3] = (uint8_t)v;
}

static void be64_put(size_t off, uint64_t v)
{
	be32_put(off, (uint32_t)(v >> 32));
	be32_put(off + 4, (uint32_t)v);
}

/* Header extension at OFF; the offset after it (data padded to 8). */
static size_t ext_put(size_t off, uint32_t type, const char *data)
{
	size_t n = strlen(data);

	be32_put(off, type);
	be32_put(off + 4, (uint32_t)n);
	memcpy(img + off + 8, data, n);
	return off + 8 + ((n + 7) & ~(size_t)7);
}

/* A sound qcow2 header of VERSION, no backing file, 1 GiB virtual. */
static void qcow2(uint32_t version)
{
	size_t hlen = version == 3 ? 104 : 72;

	memset(img, 0, sizeof(img));
	be32_put(0, 0x514649fbU);
	be32_put(4, version);
	be32_put(20, CBITS);
	be64_put(24, 1ULL << 30);
	be32_put(36, 1);                 /* L1 entries */
	be64_put(40, L1);
	be64_put(48, REFT);
	be32_put(56, 1);                 /* refcount table clusters */
	if (version == 3)
		be32_put(100, (uint32_t)hlen);
	ext_put(hlen, 0, "");            /* end of extensions */
}

/* Give the qcow2 header of VERSION the backing NAME of format FMT (NULL: no
 * format extension). */
static void backing(uint32_t version, const char *name, const char *fmt)
{
	size_t p = version == 3 ? 104 : 72;

	be64_put(8, BACKOFF);
	be32_put(16, (uint32_t)strlen(name));
	memcpy(img + BACKOFF, name, strlen(name));
	if (fmt)
		p = ext_put(p, EXTFMT, fmt);
	ext_put(p, 0, "");
}

static const char *parse(size_t len, uint64_t fsize, int force)
{
	memset(&f, 0xa5, sizeof(f));
	return img_header_parse(img, len, fsize, force, &f);
}

static void refused(size_t len, uint64_t fsize, int force, const char *want)
{
	const char *why = parse(len, fsize, force);

	if (!why || !strstr(why, want))
		print_message("refusal '%s', want '%s'\n", why ? why : "(none)", want);
	assert_non_null(why);
	assert_non_null(strstr(why, want));
}

static void test_qcow2_sound(void **state)
{
	(void)state;
	for (uint32_t v = 2; v <= 3; v++) {
		qcow2(v);
		assert_null(parse(FSIZE, FSIZE, -1));
		assert_int_equal(f.format, IMG_QCOW2);
		assert_int_equal(f.virtual_size, 1ULL << 30);
		assert_string_equal(f.backing, "");
		/* forced qcow2 reads the same; a file longer than what was read too */
		assert_null(parse(FSIZE, FSIZE, IMG_QCOW2));
		assert_int_equal(f.format, IMG_QCOW2);
		assert_null(parse(CLUSTER, 1ULL << 40, -1));
		assert_int_equal(f.virtual_size, 1ULL << 30);
	}
}

static void test_qcow2_backing(void **state)
{
	(void)state;
	for (uint32_t v = 2; v <= 3; v++) {
		qcow2(v);
		backing(v, "master.img", "raw");
		assert_null(parse(FSIZE, FSIZE, -1));
		assert_string_equal(f.backing, "master.img");
		assert_int_equal(f.backing_format, IMG_RAW);
		qcow2(v);
		backing(v, "mid.qcow2", "qcow2");
		assert_null(parse(FSIZE, FSIZE, -1));
		assert_string_equal(f.backing, "mid.qcow2");
		assert_int_equal(f.backing_format, IMG_QCOW2);
	}
	/* an unknown extension before the format one is skipped */
	qcow2(3);
	be64_put(8, BACKOFF);
	be32_put(16, 1);
	img[BACKOFF] = 'm';
	ext_put(ext_put(ext_put(104, 0x6803f857U, "feature-table"), EXTFMT, "qcow2"), 0, "");
	assert_null(parse(FSIZE, FSIZE, -1));
	assert_string_equal(f.backing, "m");
	assert_int_equal(f.backing_format, IMG_QCOW2);
	/* the longest name that fits (1023 bytes) */
	char name[1024];
	memset(name, 'a', 1023);
	name[1023] = 0;
	qcow2(3);
	backing(3, name, "raw");
	assert_null(parse(FSIZE, FSIZE, -1));
	assert_string_equal(f.backing, name);
}

static void test_raw(void **state)
{
	(void)state;
	memset(img, 0, sizeof(img));
	assert_null(parse(FSIZE, FSIZE, -1));
	assert_int_equal(f.format, IMG_RAW);
	assert_int_equal(f.virtual_size, FSIZE);
	assert_string_equal(f.backing, "");
	assert_null(parse(512, 512, IMG_RAW));
	assert_int_equal(f.virtual_size, 512);
	/* a raw image larger than what was read */
	assert_null(parse(CLUSTER, 10ULL << 30, -1));
	assert_int_equal(f.virtual_size, 10ULL << 30);
	/* a raw image whose content starts with the qcow2 magic, forced raw */
	qcow2(3);
	assert_null(parse(FSIZE, FSIZE, IMG_RAW));
	assert_int_equal(f.format, IMG_RAW);
	assert_int_equal(f.virtual_size, FSIZE);
	assert_string_equal(f.backing, "");
}

static void test_truncated(void **state)
{
	(void)state;
	qcow2(3);
	refused(0, 0, IMG_QCOW2, "truncated: empty");
	refused(3, 3, IMG_QCOW2, "truncated: empty or shorter than a qcow2 header");
	refused(71, 71, -1, "truncated: shorter than a qcow2 header");
	refused(103, 103, -1, "truncated: shorter than its qcow2 version 3 header");
	refused(CLUSTER - 512, CLUSTER - 512, -1, "truncated: shorter than one qcow2 cluster");
	/* the tables past the end of a file cut short */
	refused(2 * CLUSTER, 2 * CLUSTER, -1, "the qcow2 L1 table lies outside the file");
	be64_put(40, CLUSTER);           /* L1 inside: now the refcount table is next */
	be64_put(48, 2 * CLUSTER);
	refused(2 * CLUSTER, 2 * CLUSTER, -1, "the qcow2 refcount table lies outside the file");
	/* a raw image: empty, or not whole sectors */
	memset(img, 0, sizeof(img));
	refused(0, 0, -1, "a raw image is a non-zero multiple of 512 bytes");
	refused(1000, 1000, -1, "a raw image is a non-zero multiple of 512 bytes");
	refused(FSIZE, FSIZE + 1, IMG_RAW, "a raw image is a non-zero multiple of 512 bytes");
}

static void test_bad_magic_and_header(void **state)
{
	(void)state;
	qcow2(3);
	img[3] ^= 1;                     /* "QFI\xfa" */
	refused(FSIZE, FSIZE, IMG_QCOW2, "not a qcow2 image (no qcow2 magic)");
	assert_null(parse(FSIZE, FSIZE, -1)); /* detected: raw */
	assert_int_equal(f.format, IMG_RAW);

	qcow2(3);
	be32_put(4, 4);
	refused(FSIZE, FSIZE, -1, "version is neither 2 nor 3");
	qcow2(3);
	be32_put(4, 1);
	refused(FSIZE, FSIZE, -1, "version is neither 2 nor 3");
	qcow2(3);
	be32_put(20, 8);
	refused(FSIZE, FSIZE, -1, "cluster size out of range");
	be32_put(20, 22);
	refused(FSIZE, FSIZE, -1, "cluster size out of range");
	qcow2(3);
	be32_put(100, 96);
	refused(FSIZE, FSIZE, -1, "header length out of range");
	be32_put(100, CLUSTER + 8);
	refused(FSIZE, FSIZE, -1, "header length out of range");
	qcow2(3);
	be64_put(72, 1ULL << 1);         /* incompatible feature: corrupt */
	refused(FSIZE, FSIZE, -1, "marked corrupt");
	qcow2(3);
	be64_put(24, 0);
	refused(FSIZE, FSIZE, -1, "virtual size out of range");
	be64_put(24, (1ULL << 55) + 1);
	refused(FSIZE, FSIZE, -1, "virtual size out of range");
	qcow2(3);
	be32_put(56, 0);
	refused(FSIZE, FSIZE, -1, "the qcow2 refcount table lies outside the file");
	qcow2(3);
	be64_put(40, L1 + 8);            /* not cluster-aligned */
	refused(FSIZE, FSIZE, -1, "the qcow2 L1 table lies outside the file");
	qcow2(3);
	be64_put(48, 0);                 /* over the header */
	refused(FSIZE, FSIZE, -1, "the qcow2 refcount table lies outside the file");
	qcow2(3);
	be32_put(36, 0x20000000U);       /* 4 GiB of L1 entries */
	refused(FSIZE, FSIZE, -1, "the qcow2 L1 table lies outside the file");
}

static void test_encrypted(void **state)
{
	(void)state;
	for (uint32_t method = 1; method <= 2; method++) { /* AES, LUKS */
		qcow2(3);
		be32_put(32, method);
		refused(FSIZE, FSIZE, -1, "encrypted qcow2 images are not supported");
		qcow2(2);
		be32_put(32, method);
		refused(FSIZE, FSIZE, -1, "encrypted qcow2 images are not supported");
	}
}

static void test_backing_refused(void **state)
{
	char name[1025];

	(void)state;
	/* too long: 1024 bytes do not fit with their NUL */
	memset(name, 'a', 1024);
	name[1024] = 0;
	qcow2(3);
	backing(3, name, "raw");
	refused(FSIZE, FSIZE, -1, "backing file name out of range");
	qcow2(3);
	backing(3, "m", "raw");
	be32_put(16, 0xffffffffU);
	refused(FSIZE, FSIZE, -1, "backing file name out of range");
	be32_put(16, 0);                 /* an offset with no name */
	refused(FSIZE, FSIZE, -1, "backing file name out of range");
	/* offset past the end of what was read, and name running past it */
	qcow2(3);
	backing(3, "master.img", "raw");
	be64_put(8, FSIZE + 1);
	refused(FSIZE, FSIZE, -1, "backing file name out of range");
	be64_put(8, ~0ULL);
	refused(FSIZE, FSIZE, -1, "backing file name out of range");
	be64_put(8, FSIZE - 4);
	refused(FSIZE, FSIZE, -1, "backing file name out of range");
	be64_put(8, 2 * CLUSTER);        /* inside the file, past what was read */
	refused(CLUSTER, FSIZE, -1, "backing file name out of range");
	/* a NUL inside the name */
	qcow2(3);
	backing(3, "master!", "raw");
	img[BACKOFF + 4] = 0;
	refused(FSIZE, FSIZE, -1, "NUL in the backing file name");
	/* no format given, or one other than raw and qcow2 */
	qcow2(3);
	backing(3, "master.img", NULL);
	refused(FSIZE, FSIZE, -1, "without its format");
	qcow2(3);
	backing(3, "master.img", "vmdk");
	refused(FSIZE, FSIZE, -1, "neither raw nor qcow2");
	qcow2(3);
	backing(3, "master.img", "qcow");
	refused(FSIZE, FSIZE, -1, "neither raw nor qcow2");
}

static void test_extensions_refused(void **state)
{
	(void)state;
	/* an extension longer than the buffer */
	qcow2(3);
	be32_put(104, 0x6803f857U);
	be32_put(108, FSIZE);
	refused(FSIZE, FSIZE, -1, "header extension past the end");
	/* no end marker within the first cluster */
	qcow2(3);
	for (size_t p = 104; p + 8 <= CLUSTER; p += 8)
		be32_put(p, 0x12345678U);
	refused(FSIZE, FSIZE, -1, "header extensions run past the first cluster");
	/* the header (and its extensions) end exactly at the end of the buffer */
	qcow2(3);
	refused(104, FSIZE, -1, "header extensions run past the first cluster");
}

static void test_protocol_names(void **state)
{
	(void)state;
	assert_true(img_backing_is_protocol("nbd:localhost:10809"));
	assert_true(img_backing_is_protocol("nbd+unix:///x?socket=/run/s"));
	assert_true(img_backing_is_protocol("json:{\"file.filename\":\"/etc/shadow\"}"));
	assert_true(img_backing_is_protocol("http://example.com/master.img"));
	assert_true(img_backing_is_protocol("file:master.img"));
	assert_true(img_backing_is_protocol(":"));
	assert_false(img_backing_is_protocol("master.img"));
	assert_false(img_backing_is_protocol("/images/master.img"));
	assert_false(img_backing_is_protocol("./nbd:localhost"));
	assert_false(img_backing_is_protocol("dir/a:b.img"));
	assert_false(img_backing_is_protocol(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qcow2_sound),
		cmocka_unit_test(test_qcow2_backing),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_magic_and_header),
		cmocka_unit_test(test_encrypted),
		cmocka_unit_test(test_backing_refused),
		cmocka_unit_test(test_extensions_refused),
		cmocka_unit_test(test_protocol_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
