/* Building the VMs described by the boot modules, running them, and
 * reporting how each ended. */
#include <bulkhead/console.h>
#include <bulkhead/hv.h>
#include <bulkhead/isolation.h>
#include <bulkhead/rtc.h>
#include <bulkhead/sched.h>
#include <bulkhead/string.h>
#include <bulkhead/vm_config.h>
#include <bulkhead/vms_boot.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/host_timer.h>
#include <bulkhead/x86/smp.h>

const struct vmm_ops *vmm;
static struct vm_config configs[VM_MAX];

static struct vm_config *find_config(unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(configs[i].name, name))
			return &configs[i];
	return NULL;
}

/* Two passes: kernels first (vm=), then their extra modules (vmmod=). */
static bool collect_configs(const struct boot_info *bi, unsigned *n, const char **err)
{
	*n = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < bi->nr_mods; i++) {
			const struct boot_module *m = &bi->mods[i];
			struct vm_config tmp, *c;
			char name[VM_NAME_MAX];
			const char *rest = "";
			enum vm_module_kind k = vm_config_parse(m->cmdline, &tmp, name, &rest, err);

			if (k == VM_MODULE_NONE && *err)
				return false;
			if (pass == 0 && k == VM_MODULE_KERNEL) {
				if (*n == VM_MAX || find_config(*n, tmp.name)) {
					*err = *n == VM_MAX ? "too many VMs" : "two VMs with one name";
					return false;
				}
				tmp.kernel = (struct vm_module){ m->start, m->end - m->start, m->cmdline };
				configs[(*n)++] = tmp;
			} else if (pass == 1 && k == VM_MODULE_EXTRA) {
				if (!(c = find_config(*n, name)) || c->nr_mods == VM_MAX_MODS) {
					*err = c ? "too many modules for one VM" : "vmmod= names no VM";
					return false;
				}
				c->mods[c->nr_mods++] = (struct vm_module){ m->start, m->end - m->start, rest };
			}
		}
	}
	return true;
}

/* Guests' CMOS clocks start from the machine's, read once here. */
static void set_wall_clock(void)
{
	u64 unix_seconds;

	if (host_rtc_read(&unix_seconds)) {
		rtc_set_host_clock((s64)unix_seconds, rdtsc());
		printf("rtc: host clock read, %lu s since 1970\n", unix_seconds);
	} else {
		printf("rtc: host CMOS clock unreadable; guests start at 1970\n");
	}
}

void vms_boot(const struct boot_info *bi)
{
	const char *err;
	unsigned n;

	if (!collect_configs(bi, &n, &err)) {
		printf("vms: bad VM description: %s\n", err);
		hv_stop(HV_FAIL);
	}
	if (n == 0)
		return;
	if (!vmm->cpu_enable(&err) || !host_timer_init(&err)) {
		printf("vms: cannot run VMs: %s\n", err);
		hv_stop(HV_FAIL);
	}
	smp_start_cpus(bi, &host_acpi);
	set_wall_clock();
	for (unsigned i = 0; i < n; i++) {
		struct vm *vm = &vms[nr_vms];

		if (!vm_create(vm, &configs[i], &err)) {
			printf("vm %s: not started: %s\n", configs[i].name, err);
			continue; /* the others still run */
		}
		nr_vms++;
		printf("vm %s: %lu MiB, %u module(s), started\n", vm->name, vm->mem.size >> 20,
		       configs[i].nr_mods);
	}
	isolation_check_all("at start");
	sched_run();
	vm_report_all();
	isolation_check_all("at the end");
	hv_stop(vm_all_passed() && nr_vms == n ? HV_PASS : HV_FAIL);
}
