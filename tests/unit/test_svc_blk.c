/* hv/dev/virtio/blk.c over the forwarding back end (hv/dev/svc/svc_blk.c)
 * and the ring (hv/dev/svc/svc_ring.c); the test plays the service VM's
 * daemon on the shared memory (tests/unit/fake_svc.c). Checks: data moves
 * only by copies through the data slots, a request larger than a slot goes
 * in pieces, a bad answer fails its own request only, an unanswered
 * request waits, a service VM that goes away fails what is outstanding and
 * serves new requests once it is back; a VM waits to start until the
 * daemon says its disk is served, and is stopped if it says otherwise; it
 * goes on waiting while the service VM is not running, and says so. */
#include "fake_vm.h"
#include "test_virtio_fake.h"
#include "fake_svc.h"

#define SECTORS 256U
static u8 disk[SECTORS * 512];   /* the daemon's file */
static const struct vm_device *blk;

enum daemon_mode { D_GOOD, D_WRONG_LEN, D_UNKNOWN_ID, D_BAD_STATUS, D_IOERR };

static struct svc_hdr *H(void)
{
	return (struct svc_hdr *)fake_svc_mem;
}

/* The daemon: takes every posted request, answers it as mode says, rings
 * the doorbell (the ring device polls). Returns the requests taken. */
static unsigned daemon_run(enum daemon_mode mode)
{
	struct svc_req *reqs = (struct svc_req *)(fake_svc_mem + SVC_REQ_OFF);
	struct svc_rsp *rsps = (struct svc_rsp *)(fake_svc_mem + SVC_RSP_OFF);
	unsigned n = 0;

	while (H()->req_cons != H()->req_prod) {
		struct svc_req q = reqs[H()->req_cons % SVC_RING_ENTRIES];
		struct svc_rsp *a = &rsps[H()->rsp_prod % SVC_RING_ENTRIES];
		u8 *slot = fake_svc_mem + SVC_DATA_OFF + (u64)q.slot * SVC_SLOT_BYTES;
		u32 len = q.nr_sectors * 512U;

		H()->req_cons++;
		assert_int_equal(q.disk, 0);
		assert_true(q.slot < SVC_RING_ENTRIES);
		assert_true(len <= SVC_SLOT_BYTES);
		assert_true(q.op == SVC_OP_FLUSH || q.sector + q.nr_sectors <= SECTORS);
		if (q.op == SVC_OP_READ)
			memcpy(slot, &disk[q.sector * 512], len);
		else if (q.op == SVC_OP_WRITE)
			memcpy(&disk[q.sector * 512], slot, len);
		a->id = mode == D_UNKNOWN_ID ? q.id ^ 0x10000 : q.id;
		a->status = mode == D_BAD_STATUS ? 9 : mode == D_IOERR ? SVC_ST_IOERR : SVC_ST_OK;
		a->len = q.op == SVC_OP_FLUSH ? 0 : mode == D_WRONG_LEN ? len - 512 : len;
		H()->rsp_prod++;
		n++;
	}
	svc_ring_poll(&fake_svc_ring);
	return n;
}

static void create(void)
{
	struct vm_config cfg = { .nr_disks = 1 };
	const char *err = NULL;

	memset(&vm, 0, sizeof(vm));
	memset(ram, 0, sizeof(ram));
	memset(&fn, 0, sizeof(fn));
	vm_init_dev_host(&vm);
	strcpy(cfg.disks[0].svc_name, "work-root");
	cfg.disks[0].svc_bytes = sizeof(disk);
	blk = find_vm_device("virtio_blk");
	assert_true(blk->create(&vm.dev, &cfg, &err));
}

static int setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sizeof(disk); i++)
		disk[i] = (u8)(i / 512);
	fake_svc_up();
	create();
	bring_up(V1);
	fake_svc_kicks = 0;
	return 0;
}

/* Requests of the guest: header at HDR, data at DATA, status at STAT. */
#define HDR  0x20000U
#define DATA 0x21000U   /* up to 0xf000 bytes */
#define STAT 0x30000U

/* Posts one request with one data segment and notifies the device. */
static void start(u32 type, u64 sector, u32 len, bool device_writes)
{
	u16 i = 0;

	memcpy(&ram[HDR], &type, 4);
	memset(&ram[HDR + 4], 0, 4);
	memcpy(&ram[HDR + 8], &sector, 8);
	ram[STAT] = 0xff;
	desc(i++, HDR, 16, 1, 1);
	if (len) {
		desc(i, DATA, len, (u16)(1 | (device_writes ? 2 : 0)), (u16)(i + 1));
		i++;
	}
	desc(i, STAT, 1, 2, 0);
	post(0);
	kick(0);
}

