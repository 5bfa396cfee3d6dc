/* hv/dev/virtio/gpu.c: each 2D command of virtio 1.1 5.7.6.8 and its
 * errors (5.7.6.7: bad resource and scanout ids, rectangles outside the
 * resource, backing outside RAM, truncated commands, the memory budget),
 * what the screen is told (scanout and flushed rectangles), and the
 * chains that are not commands (DEVICE_NEEDS_RESET). */
#include "fake_vm.h"
#include "test_virtio_fake.h"
#include <stdlib.h>
#include <bulkhead/virtio_gpu.h>

#define DISP_W 640U
#define DISP_H 480U
#define CMD   0x10000U
#define RESP  0x11000U
#define BACK  0x20000U /* backing of the test resources */
#define NEEDS_RESET 0x40U

static const struct vm_device *gpu;
static void *budget_mem[8];
static unsigned budget_n;
static struct gpu_scanout shown;
static bool shown_on;
static unsigned scanout_calls, flushes;
static struct rect last_flush;

void *gpu_budget_alloc(struct dev_host *h, u64 n)
{
	(void)h;
	assert_true(budget_n < 8);
	return budget_mem[budget_n++] = calloc(1, n);
}

void display_gpu_scanout(struct dev_host *h, const struct gpu_scanout *s)
{
	assert_ptr_equal(h, &vm.dev);
	scanout_calls++;
	shown_on = s != NULL;
	if (s)
		shown = *s;
}

void display_gpu_flush(struct dev_host *h, struct rect r)
{
	assert_ptr_equal(h, &vm.dev);
	flushes++;
	last_flush = r;
}

