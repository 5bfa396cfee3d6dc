/* Parsing helpers for the configuration unit tests (hv/core/vm_conf_*.c):
 * the test file defines its environment as `static struct vm_conf_env env`
 * before including this, then calls parse() and refused(). */
#ifndef CONF_TEST_H
#define CONF_TEST_H

#include <string.h>
#include "unit.h"
#include <bulkhead/vm_conf.h>

static struct vm_conf conf;

static __unused bool parse(const char *text)
{
	return vm_conf_parse(text, strlen(text), &env, &conf);
}

/* text is refused with exactly msg. */
static __unused void refused(const char *text, const char *msg)
{
	bool ok = parse(text);

	if (ok || strcmp(conf.err, msg))
		fail_msg("for\n%s\nwant \"%s\"\ngot %s \"%s\"", text, msg, ok ? "success" : "error",
			 conf.err);
}

#endif
