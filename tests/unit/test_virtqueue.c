/* hv/dev/virtio/virtqueue.c: split rings (virtio 1.1 2.6) walked over a
 * fake guest RAM; every violation breaks the queue with a reason, a good
 * chain comes out whole, used ring and notification suppression per
 * 2.6.7.2 and 2.6.8. */
#include "unit.h"
#include <string.h>
#include <bulkhead/virtqueue.h>

#define RAM_BYTES 0x40000U
#define DESC  0x1000U
#define AVAIL 0x2000U
#define USED  0x3000U
#define BUF   0x10000U
#define QSZ   8U

static u8 ram[RAM_BYTES];
static u64 ram_limit = RAM_BYTES; /* RAM is [0, ram_limit); zeros past ram[] */
static unsigned reads;

static bool f_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	(void)ctx;
	reads++;
	if (gpa + len < gpa || gpa + len > ram_limit)
		return false;
	for (u64 i = 0; i < len; i++)
		((u8 *)dst)[i] = gpa + i < RAM_BYTES ? ram[gpa + i] : 0;
	return true;
}

static bool f_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	(void)ctx;
	if (gpa + len < gpa || gpa + len > RAM_BYTES || gpa + len > ram_limit)
		return false;
	memcpy(&ram[gpa], src, len);
	return true;
}

static const struct vq_mem mem = { f_read, f_write, NULL };

static void put16(u64 a, u16 v) { memcpy(&ram[a], &v, 2); }
static void put32(u64 a, u32 v) { memcpy(&ram[a], &v, 4); }
static void put64(u64 a, u64 v) { memcpy(&ram[a], &v, 8); }
static u16 get16(u64 a) { u16 v; memcpy(&v, &ram[a], 2); return v; }
static u32 get32(u64 a) { u32 v; memcpy(&v, &ram[a], 4); return v; }

#define F_NEXT 1U
#define F_WRITE 2U
#define F_INDIRECT 4U

static void desc_at(u64 table, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	u64 d = table + 16U * i;
	put64(d, addr);
	put32(d + 8, len);
	put16(d + 12, flags);
	put16(d + 14, next);
}

static void desc(u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	desc_at(DESC, i, addr, len, flags, next);
}

/* Posts head at the next avail slot. */
static void post(u16 head)
{
	u16 idx = get16(AVAIL + 2);
	put16(AVAIL + 4 + 2U * (idx % QSZ), head);
	put16(AVAIL + 2, (u16)(idx + 1));
}

static struct virtqueue q;
static struct vq_chain c;

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	ram_limit = RAM_BYTES;
	assert_true(vq_init(&q, QSZ, DESC, AVAIL, USED, false, true));
	return 0;
}

static void expect_broken(const char *why)
{
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_BROKEN);
	assert_true(q.broken);
	assert_non_null(q.why);
	assert_string_equal(q.why, why);
	/* and it stays broken: nothing more is served or pushed */
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_BROKEN);
	assert_false(vq_push(&q, &mem, 0, 0));
}

static void test_init_checks(void **state)
{
	struct virtqueue v;
	(void)state;
	assert_false(vq_init(&v, 0, DESC, AVAIL, USED, false, false));
	assert_int_equal(v.size, 0);
	assert_false(vq_init(&v, 3, DESC, AVAIL, USED, false, false));
	assert_false(vq_init(&v, 2048, DESC, AVAIL, USED, false, false));
	assert_false(vq_init(&v, 8, DESC + 8, AVAIL, USED, false, false));
	assert_false(vq_init(&v, 8, DESC, AVAIL + 1, USED, false, false));
	assert_false(vq_init(&v, 8, DESC, AVAIL, USED + 2, false, false));
	assert_int_equal(v.size, 0);
	assert_true(vq_init(&v, 1024, DESC, AVAIL, USED, false, false));
	assert_true(vq_init(&v, 1, DESC, AVAIL, USED, false, false));
}

