/* hv/core/vm.c and the event logic of hv/core/vcpu.c against a fake vendor
 * backend and a page pool in a host buffer: a vm_create that fails at any
 * step gives back everything it took; a reset leaves the vCPU (core state
 * and what the backend shows) exactly as at first start; exceptions merge
 * as SDM vol. 3 table 6-5 says; an NMI is blocked until the guest's IRET. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <bulkhead/guest_load.h>
#include <bulkhead/hv.h>
#include <bulkhead/isolation.h>
#include <bulkhead/mm.h>
#include <bulkhead/sched.h>
#include <bulkhead/vm.h>
#include <bulkhead/vmm.h>

#define POOL_SIZE (64ULL << 20)
#define PAT_POWER_ON 0x0007040600070406ULL

struct page_alloc hv_pages;
const struct vmm_ops *vmm;
static u8 *pool;

void hv_panic(const char *fmt, ...)
{
	(void)fmt;
	fail_msg("hv_panic");
	abort();
}

void sched_kick_vm(const struct vm *m) { (void)m; } /* one CPU: nobody to wake */
u64 tsc_hz = 1000000000ULL;
static unsigned isolation_checks;
void isolation_check_vm(struct vm *vm, const char *when)
{
	(void)vm;
	(void)when;
	isolation_checks++;
}

const char *vm_exit_name(enum vm_exitcode code)
{
	(void)code;
	return "?";
}

/* ---- what makes each creation step fail ---- */
static struct {
	bool vm_init, device, vcpu_init, load;
} fails;

/* ---- the guest loader ---- */
static const struct vcpu_init_state boot_state = {
	.cr0 = 0x11, .rip = 0x100000, .rflags = 2, .cs_sel = 8, .ds_sel = 0x10,
};

bool guest_load(struct vm *vm, const struct vm_config *cfg, struct vcpu_init_state *init,
		const char **err)
{
	(void)cfg;
	if (fails.load) {
		*err = "fake load failure";
		return false;
	}
	assert_int_equal(vm_write(vm, 0x100000, "\xf4", 1), GM_OK); /* touches RAM */
	*init = boot_state;
	return true;
}

/* ---- devices: one with a port, a timer and arena state; one that can fail ---- */
static u64 dev_deadline(void *dev) { (void)dev; return ~0ULL; }
static void dev_poll(void *dev, u64 now) { (void)dev; (void)now; }
static const struct vtimer_ops dev_timer = { .poll = dev_poll, .next_deadline = dev_deadline };
static enum bus_result dev_read(void *d, u64 off, u32 size, u64 *val)
{
	(void)d; (void)off; (void)size;
	*val = 0;
	return BUS_OK;
}
static enum bus_result dev_write(void *d, u64 off, u32 size, u64 val)
{
	(void)d; (void)off; (void)size; (void)val;
	return BUS_OK;
}
static unsigned dev_resets;
static void dev_reset(void *d) { (void)d; dev_resets++; }

/* passthrough.h: a passed-through function must be quiet before the RAM
 * it could DMA into is wiped, and before the bus resets. */
static struct { unsigned calls, dev_resets; u8 ram; } pt_seen;
void passthrough_vm_reset(struct vm *vm)
{
	pt_seen.calls++;
	pt_seen.dev_resets = dev_resets;
	assert_int_equal(vm_read(vm, 0x100000, &pt_seen.ram, 1), GM_OK);
}
static const struct bus_dev_ops dev_ops = { dev_read, dev_write, dev_reset };

/* Devices created and not yet destroyed: a failed creation must destroy
 * exactly those it created. */
static int devices_live;

static bool dev_a_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	struct vm *vm = vm_of_dev(host);
	void *st = vm_dev_alloc(vm, 256);

	(void)cfg;
	(void)err;
	if (!(st && bus_register(&vm->bus.pio, 0x80, 1, &dev_ops, st, "a") &&
	      vm_add_timer(vm, &dev_timer, st)))
		return false;
	devices_live++;
	return true;
}

static void dev_destroy(struct dev_host *host)
{
	(void)host;
	devices_live--;
}

