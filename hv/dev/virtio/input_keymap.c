/* Set-1 scan codes to evdev key codes (virtio_input.h). The one-byte make
 * codes 0x01-0x58 are the key codes themselves (linux/input-event-codes.h
 * follows set 1 there); E0-prefixed ones by the table below, as Linux's
 * atkbd keycode table has them. Bit 7 of the code is the release. */
#include <bulkhead/virtio_input.h>

#define E0 0xe0U

static const u8 e0_keys[][2] = {
	{ 0x1c, 96 },  /* KP Enter */   { 0x1d, 97 },  /* Right Ctrl */
	{ 0x35, 98 },  /* KP / */       { 0x38, 100 }, /* Right Alt */
	{ 0x47, 102 }, /* Home */       { 0x48, 103 }, /* Up */
	{ 0x49, 104 }, /* Page Up */    { 0x4b, 105 }, /* Left */
	{ 0x4d, 106 }, /* Right */      { 0x4f, 107 }, /* End */
	{ 0x50, 108 }, /* Down */       { 0x51, 109 }, /* Page Down */
	{ 0x52, 110 }, /* Insert */     { 0x53, 111 }, /* Delete */
	{ 0x5b, 125 }, /* Left Meta */  { 0x5c, 126 }, /* Right Meta */
	{ 0x5d, 127 }, /* Compose */
};

u16 vinput_scancode_to_key(u8 *state, u8 byte, bool *pressed)
{
	u8 code = byte & 0x7fU;
	bool ext = *state == E0;

	if (byte == E0) {
		*state = E0;
		return 0;
	}
	*state = 0;
	*pressed = !(byte & 0x80U);
	if (!ext)
		return code >= 0x01 && code <= 0x58 ? code : 0;
	for (unsigned i = 0; i < sizeof(e0_keys) / sizeof(e0_keys[0]); i++)
		if (e0_keys[i][0] == code)
			return e0_keys[i][1];
	return 0; /* E0 2A / E0 AA (fake shifts) and the rest: no key */
}
