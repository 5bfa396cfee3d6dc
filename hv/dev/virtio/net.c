/* virtio-net (virtio 1.1 5.1) on the virtio-pci transport: the VM's port
 * on the network (net_port.h). Offers VIRTIO_NET_F_MAC (the configured MAC)
 * and VIRTIO_NET_F_STATUS (link always up); no checksum or segmentation
 * offload, no mergeable buffers, no control queue: queue 0 receives,
 * queue 1 transmits (5.1.2). Every buffer carries the 12-byte
 * virtio_net_hdr of VERSION_1 (5.1.6).
 *
 * Transmit: a chain is the header and one frame, all device-readable; a
 * chain that breaks that (writable buffers, no whole header, a frame over
 * NET_FRAME_MAX, offload flags never offered) fails the device. Receive: a
 * frame goes into the next receive buffer, all device-writable; a frame
 * that does not fit it is dropped and counted (the buffer waits for the
 * next frame), and a frame with no buffer posted is dropped and counted.
 * Callers serialise (the hypervisor's one lock). */
#include <bulkhead/dev.h>
#include <bulkhead/net_port.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/string.h>
#include <bulkhead/virtio.h>
#include <bulkhead/vm_config.h>
#include <bulkhead/virtio_net.h>

static void net_config_read(void *dev, u32 off, void *buf, u32 len)
{
	struct virtio_net *n = dev;
	u8 cfg[VIRTIO_NET_CONFIG_LEN];

	memcpy(cfg, n->port.mac, 6);
	cfg[6] = (u8)VIRTIO_NET_S_LINK_UP;
	cfg[7] = (u8)(VIRTIO_NET_S_LINK_UP >> 8);
	if (off < sizeof(cfg) && len <= sizeof(cfg) - off)
		memcpy(buf, cfg + off, len);
}

/* The MAC is read-only with VIRTIO_NET_F_MAC (5.1.4.1); status too. */
static void net_config_write(void *dev, u32 off, const void *buf, u32 len)
{
	(void)dev, (void)off, (void)buf, (void)len;
}

/* One transmit chain into buf: false (the device has failed) for a chain
 * no driver may post. */
static bool net_tx_one(struct virtio_net *n, const struct vq_chain *c, u8 *buf)
{
	const char *why = NULL;

	if (c->in_len)
		why = "transmit chain with device-writable buffers";
	else if (c->out_len < VIRTIO_NET_HDR_LEN)
		why = "transmit chain shorter than the virtio_net_hdr";
	else if (c->out_len - VIRTIO_NET_HDR_LEN > NET_FRAME_MAX)
		why = "transmit frame longer than 1514 bytes without segmentation offload";
	else if (!vq_chain_read(virtio_mem(n->vd), c, 0, buf, c->out_len))
		why = "transmit buffer not in RAM";
	/* flags and gso_type: 0 unless CSUM or HOST_TSO were negotiated (5.1.6.2) */
	else if (buf[0] || buf[1])
		why = "transmit header asks for an offload the device did not offer";
	if (why) {
		virtio_fail(n->vd, why);
		return false;
	}
	return true;
}

static void net_tx(struct virtio_net *n)
{
	static struct vq_chain c; /* off the small stacks; the one lock covers it */
	static u8 buf[VIRTIO_NET_HDR_LEN + NET_FRAME_MAX];

	/* bounded: a guest that keeps refilling gets its next turn at its next notify */
	for (unsigned budget = 4 * VIRTIO_NET_QUEUE_SIZE; budget; budget--) {
		if (!virtio_pop(n->vd, VIRTIO_NET_TXQ, &c))
			return;
		if (!net_tx_one(n, &c, buf))
			return;
		virtio_push(n->vd, VIRTIO_NET_TXQ, c.head, 0);
		net_port_send(&n->port, buf + VIRTIO_NET_HDR_LEN, c.out_len - VIRTIO_NET_HDR_LEN);
	}
}

