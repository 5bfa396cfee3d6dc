/* The host's MC146818 CMOS clock, read once at boot (MC146818A data sheet:
 * registers 0x00-0x09, status A UIP, status B DM and 24/12; century at
 * 0x32, where PC firmware keeps it). Read as Linux's mc146818_get_time
 * does: outside an update cycle, twice until both reads agree. The clock
 * only has whole seconds, so the result is up to 1 s behind; waiting for
 * the next second to begin would make it exact but cost every boot half a
 * second on average. */
#include <bulkhead/datetime.h>
#include <bulkhead/rtc.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_timer.h>
#include <bulkhead/x86/io.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define REG_A      0x0a
#define REG_B      0x0b
#define A_UIP      0x80
#define B_BINARY   0x04
#define B_24H      0x02
#define HOUR_PM    0x80
#define MAX_POLLS  20000000U /* bound when the TSC rate is not known yet */

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg); /* bit 7 clear: NMIs stay enabled */
	return inb(CMOS_DATA);
}

/* Polls until no update cycle is in progress (UIP clear; it stays set for
 * at most 2 ms), for at most ~1.1 s. */
static bool wait_no_update(void)
{
	u64 end = tsc_hz ? rdtsc() + tsc_hz + tsc_hz / 10 : 0;

	for (u32 i = 0; i < MAX_POLLS; i++) {
		if (!(cmos_read(REG_A) & A_UIP))
			return true;
		if (end && rdtsc() > end)
			return false;
	}
	return false;
}

static bool bcd(u8 v, bool binary, u32 *out)
{
	if (binary) {
		*out = v;
		return true;
	}
	if ((v & 0xf) > 9 || (v >> 4) > 9)
		return false;
	*out = (v >> 4) * 10U + (v & 0xfU);
	return true;
}

struct cmos_time {
	u8 sec, min, hour, day, mon, year, century, b;
};

static void read_regs(struct cmos_time *c)
{
	c->sec = cmos_read(0x00);
	c->min = cmos_read(0x02);
	c->hour = cmos_read(0x04);
	c->day = cmos_read(0x07);
	c->mon = cmos_read(0x08);
	c->year = cmos_read(0x09);
	c->century = cmos_read(0x32);
	c->b = cmos_read(REG_B);
}

static bool decode(const struct cmos_time *c, struct datetime *t)
{
	bool bin = c->b & B_BINARY;
	u32 sec, min, hour, day, mon, year, century;

	if (!bcd(c->sec, bin, &sec) || !bcd(c->min, bin, &min) ||
	    !bcd(c->hour & (u8)~HOUR_PM, bin, &hour) || !bcd(c->day, bin, &day) ||
	    !bcd(c->mon, bin, &mon) || !bcd(c->year, bin, &year) || year > 99)
		return false;
	if (!(c->b & B_24H)) {
		if (hour < 1 || hour > 12)
			return false;
		hour = hour % 12 + (c->hour & HOUR_PM ? 12 : 0);
	}
	/* A firmware without a century register leaves 0 or junk there. */
	if (!bcd(c->century, bin, &century) || century < 19 || century > 99)
		century = year < 70 ? 20 : 19;
	*t = (struct datetime){ .year = century * 100 + year, .month = (u8)mon, .day = (u8)day,
				.hour = (u8)hour, .minute = (u8)min, .second = (u8)sec };
	return datetime_valid(t);
}

bool host_rtc_read(u64 *unix_seconds)
{
	struct cmos_time a, b;
	struct datetime t;
	s64 secs;
	bool stable = false;

	for (u32 tries = 0; tries < 10; tries++) {
		if (!wait_no_update())
			return false;
		read_regs(&a);
		read_regs(&b);
		if (memcmp(&a, &b, sizeof(a)) == 0) {
			stable = true;
			break;
		}
	}
	if (!stable || !decode(&b, &t) || (secs = datetime_to_unix(&t)) < 0)
		return false;
	*unix_seconds = (u64)secs;
	return true;
}
