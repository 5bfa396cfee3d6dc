/* The DSDT's AML: \_S5 for poweroff, the PCI host bridge with its
 * interrupt routing and the legacy devices it decodes, and one processor device per vCPU. Everything comes
 * from pc_platform.h and struct acpi_platform. ASL equivalent in
 * docs/linux-guest.md. */
#include <bulkhead/acpi_tables.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/string.h>

/* A resource template (ACPI 6.5 6.4) being assembled before it becomes a
 * Buffer; big enough for the host bridge's _CRS. */
struct rt {
	u8 b[128];
	u32 len;
	bool ok;
};

static void rt_put(struct rt *r, u64 v, unsigned n)
{
	if (n > sizeof(r->b) - r->len) {
		r->ok = false;
		return;
	}
	for (unsigned i = 0; i < n; i++)
		r->b[r->len++] = (u8)(v >> (8 * i));
}

/* I/O Port Descriptor, 6.4.2.5: IO (Decode16, base, base, 1, len) */
static void rt_io(struct rt *r, u16 base, u8 len)
{
	rt_put(r, 0x47, 1);
	rt_put(r, 1, 1); /* decodes 16 address bits */
	rt_put(r, base, 2);
	rt_put(r, base, 2);
	rt_put(r, 1, 1);
	rt_put(r, len, 1);
}

/* IRQ Descriptor without the flags byte, 6.4.2.1: IRQNoFlags () {irq},
 * meaning edge-triggered, active high (ISA). */
static void rt_irq(struct rt *r, unsigned irq)
{
	rt_put(r, 0x22, 1);
	rt_put(r, 1U << irq, 2);
}

#define RT_SPACE_MEM 0
#define RT_SPACE_IO  1
#define RT_SPACE_BUS 2
#define RT_PRODUCER_FIXED 0x0c /* _MAF | _MIF, positive decode, producer */
#define RT_IO_ENTIRE_RANGE 0x03 /* _RNG: ISA and non-ISA ranges */
#define RT_MEM_RW_UNCACHED 0x01 /* _RW, _MEM non-cacheable, _MTP memory */

/* Word Address Space Descriptor, 6.4.3.5.3 (WordIO, WordBusNumber) */
static void rt_word_space(struct rt *r, u8 type, u8 tflags, u16 min, u16 max)
{
	rt_put(r, 0x88, 1);
	rt_put(r, 13, 2);
	rt_put(r, type, 1);
	rt_put(r, RT_PRODUCER_FIXED, 1);
	rt_put(r, tflags, 1);
	rt_put(r, 0, 2);   /* granularity */
	rt_put(r, min, 2);
	rt_put(r, max, 2);
	rt_put(r, 0, 2);   /* translation offset */
	rt_put(r, (u32)max - min + 1, 2);
}

/* DWord Address Space Descriptor, 6.4.3.5.2 (DWordMemory) */
static void rt_dword_mem(struct rt *r, u32 min, u32 max)
{
	rt_put(r, 0x87, 1);
	rt_put(r, 23, 2);
	rt_put(r, RT_SPACE_MEM, 1);
	rt_put(r, RT_PRODUCER_FIXED, 1);
	rt_put(r, RT_MEM_RW_UNCACHED, 1);
	rt_put(r, 0, 4);
	rt_put(r, min, 4);
	rt_put(r, max, 4);
	rt_put(r, 0, 4);
	rt_put(r, (u64)max - min + 1, 4);
}

/* End Tag, 6.4.2.9, then the template as Name (_CRS, Buffer) */
static void rt_emit_crs(struct aml *a, struct rt *r)
{
	rt_put(r, 0x79, 1);
	rt_put(r, 0, 1); /* checksum 0: "treated as if the checksum succeeded" */
	if (!r->ok)
		a->ok = false;
	aml_name(a, "_CRS");
	aml_buffer(a, r->b, r->len);
}

/* The host bridge decodes bus 0 (the ECAM's), the legacy ports below its
 * configuration ports (the ISA devices behind it), the configuration ports
 * themselves, and the windows that BARs are placed in (pc_platform.h). */
