/* hv/dev/pci/pci_{func,window,msix}.c: an emulated function's type 0
 * header (PCI 3.0 6.1-6.2), BAR sizing (6.2.5.1), 32/64-bit and I/O BARs,
 * moving BARs and the windows that follow them, command register gating,
 * the capability list (6.7), MSI-X (6.8.2; SDM vol. 3 10.11) and INTx. */
#include "unit.h"
#include <bulkhead/apic_bus.h>
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/pci_func_priv.h>
#include <string.h>
#include "fake_vm.h"

/* What the function sent: INTx wire levels and APIC messages. */
static bool line[PC_IOAPIC_PINS];
static unsigned line_calls;
static struct apic_msg sent[16];
static unsigned nsent;

void vm_irq_set(struct vm *m, u32 gsi, bool level)
{
	assert_ptr_equal(m, &vm);
	assert_true(gsi < PC_IOAPIC_PINS);
	line[gsi] = level;
	line_calls++;
}

void vm_apic_send(struct vm *m, const struct vlapic *from, const struct apic_msg *msg)
{
	assert_ptr_equal(m, &vm);
	assert_null(from);
	assert_true(nsent < 16);
	sent[nsent++] = *msg;
}

/* A device behind BAR 0 and BAR 1: remembers the last access. */
struct regs {
	u64 last_off, last_val;
	u32 last_size;
	unsigned reads, writes;
};
static struct regs r0, r1;

static enum bus_result regs_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct regs *r = dev;

	r->last_off = off;
	r->last_size = size;
	r->reads++;
	*val = 0xa5a5a5a5a5a5a5a5ULL ^ off;
	return BUS_OK;
}

static enum bus_result regs_write(void *dev, u64 off, u32 size, u64 val)
{
	struct regs *r = dev;

	r->last_off = off;
	r->last_size = size;
	r->last_val = val;
	r->writes++;
	return BUS_OK;
}

static const struct bus_dev_ops regs_ops = { regs_read, regs_write, NULL };

#define SLOT 3
#define MEM0 PC_PCI_MMIO_BASE           /* BAR 0, 4 KiB, first placed */
#define MEM2 (PC_PCI_MMIO_BASE + 0x4000) /* BAR 2-3, 16 KiB, 64-bit */
#define IO1  PC_PCI_IO_BASE             /* BAR 1, 32 ports */

static struct pci_func *f;

static int setup(void **state)
{
	const char *err = NULL;
	const struct pci_func_id id = { 0x1b36, 0x0005, 0x1af4, 0x1100, 2, 0x00ff00, 1 };

	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(line, 0, sizeof(line));
	memset(&r0, 0, sizeof(r0));
	memset(&r1, 0, sizeof(r1));
	line_calls = nsent = 0;
	vm_init_dev_host(&vm);
	assert_non_null(pci_host_attach(&vm.dev, &err));
	f = pci_func_create(&vm.dev, PCI_BDF(0, SLOT, 0), &id, &err);
	assert_non_null(f);
	assert_true(pci_func_add_bar(f, 0, PCI_BAR_MEM32, 0x1000, &regs_ops, &r0, "r0"));
	assert_true(pci_func_add_bar(f, 1, PCI_BAR_IO, 32, &regs_ops, &r1, "r1"));
	assert_true(pci_func_add_bar(f, 2, PCI_BAR_MEM64, 0x4000, NULL, NULL, "msix"));
	return 0;
}

static u32 cfg_in(u32 slot, u32 reg, u32 size)
{
	u64 v;

	assert_int_equal(bus_read(&vm.bus.mmio, PC_PCI_ECAM_BASE + (slot << 15 | reg), size, &v),
			 BUS_OK);
	return (u32)v;
}

static void cfg_out(u32 slot, u32 reg, u32 size, u32 val)
{
	assert_int_equal(bus_write(&vm.bus.mmio, PC_PCI_ECAM_BASE + (slot << 15 | reg), size, val),
			 BUS_OK);
}

static u64 mem_in(u64 addr, u32 size)
{
	u64 v = 0;

	assert_int_not_equal(bus_guest_read(&vm.bus.mmio, addr, size, &v, "t"), BUS_UNCLAIMED);
	return v;
}

static void mem_out(u64 addr, u32 size, u64 v)
{
	assert_int_not_equal(bus_guest_write(&vm.bus.mmio, addr, size, v, "t"), BUS_UNCLAIMED);
}

