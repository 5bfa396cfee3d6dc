/* Vendor-neutral x86 instruction decoder (hv/arch/x86/insn/decode.c).
 *
 * Decodes one instruction from a byte buffer: the memory-operand forms a guest
 * uses on MMIO (MOV, MOVZX/MOVSX/MOVSXD, MOVS/STOS, ALU, TEST, XCHG, INC/DEC,
 * NOT/NEG, XADD, CMPXCHG, BT/BTS/BTR/BTC, SETcc) in full,
 * and the instructions SVM/VMX intercept (CPUID, RDMSR, HLT, IN/OUT, ...) for
 * their length. It knows nothing of VMCB/VMCS: input is bytes and a mode.
 * The bytes are guest data, hence hostile: the decoder never reads past
 * `n` nor past 15 bytes, and every path ends in an enum result. */
#ifndef BULKHEAD_X86_INSN_H
#define BULKHEAD_X86_INSN_H

#include <bulkhead/types.h>

/* SDM vol 2 2.3.11 / APM vol 3 1.1: longer is #GP(0). */
#define X86_INSN_MAX_LEN 15U

/* Default operand/address size of the code segment (SDM vol 1 3.6):
 * 16 = real, virtual-8086, 16-bit protected or compat mode (CS.D = 0);
 * 32 = 32-bit protected or compat mode (CS.D = 1); 64 = CS.L in long mode. */
enum x86_mode {
	X86_MODE_16 = 0,
	X86_MODE_32,
	X86_MODE_64,
};

enum x86_decode_result {
	X86_DECODE_OK = 0,
	X86_DECODE_TRUNCATED,   /* input ended before the instruction did */
	X86_DECODE_TOO_LONG,    /* more than 15 bytes: #GP(0) on hardware */
	X86_DECODE_UNSUPPORTED, /* an opcode/form this decoder does not know */
	X86_DECODE_BAD_MODRM,   /* known opcode, ModRM form is #UD (C6 /1, MOV CR5) */
	X86_DECODE_BAD_LOCK,    /* LOCK where the SDM says #UD */
	X86_DECODE_BAD_ARG,     /* caller error: NULL pointer or unknown mode */
};

/* GPRs in encoding order, then the other state the emulator reads. */
enum x86_reg {
	X86_REG_RAX = 0,
	X86_REG_RCX,
	X86_REG_RDX,
	X86_REG_RBX,
	X86_REG_RSP,
	X86_REG_RBP,
	X86_REG_RSI,
	X86_REG_RDI,
	X86_REG_R8,
	X86_REG_R9,
	X86_REG_R10,
	X86_REG_R11,
	X86_REG_R12,
	X86_REG_R13,
	X86_REG_R14,
	X86_REG_R15,
	X86_REG_RIP,
	X86_REG_RFLAGS,
	X86_REG_CR0,
	X86_REG_CR2,
	X86_REG_CR3,
	X86_REG_CR4,
	X86_REG_EFER,
	X86_REG_CPL, /* pseudo register: current privilege level (SVM: VMCB.CPL) */
	X86_REG_COUNT,
	X86_REG_NONE = 0xff,
};

/* Segment registers in Sreg encoding order (SDM vol 2 3.1.1.3). */
enum x86_seg {
	X86_SEG_ES = 0,
	X86_SEG_CS,
	X86_SEG_SS,
	X86_SEG_DS,
	X86_SEG_FS,
	X86_SEG_GS,
	X86_SEG_COUNT,
	X86_SEG_NONE = 0xff,
};

enum x86_op {
	X86_OP_NONE = 0,
	/* Memory-operand instructions performed by x86_emul_mmio(). */
	X86_OP_MOV,
	X86_OP_MOVZX,
	X86_OP_MOVSX, /* also MOVSXD (63); src.size == dst.size means a plain move */
	X86_OP_MOVS,
	X86_OP_STOS,
	X86_OP_ADD,
	X86_OP_OR,
	X86_OP_ADC,
	X86_OP_SBB,
	X86_OP_AND,
	X86_OP_SUB,
	X86_OP_XOR,
	X86_OP_CMP,
	X86_OP_TEST,
	X86_OP_XCHG,
	X86_OP_INC,     /* FE/FF /0 */
	X86_OP_DEC,     /* FE/FF /1 */
	X86_OP_NOT,     /* F6/F7 /2 */
	X86_OP_NEG,     /* F6/F7 /3 */
	X86_OP_XADD,    /* 0F C0/C1 */
	X86_OP_CMPXCHG, /* 0F B0/B1: compares with rAX */
	X86_OP_BT,      /* 0F A3, 0F BA /4: src is the bit offset */
	X86_OP_BTS,     /* 0F AB, 0F BA /5 */
	X86_OP_BTR,     /* 0F B3, 0F BA /6 */
	X86_OP_BTC,     /* 0F BB, 0F BA /7 */
	X86_OP_SETCC,   /* 0F 90-9F: condition code in insn.ctl */
	/* Intercepted instructions, decoded for their length and operands. */
	X86_OP_CPUID,
	X86_OP_RDMSR,
	X86_OP_WRMSR,
	X86_OP_RDTSC,
	X86_OP_RDTSCP,
	X86_OP_RDPMC,
	X86_OP_HLT,
	X86_OP_PAUSE,
	X86_OP_IN,
	X86_OP_OUT,
	X86_OP_INS,
	X86_OP_OUTS,
	X86_OP_INVLPG,
	X86_OP_INVLPGA,
	X86_OP_XSETBV,
	X86_OP_MONITOR,
	X86_OP_MWAIT,
	X86_OP_WBINVD,
	X86_OP_INVD,
	X86_OP_VMMCALL,
	X86_OP_VMCALL,
	X86_OP_VMRUN,
	X86_OP_VMLOAD,
	X86_OP_VMSAVE,
	X86_OP_STGI,
	X86_OP_CLGI,
	X86_OP_SKINIT,
	X86_OP_MOV_FROM_CR, /* GPR dst, CR number in insn.ctl */
	X86_OP_MOV_TO_CR,   /* GPR src, CR number in insn.ctl */
	X86_OP_MOV_FROM_DR,
	X86_OP_MOV_TO_DR,
	X86_OP_CLTS,
	X86_OP_LMSW,
	X86_OP_SMSW,
	X86_OP_COUNT,
	X86_OP_ANY = 0xff, /* x86_insn_length(): accept any decodable op */
};

