/* Split virtqueues, the device side (virtio 1.1 2.6), pure logic over a
 * guest-memory accessor (virtqueue.h). Every value read from the rings is
 * read once into a local and checked before use: the guest may rewrite
 * its rings while the device walks them, and sees at worst its own
 * request fail. A walk is bounded by the queue size (2.6.5.3.1: no chain is
 * longer than the queue size), so a looping chain breaks the queue instead
 * of spinning (bhyve usr.sbin/bhyve/virtio.c vq_getchain). */
#include <bulkhead/string.h>
#include <bulkhead/virtqueue.h>

/* Descriptor flags (2.6.5) and ring flags (2.6.6, 2.6.8). */
#define VIRTQ_DESC_F_NEXT       1U
#define VIRTQ_DESC_F_WRITE      2U
#define VIRTQ_DESC_F_INDIRECT   4U
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1U

/* struct virtq_desc (2.6.5): little-endian, as the x86 host. */
struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
} __packed;

#define DESC_SIZE 16U

/* Offsets in the avail (2.6.6) and used (2.6.8) rings. */
#define AVAIL_FLAGS 0U
#define AVAIL_IDX   2U
#define AVAIL_RING  4U
#define USED_IDX    2U
#define USED_RING   4U
#define USED_ELEM   8U

static bool broke(struct virtqueue *q, const char *why)
{
	if (!q->broken) {
		q->broken = true;
		q->why = why;
	}
	return false;
}

static bool rd16(const struct vq_mem *m, u64 gpa, u16 *v)
{
	return m->read(m->ctx, gpa, v, sizeof(*v));
}

static bool wr16(const struct vq_mem *m, u64 gpa, u16 v)
{
	return m->write(m->ctx, gpa, &v, sizeof(v));
}

bool vq_init(struct virtqueue *q, u16 size, u64 desc, u64 avail, u64 used, bool event_idx,
	     bool indirect)
{
	memset(q, 0, sizeof(*q));
	/* 2.6: size a power of two; alignment 16 (descriptors), 2 (avail),
	 * 4 (used), table 2.2. */
	if (size == 0 || size > VQ_MAX_SIZE || (size & (size - 1U)) != 0)
		return false;
	if (!IS_ALIGNED(desc, 16ULL) || !IS_ALIGNED(avail, 2ULL) || !IS_ALIGNED(used, 4ULL))
		return false;
	q->size = size;
	q->desc = desc;
	q->avail = avail;
	q->used = used;
	q->event_idx = event_idx;
	q->indirect = indirect;
	return true;
}

/* True when all of [gpa, gpa + len) is RAM: one byte per page is read, so
 * a buffer is refused as a whole before the device acts on any of it, and
 * the copies (which check again) cannot fail half way for a hole. */
static bool range_is_ram(const struct vq_mem *m, u64 gpa, u64 len)
{
	u64 end = gpa + len, at = gpa;
	u8 b;

	if (len == 0 || end < gpa)
		return false;
	while (at < end) {
		if (!m->read(m->ctx, at, &b, 1))
			return false;
		at = ALIGN_DOWN(at, (u64)PAGE_SIZE) + PAGE_SIZE;
		if (at == 0) /* the last page of the address space */
			break;
	}
	return true;
}

bool vq_rings_ok(const struct virtqueue *q, const struct vq_mem *m)
{
	u64 n = q->size;

	return q->size != 0 && range_is_ram(m, q->desc, n * DESC_SIZE) &&
	       range_is_ram(m, q->avail, AVAIL_RING + 2U * n + 2U) &&
	       range_is_ram(m, q->used, USED_RING + USED_ELEM * n + 2U);
}

