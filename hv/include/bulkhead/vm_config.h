/* VM descriptions taken from boot-module command lines, the shorthand for
 * tests (the configuration file is vm_conf.h, docs/configuration.md):
 *   "kernel.elf vm=NAME [mem=MiB] [testexit] [testdev] [-- guest cmdline]"
 *   "file vmmod=NAME [words...]"       (a Multiboot module for VM NAME)
 * See guests/README.md. */
#ifndef BULKHEAD_VM_CONFIG_H
#define BULKHEAD_VM_CONFIG_H

#include <bulkhead/vm.h>

#define VM_MEM_DEFAULT_MIB 16
#define VM_MEM_MAX_MIB 1024
#define VM_WEIGHT_DEFAULT 100
#define VM_WEIGHT_MAX 10000

enum vm_module_kind {
	VM_MODULE_NONE,   /* not for a VM */
	VM_MODULE_KERNEL, /* a vm=NAME word */
	VM_MODULE_EXTRA,  /* a vmmod=NAME word */
};

/* Classifies a module by its command line and, for a kernel, fills cfg
 * (name, memory, switches, guest command line pointing into cmdline). For
 * an extra module, copies the VM name into name[VM_NAME_MAX] and sets
 * *rest to the words after vmmod=NAME. */
enum vm_module_kind vm_config_parse(const char *cmdline, struct vm_config *cfg, char *name,
				    const char **rest, const char **err);

/* Zeroes cfg, then the defaults both forms share: 16 MiB, role personal
 * with its label colour, 1 vCPU, on_crash stop, autostart, weight 100, an
 * empty guest command line. */
void vm_config_defaults(struct vm_config *cfg);
/* A VM name: 1-15 letters, digits, '-' or '_'. */
bool vm_config_valid_name(const char *s);
/* "work", "personal", "disposable" or "service". */
const char *vm_role_name(enum vm_role role);
/* A role's label colour (0xRRGGBB) when the configuration names none. */
u32 vm_role_label(enum vm_role role);

#endif
