/* Decoder tests: every supported form, byte sequences produced once with
 * GNU as (the string is the assembly source; ".byte" lines are hand-made
 * encodings the assembler will not emit), plus error paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bulkhead/x86/insn.h>

struct dcase {
	const char *text;
	enum x86_mode mode;
	u8 bytes[X86_INSN_MAX_LEN];
	u8 n;
	u8 op, opsize, addrsize, prefixes, src_seg;
	struct x86_opnd dst, src;
	struct x86_mem mem; /* checked when scale != 0 */
	u64 imm;
	bool chk_imm;
};

#define REG(r, s) { X86_OPND_REG, s, X86_REG_##r, false }
#define H8(r) { X86_OPND_REG, 1, X86_REG_##r, true }
#define MEM(s) { X86_OPND_MEM, s, 0, false }
#define IMM(s) { X86_OPND_IMM, s, 0, false }
#define M(seg, base, index, scale, disp) \
	{ X86_SEG_##seg, X86_REG_##base, X86_REG_##index, scale, disp }

static const struct dcase dcases[] = {
	{ "mov %eax,(%rbx)", X86_MODE_64, { 0x89, 0x03 }, 2,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = REG(RAX, 4), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "mov %al,(%rbx)", X86_MODE_64, { 0x88, 0x03 }, 2,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = REG(RAX, 1), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "mov %ah,(%rbx)", X86_MODE_64, { 0x88, 0x23 }, 2,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = H8(RAX), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "mov %bh,(%rbx)", X86_MODE_64, { 0x88, 0x3b }, 2,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = H8(RBX), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "mov %sil,(%rbx)", X86_MODE_64, { 0x40, 0x88, 0x33 }, 3,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = REG(RSI, 1), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "mov %r9b,(%rbx)", X86_MODE_64, { 0x44, 0x88, 0x0b }, 3,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = REG(R9, 1), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "mov (%rax),%dil", X86_MODE_64, { 0x40, 0x8a, 0x38 }, 3,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RDI, 1), .src = MEM(1), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "mov (%rax),%bh", X86_MODE_64, { 0x8a, 0x38 }, 2,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = H8(RBX), .src = MEM(1), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "mov (%rax),%r10", X86_MODE_64, { 0x4c, 0x8b, 0x10 }, 3,
	  .op = X86_OP_MOV, .opsize = 8, .addrsize = 8, .dst = REG(R10, 8), .src = MEM(8), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "mov 0x300(%rip),%eax", X86_MODE_64, { 0x8b, 0x05, 0x00, 0x03, 0x00, 0x00 }, 6,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, RIP, NONE, 1, 0x300) },
	{ "mov %ax,0x10(%rsp)", X86_MODE_64, { 0x66, 0x89, 0x44, 0x24, 0x10 }, 5,
	  .op = X86_OP_MOV, .opsize = 2, .addrsize = 8, .dst = MEM(2), .src = REG(RAX, 2), .mem = M(SS, RSP, NONE, 1, 0x10) },
	{ "movq $-2,0x10(%r12,%r13,8)", X86_MODE_64, { 0x4b, 0xc7, 0x44, 0xec, 0x10, 0xfe, 0xff, 0xff, 0xff }, 9,
	  .op = X86_OP_MOV, .opsize = 8, .addrsize = 8, .dst = MEM(8), .src = IMM(8), .mem = M(DS, R12, R13, 8, 0x10), .imm = 0xfffffffffffffffeULL, .chk_imm = true },
	{ "movb $0x80,(%rdi)", X86_MODE_64, { 0xc6, 0x07, 0x80 }, 3,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = IMM(1), .mem = M(DS, RDI, NONE, 1, 0), .imm = 0xffffffffffffff80ULL, .chk_imm = true },
	{ "movw $0x1234,(%rdi)", X86_MODE_64, { 0x66, 0xc7, 0x07, 0x34, 0x12 }, 5,
	  .op = X86_OP_MOV, .opsize = 2, .addrsize = 8, .dst = MEM(2), .src = IMM(2), .mem = M(DS, RDI, NONE, 1, 0), .imm = 0x1234, .chk_imm = true },
	{ "movl $0x89abcdef,-0x80(%rbp)", X86_MODE_64, { 0xc7, 0x45, 0x80, 0xef, 0xcd, 0xab, 0x89 }, 7,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = IMM(4), .mem = M(SS, RBP, NONE, 1, -0x80), .imm = 0xffffffff89abcdefULL, .chk_imm = true },
	{ "mov 0x12345678(,%rcx,4),%edx", X86_MODE_64, { 0x8b, 0x14, 0x8d, 0x78, 0x56, 0x34, 0x12 }, 7,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RDX, 4), .src = MEM(4), .mem = M(DS, NONE, RCX, 4, 0x12345678) },
	{ "mov -0x80000000(,%rcx,2),%edx", X86_MODE_64, { 0x8b, 0x14, 0x4d, 0x00, 0x00, 0x00, 0x80 }, 7,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RDX, 4), .src = MEM(4), .mem = M(DS, NONE, RCX, 2, -0x80000000LL) },
	{ "mov (%r13),%eax", X86_MODE_64, { 0x41, 0x8b, 0x45, 0x00 }, 4,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, R13, NONE, 1, 0) },
	{ "mov (%r12),%eax", X86_MODE_64, { 0x41, 0x8b, 0x04, 0x24 }, 4,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, R12, NONE, 1, 0) },
	{ "mov (%rax,%r12,2),%eax", X86_MODE_64, { 0x42, 0x8b, 0x04, 0x60 }, 4,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, RAX, R12, 2, 0) },
	{ "mov 0x7f(%rsp,%rbp,1),%r15d", X86_MODE_64, { 0x44, 0x8b, 0x7c, 0x2c, 0x7f }, 5,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(R15, 4), .src = MEM(4), .mem = M(SS, RSP, RBP, 1, 0x7f) },
	{ "movabs 0xfee000b0,%eax", X86_MODE_64, { 0xa1, 0xb0, 0x00, 0xe0, 0xfe, 0x00, 0x00, 0x00, 0x00 }, 9,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, NONE, NONE, 1, 0xfee000b0) },
	{ "movabs %al,0x1122334455667788", X86_MODE_64, { 0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 }, 9,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = REG(RAX, 1), .mem = M(DS, NONE, NONE, 1, 0x1122334455667788LL) },
	{ "movabs %rax,%gs:0xfffffffffffffff0", X86_MODE_64, { 0x65, 0x48, 0xa3, 0xf0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 11,
	  .op = X86_OP_MOV, .opsize = 8, .addrsize = 8, .dst = MEM(8), .src = REG(RAX, 8), .mem = M(GS, NONE, NONE, 1, -16) },
	{ "addr32 mov 0x10,%eax", X86_MODE_64, { 0x67, 0xa1, 0x10, 0x00, 0x00, 0x00 }, 6,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 4, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, NONE, NONE, 1, 0x10) },
	{ "mov %fs:(%rax),%eax", X86_MODE_64, { 0x64, 0x8b, 0x00 }, 3,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(FS, RAX, NONE, 1, 0) },
	{ "ds mov (%rbp),%eax: ds ignored (.byte 0x3e, 0x8b, 0x45, 0x00)", X86_MODE_64, { 0x3e, 0x8b, 0x45, 0x00 }, 4,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(SS, RBP, NONE, 1, 0) },
	{ "fs ds mov (%rax),%eax: fs stays (.byte 0x64, 0x3e, 0x8b, 0x00)", X86_MODE_64, { 0x64, 0x3e, 0x8b, 0x00 }, 4,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(FS, RAX, NONE, 1, 0) },
	{ "mov (%ebx),%eax", X86_MODE_64, { 0x67, 0x8b, 0x03 }, 3,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 4, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "mov 0x10(%eip),%eax", X86_MODE_64, { 0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00 }, 7,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 4, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, RIP, NONE, 1, 0x10) },
	{ "REX then 66: REX ignored (.byte 0x48, 0x66, 0x89, 0x03)", X86_MODE_64, { 0x48, 0x66, 0x89, 0x03 }, 4,
	  .op = X86_OP_MOV, .opsize = 2, .addrsize = 8, .dst = MEM(2), .src = REG(RAX, 2), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "two REX: the last counts (.byte 0x4c, 0x40, 0x89, 0x03)", X86_MODE_64, { 0x4c, 0x40, 0x89, 0x03 }, 4,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = REG(RAX, 4), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "66 + REX.W: 64-bit (.byte 0x66, 0x48, 0x89, 0x03)", X86_MODE_64, { 0x66, 0x48, 0x89, 0x03 }, 4,
	  .op = X86_OP_MOV, .opsize = 8, .addrsize = 8, .dst = MEM(8), .src = REG(RAX, 8), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "REX.B + rm=5 mod=0: still RIP-relative (.byte 0x41, 0x8b, 0x05, 0x10, 0, 0, 0)", X86_MODE_64, { 0x41, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00 }, 7,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, RIP, NONE, 1, 0x10) },
	{ "SIB base=5 mod=0 with REX.B: no base (.byte 0x41, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0)", X86_MODE_64, { 0x41, 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00 }, 8,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, NONE, NONE, 1, 0x10) },
	{ "SIB index=4 with REX.X is r12 (.byte 0x43, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0)", X86_MODE_64, { 0x43, 0x8b, 0x04, 0x25, 0x10, 0x00, 0x00, 0x00 }, 8,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, NONE, R12, 1, 0x10) },
	{ "mov %eax,%ebx", X86_MODE_64, { 0x89, 0xc3 }, 2,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 8, .dst = REG(RBX, 4), .src = REG(RAX, 4) },
	{ "movzbl (%rax),%ecx", X86_MODE_64, { 0x0f, 0xb6, 0x08 }, 3,
	  .op = X86_OP_MOVZX, .opsize = 4, .addrsize = 8, .dst = REG(RCX, 4), .src = MEM(1), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "movzwq (%rax),%rcx", X86_MODE_64, { 0x48, 0x0f, 0xb7, 0x08 }, 4,
	  .op = X86_OP_MOVZX, .opsize = 8, .addrsize = 8, .dst = REG(RCX, 8), .src = MEM(2), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "movsbw (%rax),%cx", X86_MODE_64, { 0x66, 0x0f, 0xbe, 0x08 }, 4,
	  .op = X86_OP_MOVSX, .opsize = 2, .addrsize = 8, .dst = REG(RCX, 2), .src = MEM(1), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "movswl 4(%rax),%r11d", X86_MODE_64, { 0x44, 0x0f, 0xbf, 0x58, 0x04 }, 5,
	  .op = X86_OP_MOVSX, .opsize = 4, .addrsize = 8, .dst = REG(R11, 4), .src = MEM(2), .mem = M(DS, RAX, NONE, 1, 4) },
	{ "movslq (%rax),%rcx", X86_MODE_64, { 0x48, 0x63, 0x08 }, 3,
	  .op = X86_OP_MOVSX, .opsize = 8, .addrsize = 8, .dst = REG(RCX, 8), .src = MEM(4), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "movsxd (%rax),%ecx without REX.W (.byte 0x63, 0x08)", X86_MODE_64, { 0x63, 0x08 }, 2,
	  .op = X86_OP_MOVSX, .opsize = 4, .addrsize = 8, .dst = REG(RCX, 4), .src = MEM(4), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "movzbl %ah,%ecx", X86_MODE_64, { 0x0f, 0xb6, 0xcc }, 3,
	  .op = X86_OP_MOVZX, .opsize = 4, .addrsize = 8, .dst = REG(RCX, 4), .src = H8(RAX) },
	{ "movzbl %spl,%ecx", X86_MODE_64, { 0x40, 0x0f, 0xb6, 0xcc }, 4,
	  .op = X86_OP_MOVZX, .opsize = 4, .addrsize = 8, .dst = REG(RCX, 4), .src = REG(RSP, 1) },
	{ "add %eax,(%rbx)", X86_MODE_64, { 0x01, 0x03 }, 2,
	  .op = X86_OP_ADD, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = REG(RAX, 4), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "or (%rbx),%cl", X86_MODE_64, { 0x0a, 0x0b }, 2,
	  .op = X86_OP_OR, .opsize = 4, .addrsize = 8, .dst = REG(RCX, 1), .src = MEM(1), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "adc %r8w,2(%rax)", X86_MODE_64, { 0x66, 0x44, 0x11, 0x40, 0x02 }, 5,
	  .op = X86_OP_ADC, .opsize = 2, .addrsize = 8, .dst = MEM(2), .src = REG(R8, 2), .mem = M(DS, RAX, NONE, 1, 2) },
	{ "sbb (%rax),%rdx", X86_MODE_64, { 0x48, 0x1b, 0x10 }, 3,
	  .op = X86_OP_SBB, .opsize = 8, .addrsize = 8, .dst = REG(RDX, 8), .src = MEM(8), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "andl $0x7fffffff,(%rax)", X86_MODE_64, { 0x81, 0x20, 0xff, 0xff, 0xff, 0x7f }, 6,
	  .op = X86_OP_AND, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = IMM(4), .mem = M(DS, RAX, NONE, 1, 0), .imm = 0x7fffffff, .chk_imm = true },
	{ "orq $-1,8(%rax)", X86_MODE_64, { 0x48, 0x83, 0x48, 0x08, 0xff }, 5,
	  .op = X86_OP_OR, .opsize = 8, .addrsize = 8, .dst = MEM(8), .src = IMM(8), .mem = M(DS, RAX, NONE, 1, 8), .imm = ~0ULL, .chk_imm = true },
	{ "sub %r8w,(%rax)", X86_MODE_64, { 0x66, 0x44, 0x29, 0x00 }, 4,
	  .op = X86_OP_SUB, .opsize = 2, .addrsize = 8, .dst = MEM(2), .src = REG(R8, 2), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "xor %ch,(%rsi)", X86_MODE_64, { 0x30, 0x2e }, 2,
	  .op = X86_OP_XOR, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = H8(RCX), .mem = M(DS, RSI, NONE, 1, 0) },
	{ "cmpb $0x5,(%rax)", X86_MODE_64, { 0x80, 0x38, 0x05 }, 3,
	  .op = X86_OP_CMP, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = IMM(1), .mem = M(DS, RAX, NONE, 1, 0), .imm = 5, .chk_imm = true },
	{ "cmp (%rax),%rdx", X86_MODE_64, { 0x48, 0x3b, 0x10 }, 3,
	  .op = X86_OP_CMP, .opsize = 8, .addrsize = 8, .dst = REG(RDX, 8), .src = MEM(8), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "subl $0x12345678,0x100(%rdx)", X86_MODE_64, { 0x81, 0xaa, 0x00, 0x01, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12 }, 10,
	  .op = X86_OP_SUB, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = IMM(4), .mem = M(DS, RDX, NONE, 1, 0x100), .imm = 0x12345678, .chk_imm = true },
	{ "addw $-3,(%rax)", X86_MODE_64, { 0x66, 0x83, 0x00, 0xfd }, 4,
	  .op = X86_OP_ADD, .opsize = 2, .addrsize = 8, .dst = MEM(2), .src = IMM(2), .mem = M(DS, RAX, NONE, 1, 0), .imm = ~2ULL, .chk_imm = true },
	{ "test %eax,(%rbx)", X86_MODE_64, { 0x85, 0x03 }, 2,
	  .op = X86_OP_TEST, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = REG(RAX, 4), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "testl $0x100,(%rax)", X86_MODE_64, { 0xf7, 0x00, 0x00, 0x01, 0x00, 0x00 }, 6,
	  .op = X86_OP_TEST, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = IMM(4), .mem = M(DS, RAX, NONE, 1, 0), .imm = 0x100, .chk_imm = true },
	{ "testb $1,(%rax)", X86_MODE_64, { 0xf6, 0x00, 0x01 }, 3,
	  .op = X86_OP_TEST, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = IMM(1), .mem = M(DS, RAX, NONE, 1, 0), .imm = 1, .chk_imm = true },
	{ "testw $0x8000,(%rax)", X86_MODE_64, { 0x66, 0xf7, 0x00, 0x00, 0x80 }, 5,
	  .op = X86_OP_TEST, .opsize = 2, .addrsize = 8, .dst = MEM(2), .src = IMM(2), .mem = M(DS, RAX, NONE, 1, 0), .imm = 0xffffffffffff8000ULL, .chk_imm = true },
	{ "testq $-8,(%rax)", X86_MODE_64, { 0x48, 0xf7, 0x00, 0xf8, 0xff, 0xff, 0xff }, 7,
	  .op = X86_OP_TEST, .opsize = 8, .addrsize = 8, .dst = MEM(8), .src = IMM(8), .mem = M(DS, RAX, NONE, 1, 0), .imm = ~7ULL, .chk_imm = true },
	/* read-modify-write forms (bytes from GNU as) */
	{ "lock incl (%rax)", X86_MODE_64, { 0xf0, 0xff, 0x00 }, 3,
	  .op = X86_OP_INC, .opsize = 4, .addrsize = 8, .dst = MEM(4), .mem = M(DS, RAX, NONE, 1, 0), .prefixes = X86_PFX_LOCK },
	{ "decb 0x10(%rbx)", X86_MODE_64, { 0xfe, 0x4b, 0x10 }, 3,
	  .op = X86_OP_DEC, .opsize = 4, .addrsize = 8, .dst = MEM(1), .mem = M(DS, RBX, NONE, 1, 0x10) },
	{ "lock notq (%rcx)", X86_MODE_64, { 0xf0, 0x48, 0xf7, 0x11 }, 4,
	  .op = X86_OP_NOT, .opsize = 8, .addrsize = 8, .dst = MEM(8), .mem = M(DS, RCX, NONE, 1, 0), .prefixes = X86_PFX_LOCK },
	{ "negw (%rdx)", X86_MODE_64, { 0x66, 0xf7, 0x1a }, 3,
	  .op = X86_OP_NEG, .opsize = 2, .addrsize = 8, .dst = MEM(2), .mem = M(DS, RDX, NONE, 1, 0), .prefixes = X86_PFX_OPSIZE },
	{ "lock xadd %ecx,(%rbx)", X86_MODE_64, { 0xf0, 0x0f, 0xc1, 0x0b }, 4,
	  .op = X86_OP_XADD, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = REG(RCX, 4), .mem = M(DS, RBX, NONE, 1, 0), .prefixes = X86_PFX_LOCK },
	{ "xadd %al,(%rbx)", X86_MODE_64, { 0x0f, 0xc0, 0x03 }, 3,
	  .op = X86_OP_XADD, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = REG(RAX, 1), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "lock cmpxchg %rdx,(%rsi)", X86_MODE_64, { 0xf0, 0x48, 0x0f, 0xb1, 0x16 }, 5,
	  .op = X86_OP_CMPXCHG, .opsize = 8, .addrsize = 8, .dst = MEM(8), .src = REG(RDX, 8), .mem = M(DS, RSI, NONE, 1, 0), .prefixes = X86_PFX_LOCK },
	{ "cmpxchg %cl,(%rdi)", X86_MODE_64, { 0x0f, 0xb0, 0x0f }, 3,
	  .op = X86_OP_CMPXCHG, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = REG(RCX, 1), .mem = M(DS, RDI, NONE, 1, 0) },
	{ "bt %eax,(%rbx)", X86_MODE_64, { 0x0f, 0xa3, 0x03 }, 3,
	  .op = X86_OP_BT, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = REG(RAX, 4), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "lock bts %rcx,0x8(%rbx)", X86_MODE_64, { 0xf0, 0x48, 0x0f, 0xab, 0x4b, 0x08 }, 6,
	  .op = X86_OP_BTS, .opsize = 8, .addrsize = 8, .dst = MEM(8), .src = REG(RCX, 8), .mem = M(DS, RBX, NONE, 1, 8), .prefixes = X86_PFX_LOCK },
	{ "btr %dx,(%rbx)", X86_MODE_64, { 0x66, 0x0f, 0xb3, 0x13 }, 4,
	  .op = X86_OP_BTR, .opsize = 2, .addrsize = 8, .dst = MEM(2), .src = REG(RDX, 2), .mem = M(DS, RBX, NONE, 1, 0), .prefixes = X86_PFX_OPSIZE },
	{ "lock btcl $0x1f,(%rbx)", X86_MODE_64, { 0xf0, 0x0f, 0xba, 0x3b, 0x1f }, 5,
	  .op = X86_OP_BTC, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = IMM(1), .mem = M(DS, RBX, NONE, 1, 0), .imm = 0x1f, .chk_imm = true, .prefixes = X86_PFX_LOCK },
	{ "btq $0x3,(%rbx)", X86_MODE_64, { 0x48, 0x0f, 0xba, 0x23, 0x03 }, 5,
	  .op = X86_OP_BT, .opsize = 8, .addrsize = 8, .dst = MEM(8), .src = IMM(1), .mem = M(DS, RBX, NONE, 1, 0), .imm = 3, .chk_imm = true },
	{ "sete (%rbx)", X86_MODE_64, { 0x0f, 0x94, 0x03 }, 3,
	  .op = X86_OP_SETCC, .opsize = 4, .addrsize = 8, .dst = MEM(1), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "setg 0x4(%rax)", X86_MODE_64, { 0x0f, 0x9f, 0x40, 0x04 }, 4,
	  .op = X86_OP_SETCC, .opsize = 4, .addrsize = 8, .dst = MEM(1), .mem = M(DS, RAX, NONE, 1, 4) },
	{ "xchg %eax,(%rbx)", X86_MODE_64, { 0x87, 0x03 }, 2,
	  .op = X86_OP_XCHG, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = REG(RAX, 4), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "xchg %r8b,(%rbx)", X86_MODE_64, { 0x44, 0x86, 0x03 }, 3,
	  .op = X86_OP_XCHG, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = REG(R8, 1), .mem = M(DS, RBX, NONE, 1, 0) },
	{ "lock orl $1,(%rax)", X86_MODE_64, { 0xf0, 0x83, 0x08, 0x01 }, 4,
	  .op = X86_OP_OR, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = IMM(4), .mem = M(DS, RAX, NONE, 1, 0), .imm = 1, .chk_imm = true, .prefixes = X86_PFX_LOCK },
	{ "lock xchg %eax,(%rbx)", X86_MODE_64, { 0xf0, 0x87, 0x03 }, 3,
	  .op = X86_OP_XCHG, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = REG(RAX, 4), .mem = M(DS, RBX, NONE, 1, 0), .prefixes = X86_PFX_LOCK },
	{ "rep stos %eax,%es:(%rdi)", X86_MODE_64, { 0xf3, 0xab }, 2,
	  .op = X86_OP_STOS, .opsize = 4, .addrsize = 8, .dst = MEM(4), .src = REG(RAX, 4), .mem = M(ES, RDI, NONE, 1, 0), .prefixes = X86_PFX_REP },
	{ "rep movsb", X86_MODE_64, { 0xf3, 0xa4 }, 2,
	  .op = X86_OP_MOVS, .opsize = 4, .addrsize = 8, .dst = MEM(1), .src = MEM(1), .mem = M(ES, RDI, NONE, 1, 0), .prefixes = X86_PFX_REP, .src_seg = X86_SEG_DS },
	{ "movsq", X86_MODE_64, { 0x48, 0xa5 }, 2,
	  .op = X86_OP_MOVS, .opsize = 8, .addrsize = 8, .dst = MEM(8), .src = MEM(8), .mem = M(ES, RDI, NONE, 1, 0), .src_seg = X86_SEG_DS },
	{ "rep movsw %fs:(%rsi),%es:(%rdi)", X86_MODE_64, { 0x64, 0x66, 0xf3, 0xa5 }, 4,
	  .op = X86_OP_MOVS, .opsize = 2, .addrsize = 8, .dst = MEM(2), .src = MEM(2), .mem = M(ES, RDI, NONE, 1, 0), .prefixes = X86_PFX_REP | X86_PFX_OPSIZE | X86_PFX_SEG, .src_seg = X86_SEG_FS },
	{ "addr32 rep stosb", X86_MODE_64, { 0x67, 0xf3, 0xaa }, 3,
	  .op = X86_OP_STOS, .opsize = 4, .addrsize = 4, .dst = MEM(1), .src = REG(RAX, 1), .mem = M(ES, RDI, NONE, 1, 0), .prefixes = X86_PFX_REP | X86_PFX_ADSIZE },
	{ "stosq", X86_MODE_64, { 0x48, 0xab }, 2,
	  .op = X86_OP_STOS, .opsize = 8, .addrsize = 8, .dst = MEM(8), .src = REG(RAX, 8), .mem = M(ES, RDI, NONE, 1, 0) },
	{ "mov %eax,0xfee000b0", X86_MODE_32, { 0xa3, 0xb0, 0x00, 0xe0, 0xfe }, 5,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 4, .dst = MEM(4), .src = REG(RAX, 4), .mem = M(DS, NONE, NONE, 1, (s32)0xfee000b0) },
	{ "mov 0xfec00010,%eax", X86_MODE_32, { 0xa1, 0x10, 0x00, 0xc0, 0xfe }, 5,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 4, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, NONE, NONE, 1, (s32)0xfec00010) },
	{ "mov 0x20(%ebp),%eax", X86_MODE_32, { 0x8b, 0x45, 0x20 }, 3,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 4, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(SS, RBP, NONE, 1, 0x20) },
	{ "mov %ax,(%ecx)", X86_MODE_32, { 0x66, 0x89, 0x01 }, 3,
	  .op = X86_OP_MOV, .opsize = 2, .addrsize = 4, .dst = MEM(2), .src = REG(RAX, 2), .mem = M(DS, RCX, NONE, 1, 0) },
	{ "mov (%bx,%si),%eax", X86_MODE_32, { 0x67, 0x8b, 0x00 }, 3,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 2, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, RBX, RSI, 1, 0) },
	{ "mov 0x12345678,%eax via ModRM: absolute (.byte 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12)", X86_MODE_32, { 0x8b, 0x05, 0x78, 0x56, 0x34, 0x12 }, 6,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 4, .dst = REG(RAX, 4), .src = MEM(4), .mem = M(DS, NONE, NONE, 1, 0x12345678) },
	{ "mov %es:4(%esi,%edi,4),%dl", X86_MODE_32, { 0x26, 0x8a, 0x54, 0xbe, 0x04 }, 5,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 4, .dst = REG(RDX, 1), .src = MEM(1), .mem = M(ES, RSI, RDI, 4, 4) },
	{ "mov (%eax),%dh", X86_MODE_32, { 0x8a, 0x30 }, 2,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 4, .dst = H8(RDX), .src = MEM(1), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "addb $1,(%eax) via 82 (.byte 0x82, 0x00, 0x01)", X86_MODE_32, { 0x82, 0x00, 0x01 }, 3,
	  .op = X86_OP_ADD, .opsize = 4, .addrsize = 4, .dst = MEM(1), .src = IMM(1), .mem = M(DS, RAX, NONE, 1, 0), .imm = 1, .chk_imm = true },
	{ "rep movsl %ss:(%esi),%es:(%edi)", X86_MODE_32, { 0x36, 0xf3, 0xa5 }, 3,
	  .op = X86_OP_MOVS, .opsize = 4, .addrsize = 4, .dst = MEM(4), .src = MEM(4), .mem = M(ES, RDI, NONE, 1, 0), .prefixes = X86_PFX_REP | X86_PFX_SEG, .src_seg = X86_SEG_SS },
	{ "movzwl 0x10(%ebx),%eax", X86_MODE_32, { 0x0f, 0xb7, 0x43, 0x10 }, 4,
	  .op = X86_OP_MOVZX, .opsize = 4, .addrsize = 4, .dst = REG(RAX, 4), .src = MEM(2), .mem = M(DS, RBX, NONE, 1, 0x10) },
	{ "mov %ax,4(%bp,%si)", X86_MODE_16, { 0x89, 0x42, 0x04 }, 3,
	  .op = X86_OP_MOV, .opsize = 2, .addrsize = 2, .dst = MEM(2), .src = REG(RAX, 2), .mem = M(SS, RBP, RSI, 1, 4) },
	{ "mov 0x1234,%ax", X86_MODE_16, { 0xa1, 0x34, 0x12 }, 3,
	  .op = X86_OP_MOV, .opsize = 2, .addrsize = 2, .dst = REG(RAX, 2), .src = MEM(2), .mem = M(DS, NONE, NONE, 1, 0x1234) },
	{ "mov (%bp),%al", X86_MODE_16, { 0x8a, 0x46, 0x00 }, 3,
	  .op = X86_OP_MOV, .opsize = 2, .addrsize = 2, .dst = REG(RAX, 1), .src = MEM(1), .mem = M(SS, RBP, NONE, 1, 0) },
	{ "mov 0x1234,%bx via ModRM rm=6 mod=0 (.byte 0x8b, 0x1e, 0x34, 0x12)", X86_MODE_16, { 0x8b, 0x1e, 0x34, 0x12 }, 4,
	  .op = X86_OP_MOV, .opsize = 2, .addrsize = 2, .dst = REG(RBX, 2), .src = MEM(2), .mem = M(DS, NONE, NONE, 1, 0x1234) },
	{ "mov %eax,(%di)", X86_MODE_16, { 0x66, 0x89, 0x05 }, 3,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 2, .dst = MEM(4), .src = REG(RAX, 4), .mem = M(DS, RDI, NONE, 1, 0) },
	{ "mov %eax,(%eax)", X86_MODE_16, { 0x67, 0x66, 0x89, 0x00 }, 4,
	  .op = X86_OP_MOV, .opsize = 4, .addrsize = 4, .dst = MEM(4), .src = REG(RAX, 4), .mem = M(DS, RAX, NONE, 1, 0) },
	{ "movw $0x1234,-2(%bx)", X86_MODE_16, { 0xc7, 0x47, 0xfe, 0x34, 0x12 }, 5,
	  .op = X86_OP_MOV, .opsize = 2, .addrsize = 2, .dst = MEM(2), .src = IMM(2), .mem = M(DS, RBX, NONE, 1, -2), .imm = 0x1234, .chk_imm = true },
	{ "mov %es:(%bx,%di),%ax", X86_MODE_16, { 0x26, 0x8b, 0x01 }, 3,
	  .op = X86_OP_MOV, .opsize = 2, .addrsize = 2, .dst = REG(RAX, 2), .src = MEM(2), .mem = M(ES, RBX, RDI, 1, 0) },
	{ "add 0x1000(%bp,%di),%cx", X86_MODE_16, { 0x03, 0x8b, 0x00, 0x10 }, 4,
	  .op = X86_OP_ADD, .opsize = 2, .addrsize = 2, .dst = REG(RCX, 2), .src = MEM(2), .mem = M(SS, RBP, RDI, 1, 0x1000) },
	{ "rep stosw", X86_MODE_16, { 0xf3, 0xab }, 2,
	  .op = X86_OP_STOS, .opsize = 2, .addrsize = 2, .dst = MEM(2), .src = REG(RAX, 2), .mem = M(ES, RDI, NONE, 1, 0), .prefixes = X86_PFX_REP },
};

