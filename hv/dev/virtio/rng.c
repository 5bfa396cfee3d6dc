/* virtio-rng, the entropy device (virtio 1.1 5.4): one request queue whose
 * buffers the device fills with random bytes (entropy.h: RDSEED, RDRAND or
 * a DRBG; the VM's log says which). A VM has one with `rng = yes`. */
#include <bulkhead/console.h>
#include <bulkhead/dev.h>
#include <bulkhead/entropy.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/virtio.h>
#include <bulkhead/vm.h>

#define RNG_QUEUE_SIZE 64
#define RNG_MAX_BYTES  65536U /* filled per request; the rest is left as it is */
#define CHUNK 256U

struct vrng {
	struct virtio_dev *vd;
};

static void rng_notify(void *dev, u16 q)
{
	struct vrng *r = dev;
	struct vq_chain c;
	u8 b[CHUNK];

	while (virtio_pop(r->vd, q, &c)) {
		u32 n = MIN(c.in_len, RNG_MAX_BYTES), off;

		for (off = 0; off < n; off += CHUNK) {
			u32 k = MIN(n - off, CHUNK);

			entropy_fill(b, k);
			if (!vq_chain_write(virtio_mem(r->vd), &c, off, b, k)) {
				virtio_fail(r->vd, "request buffer not writable");
				return;
			}
		}
		/* 5.4.6.1: a request with no writable part gets 0 bytes */
		virtio_push(r->vd, q, c.head, n);
	}
}

static void rng_reset(void *dev)
{
	(void)dev; /* nothing in flight: requests complete as they come */
}

static const struct virtio_dev_ops rng_ops = {
	.name = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.class_code = 0xff0000, /* unclassified, as QEMU's virtio-rng-pci */
	.nr_queues = 1,
	.queue_size = RNG_QUEUE_SIZE,
	.queue_notify = rng_notify,
	.reset = rng_reset,
};

static bool rng_create(struct dev_host *h, const struct vm_config *cfg, const char **err)
{
	struct vrng *r;

	if (!cfg->rng)
		return true;
	r = dev_alloc(h, sizeof(*r));
	if (!r) {
		*err = "no room for virtio-rng";
		return false;
	}
	r->vd = virtio_pci_create(h, PCI_BDF(0, PC_PCI_SLOT_RNG, 0), &rng_ops, r, err);
	if (!r->vd)
		return false;
	printf("[%s] virtio-rng: entropy from %s\n", h->name, entropy_source());
	return true;
}

VM_DEVICE(40, virtio_rng, rng_create);
