/* Guest page-table walker, linear (gva) -> guest-physical (hv/arch/x86/insn/
 * walk.c), for every paging mode: none, 32-bit (4 MiB PSE pages), PAE,
 * 4-level and 5-level (SDM vol 3 chapter 4, APM vol 2 chapter 5). Entries
 * are read only through a callback; a walk has at most 5 levels. */
#ifndef BULKHEAD_X86_GUEST_WALK_H
#define BULKHEAD_X86_GUEST_WALK_H

#include <bulkhead/types.h>
#include <bulkhead/x86/insn.h>

/* Result of a guest-physical access callback. */
enum x86_access_result {
	X86_ACCESS_OK = 0,
	X86_ACCESS_UNMAPPED, /* not guest RAM: for RAM callbacks, try MMIO */
	X86_ACCESS_ERROR,    /* refused: outside the VM, device error, ... */
};

/* Copies len bytes of guest RAM at gpa (gpa_copy_from in the core). */
typedef enum x86_access_result x86_gpa_read_fn(void *ctx, u64 gpa, void *buf,
					      size_t len);
typedef enum x86_access_result x86_gpa_write_fn(void *ctx, u64 gpa,
					       const void *buf, size_t len);

/* Paging state of the vCPU, copied by the caller from its accessor. */
struct x86_walker {
	x86_gpa_read_fn *read;
	void *ctx;
	u64 cr0, cr3, cr4, efer;
	u64 rflags;    /* AC, for SMAP */
	u8 maxphyaddr; /* guest CPUID 8000_0008h EAX[7:0]; 0 means 52 */
};

/* Access kinds; bit values match the #PF error code (SDM vol 3 4.7). */
#define X86_WALK_WRITE 0x02U
#define X86_WALK_USER  0x04U /* CPL 3 access */
#define X86_WALK_FETCH 0x10U

/* #PF error code bits. */
#define X86_PF_P    0x01U
#define X86_PF_W    0x02U
#define X86_PF_U    0x04U
#define X86_PF_RSVD 0x08U
#define X86_PF_I    0x10U

#define X86_CR0_PE  (1ULL << 0)
#define X86_CR0_WP  (1ULL << 16)
#define X86_CR0_PG  (1ULL << 31)
#define X86_CR4_PSE (1ULL << 4)
#define X86_CR4_PAE (1ULL << 5)
#define X86_CR4_LA57 (1ULL << 12)
#define X86_CR4_SMEP (1ULL << 20)
#define X86_CR4_SMAP (1ULL << 21)
#define X86_EFER_LME (1ULL << 8)
#define X86_EFER_LMA (1ULL << 10)
#define X86_EFER_NXE (1ULL << 11)
#define X86_RFLAGS_AC (1ULL << 18)

enum x86_walk_result {
	X86_WALK_OK = 0,
	X86_WALK_PAGE_FAULT,   /* inject #PF(*pf_error), CR2 = gva */
	X86_WALK_NONCANONICAL, /* inject #GP(0) (or #SS(0) for SS accesses) */
	X86_WALK_BAD_GPA,      /* a table is not guest RAM: stop the VM */
};

/* Translates gva for an access of kind `access` (X86_WALK_*). On
 * X86_WALK_PAGE_FAULT, *pf_error holds the #PF error code. Accessed/dirty
 * bits are not set (see docs/insn-decoder.md). */
__must_check enum x86_walk_result x86_walk_gva(const struct x86_walker *w,
					       u64 gva, u32 access, u64 *gpa,
					       u32 *pf_error);

/* Up to 15 instruction bytes at linear address la. */
struct x86_fetch {
	u8 bytes[X86_INSN_MAX_LEN];
	u8 len;          /* bytes fetched, >= 1 on X86_WALK_OK */
	bool tail_fault; /* the next page faulted: bytes[len..] unavailable */
	u32 tail_pf_error;
	u64 tail_addr;   /* CR2 for the tail fault */
};

/* Fetches from la up to 15 bytes, across a page boundary if needed. A
 * fault on the first page is returned; a fault on the second page only
 * truncates the fetch (tail_fault), since the instruction may end before
 * it: decode, and inject the tail fault only on X86_DECODE_TRUNCATED. */
__must_check enum x86_walk_result x86_walk_fetch_insn(const struct x86_walker *w,
						      u64 la, bool user,
						      struct x86_fetch *f,
						      u32 *pf_error);

#endif
