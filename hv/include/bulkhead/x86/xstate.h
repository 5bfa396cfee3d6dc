/* A vCPU's register files that VMRUN and VMLOAD/VMSAVE leave alone (APM
 * vol. 2 15.5.1, 15.5.2): the XSAVE-managed state (x87, SSE, AVX, ...),
 * XCR0 and DR0-DR3. Each vCPU has its own copy; a physical CPU loads one
 * only when it changes from one vCPU to another (docs/vcpu-state.md). */
#ifndef BULKHEAD_X86_XSTATE_H
#define BULKHEAD_X86_XSTATE_H

#include <bulkhead/types.h>

/* XCR0 / XSAVE state components (SDM vol. 1 13.1, 13.3) */
#define XFEATURE_X87       (1ULL << 0)
#define XFEATURE_SSE       (1ULL << 1)
#define XFEATURE_YMM       (1ULL << 2)
#define XFEATURE_BNDREGS   (1ULL << 3)
#define XFEATURE_BNDCSR    (1ULL << 4)
#define XFEATURE_OPMASK    (1ULL << 5)
#define XFEATURE_ZMM_HI256 (1ULL << 6)
#define XFEATURE_HI16_ZMM  (1ULL << 7)
#define XFEATURE_PKRU      (1ULL << 9)
#define XFEATURE_AVX512    (XFEATURE_OPMASK | XFEATURE_ZMM_HI256 | XFEATURE_HI16_ZMM)

#define X86_CR4_OSFXSR     (1ULL << 9)
#define X86_CR4_OSXMMEXCPT (1ULL << 10)
#define X86_CR4_OSXSAVE    (1ULL << 18)
#define X86_CR4_PKE        (1ULL << 22)

/* The XSAVE area's legacy region and header (SDM vol. 1 13.4). */
#define XSAVE_LEGACY_SIZE  512U
#define XSAVE_HDR_SIZE     64U
#define XSAVE_FCW_OFFSET   0U
#define XSAVE_MXCSR_OFFSET 24U
#define XSAVE_XSTATE_BV    512U
#define XSAVE_XCOMP_BV     520U
#define XCOMP_BV_COMPACTED (1ULL << 63)

/* Per vCPU (a field of struct vcpu). */
struct vcpu_xstate {
	u8 *area;   /* XSAVE area, page aligned (XSAVE wants 64 bytes) */
	u64 xcr0;   /* the guest's XCR0, loaded before each VMRUN */
	u64 dr[4];  /* DR0-DR3 */
};

/* Per physical CPU: what its registers hold. Between exits XCR0 holds the
 * owner's value; only xstate_switch changes the owner. */
struct xstate_cpu {
	struct vcpu_xstate *owner; /* whose state is loaded; NULL: nobody's */
	u64 xcr0;                  /* what XCR0 holds now */
};

/* The XCR0 components offered to guests (CPUID 0xD, XSETBV): those this
 * hypervisor switches, less PKRU. */
u64 xstate_offered(void);

/* Once per physical CPU before it runs a vCPU: requires XSAVE, sets
 * CR4.OSXSAVE, clears CR0.TS/EM, sets XCR0 to every switched component and
 * picks the save instruction. */
bool xstate_cpu_init(const char **err);
/* Allocates the vCPU's XSAVE area and puts it in the reset state. */
bool xstate_vcpu_init(struct vcpu_xstate *x, const char **err);
/* Gives the area back. x must be on no CPU (xstate_release). */
void xstate_vcpu_destroy(struct vcpu_xstate *x);
/* The state a new or reset vCPU starts with: FCW 0x37F (FNINIT's; the
 * power-up value is 0x0040, SDM vol. 3 table 10-1, but firmware runs FNINIT
 * before any kernel), MXCSR 0x1F80, all else zero, XCR0 = 1, DR0-DR3 = 0. */
void xstate_vcpu_reset(struct vcpu_xstate *x);
/* Saves the owner's state (if any) to its area and loads x's, XCR0 last.
 * False if the CPU refused x's area: x is then in its reset state and its
 * own state is lost. */
bool xstate_switch(struct xstate_cpu *cpu, struct vcpu_xstate *x);
/* Before entering the guest of x on this CPU: nothing to do if x's state
 * is already in the registers, the common case of an exit handled and
 * re-entered on the same vCPU. False as for xstate_switch. */
bool __must_check xstate_enter(struct vcpu_xstate *x);
/* This CPU puts its vCPU down (the scheduler may run it elsewhere next):
 * the owner's state goes back to its area, and the CPU owns none. */
void xstate_release(void);
struct vcpu;
struct vm_exit;
/* The exit a backend returns instead of entering the guest when
 * xstate_enter failed: invalid guest state, which stops that VM only. */
void xstate_lost_exit(struct vcpu *v, struct vm_exit *exit);
/* A new XCR0 for x (already checked): loaded now if x is this CPU's owner,
 * else at its next switch. */
void xstate_set_xcr0(struct vcpu_xstate *x, u64 xcr0);

/* The guest's XCR0: read from the CPU while x is its owner (a CPU that
 * ignores the XSETBV intercept lets the guest change it without an exit). */
u64 xstate_xcr0(struct vcpu_xstate *x);

/* XSETBV's checks (x86/xcr0_check.c, pure). A value for XCR0 is valid if
 * x87 is set, YMM only with SSE, the two MPX bits and the three AVX-512
 * bits all or none (AVX-512 only with YMM), and nothing is set that is not
 * offered (SDM vol. 1 13.3). */
enum xsetbv_result { XSETBV_OK, XSETBV_UD, XSETBV_GP };
bool xcr0_valid(u64 xcr0, u64 offered);
enum xsetbv_result xsetbv_check(u64 cr4, u8 cpl, u32 index, u64 val, u64 offered);
/* Bytes of an XSAVE area holding the components in mask, standard or
 * compacted format (CPUID 0xD.0 EBX, 0xD.1 EBX). */
u32 xstate_size(u64 mask, bool compacted);

#endif
