/* hv/dev/virtio/net.c: virtio-net's transmit and receive paths (virtio
 * 1.1 5.1) over a fake transport: chains are given as the transport's
 * walker would hand them over (virtqueue.h), guest RAM is an array. */
#include <string.h>
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/virtio_net.h>

#define RAM 0x10000U
static u8 ram[RAM];

static bool ram_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	(void)ctx;
	if (gpa > RAM || len > RAM - gpa)
		return false;
	memcpy(dst, ram + gpa, len);
	return true;
}

static bool ram_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	(void)ctx;
	if (gpa > RAM || len > RAM - gpa)
		return false;
	memcpy(ram + gpa, src, len);
	return true;
}

static const struct vq_mem mem = { ram_read, ram_write, NULL };

/* The fake transport: per queue, the chains "posted", and what came back. */
#define MAXC 8
static struct {
	struct vq_chain posted[MAXC];
	unsigned nr, next;
	u16 used_head[MAXC];
	u32 used_len[MAXC];
	unsigned nr_used;
} q[2];
static const char *failed;
static bool vm_running = true;
static struct virtio_net net;

bool virtio_pop(struct virtio_dev *vd, u16 qi, struct vq_chain *c)
{
	(void)vd;
	if (failed || q[qi].next == q[qi].nr)
		return false;
	*c = q[qi].posted[q[qi].next++];
	return true;
}

void virtio_push(struct virtio_dev *vd, u16 qi, u16 head, u32 written)
{
	(void)vd;
	q[qi].used_head[q[qi].nr_used] = head;
	q[qi].used_len[q[qi].nr_used++] = written;
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
	if (!failed)
		failed = why;
}

struct virtio_dev *virtio_pci_create(struct dev_host *h, u16 bdf, const struct virtio_dev_ops *ops,
				     void *dev, const char **err)
{
	(void)h, (void)bdf, (void)ops, (void)dev, (void)err;
	return NULL;
}

/* The network side: what the device sent. */
static u8 sent[2048];
static u32 sent_len;
static unsigned nr_sent;

void net_port_send(struct net_port *p, const u8 *frame, u32 len)
{
	assert_ptr_equal(p, &net.port);
	memcpy(sent, frame, len);
	sent_len = len;
	nr_sent++;
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
	return vm_running;
}

void *dev_alloc(struct dev_host *h, u64 size)
{
	(void)h, (void)size;
	return NULL;
}

static int setup(void **st)
{
	(void)st;
	memset(q, 0, sizeof(q));
	memset(ram, 0, sizeof(ram));
	memset(&net, 0, sizeof(net));
	failed = NULL;
	vm_running = true;
	nr_sent = 0;
	return 0;
}

/* A chain of segments {gpa, len, writable}. */
static void post(unsigned qi, u16 head, unsigned nr, const struct vq_seg *segs)
{
	struct vq_chain *c = &q[qi].posted[q[qi].nr++];

	memset(c, 0, sizeof(*c));
	c->head = head;
	c->nr = (u16)nr;
	for (unsigned i = 0; i < nr; i++) {
		c->seg[i] = segs[i];
		if (segs[i].device_writes)
			c->in_len += segs[i].len;
		else
			c->out_len += segs[i].len;
	}
}

static void test_config_space(void **st)
{
	static const u8 mac[6] = { 2, 0x11, 0x22, 0x33, 0x44, 0x55 };
	u8 cfg[8], b;
	(void)st;
	memcpy(net.port.mac, mac, 6);
	assert_int_equal(virtio_net_ops.config_len, 8);
	virtio_net_ops.config_read(&net, 0, cfg, 8);
	assert_memory_equal(cfg, mac, 6);
	assert_int_equal(cfg[6] | cfg[7] << 8, VIRTIO_NET_S_LINK_UP);
	virtio_net_ops.config_read(&net, 5, &b, 1);
	assert_int_equal(b, 0x55);
	virtio_net_ops.config_write(&net, 0, "\xff", 1); /* read-only */
	virtio_net_ops.config_read(&net, 0, &b, 1);
	assert_int_equal(b, 2);
	assert_int_equal(virtio_net_ops.features,
			 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS);
	assert_int_equal(virtio_net_ops.nr_queues, 2);
	assert_int_equal(virtio_net_ops.device_id, VIRTIO_ID_NET);
}

