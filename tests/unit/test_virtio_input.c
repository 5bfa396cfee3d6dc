/* hv/dev/virtio/input.c and input_keymap.c: the configuration space
 * (virtio 1.1 5.8.4), keys as EV_KEY + EV_SYN events (5.8.6) once the
 * driver is live and not before, events kept while no buffer is posted,
 * the bound on them, and a buffer too short for an event. */
#include "fake_vm.h"
#include "test_virtio_fake.h"
#include <bulkhead/kbd.h>
#include <bulkhead/ps2_mouse.h>
#include <bulkhead/virtio_input.h>

#define EVBUF 0x10000U
#define NEEDS_RESET 0x40U

static const struct vm_device *input;
static bool (*key_fn)(void *dev, u8 code);
static void *key_dev;

void kbd_attach_evdev(struct dev_host *h, bool (*f)(void *dev, u8 code), void *dev)
{
	assert_ptr_equal(h, &vm.dev);
	key_fn = f;
	key_dev = dev;
}

static void (*move_fn)(void *dev, const struct ps2_motion *m);
static void *move_dev;

void kbd_attach_pointer(struct dev_host *h, void (*f)(void *dev, const struct ps2_motion *m),
			void *dev)
{
	assert_ptr_equal(h, &vm.dev);
	move_fn = f;
	move_dev = dev;
}

static int setup(void **state)
{
	struct vm_config cfg = { .display = true, .fb_width = 640, .fb_height = 480 };
	const char *err = NULL;
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(ram, 0, sizeof(ram));
	memset(&fn, 0, sizeof(fn));
	key_fn = NULL;
	vm_init_dev_host(&vm);
	input = find_vm_device("virtio_input");
	assert_true(input->create(&vm.dev, &cfg, &err));
	assert_non_null(key_fn);
	return 0;
}

static bool key(u8 b)
{
	return key_fn(key_dev, b);
}

/* Posts n event buffers of len bytes from descriptor first on. */
static void post_buffers(u16 first, u16 n, u32 len)
{
	for (u16 i = first; i < first + n; i++) {
		desc(i, EVBUF + 16U * i, len, 2, 0);
		post(i);
	}
	kick(0);
}

/* The event in used ring entry i: its buffer's type, code, value. */
static void event(u16 i, u16 *type, u16 *code, u32 *value)
{
	u32 id = get32u(USED + 4 + 8U * i);
	u64 at = EVBUF + 16U * id;

	assert_int_equal(get32u(USED + 8 + 8U * i), 8);
	*type = get16(at);
	*code = get16(at + 2);
	*value = get32u(at + 4);
}

static void expect_event(u16 i, u16 type, u16 code, u32 value)
{
	u16 t, c;
	u32 v;

	event(i, &t, &c, &v);
	assert_int_equal(t, type);
	assert_int_equal(c, code);
	assert_int_equal(v, value);
}

static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(fn.id.device, 0x1040 + 18);
}

static void test_config(void **state)
{
	(void)state;
	wr(0x2000, 1, VINPUT_CFG_ID_NAME);
	wr(0x2001, 1, 0);
	assert_int_equal(rd(0x2002, 1), 24);
	assert_int_equal(rd(0x2008, 1), 'B');
	wr(0x2000, 1, VINPUT_CFG_EV_BITS);
	wr(0x2001, 1, EV_KEY);
	assert_int_equal(rd(0x2002, 1), 16);
	assert_int_equal(rd(0x2008 + 30 / 8, 1) & (1U << (30 % 8)), 1U << (30 % 8)); /* KEY_A */
	assert_int_equal(rd(0x2008, 1) & 1, 0); /* KEY_RESERVED */
	wr(0x2001, 1, 0x03); /* EV_ABS: none */
	assert_int_equal(rd(0x2002, 1), 0);
	wr(0x2000, 1, VINPUT_CFG_ABS_INFO);
	assert_int_equal(rd(0x2002, 1), 0);
	wr(0x2000, 1, VINPUT_CFG_UNSET);
	assert_int_equal(rd(0x2002, 1), 0);
}

