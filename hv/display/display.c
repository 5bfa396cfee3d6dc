/* The physical screen (display.h): which one, the focused VM, the label
 * bar and the periodic refresh of the VM's framebuffer. */
#include <bulkhead/boot_info.h>
#include <bulkhead/cmdline.h>
#include <bulkhead/bochs_vbe.h>
#include <bulkhead/compositor.h>
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/display.h>
#include <bulkhead/font.h>
#include <bulkhead/kbd.h>
#include <bulkhead/mm.h>
#include <bulkhead/string.h>
#include <bulkhead/virtio_gpu.h>
#include <bulkhead/vm.h>
#include <bulkhead/vm_config.h>
#include <bulkhead/vm_lock.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_timer.h>

static bool present;
static struct fb_surface screen;
static u32 *shadow;             /* what the view shows, view.w x view.h */
static struct vm *shown;        /* whose bar is on the screen; NULL: none yet */
static bool menu_shown;         /* the menu covers the view: no refresh */
static enum vm_state shown_state; /* the state its bar says */
static bool shown_locked;         /* and whether it says LOCKED */
static bool need_full;          /* the view must be copied whole */
static u64 next_refresh;
static struct display_vm_fb vm_fb[VM_MAX]; /* by VM id; gpa 0: no framebuffer */
static struct comp_stats display_stats; /* since the focus last changed */
static u64 refreshes, refresh_tsc;
static u64 rows_read[VM_MAX]; /* from each VM's framebuffer, since boot */
static u64 found_start, found_end; /* display_find's answer */
/* A VM whose virtio-gpu driver set a scanout: the screen shows that, copied
 * on RESOURCE_FLUSH only (no shadow compare); none: its framebuffer in RAM */
static struct gpu_scanout gpu_out[VM_MAX];
static bool gpu_on[VM_MAX];
static u64 gpu_flushes, gpu_pixels; /* while shown, since the focus changed */
/* Dirty tracking through the nested page tables (vmm.h): per VM, whether
 * its framebuffer's pages are tracked (set up at its first refresh, again
 * after its restart), failed (the shadow compare for that VM), or not
 * tried yet; display=compare on the command line takes the compare for
 * all, as does a backend without it (VMX). */
enum track { TRACK_UNTRIED, TRACK_ON, TRACK_FAILED };
static enum track track[VM_MAX];
static bool compare_only;
#define FB_PAGES_MAX (DISPLAY_VM_FB_MAX_W * DISPLAY_VM_FB_MAX_H * 4 / COMP_PAGE_SIZE)
/* The shown VM's pages harvested dirty at this refresh and the last */
static u64 dirty_now[FB_PAGES_MAX / 64], dirty_last[FB_PAGES_MAX / 64];
#define DIRTY_RECTS 64U
static u64 pages_dirty; /* harvested dirty while shown, since the focus changed */

/* Label colours by VM index when the configuration gives none: the same
 * hues as the serial banner's (console_focus.c). */
static const u32 default_rgb[] = { 0x2050d0, 0x20a040, 0xa040b0, 0x20a0b0, 0xc0a020, 0xc03030 };

bool display_present(void)
{
	return present;
}

u64 display_vm_fb_bytes(u32 width, u32 height)
{
	return ALIGN_UP((u64)width * height * 4, MiB(2));
}

static bool from_loader(const struct boot_info *bi)
{
	const struct boot_fb *f = &bi->fb;

	/* Multiboot2 3.6, framebuffer info: an RGB framebuffer; 32 bpp is assumed
	 * to be x8r8g8b8, what UEFI GOP and VBE give on PCs */
	if (!bi->has_fb || f->type != BOOT_FB_RGB || f->bpp != 32 || f->pitch % 4 ||
	    f->addr + (u64)f->pitch * f->height > GiB(4))
		return false;
	screen = (struct fb_surface){ phys_to_virt(f->addr), f->width, f->height, f->pitch / 4 };
	return true;
}

