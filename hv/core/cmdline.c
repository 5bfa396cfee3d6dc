/* Command-line words: "key" or "key=value", separated by spaces. */
#include <bulkhead/cmdline.h>
#include <bulkhead/string.h>

const char *cmdline_skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

size_t cmdline_word_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ' && s[n] != '\t')
		n++;
	return n;
}

bool cmdline_get(const char *cmdline, const char *key, char *val, size_t size)
{
	size_t klen = strlen(key);

	for (const char *w = cmdline_skip_spaces(cmdline); *w;
	     w = cmdline_skip_spaces(w + cmdline_word_len(w))) {
		size_t wlen = cmdline_word_len(w);

		if (wlen < klen || strncmp(w, key, klen) != 0)
			continue;
		if (wlen == klen) {
			if (size)
				val[0] = '\0';
			return true;
		}
		if (w[klen] != '=')
			continue;
		if (size) {
			size_t n = MIN(wlen - klen - 1, size - 1);
			memcpy(val, w + klen + 1, n);
			val[n] = '\0';
		}
		return true;
	}
	return false;
}

bool cmdline_has(const char *cmdline, const char *key)
{
	return cmdline_get(cmdline, key, NULL, 0);
}

bool cmdline_parse_u64(const char *s, u64 *out)
{
	unsigned base = 10;
	u64 v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (v > (~0ULL - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}
