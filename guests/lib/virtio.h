/* A bare virtio 1.x PCI driver's common parts for test guests: find a
 * function's structures through its vendor capabilities (virtio 1.1
 * 4.1.4) over configuration mechanism #1, and bring queue 0 up (3.1.1).
 * The hypervisor's virtio-pci puts the notify structure in an I/O BAR
 * with a notify_off_multiplier of 0: one OUT notifies any queue. */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include "guest.h"

#define VIRTIO_ST_ACK 1
#define VIRTIO_ST_DRIVER 2
#define VIRTIO_ST_DRIVER_OK 4
#define VIRTIO_ST_FEATURES_OK 8
#define VIRTIO_ST_NEEDS_RESET 64

/* Descriptor flags (2.6.5) */
#define VIRTQ_F_NEXT 1
#define VIRTQ_F_WRITE 2
#define VIRTQ_F_INDIRECT 4

struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags, next;
};

/* One function on bus 0: its slot, then what virtio_find() found. */
/* The available and used rings of a split virtqueue of VQ_TEST_SIZE
 * entries (virtio 1.1 2.6.6, 2.6.8), for the test drivers. */
#define VQ_TEST_SIZE 16
struct virtq_avail16 {
	u16 flags, idx, ring[VQ_TEST_SIZE], used_event;
};
struct virtq_used16 {
	u16 flags, idx;
	struct { u32 id, len; } ring[VQ_TEST_SIZE];
	u16 avail_event;
};

struct virtio_fn {
	u8 slot;
	u64 common, isr, device; /* MMIO addresses of the structures */
	u16 notify_port;
};

u32 virtio_cfg_read32(const struct virtio_fn *v, u32 off);
u8 virtio_cfg_read8(const struct virtio_fn *v, u32 off);
void virtio_cfg_write16(const struct virtio_fn *v, u32 off, u16 val);
/* The common, notify and ISR structures (and device config if any);
 * false if one of the first three is missing. */
bool virtio_find(struct virtio_fn *v);
u8 virtio_status(const struct virtio_fn *v);
void virtio_set_status(const struct virtio_fn *v, u8 st);
/* Reset and negotiate VERSION_1 plus features_lo; false if refused. */
bool virtio_negotiate(const struct virtio_fn *v, u32 features_lo);
/* Queue q of size qsz at the given rings, enabled. */
void virtio_queue_set(const struct virtio_fn *v, u16 q, u16 qsz, u64 d, u64 a, u64 u);
/* DRIVER_OK; false if the device then says it needs a reset. */
bool virtio_driver_ok(const struct virtio_fn *v);
/* All three with queue 0 only. */
bool virtio_bring_up(const struct virtio_fn *v, u64 d, u64 a, u64 u,
		     u32 features_lo, u16 qsz);

/* The notification of queue q: the device serves it within this OUT. */
static inline void virtio_kick(const struct virtio_fn *v, u16 q)
{
	outw(v->notify_port, q);
	asm volatile("" ::: "memory");
}

#endif
