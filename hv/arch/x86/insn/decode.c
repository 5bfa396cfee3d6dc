/* x86 instruction decoder: prefixes, REX, ModRM/SIB/displacement,
 * immediates (SDM vol 2 chapter 2, APM vol 3 chapter 1). Vendor neutral:
 * input is a byte buffer and a CPU mode, nothing else. The buffer holds guest
 * bytes: every read goes through dec_byte(), bounded by n and by 15. */
#include <bulkhead/types.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/insn.h>

struct dec {
	const u8 *buf;
	size_t n;
	u8 pos;
	enum x86_decode_result err;
	struct x86_insn *insn;
};

static bool dec_byte(struct dec *d, u8 *out)
{
	if (d->pos >= X86_INSN_MAX_LEN) {
		d->err = X86_DECODE_TOO_LONG;
		return false;
	}
	if (d->pos >= d->n) {
		d->err = X86_DECODE_TRUNCATED;
		return false;
	}
	*out = d->buf[d->pos++];
	return true;
}

/* Little-endian immediate or displacement of `size` bytes, sign-extended. */
static bool dec_signed(struct dec *d, u8 size, s64 *out)
{
	u64 v = 0;
	u8 b;

	for (u8 i = 0; i < size; i++) {
		if (!dec_byte(d, &b))
			return false;
		v |= (u64)b << (8U * i);
	}
	if (size < 8 && (v >> (8U * size - 1U)) & 1U)
		v |= ~0ULL << (8U * size);
	*out = (s64)v;
	return true;
}

static bool dec_imm(struct dec *d, u8 size)
{
	s64 v;

	if (!dec_signed(d, size, &v))
		return false;
	d->insn->imm = (u64)v;
	d->insn->imm_size = size;
	return true;
}

/* imm16/imm32 for an operand of `opsize` bytes ("Iz": 64-bit operands take
 * a sign-extended imm32, SDM vol 2 2.2.1.5). */
static bool dec_imm_z(struct dec *d, u8 opsize)
{
	return dec_imm(d, opsize == 2 ? 2 : 4);
}

static void opnd_gpr(const struct x86_insn *insn, struct x86_opnd *o, u8 num,
		     u8 size)
{
	o->kind = X86_OPND_REG;
	o->size = size;
	/* Byte registers 4..7 are AH..BH without REX, SPL..DIL with any REX
	 * (SDM vol 2 3.7.2.1, table 3-1). */
	if (size == 1 && insn->rex == 0 && num >= 4 && num <= 7) {
		o->reg = (u8)(num - 4U);
		o->high8 = true;
	} else {
		o->reg = num;
		o->high8 = false;
	}
}

static u8 modrm_mod(const struct x86_insn *insn)
{
	return insn->modrm >> 6;
}

static u8 modrm_reg(const struct x86_insn *insn)
{
	return (u8)(((insn->modrm >> 3) & 7U) | ((insn->rex & X86_REX_R) ? 8U : 0U));
}

static u8 modrm_rm(const struct x86_insn *insn)
{
	return (u8)((insn->modrm & 7U) | ((insn->rex & X86_REX_B) ? 8U : 0U));
}

/* 16-bit addressing forms, SDM vol 2 table 2-1. */
static bool dec_mem16(struct dec *d)
{
	static const u8 base[8] = { X86_REG_RBX, X86_REG_RBX, X86_REG_RBP,
				    X86_REG_RBP, X86_REG_RSI, X86_REG_RDI,
				    X86_REG_RBP, X86_REG_RBX };
	static const u8 index[8] = { X86_REG_RSI, X86_REG_RDI, X86_REG_RSI,
				     X86_REG_RDI, X86_REG_NONE, X86_REG_NONE,
				     X86_REG_NONE, X86_REG_NONE };
	struct x86_mem *m = &d->insn->mem;
	u8 mod = modrm_mod(d->insn), rm = d->insn->modrm & 7U;

	m->scale = 1;
	m->index = index[rm];
	m->base = base[rm];
	if (mod == 0 && rm == 6) {
		m->base = X86_REG_NONE;
		return dec_signed(d, 2, &m->disp);
	}
	m->seg = m->base == X86_REG_RBP ? X86_SEG_SS : X86_SEG_DS;
	if (mod == 1)
		return dec_signed(d, 1, &m->disp);
	if (mod == 2)
		return dec_signed(d, 2, &m->disp);
	return true;
}

