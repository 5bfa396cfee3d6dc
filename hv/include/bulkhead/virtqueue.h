/* Split virtqueues (virtio 1.1 2.6): the device side, pure logic over a
 * guest-memory accessor so the same code runs in host tests and fuzzers.
 *
 * Every chain the guest posts is walked with a hop bound, index checks and
 * whole-range translation through the accessor (gpa_copy_*); nothing is
 * trusted between two reads of guest memory (bhyve's vq_getchain). Any
 * violation makes the queue broken: the caller then sets
 * DEVICE_NEEDS_RESET for its device and stops serving it. */
#ifndef BULKHEAD_VIRTQUEUE_H
#define BULKHEAD_VIRTQUEUE_H

#include <bulkhead/types.h>

/* Guest memory as a device may touch it; false when [gpa, gpa+len) is not
 * entirely the VM's RAM (or wraps). */
struct vq_mem {
	bool (*read)(void *ctx, u64 gpa, void *dst, u64 len);
	bool (*write)(void *ctx, u64 gpa, const void *src, u64 len);
	void *ctx;
};

#define VQ_MAX_SIZE 1024   /* queue size: a power of two up to this */
#define VQ_MAX_SEGS 32     /* buffers in one chain (direct + indirect) */

struct vq_seg {
	u64 gpa;
	u32 len;
	bool device_writes; /* VIRTQ_DESC_F_WRITE */
};

/* One request: the device-readable segments come first, then the
 * device-writable ones (2.6.4.2); out_len and in_len are their totals. */
struct vq_chain {
	u16 head;
	u16 nr;
	u32 out_len, in_len;
	struct vq_seg seg[VQ_MAX_SEGS];
};

struct virtqueue {
	u16 size;                 /* 0: not configured */
	u64 desc, avail, used;    /* guest-physical addresses of the rings */
	bool event_idx;           /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;            /* VIRTIO_F_INDIRECT_DESC negotiated */
	u16 last_avail;           /* next avail ring entry to take */
	u16 used_idx;             /* next used ring entry to fill */
	u16 signalled_used;       /* used_idx at the last interrupt */
	bool signalled_valid;
	bool broken;
	const char *why;          /* the first violation, for the log */
};

enum vq_pop_result { VQ_EMPTY, VQ_GOT_CHAIN, VQ_BROKEN };

/* Sets up q for the guest's rings (size a power of two <= VQ_MAX_SIZE,
 * rings aligned as 2.6 table 2.2 says: 16, 2, 4); false, and q stays
 * unconfigured, for a bad size or alignment. */
bool __must_check vq_init(struct virtqueue *q, u16 size, u64 desc, u64 avail, u64 used,
			  bool event_idx, bool indirect);
/* All three rings of a configured queue lie in RAM (checked when the
 * driver enables the queue; every access checks again). */
bool vq_rings_ok(const struct virtqueue *q, const struct vq_mem *m);
/* Takes the next available chain into c: every buffer is non-empty and
 * wholly in RAM, readable ones before writable ones, at most VQ_MAX_SEGS of
 * them and no more descriptors than the queue size. VQ_BROKEN (with q->why)
 * on the first violation, and from then on. */
enum vq_pop_result vq_pop(struct virtqueue *q, const struct vq_mem *m, struct vq_chain *c);
/* Returns chain head to the guest with written bytes; false if the queue
 * broke (the used ring is not writable RAM). */
bool vq_push(struct virtqueue *q, const struct vq_mem *m, u16 head, u32 written);
/* After pushes: should the guest be interrupted (VIRTQ_AVAIL_F_NO_INTERRUPT,
 * or used_event with EVENT_IDX, 2.6.7.2)? */
bool vq_should_notify(struct virtqueue *q, const struct vq_mem *m);
/* With EVENT_IDX, asks the guest to notify when it adds past last_avail. */
void vq_set_avail_event(struct virtqueue *q, const struct vq_mem *m);

/* Copies between the chain's readable (out) or writable (in) bytes, at
 * offset off from the start of that part, and a hypervisor buffer; false
 * if the range is outside that part or memory fails. */
bool vq_chain_read(const struct vq_mem *m, const struct vq_chain *c, u32 off, void *dst, u32 len);
bool vq_chain_write(const struct vq_mem *m, const struct vq_chain *c, u32 off, const void *src,
		    u32 len);

#endif