static void test_header(void **state)
{
	(void)state;
	assert_int_equal(cfg_in(SLOT, 0, 4), 0x00051b36U);
	assert_int_equal(cfg_in(SLOT, 0x08, 4), 0x00ff0002U); /* class, revision */
	assert_int_equal(cfg_in(SLOT, 0x0e, 1), 0);           /* type 0, one function */
	assert_int_equal(cfg_in(SLOT, 0x2c, 4), 0x11001af4U); /* subsystem */
	assert_int_equal(cfg_in(SLOT, 0x3d, 1), 1);           /* INTA# */
	assert_int_equal(cfg_in(SLOT, 0x04, 2), 0);           /* decoding off at reset */
	assert_int_equal(cfg_in(SLOT, 0x06, 2) & PCI_STATUS_CAPS, 0);
	assert_int_equal(cfg_in(SLOT, 0x30, 4), 0);           /* no expansion ROM */
	/* identity is read-only; command keeps only its defined bits */
	cfg_out(SLOT, 0, 4, 0);
	cfg_out(SLOT, 0x08, 4, ~0U);
	assert_int_equal(cfg_in(SLOT, 0, 4), 0x00051b36U);
	assert_int_equal(cfg_in(SLOT, 0x08, 4), 0x00ff0002U);
	cfg_out(SLOT, 0x04, 2, 0xffff);
	assert_int_equal(cfg_in(SLOT, 0x04, 2), 0x0547);
	cfg_out(SLOT, 0x05, 1, 0);
	assert_int_equal(cfg_in(SLOT, 0x04, 2), 0x0047);
	/* line and cache line size are read/write, pin is not */
	cfg_out(SLOT, 0x3c, 2, 0x0b0b);
	assert_int_equal(cfg_in(SLOT, 0x3c, 2), 0x010b);
	/* functions other than 0, bus other than 0, slot 0: refused */
	{
		const char *err = NULL;
		const struct pci_func_id id = { 1, 2, 0, 0, 0, 0, 0 };

		assert_null(pci_func_create(&vm.dev, PCI_BDF(0, 4, 1), &id, &err));
		assert_null(pci_func_create(&vm.dev, PCI_BDF(1, 4, 0), &id, &err));
		assert_null(pci_func_create(&vm.dev, PCI_BDF(0, 0, 0), &id, &err));
		assert_null(pci_func_create(&vm.dev, PCI_BDF(0, SLOT, 0), &id, &err));
		assert_non_null(err);
	}
}

/* 6.2.5.1: write all ones, read back the size mask and the type bits. */
static void test_sizing(void **state)
{
	(void)state;
	assert_int_equal(cfg_in(SLOT, 0x10, 4), (u32)MEM0);
	assert_int_equal(cfg_in(SLOT, 0x14, 4), IO1 | 1);
	assert_int_equal(cfg_in(SLOT, 0x18, 4), (u32)MEM2 | 4);
	assert_int_equal(cfg_in(SLOT, 0x1c, 4), 0);
	assert_int_equal(cfg_in(SLOT, 0x20, 4), 0);
	cfg_out(SLOT, 0x10, 4, ~0U);
	assert_int_equal(cfg_in(SLOT, 0x10, 4), 0xfffff000U);
	cfg_out(SLOT, 0x14, 4, ~0U);
	assert_int_equal(cfg_in(SLOT, 0x14, 4), 0x0000ffe1U); /* 16-bit I/O decode */
	cfg_out(SLOT, 0x18, 4, ~0U);
	cfg_out(SLOT, 0x1c, 4, ~0U);
	assert_int_equal(cfg_in(SLOT, 0x18, 4), 0xffffc004U);
	assert_int_equal(cfg_in(SLOT, 0x1c, 4), 0xffffffffU);
	cfg_out(SLOT, 0x20, 4, ~0U); /* unused BARs stay zero */
	assert_int_equal(cfg_in(SLOT, 0x20, 4), 0);
	/* restore, byte by byte for BAR 0 */
	for (u32 i = 0; i < 4; i++)
		cfg_out(SLOT, 0x10 + i, 1, (u32)(MEM0 >> (8 * i)) & 0xff);
	assert_int_equal(cfg_in(SLOT, 0x10, 4), (u32)MEM0);
	/* bad BARs are refused */
	assert_false(pci_func_add_bar(f, 4, PCI_BAR_MEM32, 0x3000, &regs_ops, &r0, "x"));
	assert_false(pci_func_add_bar(f, 4, PCI_BAR_MEM32, 8, &regs_ops, &r0, "x"));
	assert_false(pci_func_add_bar(f, 4, PCI_BAR_IO, 2, &regs_ops, &r0, "x"));
	assert_false(pci_func_add_bar(f, 5, PCI_BAR_MEM64, 0x1000, &regs_ops, &r0, "x"));
	assert_false(pci_func_add_bar(f, 3, PCI_BAR_MEM32, 0x1000, &regs_ops, &r0, "x"));
	assert_false(pci_func_add_bar(f, 0, PCI_BAR_MEM32, 0x1000, &regs_ops, &r0, "x"));
	assert_false(pci_func_add_bar(f, 6, PCI_BAR_MEM32, 0x1000, &regs_ops, &r0, "x"));
	assert_false(pci_func_add_bar(f, 4, PCI_BAR_MEM32, PC_PCI_MMIO_SIZE * 2, &regs_ops, &r0, "x"));
	assert_false(pci_func_add_bar(f, 4, PCI_BAR_NONE, 0x1000, &regs_ops, &r0, "x"));
	/* the window fills up: no placement, no BAR */
	assert_true(pci_func_add_bar(f, 4, PCI_BAR_IO, PC_PCI_IO_SIZE / 2, &regs_ops, &r1, "big"));
	assert_false(pci_func_add_bar(f, 5, PCI_BAR_IO, PC_PCI_IO_SIZE / 2, &regs_ops, &r1, "x"));
	assert_int_equal(cfg_in(SLOT, 0x20, 4), (PC_PCI_IO_BASE + PC_PCI_IO_SIZE / 2) | 1);
}

