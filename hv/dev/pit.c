/* Virtual 8254 PIT (Intel 8254 data sheet 231164-005) and port B (PC AT
 * technical reference; PIIX4 datasheet 4.7.x NMI status and control).
 * Counters are computed from the host TSC at each access, never ticked,
 * so the count and OUT2 follow the TSC exactly: Linux calibrates the TSC
 * by watching them (arch/x86/kernel/tsc.c pit_calibrate_tsc and
 * quick_pit_calibrate). Modes 0-5 (6 and 7 alias 2 and 3); BCD counting is
 * not supported and counts in binary. Channel 0 pulses PC_PIT_GSI on each
 * rising edge of OUT0 through pit_poll(). */
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pit.h>

#define PORT_CMD   3
#define CMD_SC(v)  (((v) >> 6) & 3)
#define CMD_RW(v)  (((v) >> 4) & 3)
#define CMD_MODE(v) (((v) >> 1) & 7)
#define RB_NO_COUNT  0x20 /* read-back, active low */
#define RB_NO_STATUS 0x10

#define PORTB_GATE2   0x01
#define PORTB_SPEAKER 0x02
#define PORTB_RW      0x0f /* gate, speaker, parity/IOCHK check enables */
#define PORTB_REFRESH 0x10
#define PORTB_OUT2    0x20

enum rw_mode { RW_LATCH, RW_LSB, RW_MSB, RW_WORD };

struct pit_channel {
	u8 mode, rw, bcd;
	bool write_msb;      /* RW_WORD: next write is the MSB */
	bool read_msb;       /* RW_WORD: next live read is the MSB */
	u8 lsb;              /* RW_WORD: LSB written, MSB awaited */
	bool status_latched;
	u8 status;
	u8 latch_bytes;      /* count bytes still to read from latch */
	u16 latch;
	bool null_count;     /* control word written, count not loaded */
	bool running;        /* count loaded (and, modes 1/5, triggered) */
	bool gate;
	u32 reload;          /* 1..65536 */
	u16 idle;            /* count shown while not running */
	u64 start;           /* TSC when counting (re)started */
	u64 base;            /* ticks counted before start (gate pauses) */
	u64 fired;           /* channel 0: rising edges already signalled */
};

struct pit {
	struct dev_host *host;
	struct vclock clk;
	struct pit_channel ch[3];
	u8 port_b;
	bool refresh;
};

static bool one_shot(u8 mode)
{
	return mode == 0 || mode == 1 || mode == 4 || mode == 5;
}

/* Ticks counted by the channel up to TSC now. */
static u64 elapsed(const struct pit *p, const struct pit_channel *c, u64 now)
{
	bool counting = c->gate || c->mode == 1 || c->mode == 5; /* gate only triggers 1/5 */

	if (!c->running)
		return 0;
	if (!counting || now < c->start)
		return c->base;
	return c->base + vclock_ticks(now - c->start, p->clk.hz, PIT_HZ);
}

/* Periodic modes never load a count below 2 (data sheet: 1 is illegal). */
static u32 period(const struct pit_channel *c)
{
	return c->reload < 2 ? 2 : c->reload;
}

static u16 count_at(const struct pit *p, const struct pit_channel *c, u64 now)
{
	u64 e = elapsed(p, c, now), ph;
	u32 n = period(c), even = n & ~1U;

	if (!c->running)
		return c->idle;
	switch (c->mode) {
	case 2:
		return (u16)(n - e % n);
	case 3: /* counts down by two, twice per period (data sheet mode 3) */
		ph = e % n;
		if (ph >= (n + 1) / 2)
			ph -= (n + 1) / 2;
		return (u16)(even - 2 * ph);
	default:
		return (u16)(c->reload - e);
	}
}

static bool out_at(const struct pit *p, const struct pit_channel *c, u64 now)
{
	u64 e = elapsed(p, c, now);
	u32 n = period(c);

	if (!c->running)
		return c->mode != 0; /* as the control word set it */
	switch (c->mode) {
	case 0:
	case 1: return e >= c->reload;
	case 2: return !c->gate || e % n != n - 1U;
	case 3: return !c->gate || e % n < (n + 1) / 2;
	default: return e != c->reload; /* 4, 5: one low tick at terminal count */
	}
}

