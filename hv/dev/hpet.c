/* Virtual HPET event timer block (IA-PC HPET specification 1.0a, chapter 2)
 * at PC_HPET_BASE: capabilities and ID, general configuration (ENABLE_CNF,
 * LEG_RT_CNF), general interrupt status, a 64-bit main counter and
 * PC_HPET_TIMERS timers, each 64-bit capable with 32-bit mode, one-shot or
 * periodic, edge or level, routed to an I/O APIC input of HPET_ROUTE_CAP
 * or, with LEG_RT_CNF, timer 0 to IRQ0 (GSI PC_PIT_GSI) and timer 1 to
 * IRQ8. No FSB (MSI) delivery. The counter is computed from the host TSC
 * at each access, never ticked, so it runs exactly with the guest's TSC
 * (host TSC plus an offset): Linux checks its TSC against it (the
 * clocksource watchdog) and refines the TSC frequency with it.
 * LEG_RT_CNF routes the two timers only; it does not also silence the
 * PIT's IRQ0 as the spec's chipset does (2.3.5): no BIOS starts PIT
 * channel 0 here, and Linux, given an HPET, does not start it either. */
#include <bulkhead/dev.h>
#include <bulkhead/hpet.h>
#include <bulkhead/pc_platform.h>

/* Register offsets, 2.3.1 */
#define REG_CAP      0x000
#define REG_CFG      0x010
#define REG_ISR      0x020
#define REG_COUNTER  0x0f0
#define REG_TIMER0   0x100
#define TIMER_STRIDE 0x20
#define TN_CFG       0x00
#define TN_CMP       0x08

/* General configuration, 2.3.5 */
#define CFG_ENABLE   (1ULL << 0)
#define CFG_LEG_RT   (1ULL << 1)
#define CFG_WRITABLE (CFG_ENABLE | CFG_LEG_RT)

/* Timer N configuration and capabilities, 2.3.8 */
#define TN_INT_LEVEL   (1ULL << 1)
#define TN_INT_ENB     (1ULL << 2)
#define TN_PERIODIC    (1ULL << 3)
#define TN_PER_CAP     (1ULL << 4)
#define TN_SIZE_CAP    (1ULL << 5)
#define TN_VAL_SET     (1ULL << 6)
#define TN_32BIT       (1ULL << 8)
#define TN_ROUTE_SHIFT 9
#define TN_ROUTE       (0x1fULL << TN_ROUTE_SHIFT)
#define TN_CAPS        (TN_PER_CAP | TN_SIZE_CAP | (u64)HPET_ROUTE_CAP << 32)
#define TN_WRITABLE    (TN_INT_LEVEL | TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | TN_32BIT | TN_ROUTE)

#define LOW32     0xffffffffULL
#define ALL_TIMERS ((1ULL << PC_HPET_TIMERS) - 1)
#define NO_LINE   0xffffffffU
/* A match further ahead gets a deadline this many ticks away (about 12
 * hours): the poll then finds nothing due and computes the next one. */
#define MAX_AHEAD (1ULL << 40)

struct hpet_timer {
	u64 cfg;    /* the writable bits of the configuration register */
	u64 cmp;    /* comparator; in periodic mode, the next match */
	u64 period; /* the last value written to the comparator (2.3.9) */
	u64 seen;   /* main counter value up to which matches are handled */
};

struct hpet {
	struct dev_host *host;
	struct vclock clk;
	u64 cfg, isr;
	u64 count;  /* main counter at TSC start; its value while halted */
	u64 start;
	u32 lines;  /* GSIs held asserted by level-triggered timers */
	u64 deadline; /* next_deadline(), kept current by every change */
	struct hpet_timer t[PC_HPET_TIMERS];
};

static u64 counter_at(const struct hpet *h, u64 now)
{
	if (!(h->cfg & CFG_ENABLE) || now < h->start)
		return h->count;
	return h->count + vclock_ticks(now - h->start, h->clk.hz, PC_HPET_HZ);
}

