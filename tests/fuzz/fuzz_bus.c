/* libFuzzer target: random port and MMIO access sequences against a VM's
 * whole bus with every device model (those with a VM_DEVICE entry, found in
 * this program's ELF symbols, tests/lib/vm_devices_elf.c), through
 * the guest's bus rule (bus_guest_read/write). Checks: no access stops the
 * VM (vm_crash traps), a read fits its size and reads all ones in every
 * byte no device claims, no device reads or writes out of bounds (ASan).
 *
 * Input: records of 12 bytes: op (bit 0 MMIO, bit 1 write, bits 2-3 log2
 * size, bits 4-7 region), 2-byte offset (little endian), 1 byte spare, 8-byte
 * value. The address is the region's base (regions sorted by address, the
 * index taken modulo their number) plus the offset minus 8, so the bytes
 * just before and after a device are reached too; region 15 means the
 * offset is a raw port number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../lib/host_percpu.h"
#include "../lib/vm_devices_elf.h"

#include <bulkhead/kbd.h>
#include <bulkhead/console.h>
#include <bulkhead/console_mux.h>
#include <bulkhead/dev.h>
#include <bulkhead/sched.h>

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
#define MAX_DEVICES 64

static struct vm vm;
static const struct vm_device *devices[MAX_DEVICES];
static unsigned nr_devices;
u64 tsc_hz = 2000000000ULL;

void vm_crash(struct vm *m, const char *fmt, ...)
{
	(void)m;
	(void)fmt;
	__builtin_trap(); /* a guest's access never stops its VM */
}

void sched_kick_vm(const struct vm *m) { (void)m; } /* one CPU: nobody to wake */
void vm_poweroff(struct vm *m) { (void)m; }
void vcpu_apic_signal(struct vcpu *v, u8 mode, u8 vector) { (void)v; (void)mode; (void)vector; } /* NMI, INIT, SIPI: the vCPU is not modelled */
void vm_reset(struct vm *m) { (void)m; }
void vm_exit_with_code(struct vm *m, u32 code) { (void)m; (void)code; }
bool vm_is_running(const struct vm *m) { (void)m; return true; }

bool vm_add_timer(struct vm *m, const struct vtimer_ops *ops, void *dev)
{
	(void)m;
	(void)ops;
	(void)dev;
	return true;
}

void console_mux_output(struct vm *m, u8 c) { (void)m; (void)c; }
/* the hypervisor's keyboard route (kbd.h): no keys are typed here */
void kbd_attach(struct dev_host *h, void (*input)(void *dev, u8 code), void *dev)
{
	(void)h; (void)input; (void)dev;
}

/* No device here reaches guest RAM through an access alone: none to give. */
enum gm_result vm_read(struct vm *m, u64 gpa, void *dst, u64 len)
{
	(void)m; (void)gpa; (void)dst; (void)len;
	return GM_HOLE;
}

enum gm_result vm_write(struct vm *m, u64 gpa, const void *src, u64 len)
{
	(void)m; (void)gpa; (void)src; (void)len;
	return GM_HOLE;
}

void console_guest_write(const void *owner, const char *name, const char *s, size_t n,
			 bool newline)
{
	(void)owner;
	(void)name;
	(void)s;
	(void)n;
	(void)newline;
}

static void find_devices(void)
{
	nr_devices = vm_devices_from_elf(devices, MAX_DEVICES);
	CHECK(nr_devices >= 11);
}

static const struct vm_config cfg = { .name = "fuzz", .testexit = true, .testdev = true,
				      .cmdline = "" };

static void build_vm(void)
{
	const char *err = NULL;

	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	bus_init(&vm.bus);
	vm.state = VM_RUNNING;
	vm.nr_vcpus = 1;
	vm.vcpu[0].vm = &vm;
	host_percpu_init(&vm.vcpu[0]); /* the LAPIC page is the accessing vCPU's */
	for (unsigned i = 0; i < nr_devices; i++)
		CHECK(devices[i]->create(&vm.dev, &cfg, &err));
}

static void one_access(const u8 *r)
{
	bool mmio = r[0] & 1, write = r[0] & 2;
	u32 size = 1U << ((r[0] >> 2) & 3);
	unsigned region = r[0] >> 4;
	u64 off = (u64)r[1] | ((u64)r[2] << 8), val, addr;
	struct bus_space *s = mmio ? &vm.bus.mmio : &vm.bus.pio;
	enum bus_result res;

	memcpy(&val, r + 4, 8);
	if (!mmio && size == 8)
		size = 4; /* port I/O is at most 4 bytes */
	if (region == 15 || s->n == 0)
		addr = mmio ? 0xfec00000ULL + off : off;
	else
		addr = s->r[region % s->n].base + off - 8;
	if (write) {
		res = bus_guest_write(s, addr, size, val, "fuzz");
		CHECK(res == BUS_OK || res == BUS_UNCLAIMED);
		return;
	}
	val = 0x5a5a5a5a5a5a5a5aULL;
	res = bus_guest_read(s, addr, size, &val, "fuzz");
	CHECK(res == BUS_OK || res == BUS_UNCLAIMED);
	CHECK(size == 8 || (val >> (8 * size)) == 0);
	for (u32 i = 0; i < size; i++)
		if (!bus_find(s, addr + i, 1))
			CHECK(((val >> (8 * i)) & 0xff) == 0xff);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	if (!nr_devices)
		find_devices();
	build_vm();
	for (size_t at = 0; at + 12 <= size && at < 12 * 4096; at += 12)
		one_access(data + at);
	return 0;
}
