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
		emul_seg(em, (enum x86_seg)seg, &s);
		*la = s.base + ea;
	} else {
		*la = ea;
	}
	if (insn->mode != X86_MODE_64) {
		*la &= 0xffffffffULL;
		return X86_EMUL_OK;
	}
	u32 bits = (emul_ctl(em, X86_REG_CR4) & X86_CR4_LA57) ? 57U : 48U;
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

/* Largest naturally aligned power-of-two piece (<= 8) at gpa that fits in
 * n bytes: how a bus splits an access that no single transaction can do. */
static u32 chunk_size(u64 gpa, u32 n)
{
	u32 c = 8;

	while (c > n || (gpa & (c - 1U)))
		c /= 2;
	return c;
}

/* n bytes at gpa, all on one guest page: guest RAM, or else the device bus
 * in aligned pieces (a page-crossing access reaches the bus in parts). */
static enum x86_access_result gpa_access(const struct x86_emul *em, u64 gpa, u8 *buf, u32 n,
					 bool write, bool whole)
{
	enum x86_access_result a;
	u64 v;

	a = write ? em->ops->gpa_write(em->ctx, gpa, buf, n)
		  : em->ops->gpa_read(em->ctx, gpa, buf, n);
	if (a != X86_ACCESS_UNMAPPED)
		return a;
	if (whole && (n & (n - 1U)) == 0) { /* one access of a size the bus takes */
		v = 0;
		memcpy(&v, buf, n);
		a = write ? em->ops->mmio_write(em->ctx, gpa, n, v)
			  : em->ops->mmio_read(em->ctx, gpa, n, &v);
		if (!write)
			memcpy(buf, &v, n);
		return a;
	}
	for (u32 off = 0, c; off < n && a != X86_ACCESS_ERROR; off += c) {
		c = chunk_size(gpa + off, n - off);
		a = gpa_access(em, gpa + off, buf + off, c, write, true);
	}
	return a;
}

/* Reads or writes size bytes at linear la through the guest page tables,
 * each page on its own (SDM vol 3 4.10.4.3 aside, an access that crosses a
 * page is two accesses): guest RAM via gpa_read/gpa_write, else MMIO.
 * Both sides of MOVS/STOS, INS/OUTS and page-crossing operands. */
static enum x86_emul_result emul_virt(const struct x86_emul *em, u64 la, u32 size,
				      bool write_rights, bool write, u64 *val,
				      struct x86_fault *fault)
{
	u32 access = (write_rights || write ? X86_WALK_WRITE : 0U) |
		     (emul_user(em) ? X86_WALK_USER : 0U);
	u32 first = (u32)MIN((u64)size, PAGE_SIZE - (la & (PAGE_SIZE - 1U)));
	u64 gpa[2] = { 0, 0 }, lin[2] = { la, la + first };
	struct x86_walker w;
	enum x86_walk_result r;
	u32 ec, pieces = first < size ? 2U : 1U;
	u8 *buf = (u8 *)val;

	if (size == 0 || size > 8)
		return X86_EMUL_UNHANDLED;
	emul_walker(em, &w);
	for (u32 i = 0; i < pieces; i++) {
		r = x86_walk_gva(&w, lin[i], access, &gpa[i], &ec);
		if (r != X86_WALK_OK)
			return walk_fault(r, ec, lin[i], fault);
	}
	for (u32 i = 0, off = 0; i < pieces; i++) {
		u32 len = i == 0 ? first : size - first;

		if (gpa_access(em, gpa[i], buf + off, len, write, pieces == 1) != X86_ACCESS_OK)
			return X86_EMUL_BAD_ACCESS;
		off += len;
	}
	return X86_EMUL_OK;
}

enum x86_emul_result x86_emul_virt(const struct x86_emul *em, u64 la, u32 size,
				   bool write, u64 *val, struct x86_fault *fault)
{
	return emul_virt(em, la, size, write, write, val, fault);
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
			r = x86_emul_virt(em, sla, size, false, &val, fault);
		if (r != X86_EMUL_OK)
			return r;
	} else {
		val = gpr_read(em, &insn->src);
	}
	r = x86_emul_virt(em, dla, size, true, &val, fault);
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