static bool dev_b_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	(void)host;
	(void)cfg;
	if (fails.device) {
		*err = "fake device failure";
		return false;
	}
	devices_live++;
	return true;
}

const struct vm_device test_devices[2] = { { "a", dev_a_create, dev_destroy },
					   { "b", dev_b_create, dev_destroy } };
__asm__(".globl __vm_devices_start\n.set __vm_devices_start, test_devices\n"
	".globl __vm_devices_end\n.set __vm_devices_end, test_devices + 48");
_Static_assert(sizeof(struct vm_device) == 24, "three pointers");

/* ---- the fake backend: pages from the pool, an ASID count, a VMCB-like
 * state it shows to the test ---- */
struct fake_hw {
	u64 page;
	u64 g_pat, cr2, vintr, tsc_offset;
	bool iret_intercept, irq_window;
	struct vcpu_event injected;
	struct vcpu_init_state st;
};
static struct fake_hw hw[VM_MAX];
static struct { u64 page; } fake_vm_state[VM_MAX];
static unsigned asids_live, vcpus_live;

static u64 page(void)
{
	return palloc_alloc(&hv_pages, 1, 4096);
}

static bool f_vm_init(struct vm *vm, const char **err)
{
	if (fails.vm_init) {
		*err = "fake vm_init failure";
		return false;
	}
	fake_vm_state[vm->id].page = page();
	assert_true(fake_vm_state[vm->id].page != 0);
	asids_live++;
	vm->arch = &fake_vm_state[vm->id];
	return true;
}

static void f_vm_destroy(struct vm *vm)
{
	assert_true(palloc_free(&hv_pages, fake_vm_state[vm->id].page, 1));
	asids_live--;
	vm->arch = NULL;
}

static bool f_vcpu_init(struct vcpu *v, const char **err)
{
	struct fake_hw *h = &hw[v->vm->id];

	if (fails.vcpu_init) {
		*err = "fake vcpu_init failure";
		return false;
	}
	h->page = page();
	assert_true(h->page != 0);
	vcpus_live++;
	v->arch = h;
	return true;
}

static void f_vcpu_destroy(struct vcpu *v)
{
	struct fake_hw *h = v->arch;

	assert_true(palloc_free(&hv_pages, h->page, 1));
	vcpus_live--;
	v->arch = NULL;
}

static void f_vcpu_reset(struct vcpu *v)
{
	struct fake_hw *h = v->arch;
	u64 pg = h->page;

	memset(h, 0, sizeof(*h));
	h->page = pg;
	h->g_pat = PAT_POWER_ON;
}

static void f_set_state(struct vcpu *v, const struct vcpu_init_state *s)
{
	((struct fake_hw *)v->arch)->st = *s;
	v->rip = s->rip;
	v->rflags = s->rflags;
}

static void f_set_tsc_offset(struct vcpu *v, u64 off) { ((struct fake_hw *)v->arch)->tsc_offset = off; }
static void f_inject(struct vcpu *v, const struct vcpu_event *e) { ((struct fake_hw *)v->arch)->injected = *e; }
static bool f_window_open(struct vcpu *v) { return !((struct fake_hw *)v->arch)->injected.pending; }
static void f_want_irq_window(struct vcpu *v, bool on) { ((struct fake_hw *)v->arch)->irq_window = on; }
static void f_intercept_iret(struct vcpu *v, bool on) { ((struct fake_hw *)v->arch)->iret_intercept = on; }
static bool f_map_ram(struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	(void)vm; (void)gpa; (void)hpa; (void)size;
	return true;
}

static const struct vmm_ops fake_ops = {
	.name = "fake",
	.vm_init = f_vm_init,
	.vm_destroy = f_vm_destroy,
	.vm_map_ram = f_map_ram,
	.vcpu_init = f_vcpu_init,
	.vcpu_destroy = f_vcpu_destroy,
	.vcpu_reset = f_vcpu_reset,
	.vcpu_set_state = f_set_state,
	.vcpu_irq_window_open = f_window_open,
	.vcpu_want_irq_window = f_want_irq_window,
	.vcpu_inject = f_inject,
	.vcpu_nmi_window_open = f_window_open,
	.vcpu_intercept_iret = f_intercept_iret,
	.vcpu_set_tsc_offset = f_set_tsc_offset,
};

