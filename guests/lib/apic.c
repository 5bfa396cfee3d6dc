/* Minimal local APIC timer (guests/README.md "Local APIC"; SDM vol. 3
 * 11.5.4): registers through MMIO at 0xFEE00000 in xAPIC mode, or MSR
 * 0x800 + reg / 16 once apic_set_x2apic(true) switched modes (SDM 10.12);
 * counts at 1 GHz / divide. */
#include "guest.h"

volatile u64 timer_ticks;
static bool x2apic;

u32 apic_read(u32 reg)
{
	if (x2apic)
		return (u32)rdmsr(X2APIC_MSR(reg));
	return mmio_read32(APIC_MMIO + reg);
}

void apic_write(u32 reg, u32 v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR(reg), v);
	else
		mmio_write32(APIC_MMIO + reg, v);
}

/* x2APIC on: EN|EXTD. Off: through "disabled" (SDM table 10-5 forbids
 * x2APIC -> xAPIC directly), which resets the APIC, then re-enabled with
 * its SVR set again. Returns wrmsr_safe's result of the mode switch. */
int apic_set_x2apic(bool on)
{
	u64 base = APIC_MMIO | APIC_BASE_BSP;
	int r;

	if (on) {
		r = wrmsr_safe(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
		if (r == -1)
			x2apic = true;
		return r;
	}
	r = wrmsr_safe(MSR_APIC_BASE, base);
	if (r != -1)
		return r;
	x2apic = false;
	r = wrmsr_safe(MSR_APIC_BASE, base | APIC_BASE_EN);
	if (r == -1)
		apic_write(APIC_SVR, 0x100U | APIC_SPURIOUS_VECTOR);
	return r;
}

static void timer_tick(struct irq_frame *f)
{
	(void)f;
	timer_ticks++;
}

void apic_enable(void)
{
	irq_register(TIMER_VECTOR, timer_tick);
	apic_write(APIC_SVR, 0x100U | APIC_SPURIOUS_VECTOR);
}

/* masked while programming; the count write starts the timer */
void apic_timer_start(u8 vector, u32 count, u32 divide, bool periodic)
{
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | vector);
	apic_write(APIC_TIMER_DCR, divide);
	apic_write(APIC_LVT_TIMER, vector | (periodic ? APIC_LVT_PERIODIC : 0));
	apic_write(APIC_TIMER_ICR, count);
}

void apic_timer_stop(void)
{
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VECTOR);
	apic_write(APIC_TIMER_ICR, 0);
}

/* One-shot at divide 16 (62.5 ticks/us): a u32 count covers 68 s. */
void sleep_ms(u32 ms)
{
	u64 start = timer_ticks;
	u32 count = ms * (APIC_TICKS_PER_MS / 16);
	if (!count)
		return;
	apic_timer_start(TIMER_VECTOR, count, APIC_DIV_16, false);
	while (timer_ticks == start)
		sti_hlt_cli();
	apic_timer_stop();
}
