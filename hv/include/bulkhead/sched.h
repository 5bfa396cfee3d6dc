/* Running the VMs: round robin over runnable vCPUs on this CPU. */
#ifndef BULKHEAD_SCHED_H
#define BULKHEAD_SCHED_H

#define SCHED_SLICE_TICKS 10 /* host ticks a vCPU may run before preemption */

struct vm;

/* On the boot CPU, once the VMs are built; returns when no VM is running
 * any more. */
void sched_run(void);
/* On every other CPU: waits for sched_run, then runs vCPUs with it. */
__noreturn void sched_run_ap(void);
/* Something changed for vm (an interrupt for one of its vCPUs, a stop):
 * CPUs that run its vCPUs, and idle ones, look again. */
void sched_kick_vm(const struct vm *vm);

#endif