static void emit_pci0_crs(struct aml *a)
{
	struct rt r = { .ok = true };

	rt_word_space(&r, RT_SPACE_BUS, 0, 0x00, PC_PCI_ECAM_BUSES - 1);
	rt_io(&r, PC_PCI_CONFIG, 8);
	rt_word_space(&r, RT_SPACE_IO, RT_IO_ENTIRE_RANGE, 0x0000, PC_PCI_CONFIG - 1);
	rt_word_space(&r, RT_SPACE_IO, RT_IO_ENTIRE_RANGE, PC_PCI_IO_BASE,
		      PC_PCI_IO_BASE + PC_PCI_IO_SIZE - 1);
	rt_dword_mem(&r, (u32)PC_PCI_MMIO_BASE, (u32)(PC_PCI_MMIO_BASE + PC_PCI_MMIO_SIZE - 1));
	rt_emit_crs(a, &r);
}

/* _PRT (ACPI 6.5 6.2.13): pin p (0 = INTA#) of every slot s in 1..31 goes
 * to GSI PC_PCI_INTX_GSI + (s + p) % 4 (PC_PCI_INTX_GSI_OF), Source 0 so
 * the GSI is level-triggered, active low. Slot 0 is the host bridge. */
static void emit_pci0_prt(struct aml *a)
{
	aml_name(a, "_PRT");
	aml_package(a, 31 * 4);
	for (u32 slot = 1; slot < 32; slot++) {
		for (u32 pin = 0; pin < 4; pin++) {
			aml_package(a, 4);
			aml_int(a, slot << 16 | 0xffffU); /* _ADR: any function of the slot */
			aml_int(a, pin);
			aml_int(a, 0);
			aml_int(a, PC_PCI_INTX_GSI_OF(slot, pin));
			aml_close(a);
		}
	}
	aml_close(a);
}

static void emit_isa_device(struct aml *a, const char *name, const char *hid, u16 io,
			    u8 io_len, int irq)
{
	struct rt r = { .ok = true };

	aml_device(a, name);
	aml_name(a, "_HID");
	aml_eisaid(a, hid);
	rt_io(&r, io, io_len);
	if (irq >= 0)
		rt_irq(&r, (unsigned)irq);
	rt_emit_crs(a, &r);
	aml_close(a);
}

static void emit_pci0(struct aml *a)
{
	aml_device(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A08"); /* PCI Express root bridge: ECAM through the MCFG */
	aml_name(a, "_CID");
	aml_eisaid(a, "PNP0A03"); /* a PCI bus, for OSes without PCIe */
	/* No _ADR: a device has a _HID or an _ADR, not both (ACPI 6.5 6.1). */
	aml_name(a, "_BBN");
	aml_int(a, 0);
	aml_name(a, "_UID");
	aml_int(a, 0);
	emit_pci0_crs(a);
	emit_pci0_prt(a);
	emit_isa_device(a, "COM1", "PNP0501", PC_COM1_BASE, 8, PC_COM1_IRQ);
	/* Linux's rtc-cmos assumes IRQ 8 for an RTC at 0x70 without one */
	emit_isa_device(a, "RTC", "PNP0B00", PC_RTC_BASE, 2, -1);
	emit_isa_device(a, "TIMR", "PNP0100", PC_PIT_BASE, 4, PC_PIT_IRQ);
	aml_close(a);
}

/* Processor devices (ACPI 6.5 8.4): _UID matches the MADT's ACPI
 * Processor UID. Named C000..C0FE. */
static void emit_cpus(struct aml *a, u32 nr_cpus)
{
	static const char hex[] = "0123456789ABCDEF";

	for (u32 i = 0; i < nr_cpus && a->ok; i++) {
		char name[5] = { 'C', hex[(i >> 8) & 0xf], hex[(i >> 4) & 0xf], hex[i & 0xf], 0 };

		aml_device(a, name);
		aml_name(a, "_HID");
		aml_string(a, "ACPI0007");
		aml_name(a, "_UID");
		aml_int(a, i);
		aml_close(a);
	}
}

bool acpi_dsdt_emit(struct aml *a, const struct acpi_platform *p)
{
	/* \_S5: SLP_TYPa, SLP_TYPb, reserved, reserved (ACPI 6.5 7.4.2) */
	aml_name(a, "\\_S5");
	aml_package(a, 4);
	aml_int(a, PC_SLP_TYP_S5);
	aml_int(a, PC_SLP_TYP_S5);
	aml_int(a, 0);
	aml_int(a, 0);
	aml_close(a);

	aml_scope(a, "\\_SB");
	emit_pci0(a);
	emit_cpus(a, p->nr_cpus);
	aml_close(a);
	return a->ok && a->depth == 0;
}
