/* hv/dev/svc/svc_ring.c: the hypervisor's side of the service VM's ring
 * (public/svc_ring.h). A fake daemon writes the shared memory the way the
 * real one does, or the way a hostile one might: each bad answer fails its
 * own request only, a bad index breaks the ring and fails what is
 * outstanding. */
#include "unit.h"
#include <stdlib.h>
#include <string.h>
#include <bulkhead/svc.h>

static u8 *mem;
static struct svc_ring ring;

struct done {
	int calls;
	enum svc_result res;
	u32 len;
	u8 first;
};

static void on_done(void *ctx, const u8 *data, u32 len, enum svc_result res)
{
	struct done *d = ctx;

	d->calls++;
	d->res = res;
	d->len = len;
	d->first = len ? data[0] : 0;
}

static struct svc_hdr *H(void)
{
	return (struct svc_hdr *)mem;
}

static struct svc_req *req_at(u32 i)
{
	return (struct svc_req *)(mem + SVC_REQ_OFF) + (i % SVC_RING_ENTRIES);
}

static u8 *slot_data(u32 slot)
{
	return mem + SVC_DATA_OFF + (u64)slot * SVC_SLOT_BYTES;
}

/* The daemon posts one answer. */
static void answer(u64 id, u32 status, u32 len)
{
	struct svc_rsp *e = (struct svc_rsp *)(mem + SVC_RSP_OFF) + (H()->rsp_prod % SVC_RING_ENTRIES);

	e->id = id;
	e->status = status;
	e->len = len;
	H()->rsp_prod++;
}

static int post(u32 op, u64 sector, u32 n, struct done *d)
{
	u8 *data;
	int slot = svc_ring_claim(&ring, &data);
	struct svc_req q = { .disk = 0, .op = op, .sector = sector, .nr_sectors = n };

	if (slot < 0)
		return slot;
	if (op == SVC_OP_WRITE)
		memset(data, 0xab, n * 512U);
	svc_ring_post(&ring, slot, &q, on_done, d);
	return slot;
}

static int setup(void **state)
{
	(void)state;
	mem = calloc(1, SVC_RING_BYTES);
	svc_ring_init(&ring, mem, 7);
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static void test_header_and_disks(void **state)
{
	(void)state;
	assert_int_equal(H()->magic, SVC_MAGIC);
	assert_int_equal(H()->version, SVC_VERSION);
	assert_int_equal(H()->entries, SVC_RING_ENTRIES);
	assert_int_equal(H()->slot_bytes, SVC_SLOT_BYTES);
	assert_true(svc_ring_add_disk(&ring, "work-root", 2048));
	assert_int_equal(H()->nr_disks, 1);
	assert_string_equal(H()->disks[0].name, "work-root");
	assert_int_equal(H()->disks[0].sectors, 2048);
	/* a name that does not fit with its NUL is refused */
	assert_false(svc_ring_add_disk(&ring, "a-name-of-twenty-four-ch", 1));
	for (unsigned i = 1; i < SVC_MAX_DISKS; i++)
		assert_true(svc_ring_add_disk(&ring, "d", 1));
	assert_false(svc_ring_add_disk(&ring, "d", 1));
}

static void test_read_answered(void **state)
{
	struct done d = { 0 };
	int slot;

	(void)state;
	slot = post(SVC_OP_READ, 8, 8, &d);
	assert_true(slot >= 0);
	assert_int_equal(H()->req_prod, 1);
	assert_int_equal(req_at(0)->op, SVC_OP_READ);
	assert_int_equal(req_at(0)->sector, 8);
	assert_int_equal(req_at(0)->nr_sectors, 8);
	assert_int_equal(req_at(0)->slot, (u32)slot);
	assert_int_equal(svc_ring_busy(&ring), 1);
	H()->req_cons = 1;
	slot_data((u32)slot)[0] = 0x5a;
	answer(req_at(0)->id, SVC_ST_OK, 8 * 512);
	assert_int_equal(svc_ring_poll(&ring), 1);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.res, SVC_DONE_OK);
	assert_int_equal(d.len, 4096);
	assert_int_equal(d.first, 0x5a);
	assert_int_equal(H()->rsp_cons, 1);
	assert_int_equal(svc_ring_busy(&ring), 0);
	assert_false(ring.broken);
}

