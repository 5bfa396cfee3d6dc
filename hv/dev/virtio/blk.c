/* virtio-blk (virtio 1.1 5.2): read, write, flush, discard, write-zeroes
 * and get-id over a block back end (blk_backend.h). The device checks each
 * request (header, sizes in whole sectors, the range against the disk's
 * size, read-only) and hands the back end a plain one; the data moves
 * between the back end and the guest's buffers through the request's copy
 * functions. A VM's disks come from the `disks` key, in PCI slots
 * PC_PCI_SLOT_DISK0 onwards. */
#include <bulkhead/blk_backend.h>
#include <bulkhead/console.h>
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/string.h>
#include <bulkhead/svc.h>
#include <bulkhead/virtio.h>
#include <bulkhead/vm.h>

/* Feature bits (5.2.3) */
#define BLK_F_SEG_MAX (1ULL << 2)
#define BLK_F_RO (1ULL << 5)
#define BLK_F_BLK_SIZE (1ULL << 6)
#define BLK_F_FLUSH (1ULL << 9)
#define BLK_F_DISCARD (1ULL << 13)
#define BLK_F_WRITE_ZEROES (1ULL << 14)

/* Request types and status (5.2.6) */
#define T_IN           0U
#define T_OUT          1U
#define T_FLUSH        4U
#define T_GET_ID       8U
#define T_DISCARD      11U
#define T_WRITE_ZEROES 13U
#define S_OK     0U
#define S_IOERR  1U
#define S_UNSUPP 2U

#define HDR_LEN 16U       /* type, reserved, sector */
#define DWZ_LEN 16U       /* struct virtio_blk_discard_write_zeroes */
#define DWZ_F_UNMAP 1U
#define ID_BYTES 20U      /* VIRTIO_BLK_ID_BYTES */
#define MAX_DWZ_SECTORS 0x400000U /* 2 GiB per discard or write-zeroes */

/* struct virtio_blk_config (5.2.4) offsets */
#define CFG_CAPACITY  0
#define CFG_SEG_MAX   12
#define CFG_BLK_SIZE  20
#define CFG_MAX_DISCARD_SECTORS 36
#define CFG_MAX_DISCARD_SEG     40
#define CFG_DISCARD_ALIGN       44
#define CFG_MAX_WZ_SECTORS      48
#define CFG_MAX_WZ_SEG          52
#define CFG_LEN 60U

#define QUEUE_SIZE 128

struct vblk {
	struct virtio_dev *vd;
	struct blk_backend be;
	struct blk_req req;
	struct vq_chain c;   /* the request in flight, when busy */
	bool busy, in_submit;
	u8 cfg[CFG_LEN];
};

