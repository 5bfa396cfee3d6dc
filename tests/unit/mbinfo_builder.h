/* Builds Multiboot 1/2 info blocks in a fake physical memory window, for the
 * parser's unit tests and as a starting point for its fuzz seeds. */
#ifndef MBINFO_BUILDER_H
#define MBINFO_BUILDER_H

#include <string.h>
#include <bulkhead/boot_info.h>

#define FAKE_BASE 0x1000ULL
#define FAKE_SIZE 0x10000ULL

struct fake_mem {
	u8 bytes[FAKE_SIZE];
	struct phys_view view;
};

static inline void fake_init(struct fake_mem *m)
{
	memset(m->bytes, 0, sizeof(m->bytes));
	m->view = (struct phys_view){ m->bytes, FAKE_BASE, FAKE_SIZE };
}

static inline void fake_put(struct fake_mem *m, u64 pa, const void *src, size_t len)
{
	memcpy(m->bytes + (pa - FAKE_BASE), src, len);
}

static inline void fake_put32(struct fake_mem *m, u64 pa, u32 v)
{
	fake_put(m, pa, &v, 4);
}

static inline void fake_put64(struct fake_mem *m, u64 pa, u64 v)
{
	fake_put(m, pa, &v, 8);
}

/* One UEFI memory descriptor (UEFI 2.10 7.2), the i-th of an array with a
 * stride of desc_size bytes, as a Multiboot2 EFI memory map tag carries. */
static inline void efi_desc_put(u8 *descs, unsigned i, u32 desc_size, u32 type, u64 start,
				u64 pages, u64 attr)
{
	u8 *d = descs + (size_t)i * desc_size;

	memset(d, 0, desc_size);
	memcpy(d, &type, 4);
	memcpy(d + 8, &start, 8);
	memcpy(d + 24, &pages, 8);
	memcpy(d + 32, &attr, 8);
}

/* The common part of a Multiboot2 framebuffer tag's payload (22 bytes,
 * then 2 reserved). */
static inline void fb_payload_put(u8 p[24], u64 addr, u32 pitch, u32 width, u32 height, u8 bpp,
				  u8 type)
{
	memset(p, 0, 24);
	memcpy(p, &addr, 8);
	memcpy(p + 8, &pitch, 4);
	memcpy(p + 12, &width, 4);
	memcpy(p + 16, &height, 4);
	p[20] = bpp;
	p[21] = type;
}

#endif