static void test_dispatch_and_move(void **state)
{
	u64 v;

	(void)state;
	/* decoding off: nothing there */
	assert_int_equal(mem_in(MEM0 + 8, 4), 0xffffffffU);
	assert_int_equal(r0.reads, 0);
	cfg_out(SLOT, 0x04, 2, PCI_CMD_MEM);
	assert_int_equal(mem_in(MEM0 + 8, 4), 0xa5a5a5adU);
	assert_int_equal(r0.last_off, 8);
	mem_out(MEM0 + 0x10, 8, 0x1122334455667788ULL);
	assert_int_equal(r0.last_off, 0x10);
	assert_int_equal(r0.last_size, 8);
	assert_int_equal(r0.last_val, 0x1122334455667788ULL);
	/* I/O still off */
	assert_int_equal(bus_guest_read(&vm.bus.pio, IO1 + 2, 2, &v, "t"), BUS_OK);
	assert_int_equal(v, 0xffff);
	cfg_out(SLOT, 0x04, 2, PCI_CMD_MEM | PCI_CMD_IO);
	assert_int_equal(bus_guest_read(&vm.bus.pio, IO1 + 2, 2, &v, "t"), BUS_OK);
	assert_int_equal(v, 0xa5a7);
	assert_int_equal(r1.last_off, 2);
	/* move BAR 0: the old address goes dark, the new one decodes */
	cfg_out(SLOT, 0x10, 4, (u32)(PC_PCI_MMIO_BASE + 0x100000));
	assert_int_equal(mem_in(MEM0 + 8, 4), 0xffffffffU);
	r0.reads = 0;
	assert_int_equal(mem_in(PC_PCI_MMIO_BASE + 0x100004, 4), 0xa5a5a5a1U);
	assert_int_equal(r0.reads, 1);
	/* move the I/O BAR */
	cfg_out(SLOT, 0x14, 4, PC_PCI_IO_BASE + 0x800);
	assert_int_equal(bus_guest_read(&vm.bus.pio, PC_PCI_IO_BASE + 0x801, 1, &v, "t"), BUS_OK);
	assert_int_equal(v, 0xa4);
	assert_int_equal(bus_guest_read(&vm.bus.pio, IO1 + 1, 1, &v, "t"), BUS_OK);
	assert_int_equal(v, 0xff);
	/* command gating: memory off, I/O on */
	cfg_out(SLOT, 0x04, 2, PCI_CMD_IO);
	r0.reads = 0;
	assert_int_equal(mem_in(PC_PCI_MMIO_BASE + 0x100004, 4), 0xffffffffU);
	mem_out(PC_PCI_MMIO_BASE + 0x100004, 4, 0);
	assert_int_equal(r0.reads, 0);
	assert_int_equal(r0.writes, 1);
	cfg_out(SLOT, 0x04, 2, PCI_CMD_MEM | PCI_CMD_IO);
	/* an access running past the BAR's end is refused (all ones) */
	r0.reads = 0;
	assert_int_equal(mem_in(PC_PCI_MMIO_BASE + 0x100ffc, 8), ~0ULL);
	/* outside the window: decodes nothing, anywhere */
	cfg_out(SLOT, 0x10, 4, 0x80000000U);
	assert_int_equal(mem_in(PC_PCI_MMIO_BASE + 0x100004, 4), 0xffffffffU);
	cfg_out(SLOT, 0x10, 4, (u32)(PC_PCI_MMIO_BASE + PC_PCI_MMIO_SIZE - 0x1000));
	assert_int_equal(mem_in(PC_PCI_MMIO_BASE + PC_PCI_MMIO_SIZE - 4, 4), 0xa5a5aa59U);
	assert_int_equal(r0.reads, 1);
	/* a 64-bit BAR moved above 4 GiB decodes nothing; back, it does */
	cfg_out(SLOT, 0x1c, 4, 1);
	assert_int_equal(cfg_in(SLOT, 0x1c, 4), 1);
	assert_int_equal(mem_in(MEM2, 4), 0xffffffffU);
	cfg_out(SLOT, 0x1c, 4, 0);
	assert_int_equal(mem_in(MEM2 + 0x100, 4), 0); /* no ops: reads zero */
}

