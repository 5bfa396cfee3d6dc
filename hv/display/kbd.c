/* The host's keyboard and the route of its bytes (kbd.h). The host i8042
 * is polled, never interrupt driven: the hypervisor reads it between exits
 * on the boot CPU. Ctrl+Alt+End opens the on-screen menu of VMs, which
 * takes every key until a digit picks a VM or Esc closes it. */
#include <bulkhead/console.h>
#include <bulkhead/console_mux.h>
#include <bulkhead/display.h>
#include <bulkhead/kbd.h>
#include <bulkhead/scancode.h>
#include <bulkhead/vm.h>
#include <bulkhead/x86/io.h>

#define I8042_DATA   0x60
#define I8042_STATUS 0x64
#define ST_OBF       0x01
#define ST_IBF       0x02
#define ST_AUX       0x20 /* the byte is the mouse's */
#define MAX_BYTES_PER_POLL 32

static struct {
	void (*input)(void *dev, u8 code);
	void *dev;
} keyboards[VM_MAX];
static struct {
	bool (*input)(void *dev, u8 code); /* false: its driver is not live */
	void *dev;
} evdevs[VM_MAX];
static struct vm *focus;
static struct sc_state sc;
static bool menu_open; /* the on-screen menu takes the keys */
u64 kbd_bytes, kbd_hotkeys;

void kbd_attach(struct dev_host *h, void (*input)(void *dev, u8 code), void *dev)
{
	struct vm *vm = vm_of_dev(h);

	if (vm->id < VM_MAX) {
		keyboards[vm->id].input = input;
		keyboards[vm->id].dev = dev;
	}
}

void kbd_attach_evdev(struct dev_host *h, bool (*input)(void *dev, u8 code), void *dev)
{
	struct vm *vm = vm_of_dev(h);

	if (vm->id < VM_MAX) {
		evdevs[vm->id].input = input;
		evdevs[vm->id].dev = dev;
	}
}

/* To the VM's virtio keyboard while its driver takes the bytes, else to
 * its PS/2 keyboard. */
static void give(struct vm *vm, const u8 *b, unsigned n)
{
	if (!vm || vm->id >= VM_MAX || !vm_is_running(vm))
		return;
	for (unsigned i = 0; i < n; i++) {
		if (evdevs[vm->id].input && evdevs[vm->id].input(evdevs[vm->id].dev, b[i]))
			continue;
		if (keyboards[vm->id].input) /* a VM without a keyboard: keys go nowhere */
			keyboards[vm->id].input(keyboards[vm->id].dev, b[i]);
	}
}

void kbd_set_focus(struct vm *vm)
{
	u8 rel[6];

	if (vm == focus)
		return;
	give(focus, rel, sc_release_held(&sc, rel));
	/* The state stays what the keyboard holds: the new VM gets the
	 * releases of keys it never saw pressed, which a keyboard driver
	 * ignores, and the hotkey's Home release stays ours. */
	focus = vm;
}

/* A key while the menu is open: a digit picks that VM, Esc closes it,
 * everything else (releases, other keys) goes nowhere. */
static void menu_key(const u8 *b, unsigned n)
{
	int d = n == 1 ? sc_digit(b[0]) : -1;

	if (d >= 0 && (unsigned)d < nr_vms) {
		menu_open = false;
		console_mux_focus((unsigned)d);
	} else if (n == 1 && b[0] == SC_ESC) {
		menu_open = false;
		display_menu(false);
	}
}

void kbd_host_poll(void)
{
	for (int i = 0; i < MAX_BYTES_PER_POLL; i++) {
		u8 st = inb(I8042_STATUS), b, out[SC_OUT_MAX], rel[6];
		unsigned n;

		if (!(st & ST_OBF) || st == 0xff)
			return; /* empty, or no controller (the bus reads all ones) */
		b = inb(I8042_DATA);
		if (st & ST_AUX)
			continue; /* no mouse support: its bytes are dropped */
		kbd_bytes++;
		switch (sc_feed(&sc, b, out, &n)) {
		case SC_PASS:
			if (menu_open)
				menu_key(out, n);
			else
				give(focus, out, n);
			break;
		case SC_HOTKEY:
			kbd_hotkeys++;
			menu_open = false;
			console_mux_focus_next();
			break;
		case SC_MENU:
			kbd_hotkeys++;
			if (!menu_open) {
				/* the keys the menu swallows include the chord's releases */
				give(focus, rel, sc_release_held(&sc, rel));
				menu_open = display_menu(true);
			}
			break;
		case SC_HOLD:
		case SC_TAKEN:
			break;
		}
	}
}