static void load_count(struct pit *p, struct pit_channel *c, u32 n, u64 now)
{
	c->reload = n ? n : 0x10000;
	c->null_count = false;
	c->start = now;
	c->base = 0;
	c->fired = 0;
	c->running = c->mode != 1 && c->mode != 5; /* those wait for a gate edge */
	(void)p;
}

static void write_control(struct pit *p, struct pit_channel *c, u8 v, u64 now)
{
	if (CMD_RW(v) == RW_LATCH) {
		if (!c->latch_bytes) { /* a second latch before reading is ignored */
			c->latch = count_at(p, c, now);
			c->latch_bytes = c->rw == RW_WORD ? 2 : 1;
		}
		return;
	}
	c->idle = count_at(p, c, now);
	c->rw = CMD_RW(v);
	c->mode = CMD_MODE(v) > 5 ? CMD_MODE(v) - 4 : CMD_MODE(v);
	c->bcd = v & 1;
	c->write_msb = c->read_msb = false;
	c->latch_bytes = 0;
	c->status_latched = false;
	c->null_count = true;
	c->running = false;
}

static void latch_status(struct pit *p, struct pit_channel *c, u64 now)
{
	if (c->status_latched)
		return;
	c->status = (u8)(out_at(p, c, now) << 7 | c->null_count << 6 | c->rw << 4 | c->mode << 1 |
			 c->bcd);
	c->status_latched = true;
}

static void read_back(struct pit *p, u8 v, u64 now)
{
	for (u32 i = 0; i < 3; i++) {
		struct pit_channel *c = &p->ch[i];

		if (!(v & (2U << i)))
			continue;
		if (!(v & RB_NO_STATUS))
			latch_status(p, c, now);
		if (!(v & RB_NO_COUNT) && !c->latch_bytes) {
			c->latch = count_at(p, c, now);
			c->latch_bytes = c->rw == RW_WORD ? 2 : 1;
		}
	}
}

static u8 read_counter(struct pit *p, struct pit_channel *c, u64 now)
{
	u16 v;
	bool msb;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_bytes) {
		msb = c->rw == RW_MSB || (c->rw == RW_WORD && c->latch_bytes == 1);
		c->latch_bytes--;
		return (u8)(msb ? c->latch >> 8 : c->latch);
	}
	v = count_at(p, c, now);
	msb = c->rw == RW_MSB;
	if (c->rw == RW_WORD) {
		msb = c->read_msb;
		c->read_msb = !c->read_msb;
	}
	return (u8)(msb ? v >> 8 : v);
}

static void write_counter(struct pit *p, struct pit_channel *c, u8 v, u64 now)
{
	switch (c->rw) {
	case RW_LSB:
		load_count(p, c, v, now);
		break;
	case RW_MSB:
		load_count(p, c, (u32)v << 8, now);
		break;
	default:
		if (!c->write_msb) {
			c->lsb = v;
			c->write_msb = true;
			break;
		}
		c->write_msb = false;
		load_count(p, c, c->lsb | (u32)v << 8, now);
		break;
	}
}

static enum bus_result pit_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct pit *p = dev;

	if (size != 1)
		return BUS_BAD_ACCESS; /* 8-bit device on the ISA bus */
	*val = off == PORT_CMD ? 0xff : read_counter(p, &p->ch[off], p->clk.now());
	return BUS_OK;
}

static enum bus_result pit_write(void *dev, u64 off, u32 size, u64 val)
{
	struct pit *p = dev;
	u64 now = p->clk.now();
	u8 v = (u8)val;

	if (size != 1)
		return BUS_BAD_ACCESS;
	if (off != PORT_CMD)
		write_counter(p, &p->ch[off], v, now);
	else if (CMD_SC(v) == 3)
		read_back(p, v, now);
	else
		write_control(p, &p->ch[CMD_SC(v)], v, now);
	return BUS_OK;
}

/* Gate of channel 2 (data sheet table "gate pin operations summary"). */
static void set_gate2(struct pit *p, bool gate, u64 now)
{
	struct pit_channel *c = &p->ch[2];

	if (gate == c->gate)
		return;
	if (!gate) { /* falling: 0/2/3/4 pause, keeping the ticks so far */
		if (c->mode != 1 && c->mode != 5)
			c->base = elapsed(p, c, now);
		c->gate = false;
		return;
	}
	c->gate = true;
	if (c->mode == 0 || c->mode == 4) { /* rising: resume */
		c->start = now;
	} else if (!c->null_count) { /* rising: (re)trigger and reload */
		c->start = now;
		c->base = 0;
		c->running = true;
	}
}

