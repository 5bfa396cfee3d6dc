/* Self-tests of the boot services, run inside the hypervisor on the real
 * (emulated) CPU: formatting, the page allocator, page tables, W^X and the
 * exception path. */
#include <bulkhead/format.h>
#include <bulkhead/layout.h>
#include <bulkhead/mm.h>
#include <bulkhead/selftest.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/trap.h>

extern const u8 __image_start[], __text_end[], __rodata_end[], __image_end[];
extern u8 hv_stacks[HV_NR_ALL_STACKS][HV_STACK_GUARD + HV_STACK_SIZE];

static bool str_is(const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return true;
	printf("selftest: got '%s', want '%s'\n", got, want);
	return false;
}

SELFTEST(printf)
{
	char b[64];

	fmt_snprintf(b, sizeof(b), "%d|%5u|%-4x|%08lx|%s|%c|%%", -42, 7U, 0xabU, 0xdeadUL, "hv", 'Z');
	ST_CHECK(str_is(b, "-42|    7|ab  |0000dead|hv|Z|%"));
	fmt_snprintf(b, sizeof(b), "%#llx %lld %.3s %p", ~0ULL, (long long)-9223372036854775807LL - 1,
		     "abcdef", (void *)0x1000);
	ST_CHECK(str_is(b, "0xffffffffffffffff -9223372036854775808 abc 0x1000"));
	ST_CHECK(fmt_snprintf(b, 4, "%s", "truncated") == 9 && str_is(b, "tru"));
	return true;
}

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

SELFTEST(page_alloc)
{
	u64 before = hv_pages.free_pages;
	u64 img = (u64)(uintptr_t)__image_start, img_len = (u64)(uintptr_t)__image_end - img;
	u64 a = mm_alloc_pages(1), b = palloc_alloc(&hv_pages, 512, PAGE_2M);

	ST_CHECK(a && b && IS_ALIGNED(b, PAGE_2M));
	ST_CHECK(!overlaps(a, PAGE_SIZE, img, img_len) && !overlaps(b, PAGE_2M, img, img_len));
	ST_CHECK(a >= MiB(1) && b >= MiB(1));
	ST_CHECK(*(volatile u64 *)phys_to_virt(a) == 0);
	ST_CHECK(hv_pages.free_pages == before - 513);
	ST_CHECK(palloc_free(&hv_pages, a, 1) && palloc_free(&hv_pages, b, 512));
	ST_CHECK(!palloc_free(&hv_pages, a, 1)); /* double free refused */
	ST_CHECK(hv_pages.free_pages == before);
	ST_CHECK(!palloc_is_free(&hv_pages, img) && !palloc_is_free(&hv_pages, 0));
	return true;
}

SELFTEST(pagetable_build)
{
	struct pagetable pt;
	u64 pa, flags, size, before = hv_pages.free_pages;

	ST_CHECK(pt_init(&pt, hv_pt.ops) == PT_OK);
	ST_CHECK(pt_map(&pt, GiB(1), MiB(64), MiB(4), PTE_W | PTE_U, PAGE_2M) == PT_OK);
	ST_CHECK(pt_map(&pt, 0x5000, 0x9000, 0x2000, PTE_NX, PAGE_2M) == PT_OK);
	ST_CHECK(pt_map(&pt, GiB(1) + MiB(2), 0, PAGE_SIZE, 0, PAGE_SIZE) == PT_EXISTS);
	ST_CHECK(pt_translate(&pt, GiB(1) + MiB(3) + 0x123, &pa, &flags, &size));
	ST_CHECK(pa == MiB(67) + 0x123 && size == PAGE_2M && (flags & PTE_W));
	ST_CHECK(pt_translate(&pt, 0x6008, &pa, &flags, &size));
	ST_CHECK(pa == 0xa008 && size == PAGE_SIZE && (flags & PTE_NX) && !(flags & PTE_W));
	ST_CHECK(!pt_translate(&pt, 0x7000, &pa, &flags, &size));
	/* PML4 and one PDPT shared; a PD for GiB 1; a PD and a PT for 0x5000 */
	ST_CHECK(pt.nr_tables == 5 && hv_pages.free_pages == before - 5);
	return true;
}

static bool page_flags(u64 va, bool *present, u64 *flags)
{
	u64 pa, size;

	*present = pt_translate(&hv_pt, va, &pa, flags, &size);
	return !*present || pa == va; /* identity mapped */
}

SELFTEST(hv_wx_layout)
{
	bool p;
	u64 f;

	ST_CHECK(page_flags((u64)(uintptr_t)__image_start, &p, &f) && p && !(f & PTE_W) && !(f & PTE_NX));
	ST_CHECK(page_flags((u64)(uintptr_t)__text_end, &p, &f) && p && !(f & PTE_W) && (f & PTE_NX));
	ST_CHECK(page_flags((u64)(uintptr_t)&hv_pages, &p, &f) && p && (f & PTE_W) && (f & PTE_NX));
	ST_CHECK(page_flags(0, &p, &f) && !p);
	for (unsigned i = 0; i < HV_NR_ALL_STACKS; i++) {
		ST_CHECK(page_flags((u64)(uintptr_t)hv_stacks[i], &p, &f) && !p);
		ST_CHECK(page_flags((u64)(uintptr_t)&hv_stacks[i][HV_STACK_GUARD], &p, &f) && p &&
			 (f & PTE_W) && (f & PTE_NX));
	}
	return true;
}

SELFTEST(wx_enforced)
{
	static u8 data_byte;
	volatile u8 *text = (volatile u8 *)(uintptr_t)__image_start;
	volatile u8 *ro = (volatile u8 *)(uintptr_t)__text_end;

	ST_CHECK(probe_write8(text, 0x90) == -1 && probe_last_vector() == VEC_PF);
	ST_CHECK(probe_write8(ro, 0) == -1 && probe_last_vector() == VEC_PF);
	ST_CHECK(probe_write8(&data_byte, 0x5a) == 0 && data_byte == 0x5a);
	ST_CHECK(probe_read8((const volatile u8 *)(uintptr_t)hv_stacks[0]) == -1);
	ST_CHECK(probe_read8((const volatile u8 *)0) == -1 && probe_last_vector() == VEC_PF);
	return true;
}

SELFTEST(exception_ud)
{
	ST_CHECK(probe_ud() == 1 && probe_last_vector() == VEC_UD);
	return true;
}