struct lcase {
	const char *text;
	enum x86_mode mode;
	u8 bytes[X86_INSN_MAX_LEN];
	u8 n;
	u8 op;
	u8 ctl;
};

static const struct lcase lcases[] = {
	{ "cpuid", X86_MODE_64, { 0x0f, 0xa2 }, .n = 2, .op = X86_OP_CPUID },
	{ "rdmsr", X86_MODE_64, { 0x0f, 0x32 }, .n = 2, .op = X86_OP_RDMSR },
	{ "wrmsr", X86_MODE_64, { 0x0f, 0x30 }, .n = 2, .op = X86_OP_WRMSR },
	{ "hlt", X86_MODE_64, { 0xf4 }, .n = 1, .op = X86_OP_HLT },
	{ "vmmcall", X86_MODE_64, { 0x0f, 0x01, 0xd9 }, .n = 3, .op = X86_OP_VMMCALL },
	{ "vmcall", X86_MODE_64, { 0x0f, 0x01, 0xc1 }, .n = 3, .op = X86_OP_VMCALL },
	{ "rdtsc", X86_MODE_64, { 0x0f, 0x31 }, .n = 2, .op = X86_OP_RDTSC },
	{ "rdtscp", X86_MODE_64, { 0x0f, 0x01, 0xf9 }, .n = 3, .op = X86_OP_RDTSCP },
	{ "in $0x60,%al", X86_MODE_64, { 0xe4, 0x60 }, .n = 2, .op = X86_OP_IN },
	{ "out %al,$0x80", X86_MODE_64, { 0xe6, 0x80 }, .n = 2, .op = X86_OP_OUT },
	{ "in (%dx),%eax", X86_MODE_64, { 0xed }, .n = 1, .op = X86_OP_IN },
	{ "out %ax,(%dx)", X86_MODE_64, { 0x66, 0xef }, .n = 2, .op = X86_OP_OUT },
	{ "rep insb (%dx),%es:(%rdi)", X86_MODE_64, { 0xf3, 0x6c }, .n = 2, .op = X86_OP_INS },
	{ "rep outsw %ds:(%rsi),(%dx)", X86_MODE_64, { 0x66, 0xf3, 0x6f }, .n = 3, .op = X86_OP_OUTS },
	{ "xsetbv", X86_MODE_64, { 0x0f, 0x01, 0xd1 }, .n = 3, .op = X86_OP_XSETBV },
	{ "wbinvd", X86_MODE_64, { 0x0f, 0x09 }, .n = 2, .op = X86_OP_WBINVD },
	{ "invd", X86_MODE_64, { 0x0f, 0x08 }, .n = 2, .op = X86_OP_INVD },
	{ "pause", X86_MODE_64, { 0xf3, 0x90 }, .n = 2, .op = X86_OP_PAUSE },
	{ "monitor", X86_MODE_64, { 0x0f, 0x01, 0xc8 }, .n = 3, .op = X86_OP_MONITOR },
	{ "mwait", X86_MODE_64, { 0x0f, 0x01, 0xc9 }, .n = 3, .op = X86_OP_MWAIT },
	{ "clts", X86_MODE_64, { 0x0f, 0x06 }, .n = 2, .op = X86_OP_CLTS },
	{ "rdpmc", X86_MODE_64, { 0x0f, 0x33 }, .n = 2, .op = X86_OP_RDPMC },
	{ "vmrun", X86_MODE_64, { 0x0f, 0x01, 0xd8 }, .n = 3, .op = X86_OP_VMRUN },
	{ "vmload", X86_MODE_64, { 0x0f, 0x01, 0xda }, .n = 3, .op = X86_OP_VMLOAD },
	{ "vmsave", X86_MODE_64, { 0x0f, 0x01, 0xdb }, .n = 3, .op = X86_OP_VMSAVE },
	{ "stgi", X86_MODE_64, { 0x0f, 0x01, 0xdc }, .n = 3, .op = X86_OP_STGI },
	{ "clgi", X86_MODE_64, { 0x0f, 0x01, 0xdd }, .n = 3, .op = X86_OP_CLGI },
	{ "skinit", X86_MODE_64, { 0x0f, 0x01, 0xde }, .n = 3, .op = X86_OP_SKINIT },
	{ "invlpga", X86_MODE_64, { 0x0f, 0x01, 0xdf }, .n = 3, .op = X86_OP_INVLPGA },
	{ "invlpg (%rax)", X86_MODE_64, { 0x0f, 0x01, 0x38 }, .n = 3, .op = X86_OP_INVLPG },
	{ "invlpg 0x10(%rax,%rbx,4)", X86_MODE_64, { 0x0f, 0x01, 0x7c, 0x98, 0x10 }, .n = 5, .op = X86_OP_INVLPG },
	{ "lmsw (%rax)", X86_MODE_64, { 0x0f, 0x01, 0x30 }, .n = 3, .op = X86_OP_LMSW },
	{ "smsw %eax", X86_MODE_64, { 0x0f, 0x01, 0xe0 }, .n = 3, .op = X86_OP_SMSW },
	{ "mov %cr0,%rax", X86_MODE_64, { 0x0f, 0x20, 0xc0 }, .n = 3, .op = X86_OP_MOV_FROM_CR, .ctl = 0 },
	{ "mov %rax,%cr3", X86_MODE_64, { 0x0f, 0x22, 0xd8 }, .n = 3, .op = X86_OP_MOV_TO_CR, .ctl = 3 },
	{ "mov %cr4,%r9", X86_MODE_64, { 0x41, 0x0f, 0x20, 0xe1 }, .n = 4, .op = X86_OP_MOV_FROM_CR, .ctl = 4 },
	{ "mov %db7,%rax", X86_MODE_64, { 0x0f, 0x21, 0xf8 }, .n = 3, .op = X86_OP_MOV_FROM_DR, .ctl = 7 },
	{ "mov %rax,%db6", X86_MODE_64, { 0x0f, 0x23, 0xf0 }, .n = 3, .op = X86_OP_MOV_TO_DR, .ctl = 6 },
	{ "AMD lock mov %eax,%cr0 = mov to cr8 (.byte 0xf0, 0x0f, 0x22, 0xc0)", X86_MODE_64, { 0xf0, 0x0f, 0x22, 0xc0 }, .n = 4, .op = X86_OP_MOV_TO_CR, .ctl = 8 },
	{ "mov %cr0: mod bits ignored, no disp32 (.byte 0x0f, 0x20, 0x05)", X86_MODE_64, { 0x0f, 0x20, 0x05 }, .n = 3, .op = X86_OP_MOV_FROM_CR, .ctl = 0 },
	{ "cpuid with junk prefixes (.byte 0x2e, 0x3e, 0x66, 0x67, 0xf2, 0x0f, 0xa2)", X86_MODE_64, { 0x2e, 0x3e, 0x66, 0x67, 0xf2, 0x0f, 0xa2 }, .n = 7, .op = X86_OP_CPUID },
	{ "in $0x40,%ax (.byte 0x66, 0xe5, 0x40)", X86_MODE_64, { 0x66, 0xe5, 0x40 }, .n = 3, .op = X86_OP_IN },
	{ "lmsw 0x12345678(%esp) (.byte 0x0f, 0x01, 0xb4, 0x24, 0x78, 0x56, 0x34, 0x12)", X86_MODE_64, { 0x0f, 0x01, 0xb4, 0x24, 0x78, 0x56, 0x34, 0x12 }, .n = 8, .op = X86_OP_LMSW },
	{ "cpuid", X86_MODE_32, { 0x0f, 0xa2 }, .n = 2, .op = X86_OP_CPUID },
	{ "rdmsr", X86_MODE_32, { 0x0f, 0x32 }, .n = 2, .op = X86_OP_RDMSR },
	{ "wrmsr", X86_MODE_32, { 0x0f, 0x30 }, .n = 2, .op = X86_OP_WRMSR },
	{ "hlt", X86_MODE_32, { 0xf4 }, .n = 1, .op = X86_OP_HLT },
	{ "vmmcall", X86_MODE_32, { 0x0f, 0x01, 0xd9 }, .n = 3, .op = X86_OP_VMMCALL },
	{ "vmcall", X86_MODE_32, { 0x0f, 0x01, 0xc1 }, .n = 3, .op = X86_OP_VMCALL },
	{ "rdtsc", X86_MODE_32, { 0x0f, 0x31 }, .n = 2, .op = X86_OP_RDTSC },
	{ "rdtscp", X86_MODE_32, { 0x0f, 0x01, 0xf9 }, .n = 3, .op = X86_OP_RDTSCP },
	{ "in $0x60,%al", X86_MODE_32, { 0xe4, 0x60 }, .n = 2, .op = X86_OP_IN },
	{ "out %al,$0x80", X86_MODE_32, { 0xe6, 0x80 }, .n = 2, .op = X86_OP_OUT },
	{ "in (%dx),%eax", X86_MODE_32, { 0xed }, .n = 1, .op = X86_OP_IN },
	{ "out %ax,(%dx)", X86_MODE_32, { 0x66, 0xef }, .n = 2, .op = X86_OP_OUT },
	{ "rep insb (%dx),%es:(%edi)", X86_MODE_32, { 0xf3, 0x6c }, .n = 2, .op = X86_OP_INS },
	{ "rep outsw %ds:(%esi),(%dx)", X86_MODE_32, { 0x66, 0xf3, 0x6f }, .n = 3, .op = X86_OP_OUTS },
	{ "xsetbv", X86_MODE_32, { 0x0f, 0x01, 0xd1 }, .n = 3, .op = X86_OP_XSETBV },
	{ "wbinvd", X86_MODE_32, { 0x0f, 0x09 }, .n = 2, .op = X86_OP_WBINVD },
	{ "invd", X86_MODE_32, { 0x0f, 0x08 }, .n = 2, .op = X86_OP_INVD },
	{ "pause", X86_MODE_32, { 0xf3, 0x90 }, .n = 2, .op = X86_OP_PAUSE },
	{ "monitor", X86_MODE_32, { 0x0f, 0x01, 0xc8 }, .n = 3, .op = X86_OP_MONITOR },
	{ "mwait", X86_MODE_32, { 0x0f, 0x01, 0xc9 }, .n = 3, .op = X86_OP_MWAIT },
	{ "clts", X86_MODE_32, { 0x0f, 0x06 }, .n = 2, .op = X86_OP_CLTS },
	{ "rdpmc", X86_MODE_32, { 0x0f, 0x33 }, .n = 2, .op = X86_OP_RDPMC },
	{ "vmrun", X86_MODE_32, { 0x0f, 0x01, 0xd8 }, .n = 3, .op = X86_OP_VMRUN },
	{ "vmload", X86_MODE_32, { 0x0f, 0x01, 0xda }, .n = 3, .op = X86_OP_VMLOAD },
	{ "vmsave", X86_MODE_32, { 0x0f, 0x01, 0xdb }, .n = 3, .op = X86_OP_VMSAVE },
	{ "stgi", X86_MODE_32, { 0x0f, 0x01, 0xdc }, .n = 3, .op = X86_OP_STGI },
	{ "clgi", X86_MODE_32, { 0x0f, 0x01, 0xdd }, .n = 3, .op = X86_OP_CLGI },
	{ "skinit", X86_MODE_32, { 0x0f, 0x01, 0xde }, .n = 3, .op = X86_OP_SKINIT },
	{ "invlpga", X86_MODE_32, { 0x0f, 0x01, 0xdf }, .n = 3, .op = X86_OP_INVLPGA },
	{ "invlpg (%eax)", X86_MODE_32, { 0x0f, 0x01, 0x38 }, .n = 3, .op = X86_OP_INVLPG },
	{ "invlpg 0x10(%eax,%ebx,4)", X86_MODE_32, { 0x0f, 0x01, 0x7c, 0x98, 0x10 }, .n = 5, .op = X86_OP_INVLPG },
	{ "lmsw (%eax)", X86_MODE_32, { 0x0f, 0x01, 0x30 }, .n = 3, .op = X86_OP_LMSW },
	{ "smsw %eax", X86_MODE_32, { 0x0f, 0x01, 0xe0 }, .n = 3, .op = X86_OP_SMSW },
	{ "mov %cr0,%eax", X86_MODE_32, { 0x0f, 0x20, 0xc0 }, .n = 3, .op = X86_OP_MOV_FROM_CR, .ctl = 0 },
	{ "mov %eax,%cr3", X86_MODE_32, { 0x0f, 0x22, 0xd8 }, .n = 3, .op = X86_OP_MOV_TO_CR, .ctl = 3 },
	{ "mov %cr4,%ecx", X86_MODE_32, { 0x0f, 0x20, 0xe1 }, .n = 3, .op = X86_OP_MOV_FROM_CR, .ctl = 4 },
	{ "mov %db7,%eax", X86_MODE_32, { 0x0f, 0x21, 0xf8 }, .n = 3, .op = X86_OP_MOV_FROM_DR, .ctl = 7 },
	{ "mov %eax,%db6", X86_MODE_32, { 0x0f, 0x23, 0xf0 }, .n = 3, .op = X86_OP_MOV_TO_DR, .ctl = 6 },
	{ "AMD lock mov %eax,%cr0 = mov to cr8 (.byte 0xf0, 0x0f, 0x22, 0xc0)", X86_MODE_32, { 0xf0, 0x0f, 0x22, 0xc0 }, .n = 4, .op = X86_OP_MOV_TO_CR, .ctl = 8 },
	{ "mov %cr0: mod bits ignored, no disp32 (.byte 0x0f, 0x20, 0x05)", X86_MODE_32, { 0x0f, 0x20, 0x05 }, .n = 3, .op = X86_OP_MOV_FROM_CR, .ctl = 0 },
	{ "cpuid with junk prefixes (.byte 0x2e, 0x3e, 0x66, 0x67, 0xf2, 0x0f, 0xa2)", X86_MODE_32, { 0x2e, 0x3e, 0x66, 0x67, 0xf2, 0x0f, 0xa2 }, .n = 7, .op = X86_OP_CPUID },
	{ "in $0x40,%ax (.byte 0x66, 0xe5, 0x40)", X86_MODE_32, { 0x66, 0xe5, 0x40 }, .n = 3, .op = X86_OP_IN },
	{ "lmsw 0x12345678(%esp) (.byte 0x0f, 0x01, 0xb4, 0x24, 0x78, 0x56, 0x34, 0x12)", X86_MODE_32, { 0x0f, 0x01, 0xb4, 0x24, 0x78, 0x56, 0x34, 0x12 }, .n = 8, .op = X86_OP_LMSW },
	{ "invlpg 0x12345678(%rip)", X86_MODE_64, { 0x0f, 0x01, 0x3d, 0x78, 0x56, 0x34, 0x12 }, .n = 7, .op = X86_OP_INVLPG },
	{ "mov %rax,%cr8", X86_MODE_64, { 0x44, 0x0f, 0x22, 0xc0 }, .n = 4, .op = X86_OP_MOV_TO_CR, .ctl = 8 },
	{ "mov %cr8,%r15", X86_MODE_64, { 0x45, 0x0f, 0x20, 0xc7 }, .n = 4, .op = X86_OP_MOV_FROM_CR, .ctl = 8 },
	{ "rex.w cpuid (.byte 0x48, 0x0f, 0xa2)", X86_MODE_64, { 0x48, 0x0f, 0xa2 }, .n = 3, .op = X86_OP_CPUID },
	{ "rex vmmcall (.byte 0x41, 0x0f, 0x01, 0xd9)", X86_MODE_64, { 0x41, 0x0f, 0x01, 0xd9 }, .n = 4, .op = X86_OP_VMMCALL },
	{ "cpuid", X86_MODE_16, { 0x0f, 0xa2 }, .n = 2, .op = X86_OP_CPUID },
	{ "in $0x71,%al", X86_MODE_16, { 0xe4, 0x71 }, .n = 2, .op = X86_OP_IN },
	{ "out %al,(%dx)", X86_MODE_16, { 0xee }, .n = 1, .op = X86_OP_OUT },
	{ "hlt", X86_MODE_16, { 0xf4 }, .n = 1, .op = X86_OP_HLT },
	{ "invlpg 4(%bx,%si)", X86_MODE_16, { 0x0f, 0x01, 0x78, 0x04 }, .n = 4, .op = X86_OP_INVLPG },
	{ "rdmsr", X86_MODE_16, { 0x0f, 0x32 }, .n = 2, .op = X86_OP_RDMSR },
	{ "vmmcall", X86_MODE_16, { 0x0f, 0x01, 0xd9 }, .n = 3, .op = X86_OP_VMMCALL },
	{ "mov %eax,%cr0", X86_MODE_16, { 0x0f, 0x22, 0xc0 }, .n = 3, .op = X86_OP_MOV_TO_CR, .ctl = 0 },
};