static struct vm_config cfg = { .name = "t", .mem_bytes = 40ULL << 20, .cmdline = "" };

static int setup(void **state)
{
	(void)state;
	pool = aligned_alloc(2ULL << 20, POOL_SIZE);
	assert_non_null(pool);
	palloc_init(&hv_pages);
	assert_true(palloc_add(&hv_pages, (u64)(uintptr_t)pool, (u64)(uintptr_t)pool + POOL_SIZE));
	vmm = &fake_ops;
	memset(&fails, 0, sizeof(fails));
	asids_live = vcpus_live = 0;
	devices_live = 0;
	isolation_checks = 0;
	cfg.mem_bytes = 40ULL << 20;
	cfg.on_crash = VM_ON_CRASH_STOP;
	memset(vms, 0, sizeof(vms));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(pool);
	return 0;
}

static void expect_nothing_held(u64 free_before)
{
	const struct vm zero = { 0 };

	assert_int_equal(hv_pages.free_pages, free_before);
	assert_int_equal(asids_live, 0);
	assert_int_equal(vcpus_live, 0);
	assert_int_equal(devices_live, 0);
	assert_memory_equal(&vms[0], &zero, sizeof(zero));
}

/* Each step fails in turn; every time all pages, the ASID and the vCPU
 * come back, and a VM needing 40 of the 64 MiB then still fits. */
static void test_failed_create_releases_everything(void **state)
{
	u64 free_before = hv_pages.free_pages;
	const char *err = NULL;

	(void)state;
	cfg.mem_bytes = POOL_SIZE + (2ULL << 20); /* RAM: more than the pool holds */
	assert_false(vm_create(&vms[0], &cfg, &err));
	assert_string_equal(err, "not enough free memory for its RAM");
	expect_nothing_held(free_before);
	cfg.mem_bytes = 40ULL << 20;

	bool *steps[] = { &fails.vm_init, &fails.device, &fails.vcpu_init, &fails.load };
	for (unsigned i = 0; i < 4; i++) {
		*steps[i] = true;
		err = NULL;
		assert_false(vm_create(&vms[0], &cfg, &err));
		assert_non_null(err);
		expect_nothing_held(free_before);
		*steps[i] = false;
	}
	assert_true(vm_create(&vms[0], &cfg, &err));
	assert_int_equal(asids_live, 1);
	assert_int_equal(vcpus_live, 1);
	assert_int_equal(devices_live, 2);
	assert_true(vms[0].bus.pio.frozen); /* built: no device can be added */
	assert_true(hv_pages.free_pages < free_before - (40ULL << 20) / 4096);
}

/* The vCPU's neutral state and the backend state the fake shows, compared
 * field by field after a reset with the state right after creation. */
