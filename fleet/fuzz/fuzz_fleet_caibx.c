/* libFuzzer: the .caibx index parser on untrusted bytes; whatever it accepts
 * must serialize back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caidx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ca_index x;
	struct fl_err err;
	uint8_t *out;
	size_t n;

	if (caidx_parse(data, size, &x, &err))
		return 0;
	for (size_t i = 0; i < x.n; i++)
		if (x.items[i].end <= ca_item_start(&x, i) || x.items[i].end - ca_item_start(&x, i) > x.chunk_max)
			abort();
	if (caidx_serialize(&x, &out, &n) || n != size || memcmp(out, data, n))
		abort();
	free(out);
	caidx_free(&x);
	return 0;
}
