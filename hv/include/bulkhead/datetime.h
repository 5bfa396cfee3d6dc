/* Civil (proleptic Gregorian) dates and Unix time, pure arithmetic
 * (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"). */
#ifndef BULKHEAD_DATETIME_H
#define BULKHEAD_DATETIME_H

#include <bulkhead/types.h>

struct datetime {
	s64 year;
	u8 month;   /* 1-12 */
	u8 day;     /* 1-31 */
	u8 hour;    /* 0-23 */
	u8 minute;  /* 0-59 */
	u8 second;  /* 0-59 */
	u8 weekday; /* 0 = Sunday .. 6 = Saturday, output only */
};

/* Days since 1970-01-01 of y-m-d; @pre 1 <= m <= 12, 1 <= d <= 31 (a day
 * past the month's end counts on into the next month). */
s64 datetime_days_from_civil(s64 y, u32 m, u32 d);
void datetime_civil_from_days(s64 days, s64 *y, u32 *m, u32 *d);
u32 datetime_days_in_month(s64 y, u32 m);
/* Checks every field's range, day against the month's length. */
bool datetime_valid(const struct datetime *t);
s64 datetime_to_unix(const struct datetime *t);
void datetime_from_unix(s64 secs, struct datetime *t);

#endif
