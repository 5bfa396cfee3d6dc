/* hv/dev/ioapic.c: registers through the MMIO bus, edge and level delivery,
 * remote IRR and EOI broadcast, masking, polarity, through the VM's GSI
 * lines (hv/core/virq.c). */
#include "unit.h"
#include <bulkhead/dev.h>
#include <bulkhead/ioapic.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/apic_bus.h>
#include <bulkhead/vlapic.h>
#include <string.h>
#include "fake_vm.h"

static struct { u8 vector; bool level; u32 dest; bool logical; } got[16];
static unsigned nr_got;

/* The messages the IOAPIC sends to the VM's local APICs, recorded. */
void vm_apic_send(struct vm *m, const struct vlapic *from, const struct apic_msg *msg)
{
	assert_ptr_equal(m, &vm);
	assert_null(from);
	assert_true(nr_got < 16);
	got[nr_got].vector = msg->vector;
	got[nr_got].level = msg->level;
	got[nr_got].dest = msg->dest;
	got[nr_got].logical = msg->logical;
	nr_got++;
}

static u32 rd(u64 off)
{
	u64 v;

	assert_int_equal(bus_read(&vm.bus.mmio, PC_IOAPIC_BASE + off, 4, &v), BUS_OK);
	return (u32)v;
}

static void wr(u64 off, u32 v)
{
	assert_int_equal(bus_write(&vm.bus.mmio, PC_IOAPIC_BASE + off, 4, v), BUS_OK);
}

static u32 rd_ind(u32 idx)
{
	wr(0x00, idx);
	return rd(0x10);
}

static void wr_ind(u32 idx, u32 v)
{
	wr(0x00, idx);
	wr(0x10, v);
}

static int setup(void **state)
{
	const char *err = NULL;

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm_init_dev_host(&vm);
	nr_got = 0;
	assert_non_null(ioapic_attach(&vm.dev, &err));
	assert_non_null(vm.irq_chip_ops);
	return 0;
}

static void test_identity_and_access_rules(void **state)
{
	u64 v;

	(void)state;
	assert_int_equal(rd_ind(0x00), PC_IOAPIC_ID << 24);
	assert_int_equal(rd_ind(0x01), 0x00170011U); /* version 0x11, 24 entries */
	assert_int_equal(rd_ind(0x02), PC_IOAPIC_ID << 24);
	wr_ind(0x00, 0x0f000000U);
	assert_int_equal(rd_ind(0x00), 0x0f000000U);
	wr_ind(0x01, 0);
	assert_int_equal(rd_ind(0x01), 0x00170011U); /* read-only */
	for (u32 pin = 0; pin < PC_IOAPIC_PINS; pin++)
		assert_int_equal(rd_ind(0x10 + 2 * pin), 1U << 16); /* masked at reset */
	assert_int_equal(rd_ind(0x10 + 2 * 24), 0); /* past the last entry */
	wr_ind(0x11, 0xffffffffU);
	assert_int_equal(rd_ind(0x11), 0xff000000U);
	wr_ind(0x10, 0xffffffffU);
	assert_int_equal(rd_ind(0x10), 0x1afffU); /* delivery status, remote IRR read-only */
	/* IOREGSEL takes a byte; IOWIN only dwords; reserved offsets are inert */
	assert_int_equal(bus_write(&vm.bus.mmio, PC_IOAPIC_BASE, 1, 0x01), BUS_OK);
	assert_int_equal(rd(0x10), 0x00170011U);
	assert_int_equal(bus_read(&vm.bus.mmio, PC_IOAPIC_BASE + 0x10, 2, &v), BUS_BAD_ACCESS);
	assert_int_equal(bus_read(&vm.bus.mmio, PC_IOAPIC_BASE + 0x12, 2, &v), BUS_BAD_ACCESS);
	assert_int_equal(bus_read(&vm.bus.mmio, PC_IOAPIC_BASE + 0x20, 4, &v), BUS_OK);
	assert_int_equal(v, 0);
}

