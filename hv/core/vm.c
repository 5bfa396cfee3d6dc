/* VM lifecycle: creation from a configuration, stopping with a reason, and
 * the end-of-run report. */
#include <stdarg.h>
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/guest_load.h>
#include <bulkhead/hv.h>
#include <bulkhead/mm.h>
#include <bulkhead/string.h>
#include <bulkhead/vm.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/cpu.h>

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

void *vm_dev_alloc(struct vm *vm, u64 size)
{
	u64 at = ALIGN_UP(vm->dev_arena_used, 16ULL);
	void *p;

	if (size > VM_DEV_ARENA || at > VM_DEV_ARENA - size)
		return NULL;
	p = &vm->dev_arena[at];
	vm->dev_arena_used = at + size;
	memset(p, 0, size);
	return p;
}

bool vm_is_running(const struct vm *vm)
{
	return vm->state == VM_RUNNING;
}

static void stop_vcpus(struct vm *vm)
{
	for (u32 i = 0; i < vm->nr_vcpus; i++)
		vm->vcpu[i].state = VCPU_STOPPED;
}

void vm_crash(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm->state != VM_RUNNING)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(vm->reason, sizeof(vm->reason), fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	stop_vcpus(vm);
	printf("vm %s: stopped: %s\n", vm->name, vm->reason);
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
	if (vm->state == VM_RUNNING)
		vm->reset_pending = true;
}

static bool create_devices(struct vm *vm, const struct vm_config *cfg, const char **err)
{
	for (const struct vm_device *d = __vm_devices_start; d < __vm_devices_end; d++)
		if (!d->create(vm, cfg, err))
			return false;
	return true;
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
	struct vcpu *v = &vm->vcpu[0];

	if (!guest_load(vm, vm->cfg, &init, err))
		return false;
	vmm->vcpu_set_state(v, &init);
	v->tsc_offset = -rdtsc();
	vmm->vcpu_set_tsc_offset(v, v->tsc_offset);
	return true;
}

/* The vCPU as at power-on, core and backend state alike; boot_guest then
 * sets the entry state. What the core keeps is listed here whole, so that a
 * reset cannot leave an old value behind. */
static void vcpu_power_on(struct vcpu *v)
{
	memset(v->gpr, 0, sizeof(v->gpr));
	v->rip = 0;
	v->rflags = 2;
	v->state = VCPU_RUNNABLE;
	v->event = (struct vcpu_event){ 0 };
	v->nmi_pending = v->nmi_blocked = v->nmi_iret_seen = false;
	v->nmi_iret_rip = 0;
	msr_vcpu_reset(v);
	vmm->vcpu_reset(v);
}

/* Gives back whatever a (possibly partly) created VM holds, newest first:
 * vCPU backend state, the backend's VM state (nested page table, ASID),
 * guest RAM. Device state lives in the VM's arena and goes with it. */
static void vm_destroy(struct vm *vm)
{
	for (u32 i = 0; i < ARRAY_SIZE(vm->vcpu); i++)
		if (vm->vcpu[i].arch)
			vmm->vcpu_destroy(&vm->vcpu[i]);
	if (vm->arch)
		vmm->vm_destroy(vm);
	guest_mem_free(&vm->mem, &host_mem);
	memset(vm, 0, sizeof(*vm));
}

/* All or nothing: a VM that cannot be completed gives back what it took,
 * so the next one finds the memory and ASIDs free. */
bool vm_create(struct vm *vm, const struct vm_config *cfg, const char **err)
{
	struct vcpu *v = &vm->vcpu[0];

	memset(vm, 0, sizeof(*vm));
	memcpy(vm->name, cfg->name, sizeof(vm->name));
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
	vm->nr_vcpus = 1;
	v->vm = vm;
	v->id = 0;
	if (!create_devices(vm, cfg, err) || !vmm->vcpu_init(v, err))
		goto fail;
	vcpu_power_on(v);
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
	struct vcpu *v = &vm->vcpu[0];
	const char *err;

	if (vm->reset_pending) /* else the operator's restart, logged there */
		printf("vm %s: reset by the guest, restarting\n", vm->name);
	vm->reset_pending = false;
	guest_mem_wipe(&vm->mem, &host_mem);
	bus_reset(&vm->bus);
	vcpu_power_on(v);
	if (!boot_guest(vm, &err)) {
		vm_crash(vm, "reset: %s", err);
		return false;
	}
	vm->resets++;
	return true;
}

static const char *state_name(enum vm_state s)
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

		printf("vm %s: state %s", vm->name, state_name(vm->state));
		if (vm->state == VM_EXITED)
			printf(", code %u", vm->exit_code);
		if (vm->state == VM_STOPPED)
			printf(", reason: %s", vm->reason);
		if (vm->resets)
			printf(", %u reset(s)", vm->resets);
		printf("\n");
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
