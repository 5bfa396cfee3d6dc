/* virtio-console, one port, no MULTIPORT (virtio 1.1 5.3): the guest's
 * hvc0. A VM has one with `vconsole = yes`.
 * Output (transmitq) goes where the UART's goes: to the console
 * multiplexer byte by byte (dev_console_output) and, in log mode, as
 * "[vm] text" lines. Input: the physical console's keys for a VM with a
 * virtio console go to hvc0, not to ttyS0 (the device takes the console
 * input over from the UART when it is created; docs/disks.md, "hvc0").
 * Keys wait in a small FIFO until the driver has posted receive buffers. */
#include <bulkhead/console.h>
#include <bulkhead/console_partial.h>
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/string.h>
#include <bulkhead/virtio.h>
#include <bulkhead/vm.h>

#define RXQ 0
#define TXQ 1
#define QUEUE_SIZE 64
#define RX_FIFO 64U
#define LINE_MAX 256U
#define CHUNK 64U
/* struct virtio_console_config (5.3.4): cols, rows, max_nr_ports,
 * emerg_wr; none of their features is offered, so they read 0. */
#define CONFIG_LEN 12U

struct vcon {
	struct dev_host *h;
	struct virtio_dev *vd;
	u8 rx[RX_FIFO];
	u32 rx_head, rx_count;
	char line[LINE_MAX];
	u32 len, shown;
	struct console_partial partial;
};

static void show(struct vcon *v, bool newline)
{
	console_guest_write(v, v->h->name, v->line + v->shown, v->len - v->shown, newline);
	v->shown = newline ? 0 : v->len;
}

static void transmit(struct vcon *v, u8 c)
{
	dev_console_output(v->h, c);
	if (c == '\n') {
		show(v, true);
		v->len = 0;
		return;
	}
	if (c == '\r')
		return;
	v->line[v->len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '?';
	if (v->len == LINE_MAX - 1) {
		show(v, false);
		v->len = v->shown = 0;
	}
}

static void serve_tx(struct vcon *v)
{
	struct vq_chain c;
	u8 b[CHUNK];

	while (virtio_pop(v->vd, TXQ, &c)) {
		for (u32 off = 0; off < c.out_len; off += CHUNK) {
			u32 k = MIN(c.out_len - off, CHUNK);

			if (!vq_chain_read(virtio_mem(v->vd), &c, off, b, k)) {
				virtio_fail(v->vd, "transmit buffer not readable");
				return;
			}
			for (u32 i = 0; i < k; i++)
				transmit(v, b[i]);
		}
		virtio_push(v->vd, TXQ, c.head, 0);
	}
}

/* Moves waiting keys into the driver's receive buffers, one buffer per
 * batch of keys. */
static void serve_rx(struct vcon *v)
{
	struct vq_chain c;
	u8 b[RX_FIFO];

	while (v->rx_count && virtio_pop(v->vd, RXQ, &c)) {
		u32 n = MIN(v->rx_count, c.in_len);

		for (u32 i = 0; i < n; i++)
			b[i] = v->rx[(v->rx_head + i) % RX_FIFO];
		if (!vq_chain_write(virtio_mem(v->vd), &c, 0, b, n)) {
			virtio_fail(v->vd, "receive buffer not writable");
			return;
		}
		v->rx_head = (v->rx_head + n) % RX_FIFO;
		v->rx_count -= n;
		virtio_push(v->vd, RXQ, c.head, n);
	}
}

static void vcon_notify(void *dev, u16 q)
{
	struct vcon *v = dev;

	if (q == TXQ)
		serve_tx(v);
	else
		serve_rx(v);
}

static void vcon_reset(void *dev)
{
	struct vcon *v = dev;

	v->rx_count = v->rx_head = 0;
	if (v->len > v->shown)
		show(v, true);
	v->len = v->shown = 0;
}

static void vcon_input(void *dev, u8 c)
{
	struct vcon *v = dev;

	if (v->rx_count == RX_FIFO)
		return; /* room() said there was none */
	v->rx[(v->rx_head + v->rx_count) % RX_FIFO] = c;
	v->rx_count++;
	serve_rx(v);
}

static u32 vcon_room(void *dev)
{
	return RX_FIFO - ((struct vcon *)dev)->rx_count;
}

static void vcon_flush(void *dev, bool idle)
{
	struct vcon *v = dev;

	if (console_partial_due(&v->partial, v->len, v->shown, idle))
		show(v, false);
}

static void vcon_config_read(void *dev, u32 off, void *buf, u32 len)
{
	(void)dev;
	(void)off;
	memset(buf, 0, len);
}

static const struct virtio_dev_ops vcon_ops = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.class_code = 0x078000, /* simple communication controller, other */
	.nr_queues = 2,
	.queue_size = QUEUE_SIZE,
	.config_len = CONFIG_LEN,
	.config_read = vcon_config_read,
	.queue_notify = vcon_notify,
	.reset = vcon_reset,
};

static bool vcon_create(struct dev_host *h, const struct vm_config *cfg, const char **err)
{
	struct vcon *v;

	if (!cfg->vconsole)
		return true;
	v = dev_alloc(h, sizeof(*v));
	if (!v) {
		*err = "no room for virtio-console";
		return false;
	}
	v->h = h;
	v->vd = virtio_pci_create(h, PCI_BDF(0, PC_PCI_SLOT_VCONSOLE, 0), &vcon_ops, v, err);
	if (!v->vd)
		return false;
	/* after the UART (priority 10): the keys go to hvc0 */
	dev_attach_console(h, vcon_input, vcon_room, vcon_flush, v);
	return true;
}

VM_DEVICE(40, virtio_console, vcon_create);
