/* A block back end (blk_backend.h) served by the service VM: each request
 * that virtio-blk validated is forwarded through the service ring
 * (bulkhead/svc.h) in pieces of at most one data slot. A WRITE's payload
 * is copied from the guest into the slot before the piece is posted, a
 * READ's from the slot to the guest once the daemon answered; no guest page
 * is ever mapped into the service VM. The guest's request completes when
 * its last piece is answered, with IOERR as soon as one piece fails, is
 * answered wrongly, or the service VM goes away (the ring aborts what is
 * outstanding). While every slot is busy a request waits for one; while
 * the daemon does not answer, the request waits (no timeout: docs/disks.md).
 *
 * Requests live outside the VMs' arenas (ios[]): when a VM is torn down
 * with a piece outstanding, the piece is orphaned and its answer, if one
 * comes, only frees the slot.
 *
 * A VM built with such disks is held (vm_hold) until the daemon says each
 * is served (public/svc_ring.h, enum svc_disk_state), and stopped with the
 * reason, before it ran, if one is not: a corrupt or truncated image never
 * boots. Once a VM ran, a later daemon (the service VM restarted) does not
 * hold it again: its requests wait or fail as above. A VM waiting while the
 * service VM is not running (it stopped for good, or was never built) goes
 * on waiting, since the operator can start the service VM again, but the
 * log and the console's list say what it waits on. */
#include <bulkhead/blk_backend.h>
#include <bulkhead/console.h>
#include <bulkhead/dev.h>
#include <bulkhead/format.h>
#include <bulkhead/string.h>
#include <bulkhead/svc.h>
#include <bulkhead/vm.h>

struct svc_blk {
	struct dev_host *h;
	u32 disk;          /* index in the ring's disk table */
	u64 sectors;
	struct svc_io *cur; /* the request in flight (virtio-blk has one) */
};

struct svc_io {
	bool used, waiting;
	struct dev_host *h;
	struct svc_blk *d; /* NULL: orphaned, its answer only frees the slot */
	struct blk_req *r;
	u64 off, total;    /* bytes done and to do */
	u32 piece;         /* bytes of the piece outstanding */
};

/* Every forwarded disk has at most one request in flight, and one orphan
 * after a device reset. */
#define SVC_IOS (2U * VM_MAX * VM_MAX_DISKS)
static struct svc_io ios[SVC_IOS];

static void step(struct svc_io *io);

/* By VM slot: the VM held and the ring disks it waits for to start. */
static struct { struct vm *vm; u32 disks; } waiting[VM_MAX];

/* What a held VM waits for (the console's list shows it). */
static const char wait_served[] = "its disks from the service VM";
static const char wait_no_service[] =
	"its disks from the service VM, which is not running (start it from the console)";

void svc_blk_service_changed(const char *svc)
{
	bool running = svc_service_up();

	for (unsigned i = 0; i < VM_MAX; i++) {
		struct vm *vm = waiting[i].vm;

		if (!vm || !waiting[i].disks || !vm->held_for)
			continue;
		vm_hold_update(vm, running ? wait_served : wait_no_service);
		if (!running)
			printf("vm %s: still waits for its disks: service VM %s stopped before "
			       "serving them (the console's 'start %s' starts it again)\n",
			       vm->name, svc, svc);
	}
}

void svc_blk_disk_settled(u32 disk, u32 state)
{
	char why[VM_REASON_MAX];

	if (disk >= SVC_MAX_DISKS)
		return;
	for (unsigned i = 0; i < VM_MAX; i++) {
		struct vm *vm = waiting[i].vm;

		if (!(waiting[i].disks & 1U << disk))
			continue;
		waiting[i].disks &= ~(1U << disk);
		if (state != SVC_DISK_READY) {
			waiting[i].disks = 0;
			fmt_snprintf(why, sizeof(why), "its disk %s is not served: %s",
				     svc_disk_name(disk), svc_disk_state_why(state));
			vm_stop(vm, why);
		} else if (!waiting[i].disks) {
			vm_unhold(vm);
		}
	}
}

static void io_free(struct svc_io *io)
{
	memset(io, 0, sizeof(*io));
}

static void finish(struct svc_io *io, enum blk_status st)
{
	struct blk_req *r = io->r;

	if (io->d)
		io->d->cur = NULL;
	io_free(io);
	r->done(r, st);
}

/* Requests waiting for a slot get one, in array order. */
static void retry_waiting(void)
{
	for (unsigned i = 0; i < SVC_IOS; i++)
		if (ios[i].used && ios[i].waiting)
			step(&ios[i]);
}

static void on_answer(void *ctx, const u8 *data, u32 len, enum svc_result res)
{
	struct svc_io *io = ctx;

	if (!io->d) {
		io_free(io);
	} else if (res != SVC_DONE_OK) {
		finish(io, res == SVC_DONE_UNSUPP ? BLK_UNSUPP : BLK_IOERR);
	} else if (io->r->op == BLK_READ && !io->r->to_guest(io->r, io->off, data, len)) {
		finish(io, BLK_IOERR);
	} else {
		io->off += io->piece;
		if (io->off >= io->total)
			finish(io, BLK_OK);
		else
			step(io);
	}
	retry_waiting();
}

/* Posts the next piece of io's request, or leaves it waiting for a slot.
 * @pre io->off < io->total, or io->total == 0 (FLUSH). */