static void check_opnd(const char *text, const char *which,
		       const struct x86_opnd *got, const struct x86_opnd *exp)
{
	if (got->kind != exp->kind || got->size != exp->size ||
	    (exp->kind == X86_OPND_REG &&
	     (got->reg != exp->reg || got->high8 != exp->high8)))
		fail_msg("%s: %s: got kind %u size %u reg %u high8 %d, want kind %u "
			 "size %u reg %u high8 %d", text, which, got->kind, got->size,
			 got->reg, got->high8, exp->kind, exp->size, exp->reg,
			 exp->high8);
}

static void check_case(const struct dcase *c, const struct x86_insn *in)
{
	if (in->len != c->n || in->op != c->op || in->opsize != c->opsize ||
	    in->addrsize != c->addrsize)
		fail_msg("%s: len %u op %u opsize %u addrsize %u, want %u %u %u %u",
			 c->text, in->len, in->op, in->opsize, in->addrsize, c->n,
			 c->op, c->opsize, c->addrsize);
	check_opnd(c->text, "dst", &in->dst, &c->dst);
	check_opnd(c->text, "src", &in->src, &c->src);
	if (c->mem.scale && (in->mem.seg != c->mem.seg || in->mem.base != c->mem.base ||
			     in->mem.index != c->mem.index ||
			     in->mem.scale != c->mem.scale || in->mem.disp != c->mem.disp))
		fail_msg("%s: mem seg %u base %u index %u scale %u disp %lld, want "
			 "%u %u %u %u %lld", c->text, in->mem.seg, in->mem.base,
			 in->mem.index, in->mem.scale, (long long)in->mem.disp,
			 c->mem.seg, c->mem.base, c->mem.index, c->mem.scale,
			 (long long)c->mem.disp);
	if (c->chk_imm && in->imm != c->imm)
		fail_msg("%s: imm %#llx, want %#llx", c->text,
			 (unsigned long long)in->imm, (unsigned long long)c->imm);
	if (c->prefixes && in->prefixes != c->prefixes)
		fail_msg("%s: prefixes %#x, want %#x", c->text, in->prefixes, c->prefixes);
	if (c->op == X86_OP_MOVS && in->src_seg != c->src_seg)
		fail_msg("%s: src_seg %u, want %u", c->text, in->src_seg, c->src_seg);
}

