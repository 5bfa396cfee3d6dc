/* The VM a device model's unit test runs in: a real struct vm (bus, arena)
 * (link hv/core/vm_arena.c for its arena), and port accessors that assert
 * the bus accepted the access. Include once per test program. */
#ifndef FAKE_VM_H
#define FAKE_VM_H

#include <string.h>
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/vm.h>

static struct vm vm;

static inline u32 pio_in(u16 port, u32 size)
{
	u64 v;

	assert_int_equal(bus_read(&vm.bus.pio, port, size, &v), BUS_OK);
	return (u32)v;
}

static inline void pio_out(u16 port, u32 size, u32 v)
{
	assert_int_equal(bus_write(&vm.bus.pio, port, size, v), BUS_OK);
}

#endif
