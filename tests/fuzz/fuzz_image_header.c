/* libFuzzer target: the disk-image tool's header reader
 * (tools/bulkhead-image-chain.c). The input is the start of an image file,
 * read as the whole file and as the head of a longer one, detected and
 * forced to each format. Whatever it accepts must hold together: a qcow2
 * header's backing name is the NUL-free bytes at the header's backing
 * offset, a raw image is whole sectors; the protocol-name test agrees with
 * its definition (a colon before any slash). */
#include <stdlib.h>
#include <string.h>
#include "../../tools/bulkhead-image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void check_protocol(const char *name)
{
	const char *colon = strchr(name, ':');
	size_t before = colon ? (size_t)(colon - name) : 0;

	if (img_backing_is_protocol(name) != (colon && !memchr(name, '/', before)))
		abort();
}

static void check(const uint8_t *data, size_t size, uint64_t fsize, int force)
{
	struct img_file f;
	const char *why;

	memset(&f, 0xa5, sizeof(f));
	why = img_header_parse(data, size, fsize, force, &f);
	if (why) {
		if (!why[0])
			abort();
		return;
	}
	if (f.format == IMG_RAW) {
		if (force == IMG_QCOW2 || f.virtual_size != fsize || !fsize || fsize % 512 || f.backing[0])
			abort();
		return;
	}
	if (f.format != IMG_QCOW2 || force == IMG_RAW || size < 72)
		abort();
	if (!f.virtual_size || f.virtual_size > (1ULL << 55))
		abort();
	if (f.backing_format != IMG_RAW && f.backing_format != IMG_QCOW2)
		abort();
	size_t n = strnlen(f.backing, sizeof(f.backing));
	if (n == sizeof(f.backing))
		abort();
	if (n) {
		uint64_t off = be64(data + 8);

		if (off > size || n > size - off || memcmp(data + off, f.backing, n))
			abort();
	}
	check_protocol(f.backing);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[64];
	size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

	for (int force = -1; force <= IMG_QCOW2; force++)
		check(data, size, size, force);
	check(data, size, (uint64_t)size + (1ULL << 30), -1);
	memcpy(name, data, n);
	name[n] = 0;
	check_protocol(name);
	return 0;
}
