/* Building the VMs described by the configuration file (a boot module,
 * docs/configuration.md) or by vm=/vmmod= module words, running them, and
 * reporting how each ended. */
#include <bulkhead/cmdline.h>
#include <bulkhead/console.h>
#include <bulkhead/hv.h>
#include <bulkhead/isolation.h>
#include <bulkhead/mm.h>
#include <bulkhead/rtc.h>
#include <bulkhead/sched.h>
#include <bulkhead/string.h>
#include <bulkhead/vm_conf.h>
#include <bulkhead/vms_boot.h>
#include <bulkhead/vmm.h>
#include <bulkhead/vswitch.h>
#include <bulkhead/x86/host_timer.h>
#include <bulkhead/x86/smp.h>

#define CONFIG_DEFAULT_NAME "vms.conf"

const struct vmm_ops *vmm;
static struct vm_config configs[VM_MAX];
static struct vm_conf conf; /* holds the guests' command lines configs[] point to */

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

/* The configuration module: the one config=NAME on the hypervisor command
 * line names, else the one named vms.conf; NULL without either. A module
 * is named by its name= word or its file name (vm_conf_module_name). */
static const struct boot_module *find_config_module(const struct boot_info *bi, const char **err)
{
	char want[VM_CONF_MODNAME_MAX], name[VM_CONF_MODNAME_MAX];
	bool named = cmdline_get(bi->cmdline, "config", want, sizeof(want));
	const struct boot_module *found = NULL;

	if (!named)
		memcpy(want, CONFIG_DEFAULT_NAME, sizeof(CONFIG_DEFAULT_NAME));
	*err = NULL;
	for (unsigned i = 0; i < bi->nr_mods; i++) {
		if (!vm_conf_module_name(bi->mods[i].cmdline, name, sizeof(name)) || strcmp(name, want))
			continue;
		if (found) {
			*err = "two boot modules have the configuration's name";
			return NULL;
		}
		found = &bi->mods[i];
	}
	if (named && !found)
		*err = "config= names no boot module";
	return found;
}

/* Any module with a vm= or vmmod= word (the shorthand). */
static bool has_shorthand(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->nr_mods; i++) {
		struct vm_config tmp;
		char name[VM_NAME_MAX];
		const char *rest, *err;

		if (vm_config_parse(bi->mods[i].cmdline, &tmp, name, &rest, &err) != VM_MODULE_NONE ||
		    err)
			return true;
	}
	return false;
}

static struct vm_module module_of(const struct boot_module *m, const char *cmdline)
{
	return (struct vm_module){ m->start, m->end - m->start, cmdline };
}

/* The VMs of the configuration file cm; false after printing the parser's
 * "FILE:LINE:COL: ..." message. Memory is checked against what is free
 * now: the VMs' RAM only, their page tables and state come on top. */
