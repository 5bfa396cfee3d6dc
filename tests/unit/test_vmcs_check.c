/* hv/arch/x86/vmx/vmx_check.c: each guest-state check of SDM vol. 3
 * 26.3.1 names its field on a state that breaks only that check, and the
 * states Bulkhead enters (64-bit, 32-bit protected mode, real mode with
 * unrestricted guest, virtual-8086) pass. */
#include "unit.h"
#include <string.h>
#include "../../hv/arch/x86/vmx/vmx_check.h"
#include "../../hv/arch/x86/vmx/vmcs.h"

/* CR0 fixed: PE, NE, PG set (A.7); CR4 fixed: VMXE (A.8); as Bochs and
 * Intel CPUs report them. */
static const struct vmx_check_cpu cpu = {
	.cr0_fixed0 = 0x80000021ULL, .cr0_fixed1 = 0xffffffffULL,
	.cr4_fixed0 = 0x2000ULL, .cr4_fixed1 = 0x3767ffULL,
	.phys_addr_bits = 40, .virt_addr_bits = 48,
	.efer_valid = (1ULL << 0) | (1ULL << 8) | (1ULL << 10) | (1ULL << 11),
	.activity_states = 7, /* HLT, shutdown, wait-for-SIPI */
};
static struct vmx_guest_state g;

#define CR0_PE (1ULL << 0)
#define CR0_NE (1ULL << 5)
#define CR0_PG (1ULL << 31)
#define ENTRY_LOAD_DEBUG (1U << 2)
#define AR_CODE64 0xa09bU /* G, L, P, S, type 11 */
#define AR_CODE32 0xc09bU /* G, D, P, S, type 11 */
#define AR_DATA   0xc093U /* G, D/B, P, S, type 3 */

static void seg(unsigned i, u16 sel, u64 base, u32 limit, u32 ar)
{
	g.seg[i] = (struct vmx_seg){ sel, base, limit, ar };
}

/* A 64-bit guest as vmx_vcpu_set_state writes it for Linux. */
static int setup64(void **state)
{
	(void)state;
	memset(&g, 0, sizeof(g));
	g.cr0 = CR0_PG | CR0_PE | CR0_NE | (1ULL << 4);
	g.cr3 = 0x9000;
	g.cr4 = (1ULL << 5) | (1ULL << 13); /* PAE, VMXE */
	g.dr7 = 0x400;
	g.pat = 0x0007040600070406ULL;
	g.efer = (1ULL << 8) | (1ULL << 10);
	for (unsigned i = VSEG_ES; i <= VSEG_GS; i++)
		seg(i, 0x18, 0, 0xffffffff, AR_DATA);
	seg(VSEG_CS, 0x10, 0, 0xffffffff, AR_CODE64);
	seg(VSEG_LDTR, 0, 0, 0xffff, VMX_AR_UNUSABLE);
	seg(VSEG_TR, 0, 0, 0xffff, 0x8b);
	g.gdtr_limit = 0x27;
	g.idtr_limit = 0;
	g.rip = 0x1000000;
	g.rflags = 2;
	g.link_pointer = ~0ULL;
	g.pin_ctls = PIN_EXT_INTR_EXIT | PIN_NMI_EXIT | PIN_VIRTUAL_NMIS;
	g.proc2_ctls = PROC2_EPT | PROC2_UNRESTRICTED;
	g.entry_ctls = ENTRY_LOAD_DEBUG | ENTRY_IA32E_GUEST | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER;
	return 0;
}

/* A Multiboot guest: 32-bit protected mode, paging off. */
static int setup32(void **state)
{
	setup64(state);
	g.cr0 = CR0_PE | CR0_NE | (1ULL << 4);
	g.cr4 = 1ULL << 13;
	g.efer = 0;
	g.entry_ctls &= ~ENTRY_IA32E_GUEST;
	seg(VSEG_CS, 0x10, 0, 0xffffffff, AR_CODE32);
	return 0;
}

