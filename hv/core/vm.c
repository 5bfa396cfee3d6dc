/* VM lifecycle: creation from a configuration, stopping with a reason, and
 * the end-of-run report. */
#include <stdarg.h>
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/guest_load.h>
#include <bulkhead/hv.h>
#include <bulkhead/isolation.h>
#include <bulkhead/mm.h>
#include <bulkhead/passthrough.h>
#include <bulkhead/sched.h>
#include <bulkhead/string.h>
#include <bulkhead/vm.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_timer.h>

struct vm vms[VM_MAX];
unsigned nr_vms;

extern const struct vm_device __vm_devices_start[], __vm_devices_end[];

/* Not cleared here: guest_mem clears each block on its first touch. */
static u64 host_alloc_2m(void *ctx)
{
	(void)ctx;
	return palloc_alloc(&hv_pages, PAGE_2M >> PAGE_SHIFT, PAGE_2M);
}

static void host_free_2m(void *ctx, u64 hpa)
{
	(void)ctx;
	if (!palloc_free(&hv_pages, hpa, PAGE_2M >> PAGE_SHIFT))
		hv_panic("guest memory block %#lx freed twice", hpa);
}

static void *host_ptr(void *ctx, u64 hpa)
{
	(void)ctx;
	return phys_to_virt(hpa);
}

static const struct guest_mem_host host_mem = { host_alloc_2m, host_free_2m, host_ptr, NULL };

enum gm_result vm_read(struct vm *vm, u64 gpa, void *dst, u64 len)
{
	return gpa_copy_from(&vm->mem, &host_mem, dst, gpa, len);
}

enum gm_result vm_write(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	return gpa_copy_to(&vm->mem, &host_mem, gpa, src, len);
}

bool vm_is_running(const struct vm *vm)
{
	return vm->state == VM_RUNNING;
}

static void stop_vcpus(struct vm *vm)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		vm->vcpu[i].state = VCPU_STOPPED;
	sched_kick_vm(vm); /* its vCPUs on other CPUs leave the guest */
}

/* on_crash restart, unless the VM crashed VM_CRASH_LOOP_MAX times within
 * VM_CRASH_LOOP_SECONDS: then it is a loop, and the VM stops. */
static bool restart_after_crash(struct vm *vm)
{
	u64 now = rdtsc(), window = tsc_hz * VM_CRASH_LOOP_SECONDS;

	if (!vm->cfg || vm->cfg->on_crash != VM_ON_CRASH_RESTART)
		return false;
	if (!vm->crash_restarts || now - vm->first_crash_tsc > window) {
		vm->first_crash_tsc = now;
		vm->crash_restarts = 0;
	}
	return ++vm->crash_restarts <= VM_CRASH_LOOP_MAX;
}

static void stop_with_reason(struct vm *vm)
{
	vm->state = VM_STOPPED;
	vm->reset_pending = false;
	stop_vcpus(vm);
	printf("vm %s: stopped: %s\n", vm->name, vm->reason);
}

void vm_stop(struct vm *vm, const char *reason)
{
	if (vm->state != VM_RUNNING)
		return;
	fmt_snprintf(vm->reason, sizeof(vm->reason), "%s", reason);
	stop_with_reason(vm);
}

/* A running VM is reset once none of its vCPUs runs (sched.c); one that
 * ended is built again in its slot once it has given back its RAM, from
 * its configuration, with its reset count kept. */
void vm_restart(struct vm *vm, const char *why)
{
	printf("vm %s: %s\n", vm->name, why);
	if (vm->state == VM_RUNNING) {
		vm->reset_why = NULL; /* logged here */
		vm->reset_pending = true;
	} else {
		vm->start_pending = true;
	}
	sched_kick_vm(vm);
}