bool display_find(const struct boot_info *bi, u64 *start, u64 *end)
{
	const char *why;
	u64 base, bytes = (u64)DISPLAY_WIDTH * DISPLAY_HEIGHT * 4;

	if (from_loader(bi)) {
		base = bi->fb.addr;
		bytes = (u64)bi->fb.pitch * bi->fb.height;
	} else if (!bochs_vbe_find(&base, &why)) {
		return false;
	}
	*start = found_start = ALIGN_DOWN(base, PAGE_SIZE);
	*end = found_end = ALIGN_UP(base + bytes, PAGE_SIZE);
	return true;
}

void display_found(u64 *start, u64 *end)
{
	*start = found_start;
	*end = found_end;
}

void display_init(const struct boot_info *bi)
{
	const char *why = NULL, *what = "the loader's framebuffer";
	char mode[16];
	u64 pa = bi->fb.addr, spa;

	if (!from_loader(bi)) {
		what = "Bochs VBE";
		if (!bochs_vbe_setup(DISPLAY_WIDTH, DISPLAY_HEIGHT, &screen, &pa, &why)) {
			printf("display: none (%s); the console is serial only\n", why);
			return;
		}
	}
	if (screen.width > COMP_ROW_MAX || screen.height <= DISPLAY_BAR_H) {
		printf("display: %ux%u from %s is not usable; the console is serial only\n",
		       screen.width, screen.height, what);
		return;
	}
	spa = mm_alloc_pages(ALIGN_UP((u64)screen.width * screen.height * 4, PAGE_SIZE) >> PAGE_SHIFT);
	if (!spa) {
		printf("display: no memory for the shadow copy; the console is serial only\n");
		return;
	}
	shadow = phys_to_virt(spa);
	present = true;
	compare_only = cmdline_get(bi->cmdline, "display", mode, sizeof(mode)) &&
		       !strcmp(mode, "compare");
	fb_fill(&screen, (struct rect){ 0, 0, screen.width, screen.height }, 0);
	printf("display: %ux%ux32 from %s at %#lx, label bar %u rows; Ctrl+Alt+Home switches "
	       "the focus\n", screen.width, screen.height, what, pa, DISPLAY_BAR_H);
	kbd_host_init();
}

void display_set_vm_fb(const struct vm *vm, const struct display_vm_fb *fb)
{
	if (vm->id >= VM_MAX)
		return;
	vm_fb[vm->id] = *fb;
	track[vm->id] = TRACK_UNTRIED; /* a new VM life: a new nested page table */
	if (vm == shown)
		need_full = true;
}

static u32 label_rgb(const struct vm *vm)
{
	if (vm->cfg && vm->cfg->label_rgb)
		return vm->cfg->label_rgb & 0xffffffU;
	return default_rgb[vm->id % ARRAY_SIZE(default_rgb)];
}

/* Black text on a light label, white on a dark one (ITU-R BT.601 luma). */
static u32 text_rgb(u32 bg)
{
	u32 luma = (299 * (bg >> 16 & 0xff) + 587 * (bg >> 8 & 0xff) + 114 * (bg & 0xff)) / 1000;

	return luma >= 140 ? 0x000000 : 0xffffff;
}

/* The bar: the VM's colour across the top rows, its number, name, role
 * and state at the left, the hotkey at the right, a dark rule below. */
static void draw_bar(const struct vm *vm)
{
	u32 bg = label_rgb(vm), fg = text_rgb(bg), ty = (DISPLAY_BAR_H - 2 - FONT_H) / 2;
	static const char hint[] = "Ctrl+Alt+Home: next VM ";
	u32 hint_x = screen.width - (u32)(sizeof(hint) - 1) * FONT_W;
	char text[VM_NAME_MAX + 48];

	shown_state = vm->state;
	shown_locked = vm_locked(vm);
	fb_fill(&screen, (struct rect){ 0, 0, screen.width, DISPLAY_BAR_H - 2 }, bg);
	fb_fill(&screen, (struct rect){ 0, DISPLAY_BAR_H - 2, screen.width, 2 }, 0x202020);
	fmt_snprintf(text, sizeof(text), " VM %u: %s  [%s]  %s%s", vm->id, vm->name,
		     vm->cfg ? vm_role_name(vm->cfg->role) : "?", vm_state_name(vm->state),
		     shown_locked ? "  LOCKED" : "");
	fb_text(&screen, 0, ty, hint_x, text, fg, bg);
	fb_text(&screen, hint_x, ty, screen.width, hint, fg, bg);
}

