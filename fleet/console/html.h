/* An HTML document built in memory, every value escaped on the way in.
 * Pure: unit-tested and fuzzed on its own. */
#ifndef FLEET_CONSOLE_HTML_H
#define FLEET_CONSOLE_HTML_H

#include "util.h"

struct html {
	struct fl_buf b;
	int failed; /* an append ran out of memory */
};

/* Append fmt: %s a string, HTML-escaped (& < > " ' as entities; NULL as
 * empty); %u a string percent-encoded for a URL's query (all but RFC 3986
 * 2.3's unreserved characters); %d an int; %L a long long; %% a percent
 * sign. Nothing else is a conversion. */
void html(struct html *h, const char *fmt, ...);

#endif