static void test_empty(void **state)
{
	(void)state;
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_EMPTY);
	assert_false(q.broken);
}

static void test_chain_out_then_in(void **state)
{
	u8 out[24], in[10];
	(void)state;
	for (unsigned i = 0; i < 24; i++)
		ram[BUF + i] = (u8)i;
	desc(3, BUF, 16, F_NEXT, 5);
	desc(5, BUF + 0x100, 8, F_NEXT, 1);
	desc(1, BUF + 0x200, 6, F_NEXT | F_WRITE, 0);
	desc(0, BUF + 0x300, 4, F_WRITE, 0);
	ram[BUF + 0x100] = 16;
	post(3);
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	assert_int_equal(c.head, 3);
	assert_int_equal(c.nr, 4);
	assert_int_equal(c.out_len, 24);
	assert_int_equal(c.in_len, 10);
	assert_false(c.seg[1].device_writes);
	assert_true(c.seg[2].device_writes);
	/* reads span the two readable buffers; the writable part is apart */
	assert_true(vq_chain_read(&mem, &c, 0, out, 24));
	for (unsigned i = 0; i < 17; i++)
		assert_int_equal(out[i], i);
	assert_false(vq_chain_read(&mem, &c, 20, out, 5));
	assert_false(vq_chain_read(&mem, &c, 25, out, 0));
	for (unsigned i = 0; i < 10; i++)
		in[i] = (u8)(0xa0 + i);
	assert_true(vq_chain_write(&mem, &c, 0, in, 10));
	assert_int_equal(ram[BUF + 0x205], 0xa5);
	assert_int_equal(ram[BUF + 0x300], 0xa6);
	assert_int_equal(ram[BUF + 0x303], 0xa9);
	assert_false(vq_chain_write(&mem, &c, 5, in, 6));
	/* completion: element then index (2.6.8) */
	assert_true(vq_push(&q, &mem, c.head, 10));
	assert_int_equal(get16(USED + 2), 1);
	assert_int_equal(get32(USED + 4), 3);
	assert_int_equal(get32(USED + 8), 10);
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_EMPTY);
}

static void test_many_chains_wrap(void **state)
{
	(void)state;
	desc(0, BUF, 4, 0, 0);
	/* 20 requests through an 8-entry ring: indices wrap around */
	for (unsigned n = 0; n < 20; n++) {
		post(0);
		assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
		assert_true(vq_push(&q, &mem, c.head, 0));
	}
	assert_int_equal(get16(USED + 2), 20);
	assert_false(q.broken);
}

static void test_loop(void **state)
{
	(void)state;
	desc(0, BUF, 4, F_NEXT, 1);
	desc(1, BUF, 4, F_NEXT, 0);
	post(0);
	expect_broken("chain longer than the queue size (a loop?)");
}

static void test_self_loop(void **state)
{
	(void)state;
	desc(2, BUF, 4, F_NEXT | F_WRITE, 2);
	post(2);
	expect_broken("chain longer than the queue size (a loop?)");
}

static void test_next_out_of_range(void **state)
{
	(void)state;
	desc(0, BUF, 4, F_NEXT, QSZ);
	post(0);
	expect_broken("next index out of range");
}

static void test_head_out_of_range(void **state)
{
	(void)state;
	post(QSZ);
	expect_broken("available ring entry out of range");
}

static void test_avail_idx_jump(void **state)
{
	(void)state;
	desc(0, BUF, 4, 0, 0);
	put16(AVAIL + 2, QSZ + 1);
	expect_broken("available index moved more than the queue size");
}

static void test_avail_idx_full_ok(void **state)
{
	(void)state;
	desc(0, BUF, 4, 0, 0);
	put16(AVAIL + 2, QSZ); /* exactly one queue ahead is allowed */
	for (unsigned n = 0; n < QSZ; n++)
		assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_EMPTY);
}

