/* The ACPI tables of a Linux VM (ACPI 6.5 chapter 5): RSDP, XSDT, FADT,
 * FACS, MADT, HPET, MCFG and the DSDT (AML from acpi_dsdt.c), laid out in one buffer
 * that the loader copies to PC_ACPI_RSDP_GPA. */
#include <bulkhead/acpi_tables.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/string.h>

#define OEM_ID       "BLKHD "
#define OEM_TABLE_ID "BULKHEAD"
#define OEM_REVISION 1U
#define CREATOR_ID   "BLKH"
#define CREATOR_REV  1U

/* System Description Table Header, 5.2.6 */
struct sdt_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	char creator_id[4];
	u32 creator_revision;
} __packed;
_Static_assert(sizeof(struct sdt_header) == 36, "ACPI 6.5 Table 5.4");

/* RSDP, 5.2.5.3 */
struct rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt_address;
	u32 length;
	u64 xsdt_address;
	u8 extended_checksum;
	u8 reserved[3];
} __packed;
_Static_assert(sizeof(struct rsdp) == 36, "ACPI 6.5 Table 5.3");
#define RSDP_V1_LEN 20

/* Generic Address Structure, 5.2.3.2 */
struct gas {
	u8 space_id, bit_width, bit_offset, access_size;
	u64 address;
} __packed;
_Static_assert(sizeof(struct gas) == 12, "ACPI 6.5 Table 5.1");
#define GAS_SYSTEM_IO  1
#define GAS_ACCESS_ANY 0 /* undefined (legacy reasons): the register's width */
#define GAS_ACCESS_BYTE 1

/* FADT, 5.2.9 (revision 6, 276 bytes) */
struct fadt {
	struct sdt_header h;
	u32 firmware_ctrl, dsdt;
	u8 reserved0, preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	u32 pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk, pm2_cnt_blk;
	u32 pm_tmr_blk, gpe0_blk, gpe1_blk;
	u8 pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	u8 gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	u16 p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	u8 duty_offset, duty_width, day_alrm, mon_alrm, century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	struct gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl, x_dsdt;
	struct gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct gas sleep_control_reg, sleep_status_reg;
	char hypervisor_vendor[8];
} __packed;
_Static_assert(sizeof(struct fadt) == 276, "ACPI 6.5 Table 5.9");

#define PM1_EVT_LEN 4 /* PM1a status (2) + enable (2) */
#define PM1_CNT_LEN 2
#define PM_TMR_LEN  4
#define C2_UNSUPPORTED 101  /* P_LVL2_LAT > 100 */
#define C3_UNSUPPORTED 1001 /* P_LVL3_LAT > 1000 */
#define RTC_CENTURY_INDEX 0x32 /* CMOS century byte, as hv/dev/rtc.c keeps it */

/* FADT Flags, Table 5.10 */
#define FADT_WBINVD        (1U << 0)
#define FADT_PROC_C1       (1U << 2)
#define FADT_PWR_BUTTON    (1U << 4)  /* set: no fixed-feature power button */
#define FADT_SLP_BUTTON    (1U << 5)  /* set: no fixed-feature sleep button */
#define FADT_FIX_RTC       (1U << 6)  /* set: no RTC wake status in PM1 */
#define FADT_RESET_REG_SUP (1U << 10)
#define FADT_HEADLESS      (1U << 12)
/* IA-PC Boot Architecture Flags, Table 5.11 */
#define IAPC_LEGACY_DEVICES  (1U << 0)
#define IAPC_8042            (1U << 1)
#define IAPC_VGA_NOT_PRESENT (1U << 2)

/* FACS, 5.2.10 */
struct facs {
	char signature[4];
	u32 length;
	u32 hardware_signature;
	u32 firmware_waking_vector;
	u32 global_lock;
	u32 flags;
	u64 x_firmware_waking_vector;
	u8 version;
	u8 reserved0[3];
	u32 ospm_flags;
	u8 reserved1[24];
} __packed;
_Static_assert(sizeof(struct facs) == 64, "ACPI 6.5 Table 5.14");

/* MADT, 5.2.12 */
struct madt {
	struct sdt_header h;
	u32 lapic_address;
	u32 flags;
} __packed;
#define MADT_PCAT_COMPAT 1U