/* The windows hold PCI_WINDOW_BARS BARs of the VM's functions at most:
 * the firmware places no more. */
static void test_bar_limit(void **state)
{
	const char *err = NULL;
	u32 placed = 3; /* by setup */

	(void)state;
	for (u32 slot = 4; placed < PCI_WINDOW_BARS; slot++) {
		const struct pci_func_id id = { 0x1234, (u16)slot, 0, 0, 0, 0, 0 };
		struct pci_func *g = pci_func_create(&vm.dev, PCI_BDF(0, slot, 0), &id, &err);

		assert_non_null(g);
		for (u32 i = 0; i < PCI_FUNC_BARS && placed < PCI_WINDOW_BARS; i++, placed++)
			assert_true(pci_func_add_bar(g, i, PCI_BAR_IO, 4, &regs_ops, &r1, "io"));
		if (placed == PCI_WINDOW_BARS) {
			assert_false(pci_func_add_bar(g, 5, PCI_BAR_IO, 4, &regs_ops, &r1, "io"));
			/* the last one placed decodes once enabled */
			cfg_out(slot, 0x04, 2, PCI_CMD_IO);
		}
	}
	assert_false(pci_func_add_bar(f, 4, PCI_BAR_MEM32, 0x1000, &regs_ops, &r0, "x"));
	{
		/* 4-port BARs follow IO1's 32 ports: the 61st is the last */
		u64 v = 0, last = PC_PCI_IO_BASE + 32 + 4 * (PCI_WINDOW_BARS - 3 - 1);

		r1.reads = 0;
		assert_int_equal(bus_guest_read(&vm.bus.pio, last + 2, 2, &v, "t"), BUS_OK);
		assert_int_equal(r1.reads, 1);
		assert_int_equal(r1.last_off, 2);
		assert_int_equal(bus_guest_read(&vm.bus.pio, last + 4, 2, &v, "t"), BUS_OK);
		assert_int_equal(v, 0xffff);
		assert_int_equal(r1.reads, 1);
	}
}

/* A BAR moved onto another: both decode nothing until one moves away. */
static void test_overlap(void **state)
{
	const char *err = NULL;
	const struct pci_func_id id = { 0x1234, 0x11, 0, 0, 0, 0, 0 };
	struct regs r9 = { 0 };
	struct pci_func *g = pci_func_create(&vm.dev, PCI_BDF(0, 9, 0), &id, &err);

	(void)state;
	assert_non_null(g);
	assert_true(pci_func_add_bar(g, 0, PCI_BAR_MEM32, 0x2000, &regs_ops, &r9, "r9"));
	assert_int_equal(cfg_in(9, 0x10, 4), (u32)(PC_PCI_MMIO_BASE + 0x8000)); /* after MEM2 */
	cfg_out(SLOT, 0x04, 2, PCI_CMD_MEM);
	cfg_out(9, 0x04, 2, PCI_CMD_MEM);
	assert_int_equal(mem_in(MEM0, 4), 0xa5a5a5a5U);
	assert_int_equal(mem_in(PC_PCI_MMIO_BASE + 0x8000, 4), 0xa5a5a5a5U);
	assert_int_equal(r9.reads, 1);
	/* g's BAR over f's BAR 0 (and the first page of MEM2's neighbour) */
	cfg_out(9, 0x10, 4, (u32)MEM0);
	r0.reads = r9.reads = 0;
	assert_int_equal(mem_in(MEM0, 4), 0xffffffffU);
	assert_int_equal(mem_in(MEM0 + 0x1800, 4), 0xffffffffU);
	assert_int_equal(r0.reads + r9.reads, 0);
	/* g stops decoding memory: f's BAR is alone again */
	cfg_out(9, 0x04, 2, 0);
	assert_int_equal(mem_in(MEM0, 4), 0xa5a5a5a5U);
	/* g decodes again, moved away: both work */
	cfg_out(9, 0x04, 2, PCI_CMD_MEM);
	assert_int_equal(mem_in(MEM0, 4), 0xffffffffU);
	cfg_out(9, 0x10, 4, (u32)(PC_PCI_MMIO_BASE + 0x10000));
	assert_int_equal(mem_in(MEM0, 4), 0xa5a5a5a5U);
	assert_int_equal(mem_in(PC_PCI_MMIO_BASE + 0x10000, 4), 0xa5a5a5a5U);
	assert_int_equal(r0.reads, 2);
	assert_int_equal(r9.reads, 1);
}