bool vm_start_again(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	char name[VM_NAME_MAX];
	u32 resets = vm->resets + 1;
	const char *err;

	memcpy(name, vm->name, sizeof(name));
	if (!vm_create(vm, cfg, &err)) {
		/* vm_create left the slot empty: keep the record and say why. */
		memcpy(vm->name, name, sizeof(vm->name));
		vm->cfg = cfg;
		vm->id = (u32)(vm - vms);
		vm_init_dev_host(vm);
		vm->state = VM_STOPPED;
		vm->released = true;
		vm->resets = resets - 1;
		fmt_snprintf(vm->reason, sizeof(vm->reason), "could not start again: %s", err);
		printf("vm %s: %s\n", vm->name, vm->reason);
		return false;
	}
	vm->resets = resets;
	return true;
}

void vm_crash(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm->state != VM_RUNNING || vm->reset_pending)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(vm->reason, sizeof(vm->reason), fmt, ap);
	va_end(ap);
	if (restart_after_crash(vm)) {
		printf("vm %s: crashed: %s; restarting (on_crash restart)\n", vm->name, vm->reason);
		vm->reset_why = "after a crash";
		vm->reset_pending = true;
		sched_kick_vm(vm);
		return;
	}
	stop_with_reason(vm);
}

void vm_hold(struct vm *vm, const char *what)
{
	if (vm->held_for)
		return;
	vm->held_for = what;
	vm->held_tsc = rdtsc();
	printf("vm %s: waits for %s before it starts\n", vm->name, what);
}

void vm_hold_update(struct vm *vm, const char *what)
{
	if (vm->held_for)
		vm->held_for = what;
}

void vm_unhold(struct vm *vm)
{
	u64 ms = tsc_hz ? (rdtsc() - vm->held_tsc) / (tsc_hz / 1000 ? tsc_hz / 1000 : 1) : 0;

	if (!vm->held_for)
		return;
	printf("vm %s: starts (waited %lu ms for %s)\n", vm->name, ms, vm->held_for);
	vm->held_for = NULL;
	sched_kick_vm(vm);
}

void vm_exit_with_code(struct vm *vm, u32 code)
{
	if (vm->state != VM_RUNNING)
		return;
	vm->state = VM_EXITED;
	vm->exit_code = code;
	stop_vcpus(vm);
	printf("vm %s: exited, code %u\n", vm->name, code);
}

bool vm_add_timer(struct vm *vm, const struct vtimer_ops *ops, void *dev)
{
	if (vm->nr_timers == VM_MAX_TIMERS)
		return false;
	vm->timers[vm->nr_timers].ops = ops;
	vm->timers[vm->nr_timers].dev = dev;
	vm->nr_timers++;
	return true;
}

void vm_poll_timers(struct vm *vm, u64 now)
{
	for (unsigned i = 0; i < vm->nr_timers; i++)
		vm->timers[i].ops->poll(vm->timers[i].dev, now);
}

u64 vm_next_timer_deadline(struct vm *vm)
{
	u64 next = ~0ULL;

	for (unsigned i = 0; i < vm->nr_timers; i++)
		next = MIN(next, vm->timers[i].ops->next_deadline(vm->timers[i].dev));
	return next;
}

void vm_poweroff(struct vm *vm)
{
	if (vm->state != VM_RUNNING)
		return;
	vm->state = VM_OFF;
	stop_vcpus(vm);
	printf("vm %s: powered off by the guest\n", vm->name);
}

void vm_reset(struct vm *vm)
{
	if (vm->state == VM_RUNNING) {
		vm->reset_why = "reset by the guest";
		vm->reset_pending = true;
		sched_kick_vm(vm); /* carried out once none of its vCPUs runs */
	}
}

/* Builds the devices, then freezes the bus; on failure, those created so
 * far are destroyed by vm_destroy. */
static bool create_devices(struct vm *vm, const struct vm_config *cfg, const char **err)
{
	for (const struct vm_device *d = __vm_devices_start; d < __vm_devices_end; d++) {
		if (!d->create(&vm->dev, cfg, err))
			return false;
		vm->nr_devices_created++;
	}
	bus_freeze(&vm->bus);
	return true;
}

static void destroy_devices(struct vm *vm)
{
	while (vm->nr_devices_created) {
		const struct vm_device *d = &__vm_devices_start[--vm->nr_devices_created];

		if (d->destroy)
			d->destroy(&vm->dev);
	}
}