static void expect(const char *what_prefix, u64 value)
{
	struct invalid_exit out;

	assert_false(vmx_check_guest(&g, &cpu, &out));
	assert_non_null(out.what);
	if (strncmp(out.what, what_prefix, strlen(what_prefix)) != 0)
		fail_msg("got \"%s\", want \"%s...\"", out.what, what_prefix);
	assert_int_equal(out.value, value);
}

static void passes(void)
{
	struct invalid_exit out;

	if (!vmx_check_guest(&g, &cpu, &out))
		fail_msg("valid state refused: %s %#llx", out.what, (unsigned long long)out.value);
	assert_null(out.what);
}

static void test_valid_states_pass(void **state)
{
	setup64(state);
	passes();
	setup32(state);
	passes();
	/* real mode at reset, unrestricted guest: PE and PG clear, CS a
	 * 16-bit accessed code segment at F0000h */
	setup32(state);
	g.cr0 = CR0_NE | (1ULL << 4);
	for (unsigned i = VSEG_ES; i <= VSEG_GS; i++)
		seg(i, 0, 0, 0xffff, 0x93);
	seg(VSEG_CS, 0xf000, 0xf0000, 0xffff, 0x9b);
	g.rip = 0xfff0;
	passes();
	/* virtual-8086 mode */
	setup32(state);
	for (unsigned i = VSEG_ES; i <= VSEG_GS; i++)
		seg(i, 0x1234, 0x12340, 0xffff, 0xf3);
	g.rflags = 2 | (1ULL << 17);
	passes();
	/* HLT with an interrupt to inject; STI blocking with IF */
	setup64(state);
	g.activity = 1;
	g.rflags |= 1ULL << 9;
	g.entry_intr_info = INTR_INFO_VALID | 32;
	passes();
	setup64(state);
	g.rflags |= 1ULL << 9;
	g.interruptibility = INTERRUPTIBILITY_STI;
	passes();
}

/* 26.3.1.1 */
static void test_control_registers(void **state)
{
	setup64(state);
	g.cr0 &= ~CR0_NE;
	expect("CR0 bit not allowed in VMX operation", g.cr0);
	setup64(state);
	g.cr0 |= 1ULL << 32;
	expect("CR0 bit not allowed in VMX operation", g.cr0);
	setup32(state);
	g.proc2_ctls &= ~PROC2_UNRESTRICTED;
	g.cr0 &= ~CR0_PE; /* PE is fixed to 1 without unrestricted guest */
	expect("CR0 bit not allowed in VMX operation", g.cr0);
	setup32(state);
	g.cr0 = CR0_PG | CR0_NE;
	expect("CR0.PG set with CR0.PE clear", g.cr0);
	setup64(state);
	g.cr4 &= ~(1ULL << 13);
	expect("CR4 bit not allowed in VMX operation", g.cr4);
	setup64(state);
	g.cr4 |= 1ULL << 12; /* not in fixed1 */
	expect("CR4 bit not allowed in VMX operation", g.cr4);
	setup64(state);
	g.debugctl = 1ULL << 3;
	expect("IA32_DEBUGCTL reserved bits", g.debugctl);
	setup64(state);
	g.debugctl = 1ULL << 20;
	g.entry_ctls &= ~ENTRY_LOAD_DEBUG; /* not loaded: not checked */
	passes();
	setup64(state);
	g.cr4 &= ~(1ULL << 5);
	expect("IA-32e mode guest without CR0.PG and CR4.PAE", g.cr4);
	setup32(state);
	g.cr4 |= 1ULL << 17;
	expect("CR4.PCIDE set outside IA-32e mode", g.cr4);
	setup64(state);
	g.cr3 |= 1ULL << 40;
	expect("CR3 bits beyond the physical-address width", g.cr3);
	setup64(state);
	g.dr7 |= 1ULL << 32;
	expect("DR7[63:32] not zero", g.dr7);
	setup64(state);
	g.sysenter_esp = 1ULL << 47;
	expect("IA32_SYSENTER_ESP not canonical", g.sysenter_esp);
	setup64(state);
	g.sysenter_eip = 0x0000800000000000ULL;
	expect("IA32_SYSENTER_EIP not canonical", g.sysenter_eip);
	setup64(state);
	g.sysenter_eip = 0xffff800000000000ULL; /* canonical */
	passes();
	setup64(state);
	g.pat = 0x0007040600070402ULL; /* type 2 is reserved */
	expect("IA32_PAT invalid memory type", g.pat);
	setup64(state);
	g.pat = 0x0807040600070406ULL;
	expect("IA32_PAT invalid memory type", g.pat);
	setup64(state);
	g.efer |= 1ULL << 12; /* SVME: not an Intel EFER bit */
	expect("IA32_EFER reserved bits", 1ULL << 12);
	setup64(state);
	g.efer &= ~(1ULL << 10);
	expect("IA32_EFER.LMA differs from IA-32e mode guest", g.efer);
	setup64(state);
	g.efer &= ~(1ULL << 8);
	expect("IA32_EFER.LME differs from IA-32e mode guest with CR0.PG", g.efer);
	setup32(state);
	g.efer = 1ULL << 8; /* LME without paging: allowed */
	passes();
}