static void test_caps(void **state)
{
	const u8 a[] = { 0x10, 0x20, 0x30 }, b[] = { 0x44, 0x55, 0x66, 0x77, 0x88, 0x99 };
	u8 ids[8];
	unsigned n = 0;

	(void)state;
	assert_int_equal(pci_func_add_cap(f, 0x09, a, sizeof(a)), 0x40);
	assert_int_equal(pci_func_add_cap(f, 0x09, b, sizeof(b)), 0x48);
	assert_true(pci_func_add_msix(f, 4, 2, 0, 0x800));
	assert_true(cfg_in(SLOT, 0x06, 2) & PCI_STATUS_CAPS);
	/* walk the list as an OS does (6.7) */
	for (u32 p = cfg_in(SLOT, 0x34, 1); p; p = cfg_in(SLOT, p + 1, 1)) {
		assert_true(n < 8);
		assert_int_equal(p & 3, 0);
		assert_true(p >= 0x40);
		ids[n++] = (u8)cfg_in(SLOT, p, 1);
	}
	assert_int_equal(n, 3);
	assert_int_equal(ids[0], 0x09);
	assert_int_equal(ids[1], 0x09);
	assert_int_equal(ids[2], PCI_CAP_ID_MSIX);
	assert_int_equal(cfg_in(SLOT, 0x42, 1), 0x10);
	assert_int_equal(cfg_in(SLOT, 0x4a, 2), 0x5544);
	assert_int_equal(cfg_in(SLOT, 0x4c, 4), 0x99887766U);
	/* read-only for the guest */
	cfg_out(SLOT, 0x40, 4, 0);
	cfg_out(SLOT, 0x34, 1, 0);
	assert_int_equal(cfg_in(SLOT, 0x34, 1), 0x40);
	assert_int_equal(cfg_in(SLOT, 0x40, 4), 0x20104809U);
	/* the list ends where config space does */
	assert_int_equal(pci_func_add_cap(f, 0x09, NULL, 256), 0);
	assert_int_equal(pci_func_add_cap(f, 0x09, NULL, 0xffffffffU), 0);
	{
		static const u8 big[150];

		assert_int_equal(pci_func_add_cap(f, 0x0a, big, sizeof(big)), 0x5c);
		/* 0x5c + 2 + 150 = 0xf4: room for 2 + 10 bytes */
		assert_int_equal(pci_func_add_cap(f, 0x0a, big, 11), 0);
		assert_int_equal(pci_func_add_cap(f, 0x0a, big, 10), 0xf4);
		assert_int_equal(pci_func_add_cap(f, 0x0a, NULL, 0), 0);
		assert_int_equal(cfg_in(SLOT, 0xf4, 1), 0x0a);
		assert_int_equal(cfg_in(SLOT, 0x5d, 1), 0xf4);
		assert_int_equal(cfg_in(SLOT, 0xf5, 1), 0);
	}
	/* MSI-X set up once, and only inside a memory BAR */
	assert_false(pci_func_add_msix(f, 4, 2, 0x1000, 0x800));
}

static void msix_setup(void)
{
	assert_true(pci_func_add_msix(f, 8, 2, 0x1000, 0x3000));
	cfg_out(SLOT, 0x04, 2, PCI_CMD_MEM | PCI_CMD_MASTER);
}

static void entry(u32 v, u32 addr, u32 data, u32 ctrl)
{
	mem_out(MEM2 + 0x1000 + 16 * v, 4, addr);
	mem_out(MEM2 + 0x1000 + 16 * v + 4, 4, 0);
	mem_out(MEM2 + 0x1000 + 16 * v + 8, 4, data);
	mem_out(MEM2 + 0x1000 + 16 * v + 12, 4, ctrl);
}

static void test_msix_table(void **state)
{
	u8 cap;

	(void)state;
	msix_setup();
	cap = (u8)cfg_in(SLOT, 0x34, 1);
	assert_int_equal(cfg_in(SLOT, cap, 1), PCI_CAP_ID_MSIX);
	assert_int_equal(cfg_in(SLOT, cap + 2, 2), 7);              /* N - 1, off, unmasked */
	assert_int_equal(cfg_in(SLOT, cap + 4, 4), 0x1000 | 2);     /* table: BAR 2 */
	assert_int_equal(cfg_in(SLOT, cap + 8, 4), 0x3000 | 2);     /* PBA: BAR 2 */
	cfg_out(SLOT, cap + 2, 2, 0xffff);                          /* size is read-only */
	assert_int_equal(cfg_in(SLOT, cap + 2, 2), 0xc007);
	cfg_out(SLOT, cap + 2, 2, 0);
	/* entries come out of reset masked (6.8.2.9) */
	for (u32 v = 0; v < 8; v++)
		assert_int_equal(mem_in(MEM2 + 0x1000 + 16 * v + 12, 4), 1);
	mem_out(MEM2 + 0x1000, 8, 0x00000000fee0100fULL);
	assert_int_equal(mem_in(MEM2 + 0x1000, 8), 0xfee0100cULL); /* bits 1:0 read zero */
	mem_out(MEM2 + 0x1008, 8, 0xfffffffe00004041ULL);
	assert_int_equal(mem_in(MEM2 + 0x1008, 4), 0x4041);
	assert_int_equal(mem_in(MEM2 + 0x100c, 4), 0);             /* only bit 0 is kept */
	/* other sizes and alignments: refused, all ones, no change */
	assert_int_equal(mem_in(MEM2 + 0x1008, 2), 0xffff);
	assert_int_equal(mem_in(MEM2 + 0x1004, 8), ~0ULL);
	mem_out(MEM2 + 0x1008, 1, 0x99);
	assert_int_equal(mem_in(MEM2 + 0x1008, 4), 0x4041);
	/* the PBA is read-only; past the table, the BAR has no ops: zero */
	mem_out(MEM2 + 0x3000, 8, ~0ULL);
	assert_int_equal(mem_in(MEM2 + 0x3000, 8), 0);
	assert_int_equal(mem_in(MEM2 + 0x1080, 4), 0);
}

