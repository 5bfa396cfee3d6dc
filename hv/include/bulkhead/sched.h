/* Running the VMs: round robin over runnable vCPUs on this CPU. */
#ifndef BULKHEAD_SCHED_H
#define BULKHEAD_SCHED_H

#define SCHED_SLICE_TICKS 10 /* host ticks a vCPU may run before preemption */

/* Returns when no VM is running any more. */
void sched_run(void);

#endif