/* 26.3.1.2: selectors and bases */
static void test_segment_selectors_bases(void **state)
{
	setup64(state);
	g.seg[VSEG_TR].sel = 0x44;
	expect("TR selector TI set", 0x44);
	setup64(state);
	seg(VSEG_LDTR, 0x0c, 0, 0xffff, 0x82);
	expect("LDTR selector TI set", 0x0c);
	setup64(state);
	g.proc2_ctls &= ~PROC2_UNRESTRICTED;
	g.seg[VSEG_SS].sel = 0x1b;
	expect("SS RPL differs from CS RPL", 0x1b);
	setup64(state);
	g.seg[VSEG_TR].base = 1ULL << 50;
	expect("TR base not canonical", 1ULL << 50);
	setup64(state);
	g.seg[VSEG_FS].base = 1ULL << 50;
	expect("FS base not canonical", 1ULL << 50);
	setup64(state);
	g.seg[VSEG_GS].base = 1ULL << 48;
	expect("GS base not canonical", 1ULL << 48);
	setup64(state);
	seg(VSEG_LDTR, 0, 1ULL << 49, 0xffff, 0x82);
	expect("LDTR base not canonical", 1ULL << 49);
	setup64(state);
	g.seg[VSEG_CS].base = 1ULL << 32;
	expect("CS base[63:32] not zero", 1ULL << 32);
	setup64(state);
	g.seg[VSEG_SS].base = 1ULL << 33;
	expect("SS base[63:32] not zero", 1ULL << 33);
	setup64(state);
	g.seg[VSEG_DS].base = 1ULL << 34;
	expect("DS base[63:32] not zero", 1ULL << 34);
	setup64(state);
	g.seg[VSEG_ES].base = 1ULL << 35;
	expect("ES base[63:32] not zero", 1ULL << 35);
	setup64(state);
	g.seg[VSEG_ES].ar = VMX_AR_UNUSABLE;
	g.seg[VSEG_ES].base = 1ULL << 35; /* unusable: not checked */
	passes();
}

/* 26.3.1.2: virtual-8086 mode */
static void test_v86_segments(void **state)
{
	setup32(state);
	for (unsigned i = VSEG_ES; i <= VSEG_GS; i++)
		seg(i, 0x1234, 0x12340, 0xffff, 0xf3);
	g.rflags = 2 | (1ULL << 17);
	g.seg[VSEG_DS].base = 0x12350;
	expect("DS base not selector*16 in virtual-8086 mode", 0x12350);
	g.seg[VSEG_DS].base = 0x12340;
	g.seg[VSEG_SS].limit = 0xfffff;
	expect("SS limit not FFFFh in virtual-8086 mode", 0xfffff);
	g.seg[VSEG_SS].limit = 0xffff;
	g.seg[VSEG_GS].ar = 0xf2;
	expect("GS access rights not F3h in virtual-8086 mode", 0xf2);
}