/* The TSC at which the running main counter reaches x. */
static u64 tsc_at(const struct hpet *h, u64 x)
{
	u64 ticks = x > h->count ? x - h->count : 0;

	return h->start + vclock_tsc_for(MIN(ticks, MAX_AHEAD), h->clk.hz, PC_HPET_HZ);
}

/* The first counter value after s whose low 32 bits are v. */
static u64 next32(u64 s, u64 v)
{
	u64 x = (s & ~LOW32) | (v & LOW32);

	return x > s ? x : x + (1ULL << 32);
}

/* The first main counter value after t->seen at which the comparator
 * matches; false if none. A 32-bit timer compares the low 32 bits, so its
 * match comes round again each time the counter wraps them (2.3.9); a
 * 64-bit comparator behind the counter matches no more. */
static bool next_match(const struct hpet_timer *t, u64 *x)
{
	if (t->cfg & TN_32BIT) {
		*x = next32(t->seen, t->cmp);
		return true;
	}
	*x = t->cmp;
	return t->cmp > t->seen;
}

/* The GSI of timer n, or NO_LINE when its route is not one it has. */
static u32 route(const struct hpet *h, u32 n)
{
	u32 r = (u32)((h->t[n].cfg & TN_ROUTE) >> TN_ROUTE_SHIFT);

	if ((h->cfg & CFG_LEG_RT) && n < 2) /* LEG_RT_CNF, 2.3.5 */
		return n == 0 ? PC_PIT_GSI : PC_RTC_IRQ;
	return HPET_ROUTE_CAP & (1U << r) ? r : NO_LINE;
}

/* A level-triggered timer holds its line while its status bit is set and
 * its interrupt enabled (2.3.6); ENABLE_CNF clear disables all timer
 * interrupts (2.3.5). */
static void update_lines(struct hpet *h)
{
	u32 want = 0, diff;

	for (u32 n = 0; n < PC_HPET_TIMERS; n++) {
		const struct hpet_timer *t = &h->t[n];
		u32 gsi = route(h, n);

		if ((h->cfg & CFG_ENABLE) && (t->cfg & TN_INT_LEVEL) && (t->cfg & TN_INT_ENB) &&
		    (h->isr & (1ULL << n)) && gsi != NO_LINE)
			want |= 1U << gsi;
	}
	diff = want ^ h->lines;
	h->lines = want;
	for (u32 gsi = 0; diff; gsi++, diff >>= 1)
		if (diff & 1)
			dev_irq_set(h->host, gsi, (want >> gsi) & 1);
}

/* A match of timer n: a level-triggered timer sets its status bit (even
 * with its interrupt disabled, 2.3.8 Tn_INT_ENB_CNF); an edge-triggered
 * one sends an edge if enabled. */
static void signal_match(struct hpet *h, u32 n)
{
	const struct hpet_timer *t = &h->t[n];
	u32 gsi = route(h, n);

	if (t->cfg & TN_INT_LEVEL)
		h->isr |= 1ULL << n;
	else if ((h->cfg & CFG_ENABLE) && (t->cfg & TN_INT_ENB) && gsi != NO_LINE)
		dev_irq_pulse(h->host, gsi);
}

/* The TSC of the next match of a timer whose interrupt is enabled, or ~0.
 * A disabled timer's matches are caught up at the next access. */
static u64 compute_deadline(const struct hpet *h)
{
	u64 next = ~0ULL, x;

	if (!(h->cfg & CFG_ENABLE))
		return next;
	for (u32 n = 0; n < PC_HPET_TIMERS; n++)
		if ((h->t[n].cfg & TN_INT_ENB) && next_match(&h->t[n], &x))
			next = MIN(next, tsc_at(h, x));
	return next;
}

/* Handles the matches up to TSC now: one interrupt per timer however many
 * matches passed since the last update (edges not yet taken merge, as on
 * a real line); a periodic comparator moves past the counter by whole
 * periods (2.3.9). */
