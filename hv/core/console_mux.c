/* Physical console input, routed to the focused VM, and the hotkeys (see
 * console_mux.h). */
#include <bulkhead/cmdline.h>
#include <bulkhead/console.h>
#include <bulkhead/console_focus.h>
#include <bulkhead/console_hv.h>
#include <bulkhead/console_mux.h>
#include <bulkhead/display.h>
#include <bulkhead/sched.h>
#include <bulkhead/string.h>
#include <bulkhead/vm.h>
#include <bulkhead/vm_lock.h>
#include <bulkhead/x86/uart.h>

#define ESCAPE 0x1d /* Ctrl-] */
#define MAX_BYTES_PER_POLL 64

enum input_to { TO_VM, TO_MENU, TO_HV_CONSOLE };

static unsigned focus;
static bool escape_seen;
static enum input_to input_to = TO_VM;

bool console_mux_init(const char *cmdline, const char **err)
{
	char mode[8];

	if (!cmdline_get(cmdline, "console", mode, sizeof(mode)) || !strcmp(mode, "log"))
		return true;
	if (strcmp(mode, "focus")) {
		*err = "console= takes 'log' or 'focus'";
		return false;
	}
	console_focus_enable();
	printf("console: focus mode: one VM at a time; Ctrl-] m: menu, Ctrl-] N: VM N, "
	       "Ctrl-] c: hypervisor console\n");
	return true;
}

void console_mux_output(struct vm *vm, u8 c)
{
	console_focus_output(vm, c); /* nothing in log mode: lines come from the UART */
}

/* The VM that receives input. Log mode: the first running VM from the
 * focus on. Focus mode: the one shown, only while it runs (input never
 * goes to a VM the person cannot see). */
static struct vm *focused(void)
{
	if (console_focus_enabled())
		return focus < nr_vms && vm_is_running(&vms[focus]) && vms[focus].console_input ?
			       &vms[focus] : NULL;
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[(focus + i) % nr_vms];
		if (vm_is_running(vm) && vm->console_input) {
			focus = (focus + i) % nr_vms;
			sched_set_focus(vm);
			return vm;
		}
	}
	return NULL;
}

/* Ctrl-] d: for diagnosing a guest that seems stuck, or seeing where a
 * guest's exits go: its state, then its exit and device counts so far. */
static void dump_vms(void)
{
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];
		struct vcpu *v = &vm->vcpu[0];
		int pending = v->irq_ops ? v->irq_ops->pending(v->irq_dev) : -1;
		u64 exits = 0;

		for (int c = 0; c < EXIT_NR; c++)
			exits += vm->exits[c];
		printf("console: vm %s: %s, vcpu %s, rip %#lx, rflags %#lx, irq pending %d, "
		       "next timer %#lx, %lu exits\n", vm->name, vm_is_running(vm) ? "running" : "ended",
		       v->state == VCPU_RUNNABLE ? "runnable" : v->state == VCPU_HALTED ? "halted" : "stopped",
		       v->rip, v->rflags, pending,
		       v->irq_ops ? v->irq_ops->next_deadline(v->irq_dev) : ~0UL, exits);
		vm_print_exits(vm);
	}
}

static void set_focus(unsigned i)
{
	focus = i;
	input_to = TO_VM;
	display_focus(&vms[i]); /* the screen shows the same VM */
	if (console_focus_enabled())
		console_focus_show(&vms[i]);
	else
		printf("console: input goes to vm %s\n", vms[i].name);
}

void console_mux_focus_next(void)
{
	if (nr_vms)
		set_focus((focus + 1) % nr_vms);
}

void console_mux_focus(unsigned i)
{
	if (i < nr_vms)
		set_focus(i);
}

/* Back to the focused VM after the menu or the hypervisor console. */
static void resume(void)
{
	input_to = TO_VM;
	if (console_focus_enabled() && focus < nr_vms)
		console_focus_show(&vms[focus]);
}

static void menu(void)
{
	console_focus_hide();
	input_to = TO_MENU;
	printf("\nconsole: VMs (a digit gives the focus, any other key goes back):\n");
	for (unsigned i = 0; i < nr_vms; i++)
		printf("  %u  %s%s\n", i, vms[i].name, vm_is_running(&vms[i]) ? "" : " (not running)");
}

static void hotkey(u8 c)
{
	if (c >= '0' && c <= '9' && (unsigned)(c - '0') < nr_vms) {
		set_focus((unsigned)(c - '0'));
	} else if (c == 'm') {
		menu();
	} else if (c == 'c') {
		console_focus_hide();
		input_to = TO_HV_CONSOLE;
		console_hv_open();
	} else if (c == 'd') {
		dump_vms();
	}
}

static void deliver(u8 c)
{
	struct vm *vm;
	int r;

	switch (input_to) {
	case TO_MENU:
		if (c >= '0' && c <= '9' && (unsigned)(c - '0') < nr_vms)
			set_focus((unsigned)(c - '0'));
		else
			resume();
		return;
	case TO_HV_CONSOLE:
		r = console_hv_input(c);
		if (r >= 0)
			set_focus((unsigned)r);
		else if (r == CONSOLE_HV_CLOSE)
			resume();
		return;
	case TO_VM:
		vm = focused();
		if (vm && !vm_locked(vm)) /* a locked VM's keys are dropped */
			vm->console_input(vm->console_dev, c);
		return;
	}
}

void console_mux_poll(void)
{
	static bool shown;

	if (!shown && console_focus_enabled() && nr_vms) {
		shown = true; /* the first VM's output so far is replayed */
		set_focus(0);
	} else if (!shown && nr_vms) {
		shown = true; /* log mode: the screen starts with the first VM */
		display_focus(&vms[0]);
	}
	display_poll();
	/* Each poll: a partial line that stopped growing a while ago is a
	 * prompt (console_partial.h); one still being written waits. */
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i].console_flush)
			vms[i].console_flush(vms[i].console_dev, false);
	for (int n = 0; n < MAX_BYTES_PER_POLL; n++) {
		struct vm *vm = input_to == TO_VM ? focused() : NULL;
		int c;

		/* Leave input in the physical UART while the guest's FIFO is
		 * full: a serial line has flow control, nothing is dropped.
		 * A locked VM (vm_lock.h) never drains it: its keys are dropped
		 * instead, so Ctrl-] still reaches the hypervisor. */
		if (vm && !vm_locked(vm) && vm->console_room &&
		    vm->console_room(vm->console_dev) == 0)
			return;
		c = uart_getc(COM1_PORT);
		if (c < 0)
			return;
		if (escape_seen) {
			escape_seen = false;
			if (c == ESCAPE)
				deliver((u8)c); /* Ctrl-] Ctrl-]: one Ctrl-] for the guest */
			else
				hotkey((u8)c);
			continue;
		}
		if (c == ESCAPE) {
			if (input_to == TO_VM)
				escape_seen = true;
			else
				resume(); /* Ctrl-] leaves the menu or the hypervisor console */
			continue;
		}
		deliver((u8)c);
	}
}
