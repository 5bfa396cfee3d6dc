/* VM descriptions, for now taken from boot-module command lines:
 *   "kernel.elf vm=NAME [mem=MiB] [testexit] [testdev] [-- guest cmdline]"
 *   "file vmmod=NAME [words...]"       (a Multiboot module for VM NAME)
 * See guests/README.md. */
#ifndef BULKHEAD_VM_CONFIG_H
#define BULKHEAD_VM_CONFIG_H

#include <bulkhead/vm.h>

#define VM_MEM_DEFAULT_MIB 16
#define VM_MEM_MAX_MIB 1024

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

#endif
