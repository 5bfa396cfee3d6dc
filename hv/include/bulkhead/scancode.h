/* The keyboard's byte stream as the hypervisor sees it: scan code set 1
 * (what an i8042 with translation on gives; IBM PC AT technical reference,
 * keyboard scan codes), and the secure attention hotkey, Ctrl+Alt+Home,
 * taken out of it. Pure logic: no device, no VM.
 *
 * The hotkey's own bytes (E0 47 and its release E0 C7) never go to a VM;
 * the Ctrl and Alt presses before it do (a VM cannot tell them from any
 * other chord), and sc_release_held gives the releases that a VM losing
 * the focus needs so that it does not keep them held. */
#ifndef BULKHEAD_SCANCODE_H
#define BULKHEAD_SCANCODE_H

#include <bulkhead/types.h>

#define SC_E0          0xe0 /* prefix of the extended keys */
#define SC_E1          0xe1 /* prefix of Pause: E1 1D 45 E1 9D C5 */
#define SC_BREAK       0x80 /* release: make code | 0x80 */
#define SC_LCTRL       0x1d /* right Ctrl: E0 1D */
#define SC_LALT        0x38 /* right Alt (AltGr): E0 38 */
#define SC_HOME        0x47 /* with E0; without, keypad 7 */
#define SC_OUT_MAX     2

struct sc_state {
	bool e0;           /* an E0 held back, waiting for its key */
	bool ctrl_l, ctrl_r, alt_l, alt_r;
	bool home_taken;   /* Home was the hotkey: its release is ours too */
};

enum sc_action {
	SC_PASS,    /* give out[0..n) to the focused VM */
	SC_HOLD,    /* an E0 prefix: nothing yet */
	SC_HOTKEY,  /* the secure attention key: nothing to any VM */
	SC_TAKEN,   /* the hotkey's release: nothing to any VM */
};

void sc_reset(struct sc_state *s);
/* One byte from the keyboard; *n gets how many of out[] to deliver. */
enum sc_action sc_feed(struct sc_state *s, u8 byte, u8 out[SC_OUT_MAX], unsigned *n);
/* The set-1 releases of the modifiers held now, for the VM that loses the
 * focus: at most 6 bytes in out; returns the count. */
unsigned sc_release_held(const struct sc_state *s, u8 out[6]);

#endif
