/* Running the VMs: round robin over runnable vCPUs on this CPU. */
#ifndef BULKHEAD_SCHED_H
#define BULKHEAD_SCHED_H

#define SCHED_SLICE_MS        10  /* a vCPU runs at most this long at a time */
#define SCHED_LAG_MAX_MS      20  /* credit a sleeping VM keeps (2 slices) */
#define SCHED_FOCUS_LEAD_MS   20  /* how far ahead the focused VM may get */
#define SCHED_CONSOLE_POLL_MS 20  /* the physical console is read this often */

struct vm;

/* On the boot CPU, once the VMs are built; returns when no VM is running
 * any more. */
void sched_run(void);
/* On every other CPU: waits for sched_run, then runs vCPUs with it. */
__noreturn void sched_run_ap(void);
/* The VM whose console now has focus (NULL: none). */
void sched_set_focus(struct vm *vm);
/* Something changed for vm (an interrupt for one of its vCPUs, a stop):
 * CPUs that run its vCPUs, and idle ones, look again. */
void sched_kick_vm(const struct vm *vm);

#endif
