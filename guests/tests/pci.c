/* A hostile PCI driver (issue 12): scans bus 0 through configuration
 * mechanism #1 and through ECAM (both must agree), sizes and moves the
 * BARs of the pci-testdev function (hv/dev/pci/pci_testdev.c; needs the
 * `testdev` option), walks its capability list, programs MSI-X and
 * receives the vector it rang for (also masked, pending, then unmasked,
 * and after moving the BAR that holds the table) and INTx through the
 * IOAPIC (gated by command bit 10), then writes garbage over
 * configuration space, the MSI-X table and the PCI windows. It must keep
 * running, find the host bridge and the function intact, and the function
 * must work again once reprogrammed. Ends with PASS/FAIL of its checks. */
#include "guest.h"

const char guest_name[] = "pci";

#define ECAM_BASE    0xe0000000UL
#define MMIO_WIN     0xc0000000UL
#define MMIO_WIN_LEN 0x10000000UL
#define IO_WIN       0xd000U
#define IO_WIN_LEN   0x1000U
#define TESTDEV_SLOT 31U
#define TESTDEV_ID   0x10f01b36U
#define HOST_ID      0x12378086U
#define MAGIC        0x50434954U
#define REG_SCRATCH  0x04
#define REG_DOORBELL 0x08
#define REG_COUNT    0x0c
#define REG_INTX     0x10
#define MSI_VECTOR   0x51U
#define INTX_VECTOR  0x52U
#define INTX_GSI     19U       /* slot 31, INTA#: 16 + (31 + 0) % 4 */
#define IOAPIC       0xfec00000UL
#define CMD_IO       1U
#define CMD_MEM      2U
#define CMD_MASTER   4U

static u32 cfg1_read(u32 slot, u32 reg, u32 size)
{
	outl(0xcf8, 0x80000000U | slot << 11 | (reg & 0xfc));
	if (size == 1)
		return inb((u16)(0xcfc + (reg & 3)));
	if (size == 2)
		return inw((u16)(0xcfc + (reg & 2)));
	return inl(0xcfc);
}

static void cfg1_write(u32 slot, u32 reg, u32 size, u32 v)
{
	outl(0xcf8, 0x80000000U | slot << 11 | (reg & 0xfc));
	if (size == 1)
		outb((u16)(0xcfc + (reg & 3)), (u8)v);
	else if (size == 2)
		outw((u16)(0xcfc + (reg & 2)), (u16)v);
	else
		outl(0xcfc, v);
}

static u64 ecam(u32 slot, u32 reg)
{
	return ECAM_BASE + (slot << 15) + reg;
}

static u32 cfg_read(u32 reg)
{
	return mmio_read32(ecam(TESTDEV_SLOT, reg));
}

static void cfg_write(u32 reg, u32 v)
{
	mmio_write32(ecam(TESTDEV_SLOT, reg), v);
}

static volatile u32 msi_seen;
static volatile u64 bar0_now; /* BAR 0 for the INTx handler */

static void on_msi(struct irq_frame *f)
{
	(void)f;
	msi_seen++;
}

/* Interrupts are taken only here: a bounded wait for n MSIs. */
static bool wait_msi(u32 n)
{
	for (u32 i = 0; i < 100000 && msi_seen < n; i++) {
		sti();
		asm volatile("nop");
		cli();
	}
	return msi_seen == n;
}

static volatile u32 intx_seen;

/* Level-triggered: the line must be released before the EOI the runtime
 * writes after this handler, or the IOAPIC sends it again. */
static void on_intx(struct irq_frame *f)
{
	(void)f;
	intx_seen++;
	mmio_write32(bar0_now + REG_INTX, 0);
}

static bool wait_intx(u32 n)
{
	for (u32 i = 0; i < 100000 && intx_seen < n; i++) {
		sti();
		asm volatile("nop");
		cli();
	}
	return intx_seen == n;
}

