/* Physical page allocator: a sorted list of free page ranges built from the
 * memory map, with everything the hypervisor must keep (its image, the boot
 * modules, the loader's data, page 0 and the BIOS area) carved out first. */
#ifndef BULKHEAD_PAGE_ALLOC_H
#define BULKHEAD_PAGE_ALLOC_H

#include <bulkhead/types.h>

#define PALLOC_MAX_RANGES 128

struct palloc_range {
	u64 start, end; /* page aligned, [start, end) */
};

struct page_alloc {
	struct palloc_range r[PALLOC_MAX_RANGES];
	unsigned n;
	u64 free_pages;
};

void palloc_init(struct page_alloc *pa);
/* Adds usable RAM (shrunk inward to whole pages); merges with neighbours. */
bool __must_check palloc_add(struct page_alloc *pa, u64 start, u64 end);
/* Removes [start, end) (widened outward to whole pages) from the free set. */
bool __must_check palloc_reserve(struct page_alloc *pa, u64 start, u64 end);
/* npages contiguous pages aligned to 'align' bytes (a power of two >= a page);
 * returns 0 when nothing fits (page 0 is never free). */
u64 __must_check palloc_alloc(struct page_alloc *pa, u64 npages, u64 align);
/* Returns pages; false (and nothing changes) if any of them is already free. */
bool __must_check palloc_free(struct page_alloc *pa, u64 addr, u64 npages);
bool palloc_is_free(const struct page_alloc *pa, u64 addr);

#endif
