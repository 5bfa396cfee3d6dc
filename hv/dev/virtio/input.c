/* virtio-input keyboard and tablet (virtio 1.1 5.8) for a VM with a
 * display: the focused VM's keys (kbd.h) become EV_KEY + EV_SYN events on
 * the keyboard's event queue once the driver is live; until then they go
 * to the PS/2 keyboard. The physical PS/2 mouse's motion (kbd.h) moves
 * the tablet's absolute position, clamped to the VM's screen, and becomes
 * EV_ABS X/Y, EV_KEY BTN_LEFT and EV_SYN events; with no driver live it is
 * dropped. The status queue (LEDs) is read and dropped. Events wait in a
 * bounded ring while the driver has no buffers posted; a full ring drops
 * the newest key or motion. */
#include <bulkhead/console.h>
#include <bulkhead/dev.h>
#include <bulkhead/kbd.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/ps2_mouse.h>
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
	bool tablet;
	u32 x, y, max_x, max_y; /* the tablet's position and range */
	bool left;              /* BTN_LEFT as last sent */
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

static void push_ev(struct vinput *v, u16 type, u16 code, u32 value)
{
	put_ev(v->ev[(v->head + v->count++) % PENDING], type, code, value);
}

/* The physical mouse moved (kbd.h): the new position and button. */
static void tablet_move(void *dev, const struct ps2_motion *m)
{
	struct vinput *v = dev;
	bool left = m->buttons & 1;

	if (!virtio_live(v->vd))
		return;
	if (v->count + 4 > PENDING) {
		v->dropped++;
		return;
	}
	v->x = ps2_mouse_clamp(v->x, m->dx, v->max_x);
	v->y = ps2_mouse_clamp(v->y, m->dy, v->max_y);
	push_ev(v, EV_ABS, ABS_X, v->x);
	push_ev(v, EV_ABS, ABS_Y, v->y);
	if (left != v->left)
		push_ev(v, EV_KEY, BTN_LEFT, left);
	v->left = left;
	push_ev(v, EV_SYN, 0, 0);
	deliver(v);
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
	v->left = false;
	v->select = v->subsel = 0;
}

static void put_le32(u8 *u, u32 x)
{
	for (unsigned i = 0; i < 4; i++)
		u[i] = (u8)(x >> (8 * i));
}

/* The tablet's answers (5.8.4): BTN_LEFT, ABS_X and ABS_Y, each axis from
 * 0 to the VM's screen size less one (virtio_input_absinfo: min, max,
 * fuzz, flat, res). */
static u8 tablet_answer(const struct vinput *v, u8 *u)
{
	static const char name[] = "Bulkhead virtio tablet";

	switch (v->select) {
	case VINPUT_CFG_ID_NAME:
		if (v->subsel)
			return 0;
		memcpy(u, name, sizeof(name) - 1);
		return sizeof(name) - 1;
	case VINPUT_CFG_EV_BITS:
		if (v->subsel == EV_KEY) {
			u[BTN_LEFT / 8] |= (u8)(1U << (BTN_LEFT % 8));
			return BTN_LEFT / 8 + 1;
		}
		if (v->subsel == EV_ABS) {
			u[0] = (1U << ABS_X) | (1U << ABS_Y);
			return 1;
		}
		return 0;
	case VINPUT_CFG_ABS_INFO:
		if (v->subsel != ABS_X && v->subsel != ABS_Y)
			return 0;
		put_le32(u + 4, v->subsel == ABS_X ? v->max_x : v->max_y);
		return 20;
	case VINPUT_CFG_ID_DEVIDS:
		if (v->subsel)
			return 0;
		u[0] = 0x06;
		u[2] = 0xf4; u[3] = 0x1a;
		u[4] = 0x02;
		u[6] = 0x01;
		return 8;
	default:
		return 0;
	}
}

/* The answer to the driver's select/subsel (5.8.4) into u[], its size. */
static u8 config_answer(const struct vinput *v, u8 *u)
{
	if (v->tablet)
		return tablet_answer(v, u);
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

static struct vinput *input_new(struct dev_host *h, u8 slot, bool tablet, const char **err)
{
	struct vinput *v = dev_alloc(h, sizeof(*v));

	if (!v) {
		*err = "no room for virtio-input";
		return NULL;
	}
	v->tablet = tablet;
	v->vd = virtio_pci_create(h, PCI_BDF(0, slot, 0), &input_ops, v, err);
	return v->vd ? v : NULL;
}

static bool input_create(struct dev_host *h, const struct vm_config *cfg, const char **err)
{
	struct vinput *v;

	if (!cfg->display)
		return true;
	v = input_new(h, PC_PCI_SLOT_INPUT, false, err);
	if (!v)
		return false;
	kbd_attach_evdev(h, key_input, v);
	printf("[%s] virtio-input: keyboard (the focused VM's keys once its driver is up)\n",
	       h->name);
	return true;
}

VM_DEVICE(40, virtio_input, input_create);

/* The tablet, in the slot after the keyboard's, starting at the centre. */
static bool tablet_create(struct dev_host *h, const struct vm_config *cfg, const char **err)
{
	struct vinput *t;

	if (!cfg->display)
		return true;
	t = input_new(h, PC_PCI_SLOT_INPUT + 1, true, err);
	if (!t)
		return false;
	t->max_x = cfg->fb_width - 1; /* display sizes are at least 64x64 */
	t->max_y = cfg->fb_height - 1;
	t->x = cfg->fb_width / 2;
	t->y = cfg->fb_height / 2;
	kbd_attach_pointer(h, tablet_move, t);
	printf("[%s] virtio-input: tablet %ux%u (the PS/2 mouse's motion, when focused)\n",
	       h->name, cfg->fb_width, cfg->fb_height);
	return true;
}

VM_DEVICE(41, virtio_tablet, tablet_create);
