/* The IOMMU API (iommu.h) on AMD-Vi: finding the IOMMU through the IVRS,
 * domains with their I/O page tables, and which domain owns each requestor
 * ID. A requestor ID not attached to a domain is blocked. */
#include <bulkhead/amd_vi.h>
#include <bulkhead/amd_vi_hw.h>
#include <bulkhead/amd_vi_ir.h>
#include <bulkhead/amd_vi_ivrs.h>
#include <bulkhead/console.h>
#include <bulkhead/iommu.h>
#include <bulkhead/mm.h>
#include <bulkhead/string.h>

#define EVENT_LINES_PER_POLL 4U

static struct {
	bool present;
	const char *why_none;
	struct ivrs_info ivrs;
	struct iommu_domain domains[IOMMU_MAX_DOMAINS];
	u8 owner[AMD_VI_NR_DEVIDS];      /* domain id, 0 = blocked */
	u8 alias_users[AMD_VI_NR_DEVIDS]; /* attached devices that use it as alias */
	bool intremap;
	struct { u16 bdf; u64 table; } irt[IOMMU_MAX_IRT]; /* table 0: free slot */
} io = { .why_none = "the IOMMU is not initialised" };

static u64 table_alloc(void *ctx)
{
	(void)ctx;
	return mm_alloc_pages(1);
}