static u64 rng = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void scan(void)
{
	u32 found = 0;

	for (u32 slot = 0; slot < 32; slot++) {
		u32 a = cfg1_read(slot, 0, 4), b = mmio_read32(ecam(slot, 0));

		EXPECT_EQ(a, b);
		if (a != 0xffffffffU)
			found |= 1U << slot;
		/* the same bytes, any width */
		EXPECT_EQ(cfg1_read(slot, 0x0a, 2), mmio_read16(ecam(slot, 0x0a)));
		EXPECT_EQ(cfg1_read(slot, 0x0e, 1), mmio_read8(ecam(slot, 0x0e)));
	}
	EXPECT_EQ(cfg1_read(0, 0, 4), HOST_ID);
	EXPECT_EQ(cfg1_read(TESTDEV_SLOT, 0, 4), TESTDEV_ID);
	EXPECT_TRUE(found & (1U << TESTDEV_SLOT));
	EXPECT_TRUE(found & 1U);
	/* ECAM's extended space reads zero; absent functions all ones */
	EXPECT_EQ(mmio_read32(ecam(TESTDEV_SLOT, 0x100)), 0);
	EXPECT_EQ(mmio_read32(ecam(TESTDEV_SLOT, 0xffc)), 0);
	EXPECT_EQ(mmio_read32(ecam(TESTDEV_SLOT, 0x1000)), 0xffffffffU); /* function 1 */
	printf("bus 0: functions at slots 0x%x\n", found);
}

static u32 size_bar(u32 reg)
{
	u32 old = cfg_read(reg), v;

	cfg_write(reg, 0xffffffffU);
	v = cfg_read(reg);
	cfg_write(reg, old);
	EXPECT_EQ(cfg_read(reg), old);
	return v;
}

static u64 bar0, bar2;
static u16 bar1;

static void bars(void)
{
	cfg_write(0x04, 0); /* decoding off while sizing (6.2.5.1) */
	EXPECT_EQ(size_bar(0x10), 0xfffff000U);
	EXPECT_EQ(size_bar(0x14) & 0xffff, 0xffe1U);
	EXPECT_EQ(size_bar(0x18), 0xffffc004U);
	EXPECT_EQ(size_bar(0x1c), 0xffffffffU);
	EXPECT_EQ(size_bar(0x20), 0);
	bar0 = cfg_read(0x10) & ~0xfU;
	bar1 = (u16)(cfg_read(0x14) & ~3U);
	bar2 = (cfg_read(0x18) & ~0xfULL) | (u64)cfg_read(0x1c) << 32;
	EXPECT_TRUE(bar0 >= MMIO_WIN && bar0 < MMIO_WIN + MMIO_WIN_LEN);
	EXPECT_TRUE(bar2 >= MMIO_WIN && bar2 < MMIO_WIN + MMIO_WIN_LEN);
	EXPECT_TRUE(bar1 >= IO_WIN && bar1 < IO_WIN + IO_WIN_LEN);
	/* nothing decodes yet */
	EXPECT_EQ(mmio_read32(bar0), 0xffffffffU);
	EXPECT_EQ(inl(bar1), 0xffffffffU);
	cfg_write(0x04, CMD_IO | CMD_MEM | CMD_MASTER);
	EXPECT_EQ(mmio_read32(bar0), MAGIC);
	EXPECT_EQ(inl(bar1), MAGIC);
	mmio_write32(bar0 + REG_SCRATCH, 0x12345678);
	EXPECT_EQ(inl((u16)(bar1 + REG_SCRATCH)), 0x12345678);
	/* move BAR 0 and the I/O BAR */
	cfg_write(0x10, (u32)(MMIO_WIN + 0x800000));
	EXPECT_EQ(mmio_read32(bar0), 0xffffffffU);
	bar0 = MMIO_WIN + 0x800000;
	EXPECT_EQ(mmio_read32(bar0), MAGIC);
	EXPECT_EQ(mmio_read32(bar0 + REG_SCRATCH), 0x12345678);
	cfg_write(0x14, IO_WIN + 0xe00);
	EXPECT_EQ(inl(bar1), 0xffffffffU);
	bar1 = IO_WIN + 0xe00;
	EXPECT_EQ(inl(bar1), MAGIC);
	/* BAR 0 onto BAR 2: both go dark; moved back, both work */
	cfg_write(0x10, (u32)bar2);
	EXPECT_EQ(mmio_read32(bar2), 0xffffffffU);
	cfg_write(0x10, (u32)bar0);
	EXPECT_EQ(mmio_read32(bar0), MAGIC);
	/* memory decoding off: dark; I/O still answers */
	cfg_write(0x04, CMD_IO);
	EXPECT_EQ(mmio_read32(bar0), 0xffffffffU);
	EXPECT_EQ(inl(bar1), MAGIC);
	cfg_write(0x04, CMD_IO | CMD_MEM | CMD_MASTER);
}