static void test_decode_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dcases) / sizeof(dcases[0]); i++) {
		const struct dcase *c = &dcases[i];
		struct x86_insn in;
		u8 buf[32];
		enum x86_decode_result r;

		r = x86_insn_decode(c->bytes, c->n, c->mode, &in);
		if (r != X86_DECODE_OK)
			fail_msg("%s: decode result %d", c->text, r);
		check_case(c, &in);
		/* Trailing bytes do not change the result. */
		memset(buf, 0xcc, sizeof(buf));
		memcpy(buf, c->bytes, c->n);
		assert_int_equal(x86_insn_decode(buf, sizeof(buf), c->mode, &in), X86_DECODE_OK);
		check_case(c, &in);
		/* Every proper prefix of the encoding is truncated, and the
		 * decoder reads nothing past n (ASan checks the heap copy). */
		for (u8 k = 0; k < c->n; k++) {
			u8 *h = malloc(k ? k : 1);
			memcpy(h, c->bytes, k);
			r = x86_insn_decode(h, k, c->mode, &in);
			free(h);
			if (r != X86_DECODE_TRUNCATED)
				fail_msg("%s: first %u bytes: result %d, want TRUNCATED",
					 c->text, k, r);
		}
	}
}

static void test_length_exits(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(lcases) / sizeof(lcases[0]); i++) {
		const struct lcase *c = &lcases[i];
		struct x86_insn in;
		int len = x86_insn_length(c->bytes, c->n, c->mode, (enum x86_op)c->op);

		if (len != c->n)
			fail_msg("%s: length %d, want %u", c->text, len, c->n);
		assert_int_equal(x86_insn_length(c->bytes, c->n, c->mode, X86_OP_ANY), c->n);
		/* The op check: a CPUID exit must not skip an RDMSR. */
		assert_int_equal(x86_insn_length(c->bytes, c->n, c->mode,
						 c->op == X86_OP_CPUID ? X86_OP_RDMSR
								       : X86_OP_CPUID),
				 -(int)X86_DECODE_UNSUPPORTED);
		assert_int_equal(x86_insn_decode(c->bytes, c->n, c->mode, &in), X86_DECODE_OK);
		if ((in.op == X86_OP_MOV_TO_CR || in.op == X86_OP_MOV_FROM_CR ||
		     in.op == X86_OP_MOV_TO_DR || in.op == X86_OP_MOV_FROM_DR) &&
		    in.ctl != c->ctl)
			fail_msg("%s: ctl %u, want %u", c->text, in.ctl, c->ctl);
		for (u8 k = 0; k < c->n; k++)
			assert_int_equal(x86_insn_length(c->bytes, k, c->mode, X86_OP_ANY),
					 -(int)X86_DECODE_TRUNCATED);
	}
}

