/* Set-1 scan codes and the secure attention hotkey (scancode.h). */
#include <bulkhead/scancode.h>

void sc_reset(struct sc_state *s)
{
	*s = (struct sc_state){ 0 };
}

static void track(struct sc_state *s, bool ext, u8 code)
{
	bool down = !(code & SC_BREAK);

	switch (code & (u8)~SC_BREAK) {
	case SC_LCTRL:
		if (ext)
			s->ctrl_r = down;
		else
			s->ctrl_l = down;
		break;
	case SC_LALT:
		if (ext)
			s->alt_r = down;
		else
			s->alt_l = down;
		break;
	}
}

enum sc_action sc_feed(struct sc_state *s, u8 byte, u8 out[SC_OUT_MAX], unsigned *n)
{
	bool ext = s->e0;

	*n = 0;
	if (byte == SC_E0) {
		s->e0 = true;
		if (!ext)
			return SC_HOLD;
		out[(*n)++] = SC_E0; /* E0 E0: the first was a code of its own */
		return SC_PASS;
	}
	s->e0 = false;
	if (ext && ((byte & (u8)~SC_BREAK) == SC_HOME || (byte & (u8)~SC_BREAK) == SC_END)) {
		bool home = (byte & (u8)~SC_BREAK) == SC_HOME;
		bool *taken = home ? &s->home_taken : &s->end_taken;

		if (!(byte & SC_BREAK) && (s->ctrl_l || s->ctrl_r) && (s->alt_l || s->alt_r)) {
			*taken = true;
			return home ? SC_HOTKEY : SC_MENU; /* a repeat while held acts again */
		}
		if ((byte & SC_BREAK) && *taken) {
			*taken = false;
			return SC_TAKEN;
		}
	}
	track(s, ext, byte);
	if (ext)
		out[(*n)++] = SC_E0;
	out[(*n)++] = byte;
	return SC_PASS;
}

unsigned sc_release_held(const struct sc_state *s, u8 out[6])
{
	unsigned n = 0;

	if (s->ctrl_l)
		out[n++] = SC_LCTRL | SC_BREAK;
	if (s->alt_l)
		out[n++] = SC_LALT | SC_BREAK;
	if (s->ctrl_r) {
		out[n++] = SC_E0;
		out[n++] = SC_LCTRL | SC_BREAK;
	}
	if (s->alt_r) {
		out[n++] = SC_E0;
		out[n++] = SC_LALT | SC_BREAK;
	}
	return n;
}

int sc_digit(u8 code)
{
	if (code < SC_1 || code > SC_0)
		return -1;
	return code == SC_0 ? 0 : code - SC_1 + 1;
}
