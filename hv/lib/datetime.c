/* Civil dates <-> day numbers (H. Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms", days_from_civil and civil_from_days), and Unix seconds. */
#include <bulkhead/datetime.h>

#define SECS_PER_DAY 86400

/* Floor division for a possibly negative numerator. */
static s64 div_floor(s64 a, s64 b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

s64 datetime_days_from_civil(s64 y, u32 m, u32 d)
{
	s64 era, yoe, doy, doe;

	y -= m <= 2;
	era = div_floor(y, 400);
	yoe = y - era * 400;                                        /* [0, 399] */
	doy = (153 * (s64)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

void datetime_civil_from_days(s64 days, s64 *y, u32 *m, u32 *d)
{
	s64 z = days + 719468;
	s64 era = div_floor(z, 146097);
	s64 doe = z - era * 146097;                                  /* [0, 146096] */
	s64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	s64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);           /* [0, 365] */
	s64 mp = (5 * doy + 2) / 153;                                /* [0, 11] */

	*d = (u32)(doy - (153 * mp + 2) / 5 + 1);
	*m = (u32)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool leap(s64 y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

u32 datetime_days_in_month(s64 y, u32 m)
{
	static const u8 len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return len[m - 1] + (m == 2 && leap(y));
}

bool datetime_valid(const struct datetime *t)
{
	return t->month >= 1 && t->month <= 12 && t->day >= 1 &&
	       t->day <= datetime_days_in_month(t->year, t->month) && t->hour < 24 &&
	       t->minute < 60 && t->second < 60;
}

s64 datetime_to_unix(const struct datetime *t)
{
	s64 days = datetime_days_from_civil(t->year, t->month, t->day);

	return days * SECS_PER_DAY + t->hour * 3600 + t->minute * 60 + t->second;
}

void datetime_from_unix(s64 secs, struct datetime *t)
{
	s64 days = div_floor(secs, SECS_PER_DAY);
	s64 rem = secs - days * SECS_PER_DAY;
	u32 m, d;

	datetime_civil_from_days(days, &t->year, &m, &d);
	t->month = (u8)m;
	t->day = (u8)d;
	t->hour = (u8)(rem / 3600);
	t->minute = (u8)(rem / 60 % 60);
	t->second = (u8)(rem % 60);
	t->weekday = (u8)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
}
