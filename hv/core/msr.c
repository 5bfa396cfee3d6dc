/* The MSRs a guest may use; any other index, or a value an MSR's owner
 * refuses, injects #GP(0) and is logged once per VM and MSR (SDM vol. 4
 * lists the architectural MSRs). Every write is checked first as the
 * hardware would: reserved bits and invalid values raise #GP(0), read-only
 * bits keep their value. */
#include <bulkhead/console.h>
#include <bulkhead/exit.h>
#include <bulkhead/string.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/cpu.h>

#define MSR_TSC          0x10U
#define MSR_TSC_ADJUST   0x3bU
#define MSR_PATCH_LEVEL  0x8bU        /* IA32_BIOS_SIGN_ID on Intel */
#define MSR_TSC_AUX      0xc0000103U
#define MSR_K7_HWCR      0xc0010015U
#define MSR_AMD64_NB_CFG 0xc001001fU
#define NB_CFG_CF8_EXT   (1ULL << 46) /* extended config space through 0xcf8 */
#define HWCR_TSC_FREQ_SEL (1ULL << 24) /* TSC counts at P0 frequency */
#define MSR_MTRRCAP      0xfeU
#define MSR_MISC_ENABLE  0x1a0U
#define MSR_MTRR_DEFTYPE 0x2ffU
#define MSR_PAT          0x277U
/* Legacy PMU of every family 0Fh-17h CPU (APM vol. 2 13.2.1): PERF_CTL0-3
 * at C001_0000h-C001_0003h, PERF_CTR0-3 at C001_0004h-C001_0007h. They
 * exist whether or not CPUID offers the core-performance extension. */
#define MSR_PERF_CTL0    0xc0010000U
#define MSR_PERF_CTR0    0xc0010004U
#define PERF_CTR_MASK    ((1ULL << 48) - 1) /* 48-bit counters */

/* EFER bits (APM vol. 2 3.1.7) */
#define EFER_FFXSR       (1ULL << 14)
#define E1_EDX_SYSCALL   (1U << 11) /* CPUID 8000_0001h EDX (APM vol. 3 E.4.2) */
#define E1_EDX_NX        (1U << 20)
#define E1_EDX_FFXSR     (1U << 25)
#define E1_EDX_LM        (1U << 29)

/* IA32_MISC_ENABLE (SDM vol. 4 table 2-2): fast strings (0), automatic
 * thermal control (3) and xTPR disable (23) are kept as written; the
 * performance-monitoring (7), BTS (11) and PEBS (12) bits, EIST (16),
 * MONITOR (18), limit-CPUID (22) and XD-disable (34) read as this VM's
 * features are and ignore writes; any other bit is reserved. */
#define MISC_EN_WRITABLE ((1ULL << 0) | (1ULL << 3) | (1ULL << 23))
#define MISC_EN_RDONLY   ((1ULL << 7) | (1ULL << 11) | (1ULL << 12) | (1ULL << 16) | \
			  (1ULL << 18) | (1ULL << 22) | (1ULL << 34))
#define MISC_EN_RESET    ((1ULL << 0) | (1ULL << 11) | (1ULL << 12)) /* no BTS, PEBS */
/* MTRRdefType: type (7:0), FE (10), E (11); the rest is reserved (SDM vol. 3
 * 11.11.2.1). MTRRcap says no fixed and no variable ranges. */
#define MTRR_DEFTYPE_BITS 0xcffULL
#define MTRR_DEFTYPE_RESET 0x806ULL /* MTRRs on, default write-back */

void msr_vcpu_reset(struct vcpu *v)
{
	v->msr_mtrr_def_type = MTRR_DEFTYPE_RESET;
	v->msr_misc_enable = MISC_EN_RESET;
	v->tsc_aux = 0;
	memset(v->perf_ctl, 0, sizeof(v->perf_ctl));
	memset(v->perf_ctr, 0, sizeof(v->perf_ctr));
}

/* Memory types a PAT entry or MTRR may hold: UC, WC, WT, WP, WB, and for
 * PAT also UC- (SDM vol. 3 11.12.2, 11.11.2.1; APM vol. 2 7.8.2). */
static bool mem_type_ok(u64 t, bool pat)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6 || (pat && t == 7);
}

/* EFER bits this VM may set: those its CPUID offers (SVM is hidden; LMSLE
 * and TCE are not offered), APM vol. 2 3.1.7. */
static u64 efer_valid_bits(void)
{
	u32 edx = cpuid(0x80000001U, 0).edx;

	return ((edx & E1_EDX_SYSCALL) ? EFER_SCE : 0) | ((edx & E1_EDX_NX) ? EFER_NXE : 0) |
	       ((edx & E1_EDX_FFXSR) ? EFER_FFXSR : 0) |
	       ((edx & E1_EDX_LM) ? EFER_LME | EFER_LMA : 0);
}

/* Checks a WRMSR value before anyone stores it; false: #GP(0). *val may be
 * adjusted (read-only bits put back). */
