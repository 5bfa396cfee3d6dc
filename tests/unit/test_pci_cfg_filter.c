/* hv/dev/pci/pci_cfg_filter.c: what a VM sees of a passed-through
 * function's configuration space, register by register of the allow-list
 * in pci_cfg_filter.h, BAR sizing and relocation, the command register's
 * effects, and the count of dropped writes. */
#include <string.h>
#include "unit.h"
#include <bulkhead/pci_cfg_filter.h>

static struct pci_cfg_filter f;
static u8 host[64];

static void put32(u32 off, u32 v)
{
	for (u32 i = 0; i < 4; i++)
		host[off + i] = (u8)(v >> (8 * i));
}

/* An nvme-like function: BAR0 64-bit 16 KiB at 0xfebf0000, BAR2 32-bit
 * prefetchable 4 KiB, BAR4 I/O 32 ports, BAR5 unimplemented. */
static int setup(void **state)
{
	static const u64 size[6] = { 0x4000, 0, 0x1000, 0, 32, 0 };

	(void)state;
	memset(host, 0, sizeof(host));
	put32(0x00, 0x00101b36);
	put32(0x04, 0x02100007);  /* status: DEVSEL medium, cap list; command: io mem master */
	put32(0x08, 0x01080202);
	put32(0x0c, 0x00800010);  /* multi-function header, cache line 0x10 */
	put32(0x10, 0xfebf0004);
	put32(0x14, 0x00000000);
	put32(0x18, 0xfe000008);
	put32(0x20, 0x0000c001);
	put32(0x2c, 0x11001af4);
	put32(0x30, 0xfeb80000);
	put32(0x34, 0x00000040);
	put32(0x3c, 0x0000010b);
	pci_cfg_filter_init(&f, host, size);
	return 0;
}

static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(pci_cfg_filter_read(&f, 0x00, 4), 0x00101b36);
	assert_int_equal(pci_cfg_filter_read(&f, 0x02, 2), 0x0010);
	assert_int_equal(pci_cfg_filter_read(&f, 0x04, 2), 0);       /* command starts 0 */
	assert_int_equal(pci_cfg_filter_read(&f, 0x06, 2), 0x0200);  /* no cap list bit */
	assert_int_equal(pci_cfg_filter_read(&f, 0x08, 4), 0x01080202);
	assert_int_equal(pci_cfg_filter_read(&f, 0x0c, 4), 0);       /* single function */
	assert_int_equal(pci_cfg_filter_read(&f, 0x2c, 4), 0x11001af4);
	assert_int_equal(pci_cfg_filter_read(&f, 0x30, 4), 0);       /* no ROM */
	assert_int_equal(pci_cfg_filter_read(&f, 0x34, 1), 0);       /* no capabilities */
	assert_int_equal(pci_cfg_filter_read(&f, 0x3c, 4), 0);       /* no INTx pin */
	for (u32 off = 0x40; off < 0x100; off += 4)
		assert_int_equal(pci_cfg_filter_read(&f, off, 4), 0);
	assert_int_equal(f.dropped, 0);
}

static void test_bar_sizing(void **state)
{
	u64 gpa, size;

	(void)state;
	/* the guest's address starts at 0, with the host's type bits */
	assert_int_equal(pci_cfg_filter_read(&f, 0x10, 4), 0x4);
	assert_int_equal(pci_cfg_filter_read(&f, 0x18, 4), 0x8);
	for (u32 off = 0x10; off < 0x28; off += 4)
		assert_int_equal(pci_cfg_filter_write(&f, off, 4, ~0U),
				 off >= 0x1c ? 0 : PCI_CFG_FX_BARS);
	assert_int_equal(pci_cfg_filter_read(&f, 0x10, 4), 0xffffc004);
	assert_int_equal(pci_cfg_filter_read(&f, 0x14, 4), 0xffffffff);
	assert_int_equal(pci_cfg_filter_read(&f, 0x18, 4), 0xfffff008);
	assert_int_equal(pci_cfg_filter_read(&f, 0x1c, 4), 0);  /* after BAR2, 32-bit: none */
	assert_int_equal(pci_cfg_filter_read(&f, 0x20, 4), 0);  /* I/O: not passed */
	assert_int_equal(pci_cfg_filter_read(&f, 0x24, 4), 0);
	assert_int_equal(f.dropped, 3); /* BARs 3, 4, 5 */
	assert_true(pci_cfg_filter_bar(&f, 0, &gpa, &size));
	assert_int_equal(gpa, 0xffffffffffffc000ULL);
	assert_int_equal(size, 0x4000);
	assert_false(pci_cfg_filter_bar(&f, 1, &gpa, &size)); /* upper half */
	assert_false(pci_cfg_filter_bar(&f, 4, &gpa, &size));
	assert_false(pci_cfg_filter_bar(&f, 6, &gpa, &size));
}

