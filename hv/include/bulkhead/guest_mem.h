/* Guest RAM of one VM: host pages taken from the hypervisor's pool, and the
 * only way device code touches them (gpa_copy_from / gpa_copy_to). No raw
 * host pointer into guest memory leaves hv/mm/guest_mem.c.
 *
 * Demand-zero: the host blocks are reserved when the VM is created (it can
 * never run out later), but each 2 MiB block is cleared only when it is
 * first touched, by the host's copies or by the guest's first access, which
 * the nested page table turns into a fault (guest_mem_fault_in). RAM the
 * guest never uses costs neither the clearing nor, under an outer
 * hypervisor, the outer host's first-touch work. */
#ifndef BULKHEAD_GUEST_MEM_H
#define BULKHEAD_GUEST_MEM_H

#include <bulkhead/types.h>

#define GUEST_MEM_MAX_CHUNKS 64
/* RAM stays below the device window (test device at 3.25 GiB, APIC above). */
#define GUEST_MEM_MAX_SIZE (3ULL << 30)
#define GUEST_MEM_BLOCK (2ULL << 20)
#define GUEST_MEM_MAX_BLOCKS (GUEST_MEM_MAX_SIZE / GUEST_MEM_BLOCK)

struct guest_chunk {
	u64 gpa, hpa, size; /* 2 MiB aligned */
};

struct guest_mem {
	struct guest_chunk c[GUEST_MEM_MAX_CHUNKS];
	unsigned n;
	u64 size; /* RAM is guest-physical [0, size) */
	/* per 2 MiB block: cleared since allocation (contents are the VM's) */
	u64 cleared[GUEST_MEM_MAX_BLOCKS / 64];
	/* per block: handed to the guest (mapped in the nested page table) */
	u64 mapped[GUEST_MEM_MAX_BLOCKS / 64];
};

enum gm_result {
	GM_OK = 0,
	GM_HOLE,     /* some of the range is not guest RAM */
	GM_OVERFLOW, /* gpa + len wraps */
};

/* Host memory backing guest pages (a pure-logic interface, so the same code
 * runs against a host buffer in unit tests). */
struct guest_mem_host {
	u64 (*alloc_2m)(void *ctx);            /* a 2 MiB aligned block, any contents */
	void (*free_2m)(void *ctx, u64 hpa);
	void *(*ptr)(void *ctx, u64 hpa);      /* host pointer for hpa */
	void *ctx;
};

bool __must_check guest_mem_alloc(struct guest_mem *gm, const struct guest_mem_host *h,
				  u64 size);
void guest_mem_free(struct guest_mem *gm, const struct guest_mem_host *h);
/* Host physical address backing gpa, if it is RAM. */
bool guest_mem_hpa(const struct guest_mem *gm, u64 gpa, u64 *hpa);
/* The guest touched gpa, which its nested page table does not map yet: the
 * block around it is cleared if it never was and marked mapped; the caller
 * maps [*block_gpa, + GUEST_MEM_BLOCK) to *block_hpa. False if gpa is not
 * RAM or its block is mapped already (a fault there is not a first touch). */
bool __must_check guest_mem_fault_in(struct guest_mem *gm, const struct guest_mem_host *h,
				     u64 gpa, u64 *block_gpa, u64 *block_hpa);
/* Blocks mapped for the guest, and the bytes they cover. */
u64 guest_mem_mapped_bytes(const struct guest_mem *gm);
/* Is the block holding gpa mapped (faulted in)? */
bool guest_mem_mapped(const struct guest_mem *gm, u64 gpa);
/* Every byte of RAM reads as zero again (a VM reset). Blocks that were
 * never touched stay untouched. */
void guest_mem_wipe(struct guest_mem *gm, const struct guest_mem_host *h);

/* A block read before its first write reads as zeros and stays untouched. */
enum gm_result __must_check gpa_copy_from(const struct guest_mem *gm,
					  const struct guest_mem_host *h,
					  void *dst, u64 gpa, u64 len);
enum gm_result __must_check gpa_copy_to(struct guest_mem *gm,
					const struct guest_mem_host *h,
					u64 gpa, const void *src, u64 len);
enum gm_result __must_check gpa_fill(struct guest_mem *gm,
				     const struct guest_mem_host *h,
				     u64 gpa, u8 byte, u64 len);

#endif