static u32 msix_cap(void)
{
	u32 cap = 0, n = 0;

	EXPECT_TRUE(cfg_read(0x04) & (1U << 20)); /* status: capability list */
	for (u32 p = cfg_read(0x34) & 0xff; p && n < 48; p = (cfg_read(p) >> 8) & 0xfc, n++)
		if ((cfg_read(p) & 0xff) == 0x11)
			cap = p;
	EXPECT_NE(cap, 0);
	return cap;
}

static void entry(u64 table, u32 v, u32 addr, u32 data, u32 ctrl)
{
	mmio_write32(table + 16 * v, addr);
	mmio_write32(table + 16 * v + 4, 0);
	mmio_write32(table + 16 * v + 8, data);
	mmio_write32(table + 16 * v + 12, ctrl);
}

static void msix(void)
{
	u32 cap = msix_cap(), apic_id = apic_read(APIC_ID) >> 24;
	u32 ctrl = cfg_read(cap) >> 16;
	u64 table = bar2, pba = bar2 + 0x2000;

	EXPECT_EQ(ctrl & 0x7ff, 3);                 /* 4 vectors */
	EXPECT_EQ(cfg_read(cap + 4), 2);            /* table at 0 in BAR 2 */
	EXPECT_EQ(cfg_read(cap + 8), 0x2000 | 2);   /* PBA at 0x2000 in BAR 2 */
	EXPECT_EQ(mmio_read32(table + 16 + 12), 1); /* masked out of reset */
	entry(table, 1, 0xfee00000U | apic_id << 12, MSI_VECTOR, 0);
	cfg_write(cap, (ctrl | 0x8000) << 16);      /* enable */
	mmio_write32(bar0 + REG_DOORBELL, 1);
	EXPECT_TRUE(wait_msi(1));
	/* masked: pending, delivered on unmask */
	mmio_write32(table + 16 + 12, 1);
	outl((u16)(bar1 + REG_DOORBELL), 1);
	EXPECT_TRUE(!wait_msi(2));
	EXPECT_EQ(mmio_read32(pba), 2);
	mmio_write32(table + 16 + 12, 0);
	EXPECT_TRUE(wait_msi(2));
	EXPECT_EQ(mmio_read32(pba), 0);
	/* the table follows its BAR */
	cfg_write(0x18, (u32)(MMIO_WIN + 0x900000) | 4);
	EXPECT_EQ(mmio_read32(table + 16), 0xffffffffU);
	table = MMIO_WIN + 0x900000;
	EXPECT_EQ(mmio_read32(table + 16 + 8), MSI_VECTOR);
	mmio_write32(bar0 + REG_DOORBELL, 1);
	EXPECT_TRUE(wait_msi(3));
	EXPECT_EQ(mmio_read32(bar0 + REG_COUNT), 3);
	bar2 = table;
}

static void ioapic_write(u32 reg, u32 v)
{
	mmio_write32(IOAPIC, reg);
	mmio_write32(IOAPIC + 0x10, v);
}

/* INTx through the IOAPIC pin the _PRT gives (GSI 19, level, active low):
 * with MSI-X off, the doorbell and the INTx register assert it; command
 * bit 10 holds it back; status bit 3 shows it (PCI 3.0 6.2.2-6.2.3). */
static void intx(u32 cap)
{
	u32 apic_id = apic_read(APIC_ID) >> 24;

	cfg_write(cap, 0); /* MSI-X off */
	bar0_now = bar0;
	ioapic_write(0x11 + 2 * INTX_GSI, apic_id << 24);
	ioapic_write(0x10 + 2 * INTX_GSI, INTX_VECTOR | 1U << 15 | 1U << 13);
	EXPECT_EQ(cfg_read(0x04) >> 16 & 8, 0);
	mmio_write32(bar0 + REG_DOORBELL, 0);
	EXPECT_EQ(cfg_read(0x04) >> 16 & 8, 8);
	EXPECT_TRUE(wait_intx(1));
	EXPECT_EQ(cfg_read(0x04) >> 16 & 8, 0); /* released by the handler */
	cfg_write(0x04, CMD_IO | CMD_MEM | CMD_MASTER | 1U << 10);
	mmio_write32(bar0 + REG_INTX, 1);
	EXPECT_EQ(cfg_read(0x04) >> 16 & 8, 8);
	EXPECT_TRUE(!wait_intx(2));
	cfg_write(0x04, CMD_IO | CMD_MEM | CMD_MASTER);
	EXPECT_TRUE(wait_intx(2));
	ioapic_write(0x10 + 2 * INTX_GSI, 1U << 16); /* masked again */
}

