/* Physical console input, routed to the focused VM (see console_mux.h). */
#include <bulkhead/console.h>
#include <bulkhead/console_mux.h>
#include <bulkhead/sched.h>
#include <bulkhead/vm.h>
#include <bulkhead/x86/uart.h>

#define ESCAPE 0x1d /* Ctrl-] */
#define MAX_BYTES_PER_POLL 64

static unsigned focus;
static bool escape_seen;

static struct vm *focused(void)
{
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

static void switch_focus(int c)
{
	if (c == 'd') {
		dump_vms();
		return;
	}
	if (c >= '0' && c <= '9' && (unsigned)(c - '0') < nr_vms) {
		focus = (unsigned)(c - '0');
		printf("console: input goes to vm %s\n", vms[focus].name);
	}
}

void console_mux_poll(void)
{
	/* Once a tick: a partial line that waited this long is a prompt. */
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i].console_flush)
			vms[i].console_flush(vms[i].console_dev);
	for (int n = 0; n < MAX_BYTES_PER_POLL; n++) {
		struct vm *vm = focused();
		int c;

		/* Leave input in the physical UART while the guest's FIFO is
		 * full: a serial line has flow control, nothing is dropped. */
		if (vm && vm->console_room && vm->console_room(vm->console_dev) == 0)
			return;
		c = uart_getc(COM1_PORT);
		if (c < 0)
			return;
		if (escape_seen) {
			escape_seen = false;
			switch_focus(c);
			continue;
		}
		if (c == ESCAPE) {
			escape_seen = true;
			continue;
		}
		if (vm)
			vm->console_input(vm->console_dev, (u8)c);
	}
}
