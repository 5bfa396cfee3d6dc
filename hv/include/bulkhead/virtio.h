/* A virtio 1.x device on the PCI transport (virtio 1.1 4.1, modern only):
 * the transport (hv/dev/virtio/virtio_pci.c) owns the PCI function, the
 * common, notify, ISR and device-configuration capabilities, feature
 * negotiation, the status byte and the virtqueues; a device model (blk,
 * net, console, rng) gives its ops and serves its queues.
 *
 * A device model never trusts the guest's rings: it gets chains already
 * walked and bounds-checked (virtqueue.h), and on a request it cannot make
 * sense of it calls virtio_fail, which sets DEVICE_NEEDS_RESET (2.1.1),
 * stops serving the device until the driver resets it and logs once; the
 * VM keeps running. */
#ifndef BULKHEAD_VIRTIO_H
#define BULKHEAD_VIRTIO_H

#include <bulkhead/types.h>
#include <bulkhead/virtqueue.h>

struct dev_host;
struct virtio_dev;

/* Device IDs (virtio 1.1 5); PCI device ID is 0x1040 + id (4.1.2.1). */
#define VIRTIO_ID_NET     1
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG     4
#define VIRTIO_PCI_VENDOR 0x1af4

/* Feature bits the transport offers itself (6). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1     32

#define VIRTIO_MAX_QUEUES 8

struct virtio_dev_ops {
	const char *name;       /* "virtio-blk", for messages */
	u16 device_id;          /* VIRTIO_ID_* */
	u32 class_code;         /* PCI class (base << 16 | sub << 8) */
	u64 features;           /* device-specific feature bits offered */
	u16 nr_queues;
	u16 queue_size;         /* maximum size of each queue */
	u32 config_len;         /* device configuration structure's length */
	/* Device configuration structure (little-endian), off + len <= config_len. */
	void (*config_read)(void *dev, u32 off, void *buf, u32 len);
	void (*config_write)(void *dev, u32 off, const void *buf, u32 len);
	/* The driver set DRIVER_OK with these features; false refuses them
	 * (the transport then clears FEATURES_OK). May be NULL. */
	bool (*features_ok)(void *dev, u64 driver_features);
	/* Queue q has new buffers (the driver notified, or the device became
	 * live). Serve with virtio_pop/virtio_push. */
	void (*queue_notify)(void *dev, u16 q);
	/* The driver reset the device (or the VM reset, or the device broke and
	 * the driver reset it): drop every request in flight. */
	void (*reset)(void *dev);
};

/* Creates the device as PCI function bdf; NULL with *err on failure. */
struct virtio_dev *virtio_pci_create(struct dev_host *h, u16 bdf, const struct virtio_dev_ops *ops,
				     void *dev, const char **err);

/* The next request on queue q; false when there is none or the device is
 * not live (DRIVER_OK, not failed) or the queue broke (the device fails). */
bool virtio_pop(struct virtio_dev *vd, u16 q, struct vq_chain *c);
/* Completes a request with written bytes in its writable part and
 * interrupts the driver if the queue asks for it. */
void virtio_push(struct virtio_dev *vd, u16 q, u16 head, u32 written);
/* Guest memory of the device's VM, for vq_chain_read/vq_chain_write. */
const struct vq_mem *virtio_mem(struct virtio_dev *vd);
/* Negotiated features (valid once the device is live). */
u64 virtio_features(const struct virtio_dev *vd);
bool virtio_live(const struct virtio_dev *vd);
/* The configuration structure changed (4.1.4.5): config interrupt. */
void virtio_config_changed(struct virtio_dev *vd);
/* The guest broke the protocol: DEVICE_NEEDS_RESET, served no more until
 * reset, logged once per device with why. */
void virtio_fail(struct virtio_dev *vd, const char *why);

#endif
