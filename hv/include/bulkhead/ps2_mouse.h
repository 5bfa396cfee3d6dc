/* The physical PS/2 mouse's packets (the i8042's auxiliary port, in its
 * default standard mode: 3 bytes, IBM PS/2 Technical Reference, "Keyboard
 * and Auxiliary Device Controller"; byte 0: buttons in bits 0-2, always-1
 * bit 3, X and Y signs in bits 4-5, overflows in bits 6-7; bytes 1-2: the
 * low 8 bits of the X and Y movement, Y counting up). Pure logic. */
#ifndef BULKHEAD_PS2_MOUSE_H
#define BULKHEAD_PS2_MOUSE_H

#include <bulkhead/types.h>

struct ps2_mouse {
	u8 pkt[3];
	u8 n; /* bytes of pkt so far */
};

struct ps2_motion {
	s32 dx, dy;  /* dy counts down the screen (the packet's up, negated) */
	u8 buttons;  /* bit 0 left, 1 right, 2 middle */
};

/* Feeds one byte; true when it completes a packet, which *out then holds.
 * A first byte without its always-1 bit is dropped (the stream is out of
 * step; the next byte may start a packet); an overflowing axis moves 0. */
bool ps2_mouse_feed(struct ps2_mouse *m, u8 b, struct ps2_motion *out);

/* pos moved by d, clamped to [0, max]. */
u32 ps2_mouse_clamp(u32 pos, s32 d, u32 max);

#endif
