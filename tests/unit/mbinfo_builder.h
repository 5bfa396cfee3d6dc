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

#endif
