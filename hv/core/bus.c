/* Device bus: sorted, non-overlapping regions, found by binary search; and
 * the one place where a guest's odd access (too wide for a register,
 * straddling two devices, of a size a device refuses) gets what the
 * hardware gives instead of stopping the VM. */
#include <bulkhead/bus.h>
#include <bulkhead/console.h>
#include <bulkhead/string.h>

void bus_init(struct bus *b)
{
	memset(b, 0, sizeof(*b));
	b->pio.split_refused = true;
}

void bus_freeze(struct bus *b)
{
	b->pio.frozen = b->mmio.frozen = true;
}

bool bus_register(struct bus_space *s, u64 base, u64 len, const struct bus_dev_ops *ops,
		  void *dev, const char *name)
{
	unsigned i = 0;

	if (s->frozen || len == 0 || base + len < base || s->n == BUS_MAX_REGIONS || !ops)
		return false;
	while (i < s->n && s->r[i].base < base)
		i++;
	if (i > 0 && s->r[i - 1].base + s->r[i - 1].len > base)
		return false;
	if (i < s->n && base + len > s->r[i].base)
		return false;
	memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof(s->r[0]));
	s->r[i] = (struct bus_region){ base, len, ops, dev, name, 0, 0 };
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

/* The region holding addr, or NULL; the last one found first (a guest
 * polls one register in a loop). Slots past n have len 0: never a hit. */
/* The hint is shared by the VM's vCPUs on all CPUs: read once, and only
 * ever a valid index of the frozen table. */
static struct bus_region *region_at(struct bus_space *s, u64 addr)
{
	struct bus_region *h = &s->r[*(volatile unsigned *)&s->hint];
	const struct bus_region *r;
	unsigned i;

	if (addr - h->base < h->len)
		return h;
	r = bus_find(s, addr, 1);
	if (!r)
		return NULL;
	i = (unsigned)(r - s->r);
	*(volatile unsigned *)&s->hint = i;
	return &s->r[i];
}

bool bus_claimed(struct bus_space *s, u64 addr)
{
	return region_at(s, addr) != NULL;
}

/* True if some region holds a byte of [addr, addr + size); size <= 8. */
static bool any_claimed(struct bus_space *s, u64 addr, u32 size)
{
	for (u32 i = 0; i < size; i++)
		if (addr + i >= addr && region_at(s, addr + i))
			return true;
	return false;
}

static u64 guest_mask(u32 size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

struct guest_access {
	struct bus_space *s;
	bool write;
	bool claimed; /* some byte reached a device */
	const char *who;
};

/* Counts an odd access in its region; the first one is logged. */
static void note_odd(const struct guest_access *a, struct bus_region *r, u64 addr, u32 size,
		     bool refused)
{
	if (r->odd++ != 0)
		return;
	printf("vm %s: %s: odd %u-byte %s at %#lx: %s; later ones are only counted\n",
	       a->who ? a->who : "?", r->name ? r->name : "?", size,
	       a->write ? "write" : "read", addr,
	       !refused ? "piece of a wider or straddling access"
	       : a->write ? "refused by the device, dropped" : "refused by the device, all ones");
}

static void guest_piece(struct guest_access *a, u64 addr, u32 size, u64 *val, bool split);

/* The access as two halves, low address first; a read's halves are
 * joined back into *val (little endian). */
static void split_halves(struct guest_access *a, u64 addr, u32 size, u64 *val)
{
	u32 half = size / 2;
	u64 lo = *val & guest_mask(half), hi = (*val >> (8 * half)) & guest_mask(half);

	guest_piece(a, addr, half, &lo, true);
	guest_piece(a, addr + half, half, &hi, true);
	if (!a->write)
		*val = (lo & guest_mask(half)) | ((hi & guest_mask(half)) << (8 * half));
}

/* The device refused the piece: in port space split it into halves (down
 * to a byte), else all ones / dropped. */
static void guest_refused(struct guest_access *a, struct bus_region *r, u64 addr, u32 size,
			  u64 *val)
{
	if (!a->s->split_refused || size == 1) {
		note_odd(a, r, addr, size, true);
		*val = ~0ULL;
		return;
	}
	split_halves(a, addr, size, val);
}

/* A piece that region r covers whole, to its device. */
static enum bus_result dispatch(const struct guest_access *a, struct bus_region *r, u64 addr,
				u32 size, u64 *val)
{
	r->accesses++;
	if (a->write)
		return r->ops->write ? r->ops->write(r->dev, addr - r->base, size, *val)
				     : BUS_BAD_ACCESS;
	return r->ops->read ? r->ops->read(r->dev, addr - r->base, size, val) : BUS_BAD_ACCESS;
}

/* One piece of a guest access; `split` is set for the pieces of a split.
 * *val holds the piece's bytes (little endian). Recursion depth <= 3. */
static void guest_piece(struct guest_access *a, u64 addr, u32 size, u64 *val, bool split)
{
	struct bus_region *r = region_at(a->s, addr);

	if (r && size <= r->len - (addr - r->base)) {
		a->claimed = true;
		if (dispatch(a, r, addr, size, val) != BUS_OK)
			guest_refused(a, r, addr, size, val);
		else if (split)
			note_odd(a, r, addr, size, false);
		return;
	}
	if (!any_claimed(a->s, addr, size)) {
		*val = ~0ULL; /* nothing there: all ones, write dropped */
		return;
	}
	split_halves(a, addr, size, val); /* straddles regions or runs past one */
}

static bool guest_size_ok(u32 size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* The common case inline: one region covers the access and its device
 * takes it. A refused one continues in guest_refused, the rest (straddling,
 * partly or wholly unclaimed) in guest_piece. */
enum bus_result bus_guest_read(struct bus_space *s, u64 addr, u32 size, u64 *val,
			       const char *who)
{
	struct bus_region *r = region_at(s, addr);
	struct guest_access a = { s, false, false, who };

	if (r && size <= r->len - (addr - r->base) && guest_size_ok(size)) {
		r->accesses++;
		if (r->ops->read && r->ops->read(r->dev, addr - r->base, size, val) == BUS_OK) {
			*val &= guest_mask(size);
			return BUS_OK;
		}
		*val = ~0ULL;
		guest_refused(&a, r, addr, size, val);
		*val &= guest_mask(size);
		return BUS_OK;
	}
	*val = ~0ULL;
	if (guest_size_ok(size))
		guest_piece(&a, addr, size, val, false);
	*val &= guest_mask(size);
	return a.claimed ? BUS_OK : BUS_UNCLAIMED;
}

enum bus_result bus_guest_write(struct bus_space *s, u64 addr, u32 size, u64 val,
				const char *who)
{
	struct bus_region *r = region_at(s, addr);
	struct guest_access a = { s, true, false, who };

	val &= guest_mask(size);
	if (r && size <= r->len - (addr - r->base) && guest_size_ok(size)) {
		r->accesses++;
		if (!r->ops->write || r->ops->write(r->dev, addr - r->base, size, val) != BUS_OK)
			guest_refused(&a, r, addr, size, &val);
		return BUS_OK;
	}
	if (guest_size_ok(size))
		guest_piece(&a, addr, size, &val, false);
	return a.claimed ? BUS_OK : BUS_UNCLAIMED;
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
