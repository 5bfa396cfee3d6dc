/* ACPI table discovery: RSDP -> XSDT/RSDT -> MADT (ACPI 6.5 5.2.5-5.2.12),
 * and where the MCFG (PCI Firmware Specification 3.3, 4.1.2) and the IVRS
 * (AMD IOMMU specification 48882, 5.2) are. */
#include <bulkhead/acpi.h>
#include <bulkhead/string.h>

struct acpi_header {
	char sig[4];
	u32 length;
	u8 revision, checksum;
	char oem_id[6], oem_table_id[8];
	u32 oem_revision, creator_id, creator_revision;
} __packed;

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define MADT_HDR_LEN 44 /* header + local APIC address + flags */
#define MCFG_HDR_LEN 44 /* header + 8 reserved bytes */
#define MCFG_ENTRY_LEN 16
#define MAX_TABLE_LEN (1U << 24)

#define MADT_LAPIC   0
#define MADT_IOAPIC  1
#define MADT_X2APIC  9
#define MADT_ENABLED 1U
#define MADT_ONLINE_CAPABLE 2U

static bool checksum_ok(const u8 *p, u64 len)
{
	u8 sum = 0;

	for (u64 i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	return sum == 0;
}

static bool rsdp_valid(const u8 *p, u64 avail)
{
	u32 len;

	if (avail < RSDP_V1_LEN || memcmp(p, "RSD PTR ", 8) || !checksum_ok(p, RSDP_V1_LEN))
		return false;
	if (p[15] < 2)
		return true;
	if (avail < RSDP_V2_LEN)
		return false;
	memcpy(&len, p + 20, 4);
	return len >= RSDP_V2_LEN && len <= avail && checksum_ok(p, len);
}

static const u8 *scan_rsdp(const struct phys_view *v, u64 start, u64 len, u64 *pa)
{
	for (u64 a = start; a + RSDP_V1_LEN <= start + len; a += 16) {
		u64 avail = phys_view_ptr(v, a, RSDP_V2_LEN) ? RSDP_V2_LEN : RSDP_V1_LEN;
		const u8 *p = phys_view_ptr(v, a, avail);

		if (p && rsdp_valid(p, avail)) {
			*pa = a;
			return p;
		}
	}
	return NULL;
}

static const u8 *find_rsdp(const struct phys_view *v, u64 *pa)
{
	const u16 *ebda_seg = phys_view_ptr(v, 0x40e, 2);
	const u8 *p = NULL;

	if (ebda_seg && *ebda_seg)
		p = scan_rsdp(v, (u64)*ebda_seg << 4, KiB(1), pa);
	if (!p)
		p = scan_rsdp(v, 0xe0000, 0x20000, pa);
	return p;
}

/* A whole, checksummed table at pa, or NULL. */
static const struct acpi_header *map_table(const struct phys_view *v, u64 pa)
{
	const struct acpi_header *h = phys_view_ptr(v, pa, sizeof(*h));

	if (!h || h->length < sizeof(*h) || h->length > MAX_TABLE_LEN)
		return NULL;
	h = phys_view_ptr(v, pa, h->length);
	if (!h || !checksum_ok((const u8 *)h, h->length))
		return NULL;
	return h;
}

/* MADT processor local APIC (5.2.12.2: ID at byte 3) and x2APIC (5.2.12.12:
 * ID at bytes 4-7) entries; a firmware listing one ID twice gets it once. */
static void add_apic_id(struct acpi_info *info, u32 id)
{
	for (u32 i = 0; i < info->nr_apic_ids; i++)
		if (info->apic_ids[i] == id)
			return;
	if (info->nr_apic_ids < ACPI_MAX_CPUS)
		info->apic_ids[info->nr_apic_ids++] = id;
}

static bool parse_madt(const struct acpi_header *h, struct acpi_info *info, const char **err)
{
	const u8 *p = (const u8 *)h;
	u32 off = MADT_HDR_LEN;

	if (h->length < MADT_HDR_LEN) {
		*err = "acpi: MADT too short";
		return false;
	}
	memcpy(&info->lapic_base, p + 36, 4);
	while (off + 2 <= h->length) {
		u8 type = p[off], len = p[off + 1];
		u32 flags;

		if (len < 2 || off + len > h->length) {
			*err = "acpi: MADT entry runs past the table";
			return false;
		}
		if (type == MADT_LAPIC && len >= 8) {
			memcpy(&flags, p + off + 4, 4);
			if (flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE))
				info->nr_cpus++;
			if (flags & MADT_ENABLED)
				add_apic_id(info, p[off + 3]);
		} else if (type == MADT_X2APIC && len >= 16) {
			u32 id;

			memcpy(&flags, p + off + 8, 4);
			memcpy(&id, p + off + 4, 4);
			if (flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE))
				info->nr_cpus++;
			if (flags & MADT_ENABLED)
				add_apic_id(info, id);
		} else if (type == MADT_IOAPIC) {
			info->nr_ioapics++;
		}
		off += len;
	}
	if (info->nr_cpus == 0) {
		*err = "acpi: MADT lists no usable processor";
		return false;
	}
	return true;
}

