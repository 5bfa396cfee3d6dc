/* Fetch and decode the guest instruction at CS:RIP (no decode assist or
 * NRIP save under QEMU TCG), and advance RIP past it. */
#include <bulkhead/types.h>
#include <bulkhead/x86/insn_emul.h>
#include "emul_priv.h"

enum x86_mode x86_emul_mode(const struct x86_emul *em)
{
	struct x86_segment cs;

	if (!(emul_ctl(em, X86_REG_CR0) & X86_CR0_PE) ||
	    (emul_reg(em, X86_REG_RFLAGS) & X86_RFLAGS_VM))
		return X86_MODE_16;
	emul_seg(em, X86_SEG_CS, &cs);
	if ((emul_ctl(em, X86_REG_EFER) & X86_EFER_LMA) && cs.l)
		return X86_MODE_64;
	return cs.db ? X86_MODE_32 : X86_MODE_16;
}

static u64 ip_mask(u8 mode)
{
	return mode == X86_MODE_64 ? ~0ULL : mode == X86_MODE_32 ? 0xffffffffULL : 0xffffULL;
}

void x86_emul_advance_rip(const struct x86_emul *em, const struct x86_insn *insn)
{
	u64 rip = emul_reg(em, X86_REG_RIP);

	em->ops->write_reg(em->ctx, X86_REG_RIP, (rip + insn->len) & ip_mask(insn->mode));
}

/* Decode errors that the hardware would turn into an exception. */
static enum x86_emul_result fetch_decode_error(enum x86_decode_result d,
					       const struct x86_fetch *f,
					       struct x86_fault *fault)
{
	switch (d) {
	case X86_DECODE_TRUNCATED:
		if (f->tail_fault)
			return emul_fault(fault, X86_EXC_PF, true, f->tail_pf_error,
					  f->tail_addr);
		return X86_EMUL_UNHANDLED;
	case X86_DECODE_TOO_LONG:
		return emul_fault(fault, X86_EXC_GP, true, 0, 0);
	case X86_DECODE_BAD_MODRM:
	case X86_DECODE_BAD_LOCK:
		return emul_fault(fault, X86_EXC_UD, false, 0, 0);
	default:
		return X86_EMUL_UNHANDLED;
	}
}

enum x86_emul_result x86_emul_fetch(const struct x86_emul *em,
				    struct x86_insn *insn, struct x86_fault *fault)
{
	enum x86_mode mode = x86_emul_mode(em);
	struct x86_segment cs;
	struct x86_walker w;
	struct x86_fetch f;
	enum x86_decode_result d;
	u64 rip = emul_reg(em, X86_REG_RIP), la;
	u32 ec = 0;

	memset(fault, 0, sizeof(*fault));
	if (mode == X86_MODE_64) {
		la = rip; /* CS base is 0 in 64-bit mode */
	} else {
		emul_seg(em, X86_SEG_CS, &cs);
		la = (cs.base + (rip & ip_mask((u8)mode))) & 0xffffffffULL;
	}
	emul_walker(em, &w);
	switch (x86_walk_fetch_insn(&w, la, emul_user(em), &f, &ec)) {
	case X86_WALK_OK:
		break;
	case X86_WALK_PAGE_FAULT:
		return emul_fault(fault, X86_EXC_PF, true, ec, la);
	case X86_WALK_NONCANONICAL:
		return emul_fault(fault, X86_EXC_GP, true, 0, 0);
	default:
		return X86_EMUL_BAD_ACCESS;
	}
	d = x86_insn_decode(f.bytes, f.len, mode, insn);
	if (d != X86_DECODE_OK)
		return fetch_decode_error(d, &f, fault);
	return X86_EMUL_OK;
}
