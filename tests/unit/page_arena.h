/* Page-table pages for unit tests of the page-table builders
 * (pagetable.c, the AMD-Vi I/O page tables): a host buffer of 4 KiB pages
 * handed out as "physical" addresses from ARENA_BASE, with the allocator
 * and address-to-pointer callbacks the builders take. The test sets
 * arena.mem, arena.used and arena.limit in its setup. */
#ifndef PAGE_ARENA_H
#define PAGE_ARENA_H

#include <string.h>
#include "unit.h"

#define ARENA_BASE 0x7000000ULL /* "physical" address of arena page 0 */

static struct {
	u8 *mem;
	unsigned used, limit;
} arena;

static __unused u64 arena_alloc(void *ctx)
{
	(void)ctx;
	if (arena.used == arena.limit)
		return 0;
	memset(arena.mem + arena.used * 4096, 0, 4096);
	return ARENA_BASE + 4096ULL * arena.used++;
}

static __unused u64 *arena_ptr(void *ctx, u64 pa)
{
	(void)ctx;
	assert_true(pa >= ARENA_BASE && pa < ARENA_BASE + 4096ULL * arena.used);
	return (u64 *)(arena.mem + (pa - ARENA_BASE));
}

#endif