static void put32(u8 *p, u32 v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

static void serve(struct vblk *b);

/* Status in the last writable byte, written = data bytes + that byte. */
static void complete(struct vblk *b, u32 status, u32 data)
{
	u8 st = (u8)status;

	if (!vq_chain_write(virtio_mem(b->vd), &b->c, b->c.in_len - 1, &st, 1)) {
		virtio_fail(b->vd, "status byte not writable");
	} else {
		virtio_push(b->vd, 0, b->c.head, data + 1);
	}
	b->busy = false;
}

static bool req_to_guest(struct blk_req *r, u64 off, const void *src, u64 len)
{
	struct vblk *b = r->owner;
	u32 room = b->c.in_len - 1;

	if (off > room || len > room - off)
		return false;
	return vq_chain_write(virtio_mem(b->vd), &b->c, (u32)off, src, (u32)len);
}

static bool req_from_guest(struct blk_req *r, u64 off, void *dst, u64 len)
{
	struct vblk *b = r->owner;
	u32 room = b->c.out_len - HDR_LEN;

	if (off > room || len > room - off)
		return false;
	return vq_chain_read(virtio_mem(b->vd), &b->c, HDR_LEN + (u32)off, dst, (u32)len);
}

static void req_done(struct blk_req *r, enum blk_status st)
{
	struct vblk *b = r->owner;
	u32 data = st == BLK_OK && r->op == BLK_READ ? (u32)(r->nr_sectors * BLK_SECTOR) : 0;

	complete(b, st == BLK_OK ? S_OK : st == BLK_UNSUPP ? S_UNSUPP : S_IOERR, data);
	if (!b->in_submit)
		serve(b); /* completed later: take the next request now */
}

static bool in_disk(const struct vblk *b, u64 sector, u64 n)
{
	return sector <= b->be.sectors && n <= b->be.sectors - sector;
}

static void submit(struct vblk *b, enum blk_op op, u64 sector, u64 n)
{
	b->req = (struct blk_req){ op, sector, n, req_to_guest, req_from_guest, req_done, b };
	b->in_submit = true;
	b->be.ops->submit(b->be.be, &b->req);
	b->in_submit = false;
}

/* Discard and write-zeroes: one segment (max_*_seg is 1). */
static void discard_or_zero(struct vblk *b, u32 type)
{
	u8 s[DWZ_LEN];
	u64 sector;
	u32 n, flags;

	if (b->be.read_only) {
		complete(b, S_IOERR, 0);
		return;
	}
	if (b->c.out_len - HDR_LEN != DWZ_LEN ||
	    !vq_chain_read(virtio_mem(b->vd), &b->c, HDR_LEN, s, DWZ_LEN)) {
		complete(b, S_UNSUPP, 0);
		return;
	}
	memcpy(&sector, s, 8);
	memcpy(&n, s + 8, 4);
	memcpy(&flags, s + 12, 4);
	/* 5.2.6.2: unmap is for write-zeroes only; other flags are reserved */
	if ((flags & ~DWZ_F_UNMAP) || (type == T_DISCARD && flags)) {
		complete(b, S_UNSUPP, 0);
		return;
	}
	if (n > MAX_DWZ_SECTORS || !in_disk(b, sector, n)) {
		complete(b, S_IOERR, 0);
		return;
	}
	submit(b, type == T_DISCARD ? BLK_DISCARD : BLK_WRITE_ZEROES, sector, n);
}

static void handle(struct vblk *b)
{
	struct vq_chain *c = &b->c;
	u32 type, data;
	u64 sector;
	u8 h[HDR_LEN];

	/* 5.2.6: a header the device reads and a status byte it writes */
	if (c->out_len < HDR_LEN || c->in_len < 1) {
		virtio_fail(b->vd, "request without header or status byte");
		b->busy = false;
		return;
	}
	if (!vq_chain_read(virtio_mem(b->vd), c, 0, h, HDR_LEN)) {
		virtio_fail(b->vd, "request header not readable");
		b->busy = false;
		return;
	}
	memcpy(&type, h, 4);
	memcpy(&sector, h + 8, 8);
	switch (type) {
	case T_IN:
	case T_OUT:
		data = type == T_IN ? c->in_len - 1 : c->out_len - HDR_LEN;
		if (type == T_OUT && b->be.read_only)
			complete(b, S_IOERR, 0);
		else if (data % BLK_SECTOR || !in_disk(b, sector, data / BLK_SECTOR))
			complete(b, S_IOERR, 0);
		else
			submit(b, type == T_IN ? BLK_READ : BLK_WRITE, sector, data / BLK_SECTOR);
		return;
	case T_FLUSH:
		submit(b, BLK_FLUSH, 0, 0);
		return;
	case T_GET_ID:
		data = MIN(c->in_len - 1, ID_BYTES);
		if (!vq_chain_write(virtio_mem(b->vd), c, 0, b->be.id, data))
			complete(b, S_IOERR, 0);
		else
			complete(b, S_OK, data);
		return;
	case T_DISCARD:
	case T_WRITE_ZEROES:
		discard_or_zero(b, type);
		return;
	default:
		complete(b, S_UNSUPP, 0);
	}
}

/* One request at a time: the next is taken when the back end completes
 * this one (at once for the ramdisk). */
static void serve(struct vblk *b)
{
	while (!b->busy && virtio_pop(b->vd, 0, &b->c)) {
		b->busy = true;
		handle(b);
	}
}

static void blk_notify(void *dev, u16 q)
{
	(void)q;
	serve(dev);
}

static void blk_reset(void *dev)
{
	struct vblk *b = dev;

	/* A request in flight at a back end that completes later: the back
	 * end forgets it (it neither copies to the guest nor completes it). */
	if (b->busy && b->be.ops->cancel)
		b->be.ops->cancel(b->be.be);
	b->busy = false;
}

static void blk_config_read(void *dev, u32 off, void *buf, u32 len)
{
	memcpy(buf, &((struct vblk *)dev)->cfg[off], len);
}

#define BLK_OPS(ro_features)                                                     \
	{                                                                        \
		.name = "virtio-blk", .device_id = VIRTIO_ID_BLOCK,              \
		.class_code = 0x018000, /* mass storage, other */                \
		.features = BLK_F_SEG_MAX | BLK_F_BLK_SIZE | BLK_F_FLUSH | ro_features, \
		.nr_queues = 1, .queue_size = QUEUE_SIZE, .config_len = CFG_LEN, \
		.config_read = blk_config_read, .queue_notify = blk_notify,      \
		.reset = blk_reset,                                              \
	}
static const struct virtio_dev_ops rw_ops = BLK_OPS(BLK_F_DISCARD | BLK_F_WRITE_ZEROES);
static const struct virtio_dev_ops ro_ops = BLK_OPS(BLK_F_RO);

static void fill_config(struct vblk *b)
{
	u32 dwz = (u32)MIN(b->be.sectors, (u64)MAX_DWZ_SECTORS);

	put32(b->cfg + CFG_CAPACITY, (u32)b->be.sectors);
	put32(b->cfg + CFG_CAPACITY + 4, (u32)(b->be.sectors >> 32));
	put32(b->cfg + CFG_SEG_MAX, VQ_MAX_SEGS - 2); /* header and status */
	put32(b->cfg + CFG_BLK_SIZE, BLK_SECTOR);
	if (b->be.read_only)
		return;
	put32(b->cfg + CFG_MAX_DISCARD_SECTORS, dwz);
	put32(b->cfg + CFG_MAX_DISCARD_SEG, 1);
	put32(b->cfg + CFG_DISCARD_ALIGN, 1);
	put32(b->cfg + CFG_MAX_WZ_SECTORS, dwz);
	put32(b->cfg + CFG_MAX_WZ_SEG, 1);
}

static bool blk_create(struct dev_host *h, const struct vm_config *cfg, const char **err)
{
	for (unsigned i = 0; i < cfg->nr_disks && i < VM_MAX_DISKS; i++) {
		struct vblk *b = dev_alloc(h, sizeof(*b));

		if (!b) {
			*err = "no room for virtio-blk";
			return false;
		}
		if (cfg->disks[i].svc_name[0] ? !svc_blk_open(h, &cfg->disks[i], i, &b->be, err)
					      : !ramdisk_open(h, &cfg->disks[i], i, &b->be, err))
			return false;
		fill_config(b);
		b->vd = virtio_pci_create(h, PCI_BDF(0, PC_PCI_SLOT_DISK0 + i, 0),
					  b->be.read_only ? &ro_ops : &rw_ops, b, err);
		if (!b->vd)
			return false;
		printf("[%s] virtio-blk %u: %lu sectors, %s\n", h->name, i, b->be.sectors,
		       b->be.read_only ? "read-only" : cfg->disks[i].svc_name[0] ?
		       "writable (served by the service VM)" : "writable (kept in RAM until power-off)");
	}
	return true;
}

VM_DEVICE(40, virtio_blk, blk_create);