bool virtio_net_deliver(void *dev, const u8 *frame, u32 len)
{
	struct virtio_net *n = dev;
	/* num_buffers is 1 without VIRTIO_NET_F_MRG_RXBUF (5.1.6.4) */
	static const u8 hdr[VIRTIO_NET_HDR_LEN] = { [10] = 1 };
	const struct vq_mem *m = virtio_mem(n->vd);

	/* not yet or no longer driven (failed: it touches no buffer until the
	 * driver resets it, even one it holds); or the VM stopped and its RAM
	 * is about to be scrubbed */
	if (!virtio_live(n->vd) || !dev_vm_running(n->h))
		return false;
	if (!n->have_rx) {
		if (!virtio_pop(n->vd, VIRTIO_NET_RXQ, &n->rx)) {
			n->rx_no_buffer++;
			return false;
		}
		n->have_rx = true;
	}
	if (n->rx.out_len) {
		n->have_rx = false;
		virtio_fail(n->vd, "receive chain with device-readable buffers");
		return false;
	}
	if (n->rx.in_len < VIRTIO_NET_HDR_LEN || len > n->rx.in_len - VIRTIO_NET_HDR_LEN) {
		n->rx_too_big++;
		return false;
	}
	n->have_rx = false;
	if (!vq_chain_write(m, &n->rx, 0, hdr, sizeof(hdr)) ||
	    !vq_chain_write(m, &n->rx, VIRTIO_NET_HDR_LEN, frame, len)) {
		virtio_fail(n->vd, "receive buffer not in RAM");
		return false;
	}
	virtio_push(n->vd, VIRTIO_NET_RXQ, n->rx.head, VIRTIO_NET_HDR_LEN + len);
	return true;
}

void virtio_net_queue_notify(void *dev, u16 q)
{
	/* Receive buffers are taken as frames come: nothing waits for them. */
	if (q == VIRTIO_NET_TXQ)
		net_tx(dev);
}

/* The driver reset the device: the receive buffer held is the old driver's. */
static void net_reset(void *dev)
{
	struct virtio_net *n = dev;

	n->have_rx = false;
}

const struct virtio_dev_ops virtio_net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.class_code = 0x020000, /* network controller, Ethernet */
	.features = 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS,
	.nr_queues = 2,
	.queue_size = VIRTIO_NET_QUEUE_SIZE,
	.config_len = VIRTIO_NET_CONFIG_LEN,
	.config_read = net_config_read,
	.config_write = net_config_write,
	.queue_notify = virtio_net_queue_notify,
	.reset = net_reset,
};

static struct virtio_net *nets[VM_MAX]; /* by VM, for destroy */

static bool net_create(struct dev_host *h, const struct vm_config *cfg, const char **err)
{
	struct virtio_net *n;

	if (!cfg->nic)
		return true;
	n = dev_alloc(h, sizeof(*n));
	if (!n) {
		*err = "no room for virtio-net";
		return false;
	}
	memcpy(n->port.mac, cfg->mac, 6);
	n->port.deliver = virtio_net_deliver;
	n->port.dev = n;
	n->h = h;
	n->vd = virtio_pci_create(h, PCI_BDF(0, PC_PCI_SLOT_NET, 0), &virtio_net_ops, n, err);
	if (!n->vd)
		return false;
	if (!net_port_attach(&n->port, h->name)) {
		*err = "the network has no port for this VM";
		return false;
	}
	for (unsigned i = 0; i < VM_MAX; i++)
		if (!nets[i]) {
			nets[i] = n;
			break;
		}
	return true;
}

static void net_destroy(struct dev_host *h)
{
	for (unsigned i = 0; i < VM_MAX; i++)
		if (nets[i] && nets[i]->h == h) {
			net_port_detach(&nets[i]->port);
			nets[i] = NULL;
		}
}

VM_DEVICE_DESTROY(40, virtio_net, net_create, net_destroy);
