/* Focus mode's output side (console_focus.h). */
#include <bulkhead/console.h>
#include <bulkhead/console_filter.h>
#include <bulkhead/console_focus.h>
#include <bulkhead/console_ring.h>
#include <bulkhead/vm.h>

struct vm_screen {
	struct console_filter filter;
	struct console_ring ring;
};

static struct vm_screen screens[VM_MAX];
static bool enabled;
static struct vm *live; /* whose output goes to the terminal; NULL: nobody's */

/* Label colours by VM index when the configuration gives none (ANSI
 * colours: blue, green, magenta, cyan, yellow, red). */
static const u8 default_colours[] = { 4, 2, 5, 6, 3, 1 };

/* The configuration's label colour as the nearest of the terminal's 7
 * (ANSI: bit 0 red, 1 green, 2 blue): each channel on from 0x80. */
static u8 ansi_of_rgb(u32 rgb)
{
	u8 c = (u8)((((rgb >> 16) & 0xff) >= 0x80 ? 1 : 0) | (((rgb >> 8) & 0xff) >= 0x80 ? 2 : 0) |
		    ((rgb & 0xff) >= 0x80 ? 4 : 0));

	return c ? c : 7; /* black on black would hide the name */
}

u8 console_label_colour(const struct vm *vm)
{
	if (vm->cfg && vm->cfg->label_rgb)
		return ansi_of_rgb(vm->cfg->label_rgb);
	return default_colours[vm->id % ARRAY_SIZE(default_colours)];
}

void console_focus_enable(void)
{
	enabled = true;
	for (unsigned i = 0; i < VM_MAX; i++)
		console_filter_reset(&screens[i].filter);
	console_set_log_lines(false);
}

bool console_focus_enabled(void)
{
	return enabled;
}

/* A filtered token: to the terminal if vm is shown, else to its ring;
 * queries (the terminal would answer whoever has the focus by then) are
 * not kept. */
static void emit(void *ctx, const u8 *s, u32 n, enum console_token kind)
{
	struct vm *vm = ctx;

	if (vm == live)
		console_guest_raw(vm, s, n);
	else if (kind == CONSOLE_TEXT)
		console_ring_put(&screens[vm->id].ring, s, n);
}

void console_focus_output(struct vm *vm, u8 c)
{
	if (enabled && vm->id < VM_MAX)
		console_filter_feed(&screens[vm->id].filter, c, emit, vm);
}

static void replay(void *ctx, const u8 *s, u32 n)
{
	console_guest_raw(ctx, s, n);
}

/* The banner starts with RIS (ESC c, ECMA-48 8.3.105): the terminal is
 * reset to its initial state (the previous guest's modes, colours, scroll
 * region, character sets and screen gone), and since the filter never
 * passes ESC c, a banner after one was written by the hypervisor. */
void console_focus_show(struct vm *vm)
{
	struct console_ring *r = &screens[vm->id].ring;

	live = NULL;
	printf("\033c\033[1;97;4%um bulkhead: VM %u %s (%s) \033[0m"
	       " Ctrl-] m: menu, Ctrl-] c: hypervisor console\n",
	       console_label_colour(vm), vm->id, vm->name, vm_state_name(vm->state));
	if (r->dropped) /* the replay starts at the next line start */
		printf("bulkhead: %lu bytes of %s's earlier output dropped (the buffer keeps %u)\n",
		       r->dropped, vm->name, CONSOLE_RING_SIZE);
	console_ring_drain(r, replay, vm);
	live = vm;
}

void console_focus_hide(void)
{
	live = NULL;
}
