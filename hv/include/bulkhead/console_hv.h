/* The hypervisor console (console_mux.h: Ctrl-] c): commands typed on the
 * physical console that list the VMs and start, stop, restart them or
 * press their power button. */
#ifndef BULKHEAD_CONSOLE_HV_H
#define BULKHEAD_CONSOLE_HV_H

#include <bulkhead/types.h>

#define CONSOLE_HV_OPEN  (-1)
#define CONSOLE_HV_CLOSE (-2)

/* Prints the VM list and the prompt. */
void console_hv_open(void);
/* One typed byte. CONSOLE_HV_OPEN while the console stays open;
 * CONSOLE_HV_CLOSE when it was closed; else it was closed with "focus N"
 * and the result is N. */
int console_hv_input(u8 c);

#endif