/* 26.3.1.2: CS and SS access rights */
static void test_cs_ss_access_rights(void **state)
{
	setup64(state);
	g.seg[VSEG_CS].ar = (AR_CODE64 & ~0xfU) | 0xa; /* code, not accessed */
	expect("CS type not allowed", g.seg[VSEG_CS].ar);
	setup64(state);
	g.proc2_ctls &= ~PROC2_UNRESTRICTED;
	g.seg[VSEG_CS].ar = AR_DATA; /* data CS needs unrestricted guest */
	expect("CS type not allowed", AR_DATA);
	setup64(state);
	g.seg[VSEG_CS].ar &= ~0x10U;
	expect("CS S clear", g.seg[VSEG_CS].ar);
	setup32(state);
	g.seg[VSEG_CS].ar = AR_DATA | (3U << 5);
	expect("CS DPL not 0 for a data-type CS", g.seg[VSEG_CS].ar);
	setup64(state);
	g.seg[VSEG_CS].ar |= 3U << 5;
	expect("CS DPL differs from SS DPL", g.seg[VSEG_CS].ar);
	setup64(state);
	g.seg[VSEG_CS].ar = (AR_CODE64 & ~0xfU) | 0xf | (3U << 5); /* conforming, DPL 3 */
	expect("CS DPL above SS DPL", g.seg[VSEG_CS].ar);
	setup64(state);
	g.seg[VSEG_CS].ar &= ~0x80U;
	expect("CS not present", g.seg[VSEG_CS].ar);
	setup64(state);
	g.seg[VSEG_CS].ar |= 1U << 14;
	expect("CS.L and CS.D both set in IA-32e mode", g.seg[VSEG_CS].ar);
	setup64(state);
	g.seg[VSEG_CS].ar |= 1U << 9;
	expect("CS access rights reserved bits", g.seg[VSEG_CS].ar);
	setup64(state);
	g.seg[VSEG_CS].ar |= 1U << 20;
	expect("CS access rights reserved bits", g.seg[VSEG_CS].ar);
	setup64(state);
	g.seg[VSEG_CS].limit = 0xffffe; /* G set, limit[11:0] not all ones */
	expect("CS limit inconsistent with G", g.seg[VSEG_CS].ar);
	setup64(state);
	g.seg[VSEG_CS].ar &= ~(1U << 15); /* G clear, limit[31:20] set */
	expect("CS limit inconsistent with G", g.seg[VSEG_CS].ar);
	setup64(state);
	g.seg[VSEG_SS].ar = (AR_DATA & ~0xfU) | 0x1; /* read-only data */
	expect("SS type not read/write accessed data", g.seg[VSEG_SS].ar);
	setup64(state);
	g.seg[VSEG_SS].ar &= ~0x10U;
	expect("SS S clear", g.seg[VSEG_SS].ar);
	setup64(state);
	g.seg[VSEG_SS].ar &= ~0x80U;
	expect("SS not present", g.seg[VSEG_SS].ar);
	setup64(state);
	g.seg[VSEG_SS].ar |= 1U << 8;
	expect("SS access rights reserved bits", g.seg[VSEG_SS].ar);
	setup64(state);
	g.proc2_ctls &= ~PROC2_UNRESTRICTED;
	g.seg[VSEG_SS].ar |= 1U << 5; /* DPL 1, RPL 0; CS non-conforming DPL 0 */
	g.seg[VSEG_CS].ar = (AR_CODE64 & ~0xfU) | 0xf; /* conforming: DPL 0 <= 1 */
	expect("SS DPL differs from SS RPL", g.seg[VSEG_SS].ar);
	setup32(state);
	g.cr0 &= ~CR0_PE; /* real mode (unrestricted guest) */
	g.seg[VSEG_SS].ar |= 3U << 5;
	g.seg[VSEG_CS].ar = (AR_CODE32 & ~0xfU) | 0xf; /* conforming, DPL 0 */
	expect("SS DPL not 0 in real mode or with a data-type CS", g.seg[VSEG_SS].ar);
}

