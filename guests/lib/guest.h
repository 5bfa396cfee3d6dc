/* The test-guest runtime (guests/README.md). Freestanding, no libc.
 * A test defines guest_main(); the runtime calls it in 64-bit mode with a
 * GDT, an IDT and the legacy PIC masked, then reports and exits. */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/* ---- platform (guests/README.md "Platform") ---- */
#define COM1            0x3f8U
#define TESTEXIT_PORT   0xf4U
#define TESTDEV_LATCH   0xe0U
#define TESTDEV_FIFO    0xe4U
#define MMIO_SCRATCH    0xd0000000UL
#define MMIO_COUNTER    0xd0001000UL
#define APIC_MMIO       0xfee00000UL

/* exit codes of the runtime itself (tests use 0 / 1) */
#define EXIT_PASS       0
#define EXIT_FAIL       1
#define EXIT_EXCEPTION  3       /* unexpected exception */

/* ---- the test ---- */
void guest_main(void);                 /* defined by each test */
extern const char guest_name[];        /* defined by each test: output prefix */

/* ---- start (runtime.c) ---- */
void guest_start(u32 magic, u32 info);
__attribute__((noreturn)) void test_exit(u32 code);
/* prints "NAME: PASS (N checks)" or "NAME: FAIL (F of N checks failed)" and
 * exits with 0 or 1 */
__attribute__((noreturn)) void test_finish(void);

/* ---- checks (runtime.c) ---- */
extern unsigned test_checks, test_failures;
bool check_eq(const char *file, int line, const char *a_txt, const char *b_txt,
	      u64 a, u64 b);
bool check_true(const char *file, int line, const char *txt, bool v);
#define EXPECT_EQ(a, b) check_eq(__FILE__, __LINE__, #a, #b, (u64)(a), (u64)(b))
#define EXPECT_NE(a, b) check_true(__FILE__, __LINE__, #a " != " #b, (u64)(a) != (u64)(b))
#define EXPECT_TRUE(c)  check_true(__FILE__, __LINE__, #c, (c))
/* a failure found by the test's own comparison (message already printed) */
void test_fail(void);
void test_pass(void);

/* ---- output (print.c) ---- */
void putc_serial(char c);
void puts(const char *s);             /* no newline appended */
__attribute__((format(printf, 1, 2))) void printf(const char *fmt, ...);
void vprintf(const char *fmt, va_list ap);

/* ---- strings (string.c) ---- */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

/* ---- Multiboot info (mbinfo.c) ---- */
struct mb_region {
	u64 base, len;
	u32 type;                       /* 1 = usable RAM */
};
#define MB_MAX_REGIONS 32
extern struct mb_region mb_regions[MB_MAX_REGIONS];
extern unsigned mb_nr_regions;
extern const char *mb_cmdline;          /* "" if none */
extern u32 mb_mods_count;
struct mb_module {
	u64 start, end;
	const char *cmdline;            /* "" if none */
};
#define MB_MAX_MODULES 8
extern struct mb_module mb_modules[MB_MAX_MODULES];   /* first MB_MAX_MODULES */
extern u32 mb_info_addr;
void mb_parse(u32 info);
/* value of the word "key=value" on the command line, NULL if absent */
const char *cmdline_get(const char *key);
u64 cmdline_get_u64(const char *key, u64 dflt);
bool cmdline_has(const char *word);
/* end of the highest usable region */
u64 mb_ram_end(void);

/* image bounds (linker.ld) */
extern char __image_start[], __image_end[];

/* ---- exceptions and interrupts (idt.c) ---- */
struct irq_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error, rip, cs, rflags, rsp, ss;
};
struct exc_record {
	u64 vector, error, rip;
	unsigned count;                 /* exceptions seen since exc_clear() */
};
extern volatile struct exc_record last_exc;
/* address an exception resumes at (0: none; report and exit). One shot. */
extern volatile u64 exc_recover_rip;
void exc_clear(void);
void idt_init(void);
void idt_load_empty(void);              /* limit 0: next exception triple faults */
typedef void irq_handler_fn(struct irq_frame *f);
void irq_register(u8 vector, irq_handler_fn *fn);
const char *exc_name(u64 vector);

/* Runs instruction text INSN with the recovery point just after it: an
 * exception inside is recorded in last_exc and execution continues after.
 * Operands as for asm (outputs : inputs : clobbers). */
#define TRY_ASM(insn, ...) \
	asm volatile("movq $77f, exc_recover_rip(%%rip)\n\t" insn \
		     "\n77:\n\tmovq $0, exc_recover_rip(%%rip)" __VA_ARGS__)

