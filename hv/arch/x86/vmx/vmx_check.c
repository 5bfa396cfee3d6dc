/* The checks a VM entry makes on the guest-state area, Intel SDM vol. 3
 * 26.3.1 (26.3.1.1 control and debug registers and MSRs, 26.3.1.2
 * segment registers, 26.3.1.3 descriptor-table registers, 26.3.1.4 RIP
 * and RFLAGS, 26.3.1.5 non-register state), in that order, over a copy
 * of the fields: run only after an entry failed with exit reason 33, so
 * that the VM's stop reason names the field. Pure: no VMCS access. The
 * PDPTE checks (26.3.1.6) are left to the exit qualification (2). */
#include "vmx_check.h"
#include "vmcs.h"

#define CR0_PE          (1ULL << 0)
#define CR0_PG          (1ULL << 31)
#define CR4_PAE         (1ULL << 5)
#define CR4_PCIDE       (1ULL << 17)
#define EFER_LME        (1ULL << 8)
#define EFER_LMA        (1ULL << 10)
#define RFLAGS_TF       (1ULL << 8)
#define RFLAGS_IF       (1ULL << 9)
#define RFLAGS_VM       (1ULL << 17)
/* Reserved RFLAGS bits: 63:22, 15, 5, 3; bit 1 is fixed to 1. */
#define RFLAGS_RESERVED (~0x3fffffULL | (1ULL << 15) | (1ULL << 5) | (1ULL << 3))
/* IA32_DEBUGCTL (SDM vol. 4 table 2-2): bits 5:2 and 63:16 reserved; BTF. */
#define DEBUGCTL_RESERVED (~0xffffULL | 0x3cULL)
#define DEBUGCTL_BTF    (1ULL << 1)
#define ENTRY_LOAD_DEBUG (1U << 2)
/* Pending debug exceptions (25.4.2 table 25-4): B3-B0, enabled
 * breakpoint (12), BS (14), RTM (16); the rest is reserved. */
#define PENDING_DBG_RESERVED (~0x1ffffULL | 0xff0ULL | (1ULL << 13) | (1ULL << 15))
#define PENDING_DBG_BS  (1ULL << 14)

/* Access rights (25.4.1, table 25-2). */
#define AR_TYPE(ar)     ((ar) & 0xfU)
#define AR_S            (1U << 4)
#define AR_DPL(ar)      (((ar) >> 5) & 3U)
#define AR_P            (1U << 7)
#define AR_RESERVED     (0xf00U | 0xfffe0000U) /* bits 11:8 and 31:17 */
#define AR_L            (1U << 13)
#define AR_DB           (1U << 14)
#define AR_G            (1U << 15)
#define SEL_RPL(s)      ((s) & 3U)
#define SEL_TI          (1U << 2)

/* Activity states (25.4.2 table 25-5) */
#define ACTIVITY_ACTIVE 0U
#define ACTIVITY_HLT    1U
#define ACTIVITY_SHUTDOWN 2U
#define ACTIVITY_SIPI   3U
/* Interruptibility state (25.4.2 table 25-3): STI, MOV SS, SMI, NMI,
 * enclave interruption; bits 31:5 reserved. */
#define INTR_SMI        (1U << 2)
#define INTR_RESERVED   0xffffffe0U
#define INTR_TYPE_EXT   0U

/* One message per segment register, in VMCS order: SEG_MSGS("x") gives
 * { "ES x", "CS x", ..., "TR x" }. */
#define SEG_MSGS(x) { "ES " x, "CS " x, "SS " x, "DS " x, "FS " x, "GS " x, "LDTR " x, "TR " x }

static bool fail(struct invalid_exit *out, const char *what, u64 value)
{
	out->what = what;
	out->value = value;
	return false;
}

static bool canonical(u64 addr, u32 bits)
{
	if (bits == 0 || bits >= 64)
		return true;
	return (u64)((s64)(addr << (64 - bits)) >> (64 - bits)) == addr;
}

static bool usable(const struct vmx_seg *s)
{
	return !(s->ar & VMX_AR_UNUSABLE);
}

static bool ia32e(const struct vmx_guest_state *g)
{
	return g->entry_ctls & ENTRY_IA32E_GUEST;
}