static void test_tx_header_and_frame_split(void **st)
{
	struct vq_seg s[3] = { { 0x1000, 12, false }, { 0x2000, 20, false }, { 0x3000, 40, false } };
	(void)st;
	for (unsigned i = 0; i < 60; i++)
		ram[(i < 20 ? 0x2000 : 0x3000 - 20) + i] = (u8)i;
	post(VIRTIO_NET_TXQ, 7, 3, s);
	virtio_net_queue_notify(&net, VIRTIO_NET_TXQ);
	assert_null(failed);
	assert_int_equal(nr_sent, 1);
	assert_int_equal(sent_len, 60);
	for (unsigned i = 0; i < 60; i++)
		assert_int_equal(sent[i], i);
	assert_int_equal(q[VIRTIO_NET_TXQ].nr_used, 1);
	assert_int_equal(q[VIRTIO_NET_TXQ].used_head[0], 7);
	assert_int_equal(q[VIRTIO_NET_TXQ].used_len[0], 0);
	/* a notify on the receive queue sends nothing */
	post(VIRTIO_NET_TXQ, 8, 3, s);
	virtio_net_queue_notify(&net, VIRTIO_NET_RXQ);
	assert_int_equal(nr_sent, 1);
}

static void test_tx_malformed_fails_device(void **st)
{
	static const struct {
		struct vq_seg s[2];
		unsigned nr;
		u8 flags, gso;
		const char *why;
	} cases[] = {
		{ { { 0x1000, 11, false } }, 1, 0, 0, "transmit chain shorter than the virtio_net_hdr" },
		{ { { 0x1000, 12 + 1515, false } }, 1, 0, 0,
		  "transmit frame longer than 1514 bytes without segmentation offload" },
		{ { { 0x1000, 72, false }, { 0x2000, 10, true } }, 2, 0, 0,
		  "transmit chain with device-writable buffers" },
		{ { { 0x1000, 72, false } }, 1, 1, 0,
		  "transmit header asks for an offload the device did not offer" },
		{ { { 0x1000, 72, false } }, 1, 0, 1,
		  "transmit header asks for an offload the device did not offer" },
		{ { { RAM - 8, 72, false } }, 1, 0, 0, "transmit buffer not in RAM" },
	};
	(void)st;
	for (unsigned k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		setup(NULL);
		ram[0x1000] = cases[k].flags;
		ram[0x1001] = cases[k].gso;
		post(VIRTIO_NET_TXQ, 1, cases[k].nr, cases[k].s);
		post(VIRTIO_NET_TXQ, 2, cases[k].nr, cases[k].s);
		virtio_net_queue_notify(&net, VIRTIO_NET_TXQ);
		assert_non_null(failed);
		assert_string_equal(failed, cases[k].why);
		assert_int_equal(nr_sent, 0);
		assert_int_equal(q[VIRTIO_NET_TXQ].nr_used, 0);
	}
	/* a bare header (empty frame) is the network's to drop, not a violation */
	setup(NULL);
	post(VIRTIO_NET_TXQ, 1, 1, (struct vq_seg[]){ { 0x1000, 12, false } });
	virtio_net_queue_notify(&net, VIRTIO_NET_TXQ);
	assert_null(failed);
	assert_int_equal(nr_sent, 1);
	assert_int_equal(sent_len, 0);
}

static void test_rx_into_buffer(void **st)
{
	u8 frame[100];
	struct vq_seg s[2] = { { 0x4000, 10, true }, { 0x5000, 1600, true } };
	(void)st;
	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (u8)(0x80 + i);
	memset(ram + 0x4000, 0xee, 10);
	memset(ram + 0x5000, 0xee, 1600);
	post(VIRTIO_NET_RXQ, 3, 2, s);
	assert_true(virtio_net_deliver(&net, frame, sizeof(frame)));
	assert_int_equal(q[VIRTIO_NET_RXQ].nr_used, 1);
	assert_int_equal(q[VIRTIO_NET_RXQ].used_head[0], 3);
	assert_int_equal(q[VIRTIO_NET_RXQ].used_len[0], 12 + 100);
	/* header: all zero but num_buffers = 1, split over the two buffers */
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(ram[0x4000 + i], 0);
	assert_int_equal(ram[0x5000], 1);
	assert_int_equal(ram[0x5001], 0);
	assert_memory_equal(ram + 0x5002, frame, sizeof(frame));
	assert_int_equal(ram[0x5002 + sizeof(frame)], 0xee);
	/* no buffer left: dropped and counted */
	assert_false(virtio_net_deliver(&net, frame, sizeof(frame)));
	assert_int_equal(net.rx_no_buffer, 1);
	assert_null(failed);
}

