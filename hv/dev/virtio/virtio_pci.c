/* The virtio 1.x PCI transport, modern only (virtio 1.1 4.1): one PCI
 * function per device with
 *   BAR 0, I/O, 4 bytes: the notify structure (4.1.4.4) with a
 *          notify_off_multiplier of 0, so every queue's notification is one
 *          16-bit OUT of its index: one IOIO exit, no instruction decoder;
 *   BAR 1, 32-bit memory, 16 KiB: common configuration at 0 (4.1.4.3), ISR
 *          status at 0x1000 (4.1.4.5), device configuration at 0x2000
 *          (4.1.4.6), MSI-X table at 0x3000 and PBA at 0x3800 (served by
 *          the PCI function, pci_func.h);
 * and the PCI configuration access capability (4.1.4.8) through the
 * function's configuration-space hooks. Interrupts are MSI-X with one
 * vector for configuration changes and one per queue as the driver maps
 * them, else INTx with the ISR status (4.1.4.5). Guest exits are handled
 * one at a time under the scheduler's lock, so the state needs no lock of
 * its own. */
#include <bulkhead/console.h>
#include <bulkhead/dev.h>
#include <bulkhead/pci_func.h>
#include <bulkhead/string.h>
#include <bulkhead/virtio.h>

/* Device status (2.1) */
#define ST_ACKNOWLEDGE  1U
#define ST_DRIVER       2U
#define ST_DRIVER_OK    4U
#define ST_FEATURES_OK  8U
#define ST_NEEDS_RESET  64U
#define ST_FAILED       128U

/* Vendor capability types (4.1.4) */
#define CAP_VENDOR      0x09
#define CFG_COMMON      1
#define CFG_NOTIFY      2
#define CFG_ISR         3
#define CFG_DEVICE      4
#define CFG_PCI         5

#define NO_VECTOR 0xffffU

#define NOTIFY_BAR   0
#define MMIO_BAR     1
#define MMIO_SIZE    0x4000U
#define COMMON_OFF   0x0000U
#define COMMON_LEN   0x38U
#define ISR_OFF      0x1000U
#define DEVCFG_OFF   0x2000U
#define DEVCFG_MAX   0x1000U
#define MSIX_OFF     0x3000U
#define PBA_OFF      0x3800U

/* Common configuration registers (4.1.4.3) */
#define CC_DFSELECT   0x00
#define CC_DF         0x04
#define CC_GFSELECT   0x08
#define CC_GF         0x0c
#define CC_MSIX       0x10
#define CC_NUMQ       0x12
#define CC_STATUS     0x14
#define CC_CFGGEN     0x15
#define CC_Q_SELECT   0x16
#define CC_Q_SIZE     0x18
#define CC_Q_MSIX     0x1a
#define CC_Q_ENABLE   0x1c
#define CC_Q_NOFF     0x1e
#define CC_Q_DESC     0x20
#define CC_Q_AVAIL    0x28
#define CC_Q_USED     0x30

/* struct virtio_pci_cfg_cap (4.1.4.8) after the ID and next bytes */
#define PCICAP_BAR    4U
#define PCICAP_OFF    8U
#define PCICAP_LEN    12U
#define PCICAP_DATA   16U
#define PCICAP_SIZE   20U

struct vqueue {
	struct virtqueue vq;
	u16 size, vector;
	bool enabled;
	u64 desc, avail, used;
};

struct virtio_dev {
	struct dev_host *h;
	struct pci_func *f;
	const struct virtio_dev_ops *ops;
	void *dev;
	struct vq_mem mem;
	u64 offered, driver_features;
	u32 dfselect, gfselect;
	u16 msix_config, qselect;
	u8 status, generation, isr;
	bool failed;
	u32 failures;            /* protocol violations, the first logged */
	u8 pcicap;               /* offset of the configuration access cap */
	u8 pcicap_img[PCICAP_SIZE];
	struct vqueue q[];        /* ops->nr_queues of them */
};