static void clear_view(void)
{
	fb_fill(&screen, (struct rect){ 0, DISPLAY_BAR_H, screen.width, screen.height - DISPLAY_BAR_H },
		0);
}

/* What showing the VM that loses the focus cost (bench/display): the time
 * per refresh in ns, which under QEMU's -icount shift=0 is the count of
 * instructions the refresh ran. */
static void report_stats(void)
{
	u64 ns = tsc_hz >= 1000000 ? refresh_tsc * 1000 / (tsc_hz / 1000000) : 0;

	if (shown && vm_fb[shown->id].gpa && refreshes && track[shown->id] == TRACK_ON)
		printf("display: %s shown: %lu refreshes, %lu pages dirty, %lu rectangles copied "
		       "(%lu pixels), %lu ns per refresh (dirty bits)\n", shown->name, refreshes,
		       pages_dirty, display_stats.tiles_copied, display_stats.pixels_copied,
		       ns / refreshes);
	else if (shown && vm_fb[shown->id].gpa && refreshes)
		printf("display: %s shown: %lu refreshes, %lu of %lu tiles copied (%lu pixels), "
		       "%lu ns per refresh\n", shown->name, refreshes, display_stats.tiles_copied,
		       display_stats.tiles_checked, display_stats.pixels_copied, ns / refreshes);
	if (shown && vm_fb[shown->id].gpa) {
		printf("display: framebuffer rows read since boot:");
		for (unsigned i = 0; i < nr_vms && i < VM_MAX; i++)
			printf(" %s %lu", vms[i].name, rows_read[i]);
		printf("\n");
	}
	if (shown && shown->id < VM_MAX && gpu_on[shown->id])
		printf("display: %s shown (virtio-gpu): %lu flushes, %lu pixels copied, %lu per "
		       "flush\n", shown->name, gpu_flushes, gpu_pixels,
		       gpu_flushes ? gpu_pixels / gpu_flushes : 0);
	gpu_flushes = gpu_pixels = pages_dirty = 0;
	memset(dirty_last, 0, sizeof(dirty_last)); /* the next VM starts with a full copy */
	display_stats = (struct comp_stats){ 0, 0, 0 };
	refreshes = refresh_tsc = 0;
}

void display_focus(struct vm *vm)
{
	kbd_set_focus(vm);
	if (!present)
		return;
	report_stats();
	menu_shown = false;
	shown = vm;
	draw_bar(vm);
	clear_view();
	need_full = true;
	next_refresh = 0;
}

#define MENU_W   (48U * FONT_W)
#define MENU_ROW (FONT_H + 8U)

/* The menu: a box in the view, one line per VM with a swatch of its
 * label colour, drawn by the hypervisor like the bar. */
static void draw_menu(void)
{
	u32 h = (nr_vms + 3) * MENU_ROW, x = (screen.width - MENU_W) / 2, y = DISPLAY_BAR_H + 32;
	char line[VM_NAME_MAX + 40];

	fb_fill(&screen, (struct rect){ x - 2, y - 2, MENU_W + 4, h + 4 }, 0xffffff);
	fb_fill(&screen, (struct rect){ x, y, MENU_W, h }, 0x202020);
	fb_text(&screen, x + FONT_W, y + 4, x + MENU_W, "bulkhead: VMs (a digit picks one, Esc closes)",
		0xffffff, 0x202020);
	for (unsigned i = 0; i < nr_vms && i < 10; i++) {
		const struct vm *vm = &vms[i];
		u32 ly = y + (i + 2) * MENU_ROW;

		fb_fill(&screen, (struct rect){ x + FONT_W, ly, 2 * FONT_W, FONT_H }, label_rgb(vm));
		fmt_snprintf(line, sizeof(line), "%u  %-16s %-10s %s", i, vm->name,
			     vm->cfg ? vm_role_name(vm->cfg->role) : "?", vm_state_name(vm->state));
		fb_text(&screen, x + 4 * FONT_W, ly, x + MENU_W, line,
			vm == shown ? 0xffff80 : 0xffffff, 0x202020);
	}
}