/* 32/64-bit addressing forms, SDM vol 2 tables 2-2, 2-3 and 2.2.1. */
static bool dec_mem32(struct dec *d)
{
	struct x86_insn *insn = d->insn;
	struct x86_mem *m = &insn->mem;
	u8 mod = modrm_mod(insn), rm = insn->modrm & 7U, sib;

	m->scale = 1;
	m->index = X86_REG_NONE;
	if (rm == 4) {
		if (!dec_byte(d, &sib))
			return false;
		u8 idx = (u8)(((sib >> 3) & 7U) | ((insn->rex & X86_REX_X) ? 8U : 0U));
		m->scale = (u8)(1U << (sib >> 6));
		m->index = idx == X86_REG_RSP ? X86_REG_NONE : idx;
		if ((sib & 7U) == 5 && mod == 0) {
			m->base = X86_REG_NONE;
			return dec_signed(d, 4, &m->disp);
		}
		m->base = (u8)((sib & 7U) | ((insn->rex & X86_REX_B) ? 8U : 0U));
	} else if (rm == 5 && mod == 0) {
		/* disp32: absolute, or RIP-relative in 64-bit mode (2.2.1.6),
		 * whatever REX.B says. */
		m->base = insn->mode == X86_MODE_64 ? X86_REG_RIP : X86_REG_NONE;
		return dec_signed(d, 4, &m->disp);
	} else {
		m->base = modrm_rm(insn);
	}
	if (m->base == X86_REG_RSP || m->base == X86_REG_RBP)
		m->seg = X86_SEG_SS;
	if (mod == 1)
		return dec_signed(d, 1, &m->disp);
	if (mod == 2)
		return dec_signed(d, 4, &m->disp);
	return true;
}

/* Reads ModRM and, for a memory form, SIB and displacement into insn->mem. */
static bool dec_modrm(struct dec *d)
{
	struct x86_insn *insn = d->insn;
	bool ok;

	if (!dec_byte(d, &insn->modrm))
		return false;
	insn->has_modrm = true;
	if (modrm_mod(insn) == 3)
		return true;
	insn->mem.seg = X86_SEG_DS;
	ok = insn->addrsize == 2 ? dec_mem16(d) : dec_mem32(d);
	if (ok && (insn->prefixes & X86_PFX_SEG))
		insn->mem.seg = insn->src_seg;
	return ok;
}

/* The r/m operand: a GPR for mod == 3, else memory. */
static void opnd_rm(struct x86_insn *insn, struct x86_opnd *o, u8 size)
{
	if (modrm_mod(insn) == 3) {
		opnd_gpr(insn, o, modrm_rm(insn), size);
	} else {
		o->kind = X86_OPND_MEM;
		o->size = size;
	}
}

static void opnd_imm(struct x86_insn *insn, struct x86_opnd *o, u8 size)
{
	(void)insn;
	o->kind = X86_OPND_IMM;
	o->size = size;
}

static bool rm_is_mem(const struct x86_insn *insn)
{
	return insn->has_modrm && modrm_mod(insn) != 3;
}

/* "Ev, Gv" (reg_dst false) or "Gv, Ev" (reg_dst true) forms. */
static bool dec_e_g(struct dec *d, u8 op, u8 size, bool reg_dst)
{
	struct x86_insn *insn = d->insn;

	if (!dec_modrm(d))
		return false;
	insn->op = op;
	if (reg_dst) {
		opnd_gpr(insn, &insn->dst, modrm_reg(insn), size);
		opnd_rm(insn, &insn->src, size);
	} else {
		opnd_rm(insn, &insn->dst, size);
		opnd_gpr(insn, &insn->src, modrm_reg(insn), size);
	}
	return true;
}

static const u8 alu_ops[8] = { X86_OP_ADD, X86_OP_OR,  X86_OP_ADC, X86_OP_SBB,
			       X86_OP_AND, X86_OP_SUB, X86_OP_XOR, X86_OP_CMP };