/* Adds one descriptor's buffer to c (2.6.4.2: readable before writable). */
static bool add_seg(struct virtqueue *q, const struct vq_mem *m, struct vq_chain *c,
		    const struct virtq_desc *d)
{
	bool w = (d->flags & VIRTQ_DESC_F_WRITE) != 0;
	u32 *total = w ? &c->in_len : &c->out_len;

	if (d->len == 0) /* as QEMU's virtqueue_map_desc: no zero-sized buffers */
		return broke(q, "zero-length descriptor");
	if (!w && c->in_len != 0)
		return broke(q, "readable descriptor after a writable one");
	if (c->nr == VQ_MAX_SEGS)
		return broke(q, "chain has too many descriptors");
	if (*total + d->len < *total)
		return broke(q, "chain longer than 4 GiB");
	if (!range_is_ram(m, d->addr, d->len))
		return broke(q, "descriptor buffer outside RAM");
	c->seg[c->nr].gpa = d->addr;
	c->seg[c->nr].len = d->len;
	c->seg[c->nr].device_writes = w;
	c->nr++;
	*total += d->len;
	return true;
}

/* Walks the indirect table d points to (2.6.5.3): no nesting, no NEXT on
 * the pointing descriptor, a whole number of descriptors, next inside the
 * table; hops counts against the queue size for the whole chain. */
static bool walk_indirect(struct virtqueue *q, const struct vq_mem *m, struct vq_chain *c,
			  const struct virtq_desc *d, u32 *hops)
{
	struct virtq_desc e;
	u32 n, i = 0;

	if (!q->indirect)
		return broke(q, "indirect descriptor not negotiated");
	if (d->flags & VIRTQ_DESC_F_NEXT)
		return broke(q, "indirect descriptor with NEXT");
	if (d->len == 0 || d->len % DESC_SIZE != 0)
		return broke(q, "indirect table length not a multiple of 16");
	n = d->len / DESC_SIZE;
	if (n > q->size)
		return broke(q, "indirect table longer than the queue");
	if (d->addr + d->len < d->addr)
		return broke(q, "indirect table wraps");
	for (;;) {
		if (++*hops > q->size)
			return broke(q, "chain longer than the queue size (a loop?)");
		if (!m->read(m->ctx, d->addr + (u64)i * DESC_SIZE, &e, sizeof(e)))
			return broke(q, "indirect table outside RAM");
		if (e.flags & VIRTQ_DESC_F_INDIRECT)
			return broke(q, "nested indirect descriptor");
		if (!add_seg(q, m, c, &e))
			return false;
		if (!(e.flags & VIRTQ_DESC_F_NEXT))
			return true;
		if (e.next >= n)
			return broke(q, "indirect next index out of range");
		i = e.next;
	}
}

static bool walk_chain(struct virtqueue *q, const struct vq_mem *m, struct vq_chain *c, u16 head)
{
	struct virtq_desc d;
	u32 hops = 0;
	u16 i = head;

	for (;;) {
		if (++hops > q->size)
			return broke(q, "chain longer than the queue size (a loop?)");
		if (!m->read(m->ctx, q->desc + (u64)i * DESC_SIZE, &d, sizeof(d)))
			return broke(q, "descriptor table outside RAM");
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* 2.6.5.3.1: an indirect table ends the chain. */
			return walk_indirect(q, m, c, &d, &hops);
		}
		if (!add_seg(q, m, c, &d))
			return false;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return true;
		if (d.next >= q->size)
			return broke(q, "next index out of range");
		i = d.next;
	}
}

enum vq_pop_result vq_pop(struct virtqueue *q, const struct vq_mem *m, struct vq_chain *c)
{
	u16 avail_idx, head;

	if (q->broken)
		return VQ_BROKEN;
	if (q->size == 0)
		return VQ_EMPTY;
	if (!rd16(m, q->avail + AVAIL_IDX, &avail_idx)) {
		broke(q, "available ring outside RAM");
		return VQ_BROKEN;
	}
	if (avail_idx == q->last_avail)
		return VQ_EMPTY;
	/* 2.6.6: the driver is at most one queue ahead of the device. */
	if ((u16)(avail_idx - q->last_avail) > q->size) {
		broke(q, "available index moved more than the queue size");
		return VQ_BROKEN;
	}
	if (!rd16(m, q->avail + AVAIL_RING + 2U * (u64)(q->last_avail & (q->size - 1U)), &head)) {
		broke(q, "available ring outside RAM");
		return VQ_BROKEN;
	}
	if (head >= q->size) {
		broke(q, "available ring entry out of range");
		return VQ_BROKEN;
	}
	c->head = head;
	c->nr = 0;
	c->out_len = 0;
	c->in_len = 0;
	if (!walk_chain(q, m, c, head))
		return VQ_BROKEN;
	q->last_avail++;
	return VQ_GOT_CHAIN;
}

