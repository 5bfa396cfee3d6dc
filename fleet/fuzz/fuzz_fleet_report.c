/* libFuzzer target: the check-in service's report parser (checkin/report.c)
 * on untrusted bytes; an accepted report is also signature-checked and its
 * signed part must survive the canonical form. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkin/report.h"
#include "tuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t pub[32] = { 1 };
	struct report r;
	struct fl_err err;

	if (sodium_init() < 0)
		abort();
	if (report_parse(data, size, &r, &err))
		return 0;
	if (r.device < 1 || r.seq < 1 || !r.signed_part)
		abort();
	(void)report_verify(&r, pub);
	char *c = tuf_canonical(r.signed_part);

	if (!c)
		abort();
	free(c);
	report_free(&r);
	return 0;
}
