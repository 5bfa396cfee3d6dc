/* Performs a decoded memory-operand instruction whose access hit an
 * emulated device page. Modelled on bhyve's vmm_instruction_emul.c: all
 * vCPU state through accessors, the device through mmio_read/mmio_write.
 * The insn comes from our decoder but is re-checked before use. */
#include <bulkhead/types.h>
#include <bulkhead/x86/insn_emul.h>
#include "emul_priv.h"

static bool size_ok(u32 s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static bool opnd_ok(const struct x86_opnd *o)
{
	if (o->kind == X86_OPND_NONE)
		return true;
	if (o->kind > X86_OPND_IMM || !size_ok(o->size))
		return false;
	return o->kind != X86_OPND_REG || (o->reg < 16 && (!o->high8 || o->reg < 4));
}

/* Sanity of a struct x86_insn before any register index or size is used. */
static bool insn_ok(const struct x86_insn *insn)
{
	const struct x86_mem *m = &insn->mem;

	if (insn->len == 0 || insn->len > X86_INSN_MAX_LEN ||
	    insn->mode > X86_MODE_64 || !size_ok(insn->addrsize) ||
	    insn->addrsize == 1 || !opnd_ok(&insn->dst) || !opnd_ok(&insn->src))
		return false;
	if (m->seg >= X86_SEG_COUNT || insn->src_seg >= X86_SEG_COUNT)
		return false;
	if (m->base >= 16 && m->base != X86_REG_RIP && m->base != X86_REG_NONE)
		return false;
	if (m->index >= 16 && m->index != X86_REG_NONE)
		return false;
	return m->scale == 1 || m->scale == 2 || m->scale == 4 || m->scale == 8;
}

static u64 gpr_read(const struct x86_emul *em, const struct x86_opnd *o)
{
	u64 v = emul_reg(em, (enum x86_reg)o->reg);

	if (o->high8)
		return (v >> 8) & 0xffU;
	return v & emul_size_mask(o->size);
}

/* 8/16-bit writes keep the other bits; 32-bit writes zero-extend to 64
 * (SDM vol 1 3.4.1.1). */
static void gpr_write(const struct x86_emul *em, const struct x86_opnd *o, u64 val)
{
	u64 old = emul_reg(em, (enum x86_reg)o->reg), v;

	if (o->size == 1 && o->high8)
		v = (old & ~0xff00ULL) | ((val & 0xffU) << 8);
	else if (o->size == 1)
		v = (old & ~0xffULL) | (val & 0xffU);
	else if (o->size == 2)
		v = (old & ~0xffffULL) | (val & 0xffffU);
	else if (o->size == 4)
		v = val & 0xffffffffULL;
	else
		v = val;
	em->ops->write_reg(em->ctx, (enum x86_reg)o->reg, v);
}

/* Updates rSI/rDI/rCX under address size asz: only the low asz bytes
 * change, a 4-byte update zero-extends like any 32-bit write. */
static void addr_reg_write(const struct x86_emul *em, enum x86_reg reg, u8 asz,
			   u64 val)
{
	struct x86_opnd o = { .kind = X86_OPND_REG, .size = asz, .reg = (u8)reg };

	gpr_write(em, &o, val);
}

static u64 sign_extend(u64 v, u32 size)
{
	u32 sh = 64U - 8U * size;

	return size >= 8 ? v : (u64)((s64)(v << sh) >> sh);
}

/* Linear address of seg:ea, SDM vol 3 3.4 / APM vol 2 4.5. In 64-bit mode
 * only FS/GS have a base and the result must be canonical. Limits are not
 * checked: the hardware checked them before the nested fault. */
static enum x86_emul_result emul_linear(const struct x86_emul *em,
					const struct x86_insn *insn, u8 seg,
					u64 ea, u64 *la, struct x86_fault *fault)
{
	struct x86_segment s;

	ea &= emul_size_mask(insn->addrsize);
	if (insn->mode != X86_MODE_64 || seg == X86_SEG_FS || seg == X86_SEG_GS) {
		em->ops->read_seg(em->ctx, (enum x86_seg)seg, &s);
		*la = s.base + ea;
	} else {
		*la = ea;
	}
	if (insn->mode != X86_MODE_64) {
		*la &= 0xffffffffULL;
		return X86_EMUL_OK;
	}
	u32 bits = (emul_reg(em, X86_REG_CR4) & X86_CR4_LA57) ? 57U : 48U;
	s64 sx = (s64)(*la << (64U - bits)) >> (64U - bits);
	if ((u64)sx != *la)
		return emul_fault(fault, seg == X86_SEG_SS ? X86_EXC_SS : X86_EXC_GP,
				  true, 0, 0);
	return X86_EMUL_OK;
}

/* base + index * scale + disp; RIP-relative counts from the next insn. */
static u64 emul_ea(const struct x86_emul *em, const struct x86_insn *insn)
{
	const struct x86_mem *m = &insn->mem;
	u64 ea = (u64)m->disp;

	if (m->base == X86_REG_RIP)
		ea += emul_reg(em, X86_REG_RIP) + insn->len;
	else if (m->base != X86_REG_NONE)
		ea += emul_reg(em, (enum x86_reg)m->base);
	if (m->index != X86_REG_NONE)
		ea += emul_reg(em, (enum x86_reg)m->index) * m->scale;
	return ea;
}

static enum x86_emul_result walk_fault(enum x86_walk_result r, u32 ec, u64 la,
				       struct x86_fault *fault)
{
	if (r == X86_WALK_PAGE_FAULT)
		return emul_fault(fault, X86_EXC_PF, true, ec, la);
	if (r == X86_WALK_NONCANONICAL)
		return emul_fault(fault, X86_EXC_GP, true, 0, 0);
	return X86_EMUL_BAD_ACCESS;
}

/* Reads or writes size bytes at linear la through the guest page tables:
 * guest RAM via gpa_read/gpa_write, else (whole access on one page) MMIO.
 * Used for both sides of MOVS/STOS. */
static enum x86_emul_result emul_virt(const struct x86_emul *em, u64 la, u32 size,
				      bool write, u64 *val, struct x86_fault *fault)
{
	u32 access = (write ? X86_WALK_WRITE : 0U) |
		     (emul_user(em) ? X86_WALK_USER : 0U);
	u32 first = (u32)MIN((u64)size, PAGE_SIZE - (la & (PAGE_SIZE - 1U)));
	u64 gpa[2] = { 0, 0 }, lin[2] = { la, la + first };
	struct x86_walker w;
	enum x86_walk_result r;
	enum x86_access_result a;
	u32 ec, pieces = first < size ? 2U : 1U;

	emul_walker(em, &w);
	for (u32 i = 0; i < pieces; i++) {
		r = x86_walk_gva(&w, lin[i], access, &gpa[i], &ec);
		if (r != X86_WALK_OK)
			return walk_fault(r, ec, lin[i], fault);
	}
	u8 *buf = (u8 *)val;
	for (u32 i = 0, off = 0; i < pieces; i++) {
		u32 len = i == 0 ? first : size - first;
		a = write ? em->ops->gpa_write(em->ctx, gpa[i], buf + off, len)
			  : em->ops->gpa_read(em->ctx, gpa[i], buf + off, len);
		if (a == X86_ACCESS_UNMAPPED && pieces == 1)
			a = write ? em->ops->mmio_write(em->ctx, gpa[0], size, *val)
				  : em->ops->mmio_read(em->ctx, gpa[0], size, val);
		if (a != X86_ACCESS_OK)
			return X86_EMUL_BAD_ACCESS;
		off += len;
	}
	return X86_EMUL_OK;
}

/* One iteration of MOVS/STOS (SDM vol 2 MOVS, STOS, REP). With REP the
 * guest's RIP is left on the instruction until rCX reaches 0, so the
 * hardware re-executes it (and takes pending interrupts) between rounds. */
static enum x86_emul_result emul_string(const struct x86_emul *em,
					const struct x86_insn *insn,
					struct x86_fault *fault)
{
	u8 asz = insn->addrsize, size = insn->dst.size;
	u64 amask = emul_size_mask(asz), count = 0, val = 0, dla, sla;
	bool rep = x86_insn_is_rep(insn);
	enum x86_emul_result r;

	if (rep) {
		count = emul_reg(em, X86_REG_RCX) & amask;
		if (count == 0) {
			x86_emul_advance_rip(em, insn);
			return X86_EMUL_OK;
		}
	}
	u64 step = (emul_reg(em, X86_REG_RFLAGS) & X86_RFLAGS_DF) ? (u64)-(s64)size : size;
	u64 rdi = emul_reg(em, X86_REG_RDI), rsi = emul_reg(em, X86_REG_RSI);
	r = emul_linear(em, insn, X86_SEG_ES, rdi, &dla, fault);
	if (r != X86_EMUL_OK)
		return r;
	if (insn->op == X86_OP_MOVS) {
		r = emul_linear(em, insn, insn->src_seg, rsi, &sla, fault);
		if (r == X86_EMUL_OK)
			r = emul_virt(em, sla, size, false, &val, fault);
		if (r != X86_EMUL_OK)
			return r;
	} else {
		val = gpr_read(em, &insn->src);
	}
	r = emul_virt(em, dla, size, true, &val, fault);
	if (r != X86_EMUL_OK)
		return r;
	addr_reg_write(em, X86_REG_RDI, asz, rdi + step);
	if (insn->op == X86_OP_MOVS)
		addr_reg_write(em, X86_REG_RSI, asz, rsi + step);
	if (rep)
		addr_reg_write(em, X86_REG_RCX, asz, count - 1U);
	if (!rep || count == 1)
		x86_emul_advance_rip(em, insn);
	return X86_EMUL_OK;
}

static enum x86_access_result opnd_read(const struct x86_emul *em,
					const struct x86_insn *insn,
					const struct x86_opnd *o,
					u64 mgpa, u64 *val)
{
	enum x86_access_result a = X86_ACCESS_OK;

	*val = 0;
	if (o->kind == X86_OPND_MEM)
		a = em->ops->mmio_read(em->ctx, mgpa, o->size, val);
	else if (o->kind == X86_OPND_REG)
		*val = gpr_read(em, o);
	else
		*val = insn->imm;
	*val &= emul_size_mask(o->size);
	return a;
}

static enum x86_access_result opnd_write(const struct x86_emul *em,
					 const struct x86_opnd *o,
					 u64 mgpa, u64 val)
{
	if (o->kind == X86_OPND_MEM)
		return em->ops->mmio_write(em->ctx, mgpa, o->size,
					   val & emul_size_mask(o->size));
	gpr_write(em, o, val);
	return X86_ACCESS_OK;
}

/* MOV, MOVZX, MOVSX(D), ALU, TEST, XCHG: one of dst/src is the MMIO operand. */
static enum x86_emul_result emul_simple(const struct x86_emul *em,
					const struct x86_insn *insn,
					u64 mgpa)
{
	u64 d = 0, s = 0, rflags;
	const struct x86_opnd *dst = &insn->dst, *src = &insn->src;

	switch (insn->op) {
	case X86_OP_MOV:
	case X86_OP_MOVZX:
	case X86_OP_MOVSX:
		if (opnd_read(em, insn, src, mgpa, &s) != X86_ACCESS_OK)
			return X86_EMUL_BAD_ACCESS;
		if (insn->op == X86_OP_MOVSX)
			s = sign_extend(s, src->size);
		if (opnd_write(em, dst, mgpa, s) != X86_ACCESS_OK)
			return X86_EMUL_BAD_ACCESS;
		break;
	case X86_OP_XCHG:
		if (opnd_read(em, insn, dst, mgpa, &d) != X86_ACCESS_OK ||
		    opnd_read(em, insn, src, mgpa, &s) != X86_ACCESS_OK ||
		    opnd_write(em, dst, mgpa, s) != X86_ACCESS_OK)
			return X86_EMUL_BAD_ACCESS;
		(void)opnd_write(em, src, mgpa, d); /* src is the register */
		break;
	default: /* ALU */
		if (opnd_read(em, insn, dst, mgpa, &d) != X86_ACCESS_OK ||
		    opnd_read(em, insn, src, mgpa, &s) != X86_ACCESS_OK)
			return X86_EMUL_BAD_ACCESS;
		rflags = emul_reg(em, X86_REG_RFLAGS);
		d = x86_alu_exec((enum x86_op)insn->op, dst->size, d, s, &rflags);
		if (insn->op != X86_OP_CMP && insn->op != X86_OP_TEST &&
		    opnd_write(em, dst, mgpa, d) != X86_ACCESS_OK)
			return X86_EMUL_BAD_ACCESS;
		em->ops->write_reg(em->ctx, X86_REG_RFLAGS, rflags);
		break;
	}
	x86_emul_advance_rip(em, insn);
	return X86_EMUL_OK;
}

static bool op_is_simple(u8 op)
{
	return (op >= X86_OP_MOV && op <= X86_OP_MOVSX) ||
	       (op >= X86_OP_ADD && op <= X86_OP_XCHG);
}

enum x86_emul_result x86_emul_mmio(const struct x86_emul *em,
				   const struct x86_insn *insn, u64 gpa,
				   struct x86_fault *fault)
{
	const struct x86_opnd *mop;
	enum x86_emul_result r;
	u64 la, off;

	memset(fault, 0, sizeof(*fault));
	if (!insn_ok(insn))
		return X86_EMUL_UNHANDLED;
	if (insn->op == X86_OP_MOVS || insn->op == X86_OP_STOS)
		return emul_string(em, insn, fault);
	if (!op_is_simple(insn->op))
		return X86_EMUL_UNHANDLED;
	/* Exactly one memory operand: register-only forms never fault. */
	if ((insn->dst.kind == X86_OPND_MEM) == (insn->src.kind == X86_OPND_MEM))
		return X86_EMUL_UNHANDLED;
	mop = insn->dst.kind == X86_OPND_MEM ? &insn->dst : &insn->src;
	r = emul_linear(em, insn, insn->mem.seg, emul_ea(em, insn), &la, fault);
	if (r != X86_EMUL_OK)
		return r;
	off = la & (PAGE_SIZE - 1U);
	if (off + mop->size > PAGE_SIZE)
		return X86_EMUL_BAD_ACCESS; /* split across pages: not emulated */
	if ((gpa & (PAGE_SIZE - 1U)) != 0 && (gpa & (PAGE_SIZE - 1U)) != off)
		return X86_EMUL_RETRY;
	return emul_simple(em, insn, (gpa & ~(PAGE_SIZE - 1U)) | off);
}
