/* The values of the configuration file's keys (docs/configuration.md):
 * each checked and stored into the open VM's description. */
#include <bulkhead/display.h>
#include <bulkhead/string.h>
#include <bulkhead/vm_conf_priv.h>

#define FOUND_MAX 32 /* bytes of a bad value quoted in a message */

/* A decimal number at *s (no sign, no 0x); moves *s past it. */
static bool parse_decimal(const char **s, u64 *out)
{
	const char *c = *s;
	u64 v = 0;

	if (*c < '0' || *c > '9')
		return false;
	for (; *c >= '0' && *c <= '9'; c++) {
		if (v > (~0ULL - 9) / 10)
			return false;
		v = v * 10 + (u64)(*c - '0');
	}
	*s = c;
	*out = v;
	return true;
}

/* val is a whole decimal number. */
static bool parse_number(const char *val, u64 *out)
{
	return parse_decimal(&val, out) && *val == '\0';
}

static bool one_of(const char *val, const char *const *names, unsigned n, unsigned *idx)
{
	for (unsigned i = 0; i < n; i++) {
		if (!strcmp(val, names[i])) {
			*idx = i;
			return true;
		}
	}
	return false;
}

static bool parse_role(struct vm_conf_parser *p, const char *val, u32 col)
{
	static const char *const names[] = {
		[VM_ROLE_WORK] = "work",
		[VM_ROLE_PERSONAL] = "personal",
		[VM_ROLE_DISPOSABLE] = "disposable",
		[VM_ROLE_SERVICE] = "service",
	};
	unsigned r;

	if (!one_of(val, names, 4, &r))
		return vm_conf_fail(p, p->line, col,
				    "expected a role (work, personal, disposable or service), found '%.*s'",
				    FOUND_MAX, val);
	p->vm->cfg.role = (enum vm_role)r;
	return true;
}

static bool hex_digit(char c, u32 *d)
{
	if (c >= '0' && c <= '9')
		*d = (u32)(c - '0');
	else if (c >= 'a' && c <= 'f')
		*d = (u32)(c - 'a' + 10);
	else if (c >= 'A' && c <= 'F')
		*d = (u32)(c - 'A' + 10);
	else
		return false;
	return true;
}

static bool parse_label(struct vm_conf_parser *p, const char *val, u32 col)
{
	static const char *const names[] = { "red", "orange", "yellow", "green", "blue",
					     "purple", "grey", "white" };
	static const u32 rgb[] = { 0xd03030U, 0xe08020U, 0xe0c020U, 0x30a040U, 0x3070d0U,
				   0x8040b0U, 0x808080U, 0xffffffU };
	unsigned i;
	u32 v = 0, d;

	if (one_of(val, names, 8, &i)) {
		p->vm->cfg.label_rgb = rgb[i];
		return true;
	}
	if (val[0] == '#' && strlen(val) == 7) {
		for (i = 1; i < 7 && hex_digit(val[i], &d); i++)
			v = v << 4 | d;
		if (i == 7) {
			p->vm->cfg.label_rgb = v;
			return true;
		}
	}
	return vm_conf_fail(p, p->line, col,
			    "expected a colour (red, orange, yellow, green, blue, purple, grey, white "
			    "or #RRGGBB), found '%.*s'", FOUND_MAX, val);
}

/* "N", "N MiB" or "N GiB"; 2 to VM_MEM_MAX_MIB MiB, rounded up to 2 MiB. */
static bool parse_memory(struct vm_conf_parser *p, const char *val, u32 col)
{
	const char *s = val;
	u64 n, mib;

	if (!parse_decimal(&s, &n))
		goto bad;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || !strcmp(s, "MiB"))
		mib = n;
	else if (!strcmp(s, "GiB") && n <= VM_MEM_MAX_MIB)
		mib = n * 1024;
	else
		goto bad;
	if (mib < 2 || mib > VM_MEM_MAX_MIB)
		return vm_conf_fail(p, p->line, col, "expected 2 to %u MiB of memory, found %.*s",
				    VM_MEM_MAX_MIB, FOUND_MAX, val);
	p->vm->cfg.mem_bytes = ALIGN_UP(mib, 2ULL) << 20;
	return true;
bad:
	return vm_conf_fail(p, p->line, col, "expected a number of MiB, found '%.*s'", FOUND_MAX, val);
}

static bool parse_vcpus(struct vm_conf_parser *p, const char *val, u32 col)
{
	u64 n;

	if (!parse_number(val, &n))
		return vm_conf_fail(p, p->line, col, "expected a number of vCPUs, found '%.*s'",
				    FOUND_MAX, val);
	if (n < 1 || n > VM_MAX_VCPUS)
		return vm_conf_fail(p, p->line, col, "expected 1 to %u vCPUs, found %.*s", VM_MAX_VCPUS,
				    FOUND_MAX, val);
	p->vm->cfg.nr_vcpus = (u32)n;
	return true;
}