static unsigned used_count(void)
{
	return get16(USED + 2);
}

static void test_config_and_serial(void **state)
{
	u64 cap;

	(void)state;
	cap = rd(0x2000, 4) | rd(0x2004, 4) << 32;
	assert_int_equal(cap, SECTORS);
	assert_int_equal(H()->nr_disks, 1);
	assert_string_equal(H()->disks[0].name, "work-root");
	assert_int_equal(H()->disks[0].sectors, SECTORS);
}

/* 48 KiB: a 32 KiB piece, then a 16 KiB one; copied out of the slots. */
static void test_read_in_pieces(void **state)
{
	(void)state;
	start(0, 10, 96 * 512, true);
	assert_int_equal(used_count(), 0);
	assert_int_equal(H()->req_prod, 1);
	assert_int_equal(fake_svc_kicks, 1);
	assert_int_equal(daemon_run(D_GOOD), 1);
	assert_int_equal(H()->req_prod, 2);
	assert_int_equal(used_count(), 0);
	assert_int_equal(daemon_run(D_GOOD), 1);
	assert_int_equal(used_count(), 1);
	assert_int_equal(ram[STAT], 0);
	assert_int_equal(ram[DATA], 10);
	assert_int_equal(ram[DATA + 64 * 512], 74);
	assert_int_equal(ram[DATA + 96 * 512 - 1], 105);
	assert_int_equal(get32u(USED + 8), 96 * 512 + 1);
	assert_int_equal(svc_ring_busy(&fake_svc_ring), 0);
}

static void test_write_reaches_the_daemon(void **state)
{
	(void)state;
	memset(&ram[DATA], 0xab, 80 * 512);
	start(1, 100, 80 * 512, false);
	daemon_run(D_GOOD);
	assert_int_equal(disk[100 * 512], 0xab);
	assert_int_equal(disk[164 * 512], 164); /* second piece not yet taken */
	daemon_run(D_GOOD);
	assert_int_equal(ram[STAT], 0);
	assert_int_equal(disk[180 * 512 - 1], 0xab);
	assert_int_equal(disk[180 * 512], 180);
}

static void test_flush_and_write_zeroes(void **state)
{
	u64 sector = 3;
	u32 n = 2, flags = 0;

	(void)state;
	start(4, 0, 0, false);
	assert_int_equal(daemon_run(D_GOOD), 1);
	assert_int_equal(ram[STAT], 0);
	memcpy(&ram[DATA], &sector, 8);
	memcpy(&ram[DATA + 8], &n, 4);
	memcpy(&ram[DATA + 12], &flags, 4);
	desc(0, HDR, 16, 1, 1);
	start(13, 0, 16, false);
	daemon_run(D_GOOD);
	assert_int_equal(ram[STAT], 0);
	assert_int_equal(disk[3 * 512], 0);
	assert_int_equal(disk[5 * 512 - 1], 0);
	assert_int_equal(disk[5 * 512], 5);
}

/* Wrong length, status out of range, IOERR: that request fails (virtio
 * IOERR), the next one is served. */
static void test_bad_answers_fail_that_request(void **state)
{
	static const enum daemon_mode bad[] = { D_WRONG_LEN, D_BAD_STATUS, D_IOERR };

	(void)state;
	for (unsigned k = 0; k < 3; k++) {
		unsigned used = used_count();

		start(0, 1, 1024, true);
		daemon_run(bad[k]);
		assert_int_equal(used_count(), used + 1);
		assert_int_equal(ram[STAT], 1);
		start(0, 2, 1024, true);
		daemon_run(D_GOOD);
		assert_int_equal(ram[STAT], 0);
		assert_int_equal(ram[DATA], 2);
	}
	assert_false(fake_svc_ring.broken);
}

/* An answer naming no request completes nothing; the request waits for
 * its own answer. So does one the daemon never answers. */
