/* MMIO instruction emulator (hv/arch/x86/insn/emulate.c, flags.c, fetch.c).
 *
 * Vendor neutral: all vCPU state goes through the accessors in struct
 * x86_emul_ops, never through VMCB/VMCS fields; guest memory through
 * guest-physical callbacks. Typical MMIO exit (nested page fault on a
 * device page):
 *
 *   struct x86_emul em = { .ops = &vcpu_emul_ops, .ctx = vcpu, .maxphyaddr = 48 };
 *   r = x86_emul_fetch(&em, &insn, &fault);          fetch CS:RIP + decode
 *   if (r == X86_EMUL_OK) r = x86_emul_mmio(&em, &insn, gpa, &fault);
 *   X86_EMUL_GUEST_FAULT -> inject fault; others -> see enum below.
 */
#ifndef BULKHEAD_X86_INSN_EMUL_H
#define BULKHEAD_X86_INSN_EMUL_H

#include <bulkhead/types.h>
#include <bulkhead/x86/insn.h>
#include <bulkhead/x86/guest_walk.h>

/* A segment register's hidden part, in neutral form. */
struct x86_segment {
	u64 base;
	u32 limit;
	u8 type; /* descriptor type field, 4 bits */
	u8 dpl;
	bool s, present, db, l, g;
};

/* A segment register as captured at an exit. attr holds the descriptor's
 * attribute bits packed as the architecture defines them, not any vendor's
 * field: bits 7:0 = descriptor bits 47:40 (type, S, DPL, P), bits 11:8 =
 * descriptor bits 55:52 (AVL, L, D/B, G) (SDM vol. 3 3.4.5, APM vol. 2
 * 4.7/4.8). */
struct x86_seg_state {
	u16 sel;
	u16 attr;
	u32 limit;
	u64 base;
};

/* A vCPU's control state at an exit, in neutral form: the hypervisor's exit
 * snapshot (vm_exit.h). The paging mode follows from CR0.PG, CR4.PAE/LA57
 * and EFER.LMA (x86_walk_gva). */
struct x86_cpu_state {
	u64 cr0, cr2, cr3, cr4;
	u64 efer; /* as the guest sees it */
	u8 cpl;
	struct x86_seg_state seg[X86_SEG_COUNT]; /* enum x86_seg order */
};

/* CR0/2/3/4, EFER or CPL from the state into *val; false for any other
 * register (those are live, not part of the snapshot). */
static inline bool x86_cpu_state_reg(const struct x86_cpu_state *s, enum x86_reg reg, u64 *val)
{
	switch (reg) {
	case X86_REG_CR0: *val = s->cr0; return true;
	case X86_REG_CR2: *val = s->cr2; return true;
	case X86_REG_CR3: *val = s->cr3; return true;
	case X86_REG_CR4: *val = s->cr4; return true;
	case X86_REG_EFER: *val = s->efer; return true;
	case X86_REG_CPL: *val = s->cpl; return true;
	default: return false;
	}
}

static inline void x86_seg_unpack(const struct x86_seg_state *in, struct x86_segment *out)
{
	u16 a = in->attr;

	*out = (struct x86_segment){
		.base = in->base, .limit = in->limit, .type = (u8)(a & 0xf),
		.s = (a >> 4) & 1, .dpl = (u8)((a >> 5) & 3), .present = (a >> 7) & 1,
		.l = (a >> 9) & 1, .db = (a >> 10) & 1, .g = (a >> 11) & 1,
	};
}

typedef u64 x86_read_reg_fn(void *ctx, enum x86_reg reg);
typedef void x86_write_reg_fn(void *ctx, enum x86_reg reg, u64 val);
typedef void x86_read_seg_fn(void *ctx, enum x86_seg seg, struct x86_segment *out);
/* MMIO access of size 1, 2, 4 or 8 bytes through the VM's device bus. */
typedef enum x86_access_result x86_mmio_read_fn(void *ctx, u64 gpa, u32 size,
					       u64 *val);
typedef enum x86_access_result x86_mmio_write_fn(void *ctx, u64 gpa, u32 size,
						u64 val);

struct x86_emul_ops {
	x86_read_reg_fn *read_reg;   /* GPRs, RIP, RFLAGS, CR0/2/3/4, EFER, CPL */
	x86_write_reg_fn *write_reg; /* GPRs, RIP, RFLAGS: full 64-bit values */
	x86_read_seg_fn *read_seg;
	x86_mmio_read_fn *mmio_read;
	x86_mmio_write_fn *mmio_write;
	/* Guest RAM (gpa_copy_from/to); X86_ACCESS_UNMAPPED for non-RAM
	 * addresses makes MOVS/STOS use mmio_read/mmio_write instead. Also
	 * used to read guest page tables and instruction bytes. */
	x86_gpa_read_fn *gpa_read;
	x86_gpa_write_fn *gpa_write;
};