struct madt_lapic {
	u8 type, length, acpi_uid, apic_id;
	u32 flags;
} __packed;
struct madt_ioapic {
	u8 type, length, ioapic_id, reserved;
	u32 address, gsi_base;
} __packed;
struct madt_iso {
	u8 type, length, bus, source;
	u32 gsi;
	u16 flags;
} __packed;
struct madt_lapic_nmi {
	u8 type, length, acpi_uid;
	u16 flags;
	u8 lint;
} __packed;
_Static_assert(sizeof(struct madt_lapic) == 8, "ACPI 6.5 Table 5.22");
_Static_assert(sizeof(struct madt_ioapic) == 12, "ACPI 6.5 Table 5.24");
_Static_assert(sizeof(struct madt_iso) == 10, "ACPI 6.5 Table 5.25");
_Static_assert(sizeof(struct madt_lapic_nmi) == 6, "ACPI 6.5 Table 5.31");

#define MADT_TYPE_LAPIC     0
#define MADT_TYPE_IOAPIC    1
#define MADT_TYPE_ISO       2
#define MADT_TYPE_LAPIC_NMI 4
#define MADT_LAPIC_ENABLED  1U
#define MPS_ACTIVE_HIGH     0x1 /* MPS INTI flags, Table 5.26 */
#define MPS_EDGE            (0x1 << 2)
#define MPS_LEVEL           (0x3 << 2)
#define MADT_ALL_CPUS       0xff

/* Where tables go: a cursor over the caller's buffer. */
struct out {
	u8 *buf;
	u64 gpa, len, pos;
};

static void *out_take(struct out *o, u64 size, u64 align, u64 *gpa)
{
	u64 at = ALIGN_UP(o->gpa + o->pos, align) - o->gpa;

	if (at > o->len || size > o->len - at)
		return NULL;
	o->pos = at + size;
	*gpa = o->gpa + at;
	return o->buf + at;
}

static u8 checksum(const void *p, u64 len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum = (u8)(sum + *b++);
	return (u8)-sum;
}

static void header_init(struct sdt_header *h, const char *sig, u32 len, u8 rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, OEM_ID, 6);
	memcpy(h->oem_table_id, OEM_TABLE_ID, 8);
	h->oem_revision = OEM_REVISION;
	memcpy(h->creator_id, CREATOR_ID, 4);
	h->creator_revision = CREATOR_REV;
}

/* Fill the header last, when the whole table is written. */
static void header_seal(void *table, const char *sig, u32 len, u8 rev)
{
	struct sdt_header *h = table;

	header_init(h, sig, len, rev);
	h->checksum = 0;
	h->checksum = checksum(table, len);
}

static struct gas gas_io(u64 port, u8 bytes, u8 access)
{
	return (struct gas){ GAS_SYSTEM_IO, (u8)(bytes * 8), 0, access, port };
}

static void fadt_fill(struct fadt *f, const struct acpi_platform *p, u64 facs, u64 dsdt)
{
	f->firmware_ctrl = (u32)facs; /* X_FIRMWARE_CTRL stays 0: 5.2.9 */
	f->dsdt = (u32)dsdt;          /* same as X_DSDT for older readers */
	f->preferred_pm_profile = 0;  /* unspecified */
	f->sci_int = PC_SCI_IRQ;
	f->smi_cmd = PC_SMI_CMD;      /* 0: no SMM, always in ACPI mode */
	f->pm1a_evt_blk = PC_PM1A_EVT;
	f->pm1a_cnt_blk = PC_PM1A_CNT;
	f->pm_tmr_blk = PC_PM_TMR;
	f->gpe0_blk = PC_GPE0_BLK;
	f->pm1_evt_len = PM1_EVT_LEN;
	f->pm1_cnt_len = PM1_CNT_LEN;
	f->pm_tmr_len = PM_TMR_LEN;
	f->gpe0_blk_len = PC_GPE0_LEN;
	f->p_lvl2_lat = C2_UNSUPPORTED;
	f->p_lvl3_lat = C3_UNSUPPORTED;
	f->century = RTC_CENTURY_INDEX;
	/* COM1 is a user-visible ISA device; no 8042 keyboard controller
	 * (only its reset line, which the FADT reset register replaces);
	 * no VGA. */
	f->iapc_boot_arch = IAPC_LEGACY_DEVICES | IAPC_VGA_NOT_PRESENT;
	/* TMR_VAL_EXT clear: the PM timer is 24 bits. No RTC wake, no S4. */
	f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_FIX_RTC |
		   FADT_RESET_REG_SUP | FADT_HEADLESS |
		   (p->fixed_power_button ? 0 : FADT_PWR_BUTTON);
	f->reset_reg = gas_io(PC_RESET_CONTROL, 1, GAS_ACCESS_BYTE);
	f->reset_value = PC_RESET_VALUE;
	f->minor_version = 5; /* FADT 6.5 */
	f->x_dsdt = dsdt;
	/* The X_ blocks repeat the legacy ones; their widths must equal the
	 * _LEN fields or ACPICA warns "32/64X length mismatch". */
	f->x_pm1a_evt_blk = gas_io(PC_PM1A_EVT, PM1_EVT_LEN, GAS_ACCESS_ANY);
	f->x_pm1a_cnt_blk = gas_io(PC_PM1A_CNT, PM1_CNT_LEN, GAS_ACCESS_ANY);
	f->x_pm_tmr_blk = gas_io(PC_PM_TMR, PM_TMR_LEN, GAS_ACCESS_ANY);
	f->x_gpe0_blk = gas_io(PC_GPE0_BLK, PC_GPE0_LEN, GAS_ACCESS_ANY);
	memcpy(f->hypervisor_vendor, "Bulkhead", 8);
}

