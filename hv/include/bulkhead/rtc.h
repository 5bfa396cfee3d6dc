/* MC146818 CMOS real-time clock of every VM (hv/dev/rtc.c), and the host's
 * own CMOS clock read once at boot (hv/arch/x86/host_rtc.c). */
#ifndef BULKHEAD_RTC_H
#define BULKHEAD_RTC_H

#include <bulkhead/types.h>
#include <bulkhead/vtimer.h>

struct dev_host;
struct rtc;

/* Reads the host's CMOS clock as Unix seconds (UTC assumed), waiting for
 * the next update cycle to end so that the value is exact to a few
 * milliseconds when the function returns (so at most ~1 s). */
bool host_rtc_read(u64 *unix_seconds);

/* The wall clock every new VM's RTC starts from: unix_seconds held at host
 * TSC tsc. Set once at boot, before VMs are created; 0 (1970) until then. */
void rtc_set_host_clock(s64 unix_seconds, u64 tsc);

/* Creates the RTC of vm on ports PC_RTC_BASE..+1, on clock clk. */
struct rtc *rtc_attach(struct dev_host *host, struct vclock clk, const char **err);

#endif