static bool collect_from_file(const struct boot_info *bi, const struct boot_module *cm,
			      unsigned *n)
{
	static const char *mods[BOOT_MAX_MODULES];
	static char file[VM_CONF_MODNAME_MAX];
	struct vm_conf_env env = { file, hv_pages.free_pages << PAGE_SHIFT, mods, bi->nr_mods, true };

	if (!vm_conf_module_name(cm->cmdline, file, sizeof(file)))
		return false; /* found by this name: cannot happen */
	for (unsigned i = 0; i < bi->nr_mods; i++)
		mods[i] = bi->mods[i].cmdline;
	if (!vm_conf_parse(phys_to_virt(cm->start), cm->end - cm->start, &env, &conf)) {
		printf("%s\n", conf.err);
		return false;
	}
	for (unsigned i = 0; i < conf.nr_vms; i++) {
		const struct vm_conf_vm *v = &conf.vms[i];
		const struct boot_module *k = &bi->mods[v->kernel_mod];

		configs[i] = v->cfg;
		configs[i].kernel = module_of(k, k->cmdline);
		if (v->initrd_mod != VM_CONF_NO_MODULE) {
			const struct boot_module *r = &bi->mods[v->initrd_mod];
			configs[i].mods[configs[i].nr_mods++] = module_of(r, vm_conf_module_args(r->cmdline));
		}
		for (unsigned d = 0; d < v->cfg.nr_disks; d++) {
			const struct boot_module *dm;

			if (v->disk_mod[d] == VM_CONF_NO_MODULE)
				continue; /* served by the service VM */
			dm = &bi->mods[v->disk_mod[d]];
			configs[i].disks[d].image = module_of(dm, dm->cmdline);
		}
	}
	*n = conf.nr_vms;
	vswitch_init(&vswitch_machine, &conf.net);
	printf("vms: configuration %s: %u VM(s)\n", file, *n);
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

/* The k-th VM to start: the service VM, then the others in file order. */
static unsigned start_order(unsigned k, unsigned n)
{
	unsigned svc = n;

	for (unsigned i = 0; i < n; i++)
		if (configs[i].role == VM_ROLE_SERVICE)
			svc = i;
	if (svc == n)
		return k;
	if (k == 0)
		return svc;
	return k <= svc ? k - 1 : k;
}

/* Nothing starts when the description of any VM is bad. */
static __noreturn void refuse(const char *why)
{
	if (why)
		printf("vms: bad VM description: %s\n", why);
	printf("vms: configuration refused, no VM started\n");
	hv_stop(HV_FAIL);
}

void vms_boot(const struct boot_info *bi)
{
	const char *err;
	const struct boot_module *cm = find_config_module(bi, &err);
	unsigned n, wanted = 0;

	if (err)
		refuse(err);
	if (cm && has_shorthand(bi))
		refuse("a configuration file and vm=/vmmod= module words: give one or the other");
	if (cm && !collect_from_file(bi, cm, &n))
		refuse(NULL); /* the parser's message is printed */
	if (!cm && !collect_configs(bi, &n, &err))
		refuse(err);
	for (unsigned i = 0; i < n; i++)
		wanted += configs[i].autostart;
	if (wanted == 0)
		return;
	if (!vmm->cpu_enable(&err) || !host_timer_init(&err)) {
		printf("vms: cannot run VMs: %s\n", err);
		hv_stop(HV_FAIL);
	}
	smp_start_cpus(bi, &host_acpi);
	set_wall_clock();
	/* The service VM (at most one) first: its ring exists before the
	 * disks it serves. */
	for (unsigned k = 0; k < n; k++) {
		unsigned i = start_order(k, n);
		const struct vm_config *c = &configs[i];
		struct vm *vm = &vms[nr_vms];

		if (cm)
			printf("vm %s: role %s, label #%06x, %u vCPU(s) configured, on_crash %s, "
			       "autostart %s, weight %u\n",
			       c->name, vm_role_name(c->role), c->label_rgb, c->nr_vcpus,
			       c->on_crash == VM_ON_CRASH_RESTART ? "restart" : "stop",
			       c->autostart ? "yes" : "no", c->weight);
		if (!c->autostart)
			continue;
		if (!vm_create(vm, c, &err)) {
			printf("vm %s: not started: %s\n", c->name, err);
			continue; /* the others still run */
		}
		nr_vms++;
		if (vm->held_for)
			printf("vm %s: %lu MiB, %u module(s), built; waits for %s\n", vm->name,
			       vm->mem.size >> 20, c->nr_mods, vm->held_for);
		else
			printf("vm %s: %lu MiB, %u module(s), started\n", vm->name,
			       vm->mem.size >> 20, c->nr_mods);
	}
	isolation_check_all("at start");
	sched_run();
	vm_report_all();
	smp_report_late();
	vswitch_report(&vswitch_machine);
	isolation_check_all("at the end");
	hv_stop(vm_all_passed() && nr_vms == wanted ? HV_PASS : HV_FAIL);
}
