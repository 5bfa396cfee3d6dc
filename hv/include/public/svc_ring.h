/* The service VM's request ring: the ABI between the hypervisor and the
 * back-end daemon in the service VM (tools/bulkhead-svcd.c). Self-standing
 * (only <stdint.h>), so the hosted daemon includes it unchanged.
 *
 * The service VM sees a PCI function "bulkhead service ring"
 * (SVC_PCI_VENDOR:SVC_PCI_DEVICE, class 0xff0000) with
 *   BAR 0, 32-bit memory, 4 KiB: registers, aligned dwords only
 *     0x00 magic   (ro)  SVC_MAGIC
 *     0x04 version (ro)  SVC_VERSION
 *     0x08 doorbell (wo) the daemon posted responses: the hypervisor reads
 *                        the response ring now
 *     0x0c ack     (wo)  deassert INTx (the daemon acks before it drains
 *                        the request ring; a daemon waiting through
 *                        uio_pci_generic then re-enables INTx in the
 *                        command register)
 *   (version 2, the control channel: hypervisor status to the fleet
 *   client, and the lock of the managed VMs of a revoked device)
 *     0x10 ctl_cmd (wo)  a command word: SVC_CTL_CMD(cmd, reason); bits
 *                        16..31 zero. SVC_CTL_LOCK locks every VM of role
 *                        work: its vCPUs are no longer scheduled (paused,
 *                        nothing lost) and it cannot be started again from
 *                        the hypervisor console until the hypervisor boots
 *                        again; locking is idempotent and there is no
 *                        unlock. Anything else is refused and counted.
 *     0x14 ctl_result (ro) enum svc_ctl_result of the last command
 *     0x18 ctl_refused (ro) commands refused since the hypervisor booted
 *     0x100.. status (ro) struct svc_hv_status. Reading its first dword (seq)
 *                        takes a fresh snapshot of every VM; read seq
 *                        first, then the rest, in aligned dwords.
 *   BAR 2, 64-bit memory, SVC_RING_BYTES: the ring (struct svc_shared),
 *     RAM of the service VM's own budget, mapped only into its nested page
 *     table (mmap /sys/bus/pci/devices/<bdf>/resource2); since version 3
 *     it also holds the frame rings of the switch's uplink (below), and a
 *     doorbell write also has the hypervisor take the in frame ring.
 *   INTx (pin A): asserted when the hypervisor posts requests (or, version
 *     3, a frame for the wire), until ack.
 *     INTx, not MSI-X, so uio_pci_generic (which masks with the command
 *     register's INTx-disable bit, PCI 3.0 6.2.2, and leaves the unmask to
 *     userspace) can wait on it: tools/bulkhead-svcd-wait.c.
 *
 * Ownership: the hypervisor writes the header, the disk table, the
 * request ring, req_prod, rsp_cons and the data slot of a WRITE before
 * posting it; the daemon writes req_cons, the response ring, rsp_prod,
 * the disk states (version 4) and the data slot of a READ before
 * answering it. Indexes are free-running u32 counters; entry i of a ring
 * is at index % SVC_RING_ENTRIES.
 *
 * The hypervisor trusts nothing the daemon writes: a response with an
 * unknown id, a status out of range or a length other than the request's
 * fails that request only (status IOERR to the guest); a producer index
 * more than SVC_RING_ENTRIES ahead of the consumer marks the ring broken,
 * fails every outstanding request, and refuses new ones until the service
 * VM resets the device. */
#ifndef BULKHEAD_PUBLIC_SVC_RING_H
#define BULKHEAD_PUBLIC_SVC_RING_H

#include <stdint.h>

#define SVC_PCI_VENDOR 0x1b36U
#define SVC_PCI_DEVICE 0x10f1U
#define SVC_MAGIC      0x56534842U /* "BHSV" in memory */
#define SVC_VERSION    4U /* 2: the control channel (ctl_*, status); 3: the frame rings;
			      4: the disk states */