/* Group 1: 80 Eb,Ib; 81 Ev,Iz; 82 Eb,Ib (not in 64-bit mode); 83 Ev,Ib. */
static bool dec_group1(struct dec *d, u8 b)
{
	struct x86_insn *insn = d->insn;
	u8 size = (b & 1U) ? insn->opsize : 1;

	if (!dec_modrm(d))
		return false;
	insn->op = alu_ops[(insn->modrm >> 3) & 7U];
	opnd_rm(insn, &insn->dst, size);
	opnd_imm(insn, &insn->src, size);
	return b == 0x81 ? dec_imm_z(d, size) : dec_imm(d, 1);
}

/* BT, BTS, BTR, BTC in the order of 0F A3/AB/B3/BB and of 0F BA /4-/7. */
static const u8 bt_ops[4] = { X86_OP_BT, X86_OP_BTS, X86_OP_BTR, X86_OP_BTC };

/* Group 8 (0F BA): BT/BTS/BTR/BTC Ev, Ib; /0-/3 are #UD (SDM vol 2 table
 * */
static bool dec_bt_imm(struct dec *d)
{
	struct x86_insn *insn = d->insn;
	u8 reg;

	if (!dec_modrm(d))
		return false;
	reg = (insn->modrm >> 3) & 7U;
	if (reg < 4) {
		d->err = X86_DECODE_BAD_MODRM;
		return false;
	}
	insn->op = bt_ops[reg - 4];
	opnd_rm(insn, &insn->dst, insn->opsize);
	opnd_imm(insn, &insn->src, 1);
	return dec_imm(d, 1);
}

/* Group 7 (0F 01), SDM vol 2 table A-6 / APM vol 3 table A-7. */
static bool dec_group7(struct dec *d)
{
	static const struct {
		u8 modrm;
		u8 op;
	} regs[] = {
		{ 0xc1, X86_OP_VMCALL }, { 0xc8, X86_OP_MONITOR },
		{ 0xc9, X86_OP_MWAIT },  { 0xd1, X86_OP_XSETBV },
		{ 0xd8, X86_OP_VMRUN },  { 0xd9, X86_OP_VMMCALL },
		{ 0xda, X86_OP_VMLOAD }, { 0xdb, X86_OP_VMSAVE },
		{ 0xdc, X86_OP_STGI },   { 0xdd, X86_OP_CLGI },
		{ 0xde, X86_OP_SKINIT }, { 0xdf, X86_OP_INVLPGA },
		{ 0xf9, X86_OP_RDTSCP },
	};
	struct x86_insn *insn = d->insn;
	u8 reg;

	if (!dec_modrm(d))
		return false;
	reg = (insn->modrm >> 3) & 7U;
	if (reg == 4 || reg == 6) { /* SMSW Ew/Rv, LMSW Ew */
		insn->op = reg == 4 ? X86_OP_SMSW : X86_OP_LMSW;
		u8 size = reg == 4 && !rm_is_mem(insn) ? insn->opsize : 2;
		opnd_rm(insn, reg == 4 ? &insn->dst : &insn->src, size);
		return true;
	}
	if (rm_is_mem(insn)) {
		if (reg != 7) {
			d->err = X86_DECODE_UNSUPPORTED; /* SGDT, LIDT, ... */
			return false;
		}
		insn->op = X86_OP_INVLPG;
		opnd_rm(insn, &insn->src, 1);
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
		if (regs[i].modrm == insn->modrm) {
			insn->op = regs[i].op;
			return true;
		}
	}
	d->err = X86_DECODE_UNSUPPORTED;
	return false;
}

/* MOV to/from CR/DR (0F 20-23): the operand is always a register; mod is
 * ignored (SDM vol 2 MOV-Move to/from Control Registers), so no SIB/disp. */
