/* AMD-Vi I/O page tables (amd_vi_pgtable.h; AMD IOMMU spec 48882, 2.2.3).
 * A level L table entry covers 2^(12 + 9 (L - 1)) bytes; a PDE names the
 * level of the table it points to in Next Level, a leaf has Next Level 0.
 * IR and IW are ANDed along the walk (2.2.3.2), so PDEs allow both and
 * leaves decide. */
#include <bulkhead/amd_vi_pgtable.h>

#define LEAF_4K 1U
#define LEAF_2M 2U

static u64 level_size(unsigned level)
{
	return 1ULL << (12 + 9 * (level - 1));
}

static unsigned index_of(u64 iova, unsigned level)
{
	return (unsigned)(iova >> (12 + 9 * (level - 1))) & 511U;
}

static u64 *table(const struct io_pgtable *t, u64 pa)
{
	return t->ops->table_ptr(t->ops->ctx, pa);
}

static u64 perm_bits(unsigned access)
{
	return ((access & IOPT_READ) ? IOPTE_IR : 0) | ((access & IOPT_WRITE) ? IOPTE_IW : 0);
}

static unsigned next_level(u64 e)
{
	return (unsigned)((e & IOPTE_NEXT_MASK) >> IOPTE_NEXT_SHIFT);
}

static bool is_pde(u64 e)
{
	return (e & IOPTE_PR) && next_level(e) != 0;
}

/* Writes a whole entry with one store: the IOMMU may read it at any time. */
static void set_entry(u64 *slot, u64 v)
{
	*(volatile u64 *)slot = v;
}

enum pt_result io_pt_init(struct io_pgtable *t, const struct pt_ops *ops)
{
	t->ops = ops;
	t->nr_tables = 0;
	t->root = ops->alloc_table(ops->ctx);
	if (!t->root)
		return PT_NO_MEMORY;
	t->nr_tables = 1;
	return PT_OK;
}

static void destroy_level(struct io_pgtable *t, u64 pa, unsigned level)
{
	u64 *tab = table(t, pa);

	if (level > 1)
		for (unsigned i = 0; i < 512; i++)
			if (is_pde(tab[i]))
				destroy_level(t, tab[i] & IOPTE_ADDR_MASK, level - 1);
	t->ops->free_table(t->ops->ctx, pa);
}

void io_pt_destroy(struct io_pgtable *t)
{
	if (t->root)
		destroy_level(t, t->root, IOPT_LEVELS);
	t->root = 0;
	t->nr_tables = 0;
}

/* The level-(level - 1) table under slot, made if absent; 0 if out of
 * memory or if a leaf is there. */
static u64 child(struct io_pgtable *t, u64 *slot, unsigned level)
{
	u64 pa;

	if (is_pde(*slot))
		return *slot & IOPTE_ADDR_MASK;
	if (*slot & IOPTE_PR)
		return 0;
	pa = t->ops->alloc_table(t->ops->ctx);
	if (!pa)
		return 0;
	t->nr_tables++;
	set_entry(slot, pa | (u64)(level - 1) << IOPTE_NEXT_SHIFT | IOPTE_IR | IOPTE_IW | IOPTE_PR);
	return pa;
}

/* The slot of iova's entry in its level 'leaf' table, tables made on the
 * way; NULL if out of memory or a larger leaf is in the way. */
static u64 *walk_to(struct io_pgtable *t, u64 iova, unsigned leaf)
{
	u64 pa = t->root;

	for (unsigned level = IOPT_LEVELS; level > leaf; level--) {
		pa = child(t, &table(t, pa)[index_of(iova, level)], level);
		if (!pa)
			return NULL;
	}
	return &table(t, pa)[index_of(iova, leaf)];
}

/* The present leaf covering iova, or NULL; its level in *level. When there
 * is none, *level is the level of the empty entry the walk stopped at, so
 * nothing is mapped in the level_size(*level) block around iova. */
static u64 *find_leaf(const struct io_pgtable *t, u64 iova, unsigned *level)
{
	u64 pa = t->root;

	for (unsigned l = IOPT_LEVELS; l >= 1; l--) {
		u64 *slot = &table(t, pa)[index_of(iova, l)];

		*level = l;
		if (!(*slot & IOPTE_PR))
			return NULL;
		if (!is_pde(*slot))
			return slot;
		if (next_level(*slot) != l - 1)
			return NULL; /* skipped levels: never written here */
		pa = *slot & IOPTE_ADDR_MASK;
	}
	return NULL;
}