/* Operand details of the exit instructions the handlers use. */
static void test_exit_operands(void **state)
{
	struct x86_insn in;
	static const u8 in_imm[] = { 0x66, 0xe5, 0x40 };  /* in $0x40,%ax */
	static const u8 out_dx[] = { 0xee };              /* out %al,(%dx) */
	static const u8 port_ff[] = { 0xe6, 0xff };       /* out %al,$0xff */
	static const u8 cr_r9[] = { 0x41, 0x0f, 0x22, 0xd9 }; /* mov %r9,%cr3 */

	(void)state;
	assert_int_equal(x86_insn_decode(in_imm, sizeof(in_imm), X86_MODE_64, &in), 0);
	assert_int_equal(in.op, X86_OP_IN);
	assert_int_equal(in.dst.size, 2);
	assert_int_equal(in.src.kind, X86_OPND_IMM);
	assert_int_equal(in.imm, 0x40);
	assert_int_equal(x86_insn_decode(out_dx, sizeof(out_dx), X86_MODE_32, &in), 0);
	assert_int_equal(in.op, X86_OP_OUT);
	assert_int_equal(in.dst.kind, X86_OPND_REG);
	assert_int_equal(in.dst.reg, X86_REG_RDX);
	assert_int_equal(in.src.size, 1);
	assert_int_equal(x86_insn_decode(port_ff, sizeof(port_ff), X86_MODE_64, &in), 0);
	assert_int_equal(in.imm, 0xff); /* port numbers are not sign-extended */
	assert_int_equal(x86_insn_decode(cr_r9, sizeof(cr_r9), X86_MODE_64, &in), 0);
	assert_int_equal(in.op, X86_OP_MOV_TO_CR);
	assert_int_equal(in.ctl, 3);
	assert_int_equal(in.src.reg, X86_REG_R9);
	assert_int_equal(in.src.size, 8);
}

