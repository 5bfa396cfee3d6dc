/* The configuration file's network (docs/networking.md): each VM's nic and
 * mac keys, the [network] section's allow lines, and the virtual switch's
 * policy built from them once the whole file is read (vswitch.h). */
#include <bulkhead/string.h>
#include <bulkhead/vm_conf_priv.h>

#define FOUND_MAX 32 /* bytes of a bad value quoted in a message */

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

bool vm_conf_open_network(struct vm_conf_parser *p, u32 col)
{
	if (p->network_line)
		return vm_conf_fail(p, p->line, col, "a [network] section is already on line %u",
				    p->network_line);
	p->network_line = p->line;
	p->in_network = true;
	return true;
}

/* "nic = yes" or "no". */
bool vm_conf_parse_nic(struct vm_conf_parser *p, const char *val, u32 col)
{
	if (strcmp(val, "yes") && strcmp(val, "no"))
		return vm_conf_fail(p, p->line, col, "expected 'yes' or 'no', found '%.*s'", FOUND_MAX,
				    val);
	p->vm->cfg.nic = !strcmp(val, "yes");
	return true;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "mac = 02:00:00:00:00:01": six hex pairs joined by ':', a unicast
 * address (I/G bit clear, IEEE 802 8.2), not all zeros. */
bool vm_conf_parse_mac(struct vm_conf_parser *p, const char *val, u32 col)
{
	u8 mac[6];

	for (unsigned i = 0; i < 6; i++) {
		const char *s = val + 3 * i;
		int hi = hex_value(s[0]), lo = hi < 0 ? -1 : hex_value(s[1]);

		if (hi < 0 || lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return vm_conf_fail(p, p->line, col,
					    "expected a MAC address (six hex pairs as "
					    "02:00:00:00:00:01), found '%.*s'", FOUND_MAX, val);
		mac[i] = (u8)(hi << 4 | lo);
	}
	if (mac[0] & 1U)
		return vm_conf_fail(p, p->line, col,
				    "expected a unicast MAC address, found the group address %s", val);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return vm_conf_fail(p, p->line, col, "expected a MAC address, found all zeros");
	memcpy(p->vm->cfg.mac, mac, 6);
	return true;
}

/* A VM's MAC when it gives none: 02 (locally administered, unicast) then
 * five bytes of the FNV-1a hash of its name, so it stays the same from
 * boot to boot. */
static void default_mac(const char *name, u8 mac[6])
{
	u64 h = 0xcbf29ce484222325ULL;

	for (; *name; name++)
		h = (h ^ (u8)*name) * 0x100000001b3ULL;
	mac[0] = 0x02;
	for (unsigned i = 1; i < 6; i++)
		mac[i] = (u8)(h >> (8 * i));
}

bool vm_conf_close_vm_nic(struct vm_conf_parser *p, struct vm_conf_vm *v)
{
	struct vm_config *c = &v->cfg;
	bool given = p->key_line[KEY_MAC] != 0;
	u32 line = given ? p->key_line[KEY_MAC] : v->line;
	u32 col = given ? p->key_col[KEY_MAC] : p->vm_col;

	if (!c->nic) {
		if (given)
			return vm_conf_fail(p, line, col, "VM '%s' has a mac but no NIC (expected "
					    "'nic = yes')", c->name);
		return true;
	}
	if (!strcmp(c->name, VS_UPLINK_NAME))
		return vm_conf_fail(p, v->line, p->vm_col, "a VM with a NIC cannot be named '%s': "
				    "that is the switch's uplink port", VS_UPLINK_NAME);
	if (!given)
		default_mac(c->name, c->mac);
	for (unsigned k = 0; k < p->out->nr_vms; k++) {
		const struct vm_conf_vm *o = &p->out->vms[k];

		if (o->cfg.nic && !memcmp(o->cfg.mac, c->mac, 6))
			return vm_conf_fail(p, line, col,
					    "VM '%s' has the MAC %02x:%02x:%02x:%02x:%02x:%02x of VM "
					    "'%s' (line %u)%s", c->name, c->mac[0], c->mac[1],
					    c->mac[2], c->mac[3], c->mac[4], c->mac[5], o->cfg.name,
					    o->line, given ? "" : ": give it one with 'mac = ...'");
	}
	return true;
}

/* "allow = A B": two endpoint names (VMs or "uplink"), looked up once the
 * whole file is read; each pair once. */
bool vm_conf_parse_allow(struct vm_conf_parser *p, const char *val, u32 col)
{
	struct vm_conf_allow *a = &p->allow[p->nr_allow];
	const char *s = val;
	unsigned n = 0;

	for (;;) {
		size_t len = 0;

		while (is_space(*s))
			s++;
		if (!*s)
			break;
		while (s[len] && !is_space(s[len]))
			len++;
		if (n == 2)
			return vm_conf_fail(p, p->line, col + (u32)(s - val),
					    "expected two names after 'allow =', found a third: '%.*s'",
					    (int)MIN(len, (size_t)FOUND_MAX), s);
		if (len >= VM_NAME_MAX)
			return vm_conf_fail(p, p->line, col + (u32)(s - val),
					    "expected a VM name or '%s', found '%.*s'", VS_UPLINK_NAME,
					    (int)MIN(len, (size_t)FOUND_MAX), s);
		if (p->nr_allow == VM_CONF_ALLOW_MAX)
			return vm_conf_fail(p, p->line, col, "too many allow lines: at most %u",
					    VM_CONF_ALLOW_MAX);
		memcpy(a->name[n], s, len);
		a->name[n][len] = '\0';
		a->col[n++] = col + (u32)(s - val);
		s += len;
	}
	if (n < 2)
		return vm_conf_fail(p, p->line, col + (u32)(s - val),
				    "expected two names after 'allow =' (allow = NAME NAME), found %u", n);
	if (!strcmp(a->name[0], a->name[1]))
		return vm_conf_fail(p, p->line, a->col[1], "expected two different names, found '%s' "
				    "twice", a->name[1]);
	for (unsigned k = 0; k < p->nr_allow; k++) {
		const struct vm_conf_allow *o = &p->allow[k];

		if ((!strcmp(o->name[0], a->name[0]) && !strcmp(o->name[1], a->name[1])) ||
		    (!strcmp(o->name[0], a->name[1]) && !strcmp(o->name[1], a->name[0])))
			return vm_conf_fail(p, p->line, a->col[0],
					    "'%s' and '%s' are already allowed on line %u", a->name[0],
					    a->name[1], o->line);
	}
	a->line = p->line;
	p->nr_allow++;
	return true;
}

/* The endpoint named by allow line a's name n, or VS_NONE after the message. */
static unsigned endpoint_of(struct vm_conf_parser *p, const struct vm_conf_allow *a, unsigned n)
{
	unsigned e = vs_policy_find(&p->out->net, a->name[n]);

	if (e != VS_NONE)
		return e;
	for (unsigned k = 0; k < p->out->nr_vms; k++)
		if (!strcmp(p->out->vms[k].cfg.name, a->name[n])) {
			vm_conf_fail(p, a->line, a->col[n], "VM '%s' has no NIC (expected 'nic = yes' "
				     "in its section, line %u)", a->name[n], p->out->vms[k].line);
			return VS_NONE;
		}
	vm_conf_fail(p, a->line, a->col[n], "expected a VM or '%s', found '%s' (no VM has that name)",
		     VS_UPLINK_NAME, a->name[n]);
	return VS_NONE;
}

bool vm_conf_close_network(struct vm_conf_parser *p)
{
	struct vs_policy *pol = &p->out->net;

	memset(pol, 0, sizeof(*pol));
	for (unsigned k = 0; k < p->out->nr_vms; k++) {
		const struct vm_config *c = &p->out->vms[k].cfg;
		if (c->nic)
			vs_policy_add(pol, c->name, c->mac, false); /* names unique: cannot fail */
	}
	vs_policy_add(pol, VS_UPLINK_NAME, NULL, true);
	for (unsigned k = 0; k < p->nr_allow; k++) {
		const struct vm_conf_allow *a = &p->allow[k];
		unsigned i = endpoint_of(p, a, 0), j;

		if (i == VS_NONE || (j = endpoint_of(p, a, 1)) == VS_NONE)
			return false;
		vs_policy_allow(pol, i, j);
	}
	return true;
}