/* ---- CPU helpers ---- */
static inline u64 rdtsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}
struct cpuid_regs { u32 eax, ebx, ecx, edx; };
static inline struct cpuid_regs cpuid(u32 leaf, u32 sub)
{
	struct cpuid_regs r;
	asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(sub));
	return r;
}
/* CPUID leaf 0 vendor string "GenuineIntel" (EBX, EDX, ECX; SDM vol. 2A
 * CPUID): an Intel CPU, where the hypercall instruction is VMCALL, not
 * AMD's VMMCALL. */
static inline bool cpu_is_intel(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	return r.ebx == 0x756e6547U && r.edx == 0x49656e69U && r.ecx == 0x6c65746eU;
}
static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)) : "memory");
}
/* RDMSR/WRMSR that survive #GP: return the vector raised, or -1 if none */
int rdmsr_safe(u32 msr, u64 *v);
int wrmsr_safe(u32 msr, u64 v);

static inline void outb(u16 port, u8 v) { asm volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { asm volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { asm volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline u8 inb(u16 port) { u8 v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u16 inw(u16 port) { u16 v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u32 inl(u16 port) { u32 v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline void cli(void) { asm volatile("cli" ::: "memory"); }
static inline void sti(void) { asm volatile("sti" ::: "memory"); }
/* STI's one-instruction interrupt shadow makes "sti; hlt" race free */
static inline void sti_hlt(void) { asm volatile("sti; hlt" ::: "memory"); }
static inline void sti_hlt_cli(void) { asm volatile("sti; hlt; cli" ::: "memory"); }
static inline void cpu_relax(void) { asm volatile("pause" ::: "memory"); }

static inline u8 mmio_read8(u64 a) { return *(volatile u8 *)a; }
static inline u16 mmio_read16(u64 a) { return *(volatile u16 *)a; }
static inline u32 mmio_read32(u64 a) { return *(volatile u32 *)a; }
static inline u64 mmio_read64(u64 a) { return *(volatile u64 *)a; }
static inline void mmio_write8(u64 a, u8 v) { *(volatile u8 *)a = v; }
static inline void mmio_write16(u64 a, u16 v) { *(volatile u16 *)a = v; }
static inline void mmio_write32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline void mmio_write64(u64 a, u64 v) { *(volatile u64 *)a = v; }

/* ---- local APIC timer (apic.c), xAPIC MMIO or x2APIC MSRs ---- */
#define APIC_ID         0x20U
#define APIC_VERSION    0x30U
#define APIC_TPR        0x80U
#define APIC_EOI        0xb0U
#define APIC_SVR        0xf0U
#define APIC_LVT_TIMER  0x320U
#define APIC_TIMER_ICR  0x380U
#define APIC_TIMER_CCR  0x390U
#define APIC_TIMER_DCR  0x3e0U
#define APIC_LVT_MASKED   (1U << 16)
#define APIC_LVT_PERIODIC (1U << 17)
#define APIC_DIV_1      0xbU    /* divide configuration codes */
#define APIC_DIV_2      0x0U
#define APIC_DIV_16     0x3U
#define APIC_SPURIOUS_VECTOR 0xffU
#define TIMER_VECTOR    0x40U
#define APIC_TICKS_PER_MS 1000000U  /* 1 GHz before the divider */

/* IA32_APIC_BASE (SDM vol. 3 10.4.4, 10.12.1) */
#define MSR_APIC_BASE   0x1bU
#define APIC_BASE_BSP   (1ULL << 8)
#define APIC_BASE_EXTD  (1ULL << 10)
#define APIC_BASE_EN    (1ULL << 11)
/* x2APIC MSR of an xAPIC register offset (SDM vol. 3 table 10-6) */
#define X2APIC_MSR(reg) (0x800U + ((reg) >> 4))

/* Through MMIO, or through MSRs after apic_set_x2apic(true). */
u32 apic_read(u32 reg);
void apic_write(u32 reg, u32 v);
void apic_enable(void);                 /* SVR: enable, spurious vector */
int apic_set_x2apic(bool on);           /* -1 done, else the exception vector */
void apic_timer_start(u8 vector, u32 count, u32 divide, bool periodic);
void apic_timer_stop(void);
/* timer ticks counted by the runtime's TIMER_VECTOR handler */
extern volatile u64 timer_ticks;
/* sleeps ms of APIC-timer time with sti; hlt (one-shot timer, TIMER_VECTOR) */
void sleep_ms(u32 ms);

#endif
