/* Self-test: the screen's framebuffer is mapped uncacheable in the
 * hypervisor's own tables (PCD|PWT, SDM vol. 3 11.12.3), writable and not
 * executable, and the page below it keeps the ordinary attributes. */
#include <bulkhead/display.h>
#include <bulkhead/mm.h>
#include <bulkhead/pagetable.h>
#include <bulkhead/selftest.h>

extern const u8 __image_end[];

SELFTEST(display_fb_uncached)
{
	u64 start, end, pa, flags, size;

	display_found(&start, &end);
	if (start == end)
		return true; /* no screen on this machine: nothing mapped apart */
	ST_CHECK(pt_translate(&hv_pt, start, &pa, &flags, &size) && pa == start);
	ST_CHECK((flags & (PTE_PCD | PTE_PWT)) == (PTE_PCD | PTE_PWT));
	ST_CHECK((flags & PTE_W) && (flags & PTE_NX));
	ST_CHECK(pt_translate(&hv_pt, end - PAGE_SIZE, &pa, &flags, &size) && pa == end - PAGE_SIZE);
	ST_CHECK((flags & (PTE_PCD | PTE_PWT)) == (PTE_PCD | PTE_PWT));
	if (start - PAGE_SIZE >= (u64)(uintptr_t)__image_end) {
		ST_CHECK(pt_translate(&hv_pt, start - PAGE_SIZE, &pa, &flags, &size));
		ST_CHECK(!(flags & (PTE_PCD | PTE_PWT)));
	}
	return true;
}