static void test_bar_relocation(void **state)
{
	u64 gpa, size;

	(void)state;
	assert_int_equal(pci_cfg_filter_write(&f, 0x10, 4, 0xc0004abc), PCI_CFG_FX_BARS);
	assert_int_equal(pci_cfg_filter_write(&f, 0x14, 4, 0x1), PCI_CFG_FX_BARS);
	assert_int_equal(pci_cfg_filter_read(&f, 0x10, 4), 0xc0004004); /* cut to 16 KiB */
	assert_true(pci_cfg_filter_bar(&f, 0, &gpa, &size));
	assert_int_equal(gpa, 0x1c0004000ULL);
	/* the same value again changes nothing */
	assert_int_equal(pci_cfg_filter_write(&f, 0x10, 4, 0xc0004000), 0);
	/* a byte write moves the top byte only */
	assert_int_equal(pci_cfg_filter_write(&f, 0x13, 1, 0xd0), PCI_CFG_FX_BARS);
	assert_int_equal(pci_cfg_filter_read(&f, 0x10, 4), 0xd0004004);
	/* the type bits stay the host's whatever is written */
	pci_cfg_filter_write(&f, 0x18, 4, 0xc0010001);
	assert_int_equal(pci_cfg_filter_read(&f, 0x18, 4), 0xc0010008);
	/* the owner's placement, cut to the alignment */
	pci_cfg_filter_place(&f, 2, 0xc0021234);
	assert_true(pci_cfg_filter_bar(&f, 2, &gpa, &size));
	assert_int_equal(gpa, 0xc0021000);
	assert_int_equal(size, 0x1000);
	pci_cfg_filter_place(&f, 0, 0x2fedc8000ULL);
	assert_true(pci_cfg_filter_bar(&f, 0, &gpa, &size));
	assert_int_equal(gpa, 0x2fedc8000ULL);
	assert_int_equal(f.dropped, 0);
}

static void test_command(void **state)
{
	(void)state;
	assert_int_equal(pci_cfg_filter_write(&f, 0x04, 2, 0xffff), PCI_CFG_FX_MEM | PCI_CFG_FX_MASTER);
	assert_int_equal(pci_cfg_filter_read(&f, 0x04, 2), 0x0406);
	assert_int_equal(pci_cfg_filter_write(&f, 0x04, 2, 0x0406), 0);
	assert_int_equal(pci_cfg_filter_write(&f, 0x04, 2, 0x0004), PCI_CFG_FX_MEM);
	assert_int_equal(pci_cfg_filter_write(&f, 0x04, 1, 0x02), PCI_CFG_FX_MEM | PCI_CFG_FX_MASTER);
	assert_int_equal(pci_cfg_filter_read(&f, 0x04, 4), 0x02000002);
	/* a dword write: command taken, the status half ignored */
	assert_int_equal(pci_cfg_filter_write(&f, 0x04, 4, 0xffff0006), PCI_CFG_FX_MASTER);
	assert_int_equal(pci_cfg_filter_read(&f, 0x04, 4), 0x02000006);
	/* the status alone: RW1C bits that read 0, ignored and not counted */
	assert_int_equal(pci_cfg_filter_write(&f, 0x06, 2, 0xffff), 0);
	assert_int_equal(pci_cfg_filter_read(&f, 0x06, 2), 0x0200);
	assert_int_equal(f.dropped, 0);
}

