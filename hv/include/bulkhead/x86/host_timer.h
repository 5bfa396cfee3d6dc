/* The host's one-shot timer (local APIC timer) and TSC frequency. */
#ifndef BULKHEAD_X86_HOST_TIMER_H
#define BULKHEAD_X86_HOST_TIMER_H

#include <bulkhead/types.h>

#define HOST_TIMER_VECTOR 0x20

extern u64 tsc_hz;

/* Masks the legacy PIC, calibrates TSC and APIC timer against the PIT,
 * and sets this CPU's timer up (stopped). */
bool __must_check host_timer_init(const char **err);
/* The timer on this CPU (after host_timer_init on the boot CPU). */
void host_timer_start_this_cpu(void);
/* An interrupt on this CPU at TSC deadline (at once if it has passed;
 * ~0: none), replacing the one armed before. */
void host_timer_arm(u64 deadline);
/* Lets pending host interrupts in (the tick), then closes IF again. */
void host_irq_window(void);
/* Halts until the next interrupt. */
void host_wait_for_irq(void);

#endif
