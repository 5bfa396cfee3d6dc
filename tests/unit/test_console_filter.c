/* hv/core/console_filter.c and console_ring.c: what of a guest's output
 * reaches the terminal in focus mode (the policy in console_filter.h and
 * docs/user-guide.md), and the unfocused VMs' ring buffer. */
#include "unit.h"
#include <stdio.h>
#include <string.h>
#include <bulkhead/console_filter.h>
#include <bulkhead/console_ring.h>

static char out[4096];   /* text tokens, concatenated */
static char queries[256];
static size_t out_len, q_len;
static unsigned tokens;

static void collect(void *ctx, const u8 *s, u32 n, enum console_token kind)
{
	(void)ctx;
	assert_true(n >= 1 && n <= CONSOLE_FILTER_SEQ_MAX);
	tokens++;
	if (kind == CONSOLE_QUERY) {
		assert_true(q_len + n < sizeof(queries));
		memcpy(queries + q_len, s, n);
		q_len += n;
		queries[q_len] = '\0';
		return;
	}
	assert_int_equal(kind, CONSOLE_TEXT);
	assert_true(out_len + n < sizeof(out));
	memcpy(out + out_len, s, n);
	out_len += n;
	out[out_len] = '\0';
}

static struct console_filter f;

static const char *feed_n(const char *s, size_t n)
{
	out_len = q_len = 0;
	out[0] = queries[0] = '\0';
	tokens = 0;
	for (size_t i = 0; i < n; i++)
		console_filter_feed(&f, (u8)s[i], collect, NULL);
	return out;
}

static const char *feed(const char *s)
{
	return feed_n(s, strlen(s));
}

static int setup(void **state)
{
	(void)state;
	memset(&f, 0, sizeof(f));
	console_filter_reset(&f);
	return 0;
}

static void test_text_and_controls(void **state)
{
	(void)state;
	assert_string_equal(feed("hello, world\r\n"), "hello, world\r\n");
	assert_string_equal(feed("a\tb\bc\a"), "a\tb\bc\a");
	/* other C0 controls, DEL: SO/SI would switch the terminal's charset */
	assert_string_equal(feed("x\x0ey\x0fz\x0b\x0c\x7f\x01."), "xyz.");
	assert_true(f.dropped >= 6);
}