/* BAR 0 registers */
#define SVC_REG_MAGIC    0x00U
#define SVC_REG_VERSION  0x04U
#define SVC_REG_DOORBELL 0x08U
#define SVC_REG_ACK      0x0cU
#define SVC_REG_CTL_CMD     0x10U
#define SVC_REG_CTL_RESULT  0x14U
#define SVC_REG_CTL_REFUSED 0x18U
#define SVC_STATUS_OFF   0x100U
#define SVC_REGS_BYTES   0x1000U

/* The control channel. A command word is cmd | reason << 8; the reason
 * says why, for the hypervisor's log. */
#define SVC_CTL_CMD(cmd, reason) ((uint32_t)(cmd) | (uint32_t)(reason) << 8)
enum svc_ctl_cmd { SVC_CTL_LOCK = 1 };
enum svc_ctl_reason {
	SVC_CTL_REVOKED = 1,       /* "device revoked" */
	SVC_CTL_LEASE_EXPIRED = 2, /* "lease expired" */
	SVC_CTL_REASON_MAX = 2,
};
enum svc_ctl_result {
	SVC_CTL_NONE = 0,       /* no command yet */
	SVC_CTL_OK = 1,         /* carried out */
	SVC_CTL_BAD_CMD = 2,    /* refused: unknown command */
	SVC_CTL_BAD_REASON = 3, /* refused: unknown reason */
	SVC_CTL_BAD_WORD = 4,   /* refused: reserved bits set */
};

/* The status area: what the hypervisor knows of itself and its VMs. */
#define SVC_STATUS_VMS  8U
#define SVC_STATUS_NAME 16U /* NUL-padded, as in the configuration */
#define SVC_STATUS_HV   32U /* NUL-padded printable ASCII */
enum svc_vm_role { SVC_ROLE_WORK = 0, SVC_ROLE_PERSONAL = 1, SVC_ROLE_DISPOSABLE = 2, SVC_ROLE_SERVICE = 3 };
enum svc_vm_state { SVC_VM_RUNNING = 0, SVC_VM_EXITED = 1, SVC_VM_STOPPED = 2, SVC_VM_OFF = 3 };

struct svc_vm_status {
	char name[SVC_STATUS_NAME];
	uint32_t role;     /* enum svc_vm_role */
	uint32_t state;    /* enum svc_vm_state */
	uint32_t locked;   /* 1: locked (then a running VM does not run) */
	uint32_t pad;
	uint64_t uptime_s; /* since its last (re)boot; 0 unless running */
};

struct svc_hv_status {
	uint32_t seq;      /* one more at every snapshot */
	uint32_t nr_vms;   /* valid entries of vms[] */
	uint32_t vm_bytes; /* sizeof(struct svc_vm_status) */
	uint32_t refused;  /* as ctl_refused */
	char hypervisor[SVC_STATUS_HV]; /* its version */
	struct svc_vm_status vms[SVC_STATUS_VMS];
};

#define SVC_RING_ENTRIES 16U            /* a power of two */
#define SVC_SLOT_BYTES   0x8000U        /* 32 KiB of data per request */
#define SVC_MAX_DISKS    16U
#define SVC_DISK_NAME    24U            /* NUL-padded */
#define SVC_REQ_OFF      0x1000U
#define SVC_RSP_OFF      0x2000U
#define SVC_DATA_OFF     0x80000U       /* slot i at SVC_DATA_OFF + i * SVC_SLOT_BYTES */
#define SVC_RING_BYTES   0x100000U      /* BAR 2: 1 MiB */

enum svc_op { SVC_OP_READ = 0, SVC_OP_WRITE = 1, SVC_OP_FLUSH = 2 };
/* A response's status; anything above SVC_ST_MAX is invalid. */
enum svc_status { SVC_ST_OK = 0, SVC_ST_IOERR = 1, SVC_ST_UNSUPP = 2, SVC_ST_MAX = 2 };

