/* Virtual I/O APIC, 82093AA (Intel 82093AA datasheet 290566-001, 3.0-3.2):
 * IOREGSEL/IOWIN, ID, version, arbitration and 24 redirection entries.
 * GSIs come in through struct virq_chip_ops; fixed and lowest-priority
 * entries go to the local APICs their destination names (physical or
 * logical, apic_bus.h), other delivery modes are dropped. */
#include <bulkhead/dev.h>
#include <bulkhead/apic_bus.h>
#include <bulkhead/ioapic.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/vlapic.h>

#define REG_SEL   0x00
#define REG_WIN   0x10
#define REG_EOI   0x40 /* version 0x20 only; harmless here */

#define IDX_ID     0x00
#define IDX_VER    0x01
#define IDX_ARB    0x02
#define IDX_REDIR  0x10

#define VERSION   (((u32)(PC_IOAPIC_PINS - 1) << 16) | 0x11U)

/* Redirection entry, low dword (datasheet 3.2.4) */
#define RTE_VECTOR    0xffU
#define RTE_DELMODE   (7U << 8)
#define RTE_DESTMODE  (1U << 11)
#define RTE_STATUS    (1U << 12)
#define RTE_POLARITY  (1U << 13) /* 1 = active low */
#define RTE_REMOTE    (1U << 14)
#define RTE_LEVEL     (1U << 15)
#define RTE_MASKED    (1U << 16)
#define RTE_WRITABLE  (RTE_VECTOR | RTE_DELMODE | RTE_DESTMODE | RTE_POLARITY | RTE_LEVEL | \
		       RTE_MASKED)
#define DELMODE_FIXED  0U
#define DELMODE_LOWEST 1U

struct ioapic {
	struct dev_host *host;
	u32 sel;
	u32 id;
	u32 lo[PC_IOAPIC_PINS], hi[PC_IOAPIC_PINS];
	bool line[PC_IOAPIC_PINS]; /* input level as driven, before polarity */
};

static bool pin_active(const struct ioapic *io, u32 pin)
{
	return io->line[pin] != !!(io->lo[pin] & RTE_POLARITY);
}

static void deliver(struct ioapic *io, u32 pin)
{
	u32 lo = io->lo[pin];
	u32 mode = (lo & RTE_DELMODE) >> 8;
	struct apic_msg m = {
		.dest = io->hi[pin] >> 24, /* destination field, bits 63:56 */
		.logical = lo & RTE_DESTMODE,
		.mode = (u8)mode,
		.vector = (u8)(lo & RTE_VECTOR),
		.level = lo & RTE_LEVEL,
	};

	/* SMI/NMI/INIT/ExtINT are not modelled, and no OS sends its ISA or
	 * PCI lines that way. */
	if (mode != DELMODE_FIXED && mode != DELMODE_LOWEST)
		return;
	dev_apic_send(io->host, &m);
}

/* A level pin asks again while active, unmasked and not yet EOIed. */
static void service_level(struct ioapic *io, u32 pin)
{
	u32 lo = io->lo[pin];

	if (!(lo & RTE_LEVEL) || (lo & (RTE_MASKED | RTE_REMOTE)) || !pin_active(io, pin))
		return;
	io->lo[pin] |= RTE_REMOTE;
	deliver(io, pin);
}

static void ioapic_set_level(void *chip, u32 gsi, bool level)
{
	struct ioapic *io = chip;
	bool was;

	if (gsi >= PC_IOAPIC_PINS)
		return; /* a device wired past the last pin: nothing there */
	was = pin_active(io, gsi);
	io->line[gsi] = level;
	if (io->lo[gsi] & RTE_LEVEL)
		service_level(io, gsi);
	else if (!was && pin_active(io, gsi) && !(io->lo[gsi] & RTE_MASKED))
		deliver(io, gsi); /* edges on a masked pin are lost (3.2.4 bit 16) */
}

static void ioapic_eoi(void *chip, u8 vector)
{
	struct ioapic *io = chip;

	for (u32 pin = 0; pin < PC_IOAPIC_PINS; pin++) {
		if ((io->lo[pin] & RTE_VECTOR) != vector || !(io->lo[pin] & RTE_REMOTE))
			continue;
		io->lo[pin] &= ~RTE_REMOTE;
		service_level(io, pin);
	}
}