/* MCFG configuration space base address allocation structures (PCI
 * Firmware Specification 3.3, table 4-3): base (8 bytes), segment group (2),
 * start and end bus (1 each). The first one for segment 0 is kept; one whose
 * bus range is reversed is ignored. */
static void parse_mcfg(const struct acpi_header *h, struct acpi_info *info)
{
	const u8 *p = (const u8 *)h;

	for (u32 off = MCFG_HDR_LEN; off + MCFG_ENTRY_LEN <= h->length; off += MCFG_ENTRY_LEN) {
		u64 base;
		u16 seg;

		memcpy(&base, p + off, 8);
		memcpy(&seg, p + off + 8, 2);
		if (info->ecam_base || seg != 0 || p[off + 11] < p[off + 10] || !base)
			continue;
		info->ecam_base = base;
		info->ecam_bus_start = p[off + 10];
		info->ecam_bus_end = p[off + 11];
	}
}

bool acpi_read(const struct phys_view *v, const void *rsdp_copy, u64 rsdp_len,
	       struct acpi_info *info, const char **err)
{
	const u8 *rsdp;
	const struct acpi_header *sdt, *madt = NULL;
	u64 sdt_pa, entry_size;

	memset(info, 0, sizeof(*info));
	if (rsdp_copy) {
		rsdp = rsdp_copy;
		if (!rsdp_valid(rsdp, rsdp_len)) {
			*err = "acpi: RSDP from the boot loader is invalid";
			return false;
		}
	} else if (!(rsdp = find_rsdp(v, &info->rsdp))) {
		*err = "acpi: no RSDP found";
		return false;
	}
	info->revision = rsdp[15];
	if (info->revision >= 2) {
		memcpy(&sdt_pa, rsdp + 24, 8);
		entry_size = 8;
	} else {
		u32 rsdt;
		memcpy(&rsdt, rsdp + 16, 4);
		sdt_pa = rsdt;
		entry_size = 4;
	}
	sdt = map_table(v, sdt_pa);
	if (!sdt || memcmp(sdt->sig, entry_size == 8 ? "XSDT" : "RSDT", 4)) {
		*err = "acpi: root table (XSDT/RSDT) missing or corrupt";
		return false;
	}
	for (u64 off = sizeof(*sdt); off + entry_size <= sdt->length; off += entry_size) {
		u64 pa = 0;
		const struct acpi_header *t;

		memcpy(&pa, (const u8 *)sdt + off, entry_size);
		t = map_table(v, pa);
		if (!t)
			continue;
		if (!madt && !memcmp(t->sig, "APIC", 4))
			madt = t;
		else if (!memcmp(t->sig, "MCFG", 4))
			parse_mcfg(t, info);
		else if (!info->ivrs_pa && !memcmp(t->sig, "IVRS", 4)) {
			info->ivrs_pa = pa;
			info->ivrs_len = t->length;
		}
	}
	if (madt)
		return parse_madt(madt, info, err);
	*err = "acpi: no valid MADT";
	return false;
}
