/* Builder and walker for x86-64 4-level page tables (SDM vol. 3 4.5). Pure
 * logic: page memory comes from an ops callback, so the same code builds the
 * hypervisor's own tables, nested page tables for guests, and tables in a
 * host buffer for unit tests. */
#ifndef BULKHEAD_PAGETABLE_H
#define BULKHEAD_PAGETABLE_H

#include <bulkhead/types.h>
#include <bulkhead/x86/paging.h>

/* EPT entries (SDM vol. 3 29.3.2, tables 29-1 to 29-6) share the layout
 * this builder writes: bit 0 is Read where PTE_P is Present, bit 1 Write,
 * bit 2 Execute where PTE_U is User, bit 7 the large-page bit (PTE_PS).
 * The intermediate entries pt_map makes (P|W|U) are thus R|W|X, and leaves
 * get R from PTE_P; bits 5:3 of a leaf hold its memory type. */
#define EPT_R       PTE_P
#define EPT_W       PTE_W
#define EPT_X       PTE_U
#define EPT_MT_WB   (6ULL << 3) /* write-back (29.3.7) */
#define EPT_MT_MASK (7ULL << 3)

struct pt_ops {
	/* A zeroed page for a table; returns its physical address or 0. */
	u64 (*alloc_table)(void *ctx);
	/* Host pointer through which the table at physical address pa is read
	 * and written. */
	u64 *(*table_ptr)(void *ctx, u64 pa);
	void *ctx;
	/* Gives a table page back (pt_destroy); may be NULL if never called. */
	void (*free_table)(void *ctx, u64 pa);
};

struct pagetable {
	u64 root; /* physical address of the PML4 */
	const struct pt_ops *ops;
	u64 nr_tables;
};

enum pt_result {
	PT_OK,
	PT_NO_MEMORY,
	PT_EXISTS,   /* part of the range is already mapped */
	PT_BAD_ARGS, /* unaligned, non-canonical or wrapping */
};

enum pt_result __must_check pt_init(struct pagetable *pt, const struct pt_ops *ops);
/* Frees every table page (not the pages the leaves map), the root last;
 * the table is then empty (root 0). @pre ops->free_table is set. */
void pt_destroy(struct pagetable *pt);
/* Maps [va, va + size) to [pa, pa + size) with the leaf flags given (PTE_P is
 * implied), using pages up to max_page (PAGE_SIZE, PAGE_2M or PAGE_1G) where alignment allows
 * Intermediate entries are P|W|U so that leaves decide access. */
enum pt_result __must_check pt_map(struct pagetable *pt, u64 va, u64 pa, u64 size,
				   u64 flags, u64 max_page);
/* Clears the 4 KiB leaves in [va, va + size) (absent ones are skipped);
 * the table pages stay. PT_BAD_ARGS, possibly part way, for an unaligned
 * range or one that meets a large-page leaf. The caller flushes TLBs. */
enum pt_result __must_check pt_unmap(struct pagetable *pt, u64 va, u64 size);
/* Translates va; returns false if not mapped. *flags gets the leaf entry's
 * flag bits, *page_size the size of the leaf page. */
bool pt_translate(const struct pagetable *pt, u64 va, u64 *pa, u64 *flags, u64 *page_size);

/* Calls fn for every present leaf, in address order; stops and returns
 * false as soon as fn does. */
typedef bool pt_leaf_fn(void *ctx, u64 va, u64 pa, u64 size, u64 flags);
bool pt_for_each_leaf(const struct pagetable *pt, pt_leaf_fn *fn, void *ctx);

/* Dirty tracking of a range (docs/display.md). pt_split maps the mapped
 * parts of [va, va + size) with 4 KiB leaves: a larger leaf in the way
 * becomes a table of leaves of the next size with the same frames and
 * flags, written in one store. The caller flushes the TLBs that may hold
 * the larger translation (SDM vol. 3 4.10.4.2, APM vol. 2 15.16). */
enum pt_result __must_check pt_split(struct pagetable *pt, u64 va, u64 size);
/* For page i of [va, va + npages * 4 KiB): if its leaf's dirty bit (D) is
 * set, clears it and sets bit i of bits (which the caller zeroed). The
 * clear is atomic against the CPU's own setting of D; the caller must
 * flush the TLBs that may cache the translation as dirty before it reads
 * a page it found dirty as final. A page not mapped is not dirty. False if
 * a larger leaf maps a page (pt_split first: a split leaf passes its D bit
 * to every 4 KiB leaf it becomes). */
bool __must_check pt_harvest_dirty(struct pagetable *pt, u64 va, u64 npages, u64 *bits);

#endif
