/* Device bus: sorted, non-overlapping regions, found by binary search. */
#include <bulkhead/bus.h>
#include <bulkhead/string.h>

void bus_init(struct bus *b)
{
	memset(b, 0, sizeof(*b));
}

bool bus_register(struct bus_space *s, u64 base, u64 len, const struct bus_dev_ops *ops,
		  void *dev, const char *name)
{
	unsigned i = 0;

	if (len == 0 || base + len < base || s->n == BUS_MAX_REGIONS || !ops)
		return false;
	while (i < s->n && s->r[i].base < base)
		i++;
	if (i > 0 && s->r[i - 1].base + s->r[i - 1].len > base)
		return false;
	if (i < s->n && base + len > s->r[i].base)
		return false;
	memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(s->r[0]));
	s->r[i] = (struct bus_region){ base, len, ops, dev, name, 0 };
	s->n++;
	return true;
}

const struct bus_region *bus_find(const struct bus_space *s, u64 addr, u64 len)
{
	unsigned lo = 0, hi = s->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct bus_region *r = &s->r[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return (len <= r->len - (addr - r->base)) ? r : NULL;
	}
	return NULL;
}

/* Found, straddling (BAD_ACCESS) or nothing there (UNCLAIMED). */
static enum bus_result lookup(struct bus_space *s, u64 addr, u32 size,
			      struct bus_region **out)
{
	const struct bus_region *found;

	if (size == 0 || size > 8 || addr + size < addr)
		return BUS_BAD_ACCESS;
	found = bus_find(s, addr, size);
	if (found) {
		*out = &s->r[found - s->r];
		(*out)->accesses++;
		return BUS_OK;
	}
	if (bus_find(s, addr, 1) || bus_find(s, addr + size - 1, 1))
		return BUS_BAD_ACCESS;
	return BUS_UNCLAIMED;
}

enum bus_result bus_read(struct bus_space *s, u64 addr, u32 size, u64 *val)
{
	struct bus_region *r;
	enum bus_result res = lookup(s, addr, size, &r);

	if (res != BUS_OK)
		return res;
	if (!r->ops->read)
		return BUS_BAD_ACCESS;
	return r->ops->read(r->dev, addr - r->base, size, val);
}

enum bus_result bus_write(struct bus_space *s, u64 addr, u32 size, u64 val)
{
	struct bus_region *r;
	enum bus_result res = lookup(s, addr, size, &r);

	if (res != BUS_OK)
		return res;
	if (!r->ops->write)
		return BUS_BAD_ACCESS;
	return r->ops->write(r->dev, addr - r->base, size, val);
}

static void reset_space(struct bus_space *s)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->r[i].ops->reset)
			s->r[i].ops->reset(s->r[i].dev);
}

void bus_reset(struct bus *b)
{
	reset_space(&b->pio);
	reset_space(&b->mmio);
}