static void test_write_payload_in_slot(void **state)
{
	struct done d = { 0 };
	int slot;

	(void)state;
	slot = post(SVC_OP_WRITE, 0, 2, &d);
	assert_true(slot >= 0);
	assert_int_equal(slot_data((u32)slot)[1023], 0xab);
	answer(req_at(0)->id, SVC_ST_OK, 1024);
	svc_ring_poll(&ring);
	assert_int_equal(d.res, SVC_DONE_OK);
}

static void test_flush_len_zero(void **state)
{
	struct done ok = { 0 }, bad = { 0 };

	(void)state;
	post(SVC_OP_FLUSH, 0, 0, &ok);
	post(SVC_OP_FLUSH, 0, 0, &bad);
	answer(req_at(0)->id, SVC_ST_OK, 0);
	answer(req_at(1)->id, SVC_ST_OK, 512);
	assert_int_equal(svc_ring_poll(&ring), 2);
	assert_int_equal(ok.res, SVC_DONE_OK);
	assert_int_equal(bad.res, SVC_DONE_BAD);
}

/* Wrong length, status out of range, unknown id: only the request named
 * fails; the others are answered normally afterwards. */
static void test_bad_answers_fail_their_request_only(void **state)
{
	struct done a = { 0 }, b = { 0 }, c = { 0 }, e = { 0 };

	(void)state;
	post(SVC_OP_READ, 0, 1, &a);
	post(SVC_OP_READ, 1, 1, &b);
	post(SVC_OP_WRITE, 2, 1, &c);
	post(SVC_OP_READ, 3, 1, &e);
	answer(req_at(0)->id, SVC_ST_OK, 4096);      /* wrong length */
	answer(req_at(1)->id, 77, 512);              /* status out of range */
	answer(req_at(2)->id ^ (1ULL << 40), SVC_ST_OK, 512); /* unknown id */
	answer(req_at(3)->id, SVC_ST_IOERR, 0);
	assert_int_equal(svc_ring_poll(&ring), 4);
	assert_int_equal(a.res, SVC_DONE_BAD);
	assert_int_equal(a.len, 0);
	assert_int_equal(b.res, SVC_DONE_BAD);
	assert_int_equal(c.calls, 0);                /* still outstanding */
	assert_int_equal(e.res, SVC_DONE_IOERR);
	assert_int_equal(ring.bad_answers, 3);
	assert_false(ring.broken);
	answer(req_at(2)->id, SVC_ST_OK, 512);
	svc_ring_poll(&ring);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.res, SVC_DONE_OK);
	/* a second answer to the same request names nothing now */
	answer(req_at(2)->id, SVC_ST_OK, 512);
	svc_ring_poll(&ring);
	assert_int_equal(c.calls, 1);
	assert_int_equal(ring.bad_answers, 4);
}

/* An answer to an earlier request in the same slot does not complete the
 * new one. */
static void test_stale_id(void **state)
{
	struct done a = { 0 }, b = { 0 };
	u64 old;

	(void)state;
	post(SVC_OP_READ, 0, 1, &a);
	old = req_at(0)->id;
	answer(old, SVC_ST_OK, 512);
	svc_ring_poll(&ring);
	H()->req_cons = 1;
	assert_int_equal(post(SVC_OP_READ, 0, 1, &b), (int)(old & 0xff));
	answer(old, SVC_ST_OK, 512);
	svc_ring_poll(&ring);
	assert_int_equal(b.calls, 0);
	answer(req_at(1)->id, SVC_ST_OK, 512);
	svc_ring_poll(&ring);
	assert_int_equal(b.res, SVC_DONE_OK);
}

static void test_producer_index_past_ring_breaks_it(void **state)
{
	struct done a = { 0 }, b = { 0 }, late = { 0 };
	u8 *data;

	(void)state;
	post(SVC_OP_READ, 0, 1, &a);
	post(SVC_OP_WRITE, 1, 1, &b);
	H()->rsp_prod = SVC_RING_ENTRIES + 1;
	assert_int_equal(svc_ring_poll(&ring), 0);
	assert_true(ring.broken);
	assert_int_equal(a.res, SVC_DONE_ABORTED);
	assert_int_equal(b.res, SVC_DONE_ABORTED);
	assert_int_equal(a.calls + b.calls, 2);
	assert_int_equal(svc_ring_claim(&ring, &data), -1);
	assert_int_equal(post(SVC_OP_READ, 0, 1, &late), -1);
	assert_int_equal(late.calls, 0);
}

