/* A driver for a passed-through QEMU `edu` (1234:11e8; QEMU
 * docs/specs/edu.txt) with plain MSI (PCI 3.0 6.8.1), the test guest of
 * tests/system/test_passthrough_msi.sh: finds the function at 00:10.0
 * (the first passthrough slot), checks the MSI capability the hypervisor
 * shows (one vector, no MSI-X), turns on memory decoding and bus
 * mastering, programs MSI with a vector of its own, has the edu raise its
 * interrupt (register 60h) three times and counts three arrivals on that
 * vector, each acknowledged (64h); with MSI disabled again a raise brings
 * none (with `leave` on its command line it exits with MSI still on, for
 * the hypervisor to give the host vector back at the VM's stop; with
 * `reboot` it first takes one interrupt with MSI on, marks CMOS and
 * resets the VM, and after the reset checks MSI reads as at boot, off
 * with a cleared message, before the test). Every wait is bounded. Ends with PASS/FAIL of its checks. */
#include "guest.h"

const char guest_name[] = "pt_msi";

#define PT_SLOT       16U
#define EDU_ID        0x11e81234U
#define EDU_REG_ID    0x00U
#define EDU_REG_LIVE  0x04U
#define EDU_REG_ISR   0x24U
#define EDU_REG_RAISE 0x60U
#define EDU_REG_ACK   0x64U
#define EDU_RAISE_VAL 0x5aU
#define MSI_VECTOR    0x53U
#define CAP_ID_MSI    0x05U
#define CAP_ID_MSIX   0x11U
#define CMD_MEM       2U
#define CMD_MASTER    4U
#define WAIT_SPINS    20000000U
#define CMOS_INDEX    0x70
#define CMOS_DATA     0x71
#define CMOS_MARK_REG 0x40      /* a byte of CMOS RAM: survives a reset */
#define CMOS_MARK     0x5d
#define RESET_CONTROL 0xcf9
#define RCR_RESET     0x06      /* system reset, CPU reset */

static u8 cmos_read(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void cmos_write(u8 reg, u8 v)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, v);
}

static u32 cfg_read(u32 reg)
{
	outl(0xcf8, 0x80000000U | PT_SLOT << 11 | (reg & 0xfc));
	return inl(0xcfc);
}

static void cfg_write(u32 reg, u32 v)
{
	outl(0xcf8, 0x80000000U | PT_SLOT << 11 | (reg & 0xfc));
	outl(0xcfc, v);
}

static volatile u32 msi_seen, wrong_status;
static u64 bar0;

static void on_msi(struct irq_frame *f)
{
	u32 isr = mmio_read32(bar0 + EDU_REG_ISR);

	if (f->vector != MSI_VECTOR || isr != EDU_RAISE_VAL)
		wrong_status++;
	mmio_write32(bar0 + EDU_REG_ACK, isr);
	msi_seen++;
}

/* Interrupts are taken only here: a bounded wait for n MSIs. */
static bool wait_msi(u32 n)
{
	for (u32 i = 0; i < WAIT_SPINS && msi_seen < n; i++) {
		sti();
		asm volatile("pause");
		cli();
	}
	return msi_seen == n;
}

/* The capability with id, by the list (bounded), or 0. */
static u32 find_cap(u32 id)
{
	u32 at = cfg_read(0x06 & ~3U) >> 16 & 0x10U ? cfg_read(0x34) & 0xfcU : 0;

	for (u32 n = 0; at >= 0x40 && n < 48; n++) {
		u32 v = cfg_read(at);

		if ((v & 0xffU) == id)
			return at;
		at = (v >> 8) & 0xfcU;
	}
	return 0;
}

