/* A block back end over a raw disk image given as a boot module
 * (blk_backend.h). The image is served in place from the module's memory:
 * writes change it, last across VM restarts and are lost at power-off
 * (docs/disks.md). Nothing of a disk-image format is parsed. */
#include <bulkhead/blk_backend.h>
#include <bulkhead/dev.h>
#include <bulkhead/mm.h>
#include <bulkhead/string.h>
#include <bulkhead/vm.h>

struct ramdisk {
	u8 *data;
	u64 bytes;
};

static void rd_submit(void *be, struct blk_req *r)
{
	struct ramdisk *rd = be;
	u64 off = r->sector * BLK_SECTOR, len = r->nr_sectors * BLK_SECTOR;

	/* The device checked the range against the size; check again, so a
	 * device's bug cannot reach past the image. */
	if (r->sector > rd->bytes / BLK_SECTOR || r->nr_sectors > rd->bytes / BLK_SECTOR - r->sector) {
		r->done(r, BLK_IOERR);
		return;
	}
	switch (r->op) {
	case BLK_READ:
		r->done(r, r->to_guest(r, 0, rd->data + off, len) ? BLK_OK : BLK_IOERR);
		return;
	case BLK_WRITE:
		r->done(r, r->from_guest(r, 0, rd->data + off, len) ? BLK_OK : BLK_IOERR);
		return;
	case BLK_WRITE_ZEROES:
		memset(rd->data + off, 0, len);
		r->done(r, BLK_OK);
		return;
	case BLK_FLUSH:   /* RAM: nothing is cached on the way */
	case BLK_DISCARD: /* the sectors keep their contents (allowed: 5.2.6.2) */
		r->done(r, BLK_OK);
		return;
	}
	r->done(r, BLK_UNSUPP);
}

static const struct blk_backend_ops ramdisk_ops = { .submit = rd_submit };

bool ramdisk_open(struct dev_host *h, const struct vm_disk *d, unsigned index,
		  struct blk_backend *out, const char **err)
{
	struct ramdisk *rd;
	static const char serial[] = "bulkhead-disk";

	if (d->image.len == 0 || d->image.len % BLK_SECTOR != 0) {
		*err = "disk image is not a whole number of 512-byte sectors";
		return false;
	}
	rd = dev_alloc(h, sizeof(*rd));
	if (!rd) {
		*err = "no room for a disk";
		return false;
	}
	rd->data = phys_to_virt(d->image.hpa);
	rd->bytes = d->image.len;
	memset(out, 0, sizeof(*out));
	out->ops = &ramdisk_ops;
	out->be = rd;
	out->sectors = rd->bytes / BLK_SECTOR;
	out->read_only = d->read_only;
	memcpy(out->id, serial, sizeof(serial) - 1);
	out->id[sizeof(serial) - 1] = (char)('0' + index % 10);
	return true;
}