static void test_reset_is_first_start(void **state)
{
	const char *err;
	struct vm *vm = &vms[0];
	struct vcpu *v = &vm->vcpu[0], first;
	struct fake_hw first_hw;

	(void)state;
	assert_true(vm_create(vm, &cfg, &err));
	first = *v;
	first_hw = hw[0];

	/* what a guest run leaves behind */
	for (unsigned i = 0; i < 16; i++)
		v->gpr[i] = 0x1111 * (i + 1);
	v->rip = 0xdead;
	v->rflags = 0x246;
	v->state = VCPU_HALTED;
	v->event = (struct vcpu_event){ true, VCPU_EVENT_EXCEPTION, 14, true, 2, 0x1234 };
	v->nmi_pending = v->nmi_blocked = v->nmi_iret_seen = true;
	v->nmi_iret_rip = 0x4444;
	v->msr_mtrr_def_type = 0;
	v->tsc_aux = 7;
	v->msr_misc_enable = 9;
	v->perf_ctl[2] = 5;
	v->perf_ctr[3] = 6;
	hw[0].g_pat = 0;
	hw[0].cr2 = 0x5555;
	hw[0].vintr = 0x100;
	hw[0].iret_intercept = hw[0].irq_window = true;
	hw[0].injected = v->event;

	assert_int_equal(vm_write(vm, 0x100000, "\x90", 1), GM_OK); /* the guest's own */
	pt_seen.calls = 0;
	dev_resets = 0;
	vm_reset(vm);
	assert_true(vm->reset_pending);
	assert_true(vm_do_reset(vm));
	assert_false(vm->reset_pending);
	/* passthrough quiesced once, RAM not yet wiped, devices not yet reset */
	assert_int_equal(pt_seen.calls, 1);
	assert_int_equal(pt_seen.ram, 0x90);
	assert_int_equal(pt_seen.dev_resets, 0);
	assert_int_equal(dev_resets, 1);

	assert_memory_equal(v->gpr, first.gpr, sizeof(v->gpr));
	assert_int_equal(v->rip, first.rip);
	assert_int_equal(v->rflags, first.rflags);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_false(v->event.pending);
	assert_false(v->nmi_pending);
	assert_false(v->nmi_blocked);
	assert_false(v->nmi_iret_seen);
	assert_int_equal(v->msr_mtrr_def_type, first.msr_mtrr_def_type);
	assert_int_equal(v->msr_mtrr_def_type, 0x806);
	assert_int_equal(v->tsc_aux, first.tsc_aux);
	assert_int_equal(v->msr_misc_enable, first.msr_misc_enable);
	assert_memory_equal(v->perf_ctl, first.perf_ctl, sizeof(v->perf_ctl));
	assert_memory_equal(v->perf_ctr, first.perf_ctr, sizeof(v->perf_ctr));
	assert_ptr_equal(v->irq_ops, first.irq_ops);
	assert_ptr_equal(v->arch, first.arch);

	assert_int_equal(hw[0].page, first_hw.page);
	assert_int_equal(hw[0].g_pat, PAT_POWER_ON);
	assert_int_equal(hw[0].cr2, 0);
	assert_int_equal(hw[0].vintr, 0);
	assert_false(hw[0].iret_intercept);
	assert_false(hw[0].irq_window);
	assert_false(hw[0].injected.pending);
	assert_memory_equal(&hw[0].st, &first_hw.st, sizeof(first_hw.st));
}

/* ---- SDM vol. 3 table 6-5 ---- */
struct merge_case {
	u8 first, second;   /* vectors: first waits for delivery */
	int result;         /* vector delivered, or -1: triple fault */
};

static void test_exception_merging(void **state)
{
	static const struct merge_case cases[] = {
		{ 13, 13, 8 },  /* contributory, contributory: #DF */
		{ 0, 11, 8 },
		{ 14, 14, 8 },  /* #PF, #PF: #DF */
		{ 14, 13, 8 },  /* #PF, contributory: #DF */
		{ 13, 14, 14 }, /* contributory, #PF: serially */
		{ 1, 13, 13 },  /* benign first: serially */
		{ 13, 6, 6 },   /* benign second: serially */
		{ 14, 6, 6 },
		{ 8, 6, 6 },    /* #DF, benign: serially */
		{ 8, 13, -1 },  /* #DF, contributory: triple fault */
		{ 8, 14, -1 },  /* #DF, #PF: triple fault */
	};
	const char *err;
	struct vcpu *v = &vms[0].vcpu[0];

	(void)state;
	assert_true(vm_create(&vms[0], &cfg, &err));
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct merge_case *c = &cases[i];

		vms[0].state = VM_RUNNING;
		v->state = VCPU_RUNNABLE;
		v->event = (struct vcpu_event){ 0 };
		/* the first as the backend re-queues it, the second from an exit */
		v->event = (struct vcpu_event){ true, VCPU_EVENT_EXCEPTION, c->first,
						c->first >= 10, 0x10, 0 };
		vcpu_inject_exception(v, c->second, c->second >= 10, 0x20);
		if (c->result < 0) {
			assert_int_equal(vms[0].state, VM_STOPPED);
			assert_non_null(strstr(vms[0].reason, "triple fault"));
			assert_false(v->event.pending);
			continue;
		}
		assert_int_equal(vms[0].state, VM_RUNNING);
		assert_true(v->event.pending);
		assert_int_equal(v->event.type, VCPU_EVENT_EXCEPTION);
		assert_int_equal(v->event.vector, c->result);
		if (c->result == 8) {
			assert_true(v->event.has_error);
			assert_int_equal(v->event.error, 0);
		} else {
			assert_int_equal(v->event.has_error, c->second >= 10);
			if (v->event.has_error)
				assert_int_equal(v->event.error, 0x20);
		}
	}
	/* an NMI cut short by the exit is delivered after the new exception */
	vms[0].state = VM_RUNNING;
	v->event = (struct vcpu_event){ true, VCPU_EVENT_NMI, 2, false, 0, 0 };
	v->nmi_blocked = true; /* as when it was first injected */
	vcpu_inject_exception(v, 13, true, 0);
	assert_int_equal(v->event.vector, 13);
	assert_true(v->nmi_pending);
	assert_false(v->nmi_blocked);
	/* no event queued: the exception is taken as is */
	v->event = (struct vcpu_event){ 0 };
	vcpu_inject_page_fault(v, 2, 0xbad000);
	assert_int_equal(v->event.vector, 14);
	assert_int_equal(v->event.cr2, 0xbad000);
}

