/* What of a guest's console output may reach the physical terminal in
 * focus mode (docs/user-guide.md, "Escape sequences"). Pure: no hypervisor
 * state, so the same file compiles into a unit test and a fuzz target.
 *
 * Passed: printable ASCII; BEL, BS, HT, LF, CR; well-formed UTF-8 other than
 * the C1 controls U+0080-U+009F; and the escape sequences a full-screen
 * program (vi, top, less) draws with: cursor movement, erase in the screen,
 * insert/delete, scroll region, SGR colours, the alternate screen, cursor
 * visibility, keypad and cursor-key modes, G0/G1 ASCII or line drawing;
 * and the cursor-position, status and device-attribute queries, marked as
 * such (CONSOLE_QUERY).
 * Dropped whole: every other control and sequence, among them RIS (ESC c),
 * which the hypervisor alone sends before its banner, OSC (window title,
 * clipboard), DCS/APC/PM/SOS strings, window operations (CSI t), printer
 * control, erase of the scrollback (CSI 3 J), 8-bit C1 controls and
 * malformed UTF-8. Escape sequences are parsed as in the DEC VT500 family
 * (ECMA-48 5.4: parameter bytes 0x30-0x3f, intermediates 0x20-0x2f, final
 * 0x40-0x7e); a sequence is passed only once complete, so the terminal never
 * sees half of one. */
#ifndef BULKHEAD_CONSOLE_FILTER_H
#define BULKHEAD_CONSOLE_FILTER_H

#include <bulkhead/types.h>

#define CONSOLE_FILTER_SEQ_MAX 32 /* longer escape sequences are dropped */

enum console_token {
	CONSOLE_TEXT,  /* text, controls and drawing sequences */
	CONSOLE_QUERY, /* a request the terminal answers on its input (DSR, DA):
			* only worth sending while the guest has the focus */
};

/* Receives each passed token whole: one character (1 to 4 bytes) or one
 * complete escape sequence. */
typedef void (*console_emit_fn)(void *ctx, const u8 *s, u32 n, enum console_token kind);

struct console_filter {
	u8 state;
	u8 len;              /* bytes in seq[] */
	u8 utf8_left;        /* continuation bytes still expected */
	bool overflow;       /* the sequence outgrew seq[]: dropped at its end */
	u8 seq[CONSOLE_FILTER_SEQ_MAX];
	u64 dropped;         /* bytes and sequences not passed */
};

void console_filter_reset(struct console_filter *f);
void console_filter_feed(struct console_filter *f, u8 c, console_emit_fn emit, void *ctx);

#endif
