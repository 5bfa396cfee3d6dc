/* The configuration file's structure: lines, comments, [vm NAME] sections,
 * key = value lines, and the checks made when a section closes (required
 * keys, total memory). The values are parsed in vm_conf_values.c. Format:
 * docs/configuration.md. */
#include <stdarg.h>
#include <bulkhead/format.h>
#include <bulkhead/string.h>
#include <bulkhead/vm_conf_priv.h>

bool vm_conf_fail(struct vm_conf_parser *p, u32 line, u32 col, const char *fmt, ...)
{
	char *e = p->out->err;
	int n = fmt_snprintf(e, VM_CONF_ERR_MAX, "%s:%u:%u: ", p->env->file, line, col);
	va_list ap;

	if (n < 0 || n >= VM_CONF_ERR_MAX)
		return false;
	va_start(ap, fmt);
	fmt_vsnprintf(e + n, VM_CONF_ERR_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* The current line: [s, s + n), without its "\n" or "\r\n". */
struct line {
	const char *s;
	size_t n;
};

static u32 col_of(size_t i)
{
	return (u32)i + 1;
}

static size_t skip_spaces(const struct line *l, size_t i)
{
	while (i < l->n && is_space(l->s[i]))
		i++;
	return i;
}

/* A word for a message: the text at i up to a space (at most 32 bytes). */
static int found_len(const struct line *l, size_t i)
{
	size_t n = 0;

	while (i + n < l->n && !is_space(l->s[i + n]) && n < 32)
		n++;
	return (int)n;
}

/* Nothing but spaces or a comment from i on. */
static bool rest_empty(struct vm_conf_parser *p, const struct line *l, size_t i, const char *after)
{
	i = skip_spaces(l, i);
	if (i == l->n || l->s[i] == '#')
		return true;
	return vm_conf_fail(p, p->line, col_of(i), "expected the end of the line after %s, found '%.*s'",
			    after, found_len(l, i), l->s + i);
}

/* Bytes a text file has: tabs and printable characters (UTF-8 passes). */
static bool check_bytes(struct vm_conf_parser *p, const struct line *l)
{
	for (size_t i = 0; i < l->n; i++) {
		u8 c = (u8)l->s[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return vm_conf_fail(p, p->line, col_of(i), "expected text, found byte 0x%02x",
					    c);
	}
	return true;
}

/* The checks that need the whole section: required keys, defaults that
 * depend on other keys, the memory of all VMs together. */
static bool close_vm(struct vm_conf_parser *p)
{
	struct vm_conf_vm *v = p->vm;
	const struct vm_conf_env *env = p->env;
	u64 mib;

	if (!v)
		return true;
	p->vm = NULL;
	mib = v->cfg.mem_bytes >> 20;
	if (!p->key_line[KEY_ROLE])
		return vm_conf_fail(p, v->line, p->vm_col,
				    "VM '%s' has no role (expected 'role = work', 'personal', "
				    "'disposable' or 'service')", v->cfg.name);
	if (!p->key_line[KEY_KERNEL])
		return vm_conf_fail(p, v->line, p->vm_col,
				    "VM '%s' has no kernel (expected 'kernel = MODULE')", v->cfg.name);
	if (!p->key_line[KEY_LABEL])
		v->cfg.label_rgb = vm_role_label(v->cfg.role);
	/* the other VMs' disks and network go through the service VM: it
	 * comes back after a crash unless the configuration says otherwise */
	if (!p->key_line[KEY_ON_CRASH] && v->cfg.role == VM_ROLE_SERVICE)
		v->cfg.on_crash = VM_ON_CRASH_RESTART;
	if (!vm_conf_close_vm_nic(p, v))
		return false;
	for (unsigned k = 0; k < p->out->nr_vms && v->cfg.role == VM_ROLE_SERVICE; k++)
		if (p->out->vms[k].cfg.role == VM_ROLE_SERVICE)
			return vm_conf_fail(p, p->key_line[KEY_ROLE], p->key_col[KEY_ROLE],
					    "expected at most one VM with 'role = service', found a second "
					    "(VM '%s' on line %u is the first)",
					    p->out->vms[k].cfg.name, p->out->vms[k].line);
	p->total_mib += mib;
	if (env->free_bytes && p->total_mib > env->free_bytes >> 20) {
		u32 line = p->key_line[KEY_MEMORY] ? p->key_line[KEY_MEMORY] : v->line;
		u32 col = p->key_line[KEY_MEMORY] ? p->key_col[KEY_MEMORY] : p->vm_col;
		return vm_conf_fail(p, line, col,
				    "VM '%s' needs %lu MiB: the VMs need %lu MiB together, the "
				    "machine has %lu MiB free",
				    v->cfg.name, mib, p->total_mib, env->free_bytes >> 20);
	}
	p->out->nr_vms++;
	return true;
}

/* A disk served by the service VM needs one in the configuration. */
static bool service_vm_present(struct vm_conf_parser *p)
{
	const struct vm_conf *out = p->out;

	for (unsigned k = 0; k < out->nr_vms; k++)
		if (out->vms[k].cfg.role == VM_ROLE_SERVICE)
			return true;
	for (unsigned k = 0; k < out->nr_vms; k++)
		for (unsigned d = 0; d < out->vms[k].cfg.nr_disks; d++)
			if (out->vms[k].cfg.disks[d].svc_name[0])
				return vm_conf_fail(p, out->vms[k].line, 1,
						    "VM '%s' has disk '%s', served by the service VM, but "
						    "no VM has 'role = service'", out->vms[k].cfg.name,
						    out->vms[k].disk[d]);
	return true;
}

/* "[network]" at i, the word: closes the VM section before it. */
static bool open_network(struct vm_conf_parser *p, const struct line *l, size_t i)
{
	size_t e = skip_spaces(l, i + 7);

	if (e == l->n || l->s[e] != ']')
		return vm_conf_fail(p, p->line, col_of(e), "expected ']' after 'network', found '%.*s'",
				    found_len(l, e), l->s + e);
	return rest_empty(p, l, e + 1, "']'") && close_vm(p) && vm_conf_open_network(p, col_of(i));
}

/* "[vm NAME]" or "[network]" at i, the '['. */
static bool open_vm(struct vm_conf_parser *p, const struct line *l, size_t i)
{
	struct vm_conf *out = p->out;
	size_t s, e;
	char name[VM_NAME_MAX + 1];
	struct vm_conf_vm *v;

	i = skip_spaces(l, i + 1);
	if (l->n - i >= 7 && !strncmp(l->s + i, "network", 7) &&
	    (l->n - i == 7 || is_space(l->s[i + 7]) || l->s[i + 7] == ']'))
		return open_network(p, l, i);
	if (l->n - i < 3 || strncmp(l->s + i, "vm", 2) || !is_space(l->s[i + 2]))
		return vm_conf_fail(p, p->line, col_of(i),
				    "expected '[vm NAME]' or '[network]', found '%.*s'",
				    found_len(l, i), l->s + i);
	s = skip_spaces(l, i + 2);
	for (e = s; e < l->n && !is_space(l->s[e]) && l->s[e] != ']'; e++)
		;
	name[0] = '\0';
	if (e - s < sizeof(name)) {
		memcpy(name, l->s + s, e - s);
		name[e - s] = '\0';
	}
	if (!vm_config_valid_name(name))
		return vm_conf_fail(p, p->line, col_of(s),
				    "expected a VM name of 1-15 letters, digits, '-' or '_', found '%.*s'",
				    (int)MIN(e - s, 32U), l->s + s);
	e = skip_spaces(l, e);
	if (e == l->n || l->s[e] != ']')
		return vm_conf_fail(p, p->line, col_of(e), "expected ']' after the VM name, found '%.*s'",
				    found_len(l, e), l->s + e);
	if (!rest_empty(p, l, e + 1, "']'") || !close_vm(p))
		return false;
	for (unsigned k = 0; k < out->nr_vms; k++)
		if (!strcmp(out->vms[k].cfg.name, name))
			return vm_conf_fail(p, p->line, col_of(s),
					    "a VM named '%s' is already defined on line %u", name,
					    out->vms[k].line);
	if (out->nr_vms == VM_MAX)
		return vm_conf_fail(p, p->line, col_of(s), "too many VMs: at most %u", VM_MAX);
	v = &out->vms[out->nr_vms];
	vm_config_defaults(&v->cfg);
	memcpy(v->cfg.name, name, VM_NAME_MAX); /* a valid name has its NUL in there */
	v->cfg.cmdline = v->cmdline;
	v->kernel_mod = v->initrd_mod = VM_CONF_NO_MODULE;
	v->line = p->line;
	p->vm = v;
	p->in_network = false;
	p->vm_col = col_of(s);
	memset(p->key_line, 0, sizeof(p->key_line));
	return true;
}

/* The value at i: a "quoted string" (escapes \" and \\) or the text up to
 * a '#' after a space or the end of the line, trailing spaces dropped (a
 * '#' that starts the value is part of it: label = #RRGGBB). Unquoted into
 * p->val. */
static bool read_value(struct vm_conf_parser *p, const struct line *l, size_t i)
{
	size_t n = 0, end;

	if (i < l->n && l->s[i] == '"') {
		size_t q = i;
		for (i++; i < l->n && l->s[i] != '"'; i++) {
			if (l->s[i] == '\\') {
				if (i + 1 == l->n || (l->s[i + 1] != '"' && l->s[i + 1] != '\\'))
					return vm_conf_fail(p, p->line, col_of(i),
							    "expected '\\\"' or '\\\\' in a string, found '%.*s'",
							    i + 1 < l->n ? 2 : 1, l->s + i);
				i++;
			}
			if (n == sizeof(p->val) - 1)
				return vm_conf_fail(p, p->line, col_of(q),
						    "expected a value of at most %u characters",
						    (unsigned)sizeof(p->val) - 1);
			p->val[n++] = l->s[i];
		}
		if (i == l->n)
			return vm_conf_fail(p, p->line, col_of(q),
					    "expected '\"' at the end of the string, found the end of the line");
		p->val[n] = '\0';
		return rest_empty(p, l, i + 1, "the string");
	}
	for (end = i; end < l->n && !(end > i && l->s[end] == '#' && is_space(l->s[end - 1])); end++)
		;
	while (end > i && is_space(l->s[end - 1]))
		end--;
	if (end - i >= sizeof(p->val))
		return vm_conf_fail(p, p->line, col_of(i), "expected a value of at most %u characters",
				    (unsigned)sizeof(p->val) - 1);
	memcpy(p->val, l->s + i, end - i);
	p->val[end - i] = '\0';
	return true;
}

/* "allow = NAME NAME" at i (e: the end of 'allow'), in [network] only. */
static bool network_key(struct vm_conf_parser *p, const struct line *l, size_t i, size_t e)
{
	size_t v;

	if (!p->in_network)
		return vm_conf_fail(p, p->line, col_of(i), "expected 'allow' in the [network] section, "
				    "found it in a VM's");
	v = skip_spaces(l, e);
	if (v == l->n || l->s[v] != '=')
		return vm_conf_fail(p, p->line, col_of(v), "expected '=' after 'allow', found '%.*s'",
				    found_len(l, v), l->s + v);
	v = skip_spaces(l, v + 1);
	return read_value(p, l, v) &&
	       vm_conf_parse_allow(p, p->val, col_of(v) + (v < l->n && l->s[v] == '"'));
}

/* "key = value" at i. */
static bool key_value(struct vm_conf_parser *p, const struct line *l, size_t i)
{
	size_t e = i, v;
	unsigned k;

	while (e < l->n && ((l->s[e] >= 'a' && l->s[e] <= 'z') || (l->s[e] >= 'A' && l->s[e] <= 'Z') ||
			    (l->s[e] >= '0' && l->s[e] <= '9') || l->s[e] == '_' || l->s[e] == '-'))
		e++;
	if (e == i)
		return vm_conf_fail(p, p->line, col_of(i),
				    "expected '[vm NAME]' or 'key = value', found '%.*s'",
				    found_len(l, i), l->s + i);
	if (e - i == 5 && !strncmp(l->s + i, "allow", 5))
		return network_key(p, l, i, e);
	if (p->in_network)
		return vm_conf_fail(p, p->line, col_of(i),
				    "expected 'allow = NAME NAME' in the [network] section, found '%.*s'",
				    (int)MIN(e - i, 32U), l->s + i);
	for (k = 0; k < KEY_NR; k++)
		if (strlen(vm_conf_keys[k].name) == e - i && !strncmp(vm_conf_keys[k].name, l->s + i, e - i))
			break;
	if (k == KEY_NR)
		return vm_conf_fail(p, p->line, col_of(i),
				    "unknown key '%.*s' (expected role, label, memory, vcpus, kernel, "
				    "initrd, cmdline, devices, on_crash, autostart, weight, disks, "
				    "vconsole, rng, display, nic, mac or passthrough)",
				    (int)MIN(e - i, 32U), l->s + i);
	if (!p->vm)
		return vm_conf_fail(p, p->line, col_of(i),
				    "expected '[vm NAME]' before '%s'", vm_conf_keys[k].name);
	if (p->key_line[k])
		return vm_conf_fail(p, p->line, col_of(i), "'%s' given twice for VM '%s' (first on line %u)",
				    vm_conf_keys[k].name, p->vm->cfg.name, p->key_line[k]);
	v = skip_spaces(l, e);
	if (v == l->n || l->s[v] != '=')
		return vm_conf_fail(p, p->line, col_of(v), "expected '=' after '%s', found '%.*s'",
				    vm_conf_keys[k].name, found_len(l, v), l->s + v);
	v = skip_spaces(l, v + 1);
	p->key_line[k] = p->line;
	p->key_col[k] = col_of(v);
	/* messages about a quoted value point into it, past the '"' */
	return read_value(p, l, v) &&
	       vm_conf_keys[k].parse(p, p->val, col_of(v) + (v < l->n && l->s[v] == '"'));
}

static bool parse_line(struct vm_conf_parser *p, const struct line *l)
{
	size_t i;

	if (!check_bytes(p, l))
		return false;
	i = skip_spaces(l, 0);
	if (i == l->n || l->s[i] == '#')
		return true;
	if (l->s[i] == '[')
		return open_vm(p, l, i);
	return key_value(p, l, i);
}

bool vm_conf_parse(const char *text, size_t len, const struct vm_conf_env *env, struct vm_conf *out)
{
	static struct vm_conf_parser parser;
	struct vm_conf_parser *p = &parser;

	memset(out, 0, sizeof(*out));
	memset(p, 0, sizeof(*p));
	p->env = env;
	p->out = out;
	p->text = text;
	p->len = len;
	for (p->line = 1; p->pos < len; p->line++) {
		struct line l = { text + p->pos, 0 };
		size_t next;

		while (p->pos + l.n < len && text[p->pos + l.n] != '\n')
			l.n++;
		next = p->pos + l.n + 1;
		if (l.n && l.s[l.n - 1] == '\r')
			l.n--;
		if (!parse_line(p, &l))
			return false;
		p->pos = next;
	}
	if (!close_vm(p))
		return false;
	if (out->nr_vms == 0)
		return vm_conf_fail(p, p->line, 1, "expected a '[vm NAME]' section, found none");
	if (!service_vm_present(p))
		return false;
	return vm_conf_close_network(p);
}