static const struct virq_chip_ops ioapic_chip_ops = { ioapic_set_level, ioapic_eoi };

static u32 read_indirect(const struct ioapic *io, u32 idx)
{
	u32 pin = (idx - IDX_REDIR) / 2;

	switch (idx) {
	case IDX_ID:
	case IDX_ARB: return io->id << 24;
	case IDX_VER: return VERSION;
	default:
		if (idx < IDX_REDIR || pin >= PC_IOAPIC_PINS)
			return 0; /* reserved */
		return idx & 1 ? io->hi[pin] : io->lo[pin];
	}
}

static void write_redir_lo(struct ioapic *io, u32 pin, u32 val)
{
	u32 keep = io->lo[pin] & (RTE_STATUS | RTE_REMOTE);

	io->lo[pin] = (val & RTE_WRITABLE) | keep;
	/* Linux clears a stuck remote IRR of a pre-0x20 IOAPIC by switching
	 * the pin to edge and back (io_apic.c __eoi_ioapic_pin). */
	if (!(io->lo[pin] & RTE_LEVEL))
		io->lo[pin] &= ~RTE_REMOTE;
	service_level(io, pin); /* masked pins kept their level: unmasking delivers */
}

static void write_indirect(struct ioapic *io, u32 idx, u32 val)
{
	u32 pin = (idx - IDX_REDIR) / 2;

	if (idx == IDX_ID) {
		io->id = (val >> 24) & 0xf;
		return;
	}
	if (idx < IDX_REDIR || pin >= PC_IOAPIC_PINS)
		return; /* version, arbitration and reserved: read-only */
	if (idx & 1)
		io->hi[pin] = val & 0xff000000U;
	else
		write_redir_lo(io, pin, val);
}

/* Registers are dwords (datasheet 3.0); IOREGSEL also takes a byte. */
static bool access_ok(u64 off, u32 size)
{
	if (off == REG_SEL)
		return size == 4 || size == 1;
	if (off == REG_WIN || off == REG_EOI)
		return size == 4;
	return !(off < REG_SEL + 4 || (off >= REG_WIN && off < REG_WIN + 4) ||
		 (off >= REG_EOI && off < REG_EOI + 4)); /* the rest is reserved */
}

static enum bus_result ioapic_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct ioapic *io = dev;

	if (!access_ok(off, size))
		return BUS_BAD_ACCESS;
	if (off == REG_SEL)
		*val = io->sel;
	else if (off == REG_WIN)
		*val = read_indirect(io, io->sel);
	else
		*val = 0; /* EOI is write-only; the rest is reserved */
	return BUS_OK;
}

static enum bus_result ioapic_write(void *dev, u64 off, u32 size, u64 val)
{
	struct ioapic *io = dev;

	if (!access_ok(off, size))
		return BUS_BAD_ACCESS;
	if (off == REG_SEL)
		io->sel = (u32)val & 0xff;
	else if (off == REG_WIN)
		write_indirect(io, io->sel, (u32)val);
	else if (off == REG_EOI)
		ioapic_eoi(io, (u8)val);
	return BUS_OK;
}

/* Datasheet 3.2.4: entries come out of reset masked. Line levels are the
 * devices' and survive. */
static void ioapic_reset(void *dev)
{
	struct ioapic *io = dev;

	io->sel = 0;
	io->id = PC_IOAPIC_ID;
	for (u32 pin = 0; pin < PC_IOAPIC_PINS; pin++) {
		io->lo[pin] = RTE_MASKED;
		io->hi[pin] = 0;
	}
}

static const struct bus_dev_ops ioapic_ops = { ioapic_read, ioapic_write, ioapic_reset };

struct ioapic *ioapic_attach(struct dev_host *host, const char **err)
{
	struct ioapic *io = dev_create(host, &host->bus->mmio, PC_IOAPIC_BASE, IOAPIC_MMIO_LEN,
				       sizeof(*io), &ioapic_ops, "ioapic", err);

	if (!io)
		return NULL;
	io->host = host;
	ioapic_reset(io);
	dev_set_irq_chip(host, &ioapic_chip_ops, io);
	return io;
}

static bool ioapic_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	(void)cfg;
	return ioapic_attach(host, err) != NULL;
}

VM_DEVICE(16, ioapic, ioapic_create);
