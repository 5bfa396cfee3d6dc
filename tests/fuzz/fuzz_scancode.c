/* libFuzzer target: any byte stream from the keyboard through the hotkey
 * filter (hv/display/scancode.c). Checks that no hotkey byte ever reaches
 * a VM: the output is the input with exactly the pairs E0 47 / E0 4F of
 * each hotkey and E0 C7 / E0 CF of its release removed; that every other byte passes, in
 * order; and that the releases owed for held modifiers are valid. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <bulkhead/scancode.h>

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static u8 passed[1 << 16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sc_state s;
	size_t n_out = 0, taken = 0, held_back = 0;

	if (size > sizeof(passed))
		return 0;
	sc_reset(&s);
	for (size_t i = 0; i < size; i++) {
		u8 out[SC_OUT_MAX], rel[6];
		unsigned k, r;
		enum sc_action a = sc_feed(&s, data[i], out, &k);

		CHECK(k <= SC_OUT_MAX);
		switch (a) {
		case SC_PASS:
			CHECK(k >= 1 && out[k - 1] == data[i]);
			CHECK(k == 1 || (out[0] == SC_E0 && held_back));
			held_back = data[i] == SC_E0 ? 1 : 0;
			break;
		case SC_HOLD:
			CHECK(k == 0 && data[i] == SC_E0);
			held_back = 1;
			break;
		case SC_HOTKEY:
		case SC_MENU:
		case SC_TAKEN:
			CHECK(k == 0 && held_back);
			CHECK(a == SC_HOTKEY ? data[i] == SC_HOME : a == SC_MENU ? data[i] == SC_END :
			      (data[i] == (SC_HOME | SC_BREAK) || data[i] == (SC_END | SC_BREAK)));
			taken += 2;
			held_back = 0;
			break;
		}
		memcpy(passed + n_out, out, k);
		n_out += k;
		r = sc_release_held(&s, rel);
		CHECK(r <= 6);
		for (unsigned j = 0; j < r; j++)
			CHECK(rel[j] == SC_E0 || rel[j] == (SC_LCTRL | SC_BREAK) ||
			      rel[j] == (SC_LALT | SC_BREAK));
	}
	/* every byte passed or was one of a taken pair, or is the last E0 */
	CHECK(n_out + taken + held_back == size);
	return 0;
}