/* What the daemon says of each disk of the table (version 4), in
 * disk_state[] of the header. A VM with a disk served through the ring is
 * built but not run until the daemon says READY for each of its disks; any
 * other final state (or a value above SVC_DISK_STATE_MAX) stops it with
 * the reason, before it ran one instruction. The hypervisor takes the
 * first final state of each disk per ring (a later change is ignored) and
 * reads them when the daemon writes the doorbell. A daemon writes a disk's
 * state once it has looked at it, then rings the doorbell. */
enum svc_disk_state {
	SVC_DISK_PENDING = 0, /* not looked at yet */
	SVC_DISK_READY = 1,   /* served */
	SVC_DISK_REFUSED = 2, /* its image failed the service VM's check (corrupt, truncated, a
				 broken chain) or could not be attached */
	SVC_DISK_MISSING = 3, /* the service VM has no file of that name */
	SVC_DISK_SMALL = 4,   /* its file is smaller than the disk's size */
	SVC_DISK_STATE_MAX = 4,
};

struct svc_disk_desc {
	char name[SVC_DISK_NAME]; /* the disk's name in the configuration */
	uint64_t sectors;         /* its size in 512-byte sectors */
};

/* One request: op on nr_sectors 512-byte sectors of disk from sector,
 * data in slot's bytes [0, nr_sectors * 512). id is what the answer
 * names. */
struct svc_req {
	uint64_t id;
	uint32_t disk;
	uint32_t op;         /* enum svc_op */
	uint64_t sector;
	uint32_t nr_sectors; /* at most SVC_SLOT_BYTES / 512; 0 for FLUSH */
	uint32_t slot;       /* < SVC_RING_ENTRIES */
};

/* One answer: len is the bytes moved, nr_sectors * 512 of the request
 * for READ and WRITE (a READ's data is in its slot), 0 for FLUSH; for a
 * status other than OK, 0. */
struct svc_rsp {
	uint64_t id;
	uint32_t status;     /* enum svc_status */
	uint32_t len;
};

struct svc_hdr {
	uint32_t magic;      /* SVC_MAGIC */
	uint32_t version;    /* SVC_VERSION */
	uint32_t entries;    /* SVC_RING_ENTRIES */
	uint32_t slot_bytes; /* SVC_SLOT_BYTES */
	uint32_t nr_disks;   /* valid entries of disks[] */
	uint32_t pad0;
	uint32_t req_prod;   /* hypervisor: requests posted */
	uint32_t req_cons;   /* daemon: requests taken */
	uint32_t rsp_prod;   /* daemon: responses posted */
	uint32_t rsp_cons;   /* hypervisor: responses taken */
	uint32_t pad1[6];
	struct svc_disk_desc disks[SVC_MAX_DISKS];
	uint32_t disk_state[SVC_MAX_DISKS]; /* daemon: enum svc_disk_state (version 4) */
};

_Static_assert(sizeof(struct svc_vm_status) == 40, "svc_vm_status layout");
_Static_assert(SVC_STATUS_OFF + sizeof(struct svc_hv_status) <= SVC_REGS_BYTES, "status area fits BAR 0");
_Static_assert(sizeof(struct svc_req) == 32, "svc_req layout");
_Static_assert(sizeof(struct svc_rsp) == 16, "svc_rsp layout");
_Static_assert(sizeof(struct svc_hdr) <= SVC_REQ_OFF, "svc_hdr fits before the rings");
_Static_assert(SVC_RING_ENTRIES * sizeof(struct svc_req) <= SVC_RSP_OFF - SVC_REQ_OFF, "request ring");
_Static_assert(SVC_RSP_OFF + SVC_RING_ENTRIES * sizeof(struct svc_rsp) <= SVC_DATA_OFF, "response ring");
_Static_assert(SVC_DATA_OFF + SVC_RING_ENTRIES * SVC_SLOT_BYTES <= SVC_RING_BYTES, "data slots");

