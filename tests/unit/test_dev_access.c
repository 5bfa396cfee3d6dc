/* Every device model behind the guest's bus rule (bus_guest_read/write,
 * docs/architecture.md "Devices and the bus"): each port and MMIO offset of
 * each device a VM gets, and a few bytes around it, at sizes 1, 2, 4 (and 8
 * for MMIO) and every alignment, read and written, gives a defined result
 * and never stops the VM: bytes no device claims read all ones, a refused
 * MMIO access reads all ones, nothing calls vm_crash. The devices are
 * created through their VM_DEVICE entries, found in this program's own
 * ELF sections (".vm_devices.PRIO", as hv/boot/linker.ld gathers them), so
 * a new device model is covered once it is listed in test_dev_access.deps. */
#include "../lib/host_percpu.h"
#include "unit.h"
#include <bulkhead/console.h>
#include <bulkhead/console_mux.h>
#include <bulkhead/dev.h>
#include <bulkhead/sched.h>
#include <bulkhead/pc_platform.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../lib/vm_devices_elf.h"
#include "fake_vm.h"

#define MAX_DEVICES 64
static const struct vm_device *devices[MAX_DEVICES];
static unsigned nr_devices;

static void find_devices(void)
{
	nr_devices = vm_devices_from_elf(devices, MAX_DEVICES);
	assert_true(nr_devices >= 11);
}

u64 tsc_hz = 2000000000ULL;
static unsigned crashes, poweroffs, resets, exits;

void vm_crash(struct vm *m, const char *fmt, ...)
{
	(void)m;
	print_error("vm_crash: %s\n", fmt);
	crashes++;
}

void sched_kick_vm(const struct vm *m) { (void)m; } /* one CPU: nobody to wake */
void vm_poweroff(struct vm *m) { (void)m; poweroffs++; }
void vcpu_apic_signal(struct vcpu *v, u8 mode, u8 vector) { (void)v; (void)mode; (void)vector; } /* NMI, INIT, SIPI: the vCPU is not modelled */
void vm_reset(struct vm *m) { (void)m; resets++; }
void vm_exit_with_code(struct vm *m, u32 code) { (void)m; (void)code; exits++; }
bool vm_is_running(const struct vm *m) { (void)m; return true; }

void console_mux_output(struct vm *m, u8 c) { (void)m; (void)c; }

void console_guest_write(const void *owner, const char *name, const char *s, size_t n,
			 bool newline)
{
	(void)owner;
	(void)name;
	(void)s;
	(void)n;
	(void)newline;
}

bool vm_add_timer(struct vm *m, const struct vtimer_ops *ops, void *dev)
{
	(void)m;
	(void)ops;
	(void)dev;
	return true;
}

static const struct vm_config cfg = { .name = "t", .testexit = true, .testdev = true,
				      .cmdline = "" };
static const char *const pattern_names[] = { "zeros", "ones", "pattern" };
static const u64 patterns[] = { 0, ~0ULL, 0x8badf00d5a5aa5a5ULL };

static int setup(void **state)
{
	const char *err = NULL;
	unsigned n = 0;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	bus_init(&vm.bus);
	vm.state = VM_RUNNING;
	vm.nr_vcpus = 1;
	vm.vcpu[0].vm = &vm;
	host_percpu_init(&vm.vcpu[0]); /* the LAPIC page is the accessing vCPU's */
	crashes = poweroffs = resets = exits = 0;
	if (!nr_devices)
		find_devices();
	for (unsigned i = 0; i < nr_devices; i++, n++)
		if (!devices[i]->create(&vm.dev, &cfg, &err))
			fail_msg("%s: %s", devices[i]->name, err);
	assert_true(n >= 11); /* uart, lapic, ioapic, pic, pit, rtc, i8042, ... */
	return 0;
}

static bool claimed(const struct bus_space *s, u64 addr)
{
	return bus_find(s, addr, 1) != NULL;
}

