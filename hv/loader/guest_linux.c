/* Booting a Linux bzImage: ACPI tables, the load plan of the boot protocol,
 * kernel, command line, initrd (the VM's first vmmod module) and zero page
 * copied into guest RAM, then the 64-bit entry state. */
#include <bulkhead/cmdline.h>
#include <bulkhead/display.h>
#include <bulkhead/format.h>
#include <bulkhead/guest_linux.h>
#include <bulkhead/mm.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/host_timer.h>

/* Built here, then copied into the VM: VMs are loaded one at a time. */
static u8 zero_page[BP_SIZE] __aligned(16);
static char cmdline[LINUX_CMDLINE_MAX];

bool guest_is_bzimage(const u8 *img, u64 len)
{
	return len > HDR_MAGIC + 4 && img[HDR_BOOT_FLAG] == 0x55 && img[HDR_BOOT_FLAG + 1] == 0xaa &&
	       !memcmp(img + HDR_MAGIC, "HdrS", 4);
}

static bool put(struct vm *vm, u64 gpa, const void *src, u64 len, const char **err)
{
	if (vm_write(vm, gpa, src, len) != GM_OK) {
		*err = "load plan points outside the guest's RAM";
		return false;
	}
	return true;
}

/* The guest's command line plus tsc_early_khz=: the TSC frequency, which the
 * guest's TSC has too (host TSC plus an offset). An unmodified Linux on AMD
 * reads it from nowhere else, and calibrating against the PIT or PM timer
 * fails or goes wrong when each timer read is a slow exit (issue 5 "TSC").
 * A value the user gave wins. */
static bool linux_cmdline(const struct vm_config *cfg, const char **err)
{
	u64 n;

	if (cmdline_has(cfg->cmdline, "tsc_early_khz") || tsc_hz == 0)
		n = (u64)fmt_snprintf(cmdline, sizeof(cmdline), "%s", cfg->cmdline);
	else
		n = (u64)fmt_snprintf(cmdline, sizeof(cmdline), "%s%stsc_early_khz=%lu", cfg->cmdline,
				      cfg->cmdline[0] ? " " : "", tsc_hz / 1000);
	if (n >= sizeof(cmdline)) {
		*err = "guest command line too long";
		return false;
	}
	return true;
}

/* A configured display takes the top of RAM, which the plan then leaves
 * alone (*ram_size shrinks); the screen reads the VM's framebuffer there
 * (display.h). */
static bool reserve_fb(struct vm *vm, const struct vm_config *cfg, u64 *ram_size,
		       struct linux_load_plan *plan, const char **err)
{
	u64 size;
	struct display_vm_fb d;

	if (!cfg->display)
		return true;
	size = display_vm_fb_bytes(cfg->fb_width, cfg->fb_height);
	if (size + MiB(32) > *ram_size) {
		*err = "display: the framebuffer leaves the VM too little RAM (32 MiB at least)";
		return false;
	}
	*ram_size -= size;
	plan->fb.gpa = *ram_size;
	plan->fb.size = size;
	plan->fb.width = cfg->fb_width;
	plan->fb.height = cfg->fb_height;
	d = (struct display_vm_fb){ plan->fb.gpa, cfg->fb_width, cfg->fb_height, cfg->fb_width * 4 };
	display_set_vm_fb(vm, &d);
	return true;
}

bool guest_load_linux(struct vm *vm, const struct vm_config *cfg, struct vcpu_init_state *init,
		      const char **err)
{
	const u8 *img = phys_to_virt(cfg->kernel.hpa);
	const struct vm_module *initrd = cfg->nr_mods ? &cfg->mods[0] : NULL;
	struct bzimage bz;
	struct linux_load_plan plan;
	struct linux_load_request req = { .ram_size = vm->mem.size };
	struct linux_load_plan fb_plan = { 0 }; /* its fb part */
	static const char nul;

	if (!bzimage_parse(img, cfg->kernel.len, &bz, err) || !guest_load_acpi(vm, &req.rsdp_gpa, err) ||
	    !linux_cmdline(cfg, err))
		return false;
	req.cmdline_len = strlen(cmdline);
	req.initrd_len = initrd ? initrd->len : 0;
	if (!reserve_fb(vm, cfg, &req.ram_size, &fb_plan, err) ||
	    !linux_plan_load(&bz, &req, &plan, err))
		return false;
	plan.fb = fb_plan.fb;
	if (!boot_params_build(zero_page, img, cfg->kernel.len, &bz, &plan, err))
		return false;
	if (!put(vm, plan.kernel_gpa, img + plan.kernel_off, plan.kernel_len, err) ||
	    !put(vm, plan.cmdline_gpa, cmdline, plan.cmdline_len, err) ||
	    !put(vm, plan.cmdline_gpa + plan.cmdline_len, &nul, 1, err) ||
	    (initrd && !put(vm, plan.initrd_gpa, phys_to_virt(initrd->hpa), initrd->len, err)) ||
	    !put(vm, plan.zero_page_gpa, zero_page, BP_SIZE, err))
		return false;
	return linux_entry_state(vm, plan.entry_gpa, plan.zero_page_gpa, init, err);
}
