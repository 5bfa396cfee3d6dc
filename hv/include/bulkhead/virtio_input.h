/* virtio-input (virtio 1.1 5.8): the keyboard of a VM with a display. The
 * physical keyboard's set-1 scan codes (kbd.h, after the hotkey filter)
 * become evdev key events (linux/input-event-codes.h, which for set 1
 * keeps the scan code as the key code and maps the E0 ones by a table). */
#ifndef BULKHEAD_VIRTIO_INPUT_H
#define BULKHEAD_VIRTIO_INPUT_H

#include <bulkhead/types.h>

#define VIRTIO_ID_INPUT 18

/* Configuration selectors (5.8.4) */
#define VINPUT_CFG_UNSET     0x00U
#define VINPUT_CFG_ID_NAME   0x01U
#define VINPUT_CFG_ID_SERIAL 0x02U
#define VINPUT_CFG_ID_DEVIDS 0x03U
#define VINPUT_CFG_PROP_BITS 0x10U
#define VINPUT_CFG_EV_BITS   0x11U
#define VINPUT_CFG_ABS_INFO  0x12U

/* evdev event types and the key codes past the set-1 range we give */
#define EV_SYN 0x00U
#define EV_KEY 0x01U
#define EV_ABS 0x03U
#define EV_REP 0x14U
#define ABS_X 0x00U
#define ABS_Y 0x01U
#define BTN_LEFT 0x110U
#define VINPUT_KEY_MAX 127U     /* KEY_COMPOSE: the last code we send */

/* Set-1 scan code bytes to key events: returns the evdev code (0: none
 * yet, an E0 prefix, or a code with no key) and *pressed; state keeps
 * the E0 prefix between bytes. */
u16 vinput_scancode_to_key(u8 *state, u8 byte, bool *pressed);

#endif
