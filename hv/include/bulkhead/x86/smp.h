/* The host's other CPUs: started from the MADT's list (INIT-SIPI-SIPI)
 * and woken with a kick IPI when there is work for them. */
#ifndef BULKHEAD_X86_SMP_H
#define BULKHEAD_X86_SMP_H

#include <bulkhead/acpi.h>
#include <bulkhead/boot_info.h>
#include <bulkhead/percpu.h>

#define HOST_KICK_VECTOR 0x21

/* Starts every enabled processor of the MADT but this one, as far as
 * HV_MAX_CPUS; each comes up on its own stacks, GDT, TSS and per-CPU
 * area and waits in sched_run_ap. Needs the calibrated TSC. Returns how
 * many CPUs are online, this one included. */
unsigned smp_start_cpus(const struct boot_info *bi, const struct acpi_info *ai);
/* An interrupt to c: a guest it runs exits, or its HLT ends, so that it
 * looks at its vCPUs again. */
void smp_kick(const struct cpu *c);
/* At the end of the run: the APs that came up late and halted, if any. */
void smp_report_late(void);

#endif
