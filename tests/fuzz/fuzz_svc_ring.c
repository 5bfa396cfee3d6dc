/* libFuzzer target: the hypervisor's side of the service VM's ring
 * (hv/dev/svc/svc_ring.c) against a daemon that writes anything into the
 * shared memory. Checks: every posted request is completed exactly once
 * (by an answer or an abort, never twice), an OK completion carries the
 * request's own length, a broken ring completes everything outstanding and
 * takes no more requests, and nothing is read or written outside the
 * shared memory and the ring's state (ASan).
 *
 * Input: records of 1 op byte and 16 argument bytes: op % 4 = 0 post a
 * request (op, sector count from the arguments), 1 the daemon writes the
 * 16 bytes at a shared-memory offset (arguments' first two bytes, scaled
 * to the header and rings), 2 the hypervisor polls (and reads every disk's
 * state: in range or SVC_DISK_BAD_STATE), 3 the daemon answers
 * an outstanding or made-up id with an argument status and length. At the
 * end an abort must complete what is left. */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/svc.h>

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
#define MAX_POSTS 4096

static u8 *mem;
static struct svc_ring ring;
static int calls[MAX_POSTS];
static u32 want_len[MAX_POSTS];
static u64 ids[MAX_POSTS];

static void on_done(void *ctx, const u8 *data, u32 len, enum svc_result res)
{
	size_t i = (size_t)(uintptr_t)ctx;

	calls[i]++;
	CHECK(calls[i] == 1);
	CHECK(data >= mem + SVC_DATA_OFF && data + SVC_SLOT_BYTES <= mem + SVC_RING_BYTES);
	if (res == SVC_DONE_OK)
		CHECK(len == want_len[i]);
	else
		CHECK(len == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t size)
{
	size_t posts = 0;

	if (!mem)
		mem = malloc(SVC_RING_BYTES);
	memset(calls, 0, sizeof(calls));
	svc_ring_init(&ring, mem, 1);
	CHECK(svc_ring_add_disk(&ring, "a", 8) && svc_ring_add_disk(&ring, "b", 16));
	for (size_t at = 0; at + 17 <= size && posts < MAX_POSTS; at += 17) {
		const u8 *a = buf + at + 1;
		u32 v32;
		u64 v64;

		memcpy(&v32, a + 4, 4);
		memcpy(&v64, a + 8, 8);
		switch (buf[at] % 4) {
		case 0: {
			u8 *data;
			int slot = svc_ring_claim(&ring, &data);
			struct svc_req q = { .op = a[0] % 3U, .sector = v64,
					     .nr_sectors = a[1] % (SVC_SLOT_BYTES / 512U + 1U) };

			if (slot < 0)
				break;
			CHECK(!ring.broken);
			if (q.op == SVC_OP_FLUSH)
				q.nr_sectors = 0;
			want_len[posts] = q.op == SVC_OP_FLUSH ? 0 : q.nr_sectors * 512U;
			memset(data, 0xcc, q.nr_sectors * 512U);
			svc_ring_post(&ring, slot, &q, on_done, (void *)(uintptr_t)posts);
			ids[posts] = ((struct svc_req *)(mem + SVC_REQ_OFF))[(ring.req_prod - 1U) % SVC_RING_ENTRIES].id;
			posts++;
			break;
		}
		case 1: {
			u32 off = ((u32)a[0] | (u32)a[1] << 8) % (SVC_DATA_OFF - 16U);

			memcpy(mem + off, a, 16);
			break;
		}
		case 2:
			svc_ring_poll(&ring);
			/* the daemon's disk states: in range, or BAD_STATE */
			for (u32 d = 0; d <= SVC_MAX_DISKS; d++)
				CHECK(svc_ring_disk_state(&ring, d) <= SVC_DISK_BAD_STATE);
			CHECK(svc_ring_disk_state(&ring, 2) == SVC_DISK_PENDING);
			break;
		case 3: {
			struct svc_hdr *h = (struct svc_hdr *)mem;
			struct svc_rsp *r = (struct svc_rsp *)(mem + SVC_RSP_OFF) +
					    (h->rsp_prod % SVC_RING_ENTRIES);

			r->id = posts && (a[0] & 1) ? ids[v64 % posts] : v64;
			r->status = a[1] & 0x80 ? v32 : a[1] % 3U;
			r->len = a[2] & 1 ? v32 : want_len[posts ? v64 % posts : 0];
			h->rsp_prod++;
			break;
		}
		}
		CHECK(svc_ring_busy(&ring) <= SVC_RING_ENTRIES);
	}
	svc_ring_abort(&ring, "end of input");
	CHECK(svc_ring_busy(&ring) == 0);
	for (size_t i = 0; i < posts; i++)
		CHECK(calls[i] == 1);
	return 0;
}
