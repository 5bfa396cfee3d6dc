/* The virtual switch's forwarding (vswitch.h): static MAC entries from the
 * configuration, the source check, and the per-pair policy. Ethernet II
 * frames without FCS: destination MAC (bytes 0-5), source MAC (6-11),
 * EtherType (12-13) (IEEE 802.3 3.1.1). */
#include <bulkhead/string.h>
#include <bulkhead/vswitch.h>

void vswitch_init(struct vswitch *sw, const struct vs_policy *pol)
{
	memset(sw, 0, sizeof(*sw));
	sw->pol = *pol;
}

bool vswitch_attach(struct vswitch *sw, const char *name, struct net_port *p)
{
	unsigned i = vs_policy_find(&sw->pol, name);

	if (i == VS_NONE || sw->port[i] || sw->pol.ep[i].uplink ||
	    memcmp(p->mac, sw->pol.ep[i].mac, 6))
		return false;
	p->index = i;
	sw->port[i] = p;
	return true;
}

bool vswitch_attach_uplink(struct vswitch *sw, struct net_port *p)
{
	for (unsigned i = 0; i < sw->pol.nr; i++) {
		if (!sw->pol.ep[i].uplink)
			continue;
		if (sw->port[i])
			return false;
		p->index = i;
		sw->port[i] = p;
		return true;
	}
	return false;
}

void vswitch_detach(struct vswitch *sw, struct net_port *p)
{
	if (p->index < VS_MAX_ENDPOINTS && sw->port[p->index] == p)
		sw->port[p->index] = NULL;
}

/* I/G bit: group (broadcast or multicast) address (IEEE 802 8.2). */
static bool is_group(const u8 *mac)
{
	return mac[0] & 1U;
}

/* The endpoint a unicast destination MAC belongs to: the VM configured
 * with it, else the uplink (a MAC outside the machine), else VS_NONE. */
static unsigned unicast_owner(const struct vs_policy *pol, const u8 *mac)
{
	unsigned up = VS_NONE;

	for (unsigned i = 0; i < pol->nr; i++) {
		if (pol->ep[i].uplink)
			up = i;
		else if (!memcmp(pol->ep[i].mac, mac, 6))
			return i;
	}
	return up;
}

/* One destination: the policy, then the port. */
static void forward(struct vswitch *sw, unsigned from, unsigned to, const u8 *frame, u32 len)
{
	struct net_port *d;

	if (!vs_policy_allowed(&sw->pol, from, to)) {
		sw->denied[from][to]++;
		return;
	}
	d = sw->port[to];
	if (!d) {
		sw->unroutable[from]++;
		return;
	}
	if (d->deliver(d->dev, frame, len)) {
		d->rx_frames++;
		sw->delivered[from][to]++;
	} else {
		d->rx_dropped++;
		sw->no_room[to]++;
	}
}

void vswitch_send(struct vswitch *sw, struct net_port *p, const u8 *frame, u32 len)
{
	unsigned from = p->index, to;

	if (from >= sw->pol.nr || sw->port[from] != p)
		return; /* not attached: the device sends nothing then */
	if (len < NET_FRAME_MIN || len > NET_FRAME_MAX) {
		sw->malformed[from]++;
		p->tx_dropped++;
		return;
	}
	if (!sw->pol.ep[from].uplink && memcmp(frame + 6, sw->pol.ep[from].mac, 6)) {
		sw->spoofed[from]++;
		p->tx_dropped++;
		return;
	}
	p->tx_frames++;
	sw->sent[from]++;
	if (is_group(frame)) {
		for (to = 0; to < sw->pol.nr; to++)
			if (to != from)
				forward(sw, from, to, frame, len);
		return;
	}
	to = unicast_owner(&sw->pol, frame);
	if (to == VS_NONE || to == from) {
		sw->unroutable[from]++; /* no way out, or to itself: a switch never reflects */
		return;
	}
	forward(sw, from, to, frame, len);
}
