/* Per-vCPU extended state: the XSAVE-managed registers, XCR0 and DR0-DR3,
 * which VMRUN and VMLOAD/VMSAVE do not switch (APM vol. 2 15.5.1-15.5.2).
 *
 * The hypervisor itself never uses them (hv/hv.mk builds it with
 * -mgeneral-regs-only, and it sets no breakpoints), so the registers go on
 * holding the last guest's values while the hypervisor handles an exit, and
 * a vCPU re-entered on the same physical CPU needs no save or restore. Each
 * physical CPU remembers whose state it holds (struct xstate_cpu); only
 * when it enters another vCPU is the old owner's state saved to its area and
 * the new one's loaded. XCR0 is the exception: VMRUN does not switch it on
 * AMD, and it decides which components XSAVE/XRSTOR move, so the CPU runs
 * with the guest's XCR0 from just before VMRUN until the next switch, when
 * it is set to every switched component around the save and the restore.
 * XSETBV is intercepted and checked (core/exit_xsetbv.c); a CPU that ignores
 * the intercept is covered by reading XCR0 back at each switch. */
#include <bulkhead/hv.h>
#include <bulkhead/mm.h>
#include <bulkhead/percpu.h>
#include <bulkhead/selftest.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/cpu_features.h>
#include <bulkhead/x86/trap.h>
#include <bulkhead/x86/xstate.h>
#include <bulkhead/vcpu.h>
#include <bulkhead/vm_exit.h>

#define X86_CR0_TS (1ULL << 3)
#define X86_CR0_EM (1ULL << 2)
#define MXCSR_RESET 0x1f80U
#define FCW_FNINIT  0x37fU
#define NR_COMPONENTS 10 /* x87 .. PKRU: the highest component switched is 9 */

/* What may be switched: register state XSAVE moves like any other. MPX
 * (bound registers), AMX tiles and the XSS (supervisor) components are
 * never enabled, so guests cannot reach them. PKRU is switched but not
 * offered (PKU is hidden): a guest could still set CR4.PKE, which VMRUN
 * accepts whenever the CPU has PKU, and write PKRU with WRPKRU. */
#define SWITCHABLE (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_YMM | XFEATURE_AVX512 | XFEATURE_PKRU)
#define NOT_OFFERED XFEATURE_PKRU

enum save_insn { SAVE_XSAVE, SAVE_XSAVEOPT, SAVE_XSAVEC };

static u64 switched;         /* host XCR0 around a save or restore */
static enum save_insn save_with;
static u32 area_size;        /* standard format for all of switched */
static struct {
	u32 size, offset;    /* CPUID 0xD.i EAX, EBX */
	bool align64;        /* CPUID 0xD.i ECX[1]: 64-byte aligned when compacted */
} comp[NR_COMPONENTS];

static struct xstate_cpu *xstate_this_cpu(void)
{
	return &this_cpu()->xstate;
}


static inline void write_cr0(u64 v)
{
	__asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}

static inline u64 xgetbv0(void)
{
	u32 lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((u64)hi << 32) | lo;
}