static bool dec_mov_ctl(struct dec *d, u8 b)
{
	struct x86_insn *insn = d->insn;
	u8 size = insn->mode == X86_MODE_64 ? 8 : 4;
	bool to = b & 2U, cr = !(b & 1U);
	u8 num;

	if (!dec_byte(d, &insn->modrm))
		return false;
	insn->has_modrm = true;
	num = (u8)(((insn->modrm >> 3) & 7U) | ((insn->rex & X86_REX_R) ? 8U : 0U));
	if (cr && (insn->prefixes & X86_PFX_LOCK)) {
		/* AMD: LOCK MOV CR0 is MOV CR8 (APM vol 3, MOV CRn). */
		num |= 8U;
		insn->prefixes &= (u8)~X86_PFX_LOCK;
	}
	if (cr ? (num != 0 && num != 2 && num != 3 && num != 4 && num != 8)
	       : (num > 7)) {
		d->err = X86_DECODE_BAD_MODRM;
		return false;
	}
	insn->ctl = num;
	insn->op = cr ? (to ? X86_OP_MOV_TO_CR : X86_OP_MOV_FROM_CR)
		      : (to ? X86_OP_MOV_TO_DR : X86_OP_MOV_FROM_DR);
	insn->opsize = size;
	struct x86_opnd *gpr = to ? &insn->src : &insn->dst;
	gpr->kind = X86_OPND_REG;
	gpr->size = size;
	gpr->reg = (u8)((insn->modrm & 7U) | ((insn->rex & X86_REX_B) ? 8U : 0U));
	return true;
}

static bool dec_0f(struct dec *d)
{
	struct x86_insn *insn = d->insn;
	u8 b;

	if (!dec_byte(d, &b))
		return false;
	insn->map = 1;
	insn->opcode = b;
	switch (b) {
	case 0x01:
		return dec_group7(d);
	case 0x06:
		insn->op = X86_OP_CLTS;
		return true;
	case 0x08:
		insn->op = X86_OP_INVD;
		return true;
	case 0x09:
		insn->op = X86_OP_WBINVD;
		return true;
	case 0x20: case 0x21: case 0x22: case 0x23:
		return dec_mov_ctl(d, b);
	case 0x30:
		insn->op = X86_OP_WRMSR;
		return true;
	case 0x31:
		insn->op = X86_OP_RDTSC;
		return true;
	case 0x32:
		insn->op = X86_OP_RDMSR;
		return true;
	case 0x33:
		insn->op = X86_OP_RDPMC;
		return true;
	case 0xa2:
		insn->op = X86_OP_CPUID;
		return true;
	case 0xa3: case 0xab: case 0xb3: case 0xbb: /* BT/BTS/BTR/BTC Ev, Gv */
		return dec_e_g(d, bt_ops[(b >> 3) & 3U], insn->opsize, false);
	case 0xba:
		return dec_bt_imm(d);
	case 0xb0: case 0xb1:
		return dec_e_g(d, X86_OP_CMPXCHG, (b & 1U) ? insn->opsize : 1, false);
	case 0xc0: case 0xc1:
		return dec_e_g(d, X86_OP_XADD, (b & 1U) ? insn->opsize : 1, false);
	case 0xb6: case 0xb7: case 0xbe: case 0xbf:
		/* MOVZX/MOVSX Gv, Eb/Ew */
		if (!dec_modrm(d))
			return false;
		insn->op = (b & 8U) ? X86_OP_MOVSX : X86_OP_MOVZX;
		opnd_gpr(insn, &insn->dst, modrm_reg(insn), insn->opsize);
		opnd_rm(insn, &insn->src, (b & 1U) ? 2 : 1);
		return true;
	default:
		if ((b & 0xf0U) == 0x90) { /* SETcc Eb; ModRM.reg is ignored */
			if (!dec_modrm(d))
				return false;
			insn->op = X86_OP_SETCC;
			insn->ctl = b & 0xfU;
			opnd_rm(insn, &insn->dst, 1);
			return true;
		}
		d->err = X86_DECODE_UNSUPPORTED;
		return false;
	}
}

