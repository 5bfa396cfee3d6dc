/* AMD-Vi I/O page tables (AMD IOMMU specification 48882, 2.2.3): the
 * tables a device's DMA addresses are translated through, four levels
 * (DTE Mode 4, 48-bit I/O virtual addresses), with 4 KiB leaves in level 1
 * tables and 2 MiB leaves in level 2 tables (Next Level 0 in a level 2
 * entry). Pure logic: table pages come from the same pt_ops as the x86
 * page tables, so the code runs in unit tests on host buffers. */
#ifndef BULKHEAD_AMD_VI_PGTABLE_H
#define BULKHEAD_AMD_VI_PGTABLE_H

#include <bulkhead/pagetable.h>
#include <bulkhead/types.h>

#define IOPT_LEVELS   4
#define IOPT_VA_BITS  48

/* Entry bits (48882 figures 8 and 9, "I/O page table entry" and "PDE") */
#define IOPTE_PR          (1ULL << 0)
#define IOPTE_NEXT_SHIFT  9
#define IOPTE_NEXT_MASK   (7ULL << IOPTE_NEXT_SHIFT)
#define IOPTE_ADDR_MASK   0x000ffffffffff000ULL /* bits 51:12 */
#define IOPTE_IR          (1ULL << 61)
#define IOPTE_IW          (1ULL << 62)

/* Access a mapping gives the device. */
#define IOPT_READ  1U
#define IOPT_WRITE 2U

struct io_pgtable {
	u64 root;         /* physical address of the level 4 table */
	const struct pt_ops *ops;
	u64 nr_tables;
};

/* An empty table (a zeroed root). */
enum pt_result __must_check io_pt_init(struct io_pgtable *t, const struct pt_ops *ops);
/* Frees every table page (not the pages mapped); @pre ops->free_table. */
void io_pt_destroy(struct io_pgtable *t);
/* Maps [iova, iova + size) to [pa, pa + size) with access (IOPT_READ |
 * IOPT_WRITE, not 0), in 2 MiB leaves where both addresses are aligned and
 * 4 KiB leaves elsewhere. PT_BAD_ARGS for unaligned, empty, wrapping or
 * out-of-range arguments; PT_EXISTS, with nothing changed, when any page
 * of the range is mapped already. */
enum pt_result __must_check io_pt_map(struct io_pgtable *t, u64 iova, u64 pa, u64 size,
				      unsigned access);
/* Unmaps whatever is mapped in [iova, iova + size) (4 KiB aligned); a
 * 2 MiB leaf only partly inside is split first (PT_NO_MEMORY if that
 * fails, with the range then partly unmapped). Tables left empty stay. */
enum pt_result __must_check io_pt_unmap(struct io_pgtable *t, u64 iova, u64 size);
/* Translates iova as the IOMMU would: false if not mapped; else the
 * physical address, the access the walk allows and the leaf's size. */
bool io_pt_translate(const struct io_pgtable *t, u64 iova, u64 *pa, unsigned *access,
		     u64 *page_size);

#endif