static bool mem_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	return dev_mem_read(ctx, gpa, dst, len);
}

static bool mem_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	return dev_mem_write(ctx, gpa, src, len);
}

const struct vq_mem *virtio_mem(struct virtio_dev *vd)
{
	return &vd->mem;
}

u64 virtio_features(const struct virtio_dev *vd)
{
	return vd->driver_features;
}

bool virtio_live(const struct virtio_dev *vd)
{
	return (vd->status & ST_DRIVER_OK) && !vd->failed;
}

static void raise_irq(struct virtio_dev *vd, u16 vector, u8 isr_bit)
{
	if (pci_func_msix_enabled(vd->f)) {
		if (vector != NO_VECTOR)
			pci_func_msix_notify(vd->f, vector);
		return;
	}
	vd->isr |= isr_bit;
	pci_func_intx(vd->f, true);
}

void virtio_config_changed(struct virtio_dev *vd)
{
	vd->generation++;
	raise_irq(vd, vd->msix_config, 2);
}

void virtio_fail(struct virtio_dev *vd, const char *why)
{
	if (vd->failed)
		return;
	vd->failed = true;
	if (vd->failures++ == 0)
		printf("[%s] %s: %s: device needs reset\n", vd->h->name, vd->ops->name, why);
	/* 2.1.2: DEVICE_NEEDS_RESET comes with a configuration interrupt. */
	vd->status |= ST_NEEDS_RESET;
	virtio_config_changed(vd);
}

static void device_reset(struct virtio_dev *vd)
{
	u32 i;

	vd->ops->reset(vd->dev);
	vd->driver_features = 0;
	vd->dfselect = vd->gfselect = 0;
	vd->msix_config = NO_VECTOR;
	vd->qselect = 0;
	vd->status = 0;
	vd->isr = 0;
	vd->failed = false;
	memset(vd->q, 0, sizeof(vd->q[0]) * vd->ops->nr_queues);
	for (i = 0; i < vd->ops->nr_queues; i++) {
		vd->q[i].size = vd->ops->queue_size;
		vd->q[i].vector = NO_VECTOR;
	}
	pci_func_intx(vd->f, false);
}

static bool usable(struct virtio_dev *vd, u16 q)
{
	return virtio_live(vd) && q < vd->ops->nr_queues && vd->q[q].enabled &&
	       pci_func_bus_master(vd->f);
}

bool virtio_pop(struct virtio_dev *vd, u16 q, struct vq_chain *c)
{
	struct virtqueue *vq = &vd->q[q].vq;
	enum vq_pop_result r;

	if (!usable(vd, q))
		return false;
	r = vq_pop(vq, &vd->mem, c);
	if (r == VQ_EMPTY && vq->event_idx) {
		/* Ask for a notification at the next entry, then look again:
		 * one the driver added meanwhile saw the old event index. */
		vq_set_avail_event(vq, &vd->mem);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		r = vq_pop(vq, &vd->mem, c);
	}
	if (r == VQ_BROKEN) {
		virtio_fail(vd, vq->why);
		return false;
	}
	return r == VQ_GOT_CHAIN;
}

void virtio_push(struct virtio_dev *vd, u16 q, u16 head, u32 written)
{
	struct virtqueue *vq = &vd->q[q].vq;

	if (!usable(vd, q))
		return;
	if (!vq_push(vq, &vd->mem, head, written)) {
		virtio_fail(vd, vq->why);
		return;
	}
	if (vq_should_notify(vq, &vd->mem))
		raise_irq(vd, vd->q[q].vector, 1);
	else if (vq->broken)
		virtio_fail(vd, vq->why);
}

