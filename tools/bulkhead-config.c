/* bulkhead-config: checks a machine's VM configuration file on the host
 * with the parser the hypervisor runs at boot (hv/core/vm_conf_*.c), so a
 * bad file gives the same "FILE:LINE:COL: ..." message here as on the
 * serial console. Format: docs/configuration.md.
 *
 *   bulkhead-config check [--mem MIB] [--module "FILE ARGS"]... FILE
 *
 * --mem: the machine's free memory for VMs (without it, the VMs' total is
 * not checked). --module: a boot module's command line as the boot loader
 * gets it (repeat for each); without any, kernel and initrd names are
 * checked for form only. Exit status: 0 good, 1 refused, 2 usage or I/O. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/vm_conf.h>

#define FILE_MAX (1U << 20)

static int usage(void)
{
	fprintf(stderr, "usage: bulkhead-config check [--mem MIB] [--module \"FILE ARGS\"]... FILE\n");
	return 2;
}

/* The whole file, at most FILE_MAX bytes; NULL with a message. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(FILE_MAX + 1);

	if (!f || !buf) {
		fprintf(stderr, "bulkhead-config: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	*len = fread(buf, 1, FILE_MAX + 1, f);
	if (ferror(f) || *len > FILE_MAX) {
		fprintf(stderr, "bulkhead-config: %s: %s\n", path,
			ferror(f) ? "read error" : "larger than 1 MiB");
		goto fail;
	}
	fclose(f);
	return buf;
fail:
	if (f)
		fclose(f);
	free(buf);
	return NULL;
}

static void print_vm(const struct vm_conf_vm *v)
{
	const struct vm_config *c = &v->cfg;

	printf("  %-15s %-10s #%06x %4lu MiB %u vCPU(s) kernel %s%s%s%s%s, on_crash %s, "
	       "autostart %s, weight %u\n",
	       c->name, vm_role_name(c->role), c->label_rgb, (unsigned long)(c->mem_bytes >> 20),
	       c->nr_vcpus, v->kernel, v->initrd[0] ? " initrd " : "", v->initrd,
	       c->testexit ? " +testexit" : "", c->testdev ? " +testdev" : "",
	       c->on_crash == VM_ON_CRASH_RESTART ? "restart" : "stop", c->autostart ? "yes" : "no",
	       c->weight);
	for (unsigned d = 0; d < c->nr_disks; d++)
		printf("    disk %u: %s (%s)\n", d, v->disk[d],
		       c->disks[d].read_only ? "read-only" : "writable");
	if (c->vconsole || c->rng)
		printf("    %s%s\n", c->vconsole ? "virtio console (hvc0) " : "", c->rng ? "virtio-rng" : "");
}

/* The switch's endpoints with their MACs and the pairs allowed. */
static void print_network(const struct vs_policy *pol)
{
	printf("network: %u endpoint(s), nothing reaches anything unless allowed\n", pol->nr);
	for (unsigned i = 0; i < pol->nr; i++) {
		const u8 *m = pol->ep[i].mac;
		if (pol->ep[i].uplink)
			printf("  %-15s (the uplink port)\n", pol->ep[i].name);
		else
			printf("  %-15s nic %02x:%02x:%02x:%02x:%02x:%02x\n", pol->ep[i].name, m[0], m[1],
			       m[2], m[3], m[4], m[5]);
	}
	for (unsigned i = 0; i < pol->nr; i++)
		for (unsigned j = i + 1; j < pol->nr; j++)
			if (vs_policy_allowed(pol, i, j))
				printf("  allow %s %s\n", pol->ep[i].name, pol->ep[j].name);
}

int main(int argc, char **argv)
{
	static const char *mods[64];
	static struct vm_conf conf;
	struct vm_conf_env env = { .mods = mods };
	const char *path;
	size_t len;
	char *text;
	int i;
	bool ok;

	if (argc < 3 || strcmp(argv[1], "check"))
		return usage();
	for (i = 2; i < argc - 1; i += 2) {
		char *end;

		if (!strcmp(argv[i], "--mem") && i + 1 < argc - 1) {
			unsigned long long mib = strtoull(argv[i + 1], &end, 10);
			if (!*argv[i + 1] || *end || mib == 0 || mib > (~0ULL >> 20))
				return usage();
			env.free_bytes = (u64)mib << 20;
		} else if (!strcmp(argv[i], "--module") && i + 1 < argc - 1) {
			if (env.nr_mods == sizeof(mods) / sizeof(mods[0]))
				return usage();
			mods[env.nr_mods++] = argv[i + 1];
			env.check_mods = true;
		} else {
			return usage();
		}
	}
	if (i != argc - 1)
		return usage();
	path = argv[i];
	/* named as the hypervisor names it: by its file name, the name of a
	 * boot module without a name= word */
	env.file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	text = read_file(path, &len);
	if (!text)
		return 2;
	ok = vm_conf_parse(text, len, &env, &conf);
	free(text);
	if (!ok) {
		fprintf(stderr, "%s\n", conf.err);
		return 1;
	}
	printf("%s: %u VM(s)%s%s\n", env.file, conf.nr_vms,
	       env.free_bytes ? "" : " (memory not checked: no --mem)",
	       env.check_mods ? "" : " (module names not looked up: no --module)");
	for (unsigned k = 0; k < conf.nr_vms; k++)
		print_vm(&conf.vms[k]);
	print_network(&conf.net);
	return 0;
}