/* 26.3.1.2: DS, ES, FS, GS access rights */
static void test_data_access_rights(void **state)
{
	setup64(state);
	g.seg[VSEG_DS].ar &= ~1U; /* not accessed */
	expect("DS type not accessed, or code not readable", g.seg[VSEG_DS].ar);
	setup64(state);
	g.seg[VSEG_ES].ar = (AR_DATA & ~0xfU) | 0x9; /* execute-only code */
	expect("ES type not accessed, or code not readable", g.seg[VSEG_ES].ar);
	setup64(state);
	g.seg[VSEG_FS].ar &= ~0x10U;
	expect("FS S clear", g.seg[VSEG_FS].ar);
	setup64(state);
	g.proc2_ctls &= ~PROC2_UNRESTRICTED;
	g.seg[VSEG_GS].sel = 0x1b; /* RPL 3, DPL 0 */
	expect("GS DPL below RPL", g.seg[VSEG_GS].ar);
	setup64(state);
	g.seg[VSEG_GS].ar &= ~0x80U;
	expect("GS not present", g.seg[VSEG_GS].ar);
	setup64(state);
	g.seg[VSEG_DS].ar |= 1U << 17;
	expect("DS access rights reserved bits", g.seg[VSEG_DS].ar);
	setup64(state);
	g.seg[VSEG_FS].limit = 0x100000; /* G set, limit[11:0] zero */
	expect("FS limit inconsistent with G", g.seg[VSEG_FS].ar);
}

/* 26.3.1.2: TR and LDTR */
static void test_tr_ldtr(void **state)
{
	setup64(state);
	g.seg[VSEG_TR].ar = VMX_AR_UNUSABLE;
	expect("TR unusable", VMX_AR_UNUSABLE);
	setup64(state);
	g.seg[VSEG_TR].ar = 0x83; /* busy 16-bit TSS: not in IA-32e mode */
	expect("TR type not a busy TSS", 0x83);
	setup32(state);
	g.seg[VSEG_TR].ar = 0x83;
	passes();
	setup32(state);
	g.seg[VSEG_TR].ar = 0x89; /* available TSS */
	expect("TR type not a busy TSS", 0x89);
	setup64(state);
	g.seg[VSEG_TR].ar |= 0x10U;
	expect("TR S set", g.seg[VSEG_TR].ar);
	setup64(state);
	g.seg[VSEG_TR].ar &= ~0x80U;
	expect("TR not present", g.seg[VSEG_TR].ar);
	setup64(state);
	g.seg[VSEG_TR].ar |= 1U << 11;
	expect("TR access rights reserved bits", g.seg[VSEG_TR].ar);
	setup64(state);
	g.seg[VSEG_TR].limit = 0x100067;
	expect("TR limit inconsistent with G", g.seg[VSEG_TR].ar);
	setup64(state);
	seg(VSEG_LDTR, 0x28, 0, 0xffff, 0x83);
	expect("LDTR type not LDT", 0x83);
	setup64(state);
	seg(VSEG_LDTR, 0x28, 0, 0xffff, 0x92); /* type 2 with S: a data segment */
	expect("LDTR S set", 0x92);
	setup64(state);
	seg(VSEG_LDTR, 0x28, 0, 0xffff, 0x02);
	expect("LDTR not present", 0x02);
	setup64(state);
	seg(VSEG_LDTR, 0x28, 0, 0xffff, 0x82 | (1U << 10));
	expect("LDTR access rights reserved bits", 0x82 | (1U << 10));
	setup64(state);
	seg(VSEG_LDTR, 0x28, 0, 0x100000, 0x82); /* limit[31:20] set, G clear */
	expect("LDTR limit inconsistent with G", 0x82);
}

