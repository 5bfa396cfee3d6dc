/* The passthrough key (docs/configuration.md): host PCI functions for the
 * open VM, "ITEM, ITEM, ...", each "BB:DD.F" or "VVVV:DDDD"
 * (passthrough.h). Whether the function exists and may be passed is known
 * only on the machine, when the VM is built (passthrough.c); here only the
 * text is checked. A function named by two VMs is refused there too, so
 * that only the VM that asks second is kept from starting. */
#include <bulkhead/format.h>
#include <bulkhead/passthrough.h>
#include <bulkhead/string.h>
#include <bulkhead/vm_conf_priv.h>

static bool hex(const char *s, size_t n, u32 *out)
{
	u32 v = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		u32 d;

		if (c >= '0' && c <= '9')
			d = (u32)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (u32)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (u32)(c - 'A' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return n > 0;
}

bool passthrough_spec_parse(const char *s, size_t n, struct vm_passthrough *pt)
{
	u32 a, b, c;

	memset(pt, 0, sizeof(*pt));
	/* BB:DD.F, PCI Firmware Specification 3.3's bus/device/function */
	if (n == 7 && s[2] == ':' && s[5] == '.' && hex(s, 2, &a) && hex(s + 3, 2, &b) &&
	    hex(s + 6, 1, &c) && b < 32 && c < 8) {
		pt->bus = (u8)a;
		pt->dev = (u8)b;
		pt->fn = (u8)c;
		return true;
	}
	if (n == 9 && s[4] == ':' && hex(s, 4, &a) && hex(s + 5, 4, &b)) {
		pt->by_id = true;
		pt->vendor = (u16)a;
		pt->device = (u16)b;
		return true;
	}
	return false;
}

void passthrough_spec_name(const struct vm_passthrough *pt, char *buf, size_t size)
{
	if (pt->by_id)
		fmt_snprintf(buf, size, "%04x:%04x", pt->vendor, pt->device);
	else
		fmt_snprintf(buf, size, "%02x:%02x.%u", pt->bus, pt->dev, pt->fn);
}

bool vm_conf_parse_passthrough(struct vm_conf_parser *p, const char *val, u32 col)
{
	struct vm_config *cfg = &p->vm->cfg;
	const char *s = val;

	cfg->nr_passthrough = 0;
	for (;;) {
		struct vm_passthrough pt;
		size_t n = 0;
		u32 at;

		while (*s == ' ' || *s == '\t')
			s++;
		at = col + (u32)(s - val);
		while (s[n] && s[n] != ',')
			n++;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (!passthrough_spec_parse(s, n, &pt))
			return vm_conf_fail(p, p->line, at,
					    "expected a PCI function (BB:DD.F or VVVV:DDDD in hex), "
					    "found '%.*s'", (int)MIN(n, (size_t)32), s);
		pt.file = p->env->file;
		pt.line = p->line;
		pt.col = at;
		if (cfg->nr_passthrough == VM_MAX_PASSTHROUGH)
			return vm_conf_fail(p, p->line, at, "expected at most %u passed-through "
					    "PCI functions", VM_MAX_PASSTHROUGH);
		cfg->passthrough[cfg->nr_passthrough++] = pt;
		s += n;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return true;
		s++; /* ',' */
	}
}
