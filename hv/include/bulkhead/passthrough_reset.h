/* Resetting a passed-through host function (hv/dev/pci/passthrough_reset.c). */
#ifndef BULKHEAD_PASSTHROUGH_RESET_H
#define BULKHEAD_PASSTHROUGH_RESET_H

#include <bulkhead/types.h>

struct host_pci_fn;

enum passthrough_reset {
	PASSTHROUGH_RESET_NONE, /* it has neither: left as the VM left it */
	PASSTHROUGH_RESET_FLR,  /* Function Level Reset */
	PASSTHROUGH_RESET_PM,   /* D3hot -> D0 */
	PASSTHROUGH_RESET_LOST_HEADER, /* reset, but the saved header did not read back */
};

/* Resets f with FLR, else D3hot -> D0, and puts back the header firmware
 * programmed (BARs, command) and reads it back; takes up to 100 ms. Which
 * reset was used, or that the header did not come back. */
enum passthrough_reset passthrough_reset_fn(const struct host_pci_fn *f);
/* For the log: "reset by FLR (...)" and so on. */
const char *passthrough_reset_how(enum passthrough_reset r);

#endif
