/* Guest RAM: 2 MiB blocks from the host, and the copy functions through
 * which everything else reads and writes it. Translation goes block by
 * block, so a range that crosses into a hole or wraps is refused whole
 * before anything is copied (ACRN copy_gpa, Xen hvm_translation_result). */
#include <bulkhead/guest_mem.h>
#include <bulkhead/string.h>

#define CHUNK GUEST_MEM_BLOCK

static bool test_bit(const u64 *map, u64 gpa)
{
	u64 b = gpa / CHUNK;

	return map[b / 64] & (1ULL << (b % 64));
}

static void set_bit(u64 *map, u64 gpa)
{
	u64 b = gpa / CHUNK;

	map[b / 64] |= 1ULL << (b % 64);
}

bool guest_mem_alloc(struct guest_mem *gm, const struct guest_mem_host *h, u64 size)
{
	memset(gm, 0, sizeof(*gm));
	if (size == 0 || size > GUEST_MEM_MAX_SIZE)
		return false;
	size = ALIGN_UP(size, CHUNK);
	for (u64 gpa = 0; gpa < size; gpa += CHUNK) {
		u64 hpa = h->alloc_2m(h->ctx);

		if (!hpa)
			goto fail;
		if (gm->n && gm->c[gm->n - 1].hpa + gm->c[gm->n - 1].size == hpa) {
			gm->c[gm->n - 1].size += CHUNK; /* contiguous: grow the run */
		} else if (gm->n == GUEST_MEM_MAX_CHUNKS) {
			h->free_2m(h->ctx, hpa);
			goto fail;
		} else {
			gm->c[gm->n++] = (struct guest_chunk){ gpa, hpa, CHUNK };
		}
		gm->size = gpa + CHUNK;
	}
	return true;
fail:
	guest_mem_free(gm, h);
	return false;
}

void guest_mem_free(struct guest_mem *gm, const struct guest_mem_host *h)
{
	for (unsigned i = 0; i < gm->n; i++)
		for (u64 off = 0; off < gm->c[i].size; off += CHUNK)
			h->free_2m(h->ctx, gm->c[i].hpa + off);
	memset(gm, 0, sizeof(*gm));
}

static const struct guest_chunk *find_chunk(const struct guest_mem *gm, u64 gpa)
{
	unsigned lo = 0, hi = gm->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct guest_chunk *c = &gm->c[mid];

		if (gpa < c->gpa)
			hi = mid;
		else if (gpa - c->gpa >= c->size)
			lo = mid + 1;
		else
			return c;
	}
	return NULL;
}

bool guest_mem_hpa(const struct guest_mem *gm, u64 gpa, u64 *hpa)
{
	const struct guest_chunk *c = find_chunk(gm, gpa);

	if (!c)
		return false;
	*hpa = c->hpa + (gpa - c->gpa);
	return true;
}

/* Host pointer to the start of the block holding gpa (gpa is RAM). */
static u8 *block_ptr(const struct guest_mem *gm, const struct guest_mem_host *h, u64 gpa)
{
	u64 hpa = 0;

	gpa = ALIGN_DOWN(gpa, CHUNK);
	(void)guest_mem_hpa(gm, gpa, &hpa);
	return h->ptr(h->ctx, hpa);
}

/* Clears the block holding gpa unless it already was. */
static void clear_block(struct guest_mem *gm, const struct guest_mem_host *h, u64 gpa)
{
	if (test_bit(gm->cleared, gpa))
		return;
	memset(block_ptr(gm, h, gpa), 0, CHUNK);
	set_bit(gm->cleared, gpa);
}

bool guest_mem_fault_in(struct guest_mem *gm, const struct guest_mem_host *h, u64 gpa,
			u64 *block_gpa, u64 *block_hpa)
{
	if (gpa >= gm->size || test_bit(gm->mapped, gpa))
		return false;
	*block_gpa = ALIGN_DOWN(gpa, CHUNK);
	if (!guest_mem_hpa(gm, *block_gpa, block_hpa))
		return false;
	clear_block(gm, h, gpa);
	set_bit(gm->mapped, gpa);
	return true;
}

bool guest_mem_mapped(const struct guest_mem *gm, u64 gpa)
{
	return gpa < gm->size && test_bit(gm->mapped, gpa);
}

u64 guest_mem_mapped_bytes(const struct guest_mem *gm)
{
	u64 n = 0;

	for (u64 gpa = 0; gpa < gm->size; gpa += CHUNK)
		n += test_bit(gm->mapped, gpa) ? CHUNK : 0;
	return n;
}

