/* The scheduler, on every CPU, for a client machine (docs/scheduler.md).
 *
 * Share: each VM has a virtual runtime, the time its vCPUs ran scaled by
 * VM_WEIGHT_DEFAULT / weight; a CPU picks the runnable vCPU, on no
 * other CPU, whose VM has the least (round robin among equals). So busy
 * VMs share the CPUs in proportion to their weights, however many vCPUs
 * each has, and none starves. A VM that slept comes back at most
 * SCHED_LAG_MAX behind the least busy one: sleeping banks no credit.
 * Focus: the VM whose console has focus counts SCHED_FOCUS_LEAD less, so
 * it runs first when it wakes (a key typed), and a CPU running another VM
 * ends that slice early for it; over time it still gets only its share.
 * Tickless: each CPU's one-shot timer is armed at its next deadline (the
 * end of the slice it runs, the guest timers of the vCPU it runs, or, idle,
 * the earliest guest timer anywhere); a halted vCPU costs no exits and an
 * idle CPU sleeps. The boot CPU also polls the physical console every
 * SCHED_CONSOLE_POLL_MS.
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
#include <bulkhead/vm_config.h>
#include <bulkhead/vm_lock.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_timer.h>
#include <bulkhead/x86/smp.h>

static struct spinlock hv_lock;
static volatile bool started; /* the boot CPU built the VMs */
static struct vm *focus;      /* the VM whose console has focus */
static u64 slice_tsc, lag_tsc, lead_tsc, console_tsc;
static u64 next_console_poll;

static u64 ms_to_tsc(u64 ms)
{
	return tsc_hz / 1000 * ms;
}

static u32 vm_weight(const struct vm *vm)
{
	return vm->cfg && vm->cfg->weight ? vm->cfg->weight : VM_WEIGHT_DEFAULT;
}

static void poll_timers(struct vcpu *v, u64 now)
{
	vm_poll_timers(v->vm, now);
	if (v->irq_ops)
		v->irq_ops->poll(v->irq_dev, now);
	if (v->state == VCPU_HALTED && vcpu_irq_pending(v))
		v->state = VCPU_RUNNABLE;
}

/* The earliest TSC at which a timer of v, or of its VM's devices, fires. */
static u64 vcpu_deadline(struct vcpu *v)
{
	u64 d = vm_next_timer_deadline(v->vm);

	if (v->irq_ops)
		d = MIN(d, v->irq_ops->next_deadline(v->irq_dev));
	return d;
}

/* The boot CPU reads the physical console every SCHED_CONSOLE_POLL_MS. */
static void poll_console(u64 now)
{
	if (this_cpu()->index != 0 || now < next_console_poll)
		return;
	next_console_poll = now + console_tsc;
	console_mux_poll();
}

static u64 console_deadline(void)
{
	return this_cpu()->index == 0 ? next_console_poll : ~0ULL;
}

/* Locked (vm_lock.h), or built and held until what it waits for is there
 * (vm_hold): not run, its timers not polled, and never stuck. */
static bool vm_paused(const struct vm *vm)
{
	return vm_locked(vm) || vm->held_for;
}

static bool must_stop(struct vcpu *v)
{
	return v->state != VCPU_RUNNABLE || !vm_is_running(v->vm) || v->vm->reset_pending ||
	       v->init_pending || vm_paused(v->vm);
}

static u32 vcpus_on_cpus(const struct vm *vm)
{
	u32 n = 0;

	for (u32 i = 0; i < vm->nr_vcpus; i++)
		n += vm->vcpu[i].on_cpu != NULL;
	return n;
}

static void run_slice(struct vcpu *v)
{
	struct cpu *c = this_cpu();
	u64 start = rdtsc(), end = start + slice_tsc, now = start, exited = 0;
	struct vm_exit exit;

	c->vcpu = v;
	c->resched = false;
	v->on_cpu = c;
	v->vm->most_on_cpus = MAX(v->vm->most_on_cpus, vcpus_on_cpus(v->vm));
	while (!must_stop(v)) {
		poll_console(now);
		if (must_stop(v))
			break; /* the hypervisor console may have stopped this VM */
		vcpu_prepare_entry(v);
		host_timer_arm(MIN(MIN(end, vcpu_deadline(v)), console_deadline()));
		if (exited)
			v->vm->hv_tsc += rdtsc() - exited;
		spin_unlock(&hv_lock);
		vmm->vcpu_run(v, &exit);
		exited = rdtsc();
		spin_lock(&hv_lock);
		exit_dispatch(v, &exit);
		host_irq_window();
		now = rdtsc();
		if (now >= end || c->resched)
			break;
		poll_timers(v, now);
	}
	if (exited)
		v->vm->hv_tsc += rdtsc() - exited;
	v->vm->vruntime += (rdtsc() - start) * VM_WEIGHT_DEFAULT / vm_weight(v->vm);
	vmm->vcpu_put(v);
	v->on_cpu = NULL;
	c->vcpu = NULL;
}

/* A vCPU that is halted or waits for a SIPI with nothing that could ever
 * wake it. */
static bool asleep_forever(struct vcpu *v)
{
	if (v->state == VCPU_WAIT_SIPI)
		return !v->sipi_pending && !v->init_pending;
	return v->state == VCPU_HALTED && !v->on_cpu && vcpu_deadline(v) == ~0ULL &&
	       !vcpu_irq_pending(v);
}

static bool vm_on_any_cpu(const struct vm *vm)
{
	return vcpus_on_cpus(vm) != 0;
}

/* A reset waits until no vCPU of the VM is on a CPU; so does giving back
 * the RAM of a VM that ended, and building it again (vm_restart). */
