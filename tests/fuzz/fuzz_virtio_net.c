/* libFuzzer target: virtio-net (hv/dev/virtio/net.c) given arbitrary
 * transmit and receive chains, as the transport's walker hands them over
 * (any segments, any lengths, readable and writable mixed, outside RAM),
 * and arbitrary frames from the network. It must never read or write
 * outside a chain's segments or RAM, never send a frame over NET_FRAME_MAX,
 * never complete a receive chain with more bytes than it holds, and do
 * nothing after failing the device.
 * Input: records of [op (1 byte), nr segments (1), per segment gpa (2,
 * scaled), len (2), writable (1)]; op bit 0: transmit (else a frame of
 * op-dependent length arrives). */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/dev.h>
#include <bulkhead/virtio_net.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM 0x20000U
static u8 ram[RAM];
static struct vq_chain chain;     /* the next one the guest posts */
static struct vq_chain popped[2]; /* what the device took, per queue */
static bool have_chain, failed;
static u16 used_head;
static u32 used_len, nr_used;
static struct virtio_net net;

/* Within a segment of a chain the device took, of the right direction. */
static bool in_chain(u64 gpa, u64 len, bool writable)
{
	for (unsigned q = 0; q < 2; q++)
		for (unsigned i = 0; i < popped[q].nr; i++) {
			const struct vq_seg *s = &popped[q].seg[i];
			if (s->device_writes == writable && gpa >= s->gpa &&
			    gpa + len <= s->gpa + s->len)
				return true;
		}
	return false;
}

static bool ram_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	(void)ctx;
	if (gpa > RAM || len > RAM - gpa)
		return false;
	if (!in_chain(gpa, len, false))
		abort();
	memcpy(dst, ram + gpa, len);
	return true;
}

static bool ram_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	(void)ctx;
	if (gpa > RAM || len > RAM - gpa)
		return false;
	if (!in_chain(gpa, len, true))
		abort();
	memcpy(ram + gpa, src, len);
	return true;
}

static const struct vq_mem mem = { ram_read, ram_write, NULL };

bool virtio_pop(struct virtio_dev *vd, u16 q, struct vq_chain *c)
{
	(void)vd;
	if (failed)
		return false;
	if (!have_chain)
		return false;
	have_chain = false;
	*c = chain;
	popped[q] = chain;
	return true;
}

void virtio_push(struct virtio_dev *vd, u16 q, u16 head, u32 written)
{
	(void)vd;
	if (failed || head != popped[q].head || (q == VIRTIO_NET_RXQ && written > popped[q].in_len) ||
	    (q == VIRTIO_NET_TXQ && written))
		abort();
	used_head = head;
	used_len = written;
	nr_used++;
}

bool virtio_live(const struct virtio_dev *vd)
{
	(void)vd;
	return !failed;
}

const struct vq_mem *virtio_mem(struct virtio_dev *vd)
{
	(void)vd;
	return &mem;
}

void virtio_fail(struct virtio_dev *vd, const char *why)
{
	(void)vd;
	if (!why)
		abort();
	failed = true;
}

struct virtio_dev *virtio_pci_create(struct dev_host *h, u16 bdf, const struct virtio_dev_ops *ops,
				     void *dev, const char **err)
{
	(void)h, (void)bdf, (void)ops, (void)dev, (void)err;
	return NULL;
}

void net_port_send(struct net_port *p, const u8 *frame, u32 len)
{
	(void)frame;
	if (p != &net.port || len > NET_FRAME_MAX || failed)
		abort();
}

bool net_port_attach(struct net_port *p, const char *vm_name)
{
	(void)p, (void)vm_name;
	return true;
}

void net_port_detach(struct net_port *p)
{
	(void)p;
}

bool dev_vm_running(const struct dev_host *h)
{
	(void)h;
	return true;
}

void *dev_alloc(struct dev_host *h, u64 size)
{
	(void)h, (void)size;
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 frame[NET_FRAME_MAX + 64];
	u16 head = 0;

	memset(&net, 0, sizeof(net));
	memset(popped, 0, sizeof(popped));
	failed = have_chain = false;
	nr_used = 0;
	while (size >= 2 && !failed) {
		u8 op = data[0];
		unsigned nr = data[1] % (VQ_MAX_SEGS + 1);

		data += 2;
		size -= 2;
		memset(&chain, 0, sizeof(chain));
		chain.head = head++;
		for (unsigned i = 0; i < nr && size >= 5; i++, data += 5, size -= 5) {
			struct vq_seg *s = &chain.seg[chain.nr++];
			s->gpa = ((u64)data[0] | (u64)data[1] << 8) * 4;
			s->len = (u32)data[2] | (u32)data[3] << 8;
			s->device_writes = data[4] & 1U;
			if (s->device_writes)
				chain.in_len += s->len;
			else
				chain.out_len += s->len;
		}
		have_chain = true;
		if (op & 1U) {
			virtio_net_queue_notify(&net, VIRTIO_NET_TXQ);
		} else {
			u32 len = (u32)op * 6U;
			memset(frame, op, sizeof(frame));
			virtio_net_deliver(&net, frame, len > NET_FRAME_MAX ? NET_FRAME_MAX : len);
			have_chain = false; /* taken, or not wanted while one is held */
		}
	}
	if (failed) {
		/* a failed device takes nothing more (the transport stops popping) */
		virtio_net_deliver(&net, frame, 60);
		virtio_net_queue_notify(&net, VIRTIO_NET_TXQ);
	}
	return 0;
}
