/* virtio-input keyboard (virtio 1.1 5.8) for a VM with a display: the
 * focused VM's keys (kbd.h) become EV_KEY + EV_SYN events on the event
 * queue once the driver is live; until then they go to the PS/2 keyboard.
 * The status queue (LEDs) is read and dropped. Events wait in a bounded
 * ring while the driver has no buffers posted; a full ring drops the
 * newest key. */
#include <bulkhead/console.h>
#include <bulkhead/dev.h>
#include <bulkhead/kbd.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/string.h>
#include <bulkhead/virtio.h>
#include <bulkhead/virtio_input.h>
#include <bulkhead/vm.h>

#define EVENTQ 0
#define STATUSQ 1
#define QUEUE_SIZE 64
#define EV_LEN 8U     /* struct virtio_input_event: le16 type, le16 code, le32 value */
#define PENDING 128U  /* events waiting for buffers (64 keys with their SYN) */
#define CFG_LEN 136U  /* select, subsel, size, reserved[5], u[128] */

struct vinput {
	struct virtio_dev *vd;
	u8 e0;                 /* scan code prefix state */
	u8 select, subsel;
	u8 ev[PENDING][EV_LEN];
	u32 head, count;
	u64 dropped;
};

static void put_ev(u8 *e, u16 type, u16 code, u32 value)
{
	e[0] = (u8)type; e[1] = (u8)(type >> 8);
	e[2] = (u8)code; e[3] = (u8)(code >> 8);
	for (unsigned i = 0; i < 4; i++)
		e[4 + i] = (u8)(value >> (8 * i));
}

/* Moves waiting events into the driver's buffers (5.8.6: each buffer
 * takes one event). */
static void deliver(struct vinput *v)
{
	struct vq_chain c;

	while (v->count && virtio_pop(v->vd, EVENTQ, &c)) {
		if (c.in_len < EV_LEN ||
		    !vq_chain_write(virtio_mem(v->vd), &c, 0, v->ev[v->head], EV_LEN)) {
			virtio_fail(v->vd, "event buffer shorter than an event");
			return;
		}
		virtio_push(v->vd, EVENTQ, c.head, EV_LEN);
		v->head = (v->head + 1) % PENDING;
		v->count--;
	}
}

static bool key_input(void *dev, u8 byte)
{
	struct vinput *v = dev;
	bool pressed = false;
	u16 key;

	if (!virtio_live(v->vd))
		return false;
	key = vinput_scancode_to_key(&v->e0, byte, &pressed);
	if (key) {
		if (v->count + 2 > PENDING) {
			v->dropped++;
		} else {
			put_ev(v->ev[(v->head + v->count++) % PENDING], EV_KEY, key, pressed);
			put_ev(v->ev[(v->head + v->count++) % PENDING], EV_SYN, 0, 0);
		}
	}
	deliver(v);
	return true;
}

static void input_notify(void *dev, u16 q)
{
	struct vinput *v = dev;
	struct vq_chain c;

	if (q == EVENTQ) {
		deliver(v);
		return;
	}
	while (virtio_pop(v->vd, STATUSQ, &c)) /* LED state: no LEDs to set */
		virtio_push(v->vd, STATUSQ, c.head, 0);
}

static void input_reset(void *dev)
{
	struct vinput *v = dev;

	v->head = v->count = 0;
	v->e0 = 0;
	v->select = v->subsel = 0;
}

/* The answer to the driver's select/subsel (5.8.4) into u[], its size. */
static u8 config_answer(const struct vinput *v, u8 *u)
{
	static const char name[] = "Bulkhead virtio keyboard";

	switch (v->select) {
	case VINPUT_CFG_ID_NAME:
		if (v->subsel)
			return 0;
		memcpy(u, name, sizeof(name) - 1);
		return sizeof(name) - 1;
	case VINPUT_CFG_EV_BITS:
		if (v->subsel == EV_KEY) {
			for (u32 k = 1; k <= VINPUT_KEY_MAX; k++)
				u[k / 8] |= (u8)(1U << (k % 8));
			return (VINPUT_KEY_MAX + 8) / 8;
		}
		return 0;
	case VINPUT_CFG_ID_DEVIDS: /* bustype BUS_VIRTUAL, vendor, product, version */
		if (v->subsel)
			return 0;
		u[0] = 0x06;
		u[2] = 0xf4; u[3] = 0x1a;
		u[4] = 0x01;
		u[6] = 0x01;
		return 8;
	default:
		return 0; /* no serial, no properties, no absolute axes */
	}
}

static void input_config_read(void *dev, u32 off, void *buf, u32 len)
{
	struct vinput *v = dev;
	u8 cfg[CFG_LEN] = { 0 };

	cfg[0] = v->select;
	cfg[1] = v->subsel;
	cfg[2] = config_answer(v, cfg + 8);
	memcpy(buf, cfg + off, len);
}

static void input_config_write(void *dev, u32 off, const void *buf, u32 len)
{
	struct vinput *v = dev;
	const u8 *b = buf;

	/* only select and subsel are the driver's to write */
	for (u32 i = 0; i < len; i++) {
		if (off + i == 0)
			v->select = b[i];
		else if (off + i == 1)
			v->subsel = b[i];
	}
}

static const struct virtio_dev_ops input_ops = {
	.name = "virtio-input",
	.device_id = VIRTIO_ID_INPUT,
	.class_code = 0x098000, /* input device, other (as QEMU's virtio-input-pci) */
	.nr_queues = 2,
	.queue_size = QUEUE_SIZE,
	.config_len = CFG_LEN,
	.config_read = input_config_read,
	.config_write = input_config_write,
	.queue_notify = input_notify,
	.reset = input_reset,
};

static bool input_create(struct dev_host *h, const struct vm_config *cfg, const char **err)
{
	struct vinput *v;

	if (!cfg->display)
		return true;
	v = dev_alloc(h, sizeof(*v));
	if (!v) {
		*err = "no room for virtio-input";
		return false;
	}
	v->vd = virtio_pci_create(h, PCI_BDF(0, PC_PCI_SLOT_INPUT, 0), &input_ops, v, err);
	if (!v->vd)
		return false;
	kbd_attach_evdev(h, key_input, v);
	printf("[%s] virtio-input: keyboard (the focused VM's keys once its driver is up)\n",
	       h->name);
	return true;
}

VM_DEVICE(40, virtio_input, input_create);
