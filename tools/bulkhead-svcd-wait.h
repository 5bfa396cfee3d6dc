/* How bulkhead-svcd waits for work (tools/bulkhead-svcd-wait.c): on the
 * ring function's INTx through uio_pci_generic, or by polling. */
#ifndef BULKHEAD_SVCD_WAIT_H
#define BULKHEAD_SVCD_WAIT_H

#include <stdbool.h>
#include <stdint.h>

/* dev: the ring function's sysfs directory; regs: its mapped BAR 0. With
 * poll false, binds the function to uio_pci_generic and opens its
 * /dev/uioN; if that fails, says why and polls. Returns true when waiting
 * on INTx. */
bool wait_init(const char *dev, volatile uint8_t *regs, bool poll);
/* Blocks until the hypervisor raised INTx (then acks it), extra_fd (-1:
 * none) is readable, or timeout_ms passed; when polling, sleeps 1 ms. */
void wait_for_work(int extra_fd, int timeout_ms);

#endif