/* The memory operand of a ModRM instruction: on one page, at the faulting
 * guest-physical address; or across a page boundary, through the guest
 * page tables (x86_emul_virt), each side RAM or MMIO. */
struct mem_ref {
	u64 gpa;
	u64 la;
	bool cross;
	bool rmw; /* read for a write: check write rights on the walk */
};

static enum x86_emul_result mem_read(const struct x86_emul *em, const struct mem_ref *m,
				     u32 size, u64 *val, struct x86_fault *fault)
{
	if (m->cross) /* a read-modify-write needs write rights up front */
		return emul_virt(em, m->la, size, m->rmw, false, val, fault);
	return em->ops->mmio_read(em->ctx, m->gpa, size, val) == X86_ACCESS_OK
		       ? X86_EMUL_OK : X86_EMUL_BAD_ACCESS;
}

static enum x86_emul_result mem_write(const struct x86_emul *em, const struct mem_ref *m,
				      u32 size, u64 val, struct x86_fault *fault)
{
	if (m->cross)
		return x86_emul_virt(em, m->la, size, true, &val, fault);
	return em->ops->mmio_write(em->ctx, m->gpa, size, val) == X86_ACCESS_OK
		       ? X86_EMUL_OK : X86_EMUL_BAD_ACCESS;
}

static enum x86_emul_result opnd_read(const struct x86_emul *em,
				      const struct x86_insn *insn,
				      const struct x86_opnd *o,
				      const struct mem_ref *m, u64 *val,
				      struct x86_fault *fault)
{
	enum x86_emul_result r = X86_EMUL_OK;

	*val = 0;
	if (o->kind == X86_OPND_MEM)
		r = mem_read(em, m, o->size, val, fault);
	else if (o->kind == X86_OPND_REG)
		*val = gpr_read(em, o);
	else
		*val = insn->imm;
	*val &= emul_size_mask(o->size);
	return r;
}

static enum x86_emul_result opnd_write(const struct x86_emul *em,
				       const struct x86_opnd *o,
				       const struct mem_ref *m, u64 val,
				       struct x86_fault *fault)
{
	if (o->kind == X86_OPND_MEM)
		return mem_write(em, m, o->size, val & emul_size_mask(o->size), fault);
	gpr_write(em, o, val);
	return X86_EMUL_OK;
}

/* Bit offset of BT/BTS/BTR/BTC within the operand (SDM vol 2 BT: an
 * immediate is taken modulo the operand width; a register offset also
 * moves the address, see bt_displacement). */
static u32 bt_bit(const struct x86_insn *insn, u64 off)
{
	return (u32)(off & (8U * insn->dst.size - 1U));
}

/* A register bit offset is signed and selects the operand-sized unit at
 * ea + (offset >> log2(width)) * (width / 8). */
static u64 bt_displacement(const struct x86_emul *em, const struct x86_insn *insn)
{
	u32 size = insn->dst.size;
	s64 off;

	if (insn->src.kind != X86_OPND_REG)
		return 0;
	off = (s64)sign_extend(gpr_read(em, &insn->src), size);
	return (u64)((off >> (size == 2 ? 4 : size == 4 ? 5 : 6)) * (s64)size);
}

/* INC, DEC, NOT, NEG: read-modify-write of the destination alone. */
static u64 unary_exec(u8 op, u8 size, u64 d, u64 *rflags)
{
	u64 cf = *rflags & X86_RFLAGS_CF, res;

	switch (op) {
	case X86_OP_NOT:
		return ~d; /* no flags change */
	case X86_OP_NEG: /* CF = (d != 0): the flags of 0 - d */
		return x86_alu_exec(X86_OP_SUB, size, 0, d, rflags);
	default: /* INC/DEC leave CF alone */
		res = x86_alu_exec(op == X86_OP_INC ? X86_OP_ADD : X86_OP_SUB, size, d, 1, rflags);
		*rflags = (*rflags & ~X86_RFLAGS_CF) | cf;
		return res;
	}
}

/* CMPXCHG (SDM vol 2): compare rAX with the destination; equal: ZF = 1 and
 * the destination takes the source; else ZF = 0, rAX takes the destination
 * and the destination is written back unchanged (the locked cycle writes). */