static void test_too_long(void **state)
{
	u8 buf[32];
	struct x86_insn in;

	(void)state;
	/* 13 prefixes + cpuid = 15 bytes: legal. */
	memset(buf, 0x66, 13);
	buf[13] = 0x0f;
	buf[14] = 0xa2;
	assert_int_equal(x86_insn_decode(buf, 15, X86_MODE_64, &in), X86_DECODE_OK);
	assert_int_equal(in.len, 15);
	assert_int_equal(x86_insn_length(buf, 15, X86_MODE_32, X86_OP_CPUID), 15);
	/* 14 prefixes + cpuid = 16 bytes: #GP, whether or not bytes remain. */
	memset(buf, 0x2e, 14);
	buf[14] = 0x0f;
	buf[15] = 0xa2;
	assert_int_equal(x86_insn_decode(buf, 16, X86_MODE_32, &in), X86_DECODE_TOO_LONG);
	assert_int_equal(x86_insn_decode(buf, 15, X86_MODE_32, &in), X86_DECODE_TOO_LONG);
	assert_int_equal(x86_insn_length(buf, 32, X86_MODE_32, X86_OP_ANY),
			 -(int)X86_DECODE_TOO_LONG);
	/* Prefixes then a long body: movq $imm32, disp32(%rax,%rbx) is 12
	 * bytes with REX; 4 prefixes make it 16. */
	static const u8 body[] = { 0x48, 0xc7, 0x84, 0x18, 1, 2, 3, 4, 5, 6, 7, 8 };
	memset(buf, 0x66, 4);
	memcpy(buf + 4, body, sizeof(body));
	assert_int_equal(x86_insn_decode(buf, 4 + sizeof(body), X86_MODE_64, &in),
			 X86_DECODE_TOO_LONG);
	assert_int_equal(x86_insn_decode(buf + 1, 3 + sizeof(body), X86_MODE_64, &in),
			 X86_DECODE_OK);
	assert_int_equal(in.len, 15);
	/* Only REX prefixes also count. */
	memset(buf, 0x48, 15);
	assert_int_equal(x86_insn_decode(buf, 32, X86_MODE_64, &in), X86_DECODE_TOO_LONG);
}

