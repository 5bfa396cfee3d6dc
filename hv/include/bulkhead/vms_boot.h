/* Runs the VMs described by the boot modules; returns only if there are
 * none (otherwise it ends the run with the VMs' verdict). */
#ifndef BULKHEAD_VMS_BOOT_H
#define BULKHEAD_VMS_BOOT_H

#include <bulkhead/boot_info.h>

void vms_boot(const struct boot_info *bi);

#endif
