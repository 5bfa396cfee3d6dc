/* Bulkhead's C entry: bring up the boot services, report the machine, and
 * either run the self-tests or stop. One line per subsystem. */
#include <bulkhead/acpi.h>
#include <bulkhead/boot_info.h>
#include <bulkhead/cmdline.h>
#include <bulkhead/console.h>
#include <bulkhead/console_mux.h>
#include <bulkhead/display.h>
#include <bulkhead/format.h>
#include <bulkhead/hv.h>
#include <bulkhead/iommu.h>
#include <bulkhead/layout.h>
#include <bulkhead/mm.h>
#include <bulkhead/percpu.h>
#include <bulkhead/selftest.h>
#include <bulkhead/vmm.h>
#include <bulkhead/version.h> /* generated: hv/hv.mk */
#include <bulkhead/vms_boot.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/cpu_features.h>
#include <bulkhead/x86/host_pci.h>
#include <bulkhead/x86/trap.h>

void hv_main(u32 magic, u32 info);

extern const u8 __image_start[], __image_end[];

/* The identity-mapped low 4 GiB, less page 0: where loaders and firmware
 * put their data. */
static const struct phys_view low_memory = {
	.base = (const u8 *)(uintptr_t)PAGE_SIZE,
	.start = PAGE_SIZE,
	.size = GiB(4) - PAGE_SIZE,
};

static struct boot_info boot;

static void setup_exit_port(const char *cmdline)
{
	char val[24];
	u64 port;

	if (!cmdline_get(cmdline, "exit_port", val, sizeof(val)))
		return;
	if (!cmdline_parse_u64(val, &port) || port == 0 || port > 0xffff) {
		printf("boot: ignoring bad exit_port=%s\n", val);
		return;
	}
	hv_set_exit_port((u16)port);
}

/* The parsers read the command line first, so even a boot that fails on a
 * later part of the loader's data honours exit_port. */
static void boot_fail(const char *what, const char *err)
{
	printf("%s: %s\n", what, err);
	if (boot.cmdline)
		setup_exit_port(boot.cmdline);
	hv_stop(HV_FAIL);
}

/* Which firmware booted us and which of the loader's structures we used. */
static void report_boot_sources(void)
{
	static const char *const fb_kind[] = { " indexed", "", " EGA text" };
	const struct boot_fb *fb = &boot.fb;
	char fbs[80] = "no framebuffer";

	if (boot.has_fb)
		fmt_snprintf(fbs, sizeof(fbs), "framebuffer %ux%ux%u%s at %#lx", fb->width,
			     fb->height, fb->bpp, fb_kind[fb->type], fb->addr);
	printf("boot: %s (%s), mmap from %s, ACPI from %s, %s\n", boot.loader,
	       boot.efi ? "EFI" : "BIOS", boot.mmap_from,
	       boot.rsdp_from ? boot.rsdp_from : boot.efi ? "no tag" : "BIOS-area search", fbs);
}

static void report_memory(void)
{
	u64 usable = 0;

	for (unsigned i = 0; i < boot.nr_mem; i++)
		if (boot.mem[i].type == MEM_USABLE)
			usable += boot.mem[i].end - boot.mem[i].start;
	printf("memory: %lu MiB usable in %u map entries, %lu MiB free for VMs, image %lu KiB\n",
	       usable >> 20, boot.nr_mem, hv_pages.free_pages >> 8,
	       (u64)(__image_end - __image_start) >> 10);
}

static void report_modules(void)
{
	printf("modules: %u\n", boot.nr_mods);
	for (unsigned i = 0; i < boot.nr_mods; i++) {
		const struct boot_module *m = &boot.mods[i];
		printf("module %u: %#lx-%#lx (%lu KiB) '%s'\n", i, m->start, m->end,
		       (m->end - m->start + 1023) >> 10, m->cmdline);
	}
}

struct acpi_info host_acpi;

static void report_acpi(void)
{
	struct acpi_info ai;
	const char *err;

	/* A UEFI machine has no BIOS data area or EBDA to search. */
	if (boot.efi && !boot.rsdp) {
		printf("acpi: the EFI loader gave no ACPI tag; assuming 1 CPU\n");
		return;
	}
	if (!acpi_read(&low_memory, boot.rsdp, boot.rsdp_len, &ai, &err)) {
		printf("%s; assuming 1 CPU\n", err);
		return;
	}
	printf("acpi: rsdp rev %u%s, %u CPUs in MADT, %u IOAPIC(s), LAPIC at %#x\n",
	       ai.revision, boot.rsdp ? " (from loader)" : "", ai.nr_cpus, ai.nr_ioapics,
	       ai.lapic_base);
	host_acpi = ai;
}

/* The one choice of backend (the vendor ops table, vmm.h), from what CPUID
 * and the VMX capability MSRs say; none where neither backend can run. */
static void choose_backend(void)
{
	const char *why = NULL;

	switch (cpu_virt_kind(&boot_cpu, &why)) {
	case VIRT_SVM:
		vmm = &svm_ops;
		printf("virt: AMD SVM with NPT available, backend svm\n");
		break;
	case VIRT_VMX:
		vmm = &vmx_ops;
		printf("virt: Intel VMX with EPT and unrestricted guest available, backend vmx\n");
		break;
	case VIRT_NONE:
		vmm = NULL;
		printf("virt: %s\n", why);
		break;
	}
}

void hv_main(u32 magic, u32 info)
{
	const char *err;
	char mode[32];
	u64 fb_start, fb_end; /* the screen's framebuffer, mapped uncacheable */

	console_init();
	printf("\nBulkhead hypervisor, booting (%s)\n", BULKHEAD_VERSION);
	desc_init();
	percpu_init_this(&cpus[0], 0, cpuid_initial_apic_id());
	cpus[0].online = true;
	nr_cpus_online = 1;
	if (!boot_info_parse(&low_memory, magic, info, (u64)(uintptr_t)__image_start,
			     (u64)(uintptr_t)__image_end, &boot, &err))
		boot_fail("boot", err);
	setup_exit_port(boot.cmdline);
	printf("boot: %s, command line '%s'\n", boot.loader, boot.cmdline);
	report_boot_sources();

	cpu_features_read(&boot_cpu);
	if (!mm_init(&boot, &err))
		boot_fail("memory", err);
	if (!display_find(&boot, &fb_start, &fb_end))
		fb_start = fb_end = 0;
	if (!hv_paging_init(&boot, boot_cpu.gbpages, fb_start, fb_end, &err))
		boot_fail("paging", err);
	report_memory();
	printf("paging: own tables at %#lx, %lu table pages, W^X, %u guarded stacks per CPU\n",
	       hv_pt.root, hv_pt.nr_tables, (unsigned)HV_NR_STACKS);
	cpu_features_report(&boot_cpu);
	report_acpi();
	host_pci_init(&host_acpi);
	iommu_init(&host_acpi, &low_memory);
	report_modules();
	choose_backend();

	if (cmdline_get(boot.cmdline, "selftest", mode, sizeof(mode))) {
		if (mode[0]) {
			selftest_fault(mode);
			hv_stop(HV_FAIL); /* the fault did not happen */
		}
		hv_stop(selftest_run_all() ? HV_PASS : HV_FAIL);
	}
	if (!console_mux_init(boot.cmdline, &err))
		boot_fail("console", err);
	display_init(&boot);
	printf("bulkhead: boot complete\n");
	if (vmm)
		vms_boot(&boot);
	hv_stop(HV_PASS);
}
