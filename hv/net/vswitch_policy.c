/* The virtual switch's policy: its endpoints (the VMs with a NIC and the
 * uplink) and the pairs of them allowed to exchange frames (vswitch.h). */
#include <bulkhead/string.h>
#include <bulkhead/vswitch.h>

unsigned vs_policy_add(struct vs_policy *pol, const char *name, const u8 mac[6], bool uplink)
{
	struct vs_endpoint *e;

	if (pol->nr == VS_MAX_ENDPOINTS || strlen(name) >= VM_NAME_MAX ||
	    vs_policy_find(pol, name) != VS_NONE)
		return VS_NONE;
	e = &pol->ep[pol->nr];
	memset(e, 0, sizeof(*e));
	memcpy(e->name, name, strlen(name) + 1);
	if (mac)
		memcpy(e->mac, mac, 6);
	e->uplink = uplink;
	pol->allow[pol->nr] = 0;
	return pol->nr++;
}

unsigned vs_policy_find(const struct vs_policy *pol, const char *name)
{
	for (unsigned i = 0; i < pol->nr; i++)
		if (!strcmp(pol->ep[i].name, name))
			return i;
	return VS_NONE;
}

void vs_policy_allow(struct vs_policy *pol, unsigned i, unsigned j)
{
	if (i >= pol->nr || j >= pol->nr || i == j)
		return;
	pol->allow[i] |= (u16)(1U << j);
	pol->allow[j] |= (u16)(1U << i);
}

bool vs_policy_allowed(const struct vs_policy *pol, unsigned i, unsigned j)
{
	return i < pol->nr && j < pol->nr && i != j && (pol->allow[i] >> j & 1U);
}