static void queue_enable(struct virtio_dev *vd, u16 qi)
{
	struct vqueue *q = &vd->q[qi];
	u64 f = vd->driver_features;

	if (q->enabled)
		return;
	if (!vq_init(&q->vq, q->size, q->desc, q->avail, q->used,
		     f & (1ULL << VIRTIO_F_EVENT_IDX), f & (1ULL << VIRTIO_F_INDIRECT_DESC))) {
		virtio_fail(vd, "queue size or ring alignment invalid");
		return;
	}
	if (!vq_rings_ok(&q->vq, &vd->mem)) {
		virtio_fail(vd, "queue rings outside RAM");
		return;
	}
	q->enabled = true;
}

static bool features_acceptable(struct virtio_dev *vd)
{
	u64 f = vd->driver_features;

	/* 6.1: a modern device refuses a driver without VERSION_1. */
	if ((f & ~vd->offered) || !(f & (1ULL << VIRTIO_F_VERSION_1)))
		return false;
	return !vd->ops->features_ok || vd->ops->features_ok(vd->dev, f);
}

/* 3.1.1 driver initialisation: bits only accumulate, a write of 0 resets. */
static void status_write(struct virtio_dev *vd, u8 v)
{
	u8 add;
	u32 i;

	if (v == 0) {
		device_reset(vd);
		return;
	}
	add = (u8)(v & ~vd->status & (ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK |
				       ST_DRIVER_OK | ST_FAILED));
	if ((add & ST_FEATURES_OK) && !features_acceptable(vd))
		add &= (u8)~ST_FEATURES_OK; /* the driver reads it back (3.1.1 6) */
	if ((add & ST_DRIVER_OK) && !((vd->status | add) & ST_FEATURES_OK))
		add &= (u8)~ST_DRIVER_OK;
	vd->status |= add;
	if ((add & ST_DRIVER_OK) && !vd->failed)
		for (i = 0; i < vd->ops->nr_queues; i++)
			if (vd->q[i].enabled)
				vd->ops->queue_notify(vd->dev, (u16)i);
}

static u16 vector_ok(const struct virtio_dev *vd, u64 v)
{
	/* 4.1.5.1.2: a vector the device cannot use reads back NO_VECTOR. */
	return v < (u64)vd->ops->nr_queues + 1U ? (u16)v : NO_VECTOR;
}

/* A 64-bit queue address as one access or two 32-bit halves. */
static bool addr_field(u64 off, u32 size, u64 base)
{
	return (off == base && (size == 4 || size == 8)) || (off == base + 4 && size == 4);
}

static u64 *queue_addr(struct vqueue *q, u64 off)
{
	if (off < CC_Q_AVAIL)
		return &q->desc;
	return off < CC_Q_USED ? &q->avail : &q->used;
}

static bool common_size_ok(u64 off, u32 size)
{
	if (off >= CC_Q_DESC)
		return addr_field(off, size, ALIGN_DOWN(off, 8ULL));
	if (off == CC_STATUS || off == CC_CFGGEN)
		return size == 1;
	if (off < CC_MSIX)
		return size == 4 && IS_ALIGNED(off, 4ULL);
	return size == 2 && IS_ALIGNED(off, 2ULL);
}

static u64 common_read(struct virtio_dev *vd, u64 off, u32 size)
{
	struct vqueue *q = vd->qselect < vd->ops->nr_queues ? &vd->q[vd->qselect] : NULL;
	u64 v;

	switch (off) {
	case CC_DFSELECT: return vd->dfselect;
	case CC_DF: return vd->dfselect < 2 ? (u32)(vd->offered >> (32 * vd->dfselect)) : 0;
	case CC_GFSELECT: return vd->gfselect;
	case CC_GF:
		return vd->gfselect < 2 ? (u32)(vd->driver_features >> (32 * vd->gfselect)) : 0;
	case CC_MSIX: return vd->msix_config;
	case CC_NUMQ: return vd->ops->nr_queues;
	case CC_STATUS: return vd->status;
	case CC_CFGGEN: return vd->generation;
	case CC_Q_SELECT: return vd->qselect;
	case CC_Q_SIZE: return q ? q->size : 0; /* 4.1.4.3.2: 0 for no queue */
	case CC_Q_MSIX: return q ? q->vector : NO_VECTOR;
	case CC_Q_ENABLE: return q ? q->enabled : 0;
	case CC_Q_NOFF: return 0;
	default:
		if (!q)
			return 0;
		v = *queue_addr(q, off);
		return (off & 4) ? v >> 32 : (size == 4 ? (u32)v : v);
	}
}

