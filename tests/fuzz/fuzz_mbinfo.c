/* libFuzzer target: the Multiboot 1/2 info parsers, the Multiboot2 EFI
 * memory map and framebuffer tags among them. The input is a window of
 * "physical memory"; its first byte picks the loader, the next four the
 * info address. Parsing must never read outside the window, and whatever it
 * accepts must be consistent. */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/boot_info.h>

#define BASE 0x1000ULL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_info bi;
	struct phys_view v;
	const char *err = NULL;
	u8 *copy;
	u32 off;

	if (size < 5)
		return 0;
	memcpy(&off, data + 1, 4);
	/* An exact-size heap copy, so ASan flags any read past the window. */
	copy = malloc(size - 5);
	if (!copy)
		return 0;
	memcpy(copy, data + 5, size - 5);
	v = (struct phys_view){ copy, BASE, size - 5 };
	if (boot_info_parse(&v, (data[0] & 1) ? MB2_BOOT_MAGIC : MB1_BOOT_MAGIC,
			    BASE + (off % (size + 64)), 0x200000, 0x230000, &bi, &err)) {
		if (bi.nr_mem == 0 || bi.nr_mem > BOOT_MAX_MEM || bi.nr_mods > BOOT_MAX_MODULES)
			abort();
		if (strlen(bi.cmdline) >= BOOT_MAX_CMDLINE || !bi.mmap_from)
			abort();
		for (unsigned i = 0; i < bi.nr_mem; i++)
			if (bi.mem[i].end <= bi.mem[i].start || bi.mem[i].type < MEM_USABLE ||
			    bi.mem[i].type > MEM_BAD)
				abort();
		/* an accepted RSDP tag holds at least a v1 RSDP and names its tag */
		if (bi.rsdp && (bi.rsdp_len < 20 || !bi.rsdp_from))
			abort();
		/* only the EFI tags put the map in the EFI one's name */
		if (!strcmp(bi.mmap_from, "EFI memory map tag") && !bi.efi)
			abort();
		if (bi.has_fb && (!bi.fb.width || !bi.fb.height || !bi.fb.bpp ||
				  bi.fb.type > BOOT_FB_EGA_TEXT ||
				  bi.fb.addr + (u64)bi.fb.pitch * bi.fb.height < bi.fb.addr))
			abort();
		for (unsigned i = 0; i < bi.nr_mods; i++) {
			if (bi.mods[i].end <= bi.mods[i].start)
				abort();
			if (bi.mods[i].start < 0x230000 && bi.mods[i].end > 0x200000)
				abort(); /* a module over the image was accepted */
			(void)strlen(bi.mods[i].cmdline);
		}
	} else if (!err || !*err) {
		abort(); /* every refusal carries a reason */
	}
	free(copy);
	return 0;
}
