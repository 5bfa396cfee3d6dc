/* PS/2 mouse packets to motion (ps2_mouse.h). */
#include <bulkhead/ps2_mouse.h>

#define B0_ALWAYS1 0x08U
#define B0_XSIGN   0x10U
#define B0_YSIGN   0x20U
#define B0_XOVF    0x40U
#define B0_YOVF    0x80U

/* A 9-bit two's complement movement: the sign bit from byte 0. */
static s32 axis(u8 low, bool neg, bool ovf)
{
	if (ovf)
		return 0;
	return neg ? (s32)low - 256 : (s32)low;
}

bool ps2_mouse_feed(struct ps2_mouse *m, u8 b, struct ps2_motion *out)
{
	u8 b0;

	if (m->n == 0 && !(b & B0_ALWAYS1))
		return false;
	m->pkt[m->n++] = b;
	if (m->n < 3)
		return false;
	m->n = 0;
	b0 = m->pkt[0];
	out->buttons = b0 & 7;
	out->dx = axis(m->pkt[1], b0 & B0_XSIGN, b0 & B0_XOVF);
	out->dy = -axis(m->pkt[2], b0 & B0_YSIGN, b0 & B0_YOVF);
	return true;
}

u32 ps2_mouse_clamp(u32 pos, s32 d, u32 max)
{
	s64 p = (s64)pos + d;

	if (p < 0)
		return 0;
	return p > (s64)max ? max : (u32)p;
}