static void test_msix_delivery(void **state)
{
	u8 cap;

	(void)state;
	msix_setup();
	cap = (u8)cfg_in(SLOT, 0x34, 1);
	entry(1, 0xfee03000U, 0x0031, 0);           /* APIC ID 3, fixed, vector 0x31 */
	entry(2, 0xfee0500cU, 0x0142, 0);           /* logical 5, lowest priority, 0x42 */
	entry(3, 0xfed00000U, 0x0050, 0);           /* not an interrupt address */
	entry(4, 0xfee00000U, 0x0451, 0);           /* NMI: not modelled */
	/* MSI-X disabled: INTx instead (pin 1 of slot 3: GSI 19) */
	pci_func_msix_notify(f, 1);
	assert_int_equal(nsent, 0);
	assert_false(line[PC_PCI_INTX_GSI_OF(SLOT, 0)]);
	pci_func_intx(f, false);
	assert_true(line[PC_PCI_INTX_GSI_OF(SLOT, 0)]);
	cfg_out(SLOT, cap + 3, 1, 0x80);
	assert_true(pci_func_msix_enabled(f));
	pci_func_msix_notify(f, 1);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].dest, 3);
	assert_false(sent[0].logical);
	assert_int_equal(sent[0].mode, APIC_FIXED);
	assert_int_equal(sent[0].vector, 0x31);
	assert_false(sent[0].level);
	pci_func_msix_notify(f, 2);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].dest, 5);
	assert_true(sent[1].logical);
	assert_int_equal(sent[1].mode, APIC_LOWEST);
	assert_int_equal(sent[1].vector, 0x42);
	/* bad addresses and modes are dropped, counted */
	pci_func_msix_notify(f, 3);
	pci_func_msix_notify(f, 4);
	pci_func_msix_notify(f, 8);                 /* beyond the table */
	pci_func_msix_notify(f, 0xffff);
	assert_int_equal(nsent, 2);
	assert_int_equal(f->msix.dropped, 2);
	/* a masked vector keeps its pending bit; unmasking delivers it */
	mem_out(MEM2 + 0x1000 + 16 + 12, 4, 1);
	pci_func_msix_notify(f, 1);
	pci_func_msix_notify(f, 1);
	assert_int_equal(nsent, 2);
	assert_int_equal(mem_in(MEM2 + 0x3000, 8), 1U << 1);
	assert_int_equal(mem_in(MEM2 + 0x3000, 4), 1U << 1);
	mem_out(MEM2 + 0x1000 + 16 + 12, 4, 0);
	assert_int_equal(nsent, 3);
	assert_int_equal(sent[2].vector, 0x31);
	assert_int_equal(mem_in(MEM2 + 0x3000, 8), 0);
	/* the function mask holds every vector */
	cfg_out(SLOT, cap + 3, 1, 0xc0);
	pci_func_msix_notify(f, 1);
	pci_func_msix_notify(f, 2);
	assert_int_equal(nsent, 3);
	assert_int_equal(mem_in(MEM2 + 0x3000, 4), 6);
	cfg_out(SLOT, cap + 2, 2, 0x8000);
	assert_int_equal(nsent, 5);
	assert_int_equal(mem_in(MEM2 + 0x3000, 4), 0);
	/* pending while disabled then enabled: delivered on enable */
	cfg_out(SLOT, cap + 3, 1, 0xc0);
	pci_func_msix_notify(f, 2);
	cfg_out(SLOT, cap + 3, 1, 0x00);            /* disabled: still pending */
	assert_int_equal(nsent, 5);
	cfg_out(SLOT, cap + 3, 1, 0x80);
	assert_int_equal(nsent, 6);
	assert_int_equal(sent[5].vector, 0x42);
	/* reset: off, masked, nothing pending */
	pci_func_msix_notify(f, 7);                 /* entry 7 still masked */
	assert_int_equal(mem_in(MEM2 + 0x3000, 4), 0x80);
	bus_reset(&vm.bus);
	assert_false(pci_func_msix_enabled(f));
	cfg_out(SLOT, 0x04, 2, PCI_CMD_MEM);
	assert_int_equal(mem_in(MEM2 + 0x3000, 4), 0);
	assert_int_equal(mem_in(MEM2 + 0x1000 + 16 + 12, 4), 1);
}

