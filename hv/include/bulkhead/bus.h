/* A VM's device bus: port-I/O and MMIO regions claimed by devices, found by
 * binary search over a sorted array (Jailhouse mmio.c). Handlers get an
 * offset relative to their region and return a typed result. */
#ifndef BULKHEAD_BUS_H
#define BULKHEAD_BUS_H

#include <bulkhead/types.h>

enum bus_result {
	BUS_OK = 0,
	BUS_UNCLAIMED,   /* nothing at that address */
	BUS_BAD_ACCESS,  /* the device refuses this access (size, alignment) */
};

struct bus_dev_ops {
	enum bus_result (*read)(void *dev, u64 offset, u32 size, u64 *val);
	enum bus_result (*write)(void *dev, u64 offset, u32 size, u64 val);
	void (*reset)(void *dev);
};

struct bus_region {
	u64 base, len;
	const struct bus_dev_ops *ops;
	void *dev;
	const char *name;
	u64 accesses; /* reads + writes dispatched here: where the exits go */
	u64 odd;      /* guest accesses split or refused here (bus_guest_read) */
};

#define BUS_MAX_REGIONS 32

struct bus_space {
	struct bus_region r[BUS_MAX_REGIONS];
	unsigned n;
	/* Port space: a refused access is split into halves down to bytes,
	 * as the ISA/LPC bridge turns a wide cycle into 8-bit ones for an
	 * 8-bit device. MMIO: a refused access reads all ones. */
	bool split_refused;
	unsigned hint; /* the region last found for a guest access */
	/* No region is added once the VM is built (bus_freeze), so vCPUs on
	 * several CPUs can look regions up without a lock. */
	bool frozen;
};

struct bus {
	struct bus_space pio, mmio;
	u64 unclaimed_reads, unclaimed_writes;
};

void bus_init(struct bus *b);
/* The VM is built: from now on the regions only change with a new bus. */
void bus_freeze(struct bus *b);
/* Fails on overlap with another region, an empty or wrapping range, a
 * full table, or a frozen bus. */
bool __must_check bus_register(struct bus_space *s, u64 base, u64 len,
			       const struct bus_dev_ops *ops, void *dev, const char *name);
const struct bus_region *bus_find(const struct bus_space *s, u64 addr, u64 len);
/* True if a device claims the byte at addr (the last region found first). */
bool bus_claimed(struct bus_space *s, u64 addr);

/* Dispatch to one device as it is; an access that straddles a region
 * boundary is BUS_BAD_ACCESS. For device tests and the paths below. */
enum bus_result bus_read(struct bus_space *s, u64 addr, u32 size, u64 *val);
enum bus_result bus_write(struct bus_space *s, u64 addr, u32 size, u64 val);

/* A guest's access (size 1, 2, 4 or 8), as the platform does it; it never
 * fails and never stops the VM. An access that a single region covers and
 * its device accepts goes through whole. One that straddles regions or runs
 * past a region's end is split into halves (down to bytes) until each piece
 * is inside one region or unclaimed; one the device refuses is split the
 * same way in port space (split_refused) and otherwise, like a refused
 * byte, reads all ones and drops the write. Unclaimed bytes read all ones.
 * Each piece of a split and each refused access that reaches a region
 * counts in its `odd`; the first one per region (so per VM) is logged,
 * with `who` (the VM's name).
 * BUS_UNCLAIMED if no byte of it is claimed (the read is all ones), else
 * BUS_OK. */
enum bus_result bus_guest_read(struct bus_space *s, u64 addr, u32 size, u64 *val,
			       const char *who);
enum bus_result bus_guest_write(struct bus_space *s, u64 addr, u32 size, u64 val,
				const char *who);
void bus_reset(struct bus *b);

#endif