static u32 madt_fill(u8 *t, const struct acpi_platform *p)
{
	struct madt *m = (struct madt *)t;
	u32 at = sizeof(*m);

	m->lapic_address = (u32)PC_LAPIC_BASE;
	m->flags = MADT_PCAT_COMPAT;
	for (u32 i = 0; i < p->nr_cpus; i++) {
		struct madt_lapic e = { MADT_TYPE_LAPIC, sizeof(e), (u8)i, (u8)i,
					MADT_LAPIC_ENABLED };
		memcpy(t + at, &e, sizeof(e));
		at += sizeof(e);
	}
	struct madt_ioapic io = { MADT_TYPE_IOAPIC, sizeof(io), PC_IOAPIC_ID, 0,
				  (u32)PC_IOAPIC_BASE, 0 };
	memcpy(t + at, &io, sizeof(io));
	at += sizeof(io);
	const struct madt_iso iso[] = {
		{ MADT_TYPE_ISO, sizeof(iso[0]), 0, PC_PIT_IRQ, PC_PIT_GSI,
		  MPS_ACTIVE_HIGH | MPS_EDGE },
		{ MADT_TYPE_ISO, sizeof(iso[0]), 0, PC_SCI_IRQ, PC_SCI_IRQ,
		  MPS_ACTIVE_HIGH | MPS_LEVEL },
	};
	memcpy(t + at, iso, sizeof(iso));
	at += sizeof(iso);
	struct madt_lapic_nmi nmi = { MADT_TYPE_LAPIC_NMI, sizeof(nmi), MADT_ALL_CPUS,
				      MPS_ACTIVE_HIGH | MPS_EDGE, 1 };
	memcpy(t + at, &nmi, sizeof(nmi));
	return at + sizeof(nmi);
}

static u32 madt_size(u32 nr_cpus)
{
	return sizeof(struct madt) + nr_cpus * sizeof(struct madt_lapic) +
	       sizeof(struct madt_ioapic) + 2 * sizeof(struct madt_iso) +
	       sizeof(struct madt_lapic_nmi);
}

/* HPET description table, IA-PC HPET 1.0a 3.2.4 */
struct hpet_table {
	struct sdt_header h;
	u32 event_timer_block_id; /* capabilities register bits 31:0 */
	struct gas base_address;
	u8 hpet_number;
	u16 min_tick;             /* main counter minimum clock tick, periodic mode */
	u8 page_protection;
} __packed;
_Static_assert(sizeof(struct hpet_table) == 56, "IA-PC HPET 1.0a 3.2.4");
#define GAS_SYSTEM_MEMORY 0
#define HPET_NO_PAGE_PROTECTION 0

static void hpet_fill(struct hpet_table *t)
{
	t->event_timer_block_id = PC_HPET_ID;
	t->base_address = (struct gas){ GAS_SYSTEM_MEMORY, 0, 0, 0, PC_HPET_BASE };
	t->hpet_number = 0;
	t->min_tick = PC_HPET_MIN_TICK;
	t->page_protection = HPET_NO_PAGE_PROTECTION;
}

/* MCFG, PCI Firmware 3.0 4.1.2: one ECAM allocation (PCI Express 3.0
 * 7.2.2), segment 0, the buses of PC_PCI_ECAM_BUSES. */
struct mcfg {
	struct sdt_header h;
	u8 reserved[8];
	u64 base;
	u16 segment;
	u8 start_bus, end_bus;
	u32 reserved1;
} __packed;
_Static_assert(sizeof(struct mcfg) == 60, "PCI Firmware 3.0 Table 4-2, 4-3");

static void mcfg_fill(struct mcfg *t)
{
	t->base = PC_PCI_ECAM_BASE;
	t->segment = 0;
	t->start_bus = 0;
	t->end_bus = PC_PCI_ECAM_BUSES - 1;
}

