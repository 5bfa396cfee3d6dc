/* IDT: 256 gates to the stubs in entry.S. An NMI (2) goes to its handler if
 * one is registered. Exceptions (0-31) are recorded in last_exc; if a recovery point is registered execution resumes there,
 * otherwise the exception is reported and the guest exits with
 * EXIT_EXCEPTION. Interrupts (32-255) go to registered handlers, then EOI. */
#include "guest.h"

struct idt_gate {
	u16 off_lo, sel;
	u8 ist, type;
	u16 off_mid;
	u32 off_hi, zero;
} __attribute__((packed));

struct desc_ptr {
	u16 limit;
	u64 base;
} __attribute__((packed));

extern char isr_stubs[];
static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_fn *irq_handlers[256];
volatile struct exc_record last_exc;
volatile u64 exc_recover_rip;

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO",
	"#TS", "#NP", "#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM",
	"#VE", "#CP", "#22", "#23", "#24", "#25", "#26", "#27", "#HV", "#VC",
	"#SX", "#31",
};

const char *exc_name(u64 vector)
{
	return vector < 32 ? exc_names[vector] : "interrupt";
}

void idt_init(void)
{
	for (unsigned v = 0; v < 256; v++) {
		u64 a = (u64)(uintptr_t)(isr_stubs + 16 * v);
		idt[v] = (struct idt_gate){
			.off_lo = (u16)a, .sel = 0x08, .ist = 0,
			.type = 0x8e,           /* present, DPL 0, 64-bit interrupt gate */
			.off_mid = (u16)(a >> 16), .off_hi = (u32)(a >> 32),
		};
	}
	struct desc_ptr d = { sizeof(idt) - 1, (u64)(uintptr_t)idt };
	asm volatile("lidt %0" : : "m"(d));
}

void idt_load_empty(void)
{
	struct desc_ptr d = { 0, 0 };
	asm volatile("lidt %0" : : "m"(d));
}

void irq_register(u8 vector, irq_handler_fn *fn)
{
	irq_handlers[vector] = fn;
}

void exc_clear(void)
{
	last_exc.vector = ~0ULL;
	last_exc.error = 0;
	last_exc.rip = 0;
	last_exc.count = 0;
}

void isr_dispatch(struct irq_frame *f);
void isr_dispatch(struct irq_frame *f)
{
	if (f->vector == 2 && irq_handlers[2]) {
		irq_handlers[2](f);     /* an NMI the test expects: no EOI */
		return;
	}
	if (f->vector < 32) {
		last_exc.vector = f->vector;
		last_exc.error = f->error;
		last_exc.rip = f->rip;
		last_exc.count++;
		if (exc_recover_rip) {
			f->rip = exc_recover_rip;
			exc_recover_rip = 0;
			return;
		}
		printf("exception %s (vector %lu) error 0x%lx at rip 0x%lx rsp 0x%lx\n",
		       exc_name(f->vector), f->vector, f->error, f->rip, f->rsp);
		test_exit(EXIT_EXCEPTION);
	}
	if (irq_handlers[f->vector]) {
		irq_handlers[f->vector](f);
	} else if (f->vector != APIC_SPURIOUS_VECTOR) {
		printf("unexpected interrupt vector %lu at rip 0x%lx\n", f->vector, f->rip);
		test_fail();
	}
	if (f->vector != APIC_SPURIOUS_VECTOR)
		apic_write(APIC_EOI, 0);
}

int rdmsr_safe(u32 msr, u64 *v)
{
	u32 lo = 0, hi = 0;
	exc_clear();
	TRY_ASM("rdmsr", : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	*v = ((u64)hi << 32) | lo;
	return last_exc.count ? (int)last_exc.vector : -1;
}

int wrmsr_safe(u32 msr, u64 v)
{
	exc_clear();
	TRY_ASM("wrmsr", : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
	return last_exc.count ? (int)last_exc.vector : -1;
}
