/* hv/dev/pci/pci_host.c: configuration mechanism #1, the host bridge, absent
 * functions, a registered function, and the reset byte at 0xcf9. */
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <string.h>
#include "fake_vm.h"

static unsigned resets;

void vm_reset(struct vm *m)
{
	assert_ptr_equal(m, &vm);
	resets++;
}

static u32 cfg(u32 bus, u32 dev, u32 fn, u32 reg, u32 size)
{
	pio_out(0xcf8, 4, 0x80000000U | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
	return pio_in((u16)(0xcfc + (reg & 3)), size);
}

static int setup(void **state)
{
	const char *err = NULL;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	resets = 0;
	assert_non_null(pci_host_attach(&vm.dev, &err));
	return 0;
}

static void test_host_bridge(void **state)
{
	(void)state;
	assert_int_equal(cfg(0, 0, 0, 0x00, 4), PC_PCI_HOST_DEVICE << 16 | PC_PCI_HOST_VENDOR);
	assert_int_equal(cfg(0, 0, 0, 0x00, 2), PC_PCI_HOST_VENDOR);
	assert_int_equal(cfg(0, 0, 0, 0x02, 2), PC_PCI_HOST_DEVICE);
	assert_int_equal(cfg(0, 0, 0, 0x0a, 2), 0x0600);  /* class: host bridge */
	assert_int_equal(cfg(0, 0, 0, 0x08, 4) >> 8, 0x060000);
	assert_int_equal(cfg(0, 0, 0, 0x0e, 1), 0);       /* header type 0, one function */
	assert_int_equal(cfg(0, 0, 0, 0x10, 4), 0);       /* no BARs */
	/* read-only identity; the command register takes writes */
	pio_out(0xcfc, 4, 0xdeadbeef);
	assert_int_equal(cfg(0, 0, 0, 0x00, 4), PC_PCI_HOST_DEVICE << 16 | PC_PCI_HOST_VENDOR);
	cfg(0, 0, 0, 0x04, 2);
	pio_out(0xcfc, 2, 0x0007);
	assert_int_equal(cfg(0, 0, 0, 0x04, 2), 0x0007);
	pio_out(0xcfc, 1, 0x02);
	assert_int_equal(cfg(0, 0, 0, 0x04, 2), 0x0002);
	pio_out(0xcf8, 4, 0x80000010U);
	pio_out(0xcfc, 4, 0xffffffffU); /* BAR sizing */
	assert_int_equal(pio_in(0xcfc, 4), 0);
}

static void test_absent_and_disabled(void **state)
{
	(void)state;
	assert_int_equal(cfg(0, 1, 0, 0x00, 4), 0xffffffffU);
	assert_int_equal(cfg(0, 0, 1, 0x00, 2), 0xffff);
	assert_int_equal(cfg(1, 0, 0, 0x00, 4), 0xffffffffU);
	assert_int_equal(cfg(255, 31, 7, 0xfc, 1), 0xff);
	pio_out(0xcfc, 4, 0); /* dropped */
	pio_out(0xcf8, 4, 0x00000000U); /* enable bit clear: nothing selected */
	assert_int_equal(pio_in(0xcfc, 4), 0xffffffffU);
	/* CONFIG_ADDRESS: dword only, low two bits and bits 24-30 read 0 */
	pio_out(0xcf8, 4, 0xff00ff03U);
	assert_int_equal(pio_in(0xcf8, 4), 0x8000fc00U | 0xff00U);
}

static void test_linux_type1_probe(void **state)
{
	u32 tmp;

	(void)state;
	/* arch/x86/pci/direct.c pci_check_type1 */
	pio_out(0xcfb, 1, 0x01);
	tmp = pio_in(0xcf8, 4);
	pio_out(0xcf8, 4, 0x80000000U);
	assert_int_equal(pio_in(0xcf8, 4), 0x80000000U);
	pio_out(0xcf8, 4, tmp);
	/* type 2 probe must not see a type 2 host */
	pio_out(0xcfb, 1, 0);
	pio_out(0xcf8, 1, 0);
	pio_out(0xcfa, 1, 0);
	assert_int_not_equal(pio_in(0xcf8, 1), 0);
	assert_int_equal(resets, 0);
}

static void test_reset_control(void **state)
{
	u8 cf9;

	(void)state;
	pio_out(0xcf8, 4, 0x80000000U);
	/* Linux's reboot via 0xcf9 (arch/x86/kernel/reboot.c) */
	cf9 = (u8)(pio_in(0xcf9, 1) & ~6);
	pio_out(0xcf9, 1, cf9 | 2);
	assert_int_equal(resets, 0);
	assert_int_equal(pio_in(0xcf9, 1), 2);
	pio_out(0xcf9, 1, cf9 | 6);
	assert_int_equal(resets, 1);
	assert_int_equal(pio_in(0xcf9, 1), 2); /* bit 2 does not read back */
	/* the address register is untouched by the byte */
	assert_int_equal(pio_in(0xcf8, 4), 0x80000000U);
	/* a dword write to 0xcf8 with bit 10 set is an address, not a reset */
	pio_out(0xcf8, 4, 0x80000400U);
	assert_int_equal(resets, 1);
	/* word access at 0xcf9 or 0xcfa: ISA bus, ignored */
	pio_out(0xcfa, 2, 0xffff);
	assert_int_equal(resets, 1);
}

static u8 fn_cfg[256];
static u32 fn_read(void *dev, u32 off, u32 size)
{
	assert_ptr_equal(dev, fn_cfg);
	return pci_cfg_get(fn_cfg, off, size);
}
static void fn_write(void *dev, u32 off, u32 size, u32 val)
{
	pci_cfg_put(dev, off, size, val);
}
static const struct pci_func_ops fn_ops = { fn_read, fn_write, NULL, NULL };

static void test_registry(void **state)
{
	(void)state;
	pci_cfg_put(fn_cfg, 0, 4, 0x10001af4U); /* a virtio device */
	assert_true(pci_register_function(&vm.dev, PCI_BDF(0, 3, 0), &fn_ops, fn_cfg));
	assert_false(pci_register_function(&vm.dev, PCI_BDF(0, 3, 0), &fn_ops, fn_cfg));
	assert_false(pci_register_function(&vm.dev, PCI_BDF(0, 0, 0), &fn_ops, fn_cfg));
	assert_int_equal(cfg(0, 3, 0, 0x00, 4), 0x10001af4U);
	cfg(0, 3, 0, 0x40, 4);
	pio_out(0xcfe, 2, 0xbeef);
	assert_int_equal(fn_cfg[0x42], 0xef);
	assert_int_equal(cfg(0, 3, 0, 0x42, 2), 0xbeef);
	for (u32 i = 1; i < PCI_MAX_FUNCS - 1; i++)
		assert_true(pci_register_function(&vm.dev, PCI_BDF(1, i, 0), &fn_ops, fn_cfg));
	assert_false(pci_register_function(&vm.dev, PCI_BDF(2, 0, 0), &fn_ops, fn_cfg));
	{
		struct vm other;
		memset(&other, 0, sizeof(other));
		vm_init_dev_host(&other);
		assert_false(pci_register_function(&other.dev, PCI_BDF(0, 1, 0), &fn_ops, fn_cfg));
	}
}

static u64 ecam_in(u32 dev, u32 fn, u32 reg, u32 size)
{
	u64 v = 0xdead;

	assert_int_equal(bus_read(&vm.bus.mmio, PC_PCI_ECAM_BASE + (dev << 15 | fn << 12 | reg),
				  size, &v), BUS_OK);
	return v;
}

/* PCI Express 3.0 7.2.2: the same functions through ECAM at
 * PC_PCI_ECAM_BASE, 4 KiB each, bus 0 only (the region is 1 MiB). */
static void test_ecam(void **state)
{
	u64 v;

	(void)state;
	memset(fn_cfg, 0, sizeof(fn_cfg));
	pci_cfg_put(fn_cfg, 0, 4, 0x10421af4U);
	assert_true(pci_register_function(&vm.dev, PCI_BDF(0, 5, 2), &fn_ops, fn_cfg));
	assert_int_equal(ecam_in(0, 0, 0, 4), PC_PCI_HOST_DEVICE << 16 | PC_PCI_HOST_VENDOR);
	assert_int_equal(ecam_in(0, 0, 0x0a, 2), 0x0600);
	assert_int_equal(ecam_in(5, 2, 0, 4), 0x10421af4U);
	assert_int_equal(ecam_in(5, 2, 3, 1), 0x10);
	/* the same registers as mechanism #1 */
	assert_int_equal(bus_write(&vm.bus.mmio, PC_PCI_ECAM_BASE + (5 << 15 | 2 << 12 | 0x44), 2,
				   0x1234), BUS_OK);
	assert_int_equal(cfg(0, 5, 2, 0x44, 2), 0x1234);
	pio_out(0xcf8, 4, 0x80000000U | 5 << 11 | 2 << 8 | 0x48);
	pio_out(0xcfc, 4, 0xcafef00dU);
	assert_int_equal(ecam_in(5, 2, 0x48, 4), 0xcafef00dU);
	/* extended space of a present function: zero, writes dropped */
	assert_int_equal(ecam_in(5, 2, 0x100, 4), 0);
	assert_int_equal(ecam_in(5, 2, 0xffc, 4), 0);
	assert_int_equal(bus_write(&vm.bus.mmio, PC_PCI_ECAM_BASE + (5 << 15 | 2 << 12 | 0x100),
				   4, ~0ULL), BUS_OK);
	assert_int_equal(ecam_in(5, 2, 0x100, 4), 0);
	assert_int_equal(ecam_in(0, 0, 0x800, 2), 0);
	/* absent functions: all ones */
	assert_int_equal(ecam_in(5, 3, 0, 4), 0xffffffffU);
	assert_int_equal(ecam_in(31, 7, 0xfff, 1), 0xff);
	assert_int_equal(ecam_in(5, 3, 0x200, 2), 0xffff);
	/* only bus 0: the next MiB is not ECAM */
	assert_null(bus_find(&vm.bus.mmio, PC_PCI_ECAM_BASE + MiB(1), 1));
	assert_non_null(bus_find(&vm.bus.mmio, PC_PCI_ECAM_BASE + MiB(1) - 1, 1));
	/* 8-byte and dword-crossing accesses are refused; the guest's path
	 * reads them as all ones */
	assert_int_equal(bus_read(&vm.bus.mmio, PC_PCI_ECAM_BASE + (5 << 15 | 2 << 12), 8, &v),
			 BUS_BAD_ACCESS);
	assert_int_equal(bus_read(&vm.bus.mmio, PC_PCI_ECAM_BASE + (5 << 15 | 2 << 12 | 2), 4, &v),
			 BUS_BAD_ACCESS);
	assert_int_equal(bus_write(&vm.bus.mmio, PC_PCI_ECAM_BASE + (5 << 15 | 2 << 12 | 3), 2, 0),
			 BUS_BAD_ACCESS);
	assert_int_equal(bus_guest_read(&vm.bus.mmio, PC_PCI_ECAM_BASE + (5 << 15 | 2 << 12 | 0x44),
					8, &v, "t"), BUS_OK);
	assert_int_equal(v, ~0ULL);
	assert_int_equal(cfg(0, 5, 2, 0x44, 2), 0x1234);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_host_bridge, setup),
		cmocka_unit_test_setup(test_absent_and_disabled, setup),
		cmocka_unit_test_setup(test_linux_type1_probe, setup),
		cmocka_unit_test_setup(test_reset_control, setup),
		cmocka_unit_test_setup(test_registry, setup),
		cmocka_unit_test_setup(test_ecam, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