#define XSDT_ENTRIES 4 /* FADT, MADT, HPET, MCFG */
#define TABLE_ALIGN 16
#define FACS_ALIGN 64 /* 5.2.10 */
#define TABLES_OFF (PC_ACPI_TABLES_GPA - PC_ACPI_RSDP_GPA)

static bool write_dsdt(struct out *o, const struct acpi_platform *p, u64 *gpa)
{
	u64 room;
	u8 *t = out_take(o, sizeof(struct sdt_header), TABLE_ALIGN, gpa);
	struct aml a;

	if (!t)
		return false;
	room = MIN(o->len - o->pos, (u64)0xffffffffU - sizeof(struct sdt_header));
	aml_init(&a, t + sizeof(struct sdt_header), (u32)room);
	if (!acpi_dsdt_emit(&a, p))
		return false;
	o->pos += a.len;
	/* revision 2: integers are 64 bits (5.2.11.1) */
	header_seal(t, "DSDT", (u32)(sizeof(struct sdt_header) + a.len), 2);
	return true;
}

bool acpi_tables_build(u8 *buf, u64 buf_gpa, u64 buf_len, const struct acpi_platform *p,
		       u64 *rsdp_gpa, const char **err)
{
	struct out o = { buf, buf_gpa, buf_len, TABLES_OFF };
	u64 facs_gpa = 0, xsdt_gpa = 0, fadt_gpa = 0, madt_gpa = 0, hpet_gpa = 0, dsdt_gpa = 0;
	u64 mcfg_gpa = 0;
	struct rsdp *r;
	struct facs *facs;
	u8 *xsdt, *madt;
	struct fadt *fadt;
	struct hpet_table *hpet;
	struct mcfg *mcfg;

	if (!p || p->nr_cpus == 0 || p->nr_cpus > ACPI_TABLES_MAX_CPUS) {
		*err = "ACPI tables: vCPU count must be 1..255";
		return false;
	}
	if (!buf || !IS_ALIGNED(buf_gpa, 16) || buf_gpa + buf_len < buf_gpa ||
	    buf_gpa + buf_len > GiB(4)) {
		*err = "ACPI tables: area must be 16-byte aligned and below 4 GiB";
		return false;
	}
	if (buf_len < TABLES_OFF) {
		*err = "ACPI tables: area too small";
		return false;
	}
	memset(buf, 0, buf_len);
	facs = out_take(&o, sizeof(*facs), FACS_ALIGN, &facs_gpa);
	xsdt = out_take(&o, sizeof(struct sdt_header) + 8 * XSDT_ENTRIES, TABLE_ALIGN, &xsdt_gpa);
	fadt = out_take(&o, sizeof(*fadt), TABLE_ALIGN, &fadt_gpa);
	madt = out_take(&o, madt_size(p->nr_cpus), TABLE_ALIGN, &madt_gpa);
	hpet = out_take(&o, sizeof(*hpet), TABLE_ALIGN, &hpet_gpa);
	mcfg = out_take(&o, sizeof(*mcfg), TABLE_ALIGN, &mcfg_gpa);
	if (!facs || !xsdt || !fadt || !madt || !hpet || !mcfg || !write_dsdt(&o, p, &dsdt_gpa)) {
		*err = "ACPI tables: area too small";
		return false;
	}

	memcpy(facs->signature, "FACS", 4);
	facs->length = sizeof(*facs);
	facs->version = 2;

	fadt_fill(fadt, p, facs_gpa, dsdt_gpa);
	header_seal(fadt, "FACP", sizeof(*fadt), 6);

	header_seal(madt, "APIC", madt_fill(madt, p), 5); /* ACPI 6.3+ layout */

	hpet_fill(hpet);
	header_seal(hpet, "HPET", sizeof(*hpet), 1);

	mcfg_fill(mcfg);
	header_seal(mcfg, "MCFG", sizeof(*mcfg), 1);

	memcpy(xsdt + sizeof(struct sdt_header), &fadt_gpa, 8);
	memcpy(xsdt + sizeof(struct sdt_header) + 8, &madt_gpa, 8);
	memcpy(xsdt + sizeof(struct sdt_header) + 16, &hpet_gpa, 8);
	memcpy(xsdt + sizeof(struct sdt_header) + 24, &mcfg_gpa, 8);
	header_seal(xsdt, "XSDT", sizeof(struct sdt_header) + 8 * XSDT_ENTRIES, 1);

	r = (struct rsdp *)buf;
	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, OEM_ID, 6);
	r->revision = 2;
	r->length = sizeof(*r);
	r->xsdt_address = xsdt_gpa;
	r->checksum = checksum(r, RSDP_V1_LEN);
	r->extended_checksum = checksum(r, sizeof(*r));
	*rsdp_gpa = buf_gpa;
	return true;
}
