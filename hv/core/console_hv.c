/* The hypervisor console (console_hv.h). It runs between a vCPU's exits
 * (console_mux_poll), so a VM it stops or restarts is never inside VMRUN. */
#include <bulkhead/cmdline.h>
#include <bulkhead/console.h>
#include <bulkhead/console_hv.h>
#include <bulkhead/string.h>
#include <bulkhead/vm.h>
#include <bulkhead/vm_lock.h>
#include <bulkhead/vswitch.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_timer.h>

#define LINE_MAX 64

static char line[LINE_MAX];
static u32 len;
/* Exit counts at the last rate measurement, and the rate then. */
static u64 seen_exits[VM_MAX], seen_tsc[VM_MAX], rate[VM_MAX];

static u64 total_exits(const struct vm *vm)
{
	u64 n = 0;

	for (int c = 0; c < EXIT_NR; c++)
		n += vm->exits[c];
	return n;
}

/* One line per VM. exits/s: over the time since the previous list (since
 * the hypervisor started, the first time) when that is 1 s or more, else
 * the previous figure (a few milliseconds give no rate). uptime: since its
 * last (re)boot, from the guest's TSC, which starts near 0 then. A locked
 * VM (vm_lock.h) says so after its exit rate. */
static void list(void)
{
	u64 now = rdtsc(), ms_ticks = tsc_hz / 1000 ? tsc_hz / 1000 : 1;

	printf("  #  name             state    vcpus  memory    uptime    exits/s\n");
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];
		u64 exits = total_exits(vm), ms = (now - seen_tsc[i]) / ms_ticks;

		if (ms >= 1000) {
			/* a VM built again counts from zero */
			rate[i] = exits >= seen_exits[i] ? (exits - seen_exits[i]) * 1000 / ms : 0;
			seen_exits[i] = exits;
			seen_tsc[i] = now;
		}

		printf("  %-2u %-16s %-8s %5u  %4lu MiB  ", i, vm->name, vm_state_name(vm->state),
		       vm->nr_vcpus, vm->cfg ? vm->cfg->mem_bytes >> 20 : 0UL);
		if (vm->state == VM_RUNNING && vm->nr_vcpus) {
			u64 up = (now + vm->vcpu[0].tsc_offset) / (tsc_hz ? tsc_hz : 1);

			printf("%3lu:%02lu:%02lu", up / 3600, up / 60 % 60, up % 60);
		} else {
			printf("%9s", "-");
		}
		printf("  %7lu", rate[i]);
		if (vm_locked(vm))
			printf("  LOCKED (%s)", vm_lock_why(vm));
		else if (vm->state == VM_RUNNING && vm->held_for)
			printf("  WAITING (for %s)", vm->held_for);
		printf("\n");
	}
}

static void help(void)
{
	printf("commands: list | net | start VM | stop VM | restart VM | shutdown VM | focus VM | quit\n"
	       "  VM is a number or a name; stop is a hard stop, shutdown presses the\n"
	       "  VM's ACPI power button (a graceful shutdown by its OS); net prints the\n"
	       "  virtual switch's counters and the frames its policy denied, by pair\n");
}

static void prompt(void)
{
	printf("bulkhead> ");
}

void console_hv_open(void)
{
	len = 0;
	printf("\nbulkhead: hypervisor console; 'help' lists the commands\n");
	list();
	prompt();
}

static struct vm *find_vm(const char *arg)
{
	u64 n;

	if (cmdline_parse_u64(arg, &n) && n < nr_vms)
		return &vms[n];
	for (unsigned i = 0; i < nr_vms; i++)
		if (!strcmp(vms[i].name, arg))
			return &vms[i];
	printf("no VM '%s'\n", arg);
	return NULL;
}

static void power_button(struct vm *vm)
{
	if (!vm_is_running(vm)) {
		printf("vm %s is not running\n", vm->name);
	} else if (!vm->power_button) {
		printf("vm %s has no ACPI power button\n", vm->name);
	} else if (vm->power_button(vm->power_button_dev)) {
		printf("vm %s: power button pressed\n", vm->name);
	} else {
		printf("vm %s: power button pressed, but its OS has not enabled the "
		       "button's event: nothing may happen\n", vm->name);
	}
}

/* Carries out one command line; the result as for console_hv_input. */
static int run(char *cmd)
{
	char *arg = cmd, *end;
	struct vm *vm;

	while (*arg && *arg != ' ')
		arg++;
	end = arg;
	while (*arg == ' ')
		arg++;
	*end = '\0';
	if (!*cmd)
		return CONSOLE_HV_OPEN;
	if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit"))
		return CONSOLE_HV_CLOSE;
	if (!strcmp(cmd, "list")) {
		list();
		return CONSOLE_HV_OPEN;
	}
	if (!strcmp(cmd, "net")) {
		if (!vswitch_report(&vswitch_machine))
			printf("net: no NIC on the virtual switch\n");
		return CONSOLE_HV_OPEN;
	}
	if (!strcmp(cmd, "help") || !*arg) {
		help();
		return CONSOLE_HV_OPEN;
	}
	for (char *p = arg; *p; p++)
		if (*p == ' ')
			*p = '\0'; /* one argument */
	vm = find_vm(arg);
	if (!vm)
		return CONSOLE_HV_OPEN;
	if (!strcmp(cmd, "focus"))
		return (int)vm->id;
	if (vm_locked(vm) && (!strcmp(cmd, "start") || !strcmp(cmd, "restart"))) {
		printf("vm %s is locked (%s): it cannot be started until the hypervisor boots "
		       "again\n", vm->name, vm_lock_why(vm));
		return CONSOLE_HV_OPEN;
	}
	if (!strcmp(cmd, "stop")) {
		if (vm_is_running(vm))
			vm_stop(vm, "hard stop from the hypervisor console");
		else
			printf("vm %s is not running\n", vm->name);
	} else if (!strcmp(cmd, "start")) {
		if (vm_is_running(vm))
			printf("vm %s is running ('restart' boots it again)\n", vm->name);
		else
			vm_restart(vm, "started from the hypervisor console");
	} else if (!strcmp(cmd, "restart")) {
		vm_restart(vm, "restarted from the hypervisor console");
	} else if (!strcmp(cmd, "shutdown")) {
		power_button(vm);
	} else {
		help();
	}
	return CONSOLE_HV_OPEN;
}

int console_hv_input(u8 c)
{
	int r;

	if (c == '\r' || c == '\n') {
		printf("\n");
		line[len] = '\0';
		len = 0;
		r = run(line);
		if (r == CONSOLE_HV_OPEN)
			prompt();
		return r;
	}
	if (c == 0x7f || c == '\b') {
		if (len) {
			len--;
			printf("\b \b");
		}
		return CONSOLE_HV_OPEN;
	}
	if (c >= 0x20 && c < 0x7f && len < LINE_MAX - 1) {
		line[len++] = (char)c;
		console_putc((char)c);
	}
	return CONSOLE_HV_OPEN;
}