static void test_unknown_id_and_silence_wait(void **state)
{
	struct svc_rsp *rsps = (struct svc_rsp *)(fake_svc_mem + SVC_RSP_OFF);
	struct svc_req *reqs = (struct svc_req *)(fake_svc_mem + SVC_REQ_OFF);

	(void)state;
	start(0, 4, 512, true);
	daemon_run(D_UNKNOWN_ID);
	assert_int_equal(used_count(), 0);
	assert_int_equal(fake_svc_ring.bad_answers, 1);
	for (int i = 0; i < 100; i++)
		svc_ring_poll(&fake_svc_ring);
	assert_int_equal(used_count(), 0);
	memcpy(fake_svc_mem + SVC_DATA_OFF + (u64)reqs[0].slot * SVC_SLOT_BYTES, &disk[4 * 512], 512);
	rsps[1] = (struct svc_rsp){ reqs[0].id, SVC_ST_OK, 512 };
	H()->rsp_prod++;
	svc_ring_poll(&fake_svc_ring);
	assert_int_equal(used_count(), 1);
	assert_int_equal(ram[STAT], 0);
	assert_int_equal(ram[DATA], 4);
}

/* The service VM stops: the outstanding request fails, new ones fail
 * while it is away, and are served once it is back. */
static void test_service_vm_gone_and_back(void **state)
{
	(void)state;
	start(0, 6, 512, true);
	assert_int_equal(used_count(), 0);
	fake_svc_down();
	assert_int_equal(used_count(), 1);
	assert_int_equal(ram[STAT], 1);
	start(0, 6, 512, true);
	assert_int_equal(used_count(), 2);
	assert_int_equal(ram[STAT], 1);
	fake_svc_up();
	start(0, 6, 512, true);
	daemon_run(D_GOOD);
	assert_int_equal(used_count(), 3);
	assert_int_equal(ram[STAT], 0);
	assert_int_equal(ram[DATA], 6);
}

/* A broken ring (a producer index past it) fails the outstanding request. */
static void test_broken_ring(void **state)
{
	(void)state;
	start(1, 7, 512, false);
	H()->rsp_prod += 1000;
	svc_ring_poll(&fake_svc_ring);
	assert_true(fake_svc_ring.broken);
	assert_int_equal(used_count(), 1);
	assert_int_equal(ram[STAT], 1);
}

/* The guest resets the device with a request in flight: its late answer
 * frees the slot and touches nothing of the guest's. */
static void test_reset_orphans_request(void **state)
{
	(void)state;
	start(0, 8, 512, true);
	wr(0x14, 1, 0); /* device_status = 0: reset */
	put16(AVAIL + 2, 0); /* the driver starts its rings afresh */
	put16(USED + 2, 0);
	bring_up(V1);
	ram[DATA] = 0x77;
	daemon_run(D_GOOD);
	assert_int_equal(ram[DATA], 0x77);
	assert_int_equal(used_count(), 0);
	assert_int_equal(svc_ring_busy(&fake_svc_ring), 0);
	start(0, 9, 512, true);
	daemon_run(D_GOOD);
	assert_int_equal(used_count(), 1);
	assert_int_equal(ram[DATA], 9);
}

/* What the back end asked of the VM (vm.h's hold, unhold and stop). */
static const char *held_for, *stopped_for;
static unsigned unholds;
static char stop_reason[VM_REASON_MAX];

void vm_hold(struct vm *v, const char *what)
{
	assert_ptr_equal(v, &vm);
	held_for = v->held_for = what;
}

void vm_unhold(struct vm *v)
{
	assert_ptr_equal(v, &vm);
	unholds++;
	held_for = v->held_for = NULL;
}

void vm_hold_update(struct vm *v, const char *what)
{
	assert_ptr_equal(v, &vm);
	if (v->held_for)
		held_for = v->held_for = what;
}

void vm_stop(struct vm *v, const char *reason)
{
	assert_ptr_equal(v, &vm);
	strcpy(stop_reason, reason);
	stopped_for = stop_reason;
}

/* Builds the VM again with the daemon's word on its disk as st. */
static void create_with(u32 st)
{
	find_vm_device("svc_blk")->destroy(&vm.dev);
	held_for = stopped_for = NULL;
	unholds = 0;
	fake_svc_disk_state = st;
	create();
	fake_svc_disk_state = SVC_DISK_READY;
}

/* A disk the daemon has not looked at holds the VM until it says READY;
 * another disk's word or a repeated READY does nothing more. */
