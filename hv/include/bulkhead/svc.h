/* The hypervisor's side of the service VM's request ring
 * (public/svc_ring.h): posting requests into the shared memory and taking
 * the daemon's answers, trusting none of them. Pure logic over a memory
 * block (hv/dev/svc/svc_ring.c), so the same file compiles into a unit test
 * and a fuzz target. The caller serializes calls on one ring. */
#ifndef BULKHEAD_SVC_H
#define BULKHEAD_SVC_H

#include <bulkhead/types.h>
#include <public/svc_ring.h>

/* How a request ended, as its completion is told. */
enum svc_result {
	SVC_DONE_OK,       /* answered OK with the right length */
	SVC_DONE_IOERR,    /* answered IOERR */
	SVC_DONE_UNSUPP,   /* answered UNSUPP */
	SVC_DONE_BAD,      /* answered with a bad status or length */
	SVC_DONE_ABORTED,  /* ring broken or service VM gone: not answered */
};

/* Called once per posted request, with its slot's data (the READ data
 * when ok) and the ctx given at post; the slot is free again on return. */
typedef void (*svc_complete_fn)(void *ctx, const u8 *data, u32 len, enum svc_result res);

struct svc_pending {
	bool busy;
	u64 id;
	u32 op;
	u32 len;          /* bytes the answer must name */
	void *ctx;
	svc_complete_fn complete;
};

struct svc_ring {
	u8 *mem;          /* SVC_RING_BYTES of shared memory */
	u32 req_prod;     /* our copies: the shared ones are only written */
	u32 rsp_cons;
	u32 gen;          /* ids of earlier rings never match: gen << 8 | slot */
	u32 nr_disks;
	bool broken;
	const char *why;  /* the reason it broke, for the log */
	u32 bad_answers;  /* answers refused (unknown id, status, length) */
	struct svc_pending pend[SVC_RING_ENTRIES];
};

/* Fresh ring over mem (header written, indexes zero, no request
 * outstanding); gen tells this ring's ids apart from an earlier one's. */
void svc_ring_init(struct svc_ring *r, void *mem, u32 gen);
/* Adds a disk to the header's table; false when full. */
bool __must_check svc_ring_add_disk(struct svc_ring *r, const char *name, u64 sectors);

/* A free slot for a request, its data area in *data (SVC_SLOT_BYTES);
 * -1 when none is free, the request ring is full or the ring is broken. */
int svc_ring_claim(struct svc_ring *r, u8 **data);
/* Posts the claimed slot's request; the caller fills a WRITE's data first.
 * @pre slot came from svc_ring_claim, nr_sectors * 512 <= SVC_SLOT_BYTES. */
void svc_ring_post(struct svc_ring *r, int slot, const struct svc_req *req,
		   svc_complete_fn complete, void *ctx);
/* Gives back a claimed slot that was not posted. */
void svc_ring_unclaim(struct svc_ring *r, int slot);

/* Takes the daemon's answers: completes each request that one names
 * correctly, fails each that one names wrongly, ignores those naming
 * none; breaks the ring (and aborts all) on a bad index. Returns the
 * number of answers taken. */
u32 svc_ring_poll(struct svc_ring *r);
/* Completes every outstanding request with SVC_DONE_ABORTED and breaks
 * the ring (the service VM stopped or the ring is bad); why is logged. */
void svc_ring_abort(struct svc_ring *r, const char *why);
/* The state the daemon gave disk (enum svc_disk_state), read once;
 * SVC_DISK_BAD_STATE for a value out of range, PENDING for an index past
 * the table. */
#define SVC_DISK_BAD_STATE (SVC_DISK_STATE_MAX + 1U)
u32 svc_ring_disk_state(struct svc_ring *r, u32 disk);
/* The words for a disk state in a log line or a VM's stop reason. */
const char *svc_disk_state_why(u32 state);
/* Outstanding requests. */
u32 svc_ring_busy(const struct svc_ring *r);

/* The one ring of the machine (hv/dev/svc/svc_dev.c): NULL until the
 * service VM's ring device is created. Its requests' completions run under
 * the hypervisor's one lock, like every exit. */
struct svc_ring *svc_ring_live(void);
/* The service VM's ring device exists (its VM is built), whether or not
 * its ring works. */
bool svc_service_up(void);
/* Tells the service VM that requests are waiting (its ring device's
 * INTx). */
void svc_ring_kick(void);
/* [gpa, gpa + size) -> hpa is the ring's memory mapped at the service VM
 * vm's BAR 2 (the isolation check's question). */
struct vm;
bool svc_ring_mapping_own(const struct vm *vm, u64 gpa, u64 hpa, u64 size);
/* The index requests for disk name carry (the same for the same name and
 * size, across rings); -1 for a bad name, a size other than the one the
 * name was registered with, or no room. */
int svc_disk_register(const char *name, u64 sectors);

/* The state the current ring's daemon gave disk (enum svc_disk_state:
 * PENDING until it says, and again after the service VM's reset), and
 * its name in the table. */
u32 svc_disk_state(u32 disk);
const char *svc_disk_name(u32 disk);

struct blk_backend;
struct dev_host;
struct vm_disk;
/* The block back end of a disk served by the service VM
 * (hv/dev/svc/svc_blk.c); false with *err when there is no room. */
bool __must_check svc_blk_open(struct dev_host *h, const struct vm_disk *d, unsigned index,
			       struct blk_backend *out, const char **err);
/* The daemon gave disk its final state on this ring: a VM waiting for it
 * runs once all its disks are READY, and stops with the reason if one is
 * anything else (svc_blk.c). */
void svc_blk_disk_settled(u32 disk, u32 state);
/* The service VM's ring device was just built or torn down
 * (svc_service_up() says which): VMs waiting for their disks say what they
 * wait on (svc_blk.c). */
void svc_blk_service_changed(const char *svc);

#endif