static void test_utf8(void **state)
{
	(void)state;
	/* é, €, U+1F600: passed whole, one token each */
	assert_string_equal(feed("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
			    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	assert_int_equal(tokens, 3);
	/* box drawing as top and vi show it in a UTF-8 locale */
	assert_string_equal(feed("\xe2\x94\x80"), "\xe2\x94\x80");
	/* 8-bit C1 controls: CSI, OSC, DCS, ST */
	assert_string_equal(feed("a\x9b" "2J\x9d" "0;t\x07\x90q\x9c" "b"), "a2J0;t\x07qb");
	/* C1 in UTF-8 form (U+009B), overlong '/', surrogate, > U+10FFFF */
	assert_string_equal(feed("\xc2\x9b" "1\xc0\xaf" "2\xed\xa0\x80" "3\xf4\x90\x80\x80" "4"),
			    "1234");
	/* a character cut short: dropped, the next byte is not lost */
	assert_string_equal(feed("\xe2\x82" "A"), "A");
	assert_string_equal(feed("\xe2\x82\x1b[1m"), "\x1b[1m");
}

static void test_drawing_sequences_pass(void **state)
{
	static const char *const ok[] = {
		"\x1b[H", "\x1b[2J", "\x1b[K", "\x1b[1K", "\x1b[12;40H", "\x1b[5A", "\x1b[B",
		"\x1b[3C", "\x1b[D", "\x1b[24;1f", "\x1b[7d", "\x1b[G", "\x1b[4@", "\x1b[2P",
		"\x1b[3L", "\x1b[M", "\x1b[5X", "\x1b[S", "\x1b[2T", "\x1b[1;24r", "\x1b[r",
		"\x1b[m", "\x1b[0;1;31;44m", "\x1b[38;5;208m", "\x1b[38;2;1;2;3m",
		"\x1b[38:2::1:2:3m", "\x1b[s", "\x1b[u", "\x1b[4h", "\x1b[4l",
		"\x1b[?1049h", "\x1b[?1049l", "\x1b[?25l", "\x1b[?25h", "\x1b[?1h", "\x1b[?7h",
		"\x1b[?1;25h", "\x1b[?2004h", "\x1b[?47l",
		"\x1b" "7", "\x1b" "8", "\x1b=", "\x1b>", "\x1bM", "\x1b" "D", "\x1b" "E",
		"\x1b(B", "\x1b(0", "\x1b)0",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char in[64];

		snprintf(in, sizeof(in), "<%s>", ok[i]);
		assert_string_equal(feed(in), in);
		assert_int_equal(tokens, 3); /* the sequence is one token */
	}
}

static void test_dangerous_sequences_dropped(void **state)
{
	static const char *const bad[] = {
		"\x1b" "c",                        /* RIS: what only the hypervisor sends */
		"\x1b]0;fake title\x07",           /* OSC: window title */
		"\x1b]2;title\x1b\\",              /* OSC ended by ST */
		"\x1b]52;c;ZXZpbA==\x07",          /* OSC 52: clipboard */
		"\x1bPq#0;2;0;0;0\x1b\\",          /* DCS (sixel) */
		"\x1b_apc\x1b\\", "\x1b^pm\x1b\\", "\x1bXsos\x1b\\",
		"\x1b[8;100;200t", "\x1b[21t",     /* window operations, title report */
		"\x1b[3J",                         /* erase the scrollback */
		"\x1b[5i", "\x1b[4i",              /* printer */
		"\x1b[?3h",                        /* 132 columns: resizes */
		"\x1b[?1000h", "\x1b[?1006h",      /* mouse reporting */
		"\x1b[?1;1000h",                   /* one bad mode spoils the lot */
		"\x1b[20h",                        /* LF as CR LF for everyone after */
		"\x1b[>c", "\x1b[>4;1m", "\x1b[=c",/* private queries and settings */
		"\x1b[ q", "\x1b[!p", "\x1b[1\"q", /* intermediates: cursor style, DECSTR */
		"\x1b[1;1;1;1;1T",                 /* mouse tracking in xterm */
		"\x1b#8", "\x1b#6", "\x1b%G",      /* screen fill, double width, coding */
		"\x1bN", "\x1bO", "\x1bn", "\x1bo", "\x1bZ", "\x1b\\",
		"\x1b(A", "\x1b(<",
		"\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17m", /* over 32 bytes */
		"\x1b[2?J",                        /* private marker out of place */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char in[96];
		u64 before = f.dropped;

		snprintf(in, sizeof(in), "<%s>", bad[i]);
		assert_string_equal(feed(in), "<>");
		assert_true(f.dropped > before);
	}
}

static void test_queries(void **state)
{
	(void)state;
	assert_string_equal(feed("a\x1b[6nb\x1b[5n\x1b[c\x1b[0c"), "ab");
	assert_string_equal(queries, "\x1b[6n\x1b[5n\x1b[c\x1b[0c");
	assert_string_equal(feed("\x1b[7n\x1b[1c"), "");
	assert_string_equal(queries, "");
}

/* A sequence interrupted: ESC starts a new one, CAN/SUB cancel, a control
 * ends it and is itself processed; nothing half-done reaches the terminal. */
static void test_interrupted_sequences(void **state)
{
	(void)state;
	assert_string_equal(feed("\x1b[12\x1b[1m"), "\x1b[1m");
	assert_string_equal(feed("\x1b[12\x18" "x"), "x");
	assert_string_equal(feed("\x1b[12\x1a" "x"), "x");
	assert_string_equal(feed("\x1b[12\nx"), "\nx");
	assert_string_equal(feed("\x1b\nx"), "\nx");
	assert_string_equal(feed("\x1b(\nx"), "\nx");
	/* a string is swallowed to its end, controls and C1 bytes included */
	assert_string_equal(feed("\x1b]0;a\nb\x9b" "31mc\x07" "d"), "d");
	/* ESC in a string ends it and starts a sequence of its own */
	assert_string_equal(feed("\x1b]0;t\x1b[1mx"), "\x1b[1mx");
	assert_string_equal(feed("\x1b]0;t\x1b\x1b[1mx"), "\x1b[1mx");
	/* a sequence split across feeds is passed once complete */
	assert_string_equal(feed("\x1b["), "");
	assert_string_equal(feed("31"), "");
	assert_string_equal(feed("m."), "\x1b[31m.");
}

/* The property the banner rests on: whatever the guest sends, no ESC c
 * comes out; ESC is only ever followed by the first byte of an allowed
 * sequence. Exhaustive over two-byte ESC pairs and all byte triples after
 * ESC [. */
static void test_no_ris_ever(void **state)
{
	(void)state;
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			char in[4] = { 0x1b, (char)a, (char)b, 'c' };

			feed_n(in, 4);
			for (size_t i = 0; i + 1 < out_len; i++)
				if (out[i] == 0x1b)
					assert_true(out[i + 1] == '[' || out[i + 1] == '(' ||
						    out[i + 1] == ')' || strchr("78=>DEMH", out[i + 1]));
			feed("\x18"); /* back to ground */
		}
	}
	assert_string_equal(feed("\x1b\x1b" "c"), "");
	assert_string_equal(feed("\x1b[\x1b" "c"), "");
	assert_string_equal(feed("\x1b]\x1b" "c"), "");
}