/* String instructions: dst ES:rDI (not overridable), src DS:rSI. */
static void dec_string(struct x86_insn *insn, u8 op, u8 size)
{
	insn->op = op;
	insn->mem.seg = X86_SEG_ES;
	insn->mem.base = X86_REG_RDI;
	insn->mem.index = X86_REG_NONE;
	insn->mem.scale = 1;
	insn->mem.disp = 0;
	if (!(insn->prefixes & X86_PFX_SEG))
		insn->src_seg = X86_SEG_DS;
	insn->dst.kind = X86_OPND_MEM;
	insn->dst.size = size;
	if (op == X86_OP_MOVS) {
		insn->src.kind = X86_OPND_MEM;
		insn->src.size = size;
	} else {
		opnd_gpr(insn, &insn->src, X86_REG_RAX, size);
		insn->src.high8 = false;
	}
}

/* IN/OUT/INS/OUTS (E4-E7, EC-EF, 6C-6F): the accumulator and the port. */
static bool dec_io(struct dec *d, u8 b)
{
	struct x86_insn *insn = d->insn;
	u8 size = (b & 1U) ? (insn->opsize == 2 ? 2 : 4) : 1;
	bool out = b & 2U;
	struct x86_opnd *acc = out ? &insn->src : &insn->dst;
	struct x86_opnd *port = out ? &insn->dst : &insn->src;

	insn->opsize = size;
	if (b < 0x70) {
		insn->op = out ? X86_OP_OUTS : X86_OP_INS;
		port->kind = X86_OPND_REG;
		port->reg = X86_REG_RDX;
		port->size = 2;
		return true;
	}
	insn->op = out ? X86_OP_OUT : X86_OP_IN;
	acc->kind = X86_OPND_REG;
	acc->reg = X86_REG_RAX;
	acc->size = size;
	if (b & 8U) {
		port->kind = X86_OPND_REG;
		port->reg = X86_REG_RDX;
		port->size = 2;
		return true;
	}
	u8 p;
	if (!dec_byte(d, &p))
		return false;
	insn->imm = p; /* zero-extended port number */
	insn->imm_size = 1;
	port->kind = X86_OPND_IMM;
	port->size = 1;
	return true;
}

/* MOV AL/rAX <-> moffs (A0-A3): an address-size offset, no ModRM. */
static bool dec_moffs(struct dec *d, u8 b)
{
	struct x86_insn *insn = d->insn;
	u8 size = (b & 1U) ? insn->opsize : 1;
	struct x86_opnd *reg = (b & 2U) ? &insn->src : &insn->dst;
	struct x86_opnd *mem = (b & 2U) ? &insn->dst : &insn->src;

	insn->op = X86_OP_MOV;
	insn->mem.seg = (insn->prefixes & X86_PFX_SEG) ? insn->src_seg : X86_SEG_DS;
	insn->mem.base = X86_REG_NONE;
	insn->mem.index = X86_REG_NONE;
	insn->mem.scale = 1;
	opnd_gpr(insn, reg, X86_REG_RAX, size);
	mem->kind = X86_OPND_MEM;
	mem->size = size;
	return dec_signed(d, insn->addrsize, &insn->mem.disp);
}

