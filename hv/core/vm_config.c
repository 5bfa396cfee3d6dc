/* VM descriptions from boot-module command lines (pure logic). */
#include <bulkhead/cmdline.h>
#include <bulkhead/string.h>
#include <bulkhead/vm_config.h>

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= VM_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* The part of cmdline after a " -- " word, or "". */
static const char *guest_part(const char *cmdline)
{
	for (const char *p = cmdline; (p = strchr(p, '-')) != NULL; p++) {
		bool starts = p == cmdline || p[-1] == ' ';
		if (starts && p[1] == '-' && (p[2] == ' ' || p[2] == '\0'))
			return p[2] ? p + 3 : p + 2;
	}
	return "";
}

/* Copies the words before " -- " so that lookups never see guest words. */
static void host_part(const char *cmdline, char *out, size_t size)
{
	const char *g = guest_part(cmdline);
	size_t n = *g ? (size_t)(g - cmdline) : strlen(cmdline);

	if (n >= size)
		n = size - 1;
	memcpy(out, cmdline, n);
	out[n] = '\0';
}

static bool parse_kernel(const char *words, const char *cmdline, struct vm_config *cfg,
			 const char **err)
{
	char val[24], name[VM_NAME_MAX + 1];
	u64 mib = VM_MEM_DEFAULT_MIB;

	if (!cmdline_get(words, "vm", name, sizeof(name)) || !valid_name(name)) {
		*err = "vm= needs a name of 1-15 letters, digits, '-' or '_'";
		return false;
	}
	memcpy(cfg->name, name, VM_NAME_MAX);
	if (cmdline_get(words, "mem", val, sizeof(val)) &&
	    (!cmdline_parse_u64(val, &mib) || mib < 2 || mib > VM_MEM_MAX_MIB)) {
		*err = "mem= must be a number of MiB from 2 to 1024";
		return false;
	}
	cfg->mem_bytes = ALIGN_UP(mib, 2ULL) << 20;
	cfg->testexit = cmdline_has(words, "testexit");
	cfg->testdev = cmdline_has(words, "testdev");
	cfg->cmdline = guest_part(cmdline);
	return true;
}

/* The text after the first word starting with prefix, spaces skipped. */
static const char *after_word(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	for (const char *w = s; *w; w++) {
		if ((w == s || w[-1] == ' ') && !strncmp(w, prefix, n)) {
			while (*w && *w != ' ')
				w++;
			while (*w == ' ')
				w++;
			return w;
		}
	}
	return "";
}

enum vm_module_kind vm_config_parse(const char *cmdline, struct vm_config *cfg, char *name,
				    const char **rest, const char **err)
{
	char words[512];
	char tmp[VM_NAME_MAX + 1];

	*err = NULL;
	host_part(cmdline, words, sizeof(words));
	if (cmdline_has(words, "vm")) {
		memset(cfg, 0, sizeof(*cfg));
		return parse_kernel(words, cmdline, cfg, err) ? VM_MODULE_KERNEL : VM_MODULE_NONE;
	}
	if (!cmdline_get(words, "vmmod", tmp, sizeof(tmp)))
		return VM_MODULE_NONE;
	if (!valid_name(tmp)) {
		*err = "vmmod= needs the name of a VM";
		return VM_MODULE_NONE;
	}
	memcpy(name, tmp, VM_NAME_MAX);
	*rest = after_word(cmdline, "vmmod=");
	return VM_MODULE_EXTRA;
}
