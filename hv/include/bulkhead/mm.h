/* The hypervisor's physical memory: the page allocator and its own page
 * tables. Physical memory is identity mapped, so a physical address is also
 * the hypervisor's pointer to it. */
#ifndef BULKHEAD_MM_H
#define BULKHEAD_MM_H

#include <bulkhead/boot_info.h>
#include <bulkhead/page_alloc.h>
#include <bulkhead/pagetable.h>

extern struct page_alloc hv_pages;
extern struct pagetable hv_pt;

/* Free pages = usable RAM less the image, page 0, the BIOS area below 1 MiB,
 * the boot modules and the loader's data. */
bool __must_check mm_init(const struct boot_info *bi, const char **err);
/* Builds and loads the hypervisor's own W^X tables; [uc_start, uc_end),
 * page aligned, above the image (the screen's framebuffer; empty: none) is
 * mapped uncacheable. */
bool __must_check hv_paging_init(const struct boot_info *bi, bool gbpages, u64 uc_start,
				 u64 uc_end, const char **err);

static inline void *phys_to_virt(u64 pa)
{
	return (void *)(uintptr_t)pa;
}

/* Zeroed pages, or 0 when memory is exhausted. */
u64 __must_check mm_alloc_pages(u64 npages);
/* Gives back pages from mm_alloc_pages; freeing twice is the hypervisor's
 * own bug (hv_panic). */
void mm_free_pages(u64 pa, u64 npages);

#endif