void guest_main(void)
{
	u32 cap, ctrl, apic_id, data_off;
	bool after_reset = cmos_read(CMOS_MARK_REG) == CMOS_MARK;

	cli();
	irq_register(MSI_VECTOR, on_msi);
	apic_enable();
	apic_id = apic_read(APIC_ID) >> 24;
	if (!EXPECT_EQ(cfg_read(0x00), EDU_ID))
		test_finish();
	cap = find_cap(CAP_ID_MSI);
	printf("edu at 00:10.0, MSI capability at 0x%x\n", cap);
	if (!EXPECT_TRUE(cap >= 0x40))
		test_finish();
	EXPECT_EQ(find_cap(CAP_ID_MSIX), 0);
	ctrl = cfg_read(cap) >> 16;
	EXPECT_EQ(ctrl & 0x7fU, 0); /* off, Multiple Message Capable: 1 vector */
	data_off = ctrl & 0x80U ? 0x0cU : 0x08U;
	if (after_reset) {
		cmos_write(CMOS_MARK_REG, 0);
		printf("after the VM's reset: MSI control 0x%x, address 0x%x, data 0x%x\n", ctrl,
		       cfg_read(cap + 4), cfg_read(cap + data_off));
		EXPECT_EQ(cfg_read(cap + 4), 0);
		EXPECT_EQ(cfg_read(cap + data_off), 0);
		EXPECT_EQ(cfg_read(0x04) & 0xffffU, 0); /* command as at boot */
	}
	bar0 = cfg_read(0x10) & ~0xfULL;
	EXPECT_TRUE(bar0 != 0);
	cfg_write(0x04, CMD_MEM | CMD_MASTER);
	EXPECT_EQ(mmio_read32(bar0 + EDU_REG_ID) & 0xffU, 0xed);
	mmio_write32(bar0 + EDU_REG_LIVE, 0x12345678U);
	EXPECT_EQ(mmio_read32(bar0 + EDU_REG_LIVE), ~0x12345678U);
	/* 6.8.1.3: the message first, then Enable (MME 0: one vector) */
	cfg_write(cap + 4, 0xfee00000U | apic_id << 12);
	if (data_off == 0x0cU)
		cfg_write(cap + 8, 0);
	cfg_write(cap + data_off, MSI_VECTOR);
	EXPECT_EQ(cfg_read(cap + data_off) & 0xffffU, MSI_VECTOR);
	cfg_write(cap, (ctrl | 1U) << 16);
	EXPECT_EQ(cfg_read(cap) >> 16 & 1U, 1);
	if (cmdline_has("reboot") && !after_reset) {
		mmio_write32(bar0 + EDU_REG_RAISE, EDU_RAISE_VAL);
		EXPECT_TRUE(wait_msi(1));
		cmos_write(CMOS_MARK_REG, CMOS_MARK);
		printf("one interrupt with MSI on (%u), resetting the VM\n", msi_seen);
		outb(RESET_CONTROL, RCR_RESET);
		for (u64 t = rdtsc(); rdtsc() - t < 1000000000ULL;)
			asm volatile("pause");
		printf("the reset did not happen\n");
		test_fail();
	}
	for (u32 i = 1; i <= 3; i++) {
		mmio_write32(bar0 + EDU_REG_RAISE, EDU_RAISE_VAL);
		if (!EXPECT_TRUE(wait_msi(i)))
			break;
	}
	printf("edu raised 3 interrupts, %u delivered on vector 0x%x\n", msi_seen, MSI_VECTOR);
	EXPECT_EQ(msi_seen, 3);
	EXPECT_EQ(wrong_status, 0);
	if (cmdline_has("leave"))
		test_finish();
	/* disabled: the function sends none (6.8.1.3) */
	cfg_write(cap, ctrl << 16);
	EXPECT_EQ(cfg_read(cap) >> 16 & 1U, 0);
	mmio_write32(bar0 + EDU_REG_RAISE, EDU_RAISE_VAL);
	EXPECT_TRUE(!wait_msi(4));
	mmio_write32(bar0 + EDU_REG_ACK, EDU_RAISE_VAL);
	EXPECT_EQ(msi_seen, 3);
	test_finish();
}