static enum bus_result port_b_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct pit *p = dev;
	u64 now = p->clk.now();

	(void)off;
	if (size != 1)
		return BUS_BAD_ACCESS;
	p->refresh = !p->refresh; /* toggles like the DRAM refresh request */
	*val = (p->port_b & PORTB_RW) | (p->refresh ? PORTB_REFRESH : 0) |
	       (out_at(p, &p->ch[2], now) ? PORTB_OUT2 : 0);
	return BUS_OK;
}

static enum bus_result port_b_write(void *dev, u64 off, u32 size, u64 val)
{
	struct pit *p = dev;

	(void)off;
	if (size != 1)
		return BUS_BAD_ACCESS;
	p->port_b = (u8)val & PORTB_RW;
	set_gate2(p, val & PORTB_GATE2, p->clk.now());
	return BUS_OK;
}

/* Number of rising edges of OUT0 in ticks [1, e]; every edge is at a
 * multiple of the period (modes 2, 3) or once at the count (0, 4). */
static u64 edges_until(const struct pit_channel *c, u64 e)
{
	if (c->mode == 2 || c->mode == 3)
		return e / period(c);
	if (c->mode == 0 || c->mode == 4)
		return e >= c->reload;
	return 0; /* 1 and 5: channel 0's gate never rises */
}

u64 pit_next_deadline(void *dev)
{
	struct pit *p = dev;
	struct pit_channel *c = &p->ch[0];
	u64 ticks;

	if (!c->running || (one_shot(c->mode) && c->fired) || c->mode == 1 || c->mode == 5)
		return ~0ULL;
	ticks = one_shot(c->mode) ? c->reload : (c->fired + 1) * period(c);
	return c->start + vclock_tsc_for(ticks, p->clk.hz, PIT_HZ);
}

void pit_poll(void *dev, u64 now)
{
	struct pit *p = dev;
	struct pit_channel *c = &p->ch[0];
	u64 edges;

	if (pit_next_deadline(p) > now)
		return;
	/* Every tick counts (Linux counts jiffies from them, and a real PIT
	 * loses none): a late poll delivers one missed tick, and the next
	 * poll the next one, as KVM's PIT reinjects. Past a second of backlog
	 * the oldest ticks are dropped, so a long host stall is no storm. */
	edges = edges_until(c, elapsed(p, c, now));
	if (!one_shot(c->mode) && edges > c->fired + PIT_HZ / period(c))
		c->fired = edges - PIT_HZ / period(c);
	c->fired++;
	dev_irq_pulse(p->host, PC_PIT_GSI);
}

const struct vtimer_ops pit_vtimer_ops = { pit_next_deadline, pit_poll };

/* After reset the channels wait to be programmed (no BIOS runs before the
 * guest, so channel 0 is not started at 18.2 Hz). */
static void pit_reset(void *dev)
{
	struct pit *p = dev;

	for (u32 i = 0; i < 3; i++)
		p->ch[i] = (struct pit_channel){ .rw = RW_WORD, .gate = i != 2, .reload = 0x10000 };
	p->port_b = 0;
	p->refresh = false;
}

static const struct bus_dev_ops pit_ops = { pit_read, pit_write, pit_reset };
static const struct bus_dev_ops port_b_ops = { port_b_read, port_b_write, NULL };

struct pit *pit_attach(struct dev_host *host, struct vclock clk, const char **err)
{
	struct pit *p = dev_create(host, &host->bus->pio, PC_PIT_BASE, 4, sizeof(*p), &pit_ops, "pit",
				   err);

	if (!p)
		return NULL;
	if (!bus_register(&host->bus->pio, PC_PORT_B, 1, &port_b_ops, p, "port-b")) {
		*err = "port B taken";
		return NULL;
	}
	p->host = host;
	p->clk = clk;
	pit_reset(p);
	if (!dev_add_timer(host, &pit_vtimer_ops, p)) {
		*err = "no room for the PIT among the VM's timers";
		return NULL;
	}
	return p;
}

static bool pit_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	(void)cfg;
	return pit_attach(host, vclock_host(), err) != NULL;
}

VM_DEVICE(18, pit, pit_create);
