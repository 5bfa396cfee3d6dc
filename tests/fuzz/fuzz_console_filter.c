/* libFuzzer target: any byte stream from a guest through the focus-mode
 * filter (hv/core/console_filter.c) into a VM's ring buffer
 * (console_ring.c). Checks the policy's invariants on every token passed:
 * at most CONSOLE_FILTER_SEQ_MAX bytes; an ESC only at a token's start and
 * followed by '[', '(' , ')' or one of 7 8 = > D E M H (so never RIS, ESC c,
 * which marks the hypervisor's banner, nor OSC/DCS strings); no C0 control
 * but BEL BS HT LF CR, no DEL, no C1 byte outside a UTF-8 character; and
 * that the ring gives back all it kept, the newest bytes, in order. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <bulkhead/console_filter.h>
#include <bulkhead/console_ring.h>

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static struct console_ring ring;
static u8 passed[1 << 16]; /* the newest passed bytes, for the ring check */
static u64 total;
static u8 replay[CONSOLE_RING_SIZE];
static u32 replay_len;

static void check_token(const u8 *s, u32 n)
{
	CHECK(n >= 1 && n <= CONSOLE_FILTER_SEQ_MAX);
	if (s[0] == 0x1b) {
		CHECK(n >= 2);
		CHECK(s[1] == '[' || s[1] == '(' || s[1] == ')' || memchr("78=>DEMH", s[1], 8));
		for (u32 i = 1; i < n; i++)
			CHECK(s[i] >= 0x20 && s[i] < 0x7f);
		return;
	}
	if (s[0] < 0x80) {
		CHECK(n == 1);
		CHECK((s[0] >= 0x20 && s[0] < 0x7f) || memchr("\a\b\t\n\r", s[0], 5));
		return;
	}
	CHECK(s[0] >= 0xc2 && s[0] <= 0xf4); /* a whole UTF-8 character */
	CHECK(n == (s[0] < 0xe0 ? 2U : s[0] < 0xf0 ? 3U : 4U));
	CHECK(!(s[0] == 0xc2 && s[1] < 0xa0)); /* not U+0080-U+009F */
	for (u32 i = 1; i < n; i++)
		CHECK(s[i] >= 0x80 && s[i] <= 0xbf);
}

static void emit(void *ctx, const u8 *s, u32 n, enum console_token kind)
{
	(void)ctx;
	check_token(s, n);
	CHECK(kind == CONSOLE_TEXT || (kind == CONSOLE_QUERY && s[0] == 0x1b));
	for (u32 i = 0; i < n; i++)
		passed[(total + i) % sizeof(passed)] = s[i];
	total += n;
	console_ring_put(&ring, s, n);
}

static void drain(void *ctx, const u8 *s, u32 n)
{
	(void)ctx;
	CHECK(replay_len + n <= CONSOLE_RING_SIZE);
	memcpy(replay + replay_len, s, n);
	replay_len += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct console_filter f;
	u64 dropped;

	memset(&f, 0, sizeof(f));
	memset(&ring, 0, sizeof(ring));
	console_filter_reset(&f);
	total = 0;
	replay_len = 0;
	for (size_t i = 0; i < size; i++)
		console_filter_feed(&f, data[i], emit, NULL);
	dropped = console_ring_drain(&ring, drain, NULL);
	CHECK(dropped + replay_len == total);
	/* the replay is the newest bytes passed, in order */
	for (u32 i = 0; i < replay_len && total <= sizeof(passed); i++)
		CHECK(replay[replay_len - 1 - i] == passed[(total - 1 - i) % sizeof(passed)]);
	return 0;
}