static enum x86_emul_result emul_cmpxchg(const struct x86_emul *em, const struct x86_insn *insn,
					 const struct mem_ref *m, struct x86_fault *fault)
{
	struct x86_opnd acc = { .kind = X86_OPND_REG, .size = insn->dst.size, .reg = X86_REG_RAX };
	u64 d, s, a = gpr_read(em, &acc), rflags = emul_reg(em, X86_REG_RFLAGS);
	enum x86_emul_result r = opnd_read(em, insn, &insn->dst, m, &d, fault);

	if (r != X86_EMUL_OK)
		return r;
	s = gpr_read(em, &insn->src);
	(void)x86_alu_exec(X86_OP_CMP, insn->dst.size, a, d, &rflags);
	r = opnd_write(em, &insn->dst, m, a == d ? s : d, fault);
	if (r != X86_EMUL_OK)
		return r;
	if (a != d)
		gpr_write(em, &acc, d);
	em->ops->write_reg(em->ctx, X86_REG_RFLAGS, rflags);
	return X86_EMUL_OK;
}

/* The read-modify-write forms and SETcc: dst is the memory operand. */
static enum x86_emul_result emul_rmw(const struct x86_emul *em, const struct x86_insn *insn,
				     const struct mem_ref *m, struct x86_fault *fault)
{
	const struct x86_opnd *dst = &insn->dst;
	u64 d = 0, s = 0, res, rflags = emul_reg(em, X86_REG_RFLAGS);
	enum x86_emul_result r;
	u32 bit;

	if (insn->op == X86_OP_CMPXCHG)
		return emul_cmpxchg(em, insn, m, fault);
	if (insn->op == X86_OP_SETCC)
		return opnd_write(em, dst, m, x86_cond(insn->ctl, rflags) ? 1U : 0U, fault);
	r = opnd_read(em, insn, dst, m, &d, fault);
	if (r == X86_EMUL_OK && insn->src.kind != X86_OPND_NONE)
		r = opnd_read(em, insn, &insn->src, m, &s, fault);
	if (r != X86_EMUL_OK)
		return r;
	switch (insn->op) {
	case X86_OP_XADD: /* dst = dst + src, src = old dst */
		res = x86_alu_exec(X86_OP_ADD, dst->size, d, s, &rflags);
		break;
	case X86_OP_BT: case X86_OP_BTS: case X86_OP_BTR: case X86_OP_BTC:
		bit = bt_bit(insn, s);
		rflags = (rflags & ~X86_RFLAGS_CF) | ((d >> bit) & 1U);
		res = insn->op == X86_OP_BTS ? d | (1ULL << bit)
		    : insn->op == X86_OP_BTR ? d & ~(1ULL << bit)
		    : insn->op == X86_OP_BTC ? d ^ (1ULL << bit) : d;
		break;
	default:
		res = unary_exec(insn->op, dst->size, d, &rflags);
		break;
	}
	if (insn->op != X86_OP_BT && (r = opnd_write(em, dst, m, res, fault)) != X86_EMUL_OK)
		return r;
	if (insn->op == X86_OP_XADD)
		gpr_write(em, &insn->src, d);
	em->ops->write_reg(em->ctx, X86_REG_RFLAGS, rflags);
	return X86_EMUL_OK;
}

static bool rmw_src_ok(const struct x86_insn *insn)
{
	u8 k = insn->src.kind;

	switch (insn->op) {
	case X86_OP_XADD: case X86_OP_CMPXCHG:
		return k == X86_OPND_REG;
	case X86_OP_BT: case X86_OP_BTS: case X86_OP_BTR: case X86_OP_BTC:
		return k == X86_OPND_REG || k == X86_OPND_IMM;
	default:
		return k == X86_OPND_NONE;
	}
}

