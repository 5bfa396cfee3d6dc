/* The scheduler: round robin over runnable vCPUs, each for at most
 * SCHED_SLICE_TICKS host ticks. A halted vCPU is skipped until an
 * interrupt is pending for it; when every vCPU is halted the CPU sleeps
 * until the next tick. */
#include <bulkhead/console_mux.h>
#include <bulkhead/exit.h>
#include <bulkhead/sched.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_timer.h>

static void poll_timers(struct vcpu *v, u64 now)
{
	vm_poll_timers(v->vm, now);
	if (v->irq_ops)
		v->irq_ops->poll(v->irq_dev, now);
	if (v->state == VCPU_HALTED && vcpu_irq_pending(v))
		v->state = VCPU_RUNNABLE;
}

static void run_slice(struct vcpu *v)
{
	u64 start = host_ticks, polled = host_ticks;
	struct vm_exit exit;

	while (v->state == VCPU_RUNNABLE && vm_is_running(v->vm)) {
		if (host_ticks != polled) { /* once per tick: a port read is slow */
			polled = host_ticks;
			console_mux_poll();
			continue; /* the hypervisor console may have stopped this VM */
		}
		vcpu_prepare_entry(v);
		vmm->vcpu_run(v, &exit);
		exit_dispatch(v, &exit);
		if (v->vm->reset_pending && !vm_do_reset(v->vm))
			break;
		host_irq_window();
		if (host_ticks - start >= SCHED_SLICE_TICKS)
			break;
		poll_timers(v, rdtsc());
	}
}

/* A vCPU that is halted with nothing that could ever wake it. */
static bool asleep_forever(struct vcpu *v)
{
	return v->state == VCPU_HALTED &&
	       (!v->irq_ops || v->irq_ops->next_deadline(v->irq_dev) == ~0ULL) &&
	       vm_next_timer_deadline(v->vm) == ~0ULL && !vcpu_irq_pending(v);
}

/* Next vCPU after position *pos that can run; NULL if none. */
static struct vcpu *pick(unsigned *pos, bool *any_running, bool *all_stuck)
{
	u64 now = rdtsc();
	struct vcpu *found = NULL;

	*any_running = false;
	*all_stuck = true;
	for (unsigned i = 1; i <= nr_vms; i++) {
		struct vm *vm = &vms[(*pos + i) % nr_vms];
		struct vcpu *v = &vm->vcpu[0];

		if (!vm_is_running(vm))
			continue;
		*any_running = true;
		poll_timers(v, now);
		if (!asleep_forever(v))
			*all_stuck = false;
		if (!found && v->state == VCPU_RUNNABLE) {
			found = v;
			*pos = (*pos + i) % nr_vms;
		}
	}
	return found;
}

void sched_run(void)
{
	unsigned pos = nr_vms - 1;
	u64 polled = host_ticks;
	bool any_running, all_stuck;

	for (;;) {
		struct vcpu *v;

		if (host_ticks != polled) { /* console once per tick, whatever runs */
			polled = host_ticks;
			console_mux_poll();
		}
		v = pick(&pos, &any_running, &all_stuck);

		if (v) {
			run_slice(v);
			continue;
		}
		if (!any_running)
			return;
		if (all_stuck) {
			for (unsigned i = 0; i < nr_vms; i++)
				if (vm_is_running(&vms[i]))
					vm_crash(&vms[i], "halted with no interrupt that could wake it");
			continue;
		}
		host_wait_for_irq();
	}
}
