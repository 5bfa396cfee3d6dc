/* Per-VM-role policy document (JSON), distributed as a signed target:
 * {"vm_role":"work",
 *  "network":{"default":"deny","rules":[{"action":"allow","host":"10.0.0.0/8","ports":[443]}]},
 *  "usb":{"default":"deny","rules":[{"action":"allow","vendor":"046d","product":"c52b"}]},
 *  "clipboard":"none"|"host-to-vm"|"vm-to-host"|"both",
 *  "offline_lease_days":14} */
#ifndef FLEET_POLICY_H
#define FLEET_POLICY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct policy {
	char vm_role[64];
	int64_t offline_lease_days;
};

int policy_parse(const uint8_t *buf, size_t len, struct policy *out, struct fl_err *err);

#endif
