/* A bounded window on physical memory for parsers of loader and firmware
 * data (Multiboot info, ACPI tables). In the hypervisor it covers the
 * identity-mapped low 4 GiB; in unit tests and fuzzers, a buffer. A parser
 * reads only through phys_view_ptr, which refuses ranges outside the window
 * or wrapping around. */
#ifndef BULKHEAD_PHYS_VIEW_H
#define BULKHEAD_PHYS_VIEW_H

#include <bulkhead/types.h>

struct phys_view {
	const u8 *base; /* host pointer of physical address 'start' */
	u64 start;
	u64 size;
};

/* Host pointer to [pa, pa + len) or NULL if any of it is outside the view. */
static inline const void *phys_view_ptr(const struct phys_view *v, u64 pa, u64 len)
{
	if (pa < v->start || len > v->size || pa - v->start > v->size - len)
		return NULL;
	return v->base + (pa - v->start);
}

/* A NUL-terminated string of at most max bytes at pa, or NULL. */
static inline const char *phys_view_str(const struct phys_view *v, u64 pa, u64 max)
{
	const char *s;
	u64 room;

	if (pa < v->start || pa - v->start >= v->size)
		return NULL;
	room = v->size - (pa - v->start);
	if (room > max)
		room = max;
	s = (const char *)(v->base + (pa - v->start));
	for (u64 i = 0; i < room; i++)
		if (s[i] == '\0')
			return s;
	return NULL;
}

#endif
