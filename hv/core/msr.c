/* The MSRs a guest may use; any other index injects #GP(0) and is logged
 * once per VM and MSR (SDM vol. 4 lists the architectural MSRs). */
#include <bulkhead/console.h>
#include <bulkhead/exit.h>
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
		if (!write)
			*val = 1; /* fast strings */
		return true;
	case MSR_MTRR_DEFTYPE:
		if (write)
			v->msr_mtrr_def_type = *val;
		else
			*val = v->msr_mtrr_def_type;
		return true;
	default:
		return false;
	}
}

static void log_once(struct vm *vm, u32 index, bool write)
{
	for (unsigned i = 0; i < ARRAY_SIZE(vm->unknown_msr_logged); i++) {
		if (vm->unknown_msr_logged[i] == (u64)index + 1)
			return;
		if (vm->unknown_msr_logged[i] == 0) {
			vm->unknown_msr_logged[i] = (u64)index + 1;
			printf("vm %s: %s of unhandled MSR %#x: #GP\n", vm->name,
			       write ? "write" : "read", index);
			return;
		}
	}
}

void exit_handle_msr(struct vcpu *v, const struct vm_exit *e)
{
	const struct msr_exit *m = &e->u.msr;
	u64 val = m->value;

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
