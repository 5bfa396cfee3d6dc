/* Sharing the physical console between VMs (docs/user-guide.md, "The
 * console"). Two modes, chosen by the boot command-line word console=:
 *   log (the default): each VM's output as "[name] text" lines, all VMs
 *     interleaved;
 *   focus: one VM at a time, its output passed through as it is (filtered:
 *     console_filter.h), so full-screen programs work; the other VMs'
 *     output is kept (console_ring.h) and replayed when they get the focus,
 *     after a banner only the hypervisor can print (console_focus.h).
 * Keyboard input goes to the VM that has the focus. Ctrl-] then
 *   0-9     gives the focus to that VM (0-based)
 *   m       a menu of the VMs; a digit picks one
 *   c       the hypervisor console (console_hv.h); Ctrl-] leaves it
 *   d       each VM's vCPU state and exit counts (for a guest that seems stuck)
 *   Ctrl-]  sends one Ctrl-] to the focused VM. */
#ifndef BULKHEAD_CONSOLE_MUX_H
#define BULKHEAD_CONSOLE_MUX_H

#include <bulkhead/types.h>

struct vm;

/* Reads console= from the hypervisor's command line ("log" or "focus");
 * before the VMs are created. False, with *err set, on another value. */
bool console_mux_init(const char *cmdline, const char **err);
/* Called once per host tick: shows partial output lines that have waited
 * a tick (prompts), and delivers what the physical console received. */
void console_mux_poll(void);
/* The secure attention key: the focus moves to the next VM, on the serial
 * console and the screen alike. */
void console_mux_focus_next(void);
/* The on-screen menu's choice: VM i gets the focus, as with Ctrl-] i. */
void console_mux_focus(unsigned i);
/* One byte a VM sent to its console (its UART's transmitter). */
void console_mux_output(struct vm *vm, u8 c);

#endif
