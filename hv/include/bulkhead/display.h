/* The physical screen, owned by the hypervisor, and what it shows: the
 * label bar of the VM that has the focus and, below it, that VM's
 * framebuffer (docs/display.md). Runs on the boot CPU only: display_poll
 * from the console poll between exits, display_focus from the console's
 * focus change, so the screen and the serial console show the same VM. */
#ifndef BULKHEAD_DISPLAY_H
#define BULKHEAD_DISPLAY_H

#include <bulkhead/fb.h>
#include <bulkhead/types.h>

struct boot_info;
struct vm;

#define DISPLAY_BAR_H     32U  /* the label bar's rows */
#define DISPLAY_WIDTH     1024U
#define DISPLAY_HEIGHT    768U
/* A VM's framebuffer by default: the screen below the bar. */
#define DISPLAY_VM_WIDTH  DISPLAY_WIDTH
#define DISPLAY_VM_HEIGHT (DISPLAY_HEIGHT - DISPLAY_BAR_H)
#define DISPLAY_VM_FB_MAX_W 4096U
#define DISPLAY_VM_FB_MAX_H 4096U

/* Before paging: the physical range the screen's framebuffer will take
 * (page aligned), for an uncacheable mapping; false if there is none. */
bool display_find(const struct boot_info *bi, u64 *start, u64 *end);
/* What display_find answered (empty: nothing, or it did not run). */
void display_found(u64 *start, u64 *end);
/* Finds a screen: the loader's 32-bit RGB framebuffer, else a Bochs VBE
 * adapter on the PCI bus set to DISPLAY_WIDTH x DISPLAY_HEIGHT x 32. None:
 * the console stays on serial only. Logs one line either way. */
void display_init(const struct boot_info *bi);
bool display_present(void);

/* The screen now shows vm (its bar at once, its framebuffer fully at the
 * next poll). */
void display_focus(struct vm *vm);
/* The menu of VMs drawn over the view (open), or the focused VM again
 * (closed); returns whether the menu is open (false: no screen). */
bool display_menu(bool open);
/* Periodic work on the boot CPU when there is a screen: the keyboard, and
 * the focused VM's framebuffer copied where it changed (at most every
 * DISPLAY_REFRESH_MS). */
void display_poll(void);
#define DISPLAY_REFRESH_MS 50U

/* A VM's framebuffer in its RAM: [gpa, gpa + pitch * height), set by the
 * loader (guest_linux.c) when the VM's configuration has a display. */
struct display_vm_fb {
	u64 gpa;
	u32 width, height, pitch; /* pitch in bytes */
};
void display_set_vm_fb(const struct vm *vm, const struct display_vm_fb *fb);
/* Bytes of guest RAM a width x height framebuffer takes, 2 MiB aligned. */
u64 display_vm_fb_bytes(u32 width, u32 height);

#endif
