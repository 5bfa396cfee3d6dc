/* The daemon's side of the service ring's frame rings (public/svc_ring.h,
 * version 3): the switch's uplink bridged to a NIC of the service VM
 * (tools/bulkhead-svcd-net.c). */
#ifndef BULKHEAD_SVCD_NET_H
#define BULKHEAD_SVCD_NET_H

#include <stdint.h>

/* Opens an AF_PACKET socket on ifname in promiscuous mode; 0, or -1 with
 * the reason on stderr. regs and ring are the mapped BAR 0 and BAR 2. */
int net_init(volatile uint8_t *regs, volatile uint8_t *ring, const char *ifname);
/* For the tests: posts in frames with lengths out of range (0, 13, 1515,
 * a slot and one, 2^32 - 1) and writes the doorbell; the hypervisor must
 * drop each and count it. */
void net_post_bad(void);
/* Moves what is waiting both ways (without blocking); the frames moved.
 * Nothing when net_init was not called. */
unsigned net_tick(void);
/* The AF_PACKET socket, for poll(2); -1 without net_init. */
int net_fd(void);

#endif