static inline void xsetbv(u64 v)
{
	__asm__ volatile("xsetbv" ::"c"(0), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}

static void set_xcr0(struct xstate_cpu *cpu, u64 v)
{
	if (cpu->xcr0 != v) {
		xsetbv(v);
		cpu->xcr0 = v;
	}
}

u64 xstate_offered(void)
{
	return switched & ~NOT_OFFERED;
}

u32 xstate_size(u64 mask, bool compacted)
{
	u32 size = XSAVE_LEGACY_SIZE + XSAVE_HDR_SIZE;

	for (unsigned i = 2; i < NR_COMPONENTS; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		if (!compacted) {
			size = MAX(size, comp[i].offset + comp[i].size);
			continue;
		}
		if (comp[i].align64)
			size = (size + 63U) & ~63U;
		size += comp[i].size;
	}
	return size;
}

/* XSAVEC stores the first extended component, the YMM upper halves, right
 * after the 64-byte header at offset 576 and leaves the header's reserved
 * bytes 16-63 zero (SDM vol. 1 13.4.2-13.4.3, 13.11); XRSTOR refuses an
 * area whose reserved header bytes are not zero with #GP. Bochs 2.7 stores
 * the component at offset 416 (its XSAVEC starts counting at the SSE
 * registers' offset 160 and adds their 256 bytes), over the header, so
 * every area it saves with AVX state in use is refused. Checked once, at
 * boot, with a pattern in YMM0 (no guest state is loaded yet); a CPU that
 * fails it is not given XSAVEC. */
static bool xsavec_layout_ok(void)
{
	static u8 area[XSAVE_LEGACY_SIZE + XSAVE_HDR_SIZE + 256] __attribute__((aligned(64)));
	static const u8 pattern[32] = { [16] = 0x5a, [17] = 0xa5, [30] = 0x3c, [31] = 0xc3 };
	const u32 rfbm = (u32)(XFEATURE_X87 | XFEATURE_SSE | XFEATURE_YMM);
	const u32 ymm = XSAVE_LEGACY_SIZE + XSAVE_HDR_SIZE;

	memset(area, 0, sizeof(area));
	__asm__ volatile("vmovdqu %0, %%ymm0" ::"m"(pattern));
	__asm__ volatile("xsavec64 %0" : "+m"(area) : "a"(rfbm), "d"(0) : "memory");
	__asm__ volatile("vpxor %%xmm0, %%xmm0, %%xmm0" ::: "memory"); /* zeroes all of YMM0 */
	for (u32 i = XSAVE_LEGACY_SIZE + 16; i < ymm; i++)
		if (area[i])
			return false;
	return memcmp(area + ymm, pattern + 16, 16) == 0;
}

bool xstate_cpu_init(const char **err)
{
	static bool xsavec_checked;

	if (!boot_cpu.xsave || !(boot_cpu.xcr0_supported & XFEATURE_SSE)) {
		*err = "xstate: this CPU lacks XSAVE, which running VMs requires";
		return false;
	}
	switched = boot_cpu.xcr0_supported & SWITCHABLE;
	if ((switched & XFEATURE_AVX512) != XFEATURE_AVX512 || !(switched & XFEATURE_YMM))
		switched &= ~XFEATURE_AVX512; /* all three or none (SDM 13.3) */
	for (unsigned i = 2; i < NR_COMPONENTS; i++) {
		if (switched & (1ULL << i)) {
			struct cpuid_regs r = cpuid(0xd, i);
			comp[i].size = r.eax;
			comp[i].offset = r.ebx;
			comp[i].align64 = r.ecx & 2;
		}
	}
	area_size = xstate_size(switched, false);
	/* XSAVEC uses the init optimization only; XSAVEOPT also skips what
	 * was not modified since the last XRSTOR from the same address
	 * (SDM vol. 1 13.9-13.10). XSAVES is not used: no XSS component is
	 * switched. */
	save_with = boot_cpu.xsavec ? SAVE_XSAVEC : boot_cpu.xsaveopt ? SAVE_XSAVEOPT : SAVE_XSAVE;

	/* CR4.OSXSAVE enables XSETBV and XSAVE/XRSTOR (SDM vol. 3 2.5); CR0.TS
	 * or EM would make them and the x87 instructions below fault. */
	write_cr4(read_cr4() | X86_CR4_OSXSAVE);
	write_cr0(read_cr0() & ~(X86_CR0_TS | X86_CR0_EM));
	xsetbv(switched);
	if (!xsavec_checked && save_with == SAVE_XSAVEC && (switched & XFEATURE_YMM) &&
	    !xsavec_layout_ok()) {
		save_with = boot_cpu.xsaveopt ? SAVE_XSAVEOPT : SAVE_XSAVE;
		printf("xstate: XSAVEC puts the AVX state over the XSAVE header (XRSTOR would "
		       "refuse the area): saving with %s\n",
		       save_with == SAVE_XSAVEOPT ? "XSAVEOPT" : "XSAVE");
	}
	xsavec_checked = true;
	xstate_this_cpu()->xcr0 = switched;
	xstate_this_cpu()->owner = NULL;
	return true;
}

bool xstate_vcpu_init(struct vcpu_xstate *x, const char **err)
{
	u64 pa = mm_alloc_pages((area_size + PAGE_SIZE - 1) / PAGE_SIZE);

	if (!pa) {
		*err = "xstate: out of memory for an XSAVE area";
		return false;
	}
	x->area = phys_to_virt(pa);
	xstate_vcpu_reset(x);
	return true;
}

void xstate_vcpu_destroy(struct vcpu_xstate *x)
{
	/* Only a vCPU that is on no CPU is destroyed, and every CPU gives up
	 * a vCPU's state when it puts it down (xstate_release). */
	for (unsigned i = 0; i < HV_MAX_CPUS; i++)
		if (cpus[i].xstate.owner == x)
			hv_panic("xstate: destroying the state CPU %u holds", i);
	if (x->area)
		mm_free_pages((u64)(uintptr_t)x->area, (area_size + PAGE_SIZE - 1) / PAGE_SIZE);
	x->area = NULL;
}

void xstate_vcpu_reset(struct vcpu_xstate *x)
{
	u16 fcw = FCW_FNINIT;
	u32 mxcsr = MXCSR_RESET;
	u64 xcomp = save_with == SAVE_XSAVEC ? XCOMP_BV_COMPACTED | switched : 0;

	/* XSTATE_BV = 0: XRSTOR puts every component in its initial
	 * configuration (x87 FCW 0x37F as after FNINIT, registers and XMM/YMM
	 * zero; SDM vol. 1 13.6). MXCSR is loaded from the area even so by the
	 * standard form (13.8.1), hence 0x1F80 there; FCW is written for
	 * whoever reads the image. A compacted XRSTOR needs XCOMP_BV. */
	memset(x->area, 0, area_size);
	memcpy(x->area + XSAVE_FCW_OFFSET, &fcw, sizeof(fcw));
	memcpy(x->area + XSAVE_MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
	memcpy(x->area + XSAVE_XCOMP_BV, &xcomp, sizeof(xcomp));
	x->xcr0 = XFEATURE_X87;
	memset(x->dr, 0, sizeof(x->dr));
	/* The registers may hold this vCPU's state from before the reset:
	 * make the next entry load the area. A reset runs on the CPU that
	 * runs the vCPU, the only one that can own it. */
	if (xstate_this_cpu()->owner == x)
		xstate_this_cpu()->owner = NULL;
}

static void save(struct vcpu_xstate *x)
{
	u32 lo = (u32)switched, hi = (u32)(switched >> 32);

	switch (save_with) {
	case SAVE_XSAVEC:
		__asm__ volatile("xsavec64 %0" : "+m"(*x->area) : "a"(lo), "d"(hi) : "memory");
		break;
	case SAVE_XSAVEOPT:
		__asm__ volatile("xsaveopt64 %0" : "+m"(*x->area) : "a"(lo), "d"(hi) : "memory");
		break;
	case SAVE_XSAVE:
		__asm__ volatile("xsave64 %0" : "+m"(*x->area) : "a"(lo), "d"(hi) : "memory");
		break;
	}
	__asm__ volatile("mov %%dr0, %0" : "=r"(x->dr[0]));
	__asm__ volatile("mov %%dr1, %0" : "=r"(x->dr[1]));
	__asm__ volatile("mov %%dr2, %0" : "=r"(x->dr[2]));
	__asm__ volatile("mov %%dr3, %0" : "=r"(x->dr[3]));
}

/* XRSTOR of x's area; false if it faulted (#GP: a reserved header bit or
 * an XSTATE_BV/XCOMP_BV the CPU refuses, SDM vol. 1 13.8), which the
 * exception table turns into a return here instead of a hypervisor panic. */
static bool xrstor(const struct vcpu_xstate *x)
{
	u8 ok = 0;

	__asm__ volatile("1: xrstor64 %[area]\n\t"
			 "movb $1, %[ok]\n"
			 "2:\n\t"
			 ".pushsection .ex_table, \"a\"\n\t"
			 ".quad 1b, 2b\n\t"
			 ".popsection"
			 : [ok] "+m"(ok)
			 : [area] "m"(*x->area), "a"((u32)switched), "d"((u32)(switched >> 32))
			 : "memory");
	return ok;
}

static bool restore(struct vcpu_xstate *x)
{
	static const u32 zero;
	bool ok;

	/* AMD CPUs without XSAVEERPTR save and restore the x87 FIP, FDP and
	 * FOP only while an x87 exception is pending, so the previous owner's
	 * would stay visible: give them fixed values first (a load of a
	 * constant; FNCLEX and EMMS make it raise nothing). */
	if (!boot_cpu.xsave_errptr)
		__asm__ volatile("fnclex; emms; fildl %0" ::"m"(zero));
	ok = xrstor(x);
	if (!ok) {
		/* The registers must not keep the previous owner's values: load
		 * the reset state, which XRSTOR always takes. x's own state is
		 * lost, and its VM is stopped (xstate_enter's caller). */
		xstate_vcpu_reset(x);
		if (!xrstor(x))
			hv_panic("xstate: XRSTOR refuses the reset state");
	}
	__asm__ volatile("mov %0, %%dr0" ::"r"(x->dr[0]));
	__asm__ volatile("mov %0, %%dr1" ::"r"(x->dr[1]));
	__asm__ volatile("mov %0, %%dr2" ::"r"(x->dr[2]));
	__asm__ volatile("mov %0, %%dr3" ::"r"(x->dr[3]));
	return ok;
}

bool xstate_switch(struct xstate_cpu *cpu, struct vcpu_xstate *x)
{
	bool ok;

	/* Where the CPU ignores the XSETBV intercept (QEMU's TCG before
	 * version 8.2), the guest wrote XCR0 itself: keep what it left. */
	cpu->xcr0 = xgetbv0();
	if (cpu->owner)
		cpu->owner->xcr0 = cpu->xcr0;
	set_xcr0(cpu, switched);
	if (cpu->owner)
		save(cpu->owner);
	ok = restore(x);
	cpu->owner = x;
	set_xcr0(cpu, x->xcr0);
	return ok;
}

void xstate_release(void)
{
	struct xstate_cpu *cpu = xstate_this_cpu();

	if (!cpu->owner)
		return;
	cpu->xcr0 = xgetbv0(); /* as in xstate_switch */
	cpu->owner->xcr0 = cpu->xcr0;
	set_xcr0(cpu, switched);
	save(cpu->owner);
	cpu->owner = NULL;
}

void xstate_lost_exit(struct vcpu *v, struct vm_exit *exit)
{
	memset(exit, 0, sizeof(*exit));
	exit->code = EXIT_INVALID;
	exit->rip = v->rip;
	exit->u.invalid = (struct invalid_exit){
		"its XSAVE area, refused by XRSTOR (state lost, area reset): vector",
		probe_last_vector(),
	};
}

u64 xstate_xcr0(struct vcpu_xstate *x)
{
	return xstate_this_cpu()->owner == x ? xgetbv0() : x->xcr0;
}

void xstate_set_xcr0(struct vcpu_xstate *x, u64 xcr0)
{
	struct xstate_cpu *cpu = xstate_this_cpu();

	x->xcr0 = xcr0;
	if (cpu->owner == x)
		set_xcr0(cpu, xcr0);
}

/* A vCPU whose XSAVE area the CPU refuses (here a reserved header byte)
 * gets the reset state, not the previous owner's registers, and the switch
 * says so; the other vCPU's state survives. */
static u16 fcw_now(void)
{
	u16 v;

	__asm__ volatile("fnstcw %0" : "=m"(v));
	return v;
}

SELFTEST(xstate_refused_area)
{
	struct vcpu_xstate a = { 0 }, b = { 0 };
	const char *err;
	bool ok_b;

	ST_CHECK(xstate_cpu_init(&err));
	ST_CHECK(xstate_vcpu_init(&a, &err) && xstate_vcpu_init(&b, &err));
	ST_CHECK(xstate_switch(xstate_this_cpu(), &a));
	u16 fcw = 0x27f; /* not the reset value 0x37f */

	__asm__ volatile("fldcw %0" ::"m"(fcw));
	b.area[XSAVE_LEGACY_SIZE + 16] = 1; /* header bytes 16-63 must be 0 */
	ok_b = xstate_switch(xstate_this_cpu(), &b);
	ST_CHECK(!ok_b && probe_last_vector() == 13);
	ST_CHECK(fcw_now() == FCW_FNINIT && b.xcr0 == XFEATURE_X87 &&
		 b.area[XSAVE_LEGACY_SIZE + 16] == 0);
	ST_CHECK(xstate_switch(xstate_this_cpu(), &a) && fcw_now() == 0x27f);
	xstate_release();
	xstate_vcpu_destroy(&a);
	xstate_vcpu_destroy(&b);
	return true;
}

bool xstate_enter(struct vcpu_xstate *x)
{
	struct xstate_cpu *cpu = xstate_this_cpu();

	return cpu->owner == x || xstate_switch(cpu, x);
}
