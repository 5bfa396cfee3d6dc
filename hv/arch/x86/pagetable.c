/* x86-64 4-level page-table builder and walker (SDM vol. 3 4.5; the same
 * layout is used by AMD nested paging, APM vol. 2 15.25.5). */
#include <bulkhead/pagetable.h>

#define LEVELS 4
#define CANONICAL_LIMIT (1ULL << 47)

static unsigned index_at(u64 va, int level) /* level 3 = PML4 .. 0 = PT */
{
	return (unsigned)((va >> (PAGE_SHIFT + 9 * level)) & 511);
}

static u64 level_size(int level)
{
	return 1ULL << (PAGE_SHIFT + 9 * level);
}

enum pt_result pt_init(struct pagetable *pt, const struct pt_ops *ops)
{
	pt->ops = ops;
	pt->nr_tables = 0;
	pt->root = ops->alloc_table(ops->ctx);
	if (!pt->root)
		return PT_NO_MEMORY;
	pt->nr_tables = 1;
	return PT_OK;
}

/* Frees the tables below this one (level: 3 = PML4), then this one. */
static void free_level(struct pagetable *pt, u64 pa, int level)
{
	const u64 *table = pt->ops->table_ptr(pt->ops->ctx, pa);

	for (unsigned i = 0; level > 0 && i < PT_ENTRIES; i++)
		if ((table[i] & PTE_P) && !(table[i] & PTE_PS))
			free_level(pt, table[i] & PTE_ADDR_MASK, level - 1);
	pt->ops->free_table(pt->ops->ctx, pa);
	pt->nr_tables--;
}

void pt_destroy(struct pagetable *pt)
{
	if (pt->root)
		free_level(pt, pt->root, LEVELS - 1);
	pt->root = 0;
}

/* The table one level below entry *e, created if absent. */
static u64 *next_table(struct pagetable *pt, u64 *e, enum pt_result *res)
{
	u64 pa;

	if (*e & PTE_P) {
		if (*e & PTE_PS) {
			*res = PT_EXISTS;
			return NULL;
		}
		return pt->ops->table_ptr(pt->ops->ctx, *e & PTE_ADDR_MASK);
	}
	pa = pt->ops->alloc_table(pt->ops->ctx);
	if (!pa) {
		*res = PT_NO_MEMORY;
		return NULL;
	}
	pt->nr_tables++;
	*e = pa | PTE_P | PTE_W | PTE_U;
	return pt->ops->table_ptr(pt->ops->ctx, pa);
}

static bool leaf_fits(int level, u64 va, u64 pa, u64 left, u64 max_page)
{
	u64 sz = level_size(level);

	if (level == 0)
		return true;
	return level <= 2 && sz <= max_page && IS_ALIGNED(va, sz) && IS_ALIGNED(pa, sz) &&
	       left >= sz;
}

static enum pt_result map_one(struct pagetable *pt, u64 va, u64 pa, u64 left, u64 flags,
			      u64 max_page, u64 *mapped)
{
	u64 *table = pt->ops->table_ptr(pt->ops->ctx, pt->root);
	enum pt_result res = PT_OK;

	for (int level = LEVELS - 1; level >= 0; level--) {
		u64 *e = &table[index_at(va, level)];

		if (leaf_fits(level, va, pa, left, max_page)) {
			if (*e & PTE_P)
				return PT_EXISTS;
			*e = pa | flags | PTE_P | (level ? PTE_PS : 0);
			*mapped = level_size(level);
			return PT_OK;
		}
		table = next_table(pt, e, &res);
		if (!table)
			return res;
	}
	return PT_BAD_ARGS; /* not reached: level 0 always maps */
}

enum pt_result pt_map(struct pagetable *pt, u64 va, u64 pa, u64 size, u64 flags,
		      u64 max_page)
{
	if (!IS_ALIGNED(va | pa | size, PAGE_SIZE) || va + size < va || pa + size < pa ||
	    va + size > CANONICAL_LIMIT || (flags & PTE_ADDR_MASK) || (flags & PTE_PS))
		return PT_BAD_ARGS;
	while (size) {
		u64 done = 0;
		enum pt_result r = map_one(pt, va, pa, size, flags, max_page, &done);

		if (r != PT_OK)
			return r;
		va += done;
		pa += done;
		size -= done;
	}
	return PT_OK;
}

enum pt_result pt_unmap(struct pagetable *pt, u64 va, u64 size)
{
	if (!IS_ALIGNED(va | size, PAGE_SIZE) || va + size < va || va + size > CANONICAL_LIMIT)
		return PT_BAD_ARGS;
	for (; size; va += PAGE_SIZE, size -= PAGE_SIZE) {
		u64 *table = pt->ops->table_ptr(pt->ops->ctx, pt->root);
		int level = LEVELS - 1;

		for (; level > 0; level--) {
			u64 e = table[index_at(va, level)];

			if (!(e & PTE_P))
				break;
			if (e & PTE_PS)
				return PT_BAD_ARGS; /* a large leaf: not split here */
			table = pt->ops->table_ptr(pt->ops->ctx, e & PTE_ADDR_MASK);
		}
		if (level == 0)
			table[index_at(va, 0)] = 0;
	}
	return PT_OK;
}