static void reset_or_release(struct vm *vm)
{
	if (vm_on_any_cpu(vm))
		return;
	if (vm->reset_pending && vm_is_running(vm)) {
		vm_do_reset(vm);
	} else if (!vm_is_running(vm)) {
		if (!vm->released)
			vm_release(vm);
		if (vm->start_pending)
			vm_start_again(vm);
	}
}

/* The VM's place in line: its virtual runtime, less the focus lead. */
static u64 vm_key(const struct vm *vm)
{
	return vm == focus ? vm->vruntime - MIN(vm->vruntime, lead_tsc) : vm->vruntime;
}

/* No VM banks more than SCHED_LAG_MAX of credit while it sleeps. */
static void clamp_lag(void)
{
	u64 least = ~0ULL;

	for (unsigned i = 0; i < nr_vms; i++)
		if (vm_is_running(&vms[i]) && !vm_paused(&vms[i]))
			least = MIN(least, vms[i].vruntime);
	for (unsigned i = 0; i < nr_vms; i++)
		if (least != ~0ULL && least > lag_tsc && vms[i].vruntime < least - lag_tsc)
			vms[i].vruntime = least - lag_tsc;
}

struct pick {
	struct vcpu *found;
	bool any_running, all_stuck;
	bool all_released; /* every VM that ended gave back its RAM */
	u64 wake; /* the earliest timer of a vCPU on no CPU */
};

/* The runnable vCPU on no CPU whose VM has the least key, scanning from
 * after *pos (vm * VM_MAX_VCPUS + vcpu) so that equals take turns. */
static void pick(unsigned *pos, struct pick *p)
{
	unsigned slots = nr_vms * VM_MAX_VCPUS;
	u64 now = rdtsc(), best = ~0ULL;

	*p = (struct pick){ .all_stuck = true, .all_released = true, .wake = ~0ULL };
	clamp_lag();
	for (unsigned i = 1; i <= slots; i++) {
		unsigned at = (*pos + i) % slots;
		struct vm *vm = &vms[at / VM_MAX_VCPUS];
		struct vcpu *v = &vm->vcpu[at % VM_MAX_VCPUS];

		if (at % VM_MAX_VCPUS == 0) {
			reset_or_release(vm);
			p->all_released &= vm_is_running(vm) || vm->released;
		}
		if (!vm_is_running(vm) || v->id >= vm->nr_vcpus || v->vm != vm)
			continue;
		p->any_running = true;
		if (vm_paused(vm)) {
			/* neither run nor its timers polled, and not stuck: the
			 * hypervisor idles, never crashes it */
			p->all_stuck = false;
			continue;
		}
		if (v->on_cpu) {
			p->all_stuck = false;
			continue;
		}
		vcpu_startup(v);
		poll_timers(v, now);
		if (!asleep_forever(v))
			p->all_stuck = false;
		if (v->state == VCPU_HALTED)
			p->wake = MIN(p->wake, vcpu_deadline(v));
		if (v->state == VCPU_RUNNABLE && !vm->reset_pending && vm_key(vm) < best) {
			best = vm_key(vm);
			p->found = v;
			*pos = at;
		}
	}
}

static void idle(u64 wake)
{
	struct cpu *c = this_cpu();

	c->idle = true;
	host_timer_arm(MIN(wake, console_deadline()));
	spin_unlock(&hv_lock);
	host_wait_for_irq();
	spin_lock(&hv_lock);
	c->idle = false;
}

/* The loop every CPU runs; returns when no VM is running any more. */
static void run_vcpus(void)
{
	unsigned pos = nr_vms * VM_MAX_VCPUS - 1;
	struct pick p;

	for (;;) {
		poll_console(rdtsc());
		pick(&pos, &p);
		if (p.found) {
			run_slice(p.found);
			continue;
		}
		if (!p.any_running && p.all_released)
			return;
		if (p.all_stuck && p.any_running) {
			for (unsigned i = 0; i < nr_vms; i++)
				if (vm_is_running(&vms[i]))
					vm_crash(&vms[i], "halted with no interrupt that could wake it");
			continue;
		}
		idle(p.wake);
	}
}

void sched_run(void)
{
	spin_lock(&hv_lock);
	slice_tsc = ms_to_tsc(SCHED_SLICE_MS);
	lag_tsc = ms_to_tsc(SCHED_LAG_MAX_MS);
	lead_tsc = ms_to_tsc(SCHED_FOCUS_LEAD_MS);
	console_tsc = ms_to_tsc(SCHED_CONSOLE_POLL_MS);
	started = true;
	for (unsigned i = 1; i < nr_cpus_online; i++)
		smp_kick(&cpus[i]);
	run_vcpus();
	host_timer_arm(~0ULL);
	spin_unlock(&hv_lock);
}

void sched_run_ap(void)
{
	while (!started)
		host_wait_for_irq();
	spin_lock(&hv_lock);
	run_vcpus();
	host_timer_arm(~0ULL);
	spin_unlock(&hv_lock);
	for (;;)
		host_wait_for_irq();
}

void sched_set_focus(struct vm *vm)
{
	focus = vm;
}

void sched_kick_vm(const struct vm *vm)
{
	bool woken = false;

	for (unsigned i = 0; i < nr_cpus_online; i++) {
		struct cpu *c = &cpus[i];
		const struct vcpu *v = c->vcpu;

		if (c != this_cpu() && (c->idle || (v && v->vm == vm))) {
			smp_kick(c);
			woken = true;
		}
	}
	if (woken || vm != focus)
		return;
	/* Every CPU runs another VM: the focused one need not wait a slice. */
	for (unsigned i = 0; i < nr_cpus_online; i++) {
		struct cpu *c = &cpus[i];

		if (c->vcpu && c->vcpu->vm != focus) {
			c->resched = true;
			smp_kick(c);
			return;
		}
	}
}
