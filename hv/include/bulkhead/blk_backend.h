/* A block back end: plain 512-byte sectors, nothing of a disk-image
 * format. The virtio-blk device (hv/dev/virtio/blk.c) validates the
 * guest's request and hands the back end a plain one; the back end moves
 * the data between its storage and the guest's buffers through the
 * request's copy functions (so a back end served by the service VM later
 * copies into its own ring, and never sees guest memory), then completes
 * it, now or later.
 *
 * First implementation: a raw image from a boot module held in RAM
 * (hv/dev/backend/ramdisk.c); writes last until the machine powers off. */
#ifndef BULKHEAD_BLK_BACKEND_H
#define BULKHEAD_BLK_BACKEND_H

#include <bulkhead/types.h>

#define BLK_SECTOR 512U

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH, BLK_DISCARD, BLK_WRITE_ZEROES };
enum blk_status { BLK_OK = 0, BLK_IOERR, BLK_UNSUPP };

struct blk_req {
	enum blk_op op;
	u64 sector;        /* first sector */
	u64 nr_sectors;    /* checked against the back end's size by the device */
	/* Data for READ (to_guest) and WRITE (from_guest): byte off of the
	 * request's data, len bytes; false if the guest's memory fails. */
	bool (*to_guest)(struct blk_req *r, u64 off, const void *src, u64 len);
	bool (*from_guest)(struct blk_req *r, u64 off, void *dst, u64 len);
	/* Called exactly once per request, from submit or later. */
	void (*done)(struct blk_req *r, enum blk_status st);
	void *owner;       /* the device's own */
};

struct blk_backend_ops {
	void (*submit)(void *be, struct blk_req *r);
	/* The device was reset with a request in flight: from now on the back
	 * end neither copies for it nor completes it. NULL for a back end that
	 * completes every request within submit. */
	void (*cancel)(void *be);
};

struct blk_backend {
	const struct blk_backend_ops *ops;
	void *be;
	u64 sectors;
	bool read_only;
	char id[20];       /* VIRTIO_BLK_ID_BYTES serial, NUL-padded */
};

struct dev_host;
struct vm_disk;

/* The ramdisk back end over disk d of a VM's configuration (its image
 * module, served in place: writes change the module's memory); index
 * names it in the serial ("bulkhead-disk0"). false with *err for an image
 * that is empty or not whole sectors, or no room. */
bool __must_check ramdisk_open(struct dev_host *h, const struct vm_disk *d, unsigned index,
			       struct blk_backend *out, const char **err);

#endif
