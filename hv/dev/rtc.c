/* Virtual MC146818 RTC and CMOS RAM at PC_RTC_BASE (Motorola MC146818A data
 * sheet; century register at 0x32 as the FADT's CENTURY field says). The
 * clock is the host's wall clock at boot plus TSC time since, and a guest
 * setting the time moves only its own VM's clock. Status B selects BCD or
 * binary and 12/24-hour registers; UIP is set for the 244 us before each
 * second's update. No alarm, periodic or update interrupts (status C and
 * its flags stay 0); the divider bits of status A do not stop the clock. */
#include <bulkhead/datetime.h>
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/rtc.h>

#define REG_SEC     0x00
#define REG_MIN     0x02
#define REG_HOUR    0x04
#define REG_WDAY    0x06
#define REG_MDAY    0x07
#define REG_MON     0x08
#define REG_YEAR    0x09
#define REG_A       0x0a
#define REG_B       0x0b
#define REG_C       0x0c
#define REG_D       0x0d
#define REG_CENTURY 0x32
#define CMOS_SIZE   128

#define A_UIP       0x80
#define B_SET       0x80
#define B_BINARY    0x04
#define B_24H       0x02
#define D_VRT       0x80 /* valid RAM and time; bit 6 must read 0 (Linux) */
#define HOUR_PM     0x80
#define UIP_US      244

static s64 host_secs;
static u64 host_tsc;

void rtc_set_host_clock(s64 unix_seconds, u64 tsc)
{
	host_secs = unix_seconds;
	host_tsc = tsc;
}

struct rtc {
	struct vclock clk;
	u8 index;
	u8 ram[CMOS_SIZE];  /* time registers are computed, not kept here */
	s64 epoch_secs;     /* the clock showed epoch_secs.0 ... */
	u64 epoch_tsc;      /* ... at this TSC */
	struct datetime held; /* while status B's SET bit halts the clock */
};

static s64 now_secs(const struct rtc *r, u64 *frac_tsc)
{
	u64 now = r->clk.now();
	u64 d = now > r->epoch_tsc ? now - r->epoch_tsc : 0;

	if (frac_tsc)
		*frac_tsc = d % r->clk.hz;
	return r->epoch_secs + (s64)(d / r->clk.hz);
}

static void current_time(const struct rtc *r, struct datetime *t)
{
	if (r->ram[REG_B] & B_SET)
		*t = r->held;
	else
		datetime_from_unix(now_secs(r, NULL), t);
}

/* Sets the running clock to t, starting a fresh second now. */
static void commit_time(struct rtc *r, const struct datetime *t)
{
	if (!datetime_valid(t))
		return; /* a nonsense date set by the guest: keep the old time */
	r->epoch_secs = datetime_to_unix(t);
	r->epoch_tsc = r->clk.now();
}

static u8 encode(const struct rtc *r, u32 v)
{
	return r->ram[REG_B] & B_BINARY ? (u8)v : (u8)((v / 10) << 4 | v % 10);
}

/* Register value -> number; false for a digit that is not BCD. */
static bool decode(const struct rtc *r, u8 v, u32 *out)
{
	if (r->ram[REG_B] & B_BINARY) {
		*out = v;
		return true;
	}
	if ((v & 0xf) > 9 || (v >> 4) > 9)
		return false;
	*out = (v >> 4) * 10U + (v & 0xfU);
	return true;
}

static u8 encode_hour(const struct rtc *r, u32 h)
{
	u32 h12 = h % 12 ? h % 12 : 12;

	if (r->ram[REG_B] & B_24H)
		return encode(r, h);
	return (u8)(encode(r, h12) | (h >= 12 ? HOUR_PM : 0));
}

static bool decode_hour(const struct rtc *r, u8 v, u32 *h)
{
	if (r->ram[REG_B] & B_24H)
		return decode(r, v, h);
	if (!decode(r, v & (u8)~HOUR_PM, h) || *h < 1 || *h > 12)
		return false;
	*h = *h % 12 + (v & HOUR_PM ? 12 : 0);
	return true;
}

static u8 read_time_reg(const struct rtc *r, u8 reg)
{
	struct datetime t;
	s64 y;

	current_time(r, &t);
	y = t.year < 0 ? 0 : t.year % 10000;
	switch (reg) {
	case REG_SEC:     return encode(r, t.second);
	case REG_MIN:     return encode(r, t.minute);
	case REG_HOUR:    return encode_hour(r, t.hour);
	case REG_WDAY:    return encode(r, t.weekday + 1U); /* 1 = Sunday */
	case REG_MDAY:    return encode(r, t.day);
	case REG_MON:     return encode(r, t.month);
	case REG_YEAR:    return encode(r, (u32)(y % 100));
	default:          return encode(r, (u32)(y / 100)); /* century */
	}
}