void guest_mem_wipe(struct guest_mem *gm, const struct guest_mem_host *h)
{
	for (u64 gpa = 0; gpa < gm->size; gpa += CHUNK)
		if (test_bit(gm->cleared, gpa))
			memset(block_ptr(gm, h, gpa), 0, CHUNK);
}

static enum gm_result check_range(const struct guest_mem *gm, u64 gpa, u64 len)
{
	if (gpa + len < gpa)
		return GM_OVERFLOW;
	if (len && (gpa >= gm->size || len > gm->size - gpa))
		return GM_HOLE; /* RAM is one block [0, size): no interior holes */
	return GM_OK;
}

enum copy_dir { TO_HOST, TO_GUEST, FILL };

static enum gm_result copy(const struct guest_mem *gm, const struct guest_mem_host *h,
			   u64 gpa, u8 *hostbuf, u8 byte, u64 len, enum copy_dir dir)
{
	enum gm_result r = check_range(gm, gpa, len);

	if (r != GM_OK)
		return r;
	while (len) {
		const struct guest_chunk *c = find_chunk(gm, gpa);
		u64 off, n;
		u8 *p;

		if (!c)
			return GM_HOLE;
		off = gpa - c->gpa;
		/* one block at a time: each has its own cleared bit */
		n = MIN(len, MIN(c->size - off, CHUNK - gpa % CHUNK));
		p = (u8 *)h->ptr(h->ctx, c->hpa) + off;
		if (dir == TO_HOST) {
			if (test_bit(gm->cleared, gpa))
				memcpy(hostbuf, p, n);
			else
				memset(hostbuf, 0, n); /* never touched: reads as zero */
		} else if (dir == TO_GUEST) {
			memcpy(p, hostbuf, n);
		} else {
			memset(p, byte, n);
		}
		if (hostbuf)
			hostbuf += n;
		gpa += n;
		len -= n;
	}
	return GM_OK;
}

/* A read of at most 16 bytes inside one block of one chunk (the emulator's
 * page-table entries and instruction bytes) in one step; the rest through
 * copy(). The same checks, the same result. */
static bool read_small(const struct guest_mem *gm, const struct guest_mem_host *h, u8 *dst,
		       u64 gpa, u64 len)
{
	const struct guest_chunk *c;
	const u8 *p;

	if (len > 16 || gpa >= gm->size || len > CHUNK - gpa % CHUNK)
		return false;
	c = find_chunk(gm, gpa);
	if (!c || len > c->size - (gpa - c->gpa))
		return false;
	if (!test_bit(gm->cleared, gpa)) {
		for (u64 i = 0; i < len; i++)
			dst[i] = 0; /* never touched: reads as zero */
		return true;
	}
	p = (const u8 *)h->ptr(h->ctx, c->hpa) + (gpa - c->gpa);
	if (len >= 8) { /* two words, overlapping when len < 16 */
		memcpy(dst, p, 8);
		memcpy(dst + len - 8, p + len - 8, 8);
		return true;
	}
	for (u64 i = 0; i < len; i++)
		dst[i] = p[i];
	return true;
}

enum gm_result gpa_copy_from(const struct guest_mem *gm, const struct guest_mem_host *h,
			     void *dst, u64 gpa, u64 len)
{
	if (read_small(gm, h, dst, gpa, len))
		return GM_OK;
	return copy(gm, h, gpa, dst, 0, len, TO_HOST);
}

/* Before a write, every block it reaches is cleared (once), so the bytes
 * around the written ones read as zero. */
static enum gm_result clear_range(struct guest_mem *gm, const struct guest_mem_host *h,
				  u64 gpa, u64 len)
{
	enum gm_result r = check_range(gm, gpa, len);

	if (r != GM_OK || !len)
		return r;
	for (u64 b = ALIGN_DOWN(gpa, CHUNK); b < gpa + len; b += CHUNK)
		clear_block(gm, h, b);
	return GM_OK;
}

enum gm_result gpa_copy_to(struct guest_mem *gm, const struct guest_mem_host *h,
			   u64 gpa, const void *src, u64 len)
{
	enum gm_result r = clear_range(gm, h, gpa, len);

	if (r != GM_OK)
		return r;
	return copy(gm, h, gpa, (u8 *)(uintptr_t)src, 0, len, TO_GUEST);
}

enum gm_result gpa_fill(struct guest_mem *gm, const struct guest_mem_host *h,
			u64 gpa, u8 byte, u64 len)
{
	enum gm_result r = clear_range(gm, h, gpa, len);

	if (r != GM_OK)
		return r;
	return copy(gm, h, gpa, NULL, byte, len, FILL);
}
