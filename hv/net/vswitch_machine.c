/* The machine's one virtual switch: what net_port_send reaches, set up
 * from the configuration's [network] section at boot (vms_boot.c), and
 * its counters for the log and the hypervisor console. */
#include <bulkhead/console.h>
#include <bulkhead/net_port.h>
#include <bulkhead/vswitch.h>

struct vswitch vswitch_machine;

void net_port_send(struct net_port *p, const u8 *frame, u32 len)
{
	vswitch_send(&vswitch_machine, p, frame, len);
}

bool net_port_attach(struct net_port *p, const char *vm_name)
{
	return vswitch_attach(&vswitch_machine, vm_name, p);
}

bool net_port_attach_uplink(struct net_port *p)
{
	return vswitch_attach_uplink(&vswitch_machine, p);
}

void net_port_detach(struct net_port *p)
{
	vswitch_detach(&vswitch_machine, p);
}

unsigned vswitch_report(const struct vswitch *sw)
{
	unsigned lines = 0;

	for (unsigned i = 0; i < sw->pol.nr; i++) {
		u64 received = 0;

		for (unsigned j = 0; j < sw->pol.nr; j++)
			received += sw->delivered[j][i];
		if (!sw->sent[i] && !received && !sw->no_room[i] && !sw->spoofed[i] &&
		    !sw->malformed[i])
			continue;
		printf("net %s: sent %lu received %lu, dropped: no room %lu spoofed %lu "
		       "malformed %lu unroutable %lu\n", sw->pol.ep[i].name, sw->sent[i], received,
		       sw->no_room[i], sw->spoofed[i], sw->malformed[i], sw->unroutable[i]);
		lines++;
	}
	for (unsigned i = 0; i < sw->pol.nr; i++)
		for (unsigned j = 0; j < sw->pol.nr; j++)
			if (sw->delivered[i][j] || sw->denied[i][j]) {
				printf("net %s -> %s: %lu frame(s) delivered, %lu denied by policy\n",
				       sw->pol.ep[i].name, sw->pol.ep[j].name, sw->delivered[i][j],
				       sw->denied[i][j]);
				lines++;
			}
	return lines;
}
