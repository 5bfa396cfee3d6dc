/* The hypervisor's side of the service VM's frame rings (bulkhead/svc_net.h,
 * public/svc_ring.h). As in svc_ring.c, the shared memory belongs to the
 * service VM, which may write any of it at any time: each index and length
 * is read from it once into a local and checked before use, and a frame
 * from the wire is copied out of its slot before anyone looks at it. */
#include <bulkhead/string.h>
#include <bulkhead/svc_net.h>

#define NET_MASK (SVC_NET_ENTRIES - 1U)

static struct svc_net_hdr *nhdr(struct svc_net_ring *r)
{
	return (struct svc_net_hdr *)(r->mem + SVC_NET_HDR_OFF);
}

static u32 shared_load(const u32 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void shared_store(u32 *p, u32 v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

void svc_net_init(struct svc_net_ring *r, void *mem)
{
	struct svc_net_hdr *h;

	memset(r, 0, sizeof(*r));
	r->mem = mem;
	/* header and both entry rings; the slots keep old data */
	memset(r->mem + SVC_NET_HDR_OFF, 0, SVC_NET_OUT_SLOTS - SVC_NET_HDR_OFF);
	h = nhdr(r);
	h->entries = SVC_NET_ENTRIES;
	h->slot_bytes = SVC_NET_SLOT_BYTES;
}

bool svc_net_send(struct svc_net_ring *r, const u8 *frame, u32 len)
{
	struct svc_frame *e;
	u32 ahead;

	if (len < NET_FRAME_MIN || len > NET_FRAME_MAX)
		return false;
	if (!r->out_broken) {
		/* The entry we would write must be one the daemon took. */
		ahead = r->out_prod - shared_load(&nhdr(r)->out_cons);
		if (ahead > SVC_NET_ENTRIES) {
			r->out_broken = true;
			r->bad_index++;
		} else if (ahead < SVC_NET_ENTRIES) {
			u32 i = r->out_prod & NET_MASK;

			memcpy(r->mem + SVC_NET_OUT_SLOTS + (u64)i * SVC_NET_SLOT_BYTES, frame, len);
			e = (struct svc_frame *)(r->mem + SVC_NET_OUT_OFF) + i;
			e->len = len;
			e->flags = 0;
			shared_store(&nhdr(r)->out_prod, ++r->out_prod);
			r->out_frames++;
			return true;
		}
	}
	r->out_full++;
	return false;
}

u32 svc_net_poll(struct svc_net_ring *r, svc_net_rx_fn rx, void *ctx)
{
	const volatile struct svc_frame *ring =
		(const volatile struct svc_frame *)(r->mem + SVC_NET_IN_OFF);
	u32 prod, n;

	if (r->in_broken)
		return 0;
	prod = shared_load(&nhdr(r)->in_prod);
	n = prod - r->in_cons;
	if (n > SVC_NET_ENTRIES) {
		r->in_broken = true;
		r->bad_index++;
		return 0;
	}
	for (u32 k = 0; k < n; k++) {
		u32 i = (r->in_cons + k) & NET_MASK;
		u32 len = ring[i].len; /* read once */

		if (len < NET_FRAME_MIN || len > NET_FRAME_MAX) {
			r->in_bad_len++;
			continue;
		}
		memcpy(r->frame, r->mem + SVC_NET_IN_SLOTS + (u64)i * SVC_NET_SLOT_BYTES, len);
		r->in_frames++;
		rx(ctx, r->frame, len);
	}
	r->in_cons = prod;
	shared_store(&nhdr(r)->in_cons, prod);
	return n;
}