bool display_menu(bool open)
{
	if (!present || !shown || screen.width < MENU_W + 8)
		return false;
	menu_shown = open;
	if (open) {
		draw_menu();
		return true;
	}
	clear_view(); /* the VM's picture again, whole */
	need_full = true;
	next_refresh = 0;
	return false;
}

static bool read_row(void *ctx, u32 y, u32 *dst, u32 n)
{
	struct vm *vm = ctx;
	const struct display_vm_fb *f = &vm_fb[vm->id];

	rows_read[vm->id]++;
	return vm_read(vm, f->gpa + (u64)y * f->pitch, dst, (u64)n * 4) == GM_OK;
}

/* Rectangle r of vm's scanout onto the view, clipped to it. */
static void gpu_copy(const struct vm *vm, struct rect r)
{
	const struct gpu_scanout *o = &gpu_out[vm->id];
	struct rect v;

	if (!rect_intersect(r, (struct rect){ 0, 0, o->r.w, o->r.h }, &v) ||
	    !rect_intersect(v, (struct rect){ 0, 0, screen.width, screen.height - DISPLAY_BAR_H }, &v))
		return;
	for (u32 y = v.y; y < v.y + v.h; y++)
		memcpy(&screen.px[(u64)(DISPLAY_BAR_H + y) * screen.pitch + v.x],
		       &o->px[(u64)(o->r.y + y) * o->pitch + o->r.x + v.x], (u64)v.w * 4);
	gpu_pixels += (u64)v.w * v.h;
}

void display_gpu_scanout(struct dev_host *h, const struct gpu_scanout *s)
{
	struct vm *vm = vm_of_dev(h);

	if (vm->id >= VM_MAX)
		return;
	if (gpu_on[vm->id] != (s != NULL))
		printf("display: %s shows %s\n", vm->name,
		       s ? "its virtio-gpu scanout" : "its framebuffer in RAM");
	gpu_on[vm->id] = s != NULL;
	if (s)
		gpu_out[vm->id] = *s;
	if (vm == shown && present) {
		clear_view();
		need_full = true;
	}
}

/* An unfocused VM's flush copies nothing: the focus change copies whole. */
void display_gpu_flush(struct dev_host *h, struct rect r)
{
	struct vm *vm = vm_of_dev(h);

	if (!present || vm != shown || menu_shown || vm->id >= VM_MAX || !gpu_on[vm->id])
		return;
	gpu_flushes++;
	gpu_copy(vm, r);
	/* the cost of the flushes, logged at 16, 32, 64... of them */
	if (gpu_flushes >= 16 && !(gpu_flushes & (gpu_flushes - 1)))
		printf("display: %s virtio-gpu: %lu flushes, %lu pixels copied, %lu per flush\n",
		       vm->name, gpu_flushes, gpu_pixels, gpu_pixels / gpu_flushes);
}

static u64 fb_pages(const struct display_vm_fb *f)
{
	return ALIGN_UP((u64)f->pitch * f->height, COMP_PAGE_SIZE) / COMP_PAGE_SIZE;
}

/* Whether vm's framebuffer goes by the nested page table's dirty bits;
 * the first time, its pages are set up for it (4 KiB nested pages). */
static bool tracked(struct vm *vm, const struct display_vm_fb *f)
{
	bool ok;

	if (compare_only || !vmm->vm_dirty_track || !vmm->vm_dirty_harvest ||
	    fb_pages(f) > FB_PAGES_MAX || !IS_ALIGNED(f->gpa, COMP_PAGE_SIZE))
		return false;
	if (track[vm->id] == TRACK_UNTRIED) {
		ok = vmm->vm_dirty_track(vm, f->gpa, fb_pages(f));
		track[vm->id] = ok ? TRACK_ON : TRACK_FAILED;
		printf("display: %s: %s\n", vm->name,
		       ok ? "copying the framebuffer pages that the nested page table marks dirty"
			  : "no dirty tracking (nested page table), comparing with a shadow copy");
		need_full = true;
	}
	return track[vm->id] == TRACK_ON;
}

