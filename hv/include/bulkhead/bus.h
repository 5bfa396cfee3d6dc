/* A VM's device bus: port-I/O and MMIO regions claimed by devices, found by
 * binary search over a sorted array (Jailhouse mmio.c). Handlers get an
 * offset relative to their region and return a typed result. */
#ifndef BULKHEAD_BUS_H
#define BULKHEAD_BUS_H

#include <bulkhead/types.h>

enum bus_result {
	BUS_OK = 0,
	BUS_UNCLAIMED,   /* nothing at that address */
	BUS_BAD_ACCESS,  /* the device refuses this access: stop the VM */
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
};

#define BUS_MAX_REGIONS 32

struct bus_space {
	struct bus_region r[BUS_MAX_REGIONS];
	unsigned n;
};

struct bus {
	struct bus_space pio, mmio;
	u64 unclaimed_reads, unclaimed_writes;
};

void bus_init(struct bus *b);
/* Fails on overlap with another region, an empty or wrapping range, or a
 * full table. */
bool __must_check bus_register(struct bus_space *s, u64 base, u64 len,
			       const struct bus_dev_ops *ops, void *dev, const char *name);
const struct bus_region *bus_find(const struct bus_space *s, u64 addr, u64 len);

/* Dispatch; an access that straddles a region boundary is BUS_BAD_ACCESS. */
enum bus_result bus_read(struct bus_space *s, u64 addr, u32 size, u64 *val);
enum bus_result bus_write(struct bus_space *s, u64 addr, u32 size, u64 val);
void bus_reset(struct bus *b);

#endif