static void hpet_update(struct hpet *h, u64 now)
{
	u64 c = counter_at(h, now), x;

	for (u32 n = 0; n < PC_HPET_TIMERS; n++) {
		struct hpet_timer *t = &h->t[n];

		if (!next_match(t, &x) || x > c)
			continue;
		if ((t->cfg & TN_PERIODIC) && t->period) {
			u64 next = x + ((c - x) / t->period + 1) * t->period;

			t->cmp = t->cfg & TN_32BIT ? next & LOW32 : next;
		}
		t->seen = c;
		signal_match(h, n);
	}
	update_lines(h);
	h->deadline = compute_deadline(h);
}

u64 hpet_next_deadline(void *dev)
{
	const struct hpet *h = dev;

	return h->deadline;
}

/* Called after every exit: one comparison unless a match is due. */
void hpet_poll(void *dev, u64 now)
{
	struct hpet *h = dev;

	if (now >= h->deadline)
		hpet_update(h, now);
}

const struct vtimer_ops hpet_vtimer_ops = { hpet_next_deadline, hpet_poll };

static u64 read_reg(const struct hpet *h, u64 reg, u64 now)
{
	u32 n = (u32)((reg - REG_TIMER0) / TIMER_STRIDE);

	switch (reg) {
	case REG_CAP:     return PC_HPET_ID | PC_HPET_PERIOD_FS << 32;
	case REG_CFG:     return h->cfg;
	case REG_ISR:     return h->isr;
	case REG_COUNTER: return counter_at(h, now);
	}
	if (reg < REG_TIMER0 || n >= PC_HPET_TIMERS)
		return 0; /* reserved */
	switch (reg % TIMER_STRIDE) {
	case TN_CFG: return h->t[n].cfg | TN_CAPS;
	case TN_CMP: return h->t[n].cmp;
	default:     return 0; /* FSB route: no FSB delivery */
	}
}

static void write_cfg(struct hpet *h, u64 v, u64 mask, u64 now)
{
	u64 cfg = (h->cfg & ~mask) | (v & mask & CFG_WRITABLE);

	if ((cfg ^ h->cfg) & CFG_ENABLE) { /* halts or restarts the counter */
		h->count = counter_at(h, now);
		h->start = now;
	}
	h->cfg = cfg;
}

/* 2.3.7: software writes the counter while it is halted; a write while it
 * runs takes effect all the same. The timers look for their next match
 * from the new value. */
static void write_counter(struct hpet *h, u64 v, u64 mask, u64 now)
{
	h->count = (counter_at(h, now) & ~mask) | (v & mask);
	h->start = now;
	for (u32 n = 0; n < PC_HPET_TIMERS; n++)
		h->t[n].seen = h->count;
}

/* A route the timer does not have is not taken: the old one reads back
 * (2.3.8 Tn_INT_ROUTE_CNF). 32-bit mode clears the comparator's upper
 * half. */
static void write_timer_cfg(struct hpet *h, struct hpet_timer *t, u64 v, u64 mask, u64 now)
{
	u64 cfg = (t->cfg & ~mask) | (v & mask & TN_WRITABLE);
	u32 r = (u32)((cfg & TN_ROUTE) >> TN_ROUTE_SHIFT);

	if (!(HPET_ROUTE_CAP & (1U << r)))
		cfg = (cfg & ~TN_ROUTE) | (t->cfg & TN_ROUTE);
	if (cfg & TN_32BIT) {
		t->cmp &= LOW32;
		t->period &= LOW32;
	}
	if ((cfg ^ t->cfg) & (TN_PERIODIC | TN_32BIT))
		t->seen = counter_at(h, now);
	t->cfg = cfg;
}

/* 2.3.9: in periodic mode a write sets the period, and the comparator
 * itself only with Tn_VAL_SET_CNF, which then clears. */