static u32 bits_set(u64 x)
{
	u32 n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/* One refresh by dirty pages: the pages written since the last harvest,
 * and those of the last harvest again (a write through a translation a
 * vCPU cached before that harvest may have landed after it without
 * setting D: vmm.h), copied from guest memory straight to the view; with
 * full, the whole view. False if the harvest or a read failed. */
static bool refresh_dirty(struct vm *vm, const struct display_vm_fb *f,
			  const struct comp_layout *l, bool full)
{
	u64 npages = fb_pages(f), words = (npages + 63) / 64;
	struct rect rects[DIRTY_RECTS];
	u32 n;

	memset(dirty_now, 0, words * sizeof(u64));
	if (!vmm->vm_dirty_harvest(vm, f->gpa, npages, dirty_now)) {
		track[vm->id] = TRACK_FAILED;
		printf("display: %s: dirty harvest failed, comparing with a shadow copy\n",
		       vm->name);
		return false;
	}
	for (u64 i = 0; i < words; i++) {
		u64 now = dirty_now[i];

		pages_dirty += bits_set(now);
		dirty_now[i] |= dirty_last[i];
		dirty_last[i] = now;
	}
	if (full) {
		rects[0] = (struct rect){ 0, 0, l->view.w, l->view.h };
		n = 1;
	} else {
		n = comp_dirty_rects(dirty_now, npages, f->pitch, l->view.w, l->view.h, rects,
				     DIRTY_RECTS);
	}
	for (u32 i = 0; i < n; i++) {
		struct rect r = rects[i];

		for (u32 y = r.y; y < r.y + r.h; y++) {
			rows_read[vm->id]++;
			if (vm_read(vm, f->gpa + (u64)y * f->pitch + (u64)r.x * 4,
				    &screen.px[(u64)(l->view.y + y) * screen.pitch + l->view.x + r.x],
				    (u64)r.w * 4) != GM_OK)
				return false;
		}
		display_stats.pixels_copied += (u64)r.w * r.h;
		display_stats.tiles_copied++;
	}
	return true;
}

static void refresh(struct vm *vm)
{
	const struct display_vm_fb *f = &vm_fb[vm->id];
	struct comp_source src = { read_row, vm };
	struct comp_layout l;
	u64 t;

	if (vm->id < VM_MAX && gpu_on[vm->id]) {
		if (need_full && vm_is_running(vm))
			gpu_copy(vm, (struct rect){ 0, 0, gpu_out[vm->id].r.w, gpu_out[vm->id].r.h });
		need_full = false;
		return;
	}
	if (!f->gpa || !vm_is_running(vm))
		return; /* nothing to show: the view stays black */
	comp_layout_init(&l, screen.width, screen.height, DISPLAY_BAR_H, f->width, f->height);
	t = rdtsc();
	if (tracked(vm, f))
		need_full = !refresh_dirty(vm, f, &l, need_full);
	else
		need_full = !comp_refresh(&l, &src, shadow, &screen, need_full, &display_stats);
	refresh_tsc += rdtsc() - t;
	refreshes++;
}

void display_poll(void)
{
	u64 now;

	if (!present)
		return; /* no screen: the keyboard is not read either, all is serial */
	kbd_host_poll();
	if (!shown || menu_shown)
		return;
	now = rdtsc();
	if (now < next_refresh)
		return;
	next_refresh = now + tsc_hz / 1000 * DISPLAY_REFRESH_MS;
	if (shown->state != shown_state || vm_locked(shown) != shown_locked) {
		/* stopped, restarted, locked: the bar says so */
		draw_bar(shown);
		if (shown->state != VM_RUNNING)
			clear_view();
		need_full = true;
	}
	refresh(shown);
}