enum x86_opnd_kind {
	X86_OPND_NONE = 0,
	X86_OPND_REG, /* a GPR */
	X86_OPND_MEM, /* insn.mem */
	X86_OPND_IMM, /* insn.imm */
};

struct x86_opnd {
	u8 kind;    /* enum x86_opnd_kind */
	u8 size;    /* bytes: 1, 2, 4 or 8 */
	u8 reg;     /* X86_OPND_REG: GPR number 0..15 */
	bool high8; /* size 1: AH/CH/DH/BH, bits 15:8 of reg 0..3 (no REX) */
};

/* Effective address = base + index * scale + disp, truncated to the
 * address size; base X86_REG_RIP means relative to the next instruction.
 * For MOVS/STOS: the destination ES:rDI (base RDI), see src_seg. */
struct x86_mem {
	u8 seg;   /* enum x86_seg, override applied */
	u8 base;  /* enum x86_reg: GPR, X86_REG_RIP or X86_REG_NONE */
	u8 index; /* GPR or X86_REG_NONE */
	u8 scale; /* 1, 2, 4, 8 */
	s64 disp; /* sign-extended displacement, or the moffs of A0-A3 */
};

/* Legacy prefix bits in x86_insn.prefixes. */
#define X86_PFX_LOCK   0x01U
#define X86_PFX_REP    0x02U /* F3 */
#define X86_PFX_REPNE  0x04U /* F2 */
#define X86_PFX_OPSIZE 0x08U /* 66 */
#define X86_PFX_ADSIZE 0x10U /* 67 */
#define X86_PFX_SEG    0x20U /* a segment override that took effect */

#define X86_REX_B 0x01U
#define X86_REX_X 0x02U
#define X86_REX_R 0x04U
#define X86_REX_W 0x08U

struct x86_insn {
	u8 len;      /* bytes, 1..15 */
	u8 mode;     /* enum x86_mode it was decoded for */
	u8 op;       /* enum x86_op */
	u8 opsize;   /* operand-size attribute: 2, 4 or 8 */
	u8 addrsize; /* address-size attribute: 2, 4 or 8 */
	u8 prefixes; /* X86_PFX_* */
	u8 rex;      /* the REX byte that took effect, 0 if none */
	u8 map;      /* 0: one-byte opcode, 1: 0F xx */
	u8 opcode;   /* the opcode byte (after 0F for map 1) */
	u8 modrm;    /* valid if has_modrm */
	bool has_modrm;
	u8 src_seg;  /* MOVS: segment of the source DS:rSI (override applied) */
	u8 ctl;      /* MOV CR/DR: control/debug register number; SETcc: cc */
	u8 imm_size; /* bytes of immediate in the encoding, 0 if none */
	struct x86_opnd dst;
	struct x86_opnd src;
	struct x86_mem mem; /* valid when dst or src is X86_OPND_MEM */
	u64 imm;     /* sign-extended to 64 bits; port numbers zero-extended */
};

/* Decodes the instruction at bytes[0..n). On anything but X86_DECODE_OK the
 * contents of *insn are unspecified. */
__must_check enum x86_decode_result x86_insn_decode(const u8 *bytes, size_t n,
						    enum x86_mode mode,
						    struct x86_insn *insn);

/* Length of the instruction at bytes[0..n) for the exit paths that need to
 * advance RIP themselves. Returns 1..15, or -(enum x86_decode_result) on a
 * decode error, or -X86_DECODE_UNSUPPORTED if the instruction is not
 * `expect` (pass X86_OP_ANY to skip that check). Checking `expect` matters:
 * another vCPU can rewrite the bytes between the exit and the fetch. */
__must_check int x86_insn_length(const u8 *bytes, size_t n, enum x86_mode mode,
				 enum x86_op expect);

/* True if a REP/REPNE prefix applies to a string instruction. */
bool x86_insn_is_rep(const struct x86_insn *insn);

#endif
