/* ALU results and status flags for the emulated two-operand instructions
 * (SDM vol 1 3.4.3.1 and appendix A; APM vol 3 per-instruction "rFLAGS
 * Affected"). For AND/OR/XOR/TEST, AF is architecturally undefined: we
 * clear it, as the AMD and Intel parts we checked do (see
 * tests/unit/test_insn_emulate.c, which runs the real instruction). */
#include <bulkhead/types.h>
#include <bulkhead/x86/insn_emul.h>

static u64 alu_mask(u8 size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8U * size)) - 1U;
}

/* PF: set when the low byte of the result has an even number of 1s. */
static bool parity_even(u64 v)
{
	u8 b = (u8)v;

	b ^= (u8)(b >> 4);
	b ^= (u8)(b >> 2);
	b ^= (u8)(b >> 1);
	return !(b & 1U);
}

u64 x86_alu_exec(enum x86_op op, u8 size, u64 dst, u64 src, u64 *rflags)
{
	u64 mask, sign, res, fl = 0, c;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		size = 8;
	mask = alu_mask(size);
	sign = 1ULL << (8U * size - 1U);
	dst &= mask;
	src &= mask;
	switch (op) {
	case X86_OP_ADD:
	case X86_OP_ADC:
		c = op == X86_OP_ADC ? (*rflags & X86_RFLAGS_CF) : 0;
		res = (dst + src + c) & mask;
		if (res < dst || (c && res == dst))
			fl |= X86_RFLAGS_CF;
		if ((dst ^ res) & (src ^ res) & sign)
			fl |= X86_RFLAGS_OF;
		fl |= (dst ^ src ^ res) & X86_RFLAGS_AF;
		break;
	case X86_OP_SUB:
	case X86_OP_SBB:
	case X86_OP_CMP:
		c = op == X86_OP_SBB ? (*rflags & X86_RFLAGS_CF) : 0;
		res = (dst - src - c) & mask;
		if (dst < src || (c && dst == src))
			fl |= X86_RFLAGS_CF;
		if ((dst ^ src) & (dst ^ res) & sign)
			fl |= X86_RFLAGS_OF;
		fl |= (dst ^ src ^ res) & X86_RFLAGS_AF;
		break;
	case X86_OP_AND:
	case X86_OP_TEST:
		res = dst & src;
		break;
	case X86_OP_OR:
		res = dst | src;
		break;
	case X86_OP_XOR:
		res = dst ^ src;
		break;
	default:
		return dst; /* not an ALU op: nothing changes */
	}
	if (res == 0)
		fl |= X86_RFLAGS_ZF;
	if (res & sign)
		fl |= X86_RFLAGS_SF;
	if (parity_even(res))
		fl |= X86_RFLAGS_PF;
	*rflags = (*rflags & ~X86_RFLAGS_ARITH) | fl;
	return res;
}

bool x86_cond(u8 cc, u64 rflags)
{
	bool cf = rflags & X86_RFLAGS_CF, zf = rflags & X86_RFLAGS_ZF;
	bool sf = rflags & X86_RFLAGS_SF, of = rflags & X86_RFLAGS_OF;
	bool pf = rflags & X86_RFLAGS_PF, r;

	switch ((cc >> 1) & 7U) {
	case 0: r = of; break;              /* O */
	case 1: r = cf; break;              /* B */
	case 2: r = zf; break;              /* E */
	case 3: r = cf || zf; break;        /* BE */
	case 4: r = sf; break;              /* S */
	case 5: r = pf; break;              /* P */
	case 6: r = sf != of; break;        /* L */
	default: r = zf || sf != of; break; /* LE */
	}
	return (cc & 1U) ? !r : r;
}