bool vq_push(struct virtqueue *q, const struct vq_mem *m, u16 head, u32 written)
{
	struct {
		u32 id, len;
	} __packed e = { head, written };
	u64 slot = q->used + USED_RING + USED_ELEM * (u64)(q->used_idx & (q->size - 1U));

	if (q->broken || q->size == 0)
		return false;
	/* 2.6.8.2: the element first, then the index the driver reads. */
	if (!m->write(m->ctx, slot, &e, sizeof(e)))
		return broke(q, "used ring outside RAM");
	__atomic_thread_fence(__ATOMIC_RELEASE);
	if (!wr16(m, q->used + USED_IDX, (u16)(q->used_idx + 1U)))
		return broke(q, "used ring outside RAM");
	q->used_idx++;
	return true;
}

/* 2.6.7.2 (vring_need_event): notify if used_event lies in [old, new). */
static bool need_event(u16 event, u16 new_idx, u16 old)
{
	return (u16)(new_idx - event - 1U) < (u16)(new_idx - old);
}

bool vq_should_notify(struct virtqueue *q, const struct vq_mem *m)
{
	u16 old = q->signalled_used, v;
	bool valid = q->signalled_valid;

	if (q->broken || q->size == 0)
		return false;
	/* The driver's flag or event index is read after the used index is
	 * written (2.6.7.2: the device must not miss a change). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->signalled_used = q->used_idx;
	q->signalled_valid = true;
	if (q->event_idx) {
		if (!rd16(m, q->avail + AVAIL_RING + 2U * (u64)q->size, &v))
			return broke(q, "available ring outside RAM");
		return !valid || need_event(v, q->used_idx, old);
	}
	if (!rd16(m, q->avail + AVAIL_FLAGS, &v))
		return broke(q, "available ring outside RAM");
	return !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

void vq_set_avail_event(struct virtqueue *q, const struct vq_mem *m)
{
	if (q->broken || q->size == 0 || !q->event_idx)
		return;
	if (!wr16(m, q->used + USED_RING + USED_ELEM * (u64)q->size, q->last_avail))
		broke(q, "used ring outside RAM");
}

/* Copies len bytes at off within the chain's part (writable or not). */
static bool chain_copy(const struct vq_mem *m, const struct vq_chain *c, bool writable, u32 off,
		       void *hbuf, u32 len, bool to_guest)
{
	u8 *p = hbuf;
	u32 i;

	for (i = 0; i < c->nr && len != 0; i++) {
		const struct vq_seg *s = &c->seg[i];
		u32 n;
		bool ok;

		if (s->device_writes != writable)
			continue;
		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = MIN(s->len - off, len);
		ok = to_guest ? m->write(m->ctx, s->gpa + off, p, n)
			      : m->read(m->ctx, s->gpa + off, p, n);
		if (!ok)
			return false;
		p += n;
		len -= n;
		off = 0;
	}
	return len == 0;
}

bool vq_chain_read(const struct vq_mem *m, const struct vq_chain *c, u32 off, void *dst, u32 len)
{
	if (off > c->out_len || len > c->out_len - off)
		return false;
	return chain_copy(m, c, false, off, dst, len, false);
}

bool vq_chain_write(const struct vq_mem *m, const struct vq_chain *c, u32 off, const void *src,
		    u32 len)
{
	if (off > c->in_len || len > c->in_len - off)
		return false;
	return chain_copy(m, c, true, off, (void *)(uintptr_t)src, len, true);
}
