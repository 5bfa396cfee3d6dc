/* Multiboot v1 kernel image parser (Multiboot 0.6.96 3.1.1-3.1.3; ELF:
 * System V ABI gABI, program headers). */
#include <bulkhead/guest_image.h>
#include <bulkhead/string.h>

#define MB1_MAGIC 0x1badb002U
#define MB1_SEARCH 8192U
#define MB1_FLAG_ADDRESSES (1U << 16)
#define MB1_REQUIRED_KNOWN 0x0000ffffU /* bits 0-15: loader must honour */
#define MB1_FLAGS_WE_HONOUR 0x3U       /* page-align modules, memory info */

struct mb1_header {
	u32 magic, flags, checksum;
	u32 header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

#define PT_LOAD 1

static bool add_seg(struct guest_image *gi, u64 off, u64 flen, u64 gpa, u64 mlen,
		    u64 img_len, u64 ram_lo, u64 ram_hi, const char **err)
{
	if (flen > mlen || off + flen < off || off + flen > img_len) {
		*err = "image segment runs past the end of the file";
		return false;
	}
	if (mlen == 0)
		return true;
	if (gpa + mlen < gpa || gpa < ram_lo || gpa + mlen > ram_hi) {
		*err = "image segment lies outside the guest's RAM";
		return false;
	}
	for (unsigned i = 0; i < gi->nr_segs; i++) {
		const struct guest_image_seg *s = &gi->seg[i];
		if (gpa < s->gpa + s->mem_len && s->gpa < gpa + mlen) {
			*err = "image segments overlap";
			return false;
		}
	}
	if (gi->nr_segs == GUEST_IMAGE_MAX_SEGS) {
		*err = "image has too many segments";
		return false;
	}
	gi->seg[gi->nr_segs++] = (struct guest_image_seg){ off, flen, gpa, mlen };
	if (gi->nr_segs == 1 || gpa < gi->lowest)
		gi->lowest = gpa;
	if (gpa + mlen > gi->highest)
		gi->highest = gpa + mlen;
	return true;
}

static bool parse_kludge(const struct mb1_header *h, u64 hoff, u64 len, u64 lo, u64 hi,
			 struct guest_image *gi, const char **err)
{
	u64 start, flen, mlen;

	if (h->header_addr < h->load_addr || h->header_addr - h->load_addr > hoff ||
	    (h->load_end_addr && h->load_end_addr < h->load_addr) ||
	    (h->bss_end_addr && h->bss_end_addr < (h->load_end_addr ? h->load_end_addr : h->load_addr))) {
		*err = "multiboot header addresses are inconsistent";
		return false;
	}
	start = hoff - (h->header_addr - h->load_addr);
	flen = h->load_end_addr ? (u64)h->load_end_addr - h->load_addr : len - start;
	mlen = h->bss_end_addr ? (u64)h->bss_end_addr - h->load_addr : flen;
	gi->entry = h->entry_addr;
	if (!add_seg(gi, start, flen, h->load_addr, MAX(mlen, flen), len, lo, hi, err))
		return false;
	if (gi->nr_segs == 0) {
		*err = "multiboot header loads nothing";
		return false;
	}
	return true;
}

static u64 rd(const u8 *p, unsigned size)
{
	u64 v = 0;

	memcpy(&v, p, size);
	return v;
}

static bool parse_elf(const u8 *img, u64 len, u64 lo, u64 hi, struct guest_image *gi,
		      const char **err)
{
	bool is64;
	u64 phoff, phentsize, phnum;

	if (len < 52 || memcmp(img, "\177ELF", 4) || (img[4] != 1 && img[4] != 2) || img[5] != 1) {
		*err = "kernel is neither a little-endian ELF nor has multiboot addresses";
		return false;
	}
	is64 = img[4] == 2;
	if (is64 && len < 64) {
		*err = "ELF header truncated";
		return false;
	}
	gi->entry = is64 ? rd(img + 24, 8) : rd(img + 24, 4);
	phoff = is64 ? rd(img + 32, 8) : rd(img + 28, 4);
	phentsize = rd(img + (is64 ? 54 : 42), 2);
	phnum = rd(img + (is64 ? 56 : 44), 2);
	if (phentsize < (is64 ? 56U : 32U) || phnum == 0 || phoff > len ||
	    phnum * phentsize > len - phoff) {
		*err = "ELF program headers missing or truncated";
		return false;
	}
	for (u64 i = 0; i < phnum; i++) {
		const u8 *ph = img + phoff + i * phentsize;
		u64 off, paddr, filesz, memsz;

		if (rd(ph, 4) != PT_LOAD)
			continue;
		off = is64 ? rd(ph + 8, 8) : rd(ph + 4, 4);
		paddr = is64 ? rd(ph + 24, 8) : rd(ph + 12, 4);
		filesz = is64 ? rd(ph + 32, 8) : rd(ph + 16, 4);
		memsz = is64 ? rd(ph + 40, 8) : rd(ph + 20, 4);
		if (!add_seg(gi, off, filesz, paddr, memsz, len, lo, hi, err))
			return false;
	}
	if (gi->nr_segs == 0) {
		*err = "ELF has nothing to load";
		return false;
	}
	return true;
}

bool guest_image_parse(const u8 *img, u64 len, u64 ram_lo, u64 ram_hi,
		       struct guest_image *gi, const char **err)
{
	memset(gi, 0, sizeof(*gi));
	for (u64 off = 0; off + sizeof(struct mb1_header) <= MIN(len, (u64)MB1_SEARCH); off += 4) {
		struct mb1_header h;

		memcpy(&h, img + off, sizeof(h));
		if (h.magic != MB1_MAGIC || (u32)(h.magic + h.flags + h.checksum) != 0)
			continue;
		if ((h.flags & MB1_REQUIRED_KNOWN) & ~MB1_FLAGS_WE_HONOUR) {
			*err = "kernel asks for multiboot features Bulkhead does not offer (video mode)";
			return false;
		}
		gi->mb_flags = h.flags;
		if (!(h.flags & MB1_FLAG_ADDRESSES))
			return parse_elf(img, len, ram_lo, ram_hi, gi, err);
		return parse_kludge(&h, off, len, ram_lo, ram_hi, gi, err);
	}
	*err = "no multiboot header in the first 8 KiB of the kernel";
	return false;
}
