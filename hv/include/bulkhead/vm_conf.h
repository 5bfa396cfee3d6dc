/* The machine's VM configuration file (docs/configuration.md). Pure logic,
 * no allocation: the same source runs in the hypervisor, the host tool
 * tools/bulkhead-config, a unit test and a fuzz target. Parsing stops at the
 * first error, described as "FILE:LINE:COL: what was expected". */
#ifndef BULKHEAD_VM_CONF_H
#define BULKHEAD_VM_CONF_H

#include <bulkhead/vm_config.h>
#include <bulkhead/vswitch.h>

#define VM_CONF_CMDLINE_MAX 1024 /* a guest command line, with its NUL */
#define VM_CONF_MODNAME_MAX 64   /* a boot module's name, with its NUL */
#define VM_CONF_ERR_MAX 256
#define VM_CONF_NO_MODULE (~0U)

/* What the file is checked against. */
struct vm_conf_env {
	const char *file;      /* the name messages give */
	/* Memory the VMs may have together, in bytes; 0: not checked. */
	u64 free_bytes;
	/* The boot modules' command lines, to look up kernel and initrd names;
	 * with check_mods false, names are not looked up (host tool without
	 * a module list). */
	const char *const *mods;
	unsigned nr_mods;
	bool check_mods;
};

struct vm_conf_vm {
	/* name, memory, devices, role, label, vCPUs, on_crash, autostart and
	 * weight; cmdline points at the cmdline below. kernel and mods are
	 * left to the caller, who has the modules' addresses. */
	struct vm_config cfg;
	unsigned kernel_mod, initrd_mod; /* index in env->mods or VM_CONF_NO_MODULE */
	char kernel[VM_CONF_MODNAME_MAX], initrd[VM_CONF_MODNAME_MAX]; /* as written */
	char cmdline[VM_CONF_CMDLINE_MAX];
	/* disks (cfg.nr_disks, cfg.disks[].read_only): their modules */
	unsigned disk_mod[VM_MAX_DISKS];
	char disk[VM_MAX_DISKS][VM_CONF_MODNAME_MAX];
	u32 line; /* of its [vm NAME] header */
};

struct vm_conf {
	struct vm_conf_vm vms[VM_MAX];
	unsigned nr_vms;
	/* The virtual switch's endpoints (the VMs with a NIC, in file order,
	 * then the uplink) and the pairs the [network] section allows. */
	struct vs_policy net;
	char err[VM_CONF_ERR_MAX]; /* the message when parsing failed */
};

/* Parses text[0..len) (no NUL needed) into out. False with out->err set on
 * the first error; out is then not a configuration to use. Not reentrant:
 * the parser's state (1 KiB for a value) is static, off the small stacks. */
bool __must_check vm_conf_parse(const char *text, size_t len, const struct vm_conf_env *env,
				struct vm_conf *out);

/* A boot module's name: the value of its name= word if it has one, else
 * the last '/'-separated part of its first word. False (name "") when that
 * is empty or does not fit in size. */
bool vm_conf_module_name(const char *cmdline, char *name, size_t size);
/* The words after a boot module's first word (its arguments), or "". */
const char *vm_conf_module_args(const char *cmdline);

#endif