/* MOV, MOVZX, MOVSX(D), ALU, TEST, XCHG: one of dst/src is the MMIO operand. */
static enum x86_emul_result emul_simple(const struct x86_emul *em,
					const struct x86_insn *insn,
					const struct mem_ref *m, struct x86_fault *fault)
{
	u64 d = 0, s = 0, rflags;
	const struct x86_opnd *dst = &insn->dst, *src = &insn->src;
	enum x86_emul_result r;

	switch (insn->op) {
	case X86_OP_MOV:
	case X86_OP_MOVZX:
	case X86_OP_MOVSX:
		if ((r = opnd_read(em, insn, src, m, &s, fault)) != X86_EMUL_OK)
			return r;
		if (insn->op == X86_OP_MOVSX)
			s = sign_extend(s, src->size);
		if ((r = opnd_write(em, dst, m, s, fault)) != X86_EMUL_OK)
			return r;
		break;
	case X86_OP_XCHG:
		if ((r = opnd_read(em, insn, dst, m, &d, fault)) != X86_EMUL_OK ||
		    (r = opnd_read(em, insn, src, m, &s, fault)) != X86_EMUL_OK ||
		    (r = opnd_write(em, dst, m, s, fault)) != X86_EMUL_OK)
			return r;
		(void)opnd_write(em, src, m, d, fault); /* src is the register */
		break;
	case X86_OP_ADD: case X86_OP_OR: case X86_OP_ADC: case X86_OP_SBB:
	case X86_OP_AND: case X86_OP_SUB: case X86_OP_XOR: case X86_OP_CMP:
	case X86_OP_TEST:
		if ((r = opnd_read(em, insn, dst, m, &d, fault)) != X86_EMUL_OK ||
		    (r = opnd_read(em, insn, src, m, &s, fault)) != X86_EMUL_OK)
			return r;
		rflags = emul_reg(em, X86_REG_RFLAGS);
		d = x86_alu_exec((enum x86_op)insn->op, dst->size, d, s, &rflags);
		if (insn->op != X86_OP_CMP && insn->op != X86_OP_TEST &&
		    (r = opnd_write(em, dst, m, d, fault)) != X86_EMUL_OK)
			return r;
		em->ops->write_reg(em->ctx, X86_REG_RFLAGS, rflags);
		break;
	default:
		/* the RMW forms write memory; XADD/CMPXCHG take a register,
		 * BT* a register or an immediate, the rest nothing */
		if (dst->kind != X86_OPND_MEM || !rmw_src_ok(insn))
			return X86_EMUL_UNHANDLED;
		if ((r = emul_rmw(em, insn, m, fault)) != X86_EMUL_OK)
			return r;
		break;
	}
	x86_emul_advance_rip(em, insn);
	return X86_EMUL_OK;
}

static bool op_is_simple(u8 op)
{
	return (op >= X86_OP_MOV && op <= X86_OP_MOVSX) ||
	       (op >= X86_OP_ADD && op <= X86_OP_SETCC);
}

/* Ops whose memory destination is written after it is read. */
static bool op_is_rmw(u8 op)
{
	return op != X86_OP_MOV && op != X86_OP_MOVZX && op != X86_OP_MOVSX &&
	       op != X86_OP_CMP && op != X86_OP_TEST && op != X86_OP_BT &&
	       op != X86_OP_SETCC;
}

enum x86_emul_result x86_emul_mmio(const struct x86_emul *em,
				   const struct x86_insn *insn, u64 gpa,
				   struct x86_fault *fault)
{
	const struct x86_opnd *mop;
	enum x86_emul_result r;
	struct mem_ref m = { 0 };
	u64 off, ea;

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
	ea = emul_ea(em, insn);
	if (insn->op >= X86_OP_BT && insn->op <= X86_OP_BTC)
		ea += bt_displacement(em, insn);
	r = emul_linear(em, insn, insn->mem.seg, ea, &m.la, fault);
	if (r != X86_EMUL_OK)
		return r;
	off = m.la & (PAGE_SIZE - 1U);
	m.rmw = mop == &insn->dst && op_is_rmw(insn->op);
	if (off + mop->size > PAGE_SIZE) {
		m.cross = true; /* two pages, each RAM or MMIO: walk both */
		return emul_simple(em, insn, &m, fault);
	}
	if ((gpa & (PAGE_SIZE - 1U)) != 0 && (gpa & (PAGE_SIZE - 1U)) != off)
		return X86_EMUL_RETRY;
	m.gpa = (gpa & ~(PAGE_SIZE - 1U)) | off;
	return emul_simple(em, insn, &m, fault);
}