static void common_write(struct virtio_dev *vd, u64 off, u32 size, u64 v)
{
	struct vqueue *q = vd->qselect < vd->ops->nr_queues ? &vd->q[vd->qselect] : NULL;
	u64 *a, half;

	switch (off) {
	case CC_DFSELECT: vd->dfselect = (u32)v; return;
	case CC_GFSELECT: vd->gfselect = (u32)v; return;
	case CC_GF:
		/* Features are fixed once FEATURES_OK is set (3.1.1). */
		if (vd->gfselect < 2 && !(vd->status & ST_FEATURES_OK)) {
			half = 32U * vd->gfselect;
			vd->driver_features &= ~(0xffffffffULL << half);
			vd->driver_features |= (v & 0xffffffffULL) << half;
		}
		return;
	case CC_MSIX: vd->msix_config = vector_ok(vd, v); return;
	case CC_STATUS: status_write(vd, (u8)v); return;
	case CC_Q_SELECT: vd->qselect = (u16)v; return;
	case CC_DF: case CC_NUMQ: case CC_CFGGEN: case CC_Q_NOFF:
		return; /* read-only */
	}
	/* Queue registers: none of them changes while the queue is enabled. */
	if (!q || q->enabled)
		return;
	switch (off) {
	case CC_Q_SIZE: q->size = (u16)v; return; /* checked at enable */
	case CC_Q_MSIX: q->vector = vector_ok(vd, v); return;
	case CC_Q_ENABLE:
		if (v == 1)
			queue_enable(vd, vd->qselect);
		return;
	default:
		a = queue_addr(q, off);
		if (size == 8)
			*a = v;
		else if (off & 4)
			*a = (*a & 0xffffffffULL) | (v << 32);
		else
			*a = (*a & ~0xffffffffULL) | (v & 0xffffffffULL);
	}
}

static enum bus_result mmio_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct virtio_dev *vd = dev;

	*val = 0;
	if (off < COMMON_LEN) {
		if (!common_size_ok(off, size))
			return BUS_BAD_ACCESS;
		*val = common_read(vd, off, size);
	} else if (off == ISR_OFF && size == 1) {
		/* 4.1.4.5.1: reading clears the status and deasserts INTx. */
		*val = vd->isr;
		vd->isr = 0;
		pci_func_intx(vd->f, false);
	} else if (off >= DEVCFG_OFF && off - DEVCFG_OFF + size <= vd->ops->config_len &&
		   vd->ops->config_read) {
		vd->ops->config_read(vd->dev, (u32)(off - DEVCFG_OFF), val, size);
	}
	return BUS_OK;
}

static enum bus_result mmio_write(void *dev, u64 off, u32 size, u64 val)
{
	struct virtio_dev *vd = dev;

	if (off < COMMON_LEN) {
		if (!common_size_ok(off, size))
			return BUS_BAD_ACCESS;
		common_write(vd, off, size, val);
	} else if (off >= DEVCFG_OFF && off - DEVCFG_OFF + size <= vd->ops->config_len &&
		   vd->ops->config_write) {
		vd->ops->config_write(vd->dev, (u32)(off - DEVCFG_OFF), &val, size);
	}
	return BUS_OK;
}

/* The notify structure: the queue's index, 16 bits (4.1.4.4.1). */
static enum bus_result notify_write(void *dev, u64 off, u32 size, u64 val)
{
	struct virtio_dev *vd = dev;
	u16 q = (u16)val;