struct ecase {
	const char *text;
	enum x86_mode mode;
	u8 bytes[X86_INSN_MAX_LEN];
	u8 n;
	enum x86_decode_result want;
};

static const struct ecase ecases[] = {
	{ "ud2", X86_MODE_64, { 0x0f, 0x0b }, 2, X86_DECODE_UNSUPPORTED },
	{ "nop", X86_MODE_64, { 0x90 }, 1, X86_DECODE_UNSUPPORTED },
	{ "lea (%rax),%rax", X86_MODE_64, { 0x48, 0x8d, 0x00 }, 3, X86_DECODE_UNSUPPORTED },
	{ "mull (%rax)", X86_MODE_64, { 0xf7, 0x20 }, 2, X86_DECODE_UNSUPPORTED },
	{ "call *(%rax) (ff /2)", X86_MODE_64, { 0xff, 0x10 }, 2, X86_DECODE_UNSUPPORTED },
	{ "fe /2", X86_MODE_64, { 0xfe, 0x10 }, 2, X86_DECODE_BAD_MODRM },
	{ "ff /7", X86_MODE_64, { 0xff, 0x38 }, 2, X86_DECODE_BAD_MODRM },
	{ "0f ba /0", X86_MODE_64, { 0x0f, 0xba, 0x03, 0x01 }, 4, X86_DECODE_BAD_MODRM },
	{ "lock bt %eax,(%rbx)", X86_MODE_64, { 0xf0, 0x0f, 0xa3, 0x03 }, 4, X86_DECODE_BAD_LOCK },
	{ "lock btl $1,(%rbx)", X86_MODE_64, { 0xf0, 0x0f, 0xba, 0x23, 0x01 }, 5, X86_DECODE_BAD_LOCK },
	{ "lock sete (%rbx)", X86_MODE_64, { 0xf0, 0x0f, 0x94, 0x03 }, 4, X86_DECODE_BAD_LOCK },
	{ "lock incl %eax (register dst)", X86_MODE_64, { 0xf0, 0xff, 0xc0 }, 3, X86_DECODE_BAD_LOCK },
	{ "f6 /1 (undocumented test alias)", X86_MODE_64, { 0xf6, 0x08, 0x01 }, 3, X86_DECODE_UNSUPPORTED },
	{ "VEX vmovdqu (c5 fe 6f 00)", X86_MODE_64, { 0xc5, 0xfe, 0x6f, 0x00 }, 4, X86_DECODE_UNSUPPORTED },
	{ "0f 38 map (pshufb)", X86_MODE_64, { 0x0f, 0x38, 0x00, 0x00 }, 4, X86_DECODE_UNSUPPORTED },
	{ "add $1,%al (no ModRM form)", X86_MODE_64, { 0x04, 0x01 }, 2, X86_DECODE_UNSUPPORTED },
	{ "82 /0 in 64-bit mode", X86_MODE_64, { 0x82, 0x00, 0x01 }, 3, X86_DECODE_UNSUPPORTED },
	{ "63 = arpl in 32-bit mode", X86_MODE_32, { 0x63, 0x00 }, 2, X86_DECODE_UNSUPPORTED },
	{ "40 = inc %eax in 32-bit mode", X86_MODE_32, { 0x40, 0x89, 0x03 }, 3, X86_DECODE_UNSUPPORTED },
	{ "sgdt (%rax)", X86_MODE_64, { 0x0f, 0x01, 0x00 }, 3, X86_DECODE_UNSUPPORTED },
	{ "0f 01 d0 = xgetbv (not intercepted)", X86_MODE_64, { 0x0f, 0x01, 0xd0 }, 3, X86_DECODE_UNSUPPORTED },
	{ "xabort $1 (c6 f8)", X86_MODE_64, { 0xc6, 0xf8, 0x01 }, 3, X86_DECODE_UNSUPPORTED },
	{ "rex.b 90 with f3 is xchg, not pause", X86_MODE_64, { 0xf3, 0x41, 0x90 }, 3, X86_DECODE_UNSUPPORTED },
	{ "c6 /1", X86_MODE_64, { 0xc6, 0x08, 0x01 }, 3, X86_DECODE_BAD_MODRM },
	{ "c7 /3", X86_MODE_32, { 0xc7, 0x18, 1, 2, 3, 4 }, 6, X86_DECODE_BAD_MODRM },
	{ "mov %cr5,%rax", X86_MODE_64, { 0x0f, 0x20, 0xe8 }, 3, X86_DECODE_BAD_MODRM },
	{ "mov %rax,%cr1", X86_MODE_64, { 0x0f, 0x22, 0xc8 }, 3, X86_DECODE_BAD_MODRM },
	{ "mov %rax,%cr9 (rex.r)", X86_MODE_64, { 0x44, 0x0f, 0x22, 0xc8 }, 4, X86_DECODE_BAD_MODRM },
	{ "mov %db8,%rax (rex.r)", X86_MODE_64, { 0x44, 0x0f, 0x21, 0xc0 }, 4, X86_DECODE_BAD_MODRM },
	{ "lock mov %eax,(%rbx)", X86_MODE_64, { 0xf0, 0x89, 0x03 }, 3, X86_DECODE_BAD_LOCK },
	{ "lock add %eax,%eax (register dst)", X86_MODE_64, { 0xf0, 0x01, 0xc0 }, 3, X86_DECODE_BAD_LOCK },
	{ "lock add (%rbx),%eax (register dst)", X86_MODE_64, { 0xf0, 0x03, 0x03 }, 3, X86_DECODE_BAD_LOCK },
	{ "lock cmp %eax,(%rbx)", X86_MODE_64, { 0xf0, 0x39, 0x03 }, 3, X86_DECODE_BAD_LOCK },
	{ "lock cmpl $1,(%rbx)", X86_MODE_32, { 0xf0, 0x83, 0x3b, 0x01 }, 4, X86_DECODE_BAD_LOCK },
	{ "lock test %eax,(%rbx)", X86_MODE_64, { 0xf0, 0x85, 0x03 }, 3, X86_DECODE_BAD_LOCK },
	{ "lock movzbl (%rax),%eax", X86_MODE_64, { 0xf0, 0x0f, 0xb6, 0x00 }, 4, X86_DECODE_BAD_LOCK },
	{ "lock movsb", X86_MODE_64, { 0xf0, 0xa4 }, 2, X86_DECODE_BAD_LOCK },
	{ "lock cpuid", X86_MODE_64, { 0xf0, 0x0f, 0xa2 }, 3, X86_DECODE_BAD_LOCK },
	{ "lock xchg %eax,%ebx (register)", X86_MODE_64, { 0xf0, 0x87, 0xc3 }, 3, X86_DECODE_BAD_LOCK },
	{ "truncated: lone 0f", X86_MODE_64, { 0x0f }, 1, X86_DECODE_TRUNCATED },
	{ "truncated: prefixes only", X86_MODE_64, { 0x66, 0x48 }, 2, X86_DECODE_TRUNCATED },
	{ "truncated: empty", X86_MODE_64, { 0 }, 0, X86_DECODE_TRUNCATED },
	{ "truncated: SIB missing", X86_MODE_64, { 0x8b, 0x04 }, 2, X86_DECODE_TRUNCATED },
	{ "truncated: 0f 01 without ModRM", X86_MODE_64, { 0x0f, 0x01 }, 2, X86_DECODE_TRUNCATED },
};