bool pt_translate(const struct pagetable *pt, u64 va, u64 *pa, u64 *flags, u64 *page_size)
{
	const u64 *table = pt->ops->table_ptr(pt->ops->ctx, pt->root);

	if (va >= CANONICAL_LIMIT)
		return false;
	for (int level = LEVELS - 1; level >= 0; level--) {
		u64 e = table[index_at(va, level)];

		if (!(e & PTE_P))
			return false;
		if (level == 0 || (e & PTE_PS)) {
			u64 sz = level_size(level);
			*pa = (e & PTE_ADDR_MASK & ~(sz - 1)) | (va & (sz - 1));
			*flags = e & ~PTE_ADDR_MASK;
			*page_size = sz;
			return true;
		}
		table = pt->ops->table_ptr(pt->ops->ctx, e & PTE_ADDR_MASK);
	}
	return false;
}

static bool walk_level(const struct pagetable *pt, const u64 *table, int level, u64 base,
		       pt_leaf_fn *fn, void *ctx)
{
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		u64 e = table[i], va = base + ((u64)i << (PAGE_SHIFT + 9 * level));

		if (!(e & PTE_P))
			continue;
		if (level == 0 || (e & PTE_PS)) {
			u64 sz = level_size(level);
			if (!fn(ctx, va, e & PTE_ADDR_MASK & ~(sz - 1), sz, e & ~PTE_ADDR_MASK))
				return false;
			continue;
		}
		if (!walk_level(pt, pt->ops->table_ptr(pt->ops->ctx, e & PTE_ADDR_MASK), level - 1,
				va, fn, ctx))
			return false;
	}
	return true;
}

bool pt_for_each_leaf(const struct pagetable *pt, pt_leaf_fn *fn, void *ctx)
{
	return walk_level(pt, pt->ops->table_ptr(pt->ops->ctx, pt->root), LEVELS - 1, 0, fn, ctx);
}

/* Entry e, a leaf of level_size(level) bytes (level 1 or 2), as a table of
 * 512 leaves of the next size down with the same frames and flags. */
static enum pt_result split_leaf(struct pagetable *pt, u64 *e, int level)
{
	u64 sz = level_size(level - 1), base = *e & PTE_ADDR_MASK & ~(level_size(level) - 1);
	u64 flags = *e & ~PTE_ADDR_MASK & ~PTE_PS, tpa = pt->ops->alloc_table(pt->ops->ctx);
	u64 *t;

	if (!tpa)
		return PT_NO_MEMORY;
	pt->nr_tables++;
	t = pt->ops->table_ptr(pt->ops->ctx, tpa);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		t[i] = (base + i * sz) | flags | (level - 1 ? PTE_PS : 0);
	/* one store: a walker on another CPU sees the old leaf or the new table */
	__atomic_store_n(e, tpa | PTE_P | PTE_W | PTE_U, __ATOMIC_RELEASE);
	return PT_OK;
}

/* The level-0 entry for va, splitting larger leaves on the way if split;
 * NULL if no page table covers va (res PT_OK) or a larger leaf maps it and
 * !split (res PT_EXISTS). */
static u64 *pte_4k(struct pagetable *pt, u64 va, bool split, enum pt_result *res)
{
	u64 *table = pt->ops->table_ptr(pt->ops->ctx, pt->root);

	*res = PT_OK;
	for (int level = LEVELS - 1; level > 0; level--) {
		u64 *e = &table[index_at(va, level)];

		if (!(*e & PTE_P))
			return NULL;
		if (*e & PTE_PS) {
			if (!split) {
				*res = PT_EXISTS;
				return NULL;
			}
			*res = split_leaf(pt, e, level);
			if (*res != PT_OK)
				return NULL;
		}
		table = pt->ops->table_ptr(pt->ops->ctx, *e & PTE_ADDR_MASK);
	}
	return &table[index_at(va, 0)];
}

enum pt_result pt_split(struct pagetable *pt, u64 va, u64 size)
{
	if (!IS_ALIGNED(va | size, PAGE_SIZE) || va + size < va || va + size > CANONICAL_LIMIT)
		return PT_BAD_ARGS;
	for (u64 a = va; a < va + size; a += PAGE_SIZE) {
		enum pt_result r;

		if (!pte_4k(pt, a, true, &r) && r != PT_OK)
			return r;
	}
	return PT_OK;
}

bool pt_harvest_dirty(struct pagetable *pt, u64 va, u64 npages, u64 *bits)
{
	u64 *pt0 = NULL;

	if (!IS_ALIGNED(va, PAGE_SIZE) || npages > (CANONICAL_LIMIT - va) / PAGE_SIZE)
		return false;
	for (u64 i = 0; i < npages; i++) {
		u64 a = va + i * PAGE_SIZE, *e;
		enum pt_result r;

		/* one walk per 512 pages: the rest are neighbours in that table */
		if (!pt0 || !index_at(a, 0)) {
			e = pte_4k(pt, a, false, &r);
			if (!e && r != PT_OK)
				return false;
			pt0 = e ? e - index_at(a, 0) : NULL;
		}
		if (!pt0 || !(pt0[index_at(a, 0)] & PTE_P))
			continue; /* not mapped: the guest cannot have written it */
		e = &pt0[index_at(a, 0)];
		/* the CPU sets D with a locked update (APM vol. 2 5.4.2): clear
		 * it the same way so that no concurrent setting is lost */
		if (__atomic_fetch_and(e, ~PTE_D, __ATOMIC_ACQ_REL) & PTE_D)
			bits[i / 64] |= 1ULL << (i % 64);
	}
	return true;
}
