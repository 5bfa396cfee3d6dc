/* Time for device models, and the VM's timer devices other than the local
 * APIC (PIT, ...). Every device clock is derived from the host TSC through
 * a now() callback, so unit tests drive them with a fake clock. */
#ifndef BULKHEAD_VTIMER_H
#define BULKHEAD_VTIMER_H

#include <bulkhead/types.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_timer.h>

struct vm;

/* A device's time base: now() in TSC cycles, hz cycles per second. */
struct vclock {
	u64 (*now)(void);
	u64 hz;
};

static inline u64 vclock_host_tsc(void)
{
	return rdtsc();
}

/* The clock of devices in a real VM: the host TSC (hv/arch/x86/host_timer.c). */
static inline struct vclock vclock_host(void)
{
	return (struct vclock){ vclock_host_tsc, tsc_hz };
}

/* Whole ticks of a rate-Hz clock in tsc cycles: floor(tsc * rate / hz),
 * split so that nothing overflows for rate, hz < 2^32. */
static inline u64 vclock_ticks(u64 tsc, u64 hz, u64 rate)
{
	return (tsc / hz) * rate + (tsc % hz) * rate / hz;
}

/* The fewest TSC cycles holding ticks ticks: ceil(ticks * hz / rate). */
static inline u64 vclock_tsc_for(u64 ticks, u64 hz, u64 rate)
{
	return (ticks / rate) * hz + ((ticks % rate) * hz + rate - 1) / rate;
}

/* A timer device polled by the scheduler together with the vCPU's local
 * APIC (struct vcpu_irq_ops has the same two members). */
struct vtimer_ops {
	/* Earliest host TSC at which poll() has something to do, or ~0. */
	u64 (*next_deadline)(void *dev);
	/* Called with the current host TSC: raise the interrupts now due. */
	void (*poll)(void *dev, u64 now);
};

#define VM_MAX_TIMERS 4

/* Adds a timer device to the VM; false when the VM's table is full
 * (hv/core/vm.c). */
bool __must_check vm_add_timer(struct vm *vm, const struct vtimer_ops *ops, void *dev);

#endif