static bool unrestricted(const struct vmx_guest_state *g)
{
	return g->proc2_ctls & PROC2_UNRESTRICTED;
}

/* Valid PAT memory types: UC, WC, WT, WP, WB, UC- (SDM vol. 3 13.12.2). */
static bool pat_valid(u64 pat)
{
	for (unsigned i = 0; i < 8; i++) {
		u8 t = (u8)(pat >> (8 * i));
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* 26.3.1.1 */
static bool check_regs(const struct vmx_guest_state *g, const struct vmx_check_cpu *cpu,
		       struct invalid_exit *out)
{
	/* With unrestricted guest, PE and PG are free of the fixed bits. */
	u64 free0 = unrestricted(g) ? (CR0_PE | CR0_PG) : 0;
	u64 phys_mask = cpu->phys_addr_bits >= 64 ? 0 : ~0ULL << cpu->phys_addr_bits;

	if ((~g->cr0 & cpu->cr0_fixed0 & ~free0) || (g->cr0 & ~cpu->cr0_fixed1))
		return fail(out, "CR0 bit not allowed in VMX operation (IA32_VMX_CR0_FIXED), CR0",
			    g->cr0);
	if ((g->cr0 & CR0_PG) && !(g->cr0 & CR0_PE))
		return fail(out, "CR0.PG set with CR0.PE clear, CR0", g->cr0);
	if ((~g->cr4 & cpu->cr4_fixed0) || (g->cr4 & ~cpu->cr4_fixed1))
		return fail(out, "CR4 bit not allowed in VMX operation (IA32_VMX_CR4_FIXED), CR4",
			    g->cr4);
	if ((g->entry_ctls & ENTRY_LOAD_DEBUG) && (g->debugctl & DEBUGCTL_RESERVED))
		return fail(out, "IA32_DEBUGCTL reserved bits, DEBUGCTL", g->debugctl);
	if (ia32e(g) && !((g->cr0 & CR0_PG) && (g->cr4 & CR4_PAE)))
		return fail(out, "IA-32e mode guest without CR0.PG and CR4.PAE, CR4", g->cr4);
	if (!ia32e(g) && (g->cr4 & CR4_PCIDE))
		return fail(out, "CR4.PCIDE set outside IA-32e mode, CR4", g->cr4);
	if (g->cr3 & phys_mask)
		return fail(out, "CR3 bits beyond the physical-address width, CR3", g->cr3);
	if ((g->entry_ctls & ENTRY_LOAD_DEBUG) && (g->dr7 >> 32))
		return fail(out, "DR7[63:32] not zero, DR7", g->dr7);
	if (!canonical(g->sysenter_esp, cpu->virt_addr_bits))
		return fail(out, "IA32_SYSENTER_ESP not canonical, value", g->sysenter_esp);
	if (!canonical(g->sysenter_eip, cpu->virt_addr_bits))
		return fail(out, "IA32_SYSENTER_EIP not canonical, value", g->sysenter_eip);
	if ((g->entry_ctls & ENTRY_LOAD_PAT) && !pat_valid(g->pat))
		return fail(out, "IA32_PAT invalid memory type, PAT", g->pat);
	if (g->entry_ctls & ENTRY_LOAD_EFER) {
		if (g->efer & ~cpu->efer_valid)
			return fail(out, "IA32_EFER reserved bits", g->efer & ~cpu->efer_valid);
		if (!(g->efer & EFER_LMA) != !ia32e(g))
			return fail(out, "IA32_EFER.LMA differs from IA-32e mode guest, EFER",
				    g->efer);
		if ((g->cr0 & CR0_PG) && !(g->efer & EFER_LME) != !ia32e(g))
			return fail(out, "IA32_EFER.LME differs from IA-32e mode guest with CR0.PG, EFER",
				    g->efer);
	}
	return true;
}

/* Virtual-8086 mode (26.3.1.2): base = selector * 16, limit FFFFh,
 * access rights F3h for CS, SS, DS, ES, FS and GS. */
static bool check_v86_seg(const struct vmx_seg *s, unsigned i, struct invalid_exit *out)
{
	static const char *const base[] = SEG_MSGS("base not selector*16 in virtual-8086 mode, base");
	static const char *const limit[] = SEG_MSGS("limit not FFFFh in virtual-8086 mode, limit");
	static const char *const ar[] = SEG_MSGS("access rights not F3h in virtual-8086 mode, "
						 "access rights");

	if (s->base != (u64)s->sel << 4)
		return fail(out, base[i], s->base);
	if (s->limit != 0xffff)
		return fail(out, limit[i], s->limit);
	if (s->ar != 0xf3)
		return fail(out, ar[i], s->ar);
	return true;
}

/* Bits 11:8 and 31:17 reserved; G consistent with the limit: limit[11:0]
 * not all ones needs G = 0, limit[31:20] not zero needs G = 1. */
static bool check_ar_common(const struct vmx_seg *s, unsigned i, struct invalid_exit *out)
{
	static const char *const res[] = SEG_MSGS("access rights reserved bits, access rights");
	static const char *const gran[] = SEG_MSGS("limit inconsistent with G, access rights");

	if (s->ar & AR_RESERVED)
		return fail(out, res[i], s->ar);
	if (((s->limit & 0xfff) != 0xfff && (s->ar & AR_G)) ||
	    ((s->limit & 0xfff00000U) && !(s->ar & AR_G)))
		return fail(out, gran[i], s->ar);
	return true;
}

/* DS, ES, FS, GS when usable and not in virtual-8086 mode. */
static bool check_data_seg(const struct vmx_guest_state *g, unsigned i,
			   struct invalid_exit *out)
{
	static const char *const acc[] = SEG_MSGS("type not accessed, or code not readable, "
						  "access rights");
	static const char *const sys[] = SEG_MSGS("S clear (system segment), access rights");
	static const char *const dpl[] = SEG_MSGS("DPL below RPL, access rights");
	static const char *const pres[] = SEG_MSGS("not present, access rights");
	const struct vmx_seg *s = &g->seg[i];
	u32 type = AR_TYPE(s->ar);

	if (!(type & 1) || ((type & 8) && !(type & 2)))
		return fail(out, acc[i], s->ar);
	if (!(s->ar & AR_S))
		return fail(out, sys[i], s->ar);
	/* data or non-conforming code (types 0-11): DPL >= RPL */
	if (!unrestricted(g) && type <= 11 && AR_DPL(s->ar) < SEL_RPL(s->sel))
		return fail(out, dpl[i], s->ar);
	if (!(s->ar & AR_P))
		return fail(out, pres[i], s->ar);
	return check_ar_common(s, i, out);
}

/* CS and SS when not in virtual-8086 mode. */
static bool check_cs_ss(const struct vmx_guest_state *g, struct invalid_exit *out)
{
	const struct vmx_seg *cs = &g->seg[VSEG_CS], *ss = &g->seg[VSEG_SS];
	u32 ct = AR_TYPE(cs->ar);

	/* CS: accessed code (9, 11, 13, 15); accessed read/write data (3)
	 * with unrestricted guest. */
	if (!(ct == 9 || ct == 11 || ct == 13 || ct == 15 || (ct == 3 && unrestricted(g))))
		return fail(out, "CS type not allowed, access rights", cs->ar);
	if (!(cs->ar & AR_S))
		return fail(out, "CS S clear (system segment), access rights", cs->ar);
	if (ct == 3 && AR_DPL(cs->ar) != 0)
		return fail(out, "CS DPL not 0 for a data-type CS, access rights", cs->ar);
	if ((ct == 9 || ct == 11) && AR_DPL(cs->ar) != AR_DPL(ss->ar))
		return fail(out, "CS DPL differs from SS DPL (non-conforming code), access rights",
			    cs->ar);
	if ((ct == 13 || ct == 15) && AR_DPL(cs->ar) > AR_DPL(ss->ar))
		return fail(out, "CS DPL above SS DPL (conforming code), access rights", cs->ar);
	if (!(cs->ar & AR_P))
		return fail(out, "CS not present, access rights", cs->ar);
	if (ia32e(g) && (cs->ar & AR_L) && (cs->ar & AR_DB))
		return fail(out, "CS.L and CS.D both set in IA-32e mode, access rights", cs->ar);
	if (!check_ar_common(cs, VSEG_CS, out))
		return false;

	if (usable(ss)) {
		u32 st = AR_TYPE(ss->ar);

		if (st != 3 && st != 7)
			return fail(out, "SS type not read/write accessed data, access rights", ss->ar);
		if (!(ss->ar & AR_S))
			return fail(out, "SS S clear (system segment), access rights", ss->ar);
		if (!(ss->ar & AR_P))
			return fail(out, "SS not present, access rights", ss->ar);
		if (!check_ar_common(ss, VSEG_SS, out))
			return false;
	}
	/* SS.DPL is checked whether or not SS is usable. */
	if (!unrestricted(g) && AR_DPL(ss->ar) != SEL_RPL(ss->sel))
		return fail(out, "SS DPL differs from SS RPL, access rights", ss->ar);
	if ((ct == 3 || !(g->cr0 & CR0_PE)) && AR_DPL(ss->ar) != 0)
		return fail(out, "SS DPL not 0 in real mode or with a data-type CS, access rights",
			    ss->ar);
	return true;
}

static bool check_tr_ldtr(const struct vmx_guest_state *g, struct invalid_exit *out)
{
	const struct vmx_seg *tr = &g->seg[VSEG_TR], *ldtr = &g->seg[VSEG_LDTR];
	u32 tt = AR_TYPE(tr->ar);

	/* TR: a busy TSS, 64-bit (11) in IA-32e mode, else 16-bit (3) or
	 * 32-bit (11); a system segment, present, usable. */
	if (!usable(tr))
		return fail(out, "TR unusable, access rights", tr->ar);
	if (tt != 11 && (ia32e(g) || tt != 3))
		return fail(out, "TR type not a busy TSS, access rights", tr->ar);
	if (tr->ar & AR_S)
		return fail(out, "TR S set (not a system segment), access rights", tr->ar);
	if (!(tr->ar & AR_P))
		return fail(out, "TR not present, access rights", tr->ar);
	if (!check_ar_common(tr, VSEG_TR, out))
		return false;
	if (usable(ldtr)) {
		if (AR_TYPE(ldtr->ar) != 2)
			return fail(out, "LDTR type not LDT, access rights", ldtr->ar);
		if (ldtr->ar & AR_S)
			return fail(out, "LDTR S set (not a system segment), access rights", ldtr->ar);
		if (!(ldtr->ar & AR_P))
			return fail(out, "LDTR not present, access rights", ldtr->ar);
		if (!check_ar_common(ldtr, VSEG_LDTR, out))
			return false;
	}
	return true;
}

/* 26.3.1.2: selectors, bases, then limits and access rights. */
static bool check_segs(const struct vmx_guest_state *g, const struct vmx_check_cpu *cpu,
		       struct invalid_exit *out)
{
	const struct vmx_seg *s = g->seg;
	bool v86 = g->rflags & RFLAGS_VM;

	if (s[VSEG_TR].sel & SEL_TI)
		return fail(out, "TR selector TI set, selector", s[VSEG_TR].sel);
	if (usable(&s[VSEG_LDTR]) && (s[VSEG_LDTR].sel & SEL_TI))
		return fail(out, "LDTR selector TI set, selector", s[VSEG_LDTR].sel);
	if (!v86 && !unrestricted(g) && SEL_RPL(s[VSEG_SS].sel) != SEL_RPL(s[VSEG_CS].sel))
		return fail(out, "SS RPL differs from CS RPL, SS selector", s[VSEG_SS].sel);

	if (!canonical(s[VSEG_TR].base, cpu->virt_addr_bits))
		return fail(out, "TR base not canonical, base", s[VSEG_TR].base);
	if (!canonical(s[VSEG_FS].base, cpu->virt_addr_bits))
		return fail(out, "FS base not canonical, base", s[VSEG_FS].base);
	if (!canonical(s[VSEG_GS].base, cpu->virt_addr_bits))
		return fail(out, "GS base not canonical, base", s[VSEG_GS].base);
	if (usable(&s[VSEG_LDTR]) && !canonical(s[VSEG_LDTR].base, cpu->virt_addr_bits))
		return fail(out, "LDTR base not canonical, base", s[VSEG_LDTR].base);
	if (s[VSEG_CS].base >> 32)
		return fail(out, "CS base[63:32] not zero, base", s[VSEG_CS].base);
	if (usable(&s[VSEG_SS]) && (s[VSEG_SS].base >> 32))
		return fail(out, "SS base[63:32] not zero, base", s[VSEG_SS].base);
	if (usable(&s[VSEG_DS]) && (s[VSEG_DS].base >> 32))
		return fail(out, "DS base[63:32] not zero, base", s[VSEG_DS].base);
	if (usable(&s[VSEG_ES]) && (s[VSEG_ES].base >> 32))
		return fail(out, "ES base[63:32] not zero, base", s[VSEG_ES].base);

	if (v86) {
		for (unsigned i = VSEG_ES; i <= VSEG_GS; i++)
			if (!check_v86_seg(&s[i], i, out))
				return false;
	} else {
		if (!check_cs_ss(g, out))
			return false;
		for (unsigned i = VSEG_ES; i <= VSEG_GS; i++)
			if (i != VSEG_CS && i != VSEG_SS && usable(&s[i]) &&
			    !check_data_seg(g, i, out))
				return false;
	}
	return check_tr_ldtr(g, out);
}

/* 26.3.1.3 */
static bool check_dtrs(const struct vmx_guest_state *g, const struct vmx_check_cpu *cpu,
		       struct invalid_exit *out)
{
	if (!canonical(g->gdtr_base, cpu->virt_addr_bits))
		return fail(out, "GDTR base not canonical, base", g->gdtr_base);
	if (!canonical(g->idtr_base, cpu->virt_addr_bits))
		return fail(out, "IDTR base not canonical, base", g->idtr_base);
	if (g->gdtr_limit >> 16)
		return fail(out, "GDTR limit[31:16] not zero, limit", g->gdtr_limit);
	if (g->idtr_limit >> 16)
		return fail(out, "IDTR limit[31:16] not zero, limit", g->idtr_limit);
	return true;
}

static bool injecting(const struct vmx_guest_state *g, u32 type)
{
	return (g->entry_intr_info & INTR_INFO_VALID) && INTR_INFO_TYPE(g->entry_intr_info) == type;
}

/* 26.3.1.4 */
static bool check_rip_rflags(const struct vmx_guest_state *g, const struct vmx_check_cpu *cpu,
			     struct invalid_exit *out)
{
	bool code64 = ia32e(g) && (g->seg[VSEG_CS].ar & AR_L);

	if (!code64 && (g->rip >> 32))
		return fail(out, "RIP[63:32] not zero outside 64-bit code, RIP", g->rip);
	if (code64 && !canonical(g->rip, cpu->virt_addr_bits))
		return fail(out, "RIP not canonical in 64-bit code, RIP", g->rip);
	if ((g->rflags & RFLAGS_RESERVED) || !(g->rflags & 2))
		return fail(out, "RFLAGS reserved bits (bit 1 must be 1), RFLAGS", g->rflags);
	if ((g->rflags & RFLAGS_VM) && (ia32e(g) || !(g->cr0 & CR0_PE)))
		return fail(out, "RFLAGS.VM set in IA-32e mode or with CR0.PE clear, RFLAGS",
			    g->rflags);
	if (injecting(g, INTR_TYPE_EXT) && !(g->rflags & RFLAGS_IF))
		return fail(out, "external interrupt injected with RFLAGS.IF clear, RFLAGS", g->rflags);
	return true;
}

/* Whether activity state HLT still delivers the injected event (26.3.1.5):
 * external interrupts, NMIs, #DB and #MC, and "other events" (type 7). */
static bool hlt_takes(u32 info)
{
	u32 type = INTR_INFO_TYPE(info), vec = INTR_INFO_VECTOR(info);

	return type == INTR_TYPE_EXT || type == INTR_TYPE_NMI || type == 7 ||
	       (type == 3 && (vec == 1 || vec == 18));
}

/* 26.3.1.5: activity state, interruptibility state, pending debug
 * exceptions, VMCS link pointer. */
static bool check_nonreg(const struct vmx_guest_state *g, const struct vmx_check_cpu *cpu,
			 struct invalid_exit *out)
{
	u32 act = g->activity, intr = g->interruptibility;
	bool valid = g->entry_intr_info & INTR_INFO_VALID;
	u32 type = INTR_INFO_TYPE(g->entry_intr_info);

	if (act > ACTIVITY_SIPI || (act != ACTIVITY_ACTIVE && !(cpu->activity_states & (1U << (act - 1)))))
		return fail(out, "activity state not supported, activity state", act);
	if (act == ACTIVITY_HLT && AR_DPL(g->seg[VSEG_SS].ar) != 0)
		return fail(out, "activity state HLT with SS DPL not 0, activity state", act);
	if (act != ACTIVITY_ACTIVE && (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS)))
		return fail(out, "activity state not active with STI or MOV SS blocking, activity state",
			    act);
	if (valid && ((act == ACTIVITY_HLT && !hlt_takes(g->entry_intr_info)) ||
		      (act == ACTIVITY_SHUTDOWN && !(type == INTR_TYPE_NMI ||
						     (type == 3 && INTR_INFO_VECTOR(g->entry_intr_info) == 18))) ||
		      act == ACTIVITY_SIPI))
		return fail(out, "injected event blocked by the activity state, interruption information",
			    g->entry_intr_info);

	if (intr & INTR_RESERVED)
		return fail(out, "interruptibility state reserved bits, interruptibility", intr);
	if ((intr & INTERRUPTIBILITY_STI) && (intr & INTERRUPTIBILITY_MOVSS))
		return fail(out, "blocking by both STI and MOV SS, interruptibility", intr);
	if ((intr & INTERRUPTIBILITY_STI) && !(g->rflags & RFLAGS_IF))
		return fail(out, "blocking by STI with RFLAGS.IF clear, interruptibility", intr);
	if (injecting(g, INTR_TYPE_EXT) && (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS)))
		return fail(out, "external interrupt injected during STI or MOV SS blocking, "
				 "interruptibility", intr);
	if (injecting(g, INTR_TYPE_NMI) && (intr & INTERRUPTIBILITY_MOVSS))
		return fail(out, "NMI injected during MOV SS blocking, interruptibility", intr);
	/* The backend never enters SMM ("entry to SMM" is 0). */
	if (intr & INTR_SMI)
		return fail(out, "blocking by SMI outside SMM, interruptibility", intr);
	if ((g->pin_ctls & PIN_VIRTUAL_NMIS) && injecting(g, INTR_TYPE_NMI) &&
	    (intr & INTERRUPTIBILITY_NMI))
		return fail(out, "NMI injected during virtual-NMI blocking, interruptibility", intr);

	if (g->pending_dbg & PENDING_DBG_RESERVED)
		return fail(out, "pending debug exceptions reserved bits, pending debug exceptions",
			    g->pending_dbg);
	/* Blocking by STI or MOV SS, or HLT: BS must say whether a single
	 * step trap is pending (TF set and DEBUGCTL.BTF clear). */
	if ((intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS)) || act == ACTIVITY_HLT) {
		bool step = (g->rflags & RFLAGS_TF) && !(g->debugctl & DEBUGCTL_BTF);

		if (step && !(g->pending_dbg & PENDING_DBG_BS))
			return fail(out, "pending debug exceptions BS clear with RFLAGS.TF set, "
					 "pending debug exceptions", g->pending_dbg);
		if (!step && (g->pending_dbg & PENDING_DBG_BS))
			return fail(out, "pending debug exceptions BS set without a single step, "
					 "pending debug exceptions", g->pending_dbg);
	}

	if (g->link_pointer != ~0ULL &&
	    ((g->link_pointer & 0xfff) ||
	     (cpu->phys_addr_bits < 64 && (g->link_pointer >> cpu->phys_addr_bits))))
		return fail(out, "VMCS link pointer not ~0 nor an aligned address, link pointer",
			    g->link_pointer);
	return true;
}

bool vmx_check_guest(const struct vmx_guest_state *g, const struct vmx_check_cpu *cpu,
		     struct invalid_exit *out)
{
	*out = (struct invalid_exit){ 0, 0 };
	return check_regs(g, cpu, out) && check_segs(g, cpu, out) && check_dtrs(g, cpu, out) &&
	       check_rip_rflags(g, cpu, out) && check_nonreg(g, cpu, out);
}
