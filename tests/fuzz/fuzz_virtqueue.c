/* libFuzzer target: arbitrary rings and descriptors in a small guest RAM
 * through hv/dev/virtio/virtqueue.c. Checks: no access outside RAM (the
 * accessor traps on one, ASan on a stray host access), every chain that
 * comes out obeys the rules the walker promises (buffers non-empty and in
 * RAM, readable before writable, totals right, at most VQ_MAX_SEGS), the
 * walk is bounded, and a broken queue stays broken with a reason.
 *
 * Input: byte 0 queue size (log2, modulo 11) and bit 4 EVENT_IDX, bit 5
 * INDIRECT_DESC; byte 1 the number of pops; bytes 2-7 the descriptor
 * table, avail and used ring addresses (16 bits each, little endian, in
 * units of 16, 2 and 4 bytes, so aligned, and free to overlap or run past
 * RAM); the rest is the RAM. */
#include <string.h>
#include <bulkhead/virtqueue.h>

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
#define RAM_BYTES 0x6000U

static u8 ram[RAM_BYTES];
static unsigned accesses;

static bool in_ram(u64 gpa, u64 len)
{
	return gpa + len >= gpa && gpa + len <= RAM_BYTES;
}

static bool f_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	(void)ctx;
	accesses++;
	if (!in_ram(gpa, len))
		return false;
	memcpy(dst, &ram[gpa], len);
	return true;
}

static bool f_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	(void)ctx;
	accesses++;
	if (!in_ram(gpa, len))
		return false;
	memcpy(&ram[gpa], src, len);
	return true;
}

static const struct vq_mem mem = { f_read, f_write, NULL };

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct vq_chain c;
	struct virtqueue q;
	u8 buf[256];
	u16 qsize;
	unsigned pops;

	if (size < 8)
		return 0;
	qsize = (u16)(1U << (data[0] % 11));
	pops = data[1];
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + 8, MIN(size - 8, (size_t)RAM_BYTES));
	if (!vq_init(&q, qsize, 16ULL * (data[2] | data[3] << 8), 2ULL * (data[4] | data[5] << 8),
		     4ULL * (data[6] | data[7] << 8), data[0] & 0x10, data[0] & 0x20))
		__builtin_trap();
	for (unsigned n = 0; n < pops; n++) {
		u32 out = 0, in = 0;
		bool seen_in = false;

		accesses = 0;
		enum vq_pop_result r = vq_pop(&q, &mem, &c);
		/* bounded: the ring reads, then per descriptor (at most the
		 * queue size and the one pointing to an indirect table) one
		 * read and a probe per page of its buffer */
		CHECK(accesses <= 2U + (qsize + 1U) * (1U + RAM_BYTES / 4096U + 1U));
		if (r == VQ_EMPTY)
			break;
		if (r == VQ_BROKEN) {
			CHECK(q.broken && q.why != NULL);
			CHECK(vq_pop(&q, &mem, &c) == VQ_BROKEN);
			break;
		}
		CHECK(c.head < qsize && c.nr >= 1 && c.nr <= VQ_MAX_SEGS);
		for (unsigned i = 0; i < c.nr; i++) {
			CHECK(c.seg[i].len != 0 && in_ram(c.seg[i].gpa, c.seg[i].len));
			CHECK(!(seen_in && !c.seg[i].device_writes));
			seen_in |= c.seg[i].device_writes;
			if (c.seg[i].device_writes)
				in += c.seg[i].len;
			else
				out += c.seg[i].len;
		}
		CHECK(out == c.out_len && in == c.in_len);
		if (c.out_len)
			CHECK(vq_chain_read(&mem, &c, 0, buf, MIN(c.out_len, (u32)sizeof(buf))));
		if (c.in_len)
			CHECK(vq_chain_write(&mem, &c, c.in_len - MIN(c.in_len, (u32)sizeof(buf)),
					     buf, MIN(c.in_len, (u32)sizeof(buf))));
		CHECK(!vq_chain_read(&mem, &c, c.out_len, buf, 1));
		if (!vq_push(&q, &mem, c.head, c.in_len)) {
			CHECK(q.broken);
			break;
		}
		(void)vq_should_notify(&q, &mem);
		vq_set_avail_event(&q, &mem);
	}
	return 0;
}