static void test_decode_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ecases) / sizeof(ecases[0]); i++) {
		const struct ecase *c = &ecases[i];
		struct x86_insn in;
		u8 *h = malloc(c->n ? c->n : 1);
		enum x86_decode_result r;

		memcpy(h, c->bytes, c->n);
		r = x86_insn_decode(h, c->n, c->mode, &in);
		free(h);
		if (r != c->want)
			fail_msg("%s: result %d, want %d", c->text, r, c->want);
		assert_int_equal(x86_insn_length(c->bytes, c->n, c->mode, X86_OP_ANY),
				 -(int)c->want);
	}
}

static void test_bad_args(void **state)
{
	static const u8 b[] = { 0x0f, 0xa2 };
	struct x86_insn in;

	(void)state;
	assert_int_equal(x86_insn_decode(NULL, 2, X86_MODE_64, &in), X86_DECODE_BAD_ARG);
	assert_int_equal(x86_insn_decode(b, 2, X86_MODE_64, NULL), X86_DECODE_BAD_ARG);
	assert_int_equal(x86_insn_decode(b, 2, (enum x86_mode)7, &in), X86_DECODE_BAD_ARG);
	assert_int_equal(x86_insn_length(b, 2, (enum x86_mode)3, X86_OP_ANY),
			 -(int)X86_DECODE_BAD_ARG);
}

/* 16-bit mode: every ModRM row of SDM vol 2 table 2-1 (mod 0..2, rm 0..7). */
static void test_mem16_table(void **state)
{
	static const u8 base[8] = { X86_REG_RBX, X86_REG_RBX, X86_REG_RBP, X86_REG_RBP,
				    X86_REG_NONE, X86_REG_NONE, X86_REG_RBP, X86_REG_RBX };
	static const u8 index[8] = { X86_REG_RSI, X86_REG_RDI, X86_REG_RSI, X86_REG_RDI,
				     X86_REG_RSI, X86_REG_RDI, X86_REG_NONE, X86_REG_NONE };
	struct x86_insn in;

	(void)state;
	for (u8 mod = 0; mod < 3; mod++) {
		for (u8 rm = 0; rm < 8; rm++) {
			/* mov disp(...),%ax: 8b modrm [disp8|disp16] */
			u8 b[4] = { 0x8b, (u8)(mod << 6 | rm), 0xfe, 0xff };
			u8 want_len = (u8)(2 + (mod == 1 ? 1 : mod == 2 ? 2 : 0) +
					   (mod == 0 && rm == 6 ? 2 : 0));
			u8 want_base = base[rm], want_index = index[rm];

			/* rm 4/5 are SI/DI as the base in the SDM's terms. */
			if (rm == 4 || rm == 5) {
				want_base = want_index;
				want_index = X86_REG_NONE;
			}
			if (mod == 0 && rm == 6)
				want_base = X86_REG_NONE;
			assert_int_equal(x86_insn_decode(b, sizeof(b), X86_MODE_16, &in), 0);
			assert_int_equal(in.len, want_len);
			assert_int_equal(in.mem.base, want_base);
			assert_int_equal(in.mem.index, want_index);
			assert_int_equal(in.mem.seg, want_base == X86_REG_RBP ? X86_SEG_SS
										: X86_SEG_DS);
			assert_int_equal(in.mem.disp, mod == 0 && rm != 6 ? 0
						      : mod == 1 ? -2 : (mod == 2 || rm == 6) ? -2 : 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_forms),
		cmocka_unit_test(test_length_exits),
		cmocka_unit_test(test_exit_operands),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_mem16_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
