/* Host time: the TSC and local-APIC timer calibrated against PIT channel 2
 * (from a run whose ends are known closely), and a one-shot APIC timer per
 * CPU that the scheduler arms at its next deadline: the end of a slice, a
 * guest timer, a console poll (SDM vol. 3 10.5.4; 8254 data sheet; the PIC
 * is masked so it never raises stray vectors). No deadline, no interrupt:
 * an idle machine sleeps. */
#include <bulkhead/console.h>
#include <bulkhead/percpu.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_timer.h>
#include <bulkhead/x86/io.h>
#include <bulkhead/x86/trap.h>

#define LAPIC_BASE     0xfee00000UL
#define LAPIC_EOI      0xb0
#define LAPIC_SVR      0xf0
#define LAPIC_LVT_TMR  0x320
#define LAPIC_TMR_INIT 0x380
#define LAPIC_TMR_CUR  0x390
#define LAPIC_TMR_DIV  0x3e0
#define LVT_MASKED     (1U << 16)
#define PIT_HZ         1193182U
#define CALIBRATE_MS   5U
#define CALIBRATE_SLACK 2000U /* a run's ends known to 0.05% of it */
#define CALIBRATE_TRIES 200U

u64 tsc_hz;
static u32 apic_per_ms; /* APIC timer counts per ms (/16), the same on every CPU */

static volatile u32 *lapic_reg(u32 off)
{
	return (volatile u32 *)(LAPIC_BASE + off);
}

/* The interrupt only ends a guest's run or a CPU's halt; the scheduler
 * then looks at the time itself. */
static void timer_fired(u8 vector, void *ctx)
{
	(void)vector;
	(void)ctx;
	/* The one-shot is spent: the next host_timer_arm must arm it again,
	 * even for the same deadline (it may have fired a little early). */
	this_cpu()->timer_deadline = 0;
	*lapic_reg(LAPIC_EOI) = 0;
}

void host_timer_start_this_cpu(void)
{
	*lapic_reg(LAPIC_SVR) = 0x100 | 0xff; /* APIC on, spurious vector 0xff */
	*lapic_reg(LAPIC_TMR_DIV) = 0x3;      /* divide by 16, as calibrated */
	*lapic_reg(LAPIC_LVT_TMR) = HOST_TIMER_VECTOR; /* one-shot */
	*lapic_reg(LAPIC_TMR_INIT) = 0;                /* stopped */
}

void host_timer_arm(u64 deadline)
{
	struct cpu *c = this_cpu();
	u64 now = rdtsc(), count;

	/* Re-armed before every guest entry: most times for the same time. */
	if (deadline == c->timer_deadline && deadline > now)
		return;
	c->timer_deadline = deadline;
	if (deadline == ~0ULL) {
		*lapic_reg(LAPIC_TMR_INIT) = 0;
		return;
	}
	/* Rounded up, so that it never fires before the deadline. */
	count = deadline > now ? ((deadline - now) * apic_per_ms + tsc_hz / 1000 - 1) / (tsc_hz / 1000)
			       : 0;
	*lapic_reg(LAPIC_TMR_INIT) = (u32)MAX(1ULL, MIN(count, 0xffffffffULL));
}

/* One run: TSC and APIC-timer ticks across CALIBRATE_MS of PIT channel 2.
 * The count starts with its MSB (8254 data sheet, mode 0), between t0 and
 * t0b; OUT2 rises between the last poll that saw it low, which began at
 * low, and t1. *slack is how much that leaves unknown (t1 - t0 minus
 * low - t0b): large when the CPU was stalled at either end, as happens
 * when this machine is itself emulated on a busy host. */
static bool calibrate_once(u64 *tsc, u32 *apic, u64 *slack)
{
	u16 count = (u16)(PIT_HZ * CALIBRATE_MS / 1000);
	u64 t0, t0b, low, t1;
	u32 a0, a1;
	u32 spins = 0;

	*lapic_reg(LAPIC_TMR_DIV) = 0x3;               /* divide by 16 */
	*lapic_reg(LAPIC_LVT_TMR) = LVT_MASKED;
	*lapic_reg(LAPIC_TMR_INIT) = 0xffffffffU;
	outb(0x61, (u8)((inb(0x61) & ~0x02) | 0x01)); /* gate on, speaker off */
	outb(0x43, 0xb0);                              /* ch2, lo/hi, mode 0 */
	outb(0x42, (u8)count);
	a0 = *lapic_reg(LAPIC_TMR_CUR);
	t0 = rdtsc();
	outb(0x42, (u8)(count >> 8));
	t0b = low = t1 = rdtsc();
	for (;;) {
		u64 before = t1;

		if (inb(0x61) & 0x20) /* OUT2 goes high at terminal count */
			break;
		low = before;
		t1 = rdtsc();
		if (++spins > 100000000U)
			return false;
	}
	t1 = rdtsc();
	a1 = *lapic_reg(LAPIC_TMR_CUR);
	*tsc = (t1 - t0 + low - t0b) / 2;
	*apic = a0 - a1;
	*slack = (t1 - t0) - (low - t0b);
	return *tsc && *apic;
}

/* Runs until one knows its interval to 1/CALIBRATE_SLACK, at most
 * CALIBRATE_TRIES; failing that, the run that knew it best. */
static bool calibrate(u64 *tsc_per_ms, u32 *apic_ms)
{
	u64 tsc, slack, best_slack = ~0ULL, best_tsc = 0;
	u32 apic, best_apic = 0;

	for (u32 i = 0; i < CALIBRATE_TRIES && best_slack > best_tsc / CALIBRATE_SLACK; i++) {
		if (!calibrate_once(&tsc, &apic, &slack))
			return false;
		if (slack < best_slack) {
			best_slack = slack;
			best_tsc = tsc;
			best_apic = apic;
		}
	}
	*tsc_per_ms = best_tsc / CALIBRATE_MS;
	*apic_ms = best_apic / CALIBRATE_MS;
	return *tsc_per_ms && *apic_ms;
}

bool host_timer_init(const char **err)
{
	u64 tsc_per_ms;

	outb(0x21, 0xff); /* mask both PICs */
	outb(0xa1, 0xff);
	*lapic_reg(LAPIC_SVR) = 0x100 | 0xff; /* APIC on, spurious vector 0xff */
	if (!calibrate(&tsc_per_ms, &apic_per_ms)) {
		*err = "timer: PIT calibration of TSC/APIC timer failed";
		return false;
	}
	tsc_hz = tsc_per_ms * 1000;
	if (!irq_register(HOST_TIMER_VECTOR, timer_fired, NULL)) {
		*err = "timer: its vector is already taken";
		return false;
	}
	host_timer_start_this_cpu();
	printf("timer: TSC %lu MHz, APIC timer %u kHz (/16), one-shot\n", tsc_hz / 1000000,
	       apic_per_ms);
	return true;
}

void host_irq_window(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

void host_wait_for_irq(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}