static void test_vm_waits_for_ready(void **state)
{
	(void)state;
	create_with(SVC_DISK_PENDING);
	assert_non_null(held_for);
	assert_int_equal(unholds, 0);
	svc_blk_disk_settled(1, SVC_DISK_READY);
	assert_int_equal(unholds, 0);
	svc_blk_disk_settled(0, SVC_DISK_READY);
	assert_int_equal(unholds, 1);
	svc_blk_disk_settled(0, SVC_DISK_READY);
	svc_blk_disk_settled(SVC_MAX_DISKS + 3, SVC_DISK_READY); /* out of range: ignored */
	assert_int_equal(unholds, 1);
	assert_null(stopped_for);
}

/* A disk already served holds nothing. */
static void test_ready_disk_does_not_hold(void **state)
{
	(void)state;
	create_with(SVC_DISK_READY);
	assert_null(held_for);
}

/* A refused image, a missing file, a short file or a state out of range
 * stops the held VM with the disk's name and the reason; it never runs. */
static void test_refused_disk_stops_vm(void **state)
{
	static const struct { u32 st; const char *words; } cases[] = {
		{ SVC_DISK_REFUSED, "refused by the service VM" },
		{ SVC_DISK_MISSING, "no file for it" },
		{ SVC_DISK_SMALL, "smaller than its configured size" },
		{ SVC_DISK_BAD_STATE, "out of range" },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		create_with(SVC_DISK_PENDING);
		svc_blk_disk_settled(0, cases[i].st);
		assert_non_null(stopped_for);
		assert_non_null(strstr(stopped_for, "its disk work-root is not served"));
		assert_non_null(strstr(stopped_for, cases[i].words));
		assert_int_equal(unholds, 0);
		stopped_for = NULL;
		svc_blk_disk_settled(0, SVC_DISK_READY); /* too late: it waits no more */
		assert_int_equal(unholds, 0);
	}
}

/* A VM built while the daemon's refusal stands is not built at all. */
static void test_refused_at_build(void **state)
{
	struct vm_config cfg = { .nr_disks = 1 };
	const char *err = NULL;

	(void)state;
	find_vm_device("svc_blk")->destroy(&vm.dev);
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	strcpy(cfg.disks[0].svc_name, "work-root");
	cfg.disks[0].svc_bytes = sizeof(disk);
	fake_svc_disk_state = SVC_DISK_REFUSED;
	assert_false(blk->create(&vm.dev, &cfg, &err));
	fake_svc_disk_state = SVC_DISK_READY;
	assert_non_null(err);
	assert_non_null(strstr(err, "its disk work-root is not served: its image was refused"));
}

/* The VM torn down while it waits: a later READY is not for it. */
static void test_torn_down_while_waiting(void **state)
{
	(void)state;
	create_with(SVC_DISK_PENDING);
	find_vm_device("svc_blk")->destroy(&vm.dev);
	svc_blk_disk_settled(0, SVC_DISK_READY);
	assert_int_equal(unholds, 0);
}

/* The service VM stops while a VM waits for its disks: the VM goes on
 * waiting (the operator may start the service VM again) and says that the
 * service VM is not running; a VM built while it is not running says so
 * from the start; the next daemon's READY lets either run. */
static void test_waits_while_service_down(void **state)
{
	(void)state;
	create_with(SVC_DISK_PENDING);
	assert_non_null(held_for);
	assert_null(strstr(held_for, "not running"));
	fake_svc_down();
	assert_non_null(held_for);
	assert_non_null(strstr(held_for, "which is not running"));
	assert_null(stopped_for);
	fake_svc_up();
	assert_null(strstr(held_for, "not running"));
	svc_blk_disk_settled(0, SVC_DISK_READY);
	assert_int_equal(unholds, 1);

	fake_svc_down();
	create_with(SVC_DISK_PENDING);
	assert_non_null(strstr(held_for, "which is not running"));
	fake_svc_up();
	assert_null(strstr(held_for, "not running"));
	svc_blk_disk_settled(0, SVC_DISK_READY);
	assert_int_equal(unholds, 1);
	assert_null(stopped_for);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_config_and_serial),
		T(test_read_in_pieces),
		T(test_write_reaches_the_daemon),
		T(test_flush_and_write_zeroes),
		T(test_bad_answers_fail_that_request),
		T(test_unknown_id_and_silence_wait),
		T(test_service_vm_gone_and_back),
		T(test_broken_ring),
		T(test_reset_orphans_request),
		T(test_vm_waits_for_ready),
		T(test_ready_disk_does_not_hold),
		T(test_refused_disk_stops_vm),
		T(test_refused_at_build),
		T(test_torn_down_while_waiting),
		T(test_waits_while_service_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