static void test_buffer_outside_ram(void **state)
{
	(void)state;
	desc(0, RAM_BYTES + 0x1000, 4, 0, 0);
	post(0);
	expect_broken("descriptor buffer outside RAM");
}

static void test_buffer_straddles_ram_end(void **state)
{
	(void)state;
	/* the first page is RAM, the tail is not: refused as a whole */
	desc(0, RAM_BYTES - 0x800, 0x1000, F_WRITE, 0);
	post(0);
	expect_broken("descriptor buffer outside RAM");
	assert_int_equal(ram[RAM_BYTES - 0x800], 0);
}

static void test_buffer_wraps(void **state)
{
	(void)state;
	desc(0, 0xfffffffffffff000ULL, 0x2000, 0, 0);
	post(0);
	expect_broken("descriptor buffer outside RAM");
}

static void test_zero_length(void **state)
{
	(void)state;
	desc(0, BUF, 0, 0, 0);
	post(0);
	expect_broken("zero-length descriptor");
}

static void test_huge_length(void **state)
{
	(void)state;
	ram_limit = 1ULL << 34; /* RAM large enough for 4 GiB buffers */
	desc(0, 0x100000, 0xfffff000U, F_NEXT | F_WRITE, 1);
	desc(1, 0x100000, 0x2000, F_WRITE, 0);
	post(0);
	expect_broken("chain longer than 4 GiB");
}

static void test_readable_after_writable(void **state)
{
	(void)state;
	desc(0, BUF, 4, F_NEXT | F_WRITE, 1);
	desc(1, BUF + 0x10, 4, 0, 0);
	post(0);
	expect_broken("readable descriptor after a writable one");
}

static void test_too_many_segs(void **state)
{
	(void)state;
	/* VQ_MAX_SEGS + 1 buffers, through an indirect table in a big queue */
	assert_true(vq_init(&q, 128, DESC, AVAIL, USED, false, true));
	for (u16 i = 0; i <= VQ_MAX_SEGS; i++)
		desc_at(0x8000, i, BUF, 4, i < VQ_MAX_SEGS ? F_NEXT : 0, (u16)(i + 1));
	desc(0, 0x8000, 16U * (VQ_MAX_SEGS + 1), F_INDIRECT, 0);
	put16(AVAIL + 4, 0);
	put16(AVAIL + 2, 1);
	expect_broken("chain has too many descriptors");
}

static void test_desc_table_outside_ram(void **state)
{
	(void)state;
	assert_true(vq_init(&q, QSZ, RAM_BYTES, AVAIL, USED, false, false));
	post(0);
	expect_broken("descriptor table outside RAM");
}

static void test_avail_outside_ram(void **state)
{
	(void)state;
	assert_true(vq_init(&q, QSZ, DESC, RAM_BYTES + 0x2000, USED, false, false));
	expect_broken("available ring outside RAM");
}

static void test_used_outside_ram(void **state)
{
	(void)state;
	assert_true(vq_init(&q, QSZ, DESC, AVAIL, RAM_BYTES - 8, false, false));
	assert_false(vq_rings_ok(&q, &mem));
	desc(0, BUF, 4, 0, 0);
	post(0);
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	assert_false(vq_push(&q, &mem, c.head, 0));
	assert_true(q.broken);
	assert_string_equal(q.why, "used ring outside RAM");
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_BROKEN);
}

static void test_rings_ok(void **state)
{
	(void)state;
	assert_true(vq_rings_ok(&q, &mem));
	assert_true(vq_init(&q, QSZ, RAM_BYTES - 16U * QSZ + 16, AVAIL, USED, false, false));
	assert_false(vq_rings_ok(&q, &mem));
}

