/* virtio-net (virtio 1.1 5.1), the device model in hv/dev/virtio/net.c:
 * its constants and state, shared with its unit test. */
#ifndef BULKHEAD_VIRTIO_NET_H
#define BULKHEAD_VIRTIO_NET_H

#include <bulkhead/net_port.h>
#include <bulkhead/types.h>
#include <bulkhead/virtio.h>

/* Feature bits (5.1.3) and the status field's bit (5.1.4). */
#define VIRTIO_NET_F_MAC     5
#define VIRTIO_NET_F_STATUS  16
#define VIRTIO_NET_S_LINK_UP 1U

#define VIRTIO_NET_RXQ 0 /* receiveq1 (5.1.2) */
#define VIRTIO_NET_TXQ 1 /* transmitq1 */
#define VIRTIO_NET_QUEUE_SIZE 256
/* struct virtio_net_hdr with VERSION_1 (5.1.6): flags, gso_type, hdr_len,
 * gso_size, csum_start, csum_offset, num_buffers (at byte 10). */
#define VIRTIO_NET_HDR_LEN 12U
/* mac[6] and status (le16); max_virtqueue_pairs and mtu need MQ and MTU. */
#define VIRTIO_NET_CONFIG_LEN 8U

struct dev_host;

struct virtio_net {
	struct virtio_dev *vd;
	struct dev_host *h;
	struct net_port port;
	bool have_rx;        /* rx: a receive buffer taken, waiting for a frame */
	struct vq_chain rx;
	u64 rx_no_buffer;    /* frames dropped: no receive buffer posted */
	u64 rx_too_big;      /* frames dropped: larger than the receive buffer */
};

extern const struct virtio_dev_ops virtio_net_ops;
/* The port's deliver: a frame from the network into the next receive buffer. */
bool virtio_net_deliver(void *dev, const u8 *frame, u32 len);
void virtio_net_queue_notify(void *dev, u16 q);

#endif