/* The frame rings (version 3): the switch's uplink port (hv/dev/svc/
 * svc_uplink.c, checked by svc_net_ring.c; docs/networking.md "Uplink").
 * Two one-way rings of Ethernet II frames (no FCS, NET_FRAME_MIN..
 * NET_FRAME_MAX bytes) in BAR 2 between the block rings and the data
 * slots, each entry with its own 2 KiB slot (entry i in slot i %
 * SVC_NET_ENTRIES):
 *   out: the hypervisor produces (frames from the VMs the switch sends to
 *        the uplink), the daemon consumes and puts them on the wire;
 *   in:  the daemon produces (frames from the wire), the hypervisor
 *        consumes and hands them to the switch as the uplink's.
 * A producer writes the slot and the entry's len, then its prod index; a
 * consumer reads len and the slot, then writes its cons index. Indexes
 * are free-running u32 counters. The hypervisor copies an in frame out of
 * the slot before the switch looks at it, drops (and counts) an in entry
 * whose len is out of range, and on a producer index more than
 * SVC_NET_ENTRIES ahead of its consumer, or a consumer index past the
 * producer, stops using that ring until the ring is laid out again. The
 * hypervisor takes in frames when the daemon writes the doorbell (after
 * posting them); a frame posted into the out ring raises INTx. */
#define SVC_NET_ENTRIES    64U      /* a power of two */
#define SVC_NET_SLOT_BYTES 0x800U   /* 2 KiB: one frame of at most 1514 bytes */
#define SVC_NET_HDR_OFF    0x3000U  /* struct svc_net_hdr */
#define SVC_NET_OUT_OFF    0x3100U  /* SVC_NET_ENTRIES struct svc_frame */
#define SVC_NET_IN_OFF     0x3400U
#define SVC_NET_OUT_SLOTS  0x40000U /* slot i at + i * SVC_NET_SLOT_BYTES */
#define SVC_NET_IN_SLOTS   0x60000U

struct svc_net_hdr {
	uint32_t entries;    /* SVC_NET_ENTRIES */
	uint32_t slot_bytes; /* SVC_NET_SLOT_BYTES */
	uint32_t out_prod;   /* hypervisor: frames posted for the wire */
	uint32_t out_cons;   /* daemon: frames taken */
	uint32_t in_prod;    /* daemon: frames from the wire posted */
	uint32_t in_cons;    /* hypervisor: frames taken */
	uint8_t mac[6];      /* reserved: zero */
	uint16_t pad;
};

struct svc_frame {
	uint32_t len;        /* bytes of the frame in the entry's slot */
	uint32_t flags;      /* 0 */
};

_Static_assert(SVC_RSP_OFF + SVC_RING_ENTRIES * sizeof(struct svc_rsp) <= SVC_NET_HDR_OFF, "frame header after the response ring");
_Static_assert(SVC_NET_HDR_OFF + sizeof(struct svc_net_hdr) <= SVC_NET_OUT_OFF, "frame header");
_Static_assert(SVC_NET_OUT_OFF + SVC_NET_ENTRIES * sizeof(struct svc_frame) <= SVC_NET_IN_OFF, "out frame ring");
_Static_assert(SVC_NET_IN_OFF + SVC_NET_ENTRIES * sizeof(struct svc_frame) <= SVC_NET_OUT_SLOTS, "in frame ring");
_Static_assert(SVC_NET_OUT_SLOTS + SVC_NET_ENTRIES * SVC_NET_SLOT_BYTES <= SVC_NET_IN_SLOTS, "out frame slots");
_Static_assert(SVC_NET_IN_SLOTS + SVC_NET_ENTRIES * SVC_NET_SLOT_BYTES <= SVC_DATA_OFF, "in frame slots");

#endif
