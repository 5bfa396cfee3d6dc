/* Virtual 8254 programmable interval timer at PC_PIT_BASE plus port B
 * (PC_PORT_B) for channel 2's gate and output (Intel 8254 data sheet,
 * 231164-005). Channel 0 pulses GSI PC_PIT_GSI. */
#ifndef BULKHEAD_PIT_H
#define BULKHEAD_PIT_H

#include <bulkhead/types.h>
#include <bulkhead/vtimer.h>

#define PIT_HZ 1193182ULL /* as Linux's PIT_TICK_RATE */

struct dev_host;
struct pit;

/* Creates the PIT on clock clk and adds it to the VM's timers. */
struct pit *pit_attach(struct dev_host *host, struct vclock clk, const char **err);
/* Host TSC of channel 0's next interrupt, or ~0. */
u64 pit_next_deadline(void *dev);
/* Raises channel 0's interrupt if it is due at TSC now. */
void pit_poll(void *dev, u64 now);

extern const struct vtimer_ops pit_vtimer_ops;

#endif