static void test_indirect_ok(void **state)
{
	u8 b[8];
	(void)state;
	desc_at(0x8000, 0, BUF, 4, F_NEXT, 2);
	desc_at(0x8000, 2, BUF + 0x10, 8, F_NEXT | F_WRITE, 1);
	desc_at(0x8000, 1, BUF + 0x20, 1, F_WRITE, 0);
	/* the WRITE flag of the pointing descriptor is ignored (2.6.5.3.2) */
	desc(4, 0x8000, 48, F_INDIRECT | F_WRITE, 0);
	post(4);
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	assert_int_equal(c.head, 4);
	assert_int_equal(c.nr, 3);
	assert_int_equal(c.out_len, 4);
	assert_int_equal(c.in_len, 9);
	memset(b, 0x5a, sizeof(b));
	assert_true(vq_chain_write(&mem, &c, 1, b, 8));
	assert_int_equal(ram[BUF + 0x11], 0x5a);
	assert_int_equal(ram[BUF + 0x20], 0x5a);
}

static void test_direct_then_indirect(void **state)
{
	(void)state;
	desc_at(0x8000, 0, BUF + 0x10, 8, F_WRITE, 0);
	desc(0, BUF, 16, F_NEXT, 1);
	desc(1, 0x8000, 16, F_INDIRECT, 0);
	post(0);
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	assert_int_equal(c.nr, 2);
	assert_int_equal(c.out_len, 16);
	assert_int_equal(c.in_len, 8);
}

static void test_indirect_not_negotiated(void **state)
{
	(void)state;
	assert_true(vq_init(&q, QSZ, DESC, AVAIL, USED, false, false));
	desc_at(0x8000, 0, BUF, 4, 0, 0);
	desc(0, 0x8000, 16, F_INDIRECT, 0);
	post(0);
	expect_broken("indirect descriptor not negotiated");
}

static void test_indirect_with_next(void **state)
{
	(void)state;
	desc_at(0x8000, 0, BUF, 4, 0, 0);
	desc(0, 0x8000, 16, F_INDIRECT | F_NEXT, 1);
	post(0);
	expect_broken("indirect descriptor with NEXT");
}

static void test_indirect_bad_len(void **state)
{
	(void)state;
	desc(0, 0x8000, 20, F_INDIRECT, 0);
	post(0);
	expect_broken("indirect table length not a multiple of 16");
}

static void test_indirect_zero_len(void **state)
{
	(void)state;
	desc(0, 0x8000, 0, F_INDIRECT, 0);
	post(0);
	expect_broken("indirect table length not a multiple of 16");
}

static void test_indirect_too_long(void **state)
{
	(void)state;
	desc(0, 0x8000, 16U * (QSZ + 1), F_INDIRECT, 0);
	post(0);
	expect_broken("indirect table longer than the queue");
}

static void test_indirect_nested(void **state)
{
	(void)state;
	desc_at(0x8000, 0, 0x9000, 16, F_INDIRECT, 0);
	desc(0, 0x8000, 16, F_INDIRECT, 0);
	post(0);
	expect_broken("nested indirect descriptor");
}

static void test_indirect_next_out_of_range(void **state)
{
	(void)state;
	desc_at(0x8000, 0, BUF, 4, F_NEXT, 2); /* a table of 2 */
	desc(0, 0x8000, 32, F_INDIRECT, 0);
	post(0);
	expect_broken("indirect next index out of range");
}

static void test_indirect_loop(void **state)
{
	(void)state;
	desc_at(0x8000, 0, BUF, 4, F_NEXT, 1);
	desc_at(0x8000, 1, BUF, 4, F_NEXT, 0);
	desc(0, 0x8000, 32, F_INDIRECT, 0);
	post(0);
	expect_broken("chain longer than the queue size (a loop?)");
}

static void test_indirect_outside_ram(void **state)
{
	(void)state;
	/* a table of two whose second entry is past the end of RAM */
	desc_at(RAM_BYTES - 16, 0, BUF, 4, F_NEXT, 1);
	desc(0, RAM_BYTES - 16, 32, F_INDIRECT, 0);
	post(0);
	expect_broken("indirect table outside RAM");
}