/* Garbage over configuration space, the MSI-X table and both windows.
 * The doorbell register is left alone (garbage MSI-X entries could send
 * vectors below 32, which a CPU takes as exceptions); interrupts stay off. */
static void garbage(void)
{
	for (u32 i = 0; i < 3000; i++) {
		u64 r = rnd(), v = rnd();
		u32 size = 1U << (r & 3), reg = (u32)(r >> 8) & 0xfff;

		switch ((r >> 4) & 7) {
		case 0: /* mechanism #1, any function, any register */
			cfg1_write((u32)(r >> 24) & 31, reg, size > 4 ? 4 : size, (u32)v);
			break;
		case 1: /* ECAM, the test function or a random one */
			if (size == 8)
				mmio_write64(ecam((u32)(r >> 24) & 31, reg & ~7U), v);
			else if (size == 4)
				mmio_write32(ecam(TESTDEV_SLOT, reg & ~3U), (u32)v);
			else
				mmio_write8(ecam((u32)(r >> 24) & 31, reg), (u8)v);
			break;
		case 2: /* the MSI-X table, wherever BAR 2 is */
			mmio_write32(bar2 + ((r >> 16) & 0x3c), (u32)v);
			break;
		case 3: { /* the memory window, not a doorbell */
			u64 a = MMIO_WIN + ((r >> 12) & (MMIO_WIN_LEN - 1) & ~7ULL);

			if ((a & 0xffc) != REG_DOORBELL)
				mmio_write32(a, (u32)v);
			break;
		}
		case 4: { /* the I/O window, not a doorbell */
			u16 port = (u16)(IO_WIN + ((r >> 16) & (IO_WIN_LEN - 1)));

			if ((port & 0x1c) != REG_DOORBELL)
				outb(port, (u8)v);
			break;
		}
		default: /* reads anywhere in the windows and ECAM */
			(void)mmio_read32(MMIO_WIN + ((r >> 12) & (MMIO_WIN_LEN - 1) & ~3ULL));
			(void)inw((u16)(IO_WIN + ((r >> 16) & (IO_WIN_LEN - 2))));
			(void)mmio_read32(ecam((u32)(r >> 24) & 31, reg & ~3U));
			break;
		}
	}
}

static void recover(void)
{
	u32 cap;

	EXPECT_EQ(cfg1_read(0, 0, 4), HOST_ID);
	EXPECT_EQ(cfg1_read(TESTDEV_SLOT, 0, 4), TESTDEV_ID);
	EXPECT_EQ(mmio_read32(ecam(TESTDEV_SLOT, 0)), TESTDEV_ID);
	EXPECT_EQ(cfg_read(0x3c) >> 8 & 0xff, 1); /* interrupt pin: read-only */
	/* reprogram as a driver would after a bad state */
	cfg_write(0x04, 0);
	cfg_write(0x10, (u32)(MMIO_WIN + 0x100000));
	cfg_write(0x14, IO_WIN + 0x100);
	cfg_write(0x18, (u32)(MMIO_WIN + 0x200000) | 4);
	cfg_write(0x1c, 0);
	cap = msix_cap();
	cfg_write(cap, 0);
	cfg_write(0x04, CMD_IO | CMD_MEM | CMD_MASTER);
	bar0 = MMIO_WIN + 0x100000;
	bar1 = IO_WIN + 0x100;
	bar2 = MMIO_WIN + 0x200000;
	EXPECT_EQ(mmio_read32(bar0), MAGIC);
	EXPECT_EQ(inl(bar1), MAGIC);
	for (u32 v = 0; v < 4; v++)
		entry(bar2, v, 0xfee00000U | (apic_read(APIC_ID) >> 24) << 12, MSI_VECTOR, 0);
	EXPECT_EQ(mmio_read32(bar2 + 0x2000), 0); /* no doorbell rang: nothing pending */
	cfg_write(cap, 0x8000U << 16);
	msi_seen = 0;
	mmio_write32(bar0 + REG_DOORBELL, 2);
	EXPECT_TRUE(wait_msi(1));
}

void guest_main(void)
{
	cli();
	irq_register(MSI_VECTOR, on_msi);
	irq_register(INTX_VECTOR, on_intx);
	apic_enable();
	scan();
	bars();
	msix();
	intx(msix_cap());
	garbage();
	printf("garbage done\n");
	recover();
	test_finish();
}
