/* The hypervisor's side of the service VM's request ring (bulkhead/svc.h,
 * public/svc_ring.h). The shared memory belongs to the service VM, which
 * may write any of it at any time: every value is read from it once into a
 * local, checked, and never read again; nothing read from it is used as an
 * index or length without a bound. The hypervisor's own state (what is
 * outstanding, its indexes) lives outside the shared memory. */
#include <bulkhead/string.h>
#include <bulkhead/svc.h>

#define SLOT_MASK (SVC_RING_ENTRIES - 1U)

static struct svc_hdr *hdr(struct svc_ring *r)
{
	return (struct svc_hdr *)r->mem;
}

/* One u32 the daemon may be writing: read it once. */
static u32 shared_load(const u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void shared_store(u32 *p, u32 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

void svc_ring_init(struct svc_ring *r, void *mem, u32 gen)
{
	struct svc_hdr *h;

	memset(r, 0, sizeof(*r));
	r->mem = mem;
	r->gen = gen;
	h = hdr(r);
	memset(h, 0, SVC_DATA_OFF); /* header and rings; the slots keep old data */
	h->magic = SVC_MAGIC;
	h->version = SVC_VERSION;
	h->entries = SVC_RING_ENTRIES;
	h->slot_bytes = SVC_SLOT_BYTES;
}

bool svc_ring_add_disk(struct svc_ring *r, const char *name, u64 sectors)
{
	struct svc_disk_desc *d;
	size_t n = strnlen(name, SVC_DISK_NAME);

	if (r->nr_disks == SVC_MAX_DISKS || n == SVC_DISK_NAME)
		return false;
	d = &hdr(r)->disks[r->nr_disks];
	memset(d->name, 0, sizeof(d->name));
	memcpy(d->name, name, n);
	d->sectors = sectors;
	shared_store(&hdr(r)->nr_disks, ++r->nr_disks);
	return true;
}

u32 svc_ring_disk_state(struct svc_ring *r, u32 disk)
{
	u32 st;

	if (disk >= r->nr_disks)
		return SVC_DISK_PENDING;
	st = shared_load(&hdr(r)->disk_state[disk]);
	return st > SVC_DISK_STATE_MAX ? SVC_DISK_BAD_STATE : st;
}

const char *svc_disk_state_why(u32 state)
{
	switch (state) {
	case SVC_DISK_READY:
		return "served";
	case SVC_DISK_REFUSED:
		return "its image was refused by the service VM (corrupt or truncated: its log says "
		       "why)";
	case SVC_DISK_MISSING:
		return "the service VM has no file for it";
	case SVC_DISK_SMALL:
		return "its file in the service VM is smaller than its configured size";
	case SVC_DISK_PENDING:
		return "not looked at by the service VM yet";
	default:
		return "the service VM gave it a state out of range";
	}
}

u32 svc_ring_busy(const struct svc_ring *r)
{
	u32 n = 0;

	for (unsigned i = 0; i < SVC_RING_ENTRIES; i++)
		n += r->pend[i].busy;
	return n;
}

int svc_ring_claim(struct svc_ring *r, u8 **data)
{
	u32 ahead;

	if (r->broken)
		return -1;
	/* The request entry we would write must be one the daemon took. */
	ahead = r->req_prod - shared_load(&hdr(r)->req_cons);
	if (ahead > SVC_RING_ENTRIES) {
		svc_ring_abort(r, "request consumer index out of range");
		return -1;
	}
	if (ahead == SVC_RING_ENTRIES)
		return -1;
	for (unsigned i = 0; i < SVC_RING_ENTRIES; i++) {
		if (!r->pend[i].busy) {
			r->pend[i].busy = true;
			r->pend[i].complete = NULL; /* claimed, not posted */
			*data = r->mem + SVC_DATA_OFF + (u64)i * SVC_SLOT_BYTES;
			return (int)i;
		}
	}
	return -1;
}

void svc_ring_unclaim(struct svc_ring *r, int slot)
{
	r->pend[slot].busy = false;
}

void svc_ring_post(struct svc_ring *r, int slot, const struct svc_req *req,
		   svc_complete_fn complete, void *ctx)
{
	struct svc_pending *p = &r->pend[slot];
	struct svc_req *e = (struct svc_req *)(r->mem + SVC_REQ_OFF) + (r->req_prod & SLOT_MASK);

	/* A new id for every request: a late answer to an earlier use of
	 * the slot does not match. */
	p->id = ((u64)r->gen << 40) | ((u64)(r->req_prod) << 8) | (u64)slot;
	p->op = req->op;
	p->len = req->op == SVC_OP_FLUSH ? 0 : req->nr_sectors * 512U;
	p->ctx = ctx;
	p->complete = complete;
	*e = *req;
	e->id = p->id;
	e->slot = (u32)slot;
	shared_store(&hdr(r)->req_prod, ++r->req_prod);
}

static void finish(struct svc_ring *r, unsigned slot, enum svc_result res)
{
	struct svc_pending *p = &r->pend[slot];
	svc_complete_fn fn = p->complete;
	void *ctx = p->ctx;
	u32 len = res == SVC_DONE_OK ? p->len : 0;

	p->busy = false;
	p->complete = NULL;
	if (fn)
		fn(ctx, r->mem + SVC_DATA_OFF + (u64)slot * SVC_SLOT_BYTES, len, res);
}

void svc_ring_abort(struct svc_ring *r, const char *why)
{
	if (!r->broken)
		r->why = why;
	r->broken = true;
	for (unsigned i = 0; i < SVC_RING_ENTRIES; i++)
		if (r->pend[i].busy && r->pend[i].complete)
			finish(r, i, SVC_DONE_ABORTED);
}

/* One answer, copied out of the shared memory. */
static void take(struct svc_ring *r, const struct svc_rsp *a)
{
	unsigned slot = (unsigned)(a->id & SLOT_MASK);
	struct svc_pending *p = &r->pend[slot];

	if (!p->busy || !p->complete || p->id != a->id) {
		r->bad_answers++; /* names no outstanding request: nothing to fail */
		return;
	}
	if (a->status > SVC_ST_MAX) {
		r->bad_answers++;
		finish(r, slot, SVC_DONE_BAD);
	} else if (a->status != SVC_ST_OK) {
		finish(r, slot, a->status == SVC_ST_UNSUPP ? SVC_DONE_UNSUPP : SVC_DONE_IOERR);
	} else if (a->len != p->len) {
		r->bad_answers++;
		finish(r, slot, SVC_DONE_BAD);
	} else {
		finish(r, slot, SVC_DONE_OK);
	}
}

u32 svc_ring_poll(struct svc_ring *r)
{
	const volatile struct svc_rsp *ring =
		(const volatile struct svc_rsp *)(r->mem + SVC_RSP_OFF);
	u32 prod, n;

	if (r->broken)
		return 0;
	prod = shared_load(&hdr(r)->rsp_prod);
	n = prod - r->rsp_cons;
	if (n > SVC_RING_ENTRIES) {
		svc_ring_abort(r, "response producer index out of range");
		return 0;
	}
	for (u32 i = 0; i < n; i++) {
		const volatile struct svc_rsp *e = &ring[(r->rsp_cons + i) & SLOT_MASK];
		struct svc_rsp a = { e->id, e->status, e->len };

		take(r, &a);
	}
	r->rsp_cons = prod;
	shared_store(&hdr(r)->rsp_cons, prod);
	return n;
}
