/* ACPI fixed hardware (ACPI 6.5 4.8.3): PM1a status/enable at PC_PM1A_EVT,
 * PM1a control at PC_PM1A_CNT, the 24-bit PM timer at PC_PM_TMR (one
 * region, dwords 0-2) and GPE0 status/enable at PC_GPE0_BLK. There is no
 * SMM, so SCI_EN always reads 1. Sleeping with SLP_TYP = S5 powers the VM
 * off. Status bits are raised by the PM timer's TMR_STS, which does not
 * raise the SCI by itself (the timer is not polled), and by the fixed power
 * button (acpi_pm_power_button), which does; the SCI level is recomputed on
 * each register write and on a button press. */
#include <bulkhead/acpi_pm.h>
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>

#define PM1_LEN     12   /* event (4), control (2 + 2 reserved), timer (4) */
#define DW_EVT      0
#define DW_CNT      1
#define DW_TMR      2

/* PM1 status/enable bits (ACPI 6.5 tables 4.16-4.17) */
#define TMR_STS     (1U << 0)
#define PWRBTN_STS  (1U << 8)  /* PWRBTN_EN is the same bit of the enable word */
#define PM1_STS_MASK 0xcf31U /* TMR BM GBL PWRBTN SLPBTN RTC PCIEXP WAK */
#define PM1_EN_MASK  0x4721U /* TMR GBL PWRBTN SLPBTN RTC PCIEXP_WAKE_DIS */
/* PM1 control (table 4.18) */
#define SCI_EN      (1U << 0)
#define CNT_KEEP    0x1c06U /* BM_RLD, GBL_RLS (write-only), SLP_TYP */
#define SLP_TYP(v)  (((v) >> 10) & 7)
#define TMR_BITS    24

struct acpi_pm {
	struct dev_host *host;
	struct vclock clk;
	u64 tmr_start;      /* TSC at which the timer read 0 */
	u64 tmr_sts_since;  /* timer ticks at the last TMR_STS clear */
	u16 sts, en, cnt;
	u32 gpe_sts, gpe_en;
	bool sci;
};

static u64 tmr_ticks(const struct acpi_pm *pm)
{
	u64 now = pm->clk.now();

	return now > pm->tmr_start ? vclock_ticks(now - pm->tmr_start, pm->clk.hz, PC_PM_TMR_HZ) : 0;
}

/* TMR_STS: set whenever bit 23 of the timer has toggled since cleared. */
static u16 pm1_sts(const struct acpi_pm *pm)
{
	bool carry = (tmr_ticks(pm) >> (TMR_BITS - 1)) != (pm->tmr_sts_since >> (TMR_BITS - 1));

	return (u16)(pm->sts | (carry ? TMR_STS : 0));
}

static void update_sci(struct acpi_pm *pm)
{
	bool level = (pm1_sts(pm) & pm->en) || (pm->gpe_sts & pm->gpe_en);

	if (level != pm->sci) {
		pm->sci = level;
		dev_irq_set(pm->host, PC_SCI_IRQ, level);
	}
}

static u32 pm1_dword(const struct acpi_pm *pm, u64 dw)
{
	switch (dw) {
	case DW_EVT: return pm1_sts(pm) | (u32)pm->en << 16;
	case DW_CNT: return pm->cnt | SCI_EN;
	default:     return (u32)(tmr_ticks(pm) & ((1U << TMR_BITS) - 1));
	}
}

/* Registers are accessed at any width that stays inside one dword; one
 * that spans two registers' dwords no ACPI OS makes. */
static bool inside_dword(u64 off, u32 size)
{
	return size <= 4 && (off & 3) + size <= 4;
}

static u32 byte_mask(u64 off, u32 size)
{
	return (size == 4 ? ~0U : ((1U << (8 * size)) - 1)) << (8 * (off & 3));
}

/* The bytes a read at off returns from the register dword holding it. */
static u64 read_bytes(u32 dword, u64 off, u32 size)
{
	return (dword & byte_mask(off, size)) >> (8 * (off & 3));
}

/* A write's value moved to its place in the register dword. */
static u32 write_bits(u64 off, u32 size, u64 val)
{
	return ((u32)val << (8 * (off & 3))) & byte_mask(off, size);
}

static enum bus_result pm1_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct acpi_pm *pm = dev;

	if (!inside_dword(off, size))
		return BUS_BAD_ACCESS;
	*val = read_bytes(pm1_dword(pm, off / 4), off, size);
	return BUS_OK;
}

