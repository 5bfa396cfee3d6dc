/* Common parts of the test guests' bare virtio-pci drivers (virtio.h). */
#include "virtio.h"

static void cfg_select(const struct virtio_fn *v, u32 off)
{
	/* configuration mechanism #1, bus 0, function 0 */
	outl(0xcf8, 0x80000000U | ((u32)v->slot << 11) | (off & 0xfc));
}

u32 virtio_cfg_read32(const struct virtio_fn *v, u32 off)
{
	cfg_select(v, off);
	return inl(0xcfc);
}

u8 virtio_cfg_read8(const struct virtio_fn *v, u32 off)
{
	return (u8)(virtio_cfg_read32(v, off) >> (8 * (off & 3)));
}

void virtio_cfg_write16(const struct virtio_fn *v, u32 off, u16 val)
{
	cfg_select(v, off);
	outw((u16)(0xcfc + (off & 2)), val);
}

static u64 bar_base(const struct virtio_fn *v, unsigned bar)
{
	u32 val = virtio_cfg_read32(v, 0x10 + 4 * bar);

	return (val & 1) ? (val & ~3U) : (val & ~15U);
}

/* The vendor capabilities (4.1.4): cfg_type 1 common, 2 notify, 3 ISR,
 * 4 device. */
bool virtio_find(struct virtio_fn *v)
{
	u8 at = virtio_cfg_read8(v, 0x34);
	unsigned hops = 0;

	v->common = v->isr = v->device = 0;
	v->notify_port = 0;
	while (at && hops++ < 48) {
		if (virtio_cfg_read8(v, at) == 0x09) {
			u8 type = virtio_cfg_read8(v, at + 3U), bar = virtio_cfg_read8(v, at + 4U);
			u64 base = bar_base(v, bar) + virtio_cfg_read32(v, at + 8U);

			if (type == 1)
				v->common = base;
			else if (type == 2)
				v->notify_port = (u16)base;
			else if (type == 3)
				v->isr = base;
			else if (type == 4)
				v->device = base;
		}
		at = virtio_cfg_read8(v, at + 1U);
	}
	return v->common && v->notify_port && v->isr;
}

u8 virtio_status(const struct virtio_fn *v) { return mmio_read8(v->common + 0x14); }
void virtio_set_status(const struct virtio_fn *v, u8 st) { mmio_write8(v->common + 0x14, st); }

/* 3.1.1, common configuration layout of 4.1.4.3 */
bool virtio_negotiate(const struct virtio_fn *v, u32 features_lo)
{
	virtio_set_status(v, 0);
	if (virtio_status(v) != 0)
		return false;
	virtio_set_status(v, VIRTIO_ST_ACK);
	virtio_set_status(v, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER);
	mmio_write32(v->common + 0x08, 0);
	mmio_write32(v->common + 0x0c, features_lo);
	mmio_write32(v->common + 0x08, 1);
	mmio_write32(v->common + 0x0c, 1); /* VERSION_1 */
	virtio_set_status(v, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER | VIRTIO_ST_FEATURES_OK);
	return virtio_status(v) & VIRTIO_ST_FEATURES_OK;
}

void virtio_queue_set(const struct virtio_fn *v, u16 q, u16 qsz, u64 d, u64 a, u64 u)
{
	mmio_write16(v->common + 0x16, q);
	mmio_write16(v->common + 0x18, qsz);
	mmio_write32(v->common + 0x20, (u32)d);
	mmio_write32(v->common + 0x24, (u32)(d >> 32));
	mmio_write32(v->common + 0x28, (u32)a);
	mmio_write32(v->common + 0x2c, (u32)(a >> 32));
	mmio_write32(v->common + 0x30, (u32)u);
	mmio_write32(v->common + 0x34, (u32)(u >> 32));
	mmio_write16(v->common + 0x1c, 1);
}

bool virtio_driver_ok(const struct virtio_fn *v)
{
	virtio_set_status(v, VIRTIO_ST_ACK | VIRTIO_ST_DRIVER | VIRTIO_ST_FEATURES_OK |
			      VIRTIO_ST_DRIVER_OK);
	return !(virtio_status(v) & VIRTIO_ST_NEEDS_RESET);
}

bool virtio_bring_up(const struct virtio_fn *v, u64 d, u64 a, u64 u,
		     u32 features_lo, u16 qsz)
{
	if (!virtio_negotiate(v, features_lo))
		return false;
	virtio_queue_set(v, 0, qsz, d, a, u);
	return virtio_driver_ok(v);
}
