/* ACPI fixed hardware of every VM (ACPI 6.5 4.8): PM1a event and control
 * blocks, the PM timer and the GPE0 block, at the PC_PM* ports. */
#ifndef BULKHEAD_ACPI_PM_H
#define BULKHEAD_ACPI_PM_H

#include <bulkhead/types.h>
#include <bulkhead/vtimer.h>

struct dev_host;
struct acpi_pm;

struct acpi_pm *acpi_pm_attach(struct dev_host *host, struct vclock clk, const char **err);
/* A press of the fixed-feature power button (the operator's request for a
 * graceful shutdown); true if the guest enabled its event (PWRBTN_EN), so
 * the press raised the SCI. */
bool acpi_pm_power_button(struct acpi_pm *pm);

#endif
