/* The scheduler, on every CPU: round robin over the runnable vCPUs of all
 * VMs, each for at most SCHED_SLICE_TICKS host ticks; a vCPU runs on one
 * CPU at a time, any CPU. A halted vCPU is skipped until an interrupt is
 * pending for it; a CPU with nothing to run halts until an interrupt (its
 * tick, or a kick from a CPU that made work for it).
 *
 * One lock covers all hypervisor state (VMs, devices, the console, the
 * page pool): a CPU holds it whenever it runs hypervisor code and drops
 * it only while it runs a guest or halts. Exits on different CPUs are
 * handled one at a time while guests run in parallel, as with the big
 * kernel lock of early SMP Linux; no device model needs a lock of its
 * own. Interrupt handlers never take it. */
#include <bulkhead/console_mux.h>
#include <bulkhead/exit.h>
#include <bulkhead/percpu.h>
#include <bulkhead/sched.h>
#include <bulkhead/spinlock.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_timer.h>
#include <bulkhead/x86/smp.h>

static struct spinlock hv_lock;
static volatile bool started; /* the boot CPU built the VMs */

static void poll_timers(struct vcpu *v, u64 now)
{
	vm_poll_timers(v->vm, now);
	if (v->irq_ops)
		v->irq_ops->poll(v->irq_dev, now);
	if (v->state == VCPU_HALTED && vcpu_irq_pending(v))
		v->state = VCPU_RUNNABLE;
}

/* The boot CPU reads the physical console, once a tick. */
static void poll_console(u64 *polled)
{
	if (this_cpu()->index != 0 || host_ticks == *polled)
		return;
	*polled = host_ticks;
	console_mux_poll();
}

static void run_slice(struct vcpu *v)
{
	u64 start = host_ticks, polled = host_ticks;
	struct vm_exit exit;

	this_cpu()->vcpu = v;
	v->on_cpu = this_cpu();
	while (v->state == VCPU_RUNNABLE && vm_is_running(v->vm) && !v->vm->reset_pending &&
	       !v->init_pending) {
		poll_console(&polled);
		vcpu_prepare_entry(v);
		spin_unlock(&hv_lock);
		vmm->vcpu_run(v, &exit);
		spin_lock(&hv_lock);
		exit_dispatch(v, &exit);
		host_irq_window();
		if (host_ticks - start >= SCHED_SLICE_TICKS)
			break;
		poll_timers(v, rdtsc());
	}
	vmm->vcpu_put(v);
	v->on_cpu = NULL;
	this_cpu()->vcpu = NULL;
}

/* A vCPU that is halted or waits for a SIPI with nothing that could ever
 * wake it. */
static bool asleep_forever(struct vcpu *v)
{
	if (v->state == VCPU_WAIT_SIPI)
		return !v->sipi_pending && !v->init_pending;
	return v->state == VCPU_HALTED && !v->on_cpu &&
	       (!v->irq_ops || v->irq_ops->next_deadline(v->irq_dev) == ~0ULL) &&
	       vm_next_timer_deadline(v->vm) == ~0ULL && !vcpu_irq_pending(v);
}

static bool vm_on_any_cpu(const struct vm *vm)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpu[i].on_cpu)
			return true;
	return false;
}

/* A reset waits until no vCPU of the VM is on a CPU. */
static void reset_if_due(struct vm *vm)
{
	if (vm->reset_pending && vm_is_running(vm) && !vm_on_any_cpu(vm))
		vm_do_reset(vm);
}

/* Next vCPU after position *pos (vm * VM_MAX_VCPUS + vcpu) that can run
 * and runs nowhere; NULL if none. */
static struct vcpu *pick(unsigned *pos, bool *any_running, bool *all_stuck)
{
	unsigned slots = nr_vms * VM_MAX_VCPUS;
	u64 now = rdtsc();
	struct vcpu *found = NULL;

	*any_running = false;
	*all_stuck = true;
	for (unsigned i = 1; i <= slots; i++) {
		unsigned at = (*pos + i) % slots;
		struct vm *vm = &vms[at / VM_MAX_VCPUS];
		struct vcpu *v = &vm->vcpu[at % VM_MAX_VCPUS];

		if (at % VM_MAX_VCPUS == 0)
			reset_if_due(vm);
		if (!vm_is_running(vm) || v->id >= vm->nr_vcpus || v->vm != vm)
			continue;
		*any_running = true;
		if (v->on_cpu) {
			*all_stuck = false;
			continue;
		}
		vcpu_startup(v);
		poll_timers(v, now);
		if (!asleep_forever(v))
			*all_stuck = false;
		if (!found && v->state == VCPU_RUNNABLE && !vm->reset_pending) {
			found = v;
			*pos = at;
		}
	}
	return found;
}

static void idle(void)
{
	struct cpu *c = this_cpu();

	c->idle = true;
	spin_unlock(&hv_lock);
	host_wait_for_irq();
	spin_lock(&hv_lock);
	c->idle = false;
}

/* The loop every CPU runs; returns when no VM is running any more. */
static void run_vcpus(void)
{
	unsigned pos = nr_vms * VM_MAX_VCPUS - 1;
	u64 polled = host_ticks;
	bool any_running, all_stuck;

	for (;;) {
		struct vcpu *v;

		poll_console(&polled);
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
		idle();
	}
}

void sched_run(void)
{
	spin_lock(&hv_lock);
	started = true;
	for (unsigned i = 1; i < nr_cpus_online; i++)
		smp_kick(&cpus[i]);
	run_vcpus();
	spin_unlock(&hv_lock);
}

void sched_run_ap(void)
{
	while (!started)
		host_wait_for_irq();
	spin_lock(&hv_lock);
	run_vcpus();
	spin_unlock(&hv_lock);
	for (;;)
		host_wait_for_irq();
}

void sched_kick_vm(const struct vm *vm)
{
	for (unsigned i = 0; i < nr_cpus_online; i++) {
		struct cpu *c = &cpus[i];
		const struct vcpu *v = c->vcpu;

		if (c != this_cpu() && (c->idle || (v && v->vm == vm)))
			smp_kick(c);
	}
}