/* Plain MSI (6.8.1): 64-bit address, per-vector masking, the vector in
 * the low bits of the data; MSI-X takes precedence when both are on. */
static void test_msi(void **state)
{
	u8 cap;

	(void)state;
	assert_true(pci_func_add_msi(f, 2));          /* 4 vectors */
	assert_false(pci_func_add_msi(f, 2));
	assert_true(pci_func_add_msix(f, 4, 2, 0x1000, 0x3000));
	cap = (u8)cfg_in(SLOT, 0x34, 1);
	assert_int_equal(cfg_in(SLOT, cap, 1), 0x05);
	assert_int_equal(cfg_in(SLOT, cap + 2, 2), 0x0184); /* PVM, 64-bit, MMC 2 */
	cfg_out(SLOT, cap + 4, 4, 0xfee02003U);
	cfg_out(SLOT, cap + 8, 4, 0);
	cfg_out(SLOT, cap + 12, 4, 0xffff4060U);       /* reserved high half */
	assert_int_equal(cfg_in(SLOT, cap + 4, 4), 0xfee02000U);
	assert_int_equal(cfg_in(SLOT, cap + 12, 4), 0x4060);
	cfg_out(SLOT, cap + 16, 4, ~0U);
	assert_int_equal(cfg_in(SLOT, cap + 16, 4), 0xf); /* 4 mask bits */
	cfg_out(SLOT, cap + 16, 4, 0);
	cfg_out(SLOT, cap + 20, 4, ~0U);               /* pending: read-only */
	assert_int_equal(cfg_in(SLOT, cap + 20, 4), 0);
	/* enable with 2 vectors (MME 1) */
	cfg_out(SLOT, cap + 2, 2, 0x0011);
	assert_true(pci_func_msi_enabled(f));
	assert_int_equal(cfg_in(SLOT, cap + 2, 2), 0x0195);
	pci_func_msix_notify(f, 1);
	assert_int_equal(nsent, 1);
	assert_int_equal(sent[0].dest, 2);
	assert_int_equal(sent[0].vector, 0x61);           /* 0x60 | 1 */
	pci_func_msix_notify(f, 2);                       /* not enabled: dropped */
	assert_int_equal(nsent, 1);
	assert_true(line[PC_PCI_INTX_GSI_OF(SLOT, 0)]);   /* and no INTx */
	/* masked: pending until unmasked */
	cfg_out(SLOT, cap + 16, 1, 1);
	pci_func_msix_notify(f, 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(cfg_in(SLOT, cap + 20, 4), 1);
	cfg_out(SLOT, cap + 16, 1, 0);
	assert_int_equal(nsent, 2);
	assert_int_equal(sent[1].vector, 0x60);
	assert_int_equal(cfg_in(SLOT, cap + 20, 4), 0);
	/* MSI-X on too: MSI-X wins */
	cfg_out(SLOT, 0x04, 2, PCI_CMD_MEM);
	entry(0, 0xfee00000U, 0x70, 0);
	cfg_out(SLOT, cap + 24 + 3, 1, 0x80);             /* the MSI-X capability follows */
	assert_true(pci_func_msix_enabled(f));
	pci_func_msix_notify(f, 0);
	assert_int_equal(nsent, 3);
	assert_int_equal(sent[2].vector, 0x70);
	/* reset: off */
	bus_reset(&vm.bus);
	assert_false(pci_func_msi_enabled(f));
	assert_int_equal(cfg_in(SLOT, cap + 2, 2), 0x0184);
}

/* INTx: the level reaches GSI PC_PCI_INTX_GSI_OF(slot, pin - 1), active
 * low (the line idles high), unless command bit 10 is set; status bit 3
 * shows it either way; shared lines are wired-OR. */
static void test_intx(void **state)
{
	const char *err = NULL;
	const struct pci_func_id id = { 0x1234, 0x11, 0, 0, 0, 0, 1 };
	u32 gsi = PC_PCI_INTX_GSI_OF(SLOT, 0);
	struct pci_func *g;

	(void)state;
	assert_int_equal(gsi, 19);
	for (u32 i = 0; i < 4; i++)
		assert_true(line[PC_PCI_INTX_GSI + i]); /* pulled up */
	assert_int_equal(cfg_in(SLOT, 0x06, 2) & PCI_STATUS_INTX, 0);
	pci_func_intx(f, true);
	assert_false(line[gsi]);
	assert_int_equal(cfg_in(SLOT, 0x06, 2) & PCI_STATUS_INTX, PCI_STATUS_INTX);
	cfg_out(SLOT, 0x05, 1, PCI_CMD_INTX_OFF >> 8);
	assert_true(line[gsi]);
	assert_int_equal(cfg_in(SLOT, 0x06, 2) & PCI_STATUS_INTX, PCI_STATUS_INTX);
	cfg_out(SLOT, 0x05, 1, 0);
	assert_false(line[gsi]);
	/* slot 7 pin A shares GSI 19 with slot 3 pin A */
	g = pci_func_create(&vm.dev, PCI_BDF(0, 7, 0), &id, &err);
	assert_non_null(g);
	assert_int_equal(PC_PCI_INTX_GSI_OF(7, 0), gsi);
	pci_func_intx(g, true);
	pci_func_intx(f, false);
	assert_false(line[gsi]);
	assert_int_equal(cfg_in(SLOT, 0x06, 2) & PCI_STATUS_INTX, 0);
	pci_func_intx(g, false);
	assert_true(line[gsi]);
	/* a function without a pin never drives a line */
	line_calls = 0;
	{
		const struct pci_func_id nopin = { 0x1234, 0x12, 0, 0, 0, 0, 0 };
		struct pci_func *h = pci_func_create(&vm.dev, PCI_BDF(0, 11, 0), &nopin, &err);

		assert_non_null(h);
		pci_func_intx(h, true);
		pci_func_msix_notify(h, 0);
		assert_int_equal(cfg_in(11, 0x06, 2) & PCI_STATUS_INTX, 0);
	}
	assert_int_equal(line_calls, 0);
	/* reset deasserts */
	pci_func_intx(f, true);
	assert_false(line[gsi]);
	bus_reset(&vm.bus);
	assert_true(line[gsi]);
	assert_int_equal(cfg_in(SLOT, 0x06, 2) & PCI_STATUS_INTX, 0);
}

/* Reset puts the BARs back where the firmware placed them, decoding off. */
static void test_reset(void **state)
{
	(void)state;
	cfg_out(SLOT, 0x04, 2, PCI_CMD_MEM | PCI_CMD_IO | PCI_CMD_MASTER);
	assert_true(pci_func_bus_master(f));
	cfg_out(SLOT, 0x10, 4, (u32)(PC_PCI_MMIO_BASE + 0x200000));
	cfg_out(SLOT, 0x3c, 1, 11);
	bus_reset(&vm.bus);
	assert_int_equal(cfg_in(SLOT, 0x04, 2), 0);
	assert_false(pci_func_bus_master(f));
	assert_int_equal(cfg_in(SLOT, 0x10, 4), (u32)MEM0);
	assert_int_equal(cfg_in(SLOT, 0x3c, 1), 0);
}

/* The owner's hooks see configuration accesses first. */
static u32 hook_off;
static bool hook_read(void *dev, u32 off, u32 size, u32 *val)
{
	(void)dev;
	(void)size;
	if (off < 0xc0)
		return false;
	*val = 0xfeed0000U | off;
	return true;
}
static bool hook_write(void *dev, u32 off, u32 size, u32 val)
{
	(void)dev;
	(void)size;
	(void)val;
	hook_off = off;
	return off >= 0xc0;
}

static unsigned hook_resets;
static void hook_reset(void *dev)
{
	assert_ptr_equal(dev, &r0);
	/* before the function's registers go back */
	assert_int_equal(cfg_in(SLOT, 0x04, 2), PCI_CMD_MEM);
	hook_resets++;
}

static void test_hooks(void **state)
{
	static const struct pci_func_hooks hooks = { hook_read, hook_write, hook_reset };

	(void)state;
	pci_func_set_hooks(f, &hooks, &r0);
	hook_resets = 0;
	assert_int_equal(cfg_in(SLOT, 0xc4, 4), 0xfeed00c4U);
	assert_int_equal(cfg_in(SLOT, 0, 2), 0x1b36);
	cfg_out(SLOT, 0x04, 2, PCI_CMD_MEM);
	assert_int_equal(hook_off, 0x04);
	assert_int_equal(cfg_in(SLOT, 0x04, 2), PCI_CMD_MEM);
	cfg_out(SLOT, 0xd0, 4, 1);
	assert_int_equal(hook_off, 0xd0);
	bus_reset(&vm.bus);
	assert_int_equal(hook_resets, 1);
	assert_int_equal(cfg_in(SLOT, 0x04, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_header, setup),
		cmocka_unit_test_setup(test_sizing, setup),
		cmocka_unit_test_setup(test_dispatch_and_move, setup),
		cmocka_unit_test_setup(test_overlap, setup),
		cmocka_unit_test_setup(test_bar_limit, setup),
		cmocka_unit_test_setup(test_caps, setup),
		cmocka_unit_test_setup(test_msix_table, setup),
		cmocka_unit_test_setup(test_msix_delivery, setup),
		cmocka_unit_test_setup(test_msi, setup),
		cmocka_unit_test_setup(test_intx, setup),
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_hooks, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