static u64 *table_ptr(void *ctx, u64 pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

static void table_free(void *ctx, u64 pa)
{
	(void)ctx;
	mm_free_pages(pa, 1);
}

static const struct pt_ops io_table_ops = { table_alloc, table_ptr, NULL, table_free };

static void no_iommu(const char *why)
{
	io.why_none = why;
	printf("iommu: none: %s; PCI passthrough will be refused\n", why);
}

/* The IVRS's special devices (IOAPIC, HPET): the hypervisor takes no
 * interrupt from them (only its local APIC's timer, IPIs and the MSI
 * pool), so everything they send is aborted. Under QEMU 7.2 that also
 * stops a device's DMA write into the MSI window, which arrives without
 * requester ID and is taken for the IOAPIC's (docs/architecture.md). */
static void abort_special_interrupts(void)
{
	u32 n = MIN(io.ivrs.nr_special, (u32)IVRS_MAX_SPECIAL);

	for (u32 i = 0; i < n; i++) {
		u16 id = io.ivrs.special_devid[i];
		u64 dte[4];

		amd_vi_dte_blocked(dte, amd_vi_hw_empty_root());
		amd_vi_dte_intr_abort(dte);
		if (!amd_vi_hw_set_dte(id, dte))
			printf("iommu: %02x:%02x.%u: its interrupts could not be aborted\n", id >> 8,
			       (id >> 3) & 31U, id & 7U);
		else
			printf("iommu: interrupts from IOAPIC/HPET %02x:%02x.%u aborted (the "
			       "hypervisor uses none)\n", id >> 8, (id >> 3) & 31U, id & 7U);
	}
}

void iommu_init(const struct acpi_info *acpi, const struct phys_view *v)
{
	const struct ivrs_iommu *m = NULL;
	const u8 *t;
	const char *err;

	if (!acpi->ivrs_pa) {
		no_iommu("no IVRS table (no AMD IOMMU, or the firmware has it off)");
		return;
	}
	t = phys_view_ptr(v, acpi->ivrs_pa, acpi->ivrs_len);
	if (!t || !ivrs_parse(t, acpi->ivrs_len, &io.ivrs, &err)) {
		printf("%s\n", t ? err : "ivrs: table outside the mapped memory");
		no_iommu("the IVRS table is unusable");
		return;
	}
	for (u32 i = 0; i < io.ivrs.nr_iommus && !m; i++)
		if (io.ivrs.iommus[i].segment == 0)
			m = &io.ivrs.iommus[i];
	if (!m) {
		no_iommu("no IOMMU for PCI segment 0 in the IVRS");
		return;
	}
	if (!amd_vi_hw_init(m->base, &err)) {
		printf("iommu: AMD-Vi at %#lx: %s\n", m->base, err);
		no_iommu("the AMD-Vi IOMMU could not be enabled");
		return;
	}
	io.present = true;
	printf("iommu: AMD-Vi at %#lx (IVHD type %#x, itself %02x:%02x.%u), %u device ranges, "
	       "all %u requestor IDs DMA-blocked\n", m->base, m->ivhd_type, m->devid >> 8,
	       (m->devid >> 3) & 31U, m->devid & 7U, io.ivrs.nr_ranges, AMD_VI_NR_DEVIDS);
	io.intremap = io.ivrs.has_ioapic;
	if (io.intremap) {
		printf("iommu: interrupt remapping on: a passed-through device's MSIs go through "
		       "its own table of %u entries, all invalid but the host vectors it is given\n",
		       AMD_VI_IRT_ENTRIES);
		abort_special_interrupts();
	}
	else
		printf("iommu: interrupt remapping off (the IVRS lists no IOAPIC; QEMU: amd-iommu "
		       "without intremap=on): a passed-through device can raise any host "
		       "interrupt vector by DMA to 0xfeexxxxx\n");
	if (io.ivrs.nr_iommus > 1)
		printf("iommu: %u more IOMMUs in the IVRS are not used\n", io.ivrs.nr_iommus - 1);
}

bool iommu_present(void)
{
	return io.present;
}

enum iommu_result iommu_passthrough_allowed(const char **why)
{
	if (io.present)
		return IOMMU_OK;
	*why = io.why_none;
	return IOMMU_NONE;
}

struct iommu_domain *iommu_domain_create(void)
{
	if (!io.present)
		return NULL;
	for (u16 i = 0; i < IOMMU_MAX_DOMAINS; i++) {
		struct iommu_domain *d = &io.domains[i];

		if (d->id)
			continue;
		if (io_pt_init(&d->pt, &io_table_ops) != PT_OK)
			return NULL;
		d->id = (u16)(i + 1); /* 1-255: see amd_vi_dte_translate */
		d->nr_devices = 0;
		return d;
	}
	return NULL;
}

static bool domain_ok(const struct iommu_domain *d)
{
	return d && d >= io.domains && d < io.domains + IOMMU_MAX_DOMAINS && d->id;
}

bool iommu_domain_destroy(struct iommu_domain *d)
{
	if (!domain_ok(d) || d->nr_devices)
		return false;
	io_pt_destroy(&d->pt);
	d->id = 0;
	return true;
}

static enum iommu_result from_pt(enum pt_result r)
{
	switch (r) {
	case PT_OK:
		return IOMMU_OK;
	case PT_NO_MEMORY:
		return IOMMU_NO_MEMORY;
	case PT_EXISTS:
		return IOMMU_EXISTS;
	default:
		return IOMMU_BAD_ARGS;
	}
}

enum iommu_result iommu_map(struct iommu_domain *d, u64 gpa, u64 hpa, u64 size, unsigned access)
{
	enum iommu_result r;

	if (!io.present)
		return IOMMU_NONE;
	if (!domain_ok(d))
		return IOMMU_BAD_ARGS;
	r = from_pt(io_pt_map(&d->pt, gpa, hpa, size, access));
	/* a failed map may have left part of the range mapped: flush anyway */
	if (r != IOMMU_BAD_ARGS && r != IOMMU_EXISTS && !amd_vi_hw_flush_domain(d->id))
		return IOMMU_HW_TIMEOUT;
	return r;
}

enum iommu_result iommu_unmap(struct iommu_domain *d, u64 gpa, u64 size)
{
	enum iommu_result r;

	if (!io.present)
		return IOMMU_NONE;
	if (!domain_ok(d))
		return IOMMU_BAD_ARGS;
	r = from_pt(io_pt_unmap(&d->pt, gpa, size));
	if (r != IOMMU_BAD_ARGS && !amd_vi_hw_flush_domain(d->id))
		return IOMMU_HW_TIMEOUT;
	return r;
}

/* The other requestor ID bdf's DMA arrives under (IVRS alias), or bdf. */
static u16 alias_of(u16 bdf)
{
	const struct ivrs_range *r = ivrs_find(&io.ivrs, 0, bdf);

	return r && r->has_alias ? r->alias : bdf;
}

static bool set_translate(u16 devid, const struct iommu_domain *d, u64 irt)
{
	u64 dte[4];

	amd_vi_dte_translate(dte, d->id, d->pt.root);
	if (irt)
		amd_vi_dte_intremap(dte, irt);
	return amd_vi_hw_set_dte(devid, dte);
}

bool iommu_intremap(void)
{
	return io.present && io.intremap;
}

/* bdf's remapping table (physical), or 0. */
static u64 irt_find(u16 bdf)
{
	for (u32 i = 0; i < IOMMU_MAX_IRT; i++)
		if (io.irt[i].table && io.irt[i].bdf == bdf)
			return io.irt[i].table;
	return 0;
}

static u64 irt_alloc(u16 bdf)
{
	for (u32 i = 0; i < IOMMU_MAX_IRT; i++) {
		if (io.irt[i].table)
			continue;
		io.irt[i].table = mm_alloc_pages(AMD_VI_IRT_BYTES / 4096U);
		if (!io.irt[i].table)
			return 0;
		memset(phys_to_virt(io.irt[i].table), 0, AMD_VI_IRT_BYTES); /* all invalid */
		io.irt[i].bdf = bdf;
		return io.irt[i].table;
	}
	return 0;
}

static void irt_free(u16 bdf)
{
	for (u32 i = 0; i < IOMMU_MAX_IRT; i++) {
		if (io.irt[i].table && io.irt[i].bdf == bdf) {
			mm_free_pages(io.irt[i].table, AMD_VI_IRT_BYTES / 4096U);
			io.irt[i].table = 0;
		}
	}
}

static enum iommu_result irte_write(u16 bdf, u16 index, u32 irte)
{
	u64 pa = io.present && io.intremap ? irt_find(bdf) : 0;
	u32 *t = pa ? phys_to_virt(pa) : NULL;
	u16 alias = alias_of(bdf);

	if (!t)
		return IOMMU_NONE;
	if (index >= 256) /* data bits 10:8 not 000b: not remapped as fixed (amd_vi_ir.h) */
		return IOMMU_BAD_ARGS;
	__atomic_store_n(&t[index], irte, __ATOMIC_SEQ_CST);
	if (!amd_vi_hw_invalidate_irt(bdf) || (alias != bdf && !amd_vi_hw_invalidate_irt(alias)))
		return IOMMU_HW_TIMEOUT;
	return IOMMU_OK;
}

enum iommu_result iommu_irte_set(u16 bdf, u16 index, u8 vector, u8 apic_id)
{
	return irte_write(bdf, index, amd_vi_irte(vector, apic_id));
}

enum iommu_result iommu_irte_clear(u16 bdf, u16 index)
{
	return irte_write(bdf, index, 0);
}

static bool set_blocked(u16 devid)
{
	u64 dte[4];

	amd_vi_dte_blocked(dte, amd_vi_hw_empty_root());
	return amd_vi_hw_set_dte(devid, dte);
}

enum iommu_result iommu_attach(struct iommu_domain *d, u16 bdf)
{
	u64 irt = 0;
	u16 alias;

	if (!io.present)
		return IOMMU_NONE;
	if (!domain_ok(d))
		return IOMMU_BAD_ARGS;
	alias = alias_of(bdf);
	if (io.owner[bdf] == d->id)
		return IOMMU_OK;
	if (io.owner[bdf] || io.alias_users[bdf] ||
	    (alias != bdf && io.owner[alias] && io.owner[alias] != d->id))
		return IOMMU_BUSY;
	if (io.intremap && !(irt = irt_find(bdf)) && !(irt = irt_alloc(bdf)))
		return IOMMU_NO_MEMORY;
	/* an alias shared by several devices has the last one's table */
	if (!set_translate(bdf, d, irt) || (alias != bdf && !set_translate(alias, d, irt))) {
		(void)set_blocked(bdf);
		irt_free(bdf);
		return IOMMU_HW_TIMEOUT;
	}
	io.owner[bdf] = (u8)d->id;
	if (alias != bdf) {
		io.owner[alias] = (u8)d->id;
		io.alias_users[alias]++;
	}
	d->nr_devices++;
	return IOMMU_OK;
}

enum iommu_result iommu_detach(u16 bdf)
{
	struct iommu_domain *d;
	u16 alias;

	if (!io.present)
		return IOMMU_NONE;
	if (!io.owner[bdf] || io.alias_users[bdf])
		return IOMMU_OK; /* blocked already, or only an alias of others */
	d = &io.domains[io.owner[bdf] - 1];
	alias = alias_of(bdf);
	if (!set_blocked(bdf))
		return IOMMU_HW_TIMEOUT;
	io.owner[bdf] = 0;
	irt_free(bdf); /* its entry no longer points at it */
	if (alias != bdf && --io.alias_users[alias] == 0) {
		if (!set_blocked(alias))
			return IOMMU_HW_TIMEOUT;
		io.owner[alias] = 0;
	}
	d->nr_devices--;
	return IOMMU_OK;
}

unsigned iommu_poll_events(void)
{
	return io.present ? amd_vi_hw_poll_events(EVENT_LINES_PER_POLL) : 0;
}