static void test_virtual_bytes(void **state)
{
	(void)state;
	pci_cfg_filter_write(&f, 0x0c, 1, 0x10);
	pci_cfg_filter_write(&f, 0x3c, 1, 0x0b);
	assert_int_equal(pci_cfg_filter_read(&f, 0x0c, 4), 0x00000010);
	assert_int_equal(pci_cfg_filter_read(&f, 0x3c, 4), 0x0000000b);
	pci_cfg_filter_write(&f, 0x0c, 4, 0xffffff20); /* latency, header, BIST stay */
	assert_int_equal(pci_cfg_filter_read(&f, 0x0c, 4), 0x00000020);
	assert_int_equal(f.dropped, 0);
}

static void test_dropped(void **state)
{
	static const u32 ro[] = { 0x00, 0x02, 0x08, 0x0d, 0x0e, 0x28, 0x2c, 0x30, 0x34, 0x3d,
				  0x40, 0x80, 0xfc };

	(void)state;
	for (u32 i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		assert_int_equal(pci_cfg_filter_write(&f, ro[i], 1, 0x5a), 0);
	assert_int_equal(f.dropped, sizeof(ro) / sizeof(ro[0]));
	assert_int_equal(pci_cfg_filter_read(&f, 0x00, 4), 0x00101b36);
	assert_int_equal(pci_cfg_filter_read(&f, 0x08, 4), 0x01080202);
	assert_int_equal(pci_cfg_filter_read(&f, 0x80, 4), 0);
	/* bad accesses: all ones, dropped */
	assert_int_equal(pci_cfg_filter_read(&f, 0x01, 2), 0xffffffff);
	assert_int_equal(pci_cfg_filter_read(&f, 0x00, 3), 0xffffffff);
	assert_int_equal(pci_cfg_filter_read(&f, 0xfe, 4), 0xffffffff);
	assert_int_equal(pci_cfg_filter_read(&f, 0x100, 1), 0xffffffff);
	assert_int_equal(pci_cfg_filter_write(&f, 0x11, 2, 0xffff), 0);
	assert_int_equal(pci_cfg_filter_write(&f, 0x10, 8, ~0U), 0);
	assert_int_equal(pci_cfg_filter_write(&f, 0xffffffff, 1, 0), 0);
	assert_int_equal(f.dropped, sizeof(ro) / sizeof(ro[0]) + 3);
	assert_int_equal(pci_cfg_filter_read(&f, 0x10, 4), 0x4);
}

/* BARs the filter must not pass: a 64-bit BAR 5 (its upper half would be
 * outside the header), a size that is no power of two, below 16 bytes,
 * or a 32-bit BAR over 2 GiB. */
static void test_odd_bars(void **state)
{
	static const u64 size[6] = { 0x3000, 8, 1ULL << 32, 0, 0x1000, 0x1000 };
	u64 gpa, sz;

	(void)state;
	put32(0x10, 0);
	put32(0x14, 0);
	put32(0x18, 0);
	put32(0x1c, 0);
	put32(0x20, 0);
	put32(0x24, 0x4);
	pci_cfg_filter_init(&f, host, size);
	for (u32 i = 0; i < 6; i++)
		assert_int_equal(pci_cfg_filter_bar(&f, i, &gpa, &sz), i == 4);
	assert_int_equal(pci_cfg_filter_read(&f, 0x24, 4), 0);
}

/* MSI-X as QEMU's nvme has it: capability at 0x40, 65 entries, table
 * at BAR0 + 0x2000, PBA at BAR0 + 0x3000 (PCI 3.0 6.8.2). */
static void test_msix(void **state)
{
	(void)state;
	assert_true(pci_cfg_filter_msix(&f, 0x40, 65, 0x2000, 0x3000));
	assert_int_equal(pci_cfg_filter_read(&f, 0x06, 2), 0x0210);  /* cap list bit */
	assert_int_equal(pci_cfg_filter_read(&f, 0x34, 1), 0x40);
	assert_int_equal(pci_cfg_filter_read(&f, 0x40, 4), 0x00400011); /* ID, next 0, N-1 */
	assert_int_equal(pci_cfg_filter_read(&f, 0x42, 2), 64);
	assert_int_equal(pci_cfg_filter_read(&f, 0x44, 4), 0x2000);
	assert_int_equal(pci_cfg_filter_read(&f, 0x48, 4), 0x3000);
	assert_int_equal(pci_cfg_filter_read(&f, 0x4c, 4), 0);
	/* Enable and Function Mask are virtual; the rest is read-only */
	assert_int_equal(pci_cfg_filter_write(&f, 0x42, 2, 0xc7ff), PCI_CFG_FX_MSIX);
	assert_int_equal(pci_cfg_filter_read(&f, 0x42, 2), 0xc040);
	assert_int_equal(f.msix_ctrl, PCI_CFG_MSIX_ENABLE | PCI_CFG_MSIX_FMASK);
	assert_int_equal(pci_cfg_filter_write(&f, 0x43, 1, 0xc0), 0);  /* no change */
	assert_int_equal(pci_cfg_filter_write(&f, 0x40, 4, 0x80000000), PCI_CFG_FX_MSIX);
	assert_int_equal(pci_cfg_filter_read(&f, 0x40, 4), 0x80400011);
	assert_int_equal(f.dropped, 0);
	/* table and PBA locations, ID and next pointer: dropped and counted */
	assert_int_equal(pci_cfg_filter_write(&f, 0x44, 4, 0x1000), 0);
	assert_int_equal(pci_cfg_filter_write(&f, 0x48, 4, 0x1000), 0);
	assert_int_equal(pci_cfg_filter_write(&f, 0x40, 2, 0xffff), 0);
	assert_int_equal(pci_cfg_filter_write(&f, 0x34, 1, 0x50), 0);
	assert_int_equal(f.dropped, 4);
	assert_int_equal(pci_cfg_filter_read(&f, 0x44, 4), 0x2000);
	assert_int_equal(pci_cfg_filter_read(&f, 0x40, 4), 0x80400011);
	assert_int_equal(pci_cfg_filter_read(&f, 0x34, 1), 0x40);
}

/* A capability that cannot be mediated is not exposed. */
static void test_msix_refused(void **state)
{
	(void)state;
	assert_false(pci_cfg_filter_msix(&f, 0x3c, 1, 0x2000, 0x3000));  /* in the header */
	assert_false(pci_cfg_filter_msix(&f, 0x42, 1, 0x2000, 0x3000));  /* unaligned */
	assert_false(pci_cfg_filter_msix(&f, 0xf8, 1, 0x2000, 0x3000));  /* past 0xff */
	assert_false(pci_cfg_filter_msix(&f, 0x40, 0, 0x2000, 0x3000));
	assert_false(pci_cfg_filter_msix(&f, 0x40, 2049, 0x2000, 0x3000));
	assert_false(pci_cfg_filter_msix(&f, 0x40, 2048, 0x0000, 0x3000)); /* 32 KiB table */
	assert_false(pci_cfg_filter_msix(&f, 0x40, 65, 0x3c00, 0x3000)); /* past the BAR */
	assert_false(pci_cfg_filter_msix(&f, 0x40, 1, 0x2005, 0x3000));  /* BIR 5: none */
	assert_false(pci_cfg_filter_msix(&f, 0x40, 1, 0x2001, 0x3000));  /* BIR 1: upper half */
	assert_false(pci_cfg_filter_msix(&f, 0x40, 1, 0x2004, 0x3004));  /* BIR 4: I/O */
	assert_false(pci_cfg_filter_msix(&f, 0x40, 1, 0x2000, 0x4000));  /* PBA past the BAR */
	assert_false(pci_cfg_filter_msix(&f, 0x40, 1, 0x2000, 0x0006));  /* BIR 6 */
	assert_true(pci_cfg_filter_msix(&f, 0x40, 1, 0x2000, 0x0002));   /* PBA in BAR2 */
	assert_int_equal(pci_cfg_filter_read(&f, 0x48, 4), 0x0002);
	setup(NULL);
	assert_false(pci_cfg_filter_msix(&f, 0x40, 1, 0x2000, 0x1002)); /* past BAR2's 4 KiB */
	assert_int_equal(pci_cfg_filter_read(&f, 0x34, 1), 0);
	assert_int_equal(pci_cfg_filter_read(&f, 0x06, 2), 0x0200);
	for (u32 off = 0x40; off < 0x100; off += 4)
		assert_int_equal(pci_cfg_filter_read(&f, off, 4), 0);
}

/* MSI as QEMU's edu has it (PCI 3.0 6.8.1): capability at 0x40, 64-bit,
 * no per-vector masking, the host offering 1 vector. */
static void test_msi_edu(void **state)
{
	(void)state;
	assert_true(pci_cfg_filter_msi(&f, 0x40, 0x0081)); /* 64-bit, enabled on host */
	assert_int_equal(pci_cfg_filter_read(&f, 0x06, 2), 0x0210);  /* cap list bit */
	assert_int_equal(pci_cfg_filter_read(&f, 0x34, 1), 0x40);
	assert_int_equal(pci_cfg_filter_read(&f, 0x40, 4), 0x00800005); /* off, MMC 0 */
	/* Enable is virtual; MME and MMC stay 0 (one vector); 64-bit read-only */
	assert_int_equal(pci_cfg_filter_write(&f, 0x42, 2, 0x007f), PCI_CFG_FX_MSI);
	assert_int_equal(pci_cfg_filter_read(&f, 0x42, 2), 0x0081);
	assert_int_equal(pci_cfg_filter_write(&f, 0x42, 2, 0x0001), 0); /* no change */
	assert_int_equal(pci_cfg_filter_write(&f, 0x44, 4, 0xfee01003), 0);
	assert_int_equal(pci_cfg_filter_read(&f, 0x44, 4), 0xfee01000); /* 1:0 read 0 */
	assert_int_equal(pci_cfg_filter_write(&f, 0x48, 4, 0x12345678), 0);
	assert_int_equal(pci_cfg_filter_read(&f, 0x48, 4), 0x12345678);
	assert_int_equal(pci_cfg_filter_write(&f, 0x4c, 4, 0xabcd4041), 0);
	assert_int_equal(pci_cfg_filter_read(&f, 0x4c, 4), 0x4041); /* 16-bit data */
	assert_int_equal(pci_cfg_filter_write(&f, 0x4d, 1, 0x50), 0);
	assert_int_equal(pci_cfg_filter_read(&f, 0x4c, 2), 0x5041);
	assert_int_equal(f.dropped, 0);
	/* no mask or pending bits without per-vector masking */
	assert_int_equal(pci_cfg_filter_write(&f, 0x50, 4, 1), 0);
	assert_int_equal(pci_cfg_filter_read(&f, 0x50, 4), 0);
	f.msi_pending = 1;
	assert_int_equal(pci_cfg_filter_read(&f, 0x54, 4), 0);
	/* ID and next pointer are read-only */
	assert_int_equal(pci_cfg_filter_write(&f, 0x40, 2, 0x5011), 0);
	assert_int_equal(f.dropped, 2);
	assert_int_equal(pci_cfg_filter_read(&f, 0x40, 4), 0x00810005);
	assert_int_equal(pci_cfg_filter_write(&f, 0x40, 4, 0), PCI_CFG_FX_MSI);
	assert_int_equal(pci_cfg_filter_read(&f, 0x40, 4), 0x00800005);
}

/* The 32-bit form with per-vector masking: data at +8, mask at +0xc
 * (bit 0 only: one vector), pending at +0x10, read-only. */
static void test_msi_32_pvm(void **state)
{
	(void)state;
	assert_true(pci_cfg_filter_msi(&f, 0x50, 0x010e)); /* PVM, MMC 32 vectors */
	assert_int_equal(pci_cfg_filter_read(&f, 0x50, 4), 0x01000005);
	assert_int_equal(pci_cfg_filter_write(&f, 0x54, 4, 0xfee00000), 0);
	assert_int_equal(pci_cfg_filter_write(&f, 0x58, 4, 0x0031), 0);
	assert_int_equal(pci_cfg_filter_read(&f, 0x58, 4), 0x31);
	assert_int_equal(pci_cfg_filter_write(&f, 0x5c, 4, 0xffffffff), PCI_CFG_FX_MSI);
	assert_int_equal(pci_cfg_filter_read(&f, 0x5c, 4), 1);
	assert_int_equal(pci_cfg_filter_write(&f, 0x5c, 4, 0xffffffff), 0);
	f.msi_pending = 1;
	assert_int_equal(pci_cfg_filter_read(&f, 0x60, 4), 1);
	assert_int_equal(pci_cfg_filter_write(&f, 0x60, 4, 0), 0); /* read-only */
	assert_int_equal(f.dropped, 1);
	assert_int_equal(pci_cfg_filter_read(&f, 0x60, 4), 1);
	assert_int_equal(pci_cfg_filter_write(&f, 0x5c, 1, 0), PCI_CFG_FX_MSI);
	assert_int_equal(pci_cfg_filter_read(&f, 0x64, 4), 0); /* past the capability */
	assert_int_equal(pci_cfg_filter_read(&f, 0x4c, 4), 0);
}

/* Both capabilities: MSI-X first in the list, MSI after it; never both
 * enabled (6.8.1.3, 6.8.2.3). */
static void test_msi_and_msix(void **state)
{
	(void)state;
	assert_true(pci_cfg_filter_msix(&f, 0x40, 4, 0x2000, 0x3000));
	assert_false(pci_cfg_filter_msi(&f, 0x48, 0x80));  /* overlaps MSI-X */
	assert_false(pci_cfg_filter_msi(&f, 0x3c, 0x80));  /* in the header */
	assert_false(pci_cfg_filter_msi(&f, 0x52, 0x80));  /* unaligned */
	assert_false(pci_cfg_filter_msi(&f, 0xec, 0x180)); /* 24 bytes past 0xff */
	assert_true(pci_cfg_filter_msi(&f, 0xe8, 0x180));  /* ends at 0x100 */
	assert_true(pci_cfg_filter_msi(&f, 0x60, 0x80));
	assert_int_equal(pci_cfg_filter_read(&f, 0x34, 1), 0x40);
	assert_int_equal(pci_cfg_filter_read(&f, 0x41, 1), 0x60); /* MSI-X next: MSI */
	assert_int_equal(pci_cfg_filter_read(&f, 0x61, 1), 0);
	/* MSI on: MSI-X Enable refused, Function Mask still taken */
	assert_int_equal(pci_cfg_filter_write(&f, 0x62, 2, 1), PCI_CFG_FX_MSI);
	assert_int_equal(pci_cfg_filter_write(&f, 0x42, 2, 0xc000), PCI_CFG_FX_MSIX);
	assert_int_equal(f.msix_ctrl, PCI_CFG_MSIX_FMASK);
	assert_int_equal(f.dropped, 1);
	/* MSI off, MSI-X on: MSI Enable refused */
	assert_int_equal(pci_cfg_filter_write(&f, 0x62, 2, 0), PCI_CFG_FX_MSI);
	assert_int_equal(pci_cfg_filter_write(&f, 0x42, 2, 0x8000), PCI_CFG_FX_MSIX);
	assert_int_equal(pci_cfg_filter_write(&f, 0x62, 2, 1), 0);
	assert_int_equal(pci_cfg_filter_read(&f, 0x62, 2), 0x80);
	assert_int_equal(f.dropped, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_identity, setup),
		cmocka_unit_test_setup(test_bar_sizing, setup),
		cmocka_unit_test_setup(test_bar_relocation, setup),
		cmocka_unit_test_setup(test_command, setup),
		cmocka_unit_test_setup(test_virtual_bytes, setup),
		cmocka_unit_test_setup(test_dropped, setup),
		cmocka_unit_test_setup(test_odd_bars, setup),
		cmocka_unit_test_setup(test_msix, setup),
		cmocka_unit_test_setup(test_msix_refused, setup),
		cmocka_unit_test_setup(test_msi_edu, setup),
		cmocka_unit_test_setup(test_msi_32_pvm, setup),
		cmocka_unit_test_setup(test_msi_and_msix, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
