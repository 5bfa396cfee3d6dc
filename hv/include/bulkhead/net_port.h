/* A network port: where a VM's virtio-net device meets the network. The
 * device hands the port every frame its guest sends; the network hands the
 * device frames for the guest through deliver. The first network is the
 * hypervisor's virtual switch (hv/net/vswitch.c) joining the VMs' ports
 * under the configuration's per-pair policy; the uplink port is the service
 * VM's (hv/dev/svc/svc_uplink.c), behind the same interface. Frames are Ethernet
 * II, without FCS, at most NET_FRAME_MAX bytes. */
#ifndef BULKHEAD_NET_PORT_H
#define BULKHEAD_NET_PORT_H

#include <bulkhead/types.h>

#define NET_FRAME_MAX 1514U
#define NET_FRAME_MIN 14U

struct net_port {
	/* The network side: the switch's port number, set by vswitch_attach. */
	u32 index;
	u8 mac[6];             /* the VM's configured MAC: its only source address */
	/* The device side: a frame for the guest; false if it had no room
	 * (the frame is dropped and counted). */
	bool (*deliver)(void *dev, const u8 *frame, u32 len);
	void *dev;
	u64 rx_frames, tx_frames, rx_dropped, tx_dropped;
};

/* A frame the guest sent: to the network. */
void net_port_send(struct net_port *p, const u8 *frame, u32 len);
/* Joins the VM named vm_name to the network with p (mac, deliver and dev
 * set); false if the configuration gives that VM no port or it has one. */
bool __must_check net_port_attach(struct net_port *p, const char *vm_name);
/* Joins the network as its uplink (the service VM's frame rings); false
 * if the configuration has no uplink or it has a port. */
bool __must_check net_port_attach_uplink(struct net_port *p);
/* Leaves the network: nothing is delivered to p after. */
void net_port_detach(struct net_port *p);

#endif
