/* libFuzzer target: the hypervisor's side of the service VM's frame rings
 * (hv/dev/svc/svc_net_ring.c) against a daemon that writes anything into
 * the shared memory. Checks: every frame handed on has a length in
 * NET_FRAME_MIN..NET_FRAME_MAX and is the hypervisor's own copy, outside
 * the shared memory; a frame the hypervisor
 * sends lands whole in its slot with its length; the counters add up
 * (taken = handed on + dropped for length); a broken ring takes or posts
 * nothing more; nothing is read or written outside the shared memory and
 * the ring's state (ASan).
 *
 * Input: records of 1 op byte and 8 argument bytes: op % 4 = 0 the
 * hypervisor sends a frame (length from the arguments), 1 the daemon
 * writes the 8 bytes at an offset in the frame header or entry rings, 2
 * the daemon posts a frame from the wire (length from the arguments,
 * sometimes any u32), 3 the hypervisor polls. */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/svc_net.h>

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static u8 *mem;
static struct svc_net_ring ring;
static u64 handed;

static void on_rx(void *ctx, const u8 *frame, u32 len)
{
	(void)ctx;
	CHECK(len >= NET_FRAME_MIN && len <= NET_FRAME_MAX);
	CHECK(frame + len <= mem || frame >= mem + SVC_RING_BYTES);
	CHECK(frame == ring.frame); /* the hypervisor's own copy */
	handed++;
}

static struct svc_net_hdr *H(void)
{
	return (struct svc_net_hdr *)(mem + SVC_NET_HDR_OFF);
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t size)
{
	static u8 frame[NET_FRAME_MAX];

	if (!mem)
		mem = malloc(SVC_RING_BYTES);
	memset(mem, 0x5a, SVC_RING_BYTES);
	svc_net_init(&ring, mem);
	handed = 0;
	for (size_t at = 0; at + 9 <= size; at += 9) {
		const u8 *a = buf + at + 1;
		u32 v32;

		memcpy(&v32, a + 4, 4);
		switch (buf[at] % 4) {
		case 0: {
			u32 len = v32 % (NET_FRAME_MAX + 8U);
			u32 prod = ring.out_prod;
			u64 full = ring.out_full;
			bool broken = ring.out_broken;
			bool ok;

			memset(frame, a[0], sizeof(frame));
			ok = svc_net_send(&ring, frame, len);
			if (len < NET_FRAME_MIN || len > NET_FRAME_MAX) {
				CHECK(!ok && ring.out_full == full);
			} else if (ok) {
				u32 i = prod % SVC_NET_ENTRIES;
				const u8 *slot = mem + SVC_NET_OUT_SLOTS + (u64)i * SVC_NET_SLOT_BYTES;

				CHECK(!broken);
				CHECK(ring.out_prod == prod + 1 && H()->out_prod == prod + 1);
				CHECK(((struct svc_frame *)(mem + SVC_NET_OUT_OFF))[i].len == len);
				CHECK(slot[0] == a[0] && slot[len - 1] == a[0]);
			} else {
				CHECK(ring.out_prod == prod && ring.out_full == full + 1);
			}
			break;
		}
		case 1: {
			u32 off = SVC_NET_HDR_OFF +
				  ((u32)a[0] | (u32)a[1] << 8) % (SVC_NET_OUT_SLOTS - SVC_NET_HDR_OFF - 8U);

			memcpy(mem + off, a, 8);
			break;
		}
		case 2: {
			u32 i = H()->in_prod % SVC_NET_ENTRIES;
			u32 len = a[0] & 1 ? v32 : v32 % (NET_FRAME_MAX + 8U);
			u8 *slot = mem + SVC_NET_IN_SLOTS + (u64)i * SVC_NET_SLOT_BYTES;

			for (u32 k = 0; k < SVC_NET_SLOT_BYTES && k < len; k++)
				slot[k] = (u8)(len + k);
			((struct svc_frame *)(mem + SVC_NET_IN_OFF))[i].len = len;
			H()->in_prod += a[1] & 0x80 ? a[2] : 1U;
			break;
		}
		case 3: {
			u32 cons = ring.in_cons;
			bool broken = ring.in_broken;
			u32 n = svc_net_poll(&ring, on_rx, NULL);

			if (broken)
				CHECK(n == 0 && ring.in_cons == cons);
			CHECK(n <= SVC_NET_ENTRIES);
			CHECK(ring.in_cons == cons + n);
			break;
		}
		}
		CHECK(ring.in_frames == handed);
		CHECK(ring.out_frames == ring.out_prod);
	}
	return 0;
}
