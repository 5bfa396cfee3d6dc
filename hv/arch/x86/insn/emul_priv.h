/* Helpers shared by emulate.c and fetch.c; not an interface. */
#ifndef BULKHEAD_X86_INSN_EMUL_PRIV_H
#define BULKHEAD_X86_INSN_EMUL_PRIV_H

#include <bulkhead/types.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/insn_emul.h>

static inline u64 emul_reg(const struct x86_emul *em, enum x86_reg reg)
{
	return em->ops->read_reg(em->ctx, reg);
}

/* CR0/2/3/4, EFER or CPL: from the snapshot when there is one. */
static inline u64 emul_ctl(const struct x86_emul *em, enum x86_reg reg)
{
	u64 val;

	if (em->state && x86_cpu_state_reg(em->state, reg, &val))
		return val;
	return emul_reg(em, reg);
}

static inline void emul_seg(const struct x86_emul *em, enum x86_seg seg, struct x86_segment *out)
{
	if (em->state && (unsigned)seg < X86_SEG_COUNT)
		x86_seg_unpack(&em->state->seg[seg], out);
	else
		em->ops->read_seg(em->ctx, seg, out);
}

static inline u64 emul_size_mask(u32 size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8U * size)) - 1U;
}

/* The walker for the vCPU's current paging state. */
static inline void emul_walker(const struct x86_emul *em, struct x86_walker *w)
{
	memset(w, 0, sizeof(*w));
	w->read = em->ops->gpa_read;
	w->ctx = em->ctx;
	w->cr0 = emul_ctl(em, X86_REG_CR0);
	w->cr3 = emul_ctl(em, X86_REG_CR3);
	w->cr4 = emul_ctl(em, X86_REG_CR4);
	w->efer = emul_ctl(em, X86_REG_EFER);
	w->rflags = emul_reg(em, X86_REG_RFLAGS);
	w->maxphyaddr = em->maxphyaddr;
}

static inline bool emul_user(const struct x86_emul *em)
{
	return (emul_ctl(em, X86_REG_CPL) & 3U) == 3U;
}

static inline enum x86_emul_result emul_fault(struct x86_fault *f, u8 vector,
					      bool has_error, u32 ec, u64 cr2)
{
	f->vector = vector;
	f->has_error = has_error;
	f->error_code = ec;
	f->cr2 = cr2;
	return X86_EMUL_GUEST_FAULT;
}

#endif