struct x86_emul {
	const struct x86_emul_ops *ops;
	void *ctx;
	u8 maxphyaddr; /* guest CPUID 8000_0008h EAX[7:0]; 0 means 52 */
	/* Optional: CR0/2/3/4, EFER, CPL and the segments read here directly
	 * instead of through read_reg/read_seg (the exit snapshot). */
	const struct x86_cpu_state *state;
};

enum x86_emul_result {
	X86_EMUL_OK = 0,      /* done: RIP advanced, or kept for the next REP round */
	X86_EMUL_UNHANDLED,   /* instruction or form not emulated: stop the VM */
	X86_EMUL_GUEST_FAULT, /* inject *fault (then resume the guest) */
	X86_EMUL_BAD_ACCESS,  /* callback refused, split MMIO access, page
			       * tables or code outside RAM: stop the VM */
	X86_EMUL_RETRY,       /* the instruction no longer matches the faulting
			       * address (rewritten by another vCPU): resume
			       * the guest unchanged, it will fault again */
};

#define X86_EXC_DB 1U
#define X86_EXC_UD 6U
#define X86_EXC_SS 12U
#define X86_EXC_GP 13U
#define X86_EXC_PF 14U

struct x86_fault {
	u8 vector;       /* X86_EXC_* */
	bool has_error;  /* error_code is pushed */
	u32 error_code;
	u64 cr2;         /* #PF: faulting linear address */
};

#define X86_RFLAGS_CF (1ULL << 0)
#define X86_RFLAGS_PF (1ULL << 2)
#define X86_RFLAGS_AF (1ULL << 4)
#define X86_RFLAGS_TF (1ULL << 8)
#define X86_RFLAGS_ZF (1ULL << 6)
#define X86_RFLAGS_SF (1ULL << 7)
#define X86_RFLAGS_DF (1ULL << 10)
#define X86_RFLAGS_OF (1ULL << 11)
#define X86_RFLAGS_VM (1ULL << 17)
#define X86_RFLAGS_ARITH (X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | \
			  X86_RFLAGS_ZF | X86_RFLAGS_SF | X86_RFLAGS_OF)

/* DR6.BS: the #DB came from the single-step trap (SDM vol. 3 17.2.3). */
#define X86_DR6_BS (1ULL << 14)

/* The decoding mode from CR0.PE, RFLAGS.VM, EFER.LMA and CS.L/CS.D. */
enum x86_mode x86_emul_mode(const struct x86_emul *em);

/* Fetches the instruction at CS:RIP through the guest page tables and
 * decodes it. GUEST_FAULT for #PF on the fetch, #GP for > 15 bytes, #UD for
 * a #UD encoding; UNHANDLED for an unknown opcode. */
__must_check enum x86_emul_result x86_emul_fetch(const struct x86_emul *em,
						 struct x86_insn *insn,
						 struct x86_fault *fault);

/* Performs insn, whose memory operand faulted at guest-physical gpa (the
 * NPF/EPT-violation address; only its page is used when page-aligned).
 * MOVS/STOS do one iteration per call: RIP stays until rCX reaches 0. */
__must_check enum x86_emul_result x86_emul_mmio(const struct x86_emul *em,
						const struct x86_insn *insn,
						u64 gpa, struct x86_fault *fault);

/* Reads or writes size (1..8) bytes at linear address la through the guest
 * page tables, each page on its own: guest RAM, or MMIO (in aligned pieces
 * when the access crosses a page). GUEST_FAULT for #PF/#GP on the walk,
 * BAD_ACCESS if a page is neither RAM nor MMIO or a callback refused. */
__must_check enum x86_emul_result x86_emul_virt(const struct x86_emul *em, u64 la, u32 size,
						bool write, u64 *val, struct x86_fault *fault);

/* True if condition code cc (the low nibble of Jcc/SETcc/CMOVcc) holds
 * for rflags (SDM vol 1 appendix B). */
bool x86_cond(u8 cc, u64 rflags);

/* RIP += insn->len, wrapped to the mode's IP width (exit paths: CPUID...). */
void x86_emul_advance_rip(const struct x86_emul *em, const struct x86_insn *insn);

/* The ALU operation op (ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST) on
 * size-byte operands: returns the result and updates CF/PF/AF/ZF/SF/OF in
 * *rflags as the hardware does (SDM vol 1 appendix A). */
u64 x86_alu_exec(enum x86_op op, u8 size, u64 dst, u64 src, u64 *rflags);

#endif
