/* Starting the other CPUs (SDM vol. 3 8.4.4.1 "typical BSP initialization
 * sequence": INIT, 10 ms, SIPI, 200 us, SIPI; 10.6.1 the ICR) and the kick
 * IPI. The trampoline and the AP's way into long mode: smp_entry.S. */
#include <bulkhead/cmdline.h>
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
/* An AP that has not reached ap_main by then is left off, and so is one
 * that arrived but is not up 10 times as long after. Generous: a busy
 * emulator host can hold an AP's thread back for a long time. */
#define AP_WAIT_MS   5000

extern const u8 ap_trampoline[], ap_trampoline_end[];
void ap_main(struct cpu *c);

/* The start of one AP, moved on by compare-and-swap only, so the BSP and a
 * late AP agree which of them won. An AP given up on before it arrived
 * halts at once and touches nothing shared (the page pool, its struct
 * cpu); one given up on after it arrived (a CPU stuck in its own set-up)
 * halts before it goes online. The BSP starts no AP after one it gave up
 * on, so that one's mailbox and stack are never handed to another. Before
 * this, an AP later than the BSP's wait still came up: it took pages from
 * the pool while the BSP built the VMs, without the lock, and ran vCPUs
 * from a slot no kick or TLB flush reached. */
enum ap_state {
	AP_WAITING,  /* INIT and SIPIs sent */
	AP_UP,       /* it runs vCPUs from now on */
	AP_FAILED,   /* up but it cannot run vCPUs (ap_error says why) */
	AP_ARRIVED,  /* in ap_main, setting itself up */
	AP_GIVEN_UP, /* the BSP stopped waiting: it must halt */
};
static u32 ap_state;
static const char *volatile ap_error;
static u32 late_aps; /* APs that came after all and halted */

static bool ap_move(u32 from, u32 to)
{
	return __atomic_compare_exchange_n(&ap_state, &from, to, false, __ATOMIC_ACQ_REL,
					   __ATOMIC_ACQUIRE);
}

static u32 ap_now(void)
{
	return __atomic_load_n(&ap_state, __ATOMIC_ACQUIRE);
}

/* Waits up to ms for the AP to leave state `from`; gives it up if it
 * does not. The state it ended in. */
static u32 ap_wait(u32 from, u64 ms)
{
	u64 deadline = rdtsc() + tsc_hz / 1000 * ms;

	while (ap_now() == from && rdtsc() < deadline)
		cpu_relax();
	if (ap_move(from, AP_GIVEN_UP))
		return AP_GIVEN_UP;
	return ap_now();
}

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

/* ap_wait_ms=N on the hypervisor's command line; 0 gives each AP up before
 * its SIPI, so it always arrives late (test_smp_late_ap). */
static u64 ap_wait_ms = AP_WAIT_MS;

static u32 start_one(struct cpu *c, unsigned index, u32 apic_id)
{
	u64 cr0, cr3, cr4;
	u32 st;

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
	__atomic_store_n(&ap_state, AP_WAITING, __ATOMIC_RELEASE);
	send_ipi(apic_id, ICR_INIT | ICR_ASSERT);
	delay_us(10000);
	if (!ap_wait_ms)
		(void)ap_move(AP_WAITING, AP_GIVEN_UP);
	for (int i = 0; i < 2 && (ap_now() == AP_WAITING || !ap_wait_ms); i++) {
		send_ipi(apic_id, ICR_SIPI | ICR_ASSERT | (AP_TRAMPOLINE_PA >> 12));
		delay_us(200);
	}
	st = ap_wait(AP_WAITING, ap_wait_ms);
	if (st == AP_ARRIVED)
		st = ap_wait(AP_ARRIVED, 10 * AP_WAIT_MS);
	if (st == AP_FAILED)
		printf("smp: CPU with APIC ID %u cannot run VMs: %s\n", apic_id, ap_error);
	return st;
}

unsigned smp_start_cpus(const struct boot_info *bi, const struct acpi_info *ai)
{
	unsigned n = 1;
	char val[16];
	u64 ms;

	if (cmdline_get(bi->cmdline, "ap_wait_ms", val, sizeof(val))) {
		if (cmdline_parse_u64(val, &ms) && ms <= 60000)
			ap_wait_ms = ms;
		else
			printf("smp: ap_wait_ms=%s is not a number of ms up to 60000; %lu used\n",
			       val, ap_wait_ms);
	}

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
		switch (start_one(&cpus[n], n, id)) {
		case AP_UP:
			n++;
			continue;
		case AP_FAILED:
			printf("smp: CPU with APIC ID %u left off\n", id);
			continue;
		default:
			/* it may still come: it halts then, on cpus[n]'s stack,
			 * which no other CPU gets */
			printf("smp: CPU with APIC ID %u did not start within %lu ms; it and the "
			       "CPUs after it are left off\n", id, ap_wait_ms);
			break;
		}
		break;
	}
	nr_cpus_online = n;
	printf("smp: %u CPU(s) online\n", n);
	return n;
}

/* The AP, on its own stack, in long mode with the hypervisor's tables. */
void ap_main(struct cpu *c)
{
	const char *err = NULL;

	if (!ap_move(AP_WAITING, AP_ARRIVED)) {
		/* too late: the BSP went on without it */
		__atomic_add_fetch(&late_aps, 1, __ATOMIC_RELEASE);
		cpu_halt_forever();
	}
	desc_init_cpu(c->index);
	percpu_init_this(c, c->index, c->apic_id);
	if (!vmm->cpu_enable(&err)) {
		ap_error = err;
		(void)ap_move(AP_ARRIVED, AP_FAILED);
		cpu_halt_forever();
	}
	host_timer_start_this_cpu();
	c->online = true;
	if (!ap_move(AP_ARRIVED, AP_UP)) {
		c->online = false; /* given up while it set itself up */
		__atomic_add_fetch(&late_aps, 1, __ATOMIC_RELEASE);
		cpu_halt_forever();
	}
	sched_run_ap();
}

void smp_report_late(void)
{
	u32 n = __atomic_load_n(&late_aps, __ATOMIC_ACQUIRE);

	if (n)
		printf("smp: %u CPU(s) came up after the boot CPU gave up on them and halted\n", n);
}