static void write_cmp(struct hpet *h, struct hpet_timer *t, u64 v, u64 mask, u64 now)
{
	if (t->cfg & TN_32BIT)
		mask &= LOW32;
	if (!(t->cfg & TN_PERIODIC) || (t->cfg & TN_VAL_SET))
		t->cmp = (t->cmp & ~mask) | (v & mask);
	t->period = (t->period & ~mask) | (v & mask);
	t->cfg &= ~TN_VAL_SET;
	t->seen = counter_at(h, now);
}

static void write_reg(struct hpet *h, u64 reg, u64 v, u64 mask, u64 now)
{
	u32 n = (u32)((reg - REG_TIMER0) / TIMER_STRIDE);

	switch (reg) {
	case REG_CFG:     write_cfg(h, v, mask, now); return;
	case REG_ISR:     h->isr &= ~(v & mask & ALL_TIMERS); return; /* write 1 to clear */
	case REG_COUNTER: write_counter(h, v, mask, now); return;
	}
	if (reg < REG_TIMER0 || n >= PC_HPET_TIMERS)
		return; /* capabilities, reserved: read-only */
	if (reg % TIMER_STRIDE == TN_CFG)
		write_timer_cfg(h, &h->t[n], v, mask, now);
	else if (reg % TIMER_STRIDE == TN_CMP)
		write_cmp(h, &h->t[n], v, mask, now);
}

/* 2.3.1: registers are read and written 32 or 64 bits at a time,
 * naturally aligned; the spec defines no other access. */
static bool access_ok(u64 off, u32 size)
{
	return (size == 4 || size == 8) && off % size == 0;
}

static enum bus_result hpet_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct hpet *h = dev;
	u64 now = h->clk.now(), v;

	if (!access_ok(off, size))
		return BUS_BAD_ACCESS;
	hpet_update(h, now);
	v = read_reg(h, off & ~7ULL, now);
	*val = size == 8 ? v : (v >> (8 * (off & 4))) & LOW32;
	return BUS_OK;
}

static enum bus_result hpet_write(void *dev, u64 off, u32 size, u64 val)
{
	struct hpet *h = dev;
	u64 now = h->clk.now(), shift = 8 * (off & 4);
	u64 mask = size == 8 ? ~0ULL : LOW32 << shift;

	if (!access_ok(off, size))
		return BUS_BAD_ACCESS;
	hpet_update(h, now);
	write_reg(h, off & ~7ULL, (val << shift) & mask, mask, now);
	update_lines(h);
	h->deadline = compute_deadline(h);
	return BUS_OK;
}

/* Defaults of 2.3: counter halted at 0, legacy routing off, timers
 * one-shot, edge, disabled, 64-bit, comparators all ones. */
static void hpet_reset(void *dev)
{
	struct hpet *h = dev;

	h->cfg = h->isr = h->count = 0;
	h->start = h->clk.now();
	for (u32 n = 0; n < PC_HPET_TIMERS; n++)
		h->t[n] = (struct hpet_timer){ .cmp = ~0ULL };
	update_lines(h); /* lowers the lines it held */
	h->deadline = ~0ULL;
}

static const struct bus_dev_ops hpet_ops = { hpet_read, hpet_write, hpet_reset };

struct hpet *hpet_attach(struct dev_host *host, struct vclock clk, const char **err)
{
	struct hpet *h = dev_create(host, &host->bus->mmio, PC_HPET_BASE, PC_HPET_LEN, sizeof(*h),
				    &hpet_ops, "hpet", err);

	if (!h)
		return NULL;
	h->host = host;
	h->clk = clk;
	hpet_reset(h);
	if (!dev_add_timer(host, &hpet_vtimer_ops, h)) {
		*err = "no room for the HPET among the VM's timers";
		return NULL;
	}
	return h;
}

static bool hpet_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	(void)cfg;
	return hpet_attach(host, vclock_host(), err) != NULL;
}

VM_DEVICE(18, hpet, hpet_create);
