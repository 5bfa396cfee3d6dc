/* Focus mode's output side (console_mux.h): the focused VM's output goes
 * to the physical terminal through the filter of console_filter.h; every
 * other VM's into its ring buffer (console_ring.h), replayed when it is
 * shown. Each switch prints the hypervisor's banner. */
#ifndef BULKHEAD_CONSOLE_FOCUS_H
#define BULKHEAD_CONSOLE_FOCUS_H

#include <bulkhead/types.h>

struct vm;

void console_focus_enable(void);
bool console_focus_enabled(void);
/* One byte the guest sent to its console. */
void console_focus_output(struct vm *vm, u8 c);
/* Banner, then vm's buffered output; from then on its output is live. */
void console_focus_show(struct vm *vm);
/* No VM's output is live (a menu or the hypervisor console is up). */
void console_focus_hide(void);
/* The banner's label colour of vm: ANSI colour number 1-7. */
u8 console_label_colour(const struct vm *vm);

#endif
