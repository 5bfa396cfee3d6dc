/* GDT, TSS and IDT of the hypervisor (SDM vol. 3 3.4, 6.10-6.14, 7.7).
 * #DF, NMI and #MC run on their own IST stacks, so a stack overflow into a
 * guard page still produces a report instead of a triple fault. Each CPU
 * has its own GDT (its TSS descriptor goes busy on LTR), TSS and stacks;
 * the IDT is shared. */
#include <bulkhead/layout.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/trap.h>

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct idt_entry {
	u16 offset_lo, selector;
	u8 ist, type_attr;
	u16 offset_mid;
	u32 offset_hi, reserved;
} __packed;

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

/* Stacks live at the start of .bss; hv_paging leaves each guard unmapped. */
u8 hv_stacks[HV_NR_ALL_STACKS][HV_STACK_GUARD + HV_STACK_SIZE]
	__aligned(4096) __section(".bss.stacks");

static struct tss64 tss_of[HV_MAX_CPUS] __aligned(16);
static u64 gdt_of[HV_MAX_CPUS][6] __aligned(16);
static struct idt_entry idt[256] __aligned(16);
extern const u64 trap_stubs[256];

u64 hv_stack_top(unsigned cpu, unsigned kind)
{
	return (u64)(uintptr_t)&hv_stacks[cpu * HV_NR_STACKS + kind][HV_STACK_GUARD + HV_STACK_SIZE];
}

static void gdt_init(unsigned cpu)
{
	struct tss64 *tss = &tss_of[cpu];
	u64 *gdt = gdt_of[cpu];
	u64 base = (u64)(uintptr_t)tss, limit = sizeof(*tss) - 1;
	struct desc_ptr p = { sizeof(gdt_of[cpu]) - 1, (u64)(uintptr_t)gdt };

	tss->ist[0] = hv_stack_top(cpu, HV_STACK_DF);
	tss->ist[1] = hv_stack_top(cpu, HV_STACK_NMI);
	tss->ist[2] = hv_stack_top(cpu, HV_STACK_MC);
	tss->iomap_base = sizeof(*tss); /* no I/O permission bitmap */

	gdt[0] = 0;
	gdt[GDT_CODE64 / 8] = 0x00af9b000000ffffULL;
	gdt[GDT_DATA / 8] = 0x00cf93000000ffffULL;
	gdt[GDT_CODE32 / 8] = 0x00cf9b000000ffffULL;
	/* 64-bit available TSS, 16 bytes (SDM vol. 3 7.2.3) */
	gdt[GDT_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
			   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(p), "i"(GDT_CODE64), "r"(GDT_DATA), "r"(GDT_TSS)
			 : "rax", "memory");
}

static void idt_set(unsigned vec, u64 handler, u8 ist)
{
	idt[vec] = (struct idt_entry){
		.offset_lo = (u16)handler,
		.selector = GDT_CODE64,
		.ist = ist,
		.type_attr = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
		.offset_mid = (u16)(handler >> 16),
		.offset_hi = (u32)(handler >> 32),
	};
}

void desc_init(void)
{
	for (unsigned v = 0; v < 256; v++)
		idt_set(v, trap_stubs[v], 0);
	idt_set(VEC_DF, trap_stubs[VEC_DF], 1);
	idt_set(VEC_NMI, trap_stubs[VEC_NMI], 2);
	idt_set(VEC_MC, trap_stubs[VEC_MC], 3);
	desc_init_cpu(0);
}

void desc_init_cpu(unsigned cpu)
{
	struct desc_ptr p = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	gdt_init(cpu);
	__asm__ volatile("lidt %0" ::"m"(p));
}