/* The boot module named val: exactly one must have that name. */
static bool find_module(struct vm_conf_parser *p, const char *val, u32 col, char *name,
			unsigned *idx)
{
	const struct vm_conf_env *env = p->env;
	char m[VM_CONF_MODNAME_MAX];
	unsigned found = 0;

	if (val[0] == '\0' || strlen(val) >= VM_CONF_MODNAME_MAX || strchr(val, ' ') ||
	    strchr(val, '\t'))
		return vm_conf_fail(p, p->line, col,
				    "expected a boot module name (one word, at most %u characters), "
				    "found '%.*s'", VM_CONF_MODNAME_MAX - 1, FOUND_MAX, val);
	memcpy(name, val, strlen(val) + 1);
	if (!env->check_mods)
		return true;
	for (unsigned i = 0; i < env->nr_mods; i++) {
		if (vm_conf_module_name(env->mods[i], m, sizeof(m)) && !strcmp(m, val)) {
			*idx = i;
			found++;
		}
	}
	if (found == 0)
		return vm_conf_fail(p, p->line, col, "expected the name of a boot module, found '%s' "
				    "(no module has that name)", val);
	if (found > 1)
		return vm_conf_fail(p, p->line, col, "expected the name of one boot module, found '%s' "
				    "(%u modules have that name)", val, found);
	return true;
}

/* A disk module at most once when any use of it is writable: the earlier
 * VMs' disks and this VM's so far. */
static bool disk_unshared(struct vm_conf_parser *p, const char *name, bool ro, u32 col)
{
	const struct vm_conf *out = p->out;

	for (unsigned k = 0; k <= out->nr_vms; k++) {
		const struct vm_conf_vm *o = k < out->nr_vms ? &out->vms[k] : p->vm;

		for (unsigned d = 0; d < o->cfg.nr_disks; d++) {
			if (strcmp(o->disk[d], name) || (ro && o->cfg.disks[d].read_only))
				continue;
			return vm_conf_fail(p, p->line, col,
					    "expected a disk no other disk uses, found '%s' (also a disk "
					    "of VM '%s' on line %u; a writable disk is one VM's alone)",
					    name, o->cfg.name, o->line);
		}
	}
	return true;
}

static bool parse_kernel(struct vm_conf_parser *p, const char *val, u32 col)
{
	return find_module(p, val, col, p->vm->kernel, &p->vm->kernel_mod);
}

static bool parse_initrd(struct vm_conf_parser *p, const char *val, u32 col)
{
	return find_module(p, val, col, p->vm->initrd, &p->vm->initrd_mod);
}

static bool parse_cmdline(struct vm_conf_parser *p, const char *val, u32 col)
{
	(void)col; /* read_value bounded it to the buffer's size */
	memcpy(p->vm->cmdline, val, strlen(val) + 1);
	return true;
}

/* Names separated by commas and/or spaces: serial, testexit, testdev. */
static bool parse_devices(struct vm_conf_parser *p, const char *val, u32 col)
{
	static const char *const names[] = { "serial", "testexit", "testdev" };
	bool seen[3] = { false, false, false };
	struct vm_config *c = &p->vm->cfg;
	const char *s = val;

	for (;;) {
		size_t n = 0;
		unsigned d;
		char w[16];

		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (!*s)
			break;
		while (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != ',')
			n++;
		w[0] = '\0';
		if (n < sizeof(w)) {
			memcpy(w, s, n);
			w[n] = '\0';
		}
		if (!one_of(w, names, 3, &d))
			return vm_conf_fail(p, p->line, col + (u32)(s - val),
					    "expected a device (serial, testexit or testdev), found '%.*s'",
					    (int)MIN(n, (size_t)FOUND_MAX), s);
		if (seen[d])
			return vm_conf_fail(p, p->line, col + (u32)(s - val),
					    "expected each device once, found '%s' twice", w);
		seen[d] = true;
		s += n;
	}
	/* The 16550 console is in every VM: "serial" states it, nothing more. */
	c->testexit = seen[1];
	c->testdev = seen[2];
	return true;
}

static bool parse_on_crash(struct vm_conf_parser *p, const char *val, u32 col)
{
	static const char *const names[] = {
		[VM_ON_CRASH_STOP] = "stop",
		[VM_ON_CRASH_RESTART] = "restart",
	};
	unsigned r;

	if (!one_of(val, names, 2, &r))
		return vm_conf_fail(p, p->line, col, "expected 'stop' or 'restart', found '%.*s'",
				    FOUND_MAX, val);
	p->vm->cfg.on_crash = (enum vm_on_crash)r;
	return true;
}