static bool msr_write_ok(struct vcpu *v, u32 index, u64 *val)
{
	u64 old;

	switch (index) {
	case MSR_EFER:
		old = vcpu_read_reg(v, X86_REG_EFER);
		if (*val & ~efer_valid_bits())
			return false;
		/* LME may not change while paging is on (SDM vol. 3 9.8.5). */
		if (((*val ^ old) & EFER_LME) && (vcpu_read_reg(v, X86_REG_CR0) & CR0_PG))
			return false;
		*val = (*val & ~EFER_LMA) | (old & EFER_LMA); /* LMA is read-only */
		return true;
	case MSR_PAT:
		for (unsigned i = 0; i < 8; i++)
			if (!mem_type_ok((*val >> (i * 8)) & 0xff, true))
				return false;
		return true;
	case MSR_MTRR_DEFTYPE:
		return !(*val & ~MTRR_DEFTYPE_BITS) && mem_type_ok(*val & 0xff, false);
	case MSR_MISC_ENABLE:
		if (*val & ~(MISC_EN_WRITABLE | MISC_EN_RDONLY))
			return false;
		*val = (*val & MISC_EN_WRITABLE) | (v->msr_misc_enable & MISC_EN_RDONLY);
		return true;
	default:
		return true;
	}
}

/* Kept, not counting: the PMU is not virtualized, so no counter runs or
 * overflows; what the guest writes reads back as hardware keeps it. */
static bool perf_msr(struct vcpu *v, u32 index, bool write, u64 *val)
{
	u64 *reg;

	if (index - MSR_PERF_CTL0 < 4)
		reg = &v->perf_ctl[index - MSR_PERF_CTL0];
	else if (index - MSR_PERF_CTR0 < 4)
		reg = &v->perf_ctr[index - MSR_PERF_CTR0];
	else
		return false;
	if (write)
		*reg = index >= MSR_PERF_CTR0 ? *val & PERF_CTR_MASK : *val;
	else
		*val = *reg;
	return true;
}

static bool core_msr(struct vcpu *v, u32 index, bool write, u64 *val)
{
	switch (index) {
	case MSR_TSC:
		if (write) {
			v->tsc_offset = *val - rdtsc();
			vmm->vcpu_set_tsc_offset(v, v->tsc_offset);
		} else {
			*val = rdtsc() + v->tsc_offset;
		}
		return true;
	case MSR_TSC_ADJUST:
	case MSR_PATCH_LEVEL:
		if (!write)
			*val = 0; /* no microcode revision to report; writes ignored */
		return true;
	case MSR_TSC_AUX:
		if (write) {
			if (*val >> 32)
				return false;
			v->tsc_aux = *val;
		} else {
			*val = v->tsc_aux;
		}
		return true;
	case MSR_AMD64_NB_CFG:
		/* Linux reads it unchecked on AMD; report extended 0xcf8 access
		 * already on so it has no reason to write. */
		if (!write)
			*val = NB_CFG_CF8_EXT;
		return true;
	case MSR_K7_HWCR:
		if (!write)
			*val = HWCR_TSC_FREQ_SEL;
		return true; /* writes ignored: nothing in it is virtualized */
	case MSR_MTRRCAP:
		if (write)
			return false; /* read-only */
		*val = 0;
		return true;
	case MSR_MISC_ENABLE:
		if (write)
			v->msr_misc_enable = *val; /* checked by msr_write_ok */
		else
			*val = v->msr_misc_enable;
		return true;
	case MSR_MTRR_DEFTYPE:
		if (write)
			v->msr_mtrr_def_type = *val;
		else
			*val = v->msr_mtrr_def_type;
		return true;
	default:
		return perf_msr(v, index, write, val);
	}
}

/* RDPMC (APM vol. 3): counters 0-3 are PERF_CTR0-3 (no core-performance
 * extension offered); #GP(0) for another index, or at CPL > 0 with
 * CR4.PCE clear. */
#define CR4_PCE (1ULL << 8)

void exit_handle_rdpmc(struct vcpu *v, const struct vm_exit *e)
{
	u32 index = (u32)v->gpr[X86_REG_RCX];

	if (index >= ARRAY_SIZE(v->perf_ctr) ||
	    (vcpu_read_reg(v, X86_REG_CPL) && !(vcpu_read_reg(v, X86_REG_CR4) & CR4_PCE))) {
		vcpu_inject_exception(v, 13, true, 0);
		return;
	}
	if (!vcpu_skip_insn(v, e->inst_len))
		return;
	v->gpr[X86_REG_RAX] = (u32)v->perf_ctr[index];
	v->gpr[X86_REG_RDX] = v->perf_ctr[index] >> 32;
}

static void log_once(struct vm *vm, u32 index, bool write)
{
	for (unsigned i = 0; i < ARRAY_SIZE(vm->unknown_msr_logged); i++) {
		if (vm->unknown_msr_logged[i] == (u64)index + 1)
			return;
		if (vm->unknown_msr_logged[i] == 0) {
			vm->unknown_msr_logged[i] = (u64)index + 1;
			printf("vm %s: %s of MSR %#x refused: #GP\n", vm->name,
			       write ? "write" : "read", index);
			return;
		}
	}
}

void exit_handle_msr(struct vcpu *v, const struct vm_exit *e)
{
	const struct msr_exit *m = &e->u.msr;
	u64 val = m->value;

	if (m->write && !msr_write_ok(v, m->index, &val)) {
		vcpu_inject_exception(v, 13, true, 0); /* a bad value, not a bad MSR */
		return;
	}
	if (!vmm->vcpu_msr(v, m->index, m->write, &val) && !core_msr(v, m->index, m->write, &val) &&
	    !(v->irq_ops && v->irq_ops->msr(v->irq_dev, m->index, m->write, &val, v->tsc_offset))) {
		log_once(v->vm, m->index, m->write);
		vcpu_inject_exception(v, 13, true, 0);
		return;
	}
	if (!vcpu_skip_insn(v, e->inst_len))
		return;
	if (!m->write) {
		v->gpr[X86_REG_RAX] = (u32)val;
		v->gpr[X86_REG_RDX] = val >> 32;
	}
}
