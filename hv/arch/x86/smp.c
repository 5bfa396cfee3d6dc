/* Starting the other CPUs (SDM vol. 3 8.4.4.1 "typical BSP initialization
 * sequence": INIT, 10 ms, SIPI, 200 us, SIPI; 10.6.1 the ICR) and the kick
 * IPI. The trampoline and the AP's way into long mode: smp_entry.S. */
#include <bulkhead/console.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/string.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_timer.h>
#include <bulkhead/x86/smp.h>
#include <bulkhead/x86/trap.h>

#define LAPIC_BASE   0xfee00000UL
#define LAPIC_EOI    0xb0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define ICR_PENDING  (1U << 12)  /* delivery status: send pending */
#define ICR_ASSERT   (1U << 14)
#define ICR_INIT     (5U << 8)
#define ICR_SIPI     (6U << 8)
#define AP_WAIT_MS   1000        /* an AP that is not up by then is left off */

extern const u8 ap_trampoline[], ap_trampoline_end[];
void ap_main(struct cpu *c);

/* Set by the AP being started: 1 up, 2 up but it cannot run vCPUs
 * (ap_error says why). */
static volatile u32 ap_up;
static const char *volatile ap_error;

static volatile u32 *lapic(u32 off)
{
	return (volatile u32 *)(LAPIC_BASE + off);
}

static void send_ipi(u32 apic_id, u32 lo)
{
	*lapic(LAPIC_ICR_HI) = apic_id << 24;
	*lapic(LAPIC_ICR_LO) = lo;
	for (u32 spins = 0; (*lapic(LAPIC_ICR_LO) & ICR_PENDING) && spins < 1000000; spins++)
		cpu_relax();
}

static void delay_us(u64 us)
{
	u64 end = rdtsc() + tsc_hz / 1000000 * us;

	while (rdtsc() < end)
		cpu_relax();
}

static bool trampoline_page_usable(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->nr_mem; i++)
		if (bi->mem[i].type == MEM_USABLE && bi->mem[i].start <= AP_TRAMPOLINE_PA &&
		    bi->mem[i].end >= AP_TRAMPOLINE_PA + 0x1000)
			return true;
	return false;
}

static void kicked(u8 vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	*lapic(LAPIC_EOI) = 0;
}

void smp_kick(const struct cpu *c)
{
	if (c != this_cpu() && c->online)
		send_ipi(c->apic_id, HOST_KICK_VECTOR | ICR_ASSERT);
}

static bool start_one(struct cpu *c, unsigned index, u32 apic_id)
{
	u64 cr0, cr3, cr4;
	u64 deadline;

	c->index = index;
	c->apic_id = apic_id;
	__asm__ volatile("mov %%cr0, %0; mov %%cr3, %1; mov %%cr4, %2"
			 : "=r"(cr0), "=r"(cr3), "=r"(cr4));
	*(volatile u32 *)AP_MB_CR0 = (u32)cr0;
	*(volatile u32 *)AP_MB_CR3 = (u32)cr3;
	*(volatile u32 *)AP_MB_CR4 = (u32)cr4;
	*(volatile u32 *)AP_MB_EFER = (u32)rdmsr(MSR_EFER);
	*(volatile u64 *)AP_MB_STACK = hv_stack_top(index, HV_STACK_MAIN);
	*(volatile u64 *)AP_MB_CPU = (u64)(uintptr_t)c;
	ap_up = 0;
	send_ipi(apic_id, ICR_INIT | ICR_ASSERT);
	delay_us(10000);
	for (int i = 0; i < 2 && !ap_up; i++) {
		send_ipi(apic_id, ICR_SIPI | ICR_ASSERT | (AP_TRAMPOLINE_PA >> 12));
		delay_us(200);
	}
	deadline = rdtsc() + tsc_hz / 1000 * AP_WAIT_MS;
	while (!ap_up && rdtsc() < deadline)
		cpu_relax();
	if (ap_up == 2)
		printf("smp: CPU with APIC ID %u cannot run VMs: %s\n", apic_id, ap_error);
	return ap_up == 1;
}

unsigned smp_start_cpus(const struct boot_info *bi, const struct acpi_info *ai)
{
	unsigned n = 1;

	if (!irq_register(HOST_KICK_VECTOR, kicked, NULL)) {
		printf("smp: kick vector taken; other CPUs left off\n");
		return n;
	}
	if (ai->nr_apic_ids > 1 && (!trampoline_page_usable(bi) || hv_pt.root >= (1ULL << 32))) {
		printf("smp: no usable page at %#x for the AP trampoline, or page tables above "
		       "4 GiB; other CPUs left off\n", AP_TRAMPOLINE_PA);
		return n;
	}
	memcpy((void *)(uintptr_t)AP_TRAMPOLINE_PA, ap_trampoline,
	       (size_t)(ap_trampoline_end - ap_trampoline));
	for (u32 i = 0; i < ai->nr_apic_ids && n < HV_MAX_CPUS; i++) {
		u32 id = ai->apic_ids[i];

		if (id == this_cpu()->apic_id)
			continue;
		if (id > 0xfe) {
			printf("smp: CPU with APIC ID %u needs x2APIC; left off\n", id);
			continue;
		}
		if (!start_one(&cpus[n], n, id)) {
			printf("smp: CPU with APIC ID %u did not start; left off\n", id);
			continue;
		}
		n++;
	}
	nr_cpus_online = n;
	printf("smp: %u CPU(s) online\n", n);
	return n;
}

/* The AP, on its own stack, in long mode with the hypervisor's tables. */
void ap_main(struct cpu *c)
{
	const char *err = NULL;

	desc_init_cpu(c->index);
	percpu_init_this(c, c->index, c->apic_id);
	if (!vmm->cpu_enable(&err)) {
		ap_error = err;
		__atomic_store_n(&ap_up, 2, __ATOMIC_RELEASE);
		cpu_halt_forever();
	}
	host_timer_start_this_cpu();
	c->online = true;
	__atomic_store_n(&ap_up, 1, __ATOMIC_RELEASE);
	sched_run_ap();
}