/* One read of size at addr: never a stop; unclaimed bytes all ones. */
static void check_read(struct bus_space *s, u64 addr, u32 size)
{
	u64 v = 0x1234;
	enum bus_result r = bus_guest_read(s, addr, size, &v, "t");
	u64 mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	bool any = false;

	assert_true(r == BUS_OK || r == BUS_UNCLAIMED);
	assert_int_equal(v & ~mask, 0);
	for (u32 i = 0; i < size; i++) {
		if (claimed(s, addr + i)) {
			any = true;
			continue;
		}
		if (((v >> (8 * i)) & 0xff) != 0xff)
			fail_msg("%#lx+%u (size %u): unclaimed byte reads %#lx", addr, i, size,
				 (v >> (8 * i)) & 0xff);
	}
	assert_int_equal(r, any ? BUS_OK : BUS_UNCLAIMED);
	assert_int_equal(crashes, 0);
}

static void sweep(struct bus_space *s, u32 max_size, u64 span_cap)
{
	struct bus_region regions[BUS_MAX_REGIONS];
	unsigned n = s->n;

	memcpy(regions, s->r, sizeof(regions));
	for (unsigned i = 0; i < n; i++) {
		const struct bus_region *r = &regions[i];
		u64 end = r->base + (r->len < span_cap ? r->len : span_cap) + 8;
		u64 start = r->base >= 8 ? r->base - 8 : 0;

		for (u64 a = start; a < end; a++) {
			for (u32 size = 1; size <= max_size; size *= 2) {
				check_read(s, a, size);
				for (unsigned p = 0; p < 3; p++) {
					enum bus_result w = bus_guest_write(s, a, size, patterns[p], "t");

					if (w != BUS_OK && w != BUS_UNCLAIMED)
						fail_msg("%s: %#lx size %u write %s: %d", r->name, a, size,
							 pattern_names[p], w);
					assert_int_equal(crashes, 0);
					check_read(s, a, size);
				}
			}
		}
	}
}

static void test_ports(void **state)
{
	(void)state;
	sweep(&vm.bus.pio, 4, 0x100);
	assert_int_equal(crashes, 0);
	/* the platform's own reactions are allowed, and were reached */
	assert_true(exits > 0);   /* testexit */
	assert_true(resets > 0);  /* i8042 0xfe, PCI 0xcf9 */
}

static void test_mmio(void **state)
{
	(void)state;
	sweep(&vm.bus.mmio, 8, 0x1000);
	assert_int_equal(crashes, 0);
	/* refused widths were counted at the LAPIC and the IOAPIC */
	for (unsigned i = 0; i < vm.bus.mmio.n; i++) {
		const struct bus_region *r = &vm.bus.mmio.r[i];

		if (r->base == PC_IOAPIC_BASE || !strcmp(r->name, "lapic"))
			assert_true(r->odd > 0);
	}
}

/* A byte-wide device read as a dword gives its bytes, all ones after. */
static void test_wide_reads(void **state)
{
	u64 v;

	(void)state;
	assert_int_equal(bus_guest_read(&vm.bus.pio, 0x21, 4, &v, "t"), BUS_OK);
	assert_int_equal(v >> 8, 0xffffff);       /* IMR, then 0x22-0x24 free */
	assert_int_equal(v & 0xff, 0xff);         /* IMR masked from reset */
	assert_int_equal(bus_guest_read(&vm.bus.pio, 0x3fd, 2, &v, "t"), BUS_OK);
	assert_int_equal(v & 0x60, 0x60);         /* UART LSR: THRE|TEMT */
	assert_int_equal(bus_guest_read(&vm.bus.mmio, 0xfee00030, 1, &v, "t"), BUS_OK);
	assert_int_equal(v, 0xff);                /* LAPIC version, a byte */
	assert_int_equal(bus_guest_read(&vm.bus.mmio, 0xfee00030, 4, &v, "t"), BUS_OK);
	assert_int_not_equal(v, 0xffffffff);      /* ... as a dword it is there */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ports, setup),
		cmocka_unit_test_setup(test_mmio, setup),
		cmocka_unit_test_setup(test_wide_reads, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