static void test_indirect_wraps(void **state)
{
	(void)state;
	desc(0, 0xfffffffffffffff0ULL, 32, F_INDIRECT, 0);
	post(0);
	expect_broken("indirect table wraps");
}

static void test_rewritten_ring_is_snapshot(void **state)
{
	(void)state;
	desc(0, BUF, 4, F_WRITE, 0);
	post(0);
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	/* the guest rewrites the descriptor after the pop: the chain keeps
	 * what was checked */
	desc(0, RAM_BYTES + 0x1000, 0x100000, F_WRITE, 0);
	assert_int_equal(c.seg[0].gpa, BUF);
	assert_int_equal(c.in_len, 4);
}

static void test_notify_flags(void **state)
{
	(void)state;
	desc(0, BUF, 4, 0, 0);
	post(0);
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	assert_true(vq_push(&q, &mem, 0, 0));
	assert_true(vq_should_notify(&q, &mem));
	put16(AVAIL, 1); /* VIRTQ_AVAIL_F_NO_INTERRUPT */
	post(0);
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	assert_true(vq_push(&q, &mem, 0, 0));
	assert_false(vq_should_notify(&q, &mem));
}

static void test_notify_event_idx(void **state)
{
	(void)state;
	assert_true(vq_init(&q, QSZ, DESC, AVAIL, USED, true, false));
	desc(0, BUF, 4, 0, 0);
	put16(AVAIL, 1); /* the flag is ignored with EVENT_IDX */
	put16(AVAIL + 4 + 2 * QSZ, 2); /* used_event: interrupt after entry 2 */
	for (unsigned n = 0; n < 4; n++)
		post(0);
	/* first push: always signal (nothing signalled yet) */
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	assert_true(vq_push(&q, &mem, 0, 0));
	assert_true(vq_should_notify(&q, &mem));
	/* used 1 -> 2: used_event 2 not crossed */
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	assert_true(vq_push(&q, &mem, 0, 0));
	assert_false(vq_should_notify(&q, &mem));
	/* used 2 -> 4: entry 2 is used, crossed */
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	assert_true(vq_push(&q, &mem, 0, 0));
	assert_int_equal(vq_pop(&q, &mem, &c), VQ_GOT_CHAIN);
	assert_true(vq_push(&q, &mem, 0, 0));
	assert_true(vq_should_notify(&q, &mem));
	/* avail_event: where the device has got to */
	vq_set_avail_event(&q, &mem);
	assert_int_equal(get16(USED + 4 + 8 * QSZ), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_checks),
#define T(f) cmocka_unit_test_setup(f, setup)
		T(test_empty),
		T(test_chain_out_then_in),
		T(test_many_chains_wrap),
		T(test_loop),
		T(test_self_loop),
		T(test_next_out_of_range),
		T(test_head_out_of_range),
		T(test_avail_idx_jump),
		T(test_avail_idx_full_ok),
		T(test_buffer_outside_ram),
		T(test_buffer_straddles_ram_end),
		T(test_buffer_wraps),
		T(test_zero_length),
		T(test_huge_length),
		T(test_readable_after_writable),
		T(test_too_many_segs),
		T(test_desc_table_outside_ram),
		T(test_avail_outside_ram),
		T(test_used_outside_ram),
		T(test_rings_ok),
		T(test_indirect_ok),
		T(test_direct_then_indirect),
		T(test_indirect_not_negotiated),
		T(test_indirect_with_next),
		T(test_indirect_bad_len),
		T(test_indirect_zero_len),
		T(test_indirect_too_long),
		T(test_indirect_nested),
		T(test_indirect_next_out_of_range),
		T(test_indirect_loop),
		T(test_indirect_outside_ram),
		T(test_indirect_wraps),
		T(test_rewritten_ring_is_snapshot),
		T(test_notify_flags),
		T(test_notify_event_idx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
