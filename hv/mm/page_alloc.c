/* Physical page allocator over a sorted array of free ranges. Small and
 * simple: the hypervisor allocates rarely (VM creation, page tables). */
#include <bulkhead/page_alloc.h>
#include <bulkhead/string.h>

void palloc_init(struct page_alloc *pa)
{
	memset(pa, 0, sizeof(*pa));
}

static void remove_at(struct page_alloc *pa, unsigned i)
{
	memmove(&pa->r[i], &pa->r[i + 1], (pa->n - i - 1) * sizeof(pa->r[0]));
	pa->n--;
}

static bool insert_at(struct page_alloc *pa, unsigned i, u64 start, u64 end)
{
	if (pa->n == PALLOC_MAX_RANGES)
		return false;
	memmove(&pa->r[i + 1], &pa->r[i], (pa->n - i) * sizeof(pa->r[0]));
	pa->r[i] = (struct palloc_range){ start, end };
	pa->n++;
	return true;
}

/* Inserts a free range that overlaps no free range, merging neighbours. */
static bool insert_free(struct page_alloc *pa, u64 start, u64 end)
{
	unsigned i = 0;

	while (i < pa->n && pa->r[i].end < start)
		i++;
	if (i < pa->n && pa->r[i].start < end && start < pa->r[i].end)
		return false; /* overlap: already free */
	if (i < pa->n && pa->r[i].end == start) {
		pa->r[i].end = end;
		if (i + 1 < pa->n && pa->r[i + 1].start < end)
			return false;
		if (i + 1 < pa->n && pa->r[i + 1].start == end) {
			pa->r[i].end = pa->r[i + 1].end;
			remove_at(pa, i + 1);
		}
	} else if (i < pa->n && pa->r[i].start == end) {
		pa->r[i].start = start;
	} else if (!insert_at(pa, i, start, end)) {
		return false;
	}
	pa->free_pages += (end - start) >> PAGE_SHIFT;
	return true;
}

static bool overlaps_free(const struct page_alloc *pa, u64 start, u64 end)
{
	for (unsigned i = 0; i < pa->n; i++)
		if (pa->r[i].start < end && start < pa->r[i].end)
			return true;
	return false;
}

bool palloc_add(struct page_alloc *pa, u64 start, u64 end)
{
	u64 s = ALIGN_UP(start, PAGE_SIZE), e = ALIGN_DOWN(end, PAGE_SIZE);

	if (end < start || s < start)
		return false;
	if (s == 0)
		s = PAGE_SIZE; /* page 0 stays unmapped to catch NULL */
	if (e <= s)
		return true;
	if (overlaps_free(pa, s, e))
		return false;
	return insert_free(pa, s, e);
}

bool palloc_reserve(struct page_alloc *pa, u64 start, u64 end)
{
	u64 s = ALIGN_DOWN(start, PAGE_SIZE), e = ALIGN_UP(end, PAGE_SIZE);

	if (end < start || (end && e == 0))
		return false;
	for (unsigned i = 0; i < pa->n; i++) {
		struct palloc_range *r = &pa->r[i];
		u64 cs, ce;

		if (r->end <= s || e <= r->start)
			continue;
		cs = MAX(r->start, s);
		ce = MIN(r->end, e);
		pa->free_pages -= (ce - cs) >> PAGE_SHIFT;
		if (cs == r->start && ce == r->end) {
			remove_at(pa, i--);
		} else if (cs == r->start) {
			r->start = ce;
		} else if (ce == r->end) {
			r->end = cs;
		} else {
			u64 tail_end = r->end;
			r->end = cs;
			if (!insert_at(pa, i + 1, ce, tail_end)) {
				pa->free_pages -= (tail_end - ce) >> PAGE_SHIFT; /* lost, not reused */
				return false;
			}
		}
	}
	return true;
}

u64 palloc_alloc(struct page_alloc *pa, u64 npages, u64 align)
{
	u64 bytes = npages << PAGE_SHIFT;

	if (npages == 0 || (bytes >> PAGE_SHIFT) != npages || align < PAGE_SIZE ||
	    (align & (align - 1)))
		return 0;
	for (unsigned i = 0; i < pa->n; i++) {
		struct palloc_range *r = &pa->r[i];
		u64 at = ALIGN_UP(r->start, align);

		if (at < r->start || at >= r->end || r->end - at < bytes)
			continue;
		if (!palloc_reserve(pa, at, at + bytes))
			return 0;
		return at;
	}
	return 0;
}

bool palloc_free(struct page_alloc *pa, u64 addr, u64 npages)
{
	u64 bytes = npages << PAGE_SHIFT;

	if (!IS_ALIGNED(addr, PAGE_SIZE) || npages == 0 || addr == 0 ||
	    (bytes >> PAGE_SHIFT) != npages || addr + bytes < addr)
		return false;
	if (overlaps_free(pa, addr, addr + bytes))
		return false;
	return insert_free(pa, addr, addr + bytes);
}

bool palloc_is_free(const struct page_alloc *pa, u64 addr)
{
	return overlaps_free(pa, ALIGN_DOWN(addr, PAGE_SIZE), ALIGN_DOWN(addr, PAGE_SIZE) + PAGE_SIZE);
}