/* A guest write to a date or time register; an invalid value is dropped. */
static void write_time_reg(struct rtc *r, u8 reg, u8 v)
{
	struct datetime t;
	u32 n;
	bool ok = reg == REG_HOUR ? decode_hour(r, v, &n) : decode(r, v, &n);

	if (!ok || reg == REG_WDAY) /* weekday follows from the date */
		return;
	current_time(r, &t);
	switch (reg) {
	case REG_SEC:  t.second = (u8)n; break;
	case REG_MIN:  t.minute = (u8)n; break;
	case REG_HOUR: t.hour = (u8)n; break;
	case REG_MDAY: t.day = (u8)n; break;
	case REG_MON:  t.month = (u8)n; break;
	case REG_YEAR: t.year = t.year - t.year % 100 + n; break;
	default:       t.year = t.year % 100 + (s64)n * 100; break; /* century */
	}
	if (r->ram[REG_B] & B_SET) {
		/* Halted: fields may pass through invalid dates (31 Feb) while the
		 * guest writes them one by one; checked when SET clears. Keep
		 * them in range for the encoders. */
		if (t.second < 60 && t.minute < 60 && t.hour < 24 && t.day >= 1 && t.day <= 31 &&
		    t.month >= 1 && t.month <= 12)
			r->held = t;
		return;
	}
	commit_time(r, &t);
}

static void write_b(struct rtc *r, u8 v)
{
	bool was_set = r->ram[REG_B] & B_SET;

	if (!was_set && (v & B_SET))
		datetime_from_unix(now_secs(r, NULL), &r->held);
	r->ram[REG_B] = v;
	if (was_set && !(v & B_SET))
		commit_time(r, &r->held);
}

static bool is_time_reg(u8 reg)
{
	return (reg <= REG_YEAR && reg != 1 && reg != 3 && reg != 5) || reg == REG_CENTURY;
}

static u8 read_reg(struct rtc *r, u8 reg)
{
	u64 frac;

	if (is_time_reg(reg))
		return read_time_reg(r, reg);
	switch (reg) {
	case REG_A:
		(void)now_secs(r, &frac);
		if (!(r->ram[REG_B] & B_SET) && frac >= r->clk.hz - r->clk.hz * UIP_US / 1000000)
			return r->ram[REG_A] | A_UIP;
		return r->ram[REG_A];
	case REG_C: return 0;     /* no interrupt flags; read clears them */
	case REG_D: return D_VRT;
	default:    return r->ram[reg];
	}
}

static void write_reg(struct rtc *r, u8 reg, u8 v)
{
	if (is_time_reg(reg)) {
		write_time_reg(r, reg, v);
		return;
	}
	switch (reg) {
	case REG_A: r->ram[REG_A] = v & (u8)~A_UIP; break;
	case REG_B: write_b(r, v); break;
	case REG_C:
	case REG_D: break; /* read-only */
	default:    r->ram[reg] = v; break;
	}
}

static enum bus_result rtc_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct rtc *r = dev;

	if (size != 1)
		return BUS_BAD_ACCESS;
	*val = off == 0 ? 0xff : read_reg(r, r->index); /* the index port is write-only */
	return BUS_OK;
}

static enum bus_result rtc_write(void *dev, u64 off, u32 size, u64 val)
{
	struct rtc *r = dev;

	if (size != 1)
		return BUS_BAD_ACCESS;
	if (off == 0)
		r->index = (u8)val & (CMOS_SIZE - 1); /* bit 7: NMI disable, ignored */
	else
		write_reg(r, r->index, (u8)val);
	return BUS_OK;
}

/* RESET# clears the interrupt enables of status B (data sheet); the time
 * and the RAM are battery-backed and stay. */
static void rtc_reset(void *dev)
{
	struct rtc *r = dev;

	r->ram[REG_B] &= (u8)~0x78; /* PIE, AIE, UIE, SQWE */
	r->index = 0;
}

static const struct bus_dev_ops rtc_ops = { rtc_read, rtc_write, rtc_reset };

struct rtc *rtc_attach(struct dev_host *host, struct vclock clk, const char **err)
{
	struct rtc *r = dev_create(host, &host->bus->pio, PC_RTC_BASE, 2, sizeof(*r), &rtc_ops, "rtc",
				   err);

	if (!r)
		return NULL;
	r->clk = clk;
	r->epoch_secs = host_secs;
	r->epoch_tsc = host_tsc;
	r->ram[REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz rate */
	r->ram[REG_B] = B_24H; /* BCD, 24-hour, as PC firmware leaves it */
	return r;
}

static bool rtc_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	(void)cfg;
	return rtc_attach(host, vclock_host(), err) != NULL;
}

VM_DEVICE(19, rtc, rtc_create);