static void test_not_live_goes_to_ps2(void **state)
{
	(void)state;
	assert_false(key(0x1e));
}

static void test_keys_as_events(void **state)
{
	(void)state;
	bring_up_queues(V1, 2);
	post_buffers(0, 8, 8);
	assert_true(key(0x1e));          /* A down */
	assert_true(key(0x9e));          /* A up */
	assert_true(key(0xe0));          /* Up: E0 48 */
	assert_true(key(0x48));
	assert_int_equal(get16(USED + 2), 6);
	expect_event(0, EV_KEY, 30, 1);
	expect_event(1, EV_SYN, 0, 0);
	expect_event(2, EV_KEY, 30, 0);
	expect_event(3, EV_SYN, 0, 0);
	expect_event(4, EV_KEY, 103, 1);
	expect_event(5, EV_SYN, 0, 0);
	assert_false(rd(0x14, 1) & NEEDS_RESET);
}

static void test_events_wait_for_buffers(void **state)
{
	(void)state;
	bring_up_queues(V1, 2);
	assert_true(key(0x10)); /* Q */
	assert_int_equal(get16(USED + 2), 0);
	post_buffers(0, 2, 8);
	assert_int_equal(get16(USED + 2), 2);
	expect_event(0, EV_KEY, 16, 1);
	expect_event(1, EV_SYN, 0, 0);
}

/* Without buffers at most 64 keys wait; the rest are dropped, and the
 * ones kept come out first and in order. */
static void test_pending_bounded(void **state)
{
	(void)state;
	bring_up_queues(V1, 2);
	for (unsigned i = 0; i < 100; i++)
		assert_true(key((u8)(0x02 + i % 10)));
	post_buffers(0, 16, 8);
	assert_int_equal(get16(USED + 2), 16);
	expect_event(0, EV_KEY, 2, 1);
	expect_event(2, EV_KEY, 3, 1);
	expect_event(14, EV_KEY, 9, 1);
}

static void test_short_buffer_fails_device(void **state)
{
	(void)state;
	bring_up_queues(V1, 2);
	post_buffers(0, 1, 4);
	key(0x1e);
	assert_true(rd(0x14, 1) & NEEDS_RESET);
}

static void test_status_queue_consumed(void **state)
{
	u16 used = get16(USEDQ(1) + 2);
	(void)state;
	bring_up_queues(V1, 2);
	descq(1, 0, EVBUF, 8, 0, 0);
	postq(1, 0, 16);
	kick(1);
	assert_int_equal(get16(USEDQ(1) + 2), (u16)(used + 1));
}

static void test_keymap(void **state)
{
	u8 st = 0;
	bool down = false;
	(void)state;
	assert_int_equal(vinput_scancode_to_key(&st, 0x01, &down), 1); /* Esc */
	assert_true(down);
	assert_int_equal(vinput_scancode_to_key(&st, 0xd8, &down), 88); /* F12 up */
	assert_false(down);
	assert_int_equal(vinput_scancode_to_key(&st, 0xe0, &down), 0);
	assert_int_equal(vinput_scancode_to_key(&st, 0x9d, &down), 97); /* Right Ctrl up */
	assert_false(down);
	assert_int_equal(vinput_scancode_to_key(&st, 0xe0, &down), 0);
	assert_int_equal(vinput_scancode_to_key(&st, 0x2a, &down), 0); /* fake shift */
	assert_int_equal(vinput_scancode_to_key(&st, 0x2a, &down), 42); /* Left Shift */
	assert_int_equal(vinput_scancode_to_key(&st, 0x00, &down), 0);
	assert_int_equal(vinput_scancode_to_key(&st, 0x59, &down), 0);
}

static void test_absent_without_display(void **state)
{
	struct vm_config cfg = { .display = false };
	const char *err = NULL;
	(void)state;
	memset(&fn, 0, sizeof(fn));
	key_fn = NULL;
	assert_true(input->create(&vm.dev, &cfg, &err));
	assert_null(fn.bar_ops[1]);
	assert_null(key_fn);
}