	if (off != 0 || (size != 2 && size != 4))
		return BUS_BAD_ACCESS;
	if (usable(vd, q))
		vd->ops->queue_notify(vd->dev, q);
	return BUS_OK;
}

static enum bus_result notify_read(void *dev, u64 off, u32 size, u64 *val)
{
	(void)dev;
	(void)off;
	(void)size;
	*val = 0;
	return BUS_OK;
}

static const struct bus_dev_ops mmio_ops = { mmio_read, mmio_write, NULL };
static const struct bus_dev_ops notify_ops = { notify_read, notify_write, NULL };

/* 4.1.4.8: the driver picks bar, offset and length in the capability and
 * reaches that BAR's registers through pci_cfg_data. */
static u64 pcicap_u32(const struct virtio_dev *vd, u32 at)
{
	const u8 *p = &vd->pcicap_img[at];
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static bool pcicap_data(struct virtio_dev *vd, bool write, u32 *val)
{
	u32 bar = vd->pcicap_img[PCICAP_BAR], len = (u32)pcicap_u32(vd, PCICAP_LEN);
	u64 off = pcicap_u32(vd, PCICAP_OFF), v = write ? *val : 0;

	/* 4.1.4.8.1: lengths 1, 2 or 4, offset aligned to it */
	if ((len != 1 && len != 2 && len != 4) || off % len != 0)
		return false;
	if (bar == MMIO_BAR && off < MMIO_SIZE && off < MSIX_OFF) {
		if (write)
			mmio_write(vd, off, len, v);
		else
			mmio_read(vd, off, len, &v);
	} else if (bar == NOTIFY_BAR && write) {
		notify_write(vd, off, len, v);
	}
	if (!write)
		*val = (u32)v;
	return true;
}

static bool cfg_read(void *dev, u32 off, u32 size, u32 *val)
{
	struct virtio_dev *vd = dev;
	u32 rel = off - vd->pcicap, i;

	if (off < vd->pcicap + PCICAP_BAR || off >= vd->pcicap + PCICAP_SIZE)
		return false;
	if (rel >= PCICAP_DATA) {
		if (!pcicap_data(vd, false, val))
			*val = 0;
		return true;
	}
	*val = 0;
	for (i = 0; i < size && rel + i < PCICAP_DATA; i++)
		*val |= (u32)vd->pcicap_img[rel + i] << (8 * i);
	return true;
}

static bool cfg_write(void *dev, u32 off, u32 size, u32 val)
{
	struct virtio_dev *vd = dev;
	u32 rel = off - vd->pcicap, i;

	if (off < vd->pcicap + PCICAP_BAR || off >= vd->pcicap + PCICAP_SIZE)
		return false;
	if (rel >= PCICAP_DATA) {
		(void)pcicap_data(vd, true, &val);
		return true;
	}
	for (i = 0; i < size && rel + i < PCICAP_DATA; i++)
		if (rel + i == PCICAP_BAR || rel + i >= PCICAP_OFF) /* not cap_len, type, id */
			vd->pcicap_img[rel + i] = (u8)(val >> (8 * i));
	return true;
}

/* The VM's reset (PCI RST#) resets the device: BARs are reached through
 * the host bridge's windows, so no bus region's reset hook would be called:
 * the BAR ops have none. */
static void func_reset(void *dev)
{
	device_reset(dev);
}

static const struct pci_func_hooks hooks = { cfg_read, cfg_write, func_reset };

/* struct virtio_pci_cap (4.1.4) after the ID and next bytes. */
static u8 add_vcap(struct virtio_dev *vd, u8 type, u8 bar, u32 off, u32 len, u32 extra,
		   u32 extra_len)
{
	u8 b[PCICAP_SIZE - 2];
	u32 i;

	memset(b, 0, sizeof(b));
	b[0] = (u8)(16U + extra_len); /* cap_len */
	b[1] = type;
	b[2] = bar;
	for (i = 0; i < 4; i++) {
		b[6 + i] = (u8)(off >> (8 * i));
		b[10 + i] = (u8)(len >> (8 * i));
		b[14 + i] = (u8)(extra >> (8 * i));
	}
	return pci_func_add_cap(vd->f, CAP_VENDOR, b, 14U + extra_len);
}

struct virtio_dev *virtio_pci_create(struct dev_host *h, u16 bdf, const struct virtio_dev_ops *ops,
				     void *dev, const char **err)
{
	struct pci_func_id id = {
		.vendor = VIRTIO_PCI_VENDOR,
		.device = (u16)(0x1040U + ops->device_id),   /* 4.1.2.1 */
		.subsys_vendor = VIRTIO_PCI_VENDOR,
		.subsys = (u16)(0x1040U + ops->device_id),
		.revision = 1,                               /* 4.1.2.1: >= 1 */
		.class_code = ops->class_code,
		.int_pin = 1,
	};
	struct virtio_dev *vd;

	if (ops->nr_queues == 0 || ops->nr_queues > VIRTIO_MAX_QUEUES ||
	    ops->config_len > DEVCFG_MAX || ops->queue_size > VQ_MAX_SIZE) {
		*err = "virtio device description out of range";
		return NULL;
	}
	/* the queues it has, not VIRTIO_MAX_QUEUES: the VM's device arena is small */
	vd = dev_alloc(h, sizeof(*vd) + sizeof(vd->q[0]) * ops->nr_queues);
	if (!vd) {
		*err = "no room for a virtio device";
		return NULL;
	}
	vd->h = h;
	vd->ops = ops;
	vd->dev = dev;
	vd->mem = (struct vq_mem){ mem_read, mem_write, h };
	vd->offered = ops->features | 1ULL << VIRTIO_F_VERSION_1 |
		      1ULL << VIRTIO_F_EVENT_IDX | 1ULL << VIRTIO_F_INDIRECT_DESC;
	vd->f = pci_func_create(h, bdf, &id, err);
	if (!vd->f)
		return NULL;
	if (!pci_func_add_bar(vd->f, NOTIFY_BAR, PCI_BAR_IO, 4, &notify_ops, vd, ops->name) ||
	    !pci_func_add_bar(vd->f, MMIO_BAR, PCI_BAR_MEM32, MMIO_SIZE, &mmio_ops, vd, ops->name) ||
	    !pci_func_add_msix(vd->f, (u16)(ops->nr_queues + 1U), MMIO_BAR, MSIX_OFF, PBA_OFF)) {
		*err = "virtio: cannot add the BARs or MSI-X";
		return NULL;
	}
	if (!add_vcap(vd, CFG_COMMON, MMIO_BAR, COMMON_OFF, COMMON_LEN, 0, 0) ||
	    !add_vcap(vd, CFG_NOTIFY, NOTIFY_BAR, 0, 4, 0 /* notify_off_multiplier */, 4) ||
	    !add_vcap(vd, CFG_ISR, MMIO_BAR, ISR_OFF, 1, 0, 0) ||
	    (ops->config_len && !add_vcap(vd, CFG_DEVICE, MMIO_BAR, DEVCFG_OFF, ops->config_len, 0, 0))) {
		*err = "virtio: no room for the capabilities";
		return NULL;
	}
	vd->pcicap = add_vcap(vd, CFG_PCI, 0, 0, 0, 0, 4);
	if (!vd->pcicap) {
		*err = "virtio: no room for the capabilities";
		return NULL;
	}
	vd->pcicap_img[2] = PCICAP_SIZE;
	vd->pcicap_img[3] = CFG_PCI;
	pci_func_set_hooks(vd->f, &hooks, vd);
	device_reset(vd);
	return vd;
}
