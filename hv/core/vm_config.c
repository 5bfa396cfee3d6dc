/* VM descriptions from boot-module command lines (pure logic). */
#include <bulkhead/cmdline.h>
#include <bulkhead/string.h>
#include <bulkhead/vm_config.h>

static const struct {
	const char *name;
	u32 label;
} roles[] = {
	[VM_ROLE_WORK] = { "work", 0x3070d0U },             /* blue */
	[VM_ROLE_PERSONAL] = { "personal", 0x30a040U },     /* green */
	[VM_ROLE_DISPOSABLE] = { "disposable", 0xe08020U }, /* orange */
	[VM_ROLE_SERVICE] = { "service", 0x808080U },       /* grey */
};

const char *vm_role_name(enum vm_role role)
{
	return (unsigned)role < sizeof(roles) / sizeof(roles[0]) ? roles[role].name : "?";
}

u32 vm_role_label(enum vm_role role)
{
	return (unsigned)role < sizeof(roles) / sizeof(roles[0]) ? roles[role].label : 0x808080U;
}

void vm_config_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_bytes = (u64)VM_MEM_DEFAULT_MIB << 20;
	cfg->cmdline = "";
	cfg->role = VM_ROLE_PERSONAL;
	cfg->label_rgb = 0; /* none: the console picks one by VM index */
	cfg->nr_vcpus = 1;
	cfg->on_crash = VM_ON_CRASH_STOP;
	cfg->autostart = true;
	cfg->weight = VM_WEIGHT_DEFAULT;
}

bool vm_config_valid_name(const char *s)
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
	u64 mib = VM_MEM_DEFAULT_MIB, n = 1;

	if (!cmdline_get(words, "vm", name, sizeof(name)) || !vm_config_valid_name(name)) {
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
	if (cmdline_get(words, "vcpus", val, sizeof(val)) &&
	    (!cmdline_parse_u64(val, &n) || n < 1 || n > VM_MAX_VCPUS)) {
		*err = "vcpus= must be a number from 1 to 8";
		return false;
	}
	cfg->nr_vcpus = (u32)n;
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
		vm_config_defaults(cfg);
		return parse_kernel(words, cmdline, cfg, err) ? VM_MODULE_KERNEL : VM_MODULE_NONE;
	}
	if (!cmdline_get(words, "vmmod", tmp, sizeof(tmp)))
		return VM_MODULE_NONE;
	if (!vm_config_valid_name(tmp)) {
		*err = "vmmod= needs the name of a VM";
		return VM_MODULE_NONE;
	}
	memcpy(name, tmp, VM_NAME_MAX);
	*rest = after_word(cmdline, "vmmod=");
	return VM_MODULE_EXTRA;
}
