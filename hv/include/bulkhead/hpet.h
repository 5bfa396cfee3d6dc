/* Virtual HPET event timer block at PC_HPET_BASE (IA-PC HPET specification
 * 1.0a): a 64-bit main counter at PC_HPET_HZ derived from the host TSC and
 * PC_HPET_TIMERS comparators, interrupts through the VM's GSIs. */
#ifndef BULKHEAD_HPET_H
#define BULKHEAD_HPET_H

#include <bulkhead/types.h>
#include <bulkhead/vtimer.h>

/* Tn_INT_ROUTE_CAP of every timer: I/O APIC inputs 16-23, which no other
 * device of the virtual PC drives. */
#define HPET_ROUTE_CAP 0x00ff0000U

struct dev_host;
struct hpet;

/* Creates the HPET on clock clk and adds it to the VM's timers. */
struct hpet *hpet_attach(struct dev_host *host, struct vclock clk, const char **err);
/* Host TSC of the next interrupt of an enabled timer, or ~0. */
u64 hpet_next_deadline(void *dev);
/* Raises the interrupts due at TSC now. */
void hpet_poll(void *dev, u64 now);

extern const struct vtimer_ops hpet_vtimer_ops;

#endif