/* The tablet: a device of its own on a 640x480 display. */
static int setup_tablet(void **state)
{
	struct vm_config cfg = { .display = true, .fb_width = 640, .fb_height = 480 };
	const char *err = NULL;
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(ram, 0, sizeof(ram));
	memset(&fn, 0, sizeof(fn));
	move_fn = NULL;
	vm_init_dev_host(&vm);
	assert_true(find_vm_device("virtio_tablet")->create(&vm.dev, &cfg, &err));
	assert_non_null(move_fn);
	return 0;
}

static void move(s32 dx, s32 dy, u8 buttons)
{
	struct ps2_motion m = { dx, dy, buttons };

	move_fn(move_dev, &m);
}

static void test_tablet_config(void **state)
{
	(void)state;
	wr(0x2000, 1, VINPUT_CFG_ID_NAME);
	wr(0x2001, 1, 0);
	assert_int_equal(rd(0x2002, 1), 22);
	wr(0x2000, 1, VINPUT_CFG_EV_BITS);
	wr(0x2001, 1, EV_ABS);
	assert_int_equal(rd(0x2002, 1), 1);
	assert_int_equal(rd(0x2008, 1), 3); /* ABS_X, ABS_Y */
	wr(0x2001, 1, EV_KEY);
	assert_int_equal(rd(0x2002, 1), BTN_LEFT / 8 + 1);
	assert_int_equal(rd(0x2008 + BTN_LEFT / 8, 1), 1U << (BTN_LEFT % 8));
	assert_int_equal(rd(0x2008 + 30 / 8, 1), 0); /* no KEY_A */
	wr(0x2000, 1, VINPUT_CFG_ABS_INFO);
	wr(0x2001, 1, ABS_X);
	assert_int_equal(rd(0x2002, 1), 20);
	assert_int_equal(rd(0x2008, 4), 0);   /* min */
	assert_int_equal(rd(0x200c, 4), 639); /* max */
	wr(0x2001, 1, ABS_Y);
	assert_int_equal(rd(0x200c, 4), 479);
	wr(0x2001, 1, 2); /* ABS_Z: none */
	assert_int_equal(rd(0x2002, 1), 0);
}

/* From the centre (320, 240): motion moves it, clamped to the screen; the
 * button's change is an event, its staying down is not. */
static void test_tablet_motion(void **state)
{
	(void)state;
	move(10, 10, 0); /* not live: dropped */
	bring_up_queues(V1, 2);
	post_buffers(0, 16, 8);
	move(5, -7, 0);
	assert_int_equal(get16(USED + 2), 3);
	expect_event(0, EV_ABS, ABS_X, 325);
	expect_event(1, EV_ABS, ABS_Y, 233);
	expect_event(2, EV_SYN, 0, 0);
	move(-1000, 1000, 1);
	assert_int_equal(get16(USED + 2), 7);
	expect_event(3, EV_ABS, ABS_X, 0);
	expect_event(4, EV_ABS, ABS_Y, 479);
	expect_event(5, EV_KEY, BTN_LEFT, 1);
	expect_event(6, EV_SYN, 0, 0);
	move(700, 0, 1);
	assert_int_equal(get16(USED + 2), 10);
	expect_event(7, EV_ABS, ABS_X, 639);
	expect_event(9, EV_SYN, 0, 0);
	move(0, 0, 0);
	expect_event(12, EV_KEY, BTN_LEFT, 0);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identity),
		T(test_config),
		T(test_not_live_goes_to_ps2),
		T(test_keys_as_events),
		T(test_events_wait_for_buffers),
		T(test_pending_bounded),
		T(test_short_buffer_fails_device),
		T(test_status_queue_consumed),
		T(test_keymap),
		T(test_absent_without_display),
		cmocka_unit_test_setup(test_tablet_config, setup_tablet),
		cmocka_unit_test_setup(test_tablet_motion, setup_tablet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
