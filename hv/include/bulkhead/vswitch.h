/* The hypervisor's virtual switch: an Ethernet switch joining the VMs'
 * network ports (net_port.h) under the configuration's per-pair policy
 * (docs/networking.md). Pure logic over its ports: the same source runs in
 * the hypervisor, a host unit test and a fuzz target.
 *
 * The policy names endpoints: each VM with a NIC, by its name and MAC, and
 * the uplink, the port the service VM's ring owns (hv/dev/svc/svc_uplink.c)
 * while it is up. Two
 * endpoints exchange frames only if the configuration allows that pair;
 * by default nothing reaches anything. A frame is forwarded by its
 * destination MAC (IEEE 802.1Q 8.7, filtering by static entries: the MACs
 * come from the configuration, nothing is learned):
 *  - from a VM, its source MAC must be the VM's configured one, else it is
 *    dropped as spoofed;
 *  - unicast to an endpoint's MAC goes to that endpoint, a MAC nobody has
 *    goes to the uplink (the way out);
 *  - broadcast and multicast (I/G bit set, IEEE 802 8.2) go to every other
 *    endpoint the sender may reach;
 *  - a destination the policy forbids is dropped and counted for the pair.
 * The switch never reads past a frame's length and never changes a frame.
 * Callers serialise: the hypervisor holds its one lock (sched.c). */
#ifndef BULKHEAD_VSWITCH_H
#define BULKHEAD_VSWITCH_H

#include <bulkhead/net_port.h>
#include <bulkhead/types.h>
#include <bulkhead/vm.h>

#define VS_MAX_ENDPOINTS (VM_MAX + 1) /* every VM and the uplink */
#define VS_UPLINK_NAME "uplink"
#define VS_NONE (~0U)

struct vs_endpoint {
	char name[VM_NAME_MAX]; /* the VM's, or "uplink" */
	u8 mac[6];              /* the VM's configured MAC; none for the uplink */
	bool uplink;
};

/* Endpoints and the pairs allowed; built by the configuration parser. */
struct vs_policy {
	unsigned nr;
	struct vs_endpoint ep[VS_MAX_ENDPOINTS];
	/* Bit j of allow[i]: i and j exchange frames (kept symmetric). */
	u16 allow[VS_MAX_ENDPOINTS];
};

/* Adds an endpoint; its index, or VS_NONE when full or the name is taken. */
unsigned vs_policy_add(struct vs_policy *pol, const char *name, const u8 mac[6], bool uplink);
/* The endpoint with that name, or VS_NONE. */
unsigned vs_policy_find(const struct vs_policy *pol, const char *name);
/* Allows the pair (i, j), both ways; i != j, both < pol->nr. */
void vs_policy_allow(struct vs_policy *pol, unsigned i, unsigned j);
bool vs_policy_allowed(const struct vs_policy *pol, unsigned i, unsigned j);

struct vswitch {
	struct vs_policy pol;
	struct net_port *port[VS_MAX_ENDPOINTS]; /* attached, by endpoint */
	/* Frames handed to [to]'s port from [from], and frames dropped
	 * because the policy forbids the pair. */
	u64 delivered[VS_MAX_ENDPOINTS][VS_MAX_ENDPOINTS];
	u64 denied[VS_MAX_ENDPOINTS][VS_MAX_ENDPOINTS];
	/* Per endpoint, kept when its port detaches (the VM stopped): */
	u64 sent[VS_MAX_ENDPOINTS];      /* frames taken from it */
	u64 no_room[VS_MAX_ENDPOINTS];   /* frames for it its device had no room for */
	u64 spoofed[VS_MAX_ENDPOINTS];   /* source MAC not the endpoint's */
	u64 malformed[VS_MAX_ENDPOINTS]; /* shorter than a header or too long */
	u64 unroutable[VS_MAX_ENDPOINTS]; /* allowed, but nobody attached to take it */
};

/* An empty switch with the policy's endpoints, no port attached. */
void vswitch_init(struct vswitch *sw, const struct vs_policy *pol);
/* Attaches p as the endpoint named name: sets p->index; p->mac must be
 * the endpoint's configured MAC. False if there is no such endpoint, it
 * has a port already, or the MAC differs. */
bool __must_check vswitch_attach(struct vswitch *sw, const char *name, struct net_port *p);
/* Attaches p as the uplink (the service VM's way out; its frames' source
 * MACs are not checked, they come from outside the machine): sets
 * p->index. False if the policy has no uplink or it has a port already. */
bool __must_check vswitch_attach_uplink(struct vswitch *sw, struct net_port *p);
/* Detaches p (its VM stops or is torn down); nothing is delivered to it after. */
void vswitch_detach(struct vswitch *sw, struct net_port *p);
/* A frame from port p, which must be attached. */
void vswitch_send(struct vswitch *sw, struct net_port *p, const u8 *frame, u32 len);

/* The machine's switch, set up from the configuration at boot. */
extern struct vswitch vswitch_machine;
/* Prints the counters of each endpoint that sent or was sent anything
 * and every pair with frames delivered or denied; the number of lines
 * printed. */
unsigned vswitch_report(const struct vswitch *sw);

#endif