bool vm_fault_in_ram(struct vm *vm, u64 gpa)
{
	u64 block_gpa, block_hpa;

	if (!guest_mem_fault_in(&vm->mem, &host_mem, gpa, &block_gpa, &block_hpa))
		return false;
	if (!vmm->vm_map_ram(vm, block_gpa, block_hpa, GUEST_MEM_BLOCK)) {
		vm_crash(vm, "out of memory for its nested page table at %#lx", block_gpa);
		return false;
	}
	return true;
}

/* Loads the kernel into (zeroed) RAM and puts the vCPU at its entry, with
 * the guest's TSC starting near 0: the common end of creation and reset. */
static bool boot_guest(struct vm *vm, const char **err)
{
	struct vcpu_init_state init;
	u64 tsc_offset;

	if (!guest_load(vm, vm->cfg, &init, err))
		return false;
	vmm->vcpu_set_state(&vm->vcpu[0], &init);
	vm->vcpu[0].state = VCPU_RUNNABLE; /* the others wait for a SIPI */
	tsc_offset = -rdtsc();
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		vm->vcpu[i].tsc_offset = tsc_offset; /* one TSC for the whole VM */
		vmm->vcpu_set_tsc_offset(&vm->vcpu[i], tsc_offset);
	}
	return true;
}

/* Gives back whatever a (possibly partly) created VM holds, newest first:
 * vCPU backend state, devices, the backend's VM state (nested page
 * table), guest RAM, zeroed first where the guest touched it. Device
 * state in the VM's arena goes with the VM. */
static void release_resources(struct vm *vm)
{
	for (u32 i = 0; i < ARRAY_SIZE(vm->vcpu); i++)
		if (vm->vcpu[i].arch)
			vmm->vcpu_destroy(&vm->vcpu[i]);
	destroy_devices(vm);
	if (vm->arch)
		vmm->vm_destroy(vm);
	guest_mem_wipe(&vm->mem, &host_mem);
	guest_mem_free(&vm->mem, &host_mem);
}

static void vm_destroy(struct vm *vm)
{
	release_resources(vm);
	memset(vm, 0, sizeof(*vm));
}

void vm_release(struct vm *vm)
{
	u64 mib = vm->mem.size >> 20;

	isolation_check_vm(vm, "at its stop");
	release_resources(vm);
	vm->released = true;
	printf("vm %s: %lu MiB of RAM scrubbed and returned to the pool\n", vm->name, mib);
}

/* All or nothing: a VM that cannot be completed gives back what it took,
 * so the next one finds the memory and ASIDs free. */
bool vm_create(struct vm *vm, const struct vm_config *cfg, const char **err)
{
	memset(vm, 0, sizeof(*vm));
	memcpy(vm->name, cfg->name, sizeof(vm->name));
	vm_init_dev_host(vm);
	vm->id = (u32)(vm - vms);
	vm->cfg = cfg;
	vm->state = VM_RUNNING;
	bus_init(&vm->bus);
	if (!guest_mem_alloc(&vm->mem, &host_mem, cfg->mem_bytes)) {
		*err = "not enough free memory for its RAM";
		goto fail;
	}
	if (!vmm->vm_init(vm, err))
		goto fail;
	vm->nr_vcpus = cfg->nr_vcpus ? cfg->nr_vcpus : 1;
	if (vm->nr_vcpus > VM_MAX_VCPUS) {
		*err = "more vCPUs than a VM can have";
		goto fail;
	}
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		vm->vcpu[i].vm = vm;
		vm->vcpu[i].id = i;
	}
	if (!create_devices(vm, cfg, err))
		goto fail;
	for (u32 i = 0; i < vm->nr_vcpus; i++) {
		if (!vmm->vcpu_init(&vm->vcpu[i], err))
			goto fail;
		vcpu_power_on(&vm->vcpu[i]);
	}
	if (!boot_guest(vm, err))
		goto fail;
	return true;
fail:
	vm_destroy(vm);
	return false;
}

/* A reset is a fresh boot: RAM cleared, devices reset, the kernel and its
 * modules loaded again, the vCPU exactly as at its first start. */
