/* The 8259A pair at PC_PIC_MASTER/PC_PIC_SLAVE and the ELCR at PC_PIC_ELCR
 * (8259A data sheet 231468-003: ICW1-4, OCW1-3; PIIX4 datasheet 12.2.x:
 * ELCR1/2). The VM's interrupts go through the IOAPIC, so the pair only
 * keeps what the guest programs: IRR and ISR stay empty, nothing is raised,
 * and the mask reads back (Linux's probe_8259A writes it and compares). */
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pic.h>

#define ICW1       0x10 /* command port, bit 4: start initialisation */
#define ICW1_IC4   0x01
#define ICW1_SNGL  0x02
#define OCW3       0x08 /* command port, bit 3 (bit 4 clear) */
#define OCW3_RR    0x02 /* read register command */
#define OCW3_RIS   0x01 /* ... ISR (1) or IRR (0) */
#define OCW3_POLL  0x04

/* ELCR bits that must stay edge: IRQ0-2, IRQ8 and IRQ13 (PIIX4 12.2.x). */
#define ELCR1_MASK 0xf8
#define ELCR2_MASK 0xde

enum icw_step { ICW_NONE, ICW_2, ICW_3, ICW_4 };

struct i8259 {
	u8 imr, vector_base, icw3, icw4;
	enum icw_step step;
	bool sngl, ic4, poll, read_isr;
};

struct pic {
	struct i8259 chip[2];
	u8 elcr[2];
};

static void next_icw(struct i8259 *c)
{
	if (c->step == ICW_2 && !c->sngl)
		c->step = ICW_3;
	else if (c->step != ICW_4 && c->ic4)
		c->step = ICW_4;
	else
		c->step = ICW_NONE;
}

static void write_command(struct i8259 *c, u8 v)
{
	if (v & ICW1) {
		/* Initialisation clears the mask and IRR/ISR selection. */
		*c = (struct i8259){ .step = ICW_2, .sngl = v & ICW1_SNGL, .ic4 = v & ICW1_IC4 };
		if (!c->ic4)
			c->icw4 = 0;
		return;
	}
	if (v & OCW3) {
		c->poll = v & OCW3_POLL;
		if (v & OCW3_RR)
			c->read_isr = v & OCW3_RIS;
		return; /* special mask mode: nothing to mask */
	}
	/* OCW2: EOI and rotation commands; ISR is always empty. */
}

static void write_data(struct i8259 *c, u8 v)
{
	switch (c->step) {
	case ICW_2:
		c->vector_base = v & 0xf8;
		next_icw(c);
		break;
	case ICW_3:
		c->icw3 = v;
		next_icw(c);
		break;
	case ICW_4:
		c->icw4 = v & 0x1f;
		c->step = ICW_NONE;
		break;
	default:
		c->imr = v; /* OCW1 */
		break;
	}
}

static u8 read_port(struct i8259 *c, u64 off)
{
	if (off == 1)
		return c->imr;
	/* IRR or ISR (OCW3 RIS), both empty; after a poll command the poll
	 * word, bit 7 clear: no interrupt requested. */
	c->poll = false;
	return 0;
}

static enum bus_result pic_read(struct i8259 *c, u64 off, u32 size, u64 *val)
{
	if (size != 1)
		return BUS_BAD_ACCESS; /* byte registers: no OS reads them wider */
	*val = read_port(c, off);
	return BUS_OK;
}

static enum bus_result pic_write(struct i8259 *c, u64 off, u32 size, u64 val)
{
	if (size != 1)
		return BUS_BAD_ACCESS;
	if (off == 0)
		write_command(c, (u8)val);
	else
		write_data(c, (u8)val);
	return BUS_OK;
}

static enum bus_result master_read(void *dev, u64 off, u32 size, u64 *val)
{
	return pic_read(&((struct pic *)dev)->chip[0], off, size, val);
}

static enum bus_result master_write(void *dev, u64 off, u32 size, u64 val)
{
	return pic_write(&((struct pic *)dev)->chip[0], off, size, val);
}

static enum bus_result slave_read(void *dev, u64 off, u32 size, u64 *val)
{
	return pic_read(&((struct pic *)dev)->chip[1], off, size, val);
}

static enum bus_result slave_write(void *dev, u64 off, u32 size, u64 val)
{
	return pic_write(&((struct pic *)dev)->chip[1], off, size, val);
}

/* ELCR1 at +0, ELCR2 at +1; byte or word access. */
static enum bus_result elcr_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct pic *p = dev;

	*val = 0;
	for (u32 i = 0; i < size && off + i < 2; i++)
		*val |= (u64)p->elcr[off + i] << (8 * i);
	return BUS_OK;
}

static enum bus_result elcr_write(void *dev, u64 off, u32 size, u64 val)
{
	struct pic *p = dev;
	static const u8 mask[2] = { ELCR1_MASK, ELCR2_MASK };

	for (u32 i = 0; i < size && off + i < 2; i++)
		p->elcr[off + i] = (u8)(val >> (8 * i)) & mask[off + i];
	return BUS_OK;
}

/* Power-on state: everything masked until the guest programs the pair. */
static void pic_reset(void *dev)
{
	struct pic *p = dev;

	*p = (struct pic){ 0 };
	p->chip[0].imr = 0xff;
	p->chip[1].imr = 0xff;
}

static const struct bus_dev_ops master_ops = { master_read, master_write, pic_reset };
static const struct bus_dev_ops slave_ops = { slave_read, slave_write, NULL };
static const struct bus_dev_ops elcr_ops = { elcr_read, elcr_write, NULL };

struct pic *pic_attach(struct dev_host *host, const char **err)
{
	struct pic *p = dev_create(host, &host->bus->pio, PC_PIC_MASTER, 2, sizeof(*p), &master_ops,
				   "pic-master", err);

	if (!p)
		return NULL;
	if (!bus_register(&host->bus->pio, PC_PIC_SLAVE, 2, &slave_ops, p, "pic-slave") ||
	    !bus_register(&host->bus->pio, PC_PIC_ELCR, 2, &elcr_ops, p, "elcr")) {
		*err = "PIC address range taken";
		return NULL;
	}
	pic_reset(p);
	return p;
}

static bool pic_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	(void)cfg;
	return pic_attach(host, err) != NULL;
}

VM_DEVICE(17, pic, pic_create);
