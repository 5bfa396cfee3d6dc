/* Hypervisor command line: space-separated words, "key" or "key=value". */
#ifndef BULKHEAD_CMDLINE_H
#define BULKHEAD_CMDLINE_H

#include <bulkhead/types.h>

/* Copies the value of the first "key=value" word into val (NUL-terminated,
 * truncated to size) and returns true; a bare "key" gives "". */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t size);
bool cmdline_has(const char *cmdline, const char *key);
/* Parses a decimal or 0x-prefixed number; false on junk or overflow. */
bool cmdline_parse_u64(const char *s, u64 *out);

/* The first character after spaces and tabs; the length of the word at s
 * (up to a space, a tab or the end). */
const char *cmdline_skip_spaces(const char *s);
size_t cmdline_word_len(const char *s);

#endif
