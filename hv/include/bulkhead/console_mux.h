/* Sharing the physical console between VMs: output lines carry the VM's
 * name; keyboard input goes to the VM that has the focus. Ctrl-] followed
 * by a digit N gives the focus to the N-th VM (0-based); Ctrl-] d prints
 * each VM's vCPU state (for a guest that seems stuck). */
#ifndef BULKHEAD_CONSOLE_MUX_H
#define BULKHEAD_CONSOLE_MUX_H

/* Called once per host tick: shows partial output lines that have waited
 * a tick (prompts), and delivers what the physical console received. */
void console_mux_poll(void);

#endif