/* 26.3.1.3 */
static void test_descriptor_tables(void **state)
{
	setup64(state);
	g.gdtr_base = 0x0001000000000000ULL;
	expect("GDTR base not canonical", g.gdtr_base);
	setup64(state);
	g.idtr_base = 0x8000000000000000ULL;
	expect("IDTR base not canonical", g.idtr_base);
	setup64(state);
	g.gdtr_limit = 0x10000;
	expect("GDTR limit[31:16] not zero", 0x10000);
	setup64(state);
	g.idtr_limit = 0x20000;
	expect("IDTR limit[31:16] not zero", 0x20000);
}

/* 26.3.1.4 */
static void test_rip_rflags(void **state)
{
	setup32(state);
	g.rip = 1ULL << 32;
	expect("RIP[63:32] not zero outside 64-bit code", g.rip);
	setup64(state);
	g.rip = 1ULL << 32; /* fine in 64-bit code */
	passes();
	setup64(state);
	g.rip = 1ULL << 47;
	expect("RIP not canonical in 64-bit code", g.rip);
	setup64(state);
	g.rflags = 0;
	expect("RFLAGS reserved bits", 0);
	setup64(state);
	g.rflags |= 1ULL << 15;
	expect("RFLAGS reserved bits", g.rflags);
	setup64(state);
	g.rflags |= 1ULL << 22;
	expect("RFLAGS reserved bits", g.rflags);
	/* VM with segments fit for virtual-8086 mode, so that the segment
	 * checks (earlier, 26.3.1.2) pass: in IA-32e mode, then in real mode */
	setup64(state);
	for (unsigned i = VSEG_ES; i <= VSEG_GS; i++)
		seg(i, 0x1234, 0x12340, 0xffff, 0xf3);
	g.rflags |= 1ULL << 17;
	expect("RFLAGS.VM set in IA-32e mode or with CR0.PE clear", g.rflags);
	setup32(state);
	for (unsigned i = VSEG_ES; i <= VSEG_GS; i++)
		seg(i, 0x1234, 0x12340, 0xffff, 0xf3);
	g.cr0 &= ~CR0_PE;
	g.rflags |= 1ULL << 17;
	expect("RFLAGS.VM set in IA-32e mode or with CR0.PE clear", g.rflags);
	setup64(state);
	g.entry_intr_info = INTR_INFO_VALID | 32; /* external interrupt, IF clear */
	expect("external interrupt injected with RFLAGS.IF clear", g.rflags);
}

