/* The virtual switch's uplink port, owned by the service VM's ring
 * (docs/networking.md, "Uplink"): frames the switch sends to the uplink go
 * into the ring's out frame ring for the daemon to put on the wire;
 * frames the daemon posts into the in ring (from the wire) are taken when
 * it rings the doorbell and sent into the switch as the uplink's. The port
 * is attached when the first ring is laid out (if the configuration has an
 * uplink) and detached when the service VM stops; a reset of the ring
 * device lays the frame rings out again. Everything the daemon writes is
 * checked in svc_net_ring.c; the first bad length and the first bad index
 * are logged, the rest only counted. Called under the hypervisor's lock. */
#include <bulkhead/console.h>
#include <bulkhead/net_port.h>
#include <bulkhead/svc.h>
#include <bulkhead/svc_net.h>
#include <bulkhead/svc_uplink.h>

static struct svc_net_ring nring;
static struct net_port port;
static bool attached, said_bad_len, said_bad_index;

static bool uplink_deliver(void *dev, const u8 *frame, u32 len)
{
	(void)dev;
	if (!svc_net_send(&nring, frame, len))
		return false;
	svc_ring_kick(); /* INTx: a daemon waiting on it wakes up */
	return true;
}

static void uplink_rx(void *ctx, const u8 *frame, u32 len)
{
	(void)ctx;
	net_port_send(&port, frame, len);
}

void svc_uplink_fresh(void *ring_mem, const char *vm_name)
{
	svc_net_init(&nring, ring_mem);
	if (attached)
		return;
	port.deliver = uplink_deliver;
	port.dev = NULL;
	if (net_port_attach_uplink(&port)) {
		attached = true;
		printf("[%s] service ring: uplink port on the switch (frame rings of %u entries)\n",
		       vm_name, SVC_NET_ENTRIES);
	}
}

void svc_uplink_poll(const char *vm_name)
{
	if (!attached)
		return;
	(void)svc_net_poll(&nring, uplink_rx, NULL);
	if (nring.in_bad_len && !said_bad_len) {
		said_bad_len = true;
		printf("[%s] service ring: frame from the wire with a bad length dropped; further "
		       "ones are only counted\n", vm_name);
	}
	if (nring.bad_index && !said_bad_index) {
		said_bad_index = true;
		printf("[%s] service ring: frame ring index out of range: that ring stops until "
		       "the ring device is reset\n", vm_name);
	}
}

void svc_uplink_stop(const char *vm_name)
{
	if (!attached)
		return;
	net_port_detach(&port);
	attached = false;
	printf("[%s] service ring: uplink port off the switch (to the wire %lu, ring full %lu; "
	       "from the wire %lu, bad length %lu; bad indexes %lu)\n", vm_name, nring.out_frames,
	       nring.out_full, nring.in_frames, nring.in_bad_len, nring.bad_index);
}
