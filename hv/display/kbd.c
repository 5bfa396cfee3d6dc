/* The host's keyboard and the route of its bytes (kbd.h). The host i8042
 * is polled, never interrupt driven: the hypervisor reads it between exits
 * on the boot CPU. Ctrl+Alt+End opens the on-screen menu of VMs, which
 * takes every key until a digit picks a VM or Esc closes it. */
#include <bulkhead/console.h>
#include <bulkhead/console_mux.h>
#include <bulkhead/display.h>
#include <bulkhead/kbd.h>
#include <bulkhead/ps2_mouse.h>
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
static struct {
	void (*move)(void *dev, const struct ps2_motion *m);
	void *dev;
} pointers[VM_MAX];
static struct ps2_mouse mouse;
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

void kbd_attach_pointer(struct dev_host *h, void (*move)(void *dev, const struct ps2_motion *m),
			void *dev)
{
	struct vm *vm = vm_of_dev(h);

	if (vm->id < VM_MAX) {
		pointers[vm->id].move = move;
		pointers[vm->id].dev = dev;
	}
}

#define AUX_WAIT 100000 /* status polls; each takes about 1 us on an ISA port */

/* The controller takes a byte when its input buffer is empty. */
static bool wait_ibf_clear(void)
{
	for (int i = 0; i < AUX_WAIT; i++) {
		u8 st = inb(I8042_STATUS);

		if (st == 0xff)
			return false; /* no controller */
		if (!(st & ST_IBF))
			return true;
	}
	return false;
}

void kbd_host_init(void)
{
	/* 8042 commands: A8 enables the auxiliary interface, D4 sends the
	 * next data byte to the mouse; F4 is the mouse's Enable (data
	 * reporting in stream mode), which it acknowledges with FA. */
	if (!wait_ibf_clear())
		return;
	outb(I8042_STATUS, 0xa8);
	if (!wait_ibf_clear())
		return;
	outb(I8042_STATUS, 0xd4);
	if (!wait_ibf_clear())
		return;
	outb(I8042_DATA, 0xf4);
	/* the acknowledgement is not a packet: read it here (a key pressed
	 * in this short wait at boot is dropped with it) */
	for (int i = 0; i < AUX_WAIT; i++) {
		u8 st = inb(I8042_STATUS);

		if (st & ST_OBF) {
			u8 b = inb(I8042_DATA);

			if ((st & ST_AUX) && b == 0xfa) {
				printf("display: PS/2 mouse on (the focused VM's tablet)\n");
				return;
			}
		}
	}
	printf("display: no PS/2 mouse answered\n");
}

static void pointer_byte(u8 b)
{
	struct ps2_motion m;

	if (!ps2_mouse_feed(&mouse, b, &m) || menu_open || !focus || focus->id >= VM_MAX ||
	    !vm_is_running(focus) || !pointers[focus->id].move)
		return;
	pointers[focus->id].move(pointers[focus->id].dev, &m);
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
		if (st & ST_AUX) {
			pointer_byte(b);
			continue;
		}
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
