/* The hypervisor's side of the service VM's frame rings (public/svc_ring.h,
 * "The frame rings"): frames for the wire into the out ring, frames from
 * the wire taken from the in ring, trusting nothing the daemon writes.
 * Pure logic over the ring's memory block (hv/dev/svc/svc_net_ring.c), so
 * the same file compiles into a unit test and a fuzz target. Not yet
 * attached to the switch (docs/networking.md, "Uplink"). The caller
 * serializes calls on one ring. */
#ifndef BULKHEAD_SVC_NET_H
#define BULKHEAD_SVC_NET_H

#include <bulkhead/net_port.h>
#include <bulkhead/types.h>
#include <public/svc_ring.h>

/* Called with a frame from the wire, copied out of the shared memory
 * (NET_FRAME_MIN..NET_FRAME_MAX bytes; valid during the call only). */
typedef void (*svc_net_rx_fn)(void *ctx, const u8 *frame, u32 len);

struct svc_net_ring {
	u8 *mem;            /* SVC_RING_BYTES of shared memory (BAR 2) */
	u32 out_prod;       /* our copies: the shared ones are only written */
	u32 in_cons;
	bool out_broken;    /* the daemon's out_cons was out of range */
	bool in_broken;     /* the daemon's in_prod was out of range */
	u64 out_frames;     /* frames posted for the wire */
	u64 out_full;       /* frames dropped: the out ring was full or broken */
	u64 in_frames;      /* frames from the wire handed on */
	u64 in_bad_len;     /* in entries dropped for their length */
	u64 bad_index;      /* out-of-range indexes seen (each breaks its ring) */
	u8 frame[NET_FRAME_MAX]; /* the in frame being handed on */
};

/* Fresh rings over mem: the frame header written, indexes zero. */
void svc_net_init(struct svc_net_ring *r, void *mem);
/* Copies a frame (NET_FRAME_MIN..NET_FRAME_MAX bytes, else refused) into
 * the out ring; false (counted in out_full unless refused for its length)
 * when the ring is full or broken. */
bool svc_net_send(struct svc_net_ring *r, const u8 *frame, u32 len);
/* Takes every frame the daemon posted: each with a good length copied out
 * and handed to rx, each with a bad one dropped and counted; the frames
 * taken (good or bad). A producer index out of range breaks the in ring. */
u32 svc_net_poll(struct svc_net_ring *r, svc_net_rx_fn rx, void *ctx);

#endif