static void test_edge(void **state)
{
	(void)state;
	wr_ind(0x10 + 2 * PC_PIT_GSI, 0x30); /* edge, active high, fixed, unmasked */
	vm_irq_pulse(&vm, PC_PIT_GSI);
	assert_int_equal(nr_got, 1);
	assert_int_equal(got[0].vector, 0x30);
	assert_false(got[0].level);
	vm_irq_set(&vm, PC_PIT_GSI, true);
	vm_irq_set(&vm, PC_PIT_GSI, true); /* no new edge */
	assert_int_equal(nr_got, 2);
	vm_irq_set(&vm, PC_PIT_GSI, false);
	/* edges on a masked pin are lost, also after unmasking */
	wr_ind(0x10 + 2 * PC_PIT_GSI, 0x10030);
	vm_irq_pulse(&vm, PC_PIT_GSI);
	wr_ind(0x10 + 2 * PC_PIT_GSI, 0x30);
	assert_int_equal(nr_got, 2);
	/* non-fixed delivery modes (here NMI) and lines past pin 23 go nowhere */
	wr_ind(0x10 + 2 * PC_PIT_GSI, 0x430);
	vm_irq_pulse(&vm, PC_PIT_GSI);
	vm_irq_pulse(&vm, 200);
	assert_int_equal(nr_got, 2);
	/* lowest priority is delivered to vCPU 0 */
	wr_ind(0x10 + 2 * PC_PIT_GSI, 0x130);
	vm_irq_pulse(&vm, PC_PIT_GSI);
	assert_int_equal(nr_got, 3);
}

static void test_level_remote_irr_and_eoi(void **state)
{
	const u32 rte = 0x10 + 2 * PC_SCI_IRQ;

	(void)state;
	wr_ind(rte, 0x8041); /* level, active high, vector 0x41 */
	vm_irq_set(&vm, PC_SCI_IRQ, true);
	assert_int_equal(nr_got, 1);
	assert_true(got[0].level);
	assert_int_equal(rd_ind(rte) & (1U << 14), 1U << 14); /* remote IRR */
	vm_irq_set(&vm, PC_SCI_IRQ, true);
	assert_int_equal(nr_got, 1); /* not again before the EOI */
	vm_irq_eoi(&vm, 0x42);       /* another vector: nothing */
	assert_int_equal(nr_got, 1);
	vm_irq_eoi(&vm, 0x41);       /* still asserted: delivered again */
	assert_int_equal(nr_got, 2);
	vm_irq_set(&vm, PC_SCI_IRQ, false);
	vm_irq_eoi(&vm, 0x41);
	assert_int_equal(nr_got, 2);
	assert_int_equal(rd_ind(rte) & (1U << 14), 0);
	/* masked level pins remember their level: unmasking delivers */
	wr_ind(rte, 0x18041);
	vm_irq_set(&vm, PC_SCI_IRQ, true);
	assert_int_equal(nr_got, 2);
	wr_ind(rte, 0x8041);
	assert_int_equal(nr_got, 3);
	/* Linux's EOI for version 0x11: switch to edge (clears remote IRR), back */
	wr_ind(rte, 0x10041);
	assert_int_equal(rd_ind(rte) & (1U << 14), 0);
	vm_irq_set(&vm, PC_SCI_IRQ, false);
	wr_ind(rte, 0x8041);
	assert_int_equal(nr_got, 3);
	/* the version 0x20 EOI register works too */
	vm_irq_set(&vm, PC_SCI_IRQ, true);
	assert_int_equal(nr_got, 4);
	wr(0x40, 0x41);
	assert_int_equal(nr_got, 5);
}

static void test_polarity(void **state)
{
	const u32 rte = 0x10 + 2 * 16;

	(void)state;
	/* active low, level: an idle (low) line is asserted */
	wr_ind(rte, 0xa051);
	assert_int_equal(nr_got, 1);
	vm_irq_set(&vm, 16, true); /* line high = deasserted */
	vm_irq_eoi(&vm, 0x51);
	assert_int_equal(nr_got, 1);
	vm_irq_set(&vm, 16, false);
	assert_int_equal(nr_got, 2);
	/* active low, edge: the falling edge delivers */
	wr_ind(rte + 2, 0x2052);
	vm_irq_set(&vm, 17, true);
	assert_int_equal(nr_got, 2);
	vm_irq_set(&vm, 17, false);
	assert_int_equal(nr_got, 3);
	assert_int_equal(got[2].vector, 0x52);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_identity_and_access_rules, setup),
		cmocka_unit_test_setup(test_edge, setup),
		cmocka_unit_test_setup(test_level_remote_irr_and_eoi, setup),
		cmocka_unit_test_setup(test_polarity, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