static void test_consumer_index_past_ring_breaks_it(void **state)
{
	struct done a = { 0 };
	u8 *data;

	(void)state;
	post(SVC_OP_READ, 0, 1, &a);
	H()->req_cons = 0xffff0000U;
	assert_int_equal(svc_ring_claim(&ring, &data), -1);
	assert_true(ring.broken);
	assert_int_equal(a.res, SVC_DONE_ABORTED);
}

/* The request ring holds SVC_RING_ENTRIES requests the daemon has not
 * taken; then claims wait (return -1) without breaking anything. */
static void test_full_ring_waits(void **state)
{
	struct done d[SVC_RING_ENTRIES + 1];
	u8 *data;

	(void)state;
	memset(d, 0, sizeof(d));
	for (unsigned i = 0; i < SVC_RING_ENTRIES; i++)
		assert_true(post(SVC_OP_READ, i, 1, &d[i]) >= 0);
	assert_int_equal(svc_ring_claim(&ring, &data), -1);
	assert_false(ring.broken);
	H()->req_cons = SVC_RING_ENTRIES;
	answer(req_at(3)->id, SVC_ST_OK, 512);
	svc_ring_poll(&ring);
	assert_int_equal(d[3].res, SVC_DONE_OK);
	assert_int_equal(post(SVC_OP_READ, 99, 1, &d[SVC_RING_ENTRIES]), 3);
	assert_int_equal(svc_ring_busy(&ring), SVC_RING_ENTRIES);
}

static void test_abort_then_fresh_ring(void **state)
{
	struct done a = { 0 }, b = { 0 };

	(void)state;
	post(SVC_OP_READ, 0, 1, &a);
	svc_ring_abort(&ring, "service VM stopped");
	assert_int_equal(a.calls, 1);
	assert_int_equal(a.res, SVC_DONE_ABORTED);
	assert_string_equal(ring.why, "service VM stopped");
	/* the service VM restarts: a new ring with a new generation */
	svc_ring_init(&ring, mem, 8);
	assert_int_equal(H()->req_prod, 0);
	assert_true(post(SVC_OP_READ, 0, 1, &b) >= 0);
	answer(req_at(0)->id, SVC_ST_OK, 512);
	svc_ring_poll(&ring);
	assert_int_equal(b.res, SVC_DONE_OK);
}

/* A claimed slot not posted is not completed by an abort. */
static void test_unclaim(void **state)
{
	u8 *data;
	int slot;

	(void)state;
	slot = svc_ring_claim(&ring, &data);
	assert_true(slot >= 0);
	svc_ring_abort(&ring, "x");
	svc_ring_unclaim(&ring, slot);
	assert_int_equal(svc_ring_busy(&ring), 0);
}

/* The daemon's word on each disk (version 4): read as written while in
 * range, a value above SVC_DISK_STATE_MAX is SVC_DISK_BAD_STATE, an index
 * past the table is PENDING; a fresh ring starts every disk PENDING. */
static void test_disk_states(void **state)
{
	(void)state;
	assert_true(svc_ring_add_disk(&ring, "a", 8));
	assert_true(svc_ring_add_disk(&ring, "b", 8));
	assert_int_equal(svc_ring_disk_state(&ring, 0), SVC_DISK_PENDING);
	for (u32 st = 0; st <= SVC_DISK_STATE_MAX; st++) {
		H()->disk_state[1] = st;
		assert_int_equal(svc_ring_disk_state(&ring, 1), st);
	}
	H()->disk_state[1] = SVC_DISK_STATE_MAX + 1;
	assert_int_equal(svc_ring_disk_state(&ring, 1), SVC_DISK_BAD_STATE);
	H()->disk_state[1] = 0xffffffffU;
	assert_int_equal(svc_ring_disk_state(&ring, 1), SVC_DISK_BAD_STATE);
	H()->disk_state[2] = SVC_DISK_READY; /* no disk 2 */
	assert_int_equal(svc_ring_disk_state(&ring, 2), SVC_DISK_PENDING);
	assert_int_equal(svc_ring_disk_state(&ring, 0xffffffffU), SVC_DISK_PENDING);
	assert_non_null(strstr(svc_disk_state_why(SVC_DISK_BAD_STATE), "out of range"));
	svc_ring_init(&ring, mem, 8);
	assert_int_equal(H()->disk_state[1], SVC_DISK_PENDING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header_and_disks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_payload_in_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_len_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_answers_fail_their_request_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_producer_index_past_ring_breaks_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consumer_index_past_ring_breaks_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_ring_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_then_fresh_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unclaim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disk_states, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
