/* The keyboard's byte stream as the hypervisor sees it: scan code set 1
 * (what an i8042 with translation on gives; IBM PC AT technical reference,
 * keyboard scan codes), and the hypervisor's two keys taken out of it: the
 * secure attention key Ctrl+Alt+Home (next VM) and Ctrl+Alt+End (the
 * on-screen menu of VMs). Pure logic: no device, no VM.
 *
 * Their own bytes (E0 47 / E0 4F and their releases) never go to a VM;
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
#define SC_END         0x4f /* with E0; without, keypad 1 */
#define SC_ESC         0x01
#define SC_1           0x02 /* 1-9 then 0: 0x02-0x0b */
#define SC_0           0x0b
#define SC_OUT_MAX     2

struct sc_state {
	bool e0;           /* an E0 held back, waiting for its key */
	bool ctrl_l, ctrl_r, alt_l, alt_r;
	bool home_taken;   /* Home was the hotkey: its release is ours too */
	bool end_taken;    /* the same for End and the menu */
};

enum sc_action {
	SC_PASS,    /* give out[0..n) to the focused VM */
	SC_HOLD,    /* an E0 prefix: nothing yet */
	SC_HOTKEY,  /* the secure attention key: nothing to any VM */
	SC_MENU,    /* Ctrl+Alt+End, the menu: nothing to any VM */
	SC_TAKEN,   /* the release of either: nothing to any VM */
};

void sc_reset(struct sc_state *s);
/* One byte from the keyboard; *n gets how many of out[] to deliver. */
enum sc_action sc_feed(struct sc_state *s, u8 byte, u8 out[SC_OUT_MAX], unsigned *n);
/* The set-1 releases of the modifiers held now, for the VM that loses the
 * focus: at most 6 bytes in out; returns the count. */
unsigned sc_release_held(const struct sc_state *s, u8 out[6]);
/* The digit a set-1 make code is on the main keyboard (0-9), or -1. */
int sc_digit(u8 code);

#endif
