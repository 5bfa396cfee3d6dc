/* The focus-mode output filter (console_filter.h): a parser for the DEC
 * VT500 escape-sequence syntax (ECMA-48 5.3-5.7) that passes a whitelist and
 * drops the rest, each sequence whole. */
#include <bulkhead/console_filter.h>

#define ESC 0x1b
#define CAN 0x18 /* CAN and SUB cancel a sequence (ECMA-48 8.3.6, 8.3.148) */
#define SUB 0x1a
#define BEL 0x07

enum {
	ST_GROUND,
	ST_UTF8,      /* inside a multi-byte UTF-8 character */
	ST_ESC,       /* after ESC */
	ST_ESC_INTER, /* ESC and intermediate bytes (charset designation) */
	ST_CSI,       /* ESC [ and parameter / intermediate bytes */
	ST_STRING,    /* OSC, DCS, APC, PM, SOS: swallowed up to ST or BEL */
	ST_STRING_ESC,
};

void console_filter_reset(struct console_filter *f)
{
	u64 dropped = f->dropped;

	*f = (struct console_filter){ .state = ST_GROUND, .dropped = dropped };
}

static void drop(struct console_filter *f)
{
	f->dropped++;
	f->state = ST_GROUND;
	f->len = 0;
	f->overflow = false;
}

static void push(struct console_filter *f, u8 c)
{
	if (f->len < CONSOLE_FILTER_SEQ_MAX)
		f->seq[f->len++] = c;
	else
		f->overflow = true;
}

static void pass(struct console_filter *f, console_emit_fn emit, void *ctx,
		 enum console_token kind)
{
	emit(ctx, f->seq, f->len, kind);
	f->state = ST_GROUND;
	f->len = 0;
}

/* C0 controls with a harmless effect inside the guest's text area. */
static bool c0_passed(u8 c)
{
	return c == BEL || c == '\b' || c == '\t' || c == '\n' || c == '\r';
}

/* Number of continuation bytes after a UTF-8 lead byte; -1 if c cannot
 * start a character (RFC 3629 section 4: C0, C1 and F5-FF never occur). */
static int utf8_tail(u8 c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 1;
	if (c >= 0xe0 && c <= 0xef)
		return 2;
	if (c >= 0xf0 && c <= 0xf4)
		return 3;
	return -1;
}

/* The second byte's range after each lead (RFC 3629 section 4): excludes
 * overlong forms, surrogates, code points above U+10FFFF, and (C2 80-9F)
 * the C1 controls, which some terminals obey. */
static bool utf8_second_ok(u8 lead, u8 c)
{
	switch (lead) {
	case 0xc2: return c >= 0xa0 && c <= 0xbf;
	case 0xe0: return c >= 0xa0 && c <= 0xbf;
	case 0xed: return c >= 0x80 && c <= 0x9f;
	case 0xf0: return c >= 0x90 && c <= 0xbf;
	case 0xf4: return c >= 0x80 && c <= 0x8f;
	default:   return c >= 0x80 && c <= 0xbf;
	}
}

/* Parameters of a CSI sequence: digits and ';' only (':' too for SGR),
 * at most max of them. Returns the count, -1 if malformed. values[] gets
 * each (an empty one is 0), clamped to 65535. */
#define CSI_MAX_PARAMS 16
static int csi_params(const u8 *p, u32 n, bool colon, u32 values[CSI_MAX_PARAMS])
{
	int count = 0;
	u32 v = 0;
	bool any = false;

	for (u32 i = 0; i < n; i++) {
		if (p[i] >= '0' && p[i] <= '9') {
			v = MIN(v * 10 + (u32)(p[i] - '0'), 65535U);
			any = true;
		} else if (p[i] == ';' || (colon && p[i] == ':')) {
			if (count == CSI_MAX_PARAMS)
				return -1;
			values[count++] = v;
			v = 0;
			any = true;
		} else {
			return -1;
		}
	}
	if (!any)
		return 0;
	if (count == CSI_MAX_PARAMS)
		return -1;
	values[count++] = v;
	return count;
}

static bool all_in(const u32 *v, int n, const u16 *set, unsigned set_n)
{
	for (int i = 0; i < n; i++) {
		bool found = false;

		for (unsigned k = 0; k < set_n; k++)
			found |= v[i] == set[k];
		if (!found)
			return false;
	}
	return n > 0;
}

