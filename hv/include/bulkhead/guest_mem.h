/* Guest RAM of one VM: host pages taken from the hypervisor's pool, and the
 * only way device code touches them (gpa_copy_from / gpa_copy_to). No raw
 * host pointer into guest memory leaves hv/core/guest_mem.c. */
#ifndef BULKHEAD_GUEST_MEM_H
#define BULKHEAD_GUEST_MEM_H

#include <bulkhead/types.h>

#define GUEST_MEM_MAX_CHUNKS 64
/* RAM stays below the device window (test device at 3.25 GiB, APIC above). */
#define GUEST_MEM_MAX_SIZE (3ULL << 30)

struct guest_chunk {
	u64 gpa, hpa, size; /* 2 MiB aligned */
};

struct guest_mem {
	struct guest_chunk c[GUEST_MEM_MAX_CHUNKS];
	unsigned n;
	u64 size; /* RAM is guest-physical [0, size) */
};

enum gm_result {
	GM_OK = 0,
	GM_HOLE,     /* some of the range is not guest RAM */
	GM_OVERFLOW, /* gpa + len wraps */
};

/* Host memory backing guest pages (a pure-logic interface, so the same code
 * runs against a host buffer in unit tests). */
struct guest_mem_host {
	u64 (*alloc_2m)(void *ctx);            /* a zeroed, 2 MiB aligned block */
	void (*free_2m)(void *ctx, u64 hpa);
	void *(*ptr)(void *ctx, u64 hpa);      /* host pointer for hpa */
	void *ctx;
};

bool __must_check guest_mem_alloc(struct guest_mem *gm, const struct guest_mem_host *h,
				  u64 size);
void guest_mem_free(struct guest_mem *gm, const struct guest_mem_host *h);
/* Host physical address backing gpa, if it is RAM. */
bool guest_mem_hpa(const struct guest_mem *gm, u64 gpa, u64 *hpa);

enum gm_result __must_check gpa_copy_from(const struct guest_mem *gm,
					  const struct guest_mem_host *h,
					  void *dst, u64 gpa, u64 len);
enum gm_result __must_check gpa_copy_to(const struct guest_mem *gm,
					const struct guest_mem_host *h,
					u64 gpa, const void *src, u64 len);
enum gm_result __must_check gpa_fill(const struct guest_mem *gm,
				     const struct guest_mem_host *h,
				     u64 gpa, u8 byte, u64 len);

#endif