/* 26.3.1.5 */
static void test_non_register_state(void **state)
{
	struct vmx_check_cpu no_hlt = cpu;
	struct invalid_exit out;

	setup64(state);
	g.activity = 4;
	expect("activity state not supported", 4);
	setup64(state);
	g.activity = 1;
	no_hlt.activity_states = 6;
	assert_false(vmx_check_guest(&g, &no_hlt, &out));
	assert_int_equal(strncmp(out.what, "activity state not supported", 28), 0);
	setup64(state);
	g.activity = 1;
	g.seg[VSEG_SS].ar |= 3U << 5;
	g.seg[VSEG_CS].ar |= 3U << 5;
	g.seg[VSEG_SS].sel |= 3;
	g.seg[VSEG_CS].sel |= 3;
	expect("activity state HLT with SS DPL not 0", 1);
	setup64(state);
	g.activity = 1;
	g.interruptibility = INTERRUPTIBILITY_MOVSS;
	expect("activity state not active with STI or MOV SS blocking", 1);
	setup64(state);
	g.activity = 1;
	g.entry_intr_info = INTR_INFO_VALID | (3U << 8) | 13; /* #GP into HLT */
	expect("injected event blocked by the activity state", g.entry_intr_info);
	setup64(state);
	g.activity = 2;
	g.rflags |= 1ULL << 9;
	g.entry_intr_info = INTR_INFO_VALID | 32; /* interrupt into shutdown */
	expect("injected event blocked by the activity state", g.entry_intr_info);
	setup64(state);
	g.activity = 3;
	g.entry_intr_info = INTR_INFO_VALID | (2U << 8) | 2; /* NMI into wait-for-SIPI */
	expect("injected event blocked by the activity state", g.entry_intr_info);

	setup64(state);
	g.interruptibility = 1U << 5;
	expect("interruptibility state reserved bits", 1U << 5);
	setup64(state);
	g.rflags |= 1ULL << 9;
	g.interruptibility = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS;
	expect("blocking by both STI and MOV SS", g.interruptibility);
	setup64(state);
	g.interruptibility = INTERRUPTIBILITY_STI;
	expect("blocking by STI with RFLAGS.IF clear", INTERRUPTIBILITY_STI);
	setup64(state);
	g.rflags |= 1ULL << 9;
	g.interruptibility = INTERRUPTIBILITY_MOVSS;
	g.entry_intr_info = INTR_INFO_VALID | 32;
	expect("external interrupt injected during STI or MOV SS blocking", INTERRUPTIBILITY_MOVSS);
	setup64(state);
	g.interruptibility = INTERRUPTIBILITY_MOVSS;
	g.entry_intr_info = INTR_INFO_VALID | (2U << 8) | 2;
	expect("NMI injected during MOV SS blocking", INTERRUPTIBILITY_MOVSS);
	setup64(state);
	g.interruptibility = 1U << 2;
	expect("blocking by SMI outside SMM", 1U << 2);
	setup64(state);
	g.interruptibility = INTERRUPTIBILITY_NMI;
	g.entry_intr_info = INTR_INFO_VALID | (2U << 8) | 2;
	expect("NMI injected during virtual-NMI blocking", INTERRUPTIBILITY_NMI);
	g.pin_ctls &= ~PIN_VIRTUAL_NMIS; /* checked only with virtual NMIs */
	passes();

	setup64(state);
	g.pending_dbg = 1ULL << 4;
	expect("pending debug exceptions reserved bits", 1ULL << 4);
	setup64(state);
	g.pending_dbg = 1ULL << 17;
	expect("pending debug exceptions reserved bits", 1ULL << 17);
	setup64(state);
	g.rflags |= (1ULL << 9) | (1ULL << 8); /* IF, TF */
	g.interruptibility = INTERRUPTIBILITY_STI;
	expect("pending debug exceptions BS clear with RFLAGS.TF set", 0);
	g.pending_dbg = 1ULL << 14;
	passes();
	g.debugctl = 1ULL << 1; /* BTF: no single step */
	expect("pending debug exceptions BS set without a single step", 1ULL << 14);
	setup64(state);
	g.activity = 1;
	g.pending_dbg = 1ULL << 14; /* HLT, TF clear */
	expect("pending debug exceptions BS set without a single step", 1ULL << 14);

	setup64(state);
	g.link_pointer = 0x1234;
	expect("VMCS link pointer not ~0 nor an aligned address", 0x1234);
	setup64(state);
	g.link_pointer = 1ULL << 41;
	expect("VMCS link pointer not ~0 nor an aligned address", 1ULL << 41);
}

/* The first failing check is the one named: SDM order, registers first. */
static void test_first_check_named(void **state)
{
	setup64(state);
	g.rflags = 0;
	g.cr3 |= 1ULL << 45;
	expect("CR3 bits beyond the physical-address width", g.cr3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_states_pass),
		cmocka_unit_test(test_control_registers),
		cmocka_unit_test(test_segment_selectors_bases),
		cmocka_unit_test(test_v86_segments),
		cmocka_unit_test(test_cs_ss_access_rights),
		cmocka_unit_test(test_data_access_rights),
		cmocka_unit_test(test_tr_ldtr),
		cmocka_unit_test(test_descriptor_tables),
		cmocka_unit_test(test_rip_rflags),
		cmocka_unit_test(test_non_register_state),
		cmocka_unit_test(test_first_check_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
