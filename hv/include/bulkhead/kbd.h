/* The physical keyboard, read by the hypervisor, and the VMs' virtual ones
 * (docs/display.md). The boot CPU reads the host's i8042 between exits
 * (kbd_host_poll, from display_poll); each byte goes through the hotkey
 * filter (scancode.h) to the keyboard of the VM that has the focus, and
 * Ctrl+Alt+Home moves the focus to the next VM instead, and Ctrl+Alt+End
 * opens the on-screen menu of VMs (a digit picks one, Esc closes it). */
#ifndef BULKHEAD_KBD_H
#define BULKHEAD_KBD_H

#include <bulkhead/types.h>

struct dev_host;
struct vm;

/* A VM's keyboard: input takes one set-1 scan code byte. */
void kbd_attach(struct dev_host *h, void (*input)(void *dev, u8 code), void *dev);
/* A VM's virtio keyboard (virtio_input.h): input takes the same bytes and
 * returns false while its driver is not live (they go to the PS/2 one). */
void kbd_attach_evdev(struct dev_host *h, bool (*input)(void *dev, u8 code), void *dev);
/* The VM that now has the focus (NULL: none): releases for the modifiers
 * held go to the one that loses it. */
void kbd_set_focus(struct vm *vm);
/* A VM's pointer (the virtio tablet): move takes the physical mouse's
 * motion while that VM has the focus and the menu is closed. */
struct ps2_motion;
void kbd_attach_pointer(struct dev_host *h, void (*move)(void *dev, const struct ps2_motion *m),
			void *dev);
/* Turns on the host's PS/2 mouse (the i8042's auxiliary port, data
 * reporting on); its packets then reach the focused VM's pointer. */
void kbd_host_init(void);
void kbd_host_poll(void);
/* Bytes read from the host's keyboard, and hotkeys seen, so far. */
extern u64 kbd_bytes, kbd_hotkeys;

#endif