static void test_rx_too_big_dropped_buffer_kept(void **st)
{
	u8 frame[NET_FRAME_MAX];
	(void)st;
	memset(frame, 0x5a, sizeof(frame));
	post(VIRTIO_NET_RXQ, 4, 1, (struct vq_seg[]){ { 0x4000, 12 + 100, true } });
	assert_false(virtio_net_deliver(&net, frame, 101));
	assert_int_equal(net.rx_too_big, 1);
	assert_int_equal(q[VIRTIO_NET_RXQ].nr_used, 0);
	/* the buffer waits for a frame that fits */
	assert_true(virtio_net_deliver(&net, frame, 100));
	assert_int_equal(q[VIRTIO_NET_RXQ].used_head[0], 4);
	assert_int_equal(q[VIRTIO_NET_RXQ].used_len[0], 112);
	/* a reset forgets a held buffer */
	post(VIRTIO_NET_RXQ, 5, 1, (struct vq_seg[]){ { 0x4000, 12 + 100, true } });
	assert_false(virtio_net_deliver(&net, frame, 101));
	assert_true(net.have_rx);
	virtio_net_ops.reset(&net);
	assert_false(net.have_rx);
	assert_false(virtio_net_deliver(&net, frame, 60));
	assert_int_equal(net.rx_no_buffer, 1);
	assert_null(failed);
}

/* A failed device writes no held receive buffer (found by fuzz_virtio_net). */
static void test_rx_held_buffer_unused_after_failure(void **st)
{
	u8 frame[200];
	(void)st;
	memset(frame, 0x77, sizeof(frame));
	post(VIRTIO_NET_RXQ, 4, 1, (struct vq_seg[]){ { 0x4000, 12 + 100, true } });
	assert_false(virtio_net_deliver(&net, frame, 101)); /* held */
	post(VIRTIO_NET_TXQ, 1, 1, (struct vq_seg[]){ { 0x1000, 5, false } });
	virtio_net_queue_notify(&net, VIRTIO_NET_TXQ);
	assert_non_null(failed);
	assert_false(virtio_net_deliver(&net, frame, 60));
	assert_int_equal(q[VIRTIO_NET_RXQ].nr_used, 0);
	assert_int_equal(ram[0x4000 + 12], 0);
}

static void test_rx_malformed_fails_device(void **st)
{
	u8 frame[60] = { 0 };
	(void)st;
	post(VIRTIO_NET_RXQ, 1, 1, (struct vq_seg[]){ { 0x4000, 1600, false } });
	assert_false(virtio_net_deliver(&net, frame, sizeof(frame)));
	assert_string_equal(failed, "receive chain with device-readable buffers");
	setup(NULL);
	post(VIRTIO_NET_RXQ, 1, 1, (struct vq_seg[]){ { RAM - 20, 1600, true } });
	assert_false(virtio_net_deliver(&net, frame, sizeof(frame)));
	assert_string_equal(failed, "receive buffer not in RAM");
	assert_int_equal(q[VIRTIO_NET_RXQ].nr_used, 0);
	/* a stopped VM takes nothing */
	setup(NULL);
	vm_running = false;
	post(VIRTIO_NET_RXQ, 1, 1, (struct vq_seg[]){ { 0x4000, 1600, true } });
	assert_false(virtio_net_deliver(&net, frame, sizeof(frame)));
	assert_int_equal(q[VIRTIO_NET_RXQ].next, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_config_space, setup),
		cmocka_unit_test_setup(test_tx_header_and_frame_split, setup),
		cmocka_unit_test_setup(test_tx_malformed_fails_device, setup),
		cmocka_unit_test_setup(test_rx_into_buffer, setup),
		cmocka_unit_test_setup(test_rx_too_big_dropped_buffer_kept, setup),
		cmocka_unit_test_setup(test_rx_malformed_fails_device, setup),
		cmocka_unit_test_setup(test_rx_held_buffer_unused_after_failure, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
