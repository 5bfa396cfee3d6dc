/* Exceptions and interrupts on the hypervisor's own CPU state. */
#ifndef BULKHEAD_X86_TRAP_H
#define BULKHEAD_X86_TRAP_H

#include <bulkhead/types.h>

/* Saved by hv/arch/x86/traps.S; field order is the push order reversed. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define VEC_UD  6
#define VEC_DF  8
#define VEC_GP  13
#define VEC_PF  14
#define VEC_NMI 2
#define VEC_MC  18

/* The IDT, and the boot CPU's GDT, TSS and stacks. */
void desc_init(void);
/* Another CPU's GDT and TSS (with its IST stacks), and the shared IDT. */
void desc_init_cpu(unsigned cpu);
/* The top of stack kind (HV_STACK_MAIN, ...) of a CPU. */
u64 hv_stack_top(unsigned cpu, unsigned kind);
void trap_dispatch(struct trap_frame *f);

typedef void (*irq_handler_fn)(u8 vector, void *ctx);
bool __must_check irq_register(u8 vector, irq_handler_fn fn, void *ctx);

/* Exception-table probes (hv/arch/x86/probe.S): a fault inside one resumes
 * at its fixup; probe_last_vector() tells which exception it was. */
int probe_ud(void);                     /* 1 if #UD was caught */
int probe_write8(volatile u8 *p, u8 v); /* 0 or -1 on a fault */
int probe_read8(const volatile u8 *p);  /* the byte or -1 on a fault */
u64 probe_last_vector(void);

#endif