static bool parse_autostart(struct vm_conf_parser *p, const char *val, u32 col)
{
	static const char *const names[] = { "no", "yes" };
	unsigned r;

	if (!one_of(val, names, 2, &r))
		return vm_conf_fail(p, p->line, col, "expected 'yes' or 'no', found '%.*s'", FOUND_MAX,
				    val);
	p->vm->cfg.autostart = r == 1;
	return true;
}

static bool parse_weight(struct vm_conf_parser *p, const char *val, u32 col)
{
	u64 n;

	if (!parse_number(val, &n) || n < 1 || n > VM_WEIGHT_MAX)
		return vm_conf_fail(p, p->line, col, "expected a weight from 1 to %u, found '%.*s'",
				    VM_WEIGHT_MAX, FOUND_MAX, val);
	p->vm->cfg.weight = (u32)n;
	return true;
}

/* "svc:NAME:SIZE" (SIZE in MiB or GiB, as 64MiB or 1GiB): a disk the
 * service VM serves under NAME (docs/disks.md). Stored as a disk named
 * "svc:NAME" with no module, so the sharing rule applies by name. */
static bool parse_svc_disk(struct vm_conf_parser *p, const char *item, u32 col, unsigned d)
{
	struct vm_conf_vm *v = p->vm;
	const char *name = item + 4, *colon = strchr(name, ':'), *s;
	size_t n = colon ? (size_t)(colon - name) : 0;
	u64 size;

	if (v->cfg.role == VM_ROLE_SERVICE)
		return vm_conf_fail(p, p->line, col, "expected a disk of the VM's own (a boot module), "
				    "found '%s' (the service VM cannot serve itself)", item);
	if (!colon || n == 0 || n >= sizeof(v->cfg.disks[d].svc_name))
		return vm_conf_fail(p, p->line, col, "expected 'svc:NAME:SIZE' with a NAME of 1 to %u "
				    "characters, found '%.*s'", (unsigned)sizeof(v->cfg.disks[d].svc_name) - 1,
				    FOUND_MAX, item);
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return vm_conf_fail(p, p->line, col + 4 + (u32)i, "expected a disk name of letters, "
					    "digits, '-', '_' and '.', found '%.*s'", (int)n, name);
	}
	s = colon + 1;
	if (!parse_decimal(&s, &size) || size == 0 || size > (1ULL << 20) ||
	    (strcmp(s, "MiB") && strcmp(s, "GiB")))
		return vm_conf_fail(p, p->line, col + 5 + (u32)n, "expected a disk size from 1MiB to "
				    "1048576MiB (as 64MiB or 2GiB), found '%.*s'", FOUND_MAX, colon + 1);
	if (!strcmp(s, "GiB") && size > 1024)
		return vm_conf_fail(p, p->line, col + 5 + (u32)n, "expected a disk size of at most "
				    "1024GiB, found '%.*s'", FOUND_MAX, colon + 1);
	memcpy(v->cfg.disks[d].svc_name, name, n);
	v->cfg.disks[d].svc_name[n] = '\0';
	v->cfg.disks[d].svc_bytes = size << (strcmp(s, "GiB") ? 20 : 30);
	memcpy(v->disk[d], item, 4 + n);
	v->disk[d][4 + n] = '\0';
	v->disk_mod[d] = VM_CONF_NO_MODULE;
	return true;
}

/* "NAME [ro|rw]" items separated by commas: virtio-blk disks from boot
 * modules, or "svc:NAME:SIZE [ro|rw]" served by the service VM
 * (docs/disks.md). A disk given as writable is written by that VM alone:
 * no other disk, of this VM or another, may name it. */