static bool range_ok(u64 iova, u64 size)
{
	return size && !(iova & 0xfffU) && !(size & 0xfffU) && iova + size > iova &&
	       iova + size <= (1ULL << IOPT_VA_BITS);
}

/* The start of the block after the empty one around va (find_leaf). */
static u64 skip_hole(u64 va, unsigned level)
{
	return (va & ~(level_size(level) - 1)) + level_size(level);
}

/* @pre range_ok(iova, size) */
static bool any_mapped(const struct io_pgtable *t, u64 iova, u64 size)
{
	unsigned level;

	for (u64 va = iova; va < iova + size; va = skip_hole(va, level))
		if (find_leaf(t, va, &level))
			return true;
	return false;
}

enum pt_result io_pt_map(struct io_pgtable *t, u64 iova, u64 pa, u64 size, unsigned access)
{
	if (!range_ok(iova, size) || (pa & 0xfffU) || pa + size < pa ||
	    ((pa + size - 1) & ~IOPTE_ADDR_MASK & ~0xfffULL) || !(access & (IOPT_READ | IOPT_WRITE)) ||
	    (access & ~(IOPT_READ | IOPT_WRITE)))
		return PT_BAD_ARGS;
	if (any_mapped(t, iova, size))
		return PT_EXISTS;
	for (u64 off = 0; off < size;) {
		u64 va = iova + off, p = pa + off, left = size - off;
		unsigned leaf = !(va & (level_size(2) - 1)) && !(p & (level_size(2) - 1)) &&
					left >= level_size(2) ? LEAF_2M : LEAF_4K;
		u64 *slot = walk_to(t, va, leaf);

		if (!slot)
			return PT_NO_MEMORY;
		set_entry(slot, p | perm_bits(access) | IOPTE_PR);
		off += level_size(leaf);
	}
	return PT_OK;
}

/* Replaces the 2 MiB leaf at slot by a level 1 table of 4 KiB leaves with
 * the same translation and access. */
static bool split_2m(struct io_pgtable *t, u64 *slot)
{
	u64 leaf = *slot, base = leaf & IOPTE_ADDR_MASK, bits = leaf & (IOPTE_IR | IOPTE_IW);
	u64 pa = t->ops->alloc_table(t->ops->ctx);
	u64 *tab;

	if (!pa)
		return false;
	t->nr_tables++;
	tab = table(t, pa);
	for (unsigned i = 0; i < 512; i++)
		tab[i] = (base + ((u64)i << 12)) | bits | IOPTE_PR;
	set_entry(slot, pa | 1ULL << IOPTE_NEXT_SHIFT | IOPTE_IR | IOPTE_IW | IOPTE_PR);
	return true;
}

enum pt_result io_pt_unmap(struct io_pgtable *t, u64 iova, u64 size)
{
	if (!range_ok(iova, size))
		return PT_BAD_ARGS;
	for (u64 off = 0; off < size;) {
		u64 va = iova + off;
		unsigned level;
		u64 *slot = find_leaf(t, va, &level);

		if (!slot) {
			off = skip_hole(va, level) - iova;
			continue;
		}
		if (level == LEAF_2M && ((va & (level_size(2) - 1)) || size - off < level_size(2))) {
			if (!split_2m(t, slot))
				return PT_NO_MEMORY;
			continue; /* now a 4 KiB leaf */
		}
		set_entry(slot, 0);
		off += level_size(level);
	}
	return PT_OK;
}

bool io_pt_translate(const struct io_pgtable *t, u64 iova, u64 *pa, unsigned *access,
		     u64 *page_size)
{
	unsigned level;
	u64 *slot;

	if (iova >> IOPT_VA_BITS)
		return false;
	slot = find_leaf(t, iova, &level);
	if (!slot || level > LEAF_2M)
		return false;
	*page_size = level_size(level);
	*pa = (*slot & IOPTE_ADDR_MASK) + (iova & (*page_size - 1));
	*access = ((*slot & IOPTE_IR) ? IOPT_READ : 0) | ((*slot & IOPTE_IW) ? IOPT_WRITE : 0);
	return true;
}
