/* The switch's uplink port on the service VM's frame rings
 * (hv/dev/svc/svc_uplink.c, public/svc_ring.h "The frame rings"). */
#ifndef BULKHEAD_SVC_UPLINK_H
#define BULKHEAD_SVC_UPLINK_H

/* The ring was laid out (ring_mem: its SVC_RING_BYTES): fresh frame rings,
 * and the uplink port attached if it is not and the configuration has an
 * uplink. */
void svc_uplink_fresh(void *ring_mem, const char *vm_name);
/* The daemon rang the doorbell: frames from the wire into the switch. */
void svc_uplink_poll(const char *vm_name);
/* The service VM stopped: the port leaves the switch. */
void svc_uplink_stop(const char *vm_name);

#endif
