/* bulkhead-svcd's control channel (public/svc_ring.h version 2): the
 * hypervisor's status as the fleet client's --hv-status JSON, and the lock
 * of the managed VMs while the revoked or the lease-expired file exists. */
#ifndef BULKHEAD_SVCD_CTL_H
#define BULKHEAD_SVCD_CTL_H

#include <stdint.h>

/* regs: BAR 0; hv_status, lock_when (revoked), lock_lease (lease
 * expired): paths or NULL. */
void ctl_init(volatile uint8_t *regs, const char *hv_status, const char *lock_when, const char *lock_lease);
/* Called from the main loop: every CTL_PERIOD_MS writes the status file
 * and checks for the lock file. */
void ctl_tick(void);
/* --ctl-raw WORD: writes one command word, prints the result; 0 if the
 * hypervisor carried it out, 1 if it refused it. */
int ctl_raw(volatile uint8_t *regs, uint32_t word);

#endif