static void write_cnt(struct acpi_pm *pm, u32 v)
{
	pm->cnt = (u16)(v & CNT_KEEP);
	if ((v & PC_SLP_EN) && SLP_TYP(v) == PC_SLP_TYP_S5)
		dev_request_poweroff(pm->host);
	/* Other sleep types have no \_Sx package: the guest never asks. */
}

static enum bus_result pm1_write(void *dev, u64 off, u32 size, u64 val)
{
	struct acpi_pm *pm = dev;
	u32 mask, v;

	if (!inside_dword(off, size))
		return BUS_BAD_ACCESS;
	mask = byte_mask(off, size);
	v = write_bits(off, size, val);
	switch (off / 4) {
	case DW_EVT:
		pm->sts &= (u16)~(v & PM1_STS_MASK); /* write 1 to clear */
		if (v & TMR_STS)
			pm->tmr_sts_since = tmr_ticks(pm);
		if (mask & 0xffff0000U)
			pm->en = (u16)((pm->en & ~(mask >> 16)) | ((v >> 16) & PM1_EN_MASK));
		break;
	case DW_CNT:
		if (mask & 0xffff)
			write_cnt(pm, (pm->cnt & ~mask) | v);
		break;
	default:
		break; /* the timer is read-only */
	}
	update_sci(pm);
	return BUS_OK;
}

/* GPE0: status dword at +0 (write 1 to clear), enable dword at +4. */
static enum bus_result gpe_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct acpi_pm *pm = dev;

	if (!inside_dword(off, size))
		return BUS_BAD_ACCESS;
	*val = read_bytes(off < 4 ? pm->gpe_sts : pm->gpe_en, off, size);
	return BUS_OK;
}

static enum bus_result gpe_write(void *dev, u64 off, u32 size, u64 val)
{
	struct acpi_pm *pm = dev;
	u32 mask, v;

	if (!inside_dword(off, size))
		return BUS_BAD_ACCESS;
	mask = byte_mask(off, size);
	v = write_bits(off, size, val);
	if (off < 4)
		pm->gpe_sts &= ~v;
	else
		pm->gpe_en = (pm->gpe_en & ~mask) | v;
	update_sci(pm);
	return BUS_OK;
}

/* ACPI 6.5 4.8.3.1-2: status, enables and control clear at reset; the PM
 * timer keeps running. */
static void acpi_pm_reset(void *dev)
{
	struct acpi_pm *pm = dev;

	pm->sts = pm->en = pm->cnt = 0;
	pm->gpe_sts = pm->gpe_en = 0;
	pm->tmr_sts_since = tmr_ticks(pm);
	update_sci(pm);
}

static const struct bus_dev_ops pm1_ops = { pm1_read, pm1_write, acpi_pm_reset };
static const struct bus_dev_ops gpe_ops = { gpe_read, gpe_write, NULL };

struct acpi_pm *acpi_pm_attach(struct dev_host *host, struct vclock clk, const char **err)
{
	struct acpi_pm *pm = dev_create(host, &host->bus->pio, PC_PM1A_EVT, PM1_LEN, sizeof(*pm),
					&pm1_ops, "acpi-pm1", err);

	if (!pm)
		return NULL;
	if (!bus_register(&host->bus->pio, PC_GPE0_BLK, PC_GPE0_LEN, &gpe_ops, pm, "acpi-gpe0")) {
		*err = "GPE0 block taken";
		return NULL;
	}
	pm->host = host;
	pm->clk = clk;
	pm->tmr_start = clk.now();
	return pm;
}

/* ACPI 6.5 4.8.2.2.1.1 (fixed hardware power button) and 4.8.3.1 (PM1
 * event grouping, table 4.16): pressing the button sets PWRBTN_STS, whatever PWRBTN_EN; with PWRBTN_EN
 * set the SCI is raised, and the OS clears the status by writing 1. */
bool acpi_pm_power_button(struct acpi_pm *pm)
{
	pm->sts |= PWRBTN_STS;
	update_sci(pm);
	return pm->en & PWRBTN_STS;
}

static bool press_power_button(void *dev)
{
	return acpi_pm_power_button(dev);
}

static bool acpi_pm_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	struct acpi_pm *pm = acpi_pm_attach(host, vclock_host(), err);

	(void)cfg;
	if (!pm)
		return false;
	dev_attach_power_button(host, press_power_button, pm);
	return true;
}

VM_DEVICE(20, acpi_pm, acpi_pm_create);