/* DEC private modes (CSI ? Pm h/l) a full-screen program may set: cursor
 * keys (1), reverse screen (5, vi's visual bell), origin (6), autowrap (7),
 * blinking cursor (12), cursor visible (25), the alternate screen (47,
 * 1047-1049), bracketed paste (2004). Not: column mode (3, resizes),
 * mouse reporting (1000-1016), and the rest. */
static const u16 dec_modes[] = { 1, 5, 6, 7, 12, 25, 47, 1047, 1048, 1049, 2004 };
static const u16 ansi_modes[] = { 4 }; /* insert mode (IRM) */

/* Decides a complete CSI sequence: seq = ESC [ [private] params final. */
static int csi_verdict(const u8 *seq, u32 len)
{
	u8 final = seq[len - 1];
	const u8 *p = seq + 2;
	u32 n = len - 3;
	u8 private = 0;
	u32 v[CSI_MAX_PARAMS];
	int np;

	if (n && p[0] >= '<' && p[0] <= '?') {
		private = p[0];
		p++;
		n--;
	}
	np = csi_params(p, n, final == 'm' && !private, v);
	if (np < 0)
		return -1; /* intermediates, stray private markers, junk */
	if (private == '?') {
		if ((final == 'h' || final == 'l') && all_in(v, np, dec_modes, ARRAY_SIZE(dec_modes)))
			return CONSOLE_TEXT;
		return -1;
	}
	if (private)
		return -1; /* secondary DA, xterm key modifiers, ... */
	switch (final) {
	case 'A': case 'B': case 'C': case 'D': /* cursor movement (ECMA-48 8.3) */
	case 'E': case 'F': case 'G': case 'H': case 'f': case 'd': case 'e':
	case 'a': case '`': case 'I': case 'Z':
	case '@': case 'P': case 'L': case 'M': case 'X': /* insert, delete, erase */
	case 'b': case 'g': case 'm':                     /* repeat, tab clear, SGR */
		return CONSOLE_TEXT;
	case 'S': case 'T': /* scroll; xterm reads five parameters as mouse tracking */
		return np <= 1 ? CONSOLE_TEXT : -1;
	case 'J': /* ED 3 erases the scrollback, which holds the hypervisor's text */
	case 'K':
		return np <= 1 && (np == 0 || v[0] <= 2) ? CONSOLE_TEXT : -1;
	case 'r': /* scroll region */
		return np <= 2 ? CONSOLE_TEXT : -1;
	case 's': case 'u': /* save, restore cursor (SCOSC/SCORC) */
		return np == 0 ? CONSOLE_TEXT : -1;
	case 'h': case 'l':
		return all_in(v, np, ansi_modes, ARRAY_SIZE(ansi_modes)) ? CONSOLE_TEXT : -1;
	case 'n': /* device status, cursor position report */
		return np == 1 && (v[0] == 5 || v[0] == 6) ? CONSOLE_QUERY : -1;
	case 'c': /* primary device attributes */
		return np == 0 || (np == 1 && v[0] == 0) ? CONSOLE_QUERY : -1;
	default: /* window operations (t), media copy (i), LEDs (q), ... */
		return -1;
	}
}

/* ESC Fe/Fp/Fs finals passed (ECMA-48 5.3, DEC): save/restore cursor,
 * keypad modes, index, next line, reverse index, tab set. */
static bool esc_final_ok(u8 c)
{
	return c == '7' || c == '8' || c == '=' || c == '>' || c == 'D' || c == 'E' ||
	       c == 'M' || c == 'H';
}

static void ground(struct console_filter *f, u8 c, console_emit_fn emit, void *ctx)
{
	int tail;

	f->len = 0;
	f->overflow = false;
	if ((c >= 0x20 && c < 0x7f) || c0_passed(c)) {
		emit(ctx, &c, 1, CONSOLE_TEXT);
		return;
	}
	if (c == ESC) {
		push(f, c);
		f->state = ST_ESC;
		return;
	}
	tail = utf8_tail(c);
	if (tail < 0) {
		f->dropped++; /* other C0, DEL, C1, bytes no UTF-8 has */
		return;
	}
	push(f, c);
	f->utf8_left = (u8)tail;
	f->state = ST_UTF8;
}

