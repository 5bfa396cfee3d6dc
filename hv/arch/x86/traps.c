/* Exceptions taken by the hypervisor itself. A fault at an instruction with
 * an exception-table entry resumes at its fixup (the self-tests' probes);
 * anything else is a hypervisor bug: report it fully and stop the machine
 * with a failure status. Interrupts go to registered handlers. */
#include <bulkhead/console.h>
#include <bulkhead/hv.h>
#include <bulkhead/layout.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/trap.h>

struct ex_entry {
	u64 insn, fixup;
};

extern const struct ex_entry __ex_table_start[], __ex_table_end[];
extern u8 hv_stacks[HV_NR_ALL_STACKS][HV_STACK_GUARD + HV_STACK_SIZE];
extern const u8 __image_start[], __text_end[];

static u64 last_fixup_vector;

static struct {
	irq_handler_fn fn;
	void *ctx;
} irq_table[256];

static const char *const vector_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26",
	"reserved 27", "#HV hypervisor injection", "#VC VMM communication",
	"#SX security", "reserved 31",
};

u64 probe_last_vector(void)
{
	return last_fixup_vector;
}

bool irq_register(u8 vector, irq_handler_fn fn, void *ctx)
{
	if (vector < 32 || irq_table[vector].fn)
		return false;
	irq_table[vector].ctx = ctx;
	irq_table[vector].fn = fn;
	return true;
}

static bool on_hv_stack(u64 addr, u64 len)
{
	for (unsigned i = 0; i < HV_NR_ALL_STACKS; i++) {
		u64 lo = (u64)(uintptr_t)&hv_stacks[i][HV_STACK_GUARD];
		u64 hi = lo + HV_STACK_SIZE;
		if (addr >= lo && addr <= hi - len)
			return true;
	}
	return false;
}

static bool in_text(u64 addr)
{
	return addr >= (u64)(uintptr_t)__image_start && addr < (u64)(uintptr_t)__text_end;
}

/* Frame-pointer backtrace; every frame is checked to lie on one of our
 * stacks before it is read, so a corrupt chain ends the walk, not us. */
static void print_backtrace(const struct trap_frame *f)
{
	u64 rbp = f->rbp;

	printf("  backtrace: %#lx", f->rip);
	for (int depth = 0; depth < 32; depth++) {
		const u64 *frame = (const u64 *)(uintptr_t)rbp;

		if ((rbp & 7) || !on_hv_stack(rbp, 16))
			break;
		if (!in_text(frame[1]))
			break;
		printf(" %#lx", frame[1]);
		if (frame[0] <= rbp)
			break; /* stacks grow down: callers' frames are above */
		rbp = frame[0];
	}
	printf("\n");
}

static void report(const struct trap_frame *f)
{
	const char *name = f->vector < 32 ? vector_names[f->vector] : "interrupt";

	printf("\nbulkhead: EXCEPTION %lu (%s), error code %#lx\n", f->vector, name, f->error);
	printf("  rip %016lx  cs %04lx  rflags %016lx\n", f->rip, f->cs, f->rflags);
	printf("  rsp %016lx  ss %04lx  cr2 %016lx\n", f->rsp, f->ss, read_cr2());
	printf("  cr0 %016lx  cr3 %016lx  cr4 %016lx\n", read_cr0(), read_cr3(), read_cr4());
	printf("  rax %016lx  rbx %016lx  rcx %016lx\n", f->rax, f->rbx, f->rcx);
	printf("  rdx %016lx  rsi %016lx  rdi %016lx\n", f->rdx, f->rsi, f->rdi);
	printf("  rbp %016lx  r8  %016lx  r9  %016lx\n", f->rbp, f->r8, f->r9);
	printf("  r10 %016lx  r11 %016lx  r12 %016lx\n", f->r10, f->r11, f->r12);
	printf("  r13 %016lx  r14 %016lx  r15 %016lx\n", f->r13, f->r14, f->r15);
	print_backtrace(f);
}

static bool try_fixup(struct trap_frame *f)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == f->rip) {
			last_fixup_vector = f->vector;
			f->rip = e->fixup;
			return true;
		}
	}
	return false;
}

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector >= 32) {
		u8 v = (u8)f->vector;
		if (irq_table[v].fn) {
			irq_table[v].fn(v, irq_table[v].ctx);
			return;
		}
		printf("bulkhead: spurious interrupt %u ignored\n", v);
		return;
	}
	if (f->vector != VEC_DF && f->vector != VEC_MC && try_fixup(f))
		return;
	report(f);
	hv_stop(HV_FAIL);
}