static bool dec_onebyte(struct dec *d, u8 b)
{
	struct x86_insn *insn = d->insn;
	u8 v = insn->opsize;

	insn->opcode = b;
	if (b < 0x40 && (b & 7U) < 4) /* ALU Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev */
		return dec_e_g(d, alu_ops[b >> 3], (b & 1U) ? v : 1, b & 2U);
	switch (b) {
	case 0x0f:
		return dec_0f(d);
	case 0x63: /* MOVSXD Gv, Ed (ARPL outside 64-bit mode) */
		if (insn->mode != X86_MODE_64)
			break;
		if (!dec_e_g(d, X86_OP_MOVSX, v, true))
			return false;
		insn->src.size = v == 8 ? 4 : v;
		return true;
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
	case 0xec: case 0xed: case 0xee: case 0xef:
		return dec_io(d, b);
	case 0x80: case 0x81: case 0x83:
		return dec_group1(d, b);
	case 0x82:
		if (insn->mode == X86_MODE_64)
			break;
		return dec_group1(d, b);
	case 0x84: case 0x85:
		return dec_e_g(d, X86_OP_TEST, (b & 1U) ? v : 1, false);
	case 0x86: case 0x87:
		return dec_e_g(d, X86_OP_XCHG, (b & 1U) ? v : 1, false);
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		return dec_e_g(d, X86_OP_MOV, (b & 1U) ? v : 1, b & 2U);
	case 0x90:
		if (!(insn->prefixes & X86_PFX_REP) || (insn->rex & X86_REX_B))
			break;
		insn->op = X86_OP_PAUSE;
		return true;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		return dec_moffs(d, b);
	case 0xa4: case 0xa5:
		dec_string(insn, X86_OP_MOVS, (b & 1U) ? v : 1);
		return true;
	case 0xaa: case 0xab:
		dec_string(insn, X86_OP_STOS, (b & 1U) ? v : 1);
		return true;
	case 0xc6: case 0xc7: { /* MOV Eb,Ib / Ev,Iz: group 11, only /0 */
		u8 size = (b & 1U) ? v : 1;
		if (!dec_modrm(d))
			return false;
		u8 reg = (insn->modrm >> 3) & 7U;
		if (reg != 0) { /* /7 is XABORT/XBEGIN, the rest #UD */
			d->err = reg == 7 ? X86_DECODE_UNSUPPORTED : X86_DECODE_BAD_MODRM;
			return false;
		}
		insn->op = X86_OP_MOV;
		opnd_rm(insn, &insn->dst, size);
		opnd_imm(insn, &insn->src, size);
		return size == 1 ? dec_imm(d, 1) : dec_imm_z(d, size);
	}
	case 0xf4:
		insn->op = X86_OP_HLT;
		return true;
	case 0xf6: case 0xf7: { /* group 3: TEST Ib/Iz (/0), NOT (/2), NEG (/3) */
		u8 size = (b & 1U) ? v : 1, reg;
		if (!dec_modrm(d))
			return false;
		reg = (insn->modrm >> 3) & 7U;
		if (reg == 2 || reg == 3) {
			insn->op = reg == 2 ? X86_OP_NOT : X86_OP_NEG;
			opnd_rm(insn, &insn->dst, size);
			return true;
		}
		if (reg != 0)
			break; /* MUL, IMUL, DIV, IDIV; /1 is an undocumented TEST */
		insn->op = X86_OP_TEST;
		opnd_rm(insn, &insn->dst, size);
		opnd_imm(insn, &insn->src, size);
		return size == 1 ? dec_imm(d, 1) : dec_imm_z(d, size);
	}
	case 0xfe: case 0xff: { /* groups 4/5: INC (/0), DEC (/1) */
		if (!dec_modrm(d))
			return false;
		u8 reg = (insn->modrm >> 3) & 7U;
		if (reg > 1) { /* FE /2-7 are #UD; FF /2-6 CALL, JMP, PUSH */
			d->err = (b == 0xfe || reg == 7) ? X86_DECODE_BAD_MODRM
							 : X86_DECODE_UNSUPPORTED;
			return false;
		}
		insn->op = reg == 0 ? X86_OP_INC : X86_OP_DEC;
		opnd_rm(insn, &insn->dst, (b & 1U) ? v : 1);
		return true;
	}
	default:
		break;
	}
	d->err = X86_DECODE_UNSUPPORTED;
	return false;
}

/* Legacy prefixes in any order, then REX in 64-bit mode; a REX not directly
 * before the opcode is ignored (SDM vol 2 2.2.1). Returns the opcode byte. */
static bool dec_prefixes(struct dec *d, u8 *opcode)
{
	struct x86_insn *insn = d->insn;
	u8 b;

	for (;;) {
		if (!dec_byte(d, &b))
			return false;
		switch (b) {
		case 0xf0:
			insn->prefixes |= X86_PFX_LOCK;
			break;
		case 0xf2:
			insn->prefixes |= X86_PFX_REPNE;
			break;
		case 0xf3:
			insn->prefixes |= X86_PFX_REP;
			break;
		case 0x66:
			insn->prefixes |= X86_PFX_OPSIZE;
			break;
		case 0x67:
			insn->prefixes |= X86_PFX_ADSIZE;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			/* ES/CS/SS/DS overrides do nothing in 64-bit mode. */
			if (insn->mode != X86_MODE_64) {
				insn->prefixes |= X86_PFX_SEG;
				insn->src_seg = (u8)((b >> 3) & 3U);
			}
			break;
		case 0x64: case 0x65:
			insn->prefixes |= X86_PFX_SEG;
			insn->src_seg = b == 0x64 ? X86_SEG_FS : X86_SEG_GS;
			break;
		default:
			if (insn->mode == X86_MODE_64 && (b & 0xf0U) == 0x40) {
				insn->rex = b;
				continue;
			}
			*opcode = b;
			return true;
		}
		insn->rex = 0;
	}
}