static bool parse_disks(struct vm_conf_parser *p, const char *val, u32 col)
{
	struct vm_conf_vm *v = p->vm;
	const char *s = val;

	v->cfg.nr_disks = 0;
	for (;;) {
		char item[VM_CONF_MODNAME_MAX + 8], *mode;
		size_t n = 0;
		u32 at;
		bool ro = false;

		while (*s == ' ' || *s == '\t')
			s++;
		at = col + (u32)(s - val);
		while (s[n] && s[n] != ',')
			n++;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == 0 || n >= sizeof(item))
			return vm_conf_fail(p, p->line, at, "expected a disk (a boot module name, then "
					    "'ro' or 'rw'), found '%.*s'", (int)MIN(n, (size_t)FOUND_MAX), s);
		memcpy(item, s, n);
		item[n] = '\0';
		mode = strchr(item, ' ') ? strchr(item, ' ') : strchr(item, '\t');
		if (mode) {
			*mode++ = '\0';
			while (*mode == ' ' || *mode == '\t')
				mode++;
			if (strcmp(mode, "ro") && strcmp(mode, "rw"))
				return vm_conf_fail(p, p->line, at + (u32)(mode - item),
						    "expected 'ro' or 'rw' after the disk's module, found '%.*s'",
						    FOUND_MAX, mode);
			ro = !strcmp(mode, "ro");
		}
		if (v->cfg.nr_disks == VM_MAX_DISKS)
			return vm_conf_fail(p, p->line, at, "expected at most %u disks", VM_MAX_DISKS);
		memset(&v->cfg.disks[v->cfg.nr_disks], 0, sizeof(v->cfg.disks[0]));
		if (!strncmp(item, "svc:", 4)) {
			if (!parse_svc_disk(p, item, at, v->cfg.nr_disks))
				return false;
		} else if (!find_module(p, item, at, v->disk[v->cfg.nr_disks],
					&v->disk_mod[v->cfg.nr_disks])) {
			return false;
		}
		if (!disk_unshared(p, v->disk[v->cfg.nr_disks], ro, at))
			return false;
		v->cfg.disks[v->cfg.nr_disks].read_only = ro;
		v->cfg.nr_disks++;
		s += n;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return true;
		s++; /* ',' */
	}
}

static bool parse_yes_no(struct vm_conf_parser *p, const char *val, u32 col, bool *out)
{
	static const char *const names[] = { "no", "yes" };
	unsigned r;

	if (!one_of(val, names, 2, &r))
		return vm_conf_fail(p, p->line, col, "expected 'yes' or 'no', found '%.*s'", FOUND_MAX,
				    val);
	*out = r == 1;
	return true;
}

static bool parse_vconsole(struct vm_conf_parser *p, const char *val, u32 col)
{
	return parse_yes_no(p, val, col, &p->vm->cfg.vconsole);
}

static bool parse_rng(struct vm_conf_parser *p, const char *val, u32 col)
{
	return parse_yes_no(p, val, col, &p->vm->cfg.rng);
}

/* display = no | yes | WIDTHxHEIGHT: a framebuffer in the VM's RAM, by
 * default the screen below the label bar (display.h). */
static bool parse_display(struct vm_conf_parser *p, const char *val, u32 col)
{
	struct vm_config *c = &p->vm->cfg;
	const char *s = val;
	u64 w, h;

	if (!strcmp(val, "no") || !strcmp(val, "yes")) {
		c->display = val[0] == 'y';
		c->fb_width = c->display ? DISPLAY_VM_WIDTH : 0;
		c->fb_height = c->display ? DISPLAY_VM_HEIGHT : 0;
		return true;
	}
	if (!parse_decimal(&s, &w) || *s++ != 'x' || !parse_decimal(&s, &h) || *s ||
	    w < 64 || h < 64 || w > DISPLAY_VM_FB_MAX_W || h > DISPLAY_VM_FB_MAX_H)
		return vm_conf_fail(p, p->line, col,
				    "expected 'yes', 'no' or WIDTHxHEIGHT from 64x64 to %ux%u, found '%.*s'",
				    DISPLAY_VM_FB_MAX_W, DISPLAY_VM_FB_MAX_H, FOUND_MAX, val);
	c->display = true;
	c->fb_width = (u32)w;
	c->fb_height = (u32)h;
	return true;
}

const struct vm_conf_key_desc vm_conf_keys[KEY_NR] = {
	[KEY_ROLE] = { "role", parse_role },
	[KEY_LABEL] = { "label", parse_label },
	[KEY_MEMORY] = { "memory", parse_memory },
	[KEY_VCPUS] = { "vcpus", parse_vcpus },
	[KEY_KERNEL] = { "kernel", parse_kernel },
	[KEY_INITRD] = { "initrd", parse_initrd },
	[KEY_CMDLINE] = { "cmdline", parse_cmdline },
	[KEY_DEVICES] = { "devices", parse_devices },
	[KEY_ON_CRASH] = { "on_crash", parse_on_crash },
	[KEY_AUTOSTART] = { "autostart", parse_autostart },
	[KEY_WEIGHT] = { "weight", parse_weight },
	[KEY_DISKS] = { "disks", parse_disks },
	[KEY_VCONSOLE] = { "vconsole", parse_vconsole },
	[KEY_RNG] = { "rng", parse_rng },
	[KEY_DISPLAY] = { "display", parse_display },
	[KEY_NIC] = { "nic", vm_conf_parse_nic },
	[KEY_MAC] = { "mac", vm_conf_parse_mac },
	[KEY_PASSTHROUGH] = { "passthrough", vm_conf_parse_passthrough },
};
