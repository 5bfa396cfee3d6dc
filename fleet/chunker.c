/* Gear-hash content-defined chunker with normalized chunking (FastCDC). */
#include "chunker.h"

static uint64_t gear[256];

/* The gear table is fixed forever: splitmix64 from a constant seed. Changing
 * it would move every boundary and defeat deduplication against old images. */
static void gear_init(void)
{
	uint64_t x = 0x42756c6b68656164ULL; /* "Bulkhead" */

	if (gear[0])
		return;
	for (int i = 0; i < 256; i++) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		gear[i] = z ^ (z >> 31);
	}
}

/* A mask with `bits` one-bits spread over the high 48 bits of the hash (the
 * gear hash mixes upward, so low bits only see the last few bytes). */
static uint64_t spread_mask(unsigned bits)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < bits; i++)
		m |= 1ULL << (63U - (i * 48U) / bits);
	return m;
}

int chunker_init(struct chunker *c, size_t min, size_t avg, size_t max)
{
	unsigned bits = 0;

	if (min < 64U || min > avg || avg > max || (avg & (avg - 1U)) || avg < 256U)
		return -1;
	while ((1ULL << bits) < avg)
		bits++;
	gear_init();
	c->min = min;
	c->avg = avg;
	c->max = max;
	c->mask_small = spread_mask(bits + 2U);
	c->mask_large = spread_mask(bits - 2U);
	return 0;
}

size_t chunker_next(const struct chunker *c, const uint8_t *data, size_t len)
{
	size_t i, end = len < c->max ? len : c->max;
	size_t normal = c->avg < end ? c->avg : end;
	uint64_t h = 0;

	if (len <= c->min)
		return len;
	/* Start hashing 64 bytes before min so the window is full at min. */
	i = c->min - 64U;
	for (; i < c->min; i++)
		h = (h << 1) + gear[data[i]];
	for (; i < normal; i++) {
		h = (h << 1) + gear[data[i]];
		if (!(h & c->mask_small))
			return i + 1U;
	}
	for (; i < end; i++) {
		h = (h << 1) + gear[data[i]];
		if (!(h & c->mask_large))
			return i + 1U;
	}
	return end;
}