static bool utf8(struct console_filter *f, u8 c, console_emit_fn emit, void *ctx)
{
	bool ok = f->len == 1 ? utf8_second_ok(f->seq[0], c) : c >= 0x80 && c <= 0xbf;

	if (!ok) {
		drop(f);
		return false; /* c starts afresh */
	}
	push(f, c);
	if (--f->utf8_left == 0)
		pass(f, emit, ctx, CONSOLE_TEXT);
	return true;
}

static bool esc(struct console_filter *f, u8 c, console_emit_fn emit, void *ctx)
{
	if (c == '[') {
		push(f, c);
		f->state = ST_CSI;
	} else if (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X') {
		f->state = ST_STRING;
		f->len = 0;
	} else if (c >= 0x20 && c <= 0x2f) {
		push(f, c);
		f->state = ST_ESC_INTER;
	} else if (c >= 0x30 && c <= 0x7e) {
		push(f, c);
		if (esc_final_ok(c))
			pass(f, emit, ctx, CONSOLE_TEXT);
		else
			drop(f); /* RIS, single/locking shifts, DECID, ... */
	} else {
		drop(f);
		return false;
	}
	return true;
}

/* ESC ( or ESC ) then B (ASCII) or 0 (DEC line drawing): what ncurses
 * uses for box characters. ESC # (line sizes, screen alignment fill),
 * ESC % (coding system) and the rest are dropped. */
static bool esc_inter(struct console_filter *f, u8 c, console_emit_fn emit, void *ctx)
{
	if (c >= 0x20 && c <= 0x2f) {
		push(f, c);
		return true;
	}
	if (c < 0x30 || c > 0x7e) {
		drop(f);
		return false;
	}
	push(f, c);
	if (!f->overflow && f->len == 3 && (f->seq[1] == '(' || f->seq[1] == ')') &&
	    (c == 'B' || c == '0'))
		pass(f, emit, ctx, CONSOLE_TEXT);
	else
		drop(f);
	return true;
}

static bool csi(struct console_filter *f, u8 c, console_emit_fn emit, void *ctx)
{
	int verdict;

	if (c >= 0x20 && c <= 0x3f) {
		push(f, c);
		return true;
	}
	if (c < 0x40 || c > 0x7e) {
		drop(f);
		return false;
	}
	push(f, c);
	verdict = f->overflow ? -1 : csi_verdict(f->seq, f->len);
	if (verdict < 0)
		drop(f);
	else
		pass(f, emit, ctx, (enum console_token)verdict);
	return true;
}

void console_filter_feed(struct console_filter *f, u8 c, console_emit_fn emit, void *ctx)
{
	bool taken;

	/* CAN and SUB end any sequence; ESC starts a new one (VT500 "anywhere"
	 * transitions), except that in a string ESC may begin its ST. */
	if (f->state != ST_GROUND && f->state != ST_STRING && f->state != ST_STRING_ESC) {
		if (c == CAN || c == SUB) {
			drop(f);
			return;
		}
		if (c == ESC) {
			drop(f);
			ground(f, c, emit, ctx);
			return;
		}
	}
	switch (f->state) {
	case ST_UTF8:
		taken = utf8(f, c, emit, ctx);
		break;
	case ST_ESC:
		taken = esc(f, c, emit, ctx);
		break;
	case ST_ESC_INTER:
		taken = esc_inter(f, c, emit, ctx);
		break;
	case ST_CSI:
		taken = csi(f, c, emit, ctx);
		break;
	case ST_STRING:
		if (c == ESC)
			f->state = ST_STRING_ESC;
		else if (c == BEL || c == CAN || c == SUB)
			drop(f);
		return;
	case ST_STRING_ESC:
		if (c == '\\') {
			drop(f);
			return;
		}
		/* ESC then anything but '\': the string ends, a sequence starts. */
		drop(f);
		f->seq[0] = ESC;
		f->len = 1;
		f->state = ST_ESC;
		if (c != ESC) /* ESC ESC: the second one starts the sequence */
			taken = esc(f, c, emit, ctx);
		else
			taken = true;
		break;
	default:
		ground(f, c, emit, ctx);
		return;
	}
	if (!taken)
		ground(f, c, emit, ctx);
}