static void step(struct svc_io *io)
{
	struct svc_ring *ring = svc_ring_live();
	struct blk_req *r = io->r;
	struct svc_req q = { 0 };
	u8 *data;
	int slot;

	io->waiting = false;
	if (!ring) {
		finish(io, BLK_IOERR);
		return;
	}
	slot = svc_ring_claim(ring, &data);
	if (slot < 0) {
		if (svc_ring_live())
			io->waiting = true;
		else
			finish(io, BLK_IOERR);
		return;
	}
	io->piece = (u32)MIN(io->total - io->off, (u64)SVC_SLOT_BYTES);
	q.disk = io->d->disk;
	q.sector = r->sector + io->off / BLK_SECTOR;
	q.nr_sectors = io->piece / BLK_SECTOR;
	switch (r->op) {
	case BLK_READ:
		q.op = SVC_OP_READ;
		break;
	case BLK_WRITE:
		q.op = SVC_OP_WRITE;
		if (!r->from_guest(r, io->off, data, io->piece)) {
			svc_ring_unclaim(ring, slot);
			finish(io, BLK_IOERR);
			return;
		}
		break;
	case BLK_WRITE_ZEROES:
		q.op = SVC_OP_WRITE;
		memset(data, 0, io->piece);
		break;
	default: /* BLK_FLUSH */
		q.op = SVC_OP_FLUSH;
		break;
	}
	svc_ring_post(ring, slot, &q, on_answer, io);
	svc_ring_kick();
}

/* The device was reset: the request in flight is orphaned (a piece
 * outstanding keeps its slot until answered) or, waiting, dropped. */
static void sb_cancel(void *be)
{
	struct svc_blk *d = be;
	struct svc_io *io = d->cur;

	if (!io)
		return;
	d->cur = NULL;
	if (io->waiting)
		io_free(io);
	else
		io->d = NULL;
}

static void sb_submit(void *be, struct blk_req *r)
{
	struct svc_blk *d = be;
	struct svc_io *io = NULL;

	sb_cancel(d); /* none in flight, unless the device forgot to cancel */
	if (r->op == BLK_DISCARD) { /* the sectors keep their contents (allowed: 5.2.6.2) */
		r->done(r, BLK_OK);
		return;
	}
	if (r->op != BLK_FLUSH &&
	    (r->sector > d->sectors || r->nr_sectors > d->sectors - r->sector)) {
		r->done(r, BLK_IOERR);
		return;
	}
	for (unsigned i = 0; i < SVC_IOS && !io; i++)
		if (!ios[i].used)
			io = &ios[i];
	if (!io) {
		r->done(r, BLK_IOERR);
		return;
	}
	io->used = true;
	io->h = d->h;
	io->d = d;
	io->r = r;
	io->off = 0;
	io->total = r->op == BLK_FLUSH ? 0 : r->nr_sectors * BLK_SECTOR;
	d->cur = io;
	step(io);
}

static const struct blk_backend_ops svc_blk_ops = { sb_submit, sb_cancel };

bool svc_blk_open(struct dev_host *h, const struct vm_disk *d, unsigned index,
		  struct blk_backend *out, const char **err)
{
	struct svc_blk *b;
	static const char serial[] = "bulkhead-svc";
	int disk;

	if (d->svc_bytes == 0 || d->svc_bytes % BLK_SECTOR != 0) {
		*err = "service VM disk: size is not a whole number of 512-byte sectors";
		return false;
	}
	disk = svc_disk_register(d->svc_name, d->svc_bytes / BLK_SECTOR);
	if (disk < 0) {
		*err = "service VM disk: no room in the ring's disk table, or the name is "
		       "served with another size";
		return false;
	}
	b = dev_alloc(h, sizeof(*b));
	if (!b) {
		*err = "no room for a disk";
		return false;
	}
	switch (svc_disk_state((u32)disk)) {
	case SVC_DISK_READY:
		break;
	case SVC_DISK_PENDING: {
		struct vm *vm = vm_of_dev(h);

		if (vm->id >= VM_MAX) {
			*err = "service VM disk: not a VM slot";
			return false;
		}
		waiting[vm->id].vm = vm;
		waiting[vm->id].disks |= 1U << disk;
		vm_hold(vm, svc_service_up() ? wait_served : wait_no_service);
		break;
	}
	default: { /* the current daemon said no already */
		static char why[VM_REASON_MAX];

		fmt_snprintf(why, sizeof(why), "its disk %s is not served: %s", d->svc_name,
			     svc_disk_state_why(svc_disk_state((u32)disk)));
		*err = why;
		return false;
	}
	}
	b->h = h;
	b->disk = (u32)disk;
	b->sectors = d->svc_bytes / BLK_SECTOR;
	memset(out, 0, sizeof(*out));
	out->ops = &svc_blk_ops;
	out->be = b;
	out->sectors = b->sectors;
	out->read_only = d->read_only;
	memcpy(out->id, serial, sizeof(serial) - 1);
	out->id[sizeof(serial) - 1] = (char)('0' + index % 10);
	return true;
}

/* The VM is torn down: its outstanding pieces are orphaned (their answers
 * free their slots), its waiting requests dropped. */
static void svc_blk_destroy(struct dev_host *h)
{
	struct vm *vm = vm_of_dev(h);

	if (vm->id < VM_MAX && waiting[vm->id].vm == vm)
		waiting[vm->id].disks = 0;
	for (unsigned i = 0; i < SVC_IOS; i++) {
		if (!ios[i].used || ios[i].h != h)
			continue;
		if (ios[i].waiting)
			io_free(&ios[i]);
		else
			ios[i].d = NULL;
	}
}

static bool svc_blk_create(struct dev_host *h, const struct vm_config *cfg, const char **err)
{
	(void)h;
	(void)cfg;
	(void)err;
	return true;
}

VM_DEVICE_DESTROY(41, svc_blk, svc_blk_create, svc_blk_destroy);