/* ---- NMIs: one at a time, blocked from delivery until after IRET ---- */
static int f_pending(void *dev) { (void)dev; return -1; }
static const struct vcpu_irq_ops fake_irq = { .pending = f_pending };

static void test_nmi_blocked_until_iret(void **state)
{
	const char *err;
	struct vcpu *v = &vms[0].vcpu[0];

	(void)state;
	assert_true(vm_create(&vms[0], &cfg, &err));
	v->irq_ops = &fake_irq;
	vcpu_raise_nmi(v);
	assert_true(vcpu_irq_pending(v));
	vcpu_prepare_entry(v);
	assert_true(hw[0].injected.pending);
	assert_int_equal(hw[0].injected.type, VCPU_EVENT_NMI);
	assert_int_equal(hw[0].injected.vector, 2);
	assert_true(hw[0].iret_intercept);
	assert_true(v->nmi_blocked);
	hw[0].injected.pending = false; /* the CPU took it */

	/* a second NMI while the handler runs waits */
	v->rip = 0x2000;
	vcpu_raise_nmi(v);
	vcpu_prepare_entry(v);
	assert_false(hw[0].injected.pending);
	assert_true(v->nmi_pending);
	assert_false(vcpu_irq_pending(v)); /* blocked: no reason to wake */

	/* the IRET exit comes before the IRET runs: still blocked there */
	v->rip = 0x2100;
	vcpu_nmi_iret(v, v->rip);
	assert_false(hw[0].iret_intercept);
	vcpu_prepare_entry(v);
	assert_false(hw[0].injected.pending);

	/* the next exit at another RIP: the IRET ran, the NMI goes in */
	v->rip = 0x1234;
	vcpu_prepare_entry(v);
	assert_true(hw[0].injected.pending);
	assert_int_equal(hw[0].injected.type, VCPU_EVENT_NMI);
	assert_true(hw[0].iret_intercept);
	assert_false(v->nmi_pending);
}

/* ---- An interrupt offered to the CPU is accepted only once taken ---- */
static int offered_vec, accepted_vec;
static bool in_irr;
static int f_irr_pending(void *dev) { (void)dev; return in_irr ? 0x41 : -1; }
static void f_offer(void *dev, u8 vec) { (void)dev; assert_int_equal(vec, 0x41); in_irr = false; }
static void f_offer_end(void *dev, u8 vec, bool taken)
{
	(void)dev;
	if (taken)
		accepted_vec = vec;
	else
		in_irr = true;
}
static void f_offer_irq(struct vcpu *v, u8 vec) { (void)v; offered_vec = vec; }
static const struct vcpu_irq_ops fake_irr = { .pending = f_irr_pending, .offer = f_offer,
					      .offer_end = f_offer_end };

