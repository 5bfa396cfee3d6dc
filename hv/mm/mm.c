/* Physical memory of the hypervisor: the free-page pool built at boot. */
#include <bulkhead/hv.h>
#include <bulkhead/layout.h>
#include <bulkhead/mm.h>
#include <bulkhead/string.h>

extern const u8 __image_start[], __image_end[];

struct page_alloc hv_pages;

bool mm_init(const struct boot_info *bi, const char **err)
{
	palloc_init(&hv_pages);
	for (unsigned i = 0; i < bi->nr_mem; i++) {
		if (bi->mem[i].type != MEM_USABLE)
			continue;
		if (!palloc_add(&hv_pages, bi->mem[i].start, bi->mem[i].end)) {
			*err = "memory map: usable ranges overlap or are too many";
			return false;
		}
	}
	/* Anything the map also calls reserved wins over "usable". */
	for (unsigned i = 0; i < bi->nr_mem; i++) {
		if (bi->mem[i].type != MEM_USABLE &&
		    !palloc_reserve(&hv_pages, bi->mem[i].start, bi->mem[i].end))
			goto fragmented;
	}
	if (!palloc_reserve(&hv_pages, 0, MiB(1)) ||
	    !palloc_reserve(&hv_pages, (u64)(uintptr_t)__image_start, (u64)(uintptr_t)__image_end))
		goto fragmented;
	for (unsigned i = 0; i < bi->nr_mods; i++)
		if (!palloc_reserve(&hv_pages, bi->mods[i].start, bi->mods[i].end))
			goto fragmented;
	for (unsigned i = 0; i < bi->nr_reserved; i++)
		if (!palloc_reserve(&hv_pages, bi->reserved[i].start, bi->reserved[i].end))
			goto fragmented;
	if (hv_pages.free_pages == 0) {
		*err = "no free memory left after the image and boot modules";
		return false;
	}
	return true;
fragmented:
	*err = "memory map too fragmented for the page allocator";
	return false;
}

u64 mm_alloc_pages(u64 npages)
{
	u64 pa = palloc_alloc(&hv_pages, npages, PAGE_SIZE);

	if (pa)
		memset(phys_to_virt(pa), 0, npages << PAGE_SHIFT);
	return pa;
}

void mm_free_pages(u64 pa, u64 npages)
{
	if (!palloc_free(&hv_pages, pa, npages))
		hv_panic("pages %#lx (%lu) freed twice", pa, npages);
}
