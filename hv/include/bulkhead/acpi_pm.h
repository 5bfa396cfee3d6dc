/* ACPI fixed hardware of every VM (ACPI 6.5 4.8): PM1a event and control
 * blocks, the PM timer and the GPE0 block, at the PC_PM* ports. */
#ifndef BULKHEAD_ACPI_PM_H
#define BULKHEAD_ACPI_PM_H

#include <bulkhead/types.h>
#include <bulkhead/vtimer.h>

struct dev_host;
struct acpi_pm;

struct acpi_pm *acpi_pm_attach(struct dev_host *host, struct vclock clk, const char **err);

#endif