static void test_offered_irq_accepted_when_taken(void **state)
{
	const char *err;
	struct vcpu *v = &vms[0].vcpu[0];
	struct vmm_ops offer_ops = fake_ops;

	(void)state;
	offer_ops.vcpu_offer_irq = f_offer_irq;
	vmm = &offer_ops;
	offered_vec = accepted_vec = -1;
	in_irr = true;
	assert_true(vm_create(&vms[0], &cfg, &err));
	v->irq_ops = &fake_irr;
	v->rflags = 0x2; /* IF=0: the CPU, not the core, waits for the window */

	vcpu_prepare_entry(v);
	assert_int_equal(offered_vec, 0x41);
	assert_false(hw[0].injected.pending); /* offered, not injected */
	assert_false(hw[0].irq_window);
	assert_false(in_irr); /* in flight */

	/* the exit: the guest did not take it, back to IRR, not to ISR */
	vcpu_irq_offer_end(v, 0x41, false); /* as exit_dispatch does */
	assert_true(in_irr);
	assert_int_equal(accepted_vec, -1);

	/* an exception queued goes in by injection; nothing is offered with it */
	offered_vec = -1;
	v->event = (struct vcpu_event){ .pending = true, .type = VCPU_EVENT_EXCEPTION,
					.vector = 13, .has_error = true };
	vcpu_prepare_entry(v);
	assert_true(hw[0].injected.pending);
	assert_int_equal(hw[0].injected.vector, 13);
	assert_int_equal(offered_vec, -1);
	assert_true(in_irr);

	/* offered again and taken: ISR, nothing left to offer */
	hw[0].injected.pending = false;
	vcpu_prepare_entry(v);
	assert_int_equal(offered_vec, 0x41);
	vcpu_irq_offer_end(v, 0x41, true);
	assert_int_equal(accepted_vec, 0x41);
	offered_vec = -1;
	vcpu_prepare_entry(v);
	assert_int_equal(offered_vec, -1);
	vmm = &fake_ops;
}

/* A VM that ended gives back everything it held, its RAM zeroed where the
 * guest wrote; its record (name, state, reason) stays for the report. */
static void test_release_returns_everything(void **state)
{
	u64 free_before = hv_pages.free_pages, block_hpa;
	const char *err;
	struct vm *vm = &vms[0];
	u8 *ram;

	(void)state;
	assert_true(vm_create(vm, &cfg, &err));
	assert_true(guest_mem_hpa(&vm->mem, 0x100000, &block_hpa));
	ram = (u8 *)(uintptr_t)block_hpa;
	assert_int_equal(ram[0], 0xf4); /* what guest_load wrote */
	vm_crash(vm, "test %d", 1);
	assert_int_equal(vm->state, VM_STOPPED);
	vm_release(vm);
	assert_int_equal(isolation_checks, 1);
	assert_true(vm->released);
	assert_int_equal(ram[0], 0); /* scrubbed before it went back */
	assert_int_equal(hv_pages.free_pages, free_before);
	assert_int_equal(asids_live, 0);
	assert_int_equal(vcpus_live, 0);
	assert_int_equal(devices_live, 0);
	assert_string_equal(vm->name, "t");
	assert_string_equal(vm->reason, "test 1");
	/* the freed RAM is enough for a new VM of the same size */
	assert_true(vm_create(&vms[1], &cfg, &err));
}

/* on_crash restart: a crash becomes a reset (the VM keeps running) until
 * VM_CRASH_LOOP_MAX crashes within the window; the next one stops it. */
static void test_on_crash_restart_until_a_loop(void **state)
{
	const char *err;
	struct vm *vm = &vms[0];

	(void)state;
	cfg.on_crash = VM_ON_CRASH_RESTART;
	assert_true(vm_create(vm, &cfg, &err));
	for (unsigned i = 0; i < VM_CRASH_LOOP_MAX; i++) {
		vm_crash(vm, "panic %u", i);
		assert_int_equal(vm->state, VM_RUNNING);
		assert_true(vm->reset_pending);
		assert_true(vm_do_reset(vm));
		assert_int_equal(vm->vcpu[0].state, VCPU_RUNNABLE);
	}
	vm_crash(vm, "panic again");
	assert_int_equal(vm->state, VM_STOPPED);
	assert_string_equal(vm->reason, "panic again");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failed_create_releases_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_is_first_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exception_merging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nmi_blocked_until_iret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offered_irq_accepted_when_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_returns_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_on_crash_restart_until_a_loop, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