static int setup(void **state)
{
	struct vm_config cfg = { .display = true, .fb_width = DISP_W, .fb_height = DISP_H };
	const char *err = NULL;
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(ram, 0, sizeof(ram));
	memset(&fn, 0, sizeof(fn));
	shown_on = false;
	scanout_calls = flushes = 0;
	vm_init_dev_host(&vm);
	gpu = find_vm_device("virtio_gpu");
	assert_true(gpu->create(&vm.dev, &cfg, &err));
	bring_up_queues(V1, 2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	while (budget_n)
		free(budget_mem[--budget_n]);
	return 0;
}

static void put32a(u64 a, u32 v) { memcpy(&ram[a], &v, 4); }
static void put64a(u64 a, u64 v) { memcpy(&ram[a], &v, 8); }

static u16 heads[2];

/* Posts a command of len bytes at CMD (header type, flags, fence filled
 * by the caller's words) with a response buffer of rlen bytes on queue
 * q; returns the response type, 0 if none was written. */
static u32 post_cmd(u16 q, u32 len, u32 rlen)
{
	u16 h = heads[q];

	memset(&ram[RESP], 0, 0x1000);
	descq(q, h, CMD, len, rlen ? 1 : 0, (u16)((h + 1) % 16));
	if (rlen)
		descq(q, (u16)((h + 1) % 16), RESP, rlen, 2, 0);
	postq(q, h, 16);
	heads[q] = (u16)((h + 2) % 16);
	kick(q);
	return get32u(RESP);
}

static void hdr(u32 type)
{
	memset(&ram[CMD], 0, 0x1000);
	put32a(CMD, type);
}

static u32 create(u32 id, u32 fmt, u32 w, u32 h)
{
	hdr(GPU_CMD_RESOURCE_CREATE_2D);
	put32a(CMD + 24, id);
	put32a(CMD + 28, fmt);
	put32a(CMD + 32, w);
	put32a(CMD + 36, h);
	return post_cmd(0, 40, 24);
}

/* n entries of len bytes each from gpa on */
static u32 attach(u32 id, u32 n, u64 gpa, u32 len)
{
	hdr(GPU_CMD_RESOURCE_ATTACH_BACKING);
	put32a(CMD + 24, id);
	put32a(CMD + 28, n);
	for (u32 i = 0; i < n; i++) {
		put64a(CMD + 32 + 16 * i, gpa + (u64)i * len);
		put32a(CMD + 40 + 16 * i, len);
	}
	return post_cmd(0, 32 + 16 * n, 24);
}

static void rect_at(u64 a, u32 x, u32 y, u32 w, u32 h)
{
	put32a(a, x);
	put32a(a + 4, y);
	put32a(a + 8, w);
	put32a(a + 12, h);
}

static u32 transfer(u32 id, u32 x, u32 y, u32 w, u32 h, u64 off)
{
	hdr(GPU_CMD_TRANSFER_TO_HOST_2D);
	rect_at(CMD + 24, x, y, w, h);
	put64a(CMD + 40, off);
	put32a(CMD + 48, id);
	return post_cmd(0, 56, 24);
}

static u32 scanout(u32 sid, u32 id, u32 x, u32 y, u32 w, u32 h)
{
	hdr(GPU_CMD_SET_SCANOUT);
	rect_at(CMD + 24, x, y, w, h);
	put32a(CMD + 40, sid);
	put32a(CMD + 44, id);
	return post_cmd(0, 48, 24);
}

static u32 flush(u32 id, u32 x, u32 y, u32 w, u32 h)
{
	hdr(GPU_CMD_RESOURCE_FLUSH);
	rect_at(CMD + 24, x, y, w, h);
	put32a(CMD + 40, id);
	return post_cmd(0, 48, 24);
}

static u32 simple(u32 type, u32 id)
{
	hdr(type);
	put32a(CMD + 24, id);
	return post_cmd(0, 32, 24);
}

static bool failed(void)
{
	return rd(0x14, 1) & NEEDS_RESET;
}

static void test_identity_and_config(void **state)
{
	(void)state;
	assert_int_equal(fn.id.device, 0x1040 + 16);
	assert_int_equal(rd(0x2000 + 8, 4), 1); /* num_scanouts */
	assert_int_equal(rd(0x2000 + 12, 4), 0); /* num_capsets */
}

static void test_display_info(void **state)
{
	(void)state;
	hdr(GPU_CMD_GET_DISPLAY_INFO);
	assert_int_equal(post_cmd(0, 24, GPU_DISPLAY_INFO_LEN), GPU_RESP_OK_DISPLAY_INFO);
	assert_int_equal(get32u(RESP + 24), 0);
	assert_int_equal(get32u(RESP + 32), DISP_W);
	assert_int_equal(get32u(RESP + 36), DISP_H);
	assert_int_equal(get32u(RESP + 40), 1);
	assert_int_equal(get32u(RESP + 24 + 24 + 16), 0); /* scanout 1 disabled */
	assert_int_equal(get32u(USEDQ(0) + 8), GPU_DISPLAY_INFO_LEN);
}

static void test_picture_path(void **state)
{
	(void)state;
	for (u32 i = 0; i < 16 * 16; i++)
		put32a(BACK + 4 * i, 0x10000 + i);
	assert_int_equal(create(7, GPU_FORMAT_B8G8R8X8_UNORM, 16, 16), GPU_RESP_OK_NODATA);
	/* two entries of 512 bytes: rows 0-7 and 8-15 */
	assert_int_equal(attach(7, 2, BACK, 512), GPU_RESP_OK_NODATA);
	/* the lower right quarter; offset of (8, 8) in the backing */
	assert_int_equal(transfer(7, 8, 8, 8, 8, 8 * 64 + 8 * 4), GPU_RESP_OK_NODATA);
	assert_false(shown_on);
	assert_int_equal(scanout(0, 7, 0, 0, 16, 16), GPU_RESP_OK_NODATA);
	assert_true(shown_on);
	assert_int_equal(shown.pitch, 16);
	assert_int_equal(shown.px[8 * 16 + 8], 0x10000 + 8 * 16 + 8);
	assert_int_equal(shown.px[15 * 16 + 15], 0x10000 + 15 * 16 + 15);
	assert_int_equal(shown.px[7 * 16 + 8], 0);  /* not transferred */
	assert_int_equal(shown.px[8 * 16 + 7], 0);
	assert_int_equal(flush(7, 4, 8, 12, 8), GPU_RESP_OK_NODATA);
	assert_int_equal(flushes, 1);
	assert_int_equal(last_flush.x, 4);
	assert_int_equal(last_flush.y, 8);
	assert_int_equal(last_flush.w, 12);
	assert_int_equal(last_flush.h, 8);
	/* a flush of another resource is not on screen */
	assert_int_equal(create(8, GPU_FORMAT_B8G8R8A8_UNORM, 4, 4), GPU_RESP_OK_NODATA);
	assert_int_equal(flush(8, 0, 0, 4, 4), GPU_RESP_OK_NODATA);
	assert_int_equal(flushes, 1);
	/* resource 0 turns the scanout off: the RAM framebuffer again */
	assert_int_equal(scanout(0, 0, 0, 0, 0, 0), GPU_RESP_OK_NODATA);
	assert_false(shown_on);
	assert_false(failed());
}

static void test_scanout_rect_offset(void **state)
{
	(void)state;
	assert_int_equal(create(1, GPU_FORMAT_B8G8R8X8_UNORM, 32, 32), GPU_RESP_OK_NODATA);
	assert_int_equal(scanout(0, 1, 16, 16, 16, 16), GPU_RESP_OK_NODATA);
	/* only the part inside the scanout, relative to it */
	assert_int_equal(flush(1, 0, 0, 20, 24), GPU_RESP_OK_NODATA);
	assert_int_equal(flushes, 1);
	assert_int_equal(last_flush.x, 0);
	assert_int_equal(last_flush.y, 0);
	assert_int_equal(last_flush.w, 4);
	assert_int_equal(last_flush.h, 8);
	assert_int_equal(flush(1, 0, 0, 8, 8), GPU_RESP_OK_NODATA); /* outside it */
	assert_int_equal(flushes, 1);
}

static void test_create_errors(void **state)
{
	(void)state;
	assert_int_equal(create(0, GPU_FORMAT_B8G8R8X8_UNORM, 4, 4), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(create(3, 67 /* R8G8B8A8 */, 4, 4), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(create(3, GPU_FORMAT_B8G8R8X8_UNORM, 0, 4), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(create(3, GPU_FORMAT_B8G8R8X8_UNORM, 4, GPU_MAX_DIM + 1),
			 GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(create(3, GPU_FORMAT_B8G8R8X8_UNORM, 4, 4), GPU_RESP_OK_NODATA);
	assert_int_equal(create(3, GPU_FORMAT_B8G8R8X8_UNORM, 4, 4), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_false(failed());
}

/* The budget is two display-sized resources and 1 MiB: a third is refused,
 * and the memory of an unref'd one is used again. */
static void test_budget(void **state)
{
	(void)state;
	assert_int_equal(create(1, GPU_FORMAT_B8G8R8X8_UNORM, DISP_W, DISP_H), GPU_RESP_OK_NODATA);
	assert_int_equal(create(2, GPU_FORMAT_B8G8R8X8_UNORM, DISP_W, DISP_H), GPU_RESP_OK_NODATA);
	assert_int_equal(create(3, GPU_FORMAT_B8G8R8X8_UNORM, DISP_W, DISP_H),
			 GPU_RESP_ERR_OUT_OF_MEMORY);
	assert_int_equal(create(4, GPU_FORMAT_B8G8R8X8_UNORM, GPU_MAX_DIM, GPU_MAX_DIM),
			 GPU_RESP_ERR_OUT_OF_MEMORY);
	assert_int_equal(simple(GPU_CMD_RESOURCE_UNREF, 1), GPU_RESP_OK_NODATA);
	assert_int_equal(create(3, GPU_FORMAT_B8G8R8X8_UNORM, DISP_W, DISP_H), GPU_RESP_OK_NODATA);
	/* resource slots run out before ids do */
	for (u32 id = 10; id < 10 + GPU_MAX_RESOURCES - 2; id++)
		assert_int_equal(create(id, GPU_FORMAT_B8G8R8X8_UNORM, 8, 8), GPU_RESP_OK_NODATA);
	assert_int_equal(create(99, GPU_FORMAT_B8G8R8X8_UNORM, 8, 8), GPU_RESP_ERR_OUT_OF_MEMORY);
	assert_false(failed());
}

static void test_backing_errors(void **state)
{
	(void)state;
	assert_int_equal(create(5, GPU_FORMAT_B8G8R8X8_UNORM, 16, 16), GPU_RESP_OK_NODATA);
	assert_int_equal(attach(6, 1, BACK, 1024), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(attach(5, 0, BACK, 1024), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(attach(5, 1, RAM_BYTES - 512, 1024), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(attach(5, 1, ~0ULL - 100, 1024), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(attach(5, 1, BACK, 0), GPU_RESP_ERR_INVALID_PARAMETER);
	/* more entries than the command carries */
	hdr(GPU_CMD_RESOURCE_ATTACH_BACKING);
	put32a(CMD + 24, 5);
	put32a(CMD + 28, 4);
	assert_int_equal(post_cmd(0, 32 + 16, 24), GPU_RESP_ERR_INVALID_PARAMETER);
	hdr(GPU_CMD_RESOURCE_ATTACH_BACKING);
	put32a(CMD + 24, 5);
	put32a(CMD + 28, GPU_MAX_ENTRIES + 1);
	assert_int_equal(post_cmd(0, 32 + 16, 24), GPU_RESP_ERR_INVALID_PARAMETER);
	/* far more bytes than the resource needs */
	assert_int_equal(attach(5, 1, 0, RAM_BYTES), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(5, 0, 0, 16, 16, 0), GPU_RESP_ERR_UNSPEC); /* no backing */
	assert_int_equal(attach(5, 1, BACK, 1024), GPU_RESP_OK_NODATA);
	assert_int_equal(attach(5, 1, BACK, 1024), GPU_RESP_ERR_UNSPEC); /* already */
	assert_int_equal(simple(GPU_CMD_RESOURCE_DETACH_BACKING, 5), GPU_RESP_OK_NODATA);
	assert_int_equal(simple(GPU_CMD_RESOURCE_DETACH_BACKING, 5), GPU_RESP_ERR_UNSPEC);
	assert_int_equal(simple(GPU_CMD_RESOURCE_DETACH_BACKING, 9), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_false(failed());
}

static void test_transfer_errors(void **state)
{
	(void)state;
	assert_int_equal(create(5, GPU_FORMAT_B8G8R8X8_UNORM, 16, 16), GPU_RESP_OK_NODATA);
	assert_int_equal(attach(5, 1, BACK, 1024), GPU_RESP_OK_NODATA);
	assert_int_equal(transfer(4, 0, 0, 16, 16, 0), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(transfer(5, 1, 0, 16, 16, 0), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(5, 0, 0xfffffff8U, 16, 16, 0), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(5, 0xffffffffU, 0, 2, 1, 0), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(5, 0, 0, 0, 16, 0), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(5, 0, 0, 16, 16, 4), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(5, 0, 0, 1, 1, ~0ULL), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(transfer(5, 0, 0, 16, 16, 0), GPU_RESP_OK_NODATA);
	/* backing that leaves RAM after attach is not possible here; a
	 * flush and a scanout outside the resource are refused */
	assert_int_equal(flush(5, 8, 8, 9, 8), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(flush(6, 0, 0, 1, 1), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(scanout(1, 5, 0, 0, 16, 16), GPU_RESP_ERR_INVALID_SCANOUT_ID);
	assert_int_equal(scanout(0, 6, 0, 0, 16, 16), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(scanout(0, 5, 0, 1, 16, 16), GPU_RESP_ERR_INVALID_PARAMETER);
	assert_int_equal(simple(GPU_CMD_RESOURCE_UNREF, 6), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_false(shown_on);
	assert_int_equal(flushes, 0);
	assert_false(failed());
}

static void test_unref_scanout_turns_it_off(void **state)
{
	(void)state;
	assert_int_equal(create(5, GPU_FORMAT_B8G8R8X8_UNORM, 16, 16), GPU_RESP_OK_NODATA);
	assert_int_equal(scanout(0, 5, 0, 0, 16, 16), GPU_RESP_OK_NODATA);
	assert_true(shown_on);
	assert_int_equal(simple(GPU_CMD_RESOURCE_UNREF, 5), GPU_RESP_OK_NODATA);
	assert_false(shown_on);
	assert_int_equal(flush(5, 0, 0, 1, 1), GPU_RESP_ERR_INVALID_RESOURCE_ID);
}

static void test_truncated_and_unknown(void **state)
{
	(void)state;
	hdr(GPU_CMD_RESOURCE_CREATE_2D);
	put32a(CMD + 24, 3);
	assert_int_equal(post_cmd(0, 30, 24), GPU_RESP_ERR_UNSPEC);
	hdr(0x0200); /* CTX_CREATE: 3D, not offered */
	assert_int_equal(post_cmd(0, 24 + 72, 24), GPU_RESP_ERR_UNSPEC);
	hdr(GPU_CMD_GET_DISPLAY_INFO); /* control command on the cursor queue */
	assert_int_equal(post_cmd(1, 24, 24), GPU_RESP_ERR_UNSPEC);
	assert_false(failed());
}

static void test_fence_echoed(void **state)
{
	(void)state;
	hdr(GPU_CMD_RESOURCE_UNREF);
	put32a(CMD + 4, GPU_FLAG_FENCE);
	put64a(CMD + 8, 0x1234567890ULL);
	put32a(CMD + 24, 77);
	assert_int_equal(post_cmd(0, 32, 24), GPU_RESP_ERR_INVALID_RESOURCE_ID);
	assert_int_equal(get32u(RESP + 4), GPU_FLAG_FENCE);
	assert_int_equal(get32u(RESP + 8), 0x34567890);
	assert_int_equal(get32u(RESP + 12), 0x12);
}

static void test_cursor_queue(void **state)
{
	u16 used = get16(USEDQ(1) + 2);
	(void)state;
	hdr(GPU_CMD_MOVE_CURSOR);
	post_cmd(1, 56, 0);
	assert_int_equal(get16(USEDQ(1) + 2), (u16)(used + 1));
	assert_int_equal(get32u(USEDQ(1) + 8), 0);
	assert_false(failed());
}

static void test_header_missing_fails_device(void **state)
{
	(void)state;
	hdr(GPU_CMD_GET_DISPLAY_INFO);
	post_cmd(0, 10, 24);
	assert_true(failed());
}

static void test_no_room_for_response_fails_device(void **state)
{
	(void)state;
	hdr(GPU_CMD_GET_DISPLAY_INFO);
	post_cmd(0, 24, 24); /* display info needs 408 */
	assert_true(failed());
}

static void test_reset_drops_resources(void **state)
{
	(void)state;
	assert_int_equal(create(5, GPU_FORMAT_B8G8R8X8_UNORM, 16, 16), GPU_RESP_OK_NODATA);
	assert_int_equal(scanout(0, 5, 0, 0, 16, 16), GPU_RESP_OK_NODATA);
	wr(0x14, 1, 0); /* reset */
	assert_false(shown_on);
	heads[0] = heads[1] = 0;
	memset(&ram[0x1000], 0, 0x8000);
	bring_up_queues(V1, 2);
	assert_int_equal(flush(5, 0, 0, 1, 1), GPU_RESP_ERR_INVALID_RESOURCE_ID);
}

static void test_absent_without_display(void **state)
{
	struct vm_config cfg = { .display = false };
	const char *err = NULL;
	(void)state;
	memset(&fn, 0, sizeof(fn));
	assert_true(gpu->create(&vm.dev, &cfg, &err));
	assert_null(fn.bar_ops[1]);
}

static int reset_heads(void **state)
{
	heads[0] = heads[1] = 0;
	return setup(state);
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset_heads, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_identity_and_config),
		T(test_display_info),
		T(test_picture_path),
		T(test_scanout_rect_offset),
		T(test_create_errors),
		T(test_budget),
		T(test_backing_errors),
		T(test_transfer_errors),
		T(test_unref_scanout_turns_it_off),
		T(test_truncated_and_unknown),
		T(test_fence_echoed),
		T(test_cursor_queue),
		T(test_header_missing_fails_device),
		T(test_no_room_for_response_fails_device),
		T(test_reset_drops_resources),
		T(test_absent_without_display),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
