/* libFuzzer target: the bzImage setup-header parser, the load plan and the
 * zero page. Whatever is accepted must lie inside the file and inside the
 * guest's RAM, with no two ranges overlapping. */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/linux_boot.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static void check_plan(const u8 *img, u64 len, const struct bzimage *bz,
		       const struct linux_load_request *req)
{
	struct linux_load_plan pl;
	const char *err = NULL;
	static u8 bp[BP_SIZE];

	if (!linux_plan_load(bz, req, &pl, &err)) {
		if (!err || !*err)
			abort();
		return;
	}
	if (pl.kernel_gpa < LINUX_HIGH_RAM || pl.kernel_end > req->ram_size ||
	    pl.kernel_end < pl.kernel_gpa + pl.kernel_len || pl.kernel_end - pl.kernel_gpa < bz->init_size ||
	    pl.entry_gpa != pl.kernel_gpa + 0x200 || pl.kernel_off + pl.kernel_len > len)
		abort();
	if (bz->relocatable && !pl.at_pref_address && pl.kernel_gpa % bz->kernel_alignment)
		abort();
	if (pl.initrd_len != req->initrd_len || pl.initrd_gpa % PAGE_SIZE ||
	    (pl.initrd_len && (pl.initrd_gpa + pl.initrd_len > req->ram_size ||
			       overlap(pl.initrd_gpa, pl.initrd_len, pl.kernel_gpa,
				       pl.kernel_end - pl.kernel_gpa))))
		abort();
	if (pl.cmdline_len > bz->cmdline_size || pl.cmdline_len + 1 > LINUX_CMDLINE_MAX ||
	    overlap(pl.cmdline_gpa, pl.cmdline_len + 1, pl.zero_page_gpa, BP_SIZE) ||
	    overlap(pl.scratch_gpa, pl.scratch_len, pl.zero_page_gpa, BP_SIZE) ||
	    pl.cmdline_gpa + LINUX_CMDLINE_MAX > LINUX_LOW_RAM_END)
		abort();
	if (!boot_params_build(bp, img, len, bz, &pl, &err))
		abort(); /* a plan from linux_plan_load is always good */
	/* low RAM, the BIOS area, high RAM, the PCI ECAM reservation (no framebuffer) */
	if (bp[BP_E820_ENTRIES] != 4 || bp[BP_SENTINEL] != 0 || bp[0x210] != 0xff ||
	    memcmp(bp + 0x202, "HdrS", 4))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bzimage bz;
	const char *err = NULL;
	u8 *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (bzimage_parse(copy, size, &bz, &err)) {
		struct linux_load_request req[] = {
			{ MiB(64), 0, 0, 0xe0000 },
			{ MiB(512), size % 4096, size * 4099, 0 },
			{ GiB(3), bz.cmdline_size, (u64)bz.initrd_addr_max + 1, 0xe0000 },
		};
		if (bz.hdr_end < 0x264 || bz.hdr_end > 0x290 || bz.kernel_off < bz.hdr_end ||
		    bz.kernel_off + bz.kernel_len > size || bz.kernel_len == 0 ||
		    bz.version < LINUX_BOOT_PROTOCOL_MIN || !(bz.xloadflags & XLF_KERNEL_64))
			abort();
		for (unsigned i = 0; i < sizeof(req) / sizeof(req[0]); i++)
			check_plan(copy, size, &bz, &req[i]);
	} else if (!err || !*err) {
		abort();
	}
	free(copy);
	return 0;
}