static void put_str(struct console_ring *r, const char *s)
{
	console_ring_put(r, (const u8 *)s, (u32)strlen(s));
}

static char drained[CONSOLE_RING_SIZE + 1];
static size_t drained_len;

static void drain_fn(void *ctx, const u8 *s, u32 n)
{
	(void)ctx;
	assert_true(drained_len + n <= CONSOLE_RING_SIZE);
	memcpy(drained + drained_len, s, n);
	drained_len += n;
	drained[drained_len] = '\0';
}

static void test_ring(void **state)
{
	static struct console_ring r;
	u64 dropped;

	(void)state;
	memset(&r, 0, sizeof(r));
	put_str(&r, "one\r\ntwo\r\n");
	drained_len = 0;
	assert_int_equal(console_ring_drain(&r, drain_fn, NULL), 0);
	assert_string_equal(drained, "one\r\ntwo\r\n");
	/* empty after a drain */
	drained_len = 0;
	drained[0] = '\0';
	assert_int_equal(console_ring_drain(&r, drain_fn, NULL), 0);
	assert_int_equal(drained_len, 0);

	/* 1000 lines of 20 bytes: 20000 > 16 KiB; the newest are kept, the
	 * replay starts at a line start, and the dropped count adds up */
	for (int i = 0; i < 1000; i++) {
		char l[32];

		snprintf(l, sizeof(l), "line %04d .........\n", i);
		assert_int_equal(strlen(l), 20);
		put_str(&r, l);
	}
	drained_len = 0;
	dropped = console_ring_drain(&r, drain_fn, NULL);
	assert_int_equal(dropped + drained_len, 20000);
	assert_int_equal(drained_len % 20, 0);
	assert_memory_equal(drained, "line ", 5);
	assert_memory_equal(drained + drained_len - 20, "line 0999 .........\n", 20);
	assert_true(drained_len > CONSOLE_RING_SIZE - 20);
	assert_int_equal(r.count, 0);
	assert_int_equal(r.dropped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_text_and_controls, setup),
		cmocka_unit_test_setup(test_utf8, setup),
		cmocka_unit_test_setup(test_drawing_sequences_pass, setup),
		cmocka_unit_test_setup(test_dangerous_sequences_dropped, setup),
		cmocka_unit_test_setup(test_queries, setup),
		cmocka_unit_test_setup(test_interrupted_sequences, setup),
		cmocka_unit_test_setup(test_no_ris_ever, setup),
		cmocka_unit_test(test_ring),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
