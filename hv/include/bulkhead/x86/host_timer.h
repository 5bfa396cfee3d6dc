/* The host's periodic tick (local APIC timer) and TSC frequency. */
#ifndef BULKHEAD_X86_HOST_TIMER_H
#define BULKHEAD_X86_HOST_TIMER_H

#include <bulkhead/types.h>

#define HOST_TICK_VECTOR 0x20
#define HOST_TICK_HZ     1000

extern volatile u64 host_ticks;
extern u64 tsc_hz;

/* Masks the legacy PIC, calibrates TSC and APIC timer against the PIT,
 * and starts the periodic tick. */
bool __must_check host_timer_init(const char **err);
/* The tick on this CPU (after host_timer_init on the boot CPU). */
void host_timer_start_this_cpu(void);
/* Lets pending host interrupts in (the tick), then closes IF again. */
void host_irq_window(void);
/* Halts until the next interrupt. */
void host_wait_for_irq(void);

#endif
