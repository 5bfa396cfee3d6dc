/* Parsing a Multiboot v1 guest kernel image (Multiboot 0.6.96 3.1): the
 * header, then either its a.out-kludge addresses (flag 16) or the ELF32/64
 * program headers. Pure logic over a byte buffer; the loader copies. */
#ifndef BULKHEAD_GUEST_IMAGE_H
#define BULKHEAD_GUEST_IMAGE_H

#include <bulkhead/types.h>

#define GUEST_IMAGE_MAX_SEGS 8

struct guest_image_seg {
	u64 file_off, file_len; /* bytes copied from the image */
	u64 gpa, mem_len;       /* mem_len >= file_len; the rest is zeroed */
};

struct guest_image {
	u32 mb_flags;
	u64 entry;
	struct guest_image_seg seg[GUEST_IMAGE_MAX_SEGS];
	unsigned nr_segs;
	u64 lowest, highest; /* guest-physical span of all segments */
};

/* Checks everything against the image length and the guest RAM window
 * [ram_lo, ram_hi); false with *err on anything malformed. */
bool __must_check guest_image_parse(const u8 *img, u64 len, u64 ram_lo, u64 ram_hi,
				    struct guest_image *gi, const char **err);

#endif
