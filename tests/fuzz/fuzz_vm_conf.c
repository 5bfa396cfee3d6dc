/* libFuzzer target: the VM configuration file parser (hv/core/vm_conf_*.c),
 * the text the hypervisor reads from a boot module at start. Whatever it
 * accepts must be within the limits docs/configuration.md states; whatever
 * it refuses must carry a "FILE:LINE:COL: " message. The first byte picks
 * the machine's free memory and whether module names are looked up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/vm_conf.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const mods[] = {
	"build/guests/ok.elf", "/boot/vmlinuz name=linux quiet", "/boot/initrd.img",
	"a/dup.bin", "b/dup.bin",
};

static void check_vm(const struct vm_conf *c, unsigned i, const struct vm_conf_env *env)
{
	const struct vm_conf_vm *v = &c->vms[i];
	const struct vm_config *cfg = &v->cfg;
	u64 mib = cfg->mem_bytes >> 20;

	if (!memchr(cfg->name, '\0', sizeof(cfg->name)) || !vm_config_valid_name(cfg->name))
		abort();
	for (unsigned k = 0; k < i; k++)
		if (!strcmp(c->vms[k].cfg.name, cfg->name))
			abort();
	if (mib < 2 || mib > VM_MEM_MAX_MIB || (mib & 1) || (cfg->mem_bytes & ((1ULL << 20) - 1)))
		abort();
	if (cfg->nr_vcpus < 1 || cfg->nr_vcpus > VM_MAX_VCPUS || cfg->weight < 1 ||
	    cfg->weight > VM_WEIGHT_MAX || cfg->label_rgb > 0xffffffU)
		abort();
	if (cfg->role > VM_ROLE_SERVICE || cfg->on_crash > VM_ON_CRASH_RESTART)
		abort();
	if (cfg->cmdline != v->cmdline || !memchr(v->cmdline, '\0', sizeof(v->cmdline)) ||
	    !memchr(v->kernel, '\0', sizeof(v->kernel)) || !v->kernel[0])
		abort();
	if (env->check_mods ? v->kernel_mod >= env->nr_mods
			    : v->kernel_mod != VM_CONF_NO_MODULE)
		abort();
	if (v->initrd_mod != VM_CONF_NO_MODULE && v->initrd_mod >= env->nr_mods)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vm_conf conf;
	struct vm_conf_env env = { .file = "fuzz.conf", .mods = mods,
				   .nr_mods = sizeof(mods) / sizeof(mods[0]) };
	u64 total = 0;
	char *text;

	if (size == 0)
		return 0;
	env.free_bytes = (u64)(data[0] & 0x7f) << 24; /* 0 (unchecked) to 2032 MiB */
	env.check_mods = data[0] & 0x80;
	/* a copy of exactly the input, so reads past it are caught */
	text = malloc(size - 1 ? size - 1 : 1);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	if (!vm_conf_parse(text, size - 1, &env, &conf)) {
		if (strncmp(conf.err, "fuzz.conf:", 10) || !memchr(conf.err, '\0', sizeof(conf.err)))
			abort();
		free(text);
		return 0;
	}
	if (conf.nr_vms < 1 || conf.nr_vms > VM_MAX)
		abort();
	for (unsigned i = 0; i < conf.nr_vms; i++) {
		check_vm(&conf, i, &env);
		total += conf.vms[i].cfg.mem_bytes;
	}
	if (env.free_bytes && total > env.free_bytes)
		abort();
	free(text);
	return 0;
}