static void dec_sizes(struct x86_insn *insn)
{
	bool o = insn->prefixes & X86_PFX_OPSIZE, a = insn->prefixes & X86_PFX_ADSIZE;

	switch (insn->mode) {
	case X86_MODE_64: /* REX.W wins over 66 (SDM vol 1 3.6.1) */
		insn->opsize = (insn->rex & X86_REX_W) ? 8 : (o ? 2 : 4);
		insn->addrsize = a ? 4 : 8;
		break;
	case X86_MODE_32:
		insn->opsize = o ? 2 : 4;
		insn->addrsize = a ? 2 : 4;
		break;
	default:
		insn->opsize = o ? 4 : 2;
		insn->addrsize = a ? 4 : 2;
		break;
	}
}

/* LOCK is legal only on these read-modify-write forms with a memory
 * destination (SDM vol 2 LOCK: ADD, ADC, AND, BTC, BTR, BTS, CMPXCHG, DEC,
 * INC, NEG, NOT, OR, SBB, SUB, XOR, XADD, XCHG); anywhere else, BT and
 * SETcc included, it is #UD. */
static bool lock_ok(const struct x86_insn *insn)
{
	switch (insn->op) {
	case X86_OP_ADD: case X86_OP_OR: case X86_OP_ADC: case X86_OP_SBB:
	case X86_OP_AND: case X86_OP_SUB: case X86_OP_XOR: case X86_OP_XCHG:
	case X86_OP_INC: case X86_OP_DEC: case X86_OP_NOT: case X86_OP_NEG:
	case X86_OP_XADD: case X86_OP_CMPXCHG:
	case X86_OP_BTS: case X86_OP_BTR: case X86_OP_BTC:
		return insn->dst.kind == X86_OPND_MEM;
	default:
		return false;
	}
}

enum x86_decode_result x86_insn_decode(const u8 *bytes, size_t n,
				       enum x86_mode mode, struct x86_insn *insn)
{
	struct dec d = { .buf = bytes, .n = n, .err = X86_DECODE_OK, .insn = insn };
	u8 b;

	if (!bytes || !insn || (mode != X86_MODE_16 && mode != X86_MODE_32 &&
				mode != X86_MODE_64))
		return X86_DECODE_BAD_ARG;
	memset(insn, 0, sizeof(*insn));
	insn->mode = (u8)mode;
	insn->src_seg = X86_SEG_DS;
	insn->ctl = 0;
	insn->mem.seg = X86_SEG_NONE;
	insn->mem.base = X86_REG_NONE;
	insn->mem.index = X86_REG_NONE;
	insn->mem.scale = 1;
	if (!dec_prefixes(&d, &b))
		return d.err;
	dec_sizes(insn);
	if (!dec_onebyte(&d, b))
		return d.err;
	if ((insn->prefixes & X86_PFX_LOCK) && !lock_ok(insn))
		return X86_DECODE_BAD_LOCK;
	insn->len = d.pos;
	return X86_DECODE_OK;
}

int x86_insn_length(const u8 *bytes, size_t n, enum x86_mode mode,
		    enum x86_op expect)
{
	struct x86_insn insn;
	enum x86_decode_result r = x86_insn_decode(bytes, n, mode, &insn);

	if (r != X86_DECODE_OK)
		return -(int)r;
	if (expect != X86_OP_ANY && insn.op != (u8)expect)
		return -(int)X86_DECODE_UNSUPPORTED;
	return insn.len;
}

bool x86_insn_is_rep(const struct x86_insn *insn)
{
	return (insn->prefixes & (X86_PFX_REP | X86_PFX_REPNE)) != 0;
}