bool vm_do_reset(struct vm *vm)
{
	const char *err;

	vm->reset_pending = false;
	/* the guest's reset or a crash; the operator's restart is logged by
	 * vm_restart */
	if (vm->reset_why)
		printf("vm %s: %s, restarting\n", vm->name, vm->reset_why);
	passthrough_vm_reset(vm); /* no device DMA into RAM from here on */
	guest_mem_wipe(&vm->mem, &host_mem);
	bus_reset(&vm->bus);
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		vcpu_power_on(&vm->vcpu[i]);
	if (!boot_guest(vm, &err)) {
		vm_crash(vm, "reset: %s", err);
		return false;
	}
	vm->resets++;
	return true;
}

const char *vm_state_name(enum vm_state s)
{
	switch (s) {
	case VM_RUNNING: return "running";
	case VM_EXITED: return "exited";
	case VM_STOPPED: return "stopped";
	case VM_OFF: return "off";
	}
	return "?";
}

/* " name N" for each region that was accessed, busiest first. */
static void print_accesses(const struct bus_space *s)
{
	bool printed[BUS_MAX_REGIONS] = { false };

	for (;;) {
		const struct bus_region *top = NULL;

		for (unsigned i = 0; i < s->n; i++)
			if (!printed[i] && s->r[i].accesses &&
			    (!top || s->r[i].accesses > top->accesses))
				top = &s->r[i];
		if (!top)
			return;
		printed[top - s->r] = true;
		printf(" %s %lu", top->name ? top->name : "?", top->accesses);
	}
}

/* "vm X: odd accesses: name N ..." for the regions where the guest made
 * accesses the bus split or a device refused (bus.h); nothing if none. */
static void print_odd(const struct vm *vm)
{
	const struct bus_space *spaces[] = { &vm->bus.pio, &vm->bus.mmio };
	bool any = false;

	for (unsigned k = 0; k < ARRAY_SIZE(spaces); k++)
		for (unsigned i = 0; i < spaces[k]->n; i++) {
			const struct bus_region *r = &spaces[k]->r[i];

			if (!r->odd)
				continue;
			if (!any)
				printf("vm %s: odd accesses:", vm->name);
			any = true;
			printf(" %s %lu", r->name ? r->name : "?", r->odd);
		}
	if (any)
		printf("\n");
}

void vm_print_exits(const struct vm *vm)
{
	printf("vm %s: exits:", vm->name);
	for (int c = 1; c < EXIT_NR; c++)
		if (vm->exits[c])
			printf(" %s %lu", vm_exit_name((enum vm_exitcode)c), vm->exits[c]);
	printf("; unclaimed port reads %lu, writes %lu\n", vm->bus.unclaimed_reads,
	       vm->bus.unclaimed_writes);
	printf("vm %s: hypervisor ticks from exits to entries: %lu\n", vm->name, vm->hv_tsc);
	printf("vm %s: port accesses:", vm->name);
	print_accesses(&vm->bus.pio);
	printf("\nvm %s: mmio accesses:", vm->name);
	print_accesses(&vm->bus.mmio);
	printf("\n");
	print_odd(vm);
}

void vm_report_all(void)
{
	printf("vms: %u\n", nr_vms);
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];

		printf("vm %s: state %s", vm->name, vm_state_name(vm->state));
		if (vm->state == VM_EXITED)
			printf(", code %u", vm->exit_code);
		if (vm->state == VM_STOPPED)
			printf(", reason: %s", vm->reason);
		if (vm->resets)
			printf(", %u reset(s)", vm->resets);
		printf("\n");
		if (vm->nr_vcpus > 1)
			printf("vm %s: %u vCPUs, at most %u of them on CPUs at once\n", vm->name,
			       vm->nr_vcpus, vm->most_on_cpus);
		vm_print_exits(vm);
	}
}

/* A run passes when every VM ended well: test-exit code 0, or powered off
 * by its own guest. */
bool vm_all_passed(void)
{
	for (unsigned i = 0; i < nr_vms; i++) {
		const struct vm *vm = &vms[i];
		if (vm->state == VM_OFF)
			continue;
		if (vm->state != VM_EXITED || vm->exit_code != 0)
			return false;
	}
	return nr_vms > 0;
}
