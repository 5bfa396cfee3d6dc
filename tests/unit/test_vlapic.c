/* hv/dev/vlapic.c: registers, priority and EOI, self-IPI, and the timer in
 * one-shot and periodic modes against a fake clock. */
#include "unit.h"
#include <bulkhead/vlapic.h>

#define TSC_HZ 2000000000ULL /* 2 GHz: one APIC tick (1 ns) = 2 TSC cycles */

static u64 clock_now;
static u64 fake_now(void) { return clock_now; }
static struct vlapic a;

static u32 rd(u32 off)
{
	u64 v;
	assert_int_equal(vlapic_read(&a, off, 4, &v), BUS_OK);
	return (u32)v;
}

static void wr(u32 off, u32 v)
{
	assert_int_equal(vlapic_write(&a, off, 4, v), BUS_OK);
}

static int setup(void **state)
{
	(void)state;
	clock_now = 1000;
	vlapic_init(&a, 0, TSC_HZ, fake_now);
	return 0;
}

static void test_reset_values_and_access_rules(void **state)
{
	u64 v;

	(void)state;
	assert_int_equal(rd(0x20), 0);
	assert_int_equal(rd(0x30) & 0xff, 0x14);
	assert_int_equal(rd(0xf0), 0xff);
	assert_int_equal(rd(0x320), 1U << 16);       /* timer LVT masked */
	assert_int_equal(rd(0xe0), 0xffffffffU);
	assert_int_equal(vlapic_read(&a, 0x20, 1, &v), BUS_BAD_ACCESS);
	assert_int_equal(vlapic_read(&a, 0x24, 4, &v), BUS_BAD_ACCESS);
	assert_int_equal(vlapic_write(&a, 0x20, 8, 0), BUS_BAD_ACCESS);
	/* LVT stays masked while the APIC is software-disabled */
	wr(0x320, 0x40);
	assert_int_equal(rd(0x320), 0x10040);
	wr(0xf0, 0x1ff);
	wr(0x320, 0x40);
	assert_int_equal(rd(0x320), 0x40);
	wr(0xf0, 0xff); /* disabling masks every LVT again */
	assert_int_equal(rd(0x320), 0x10040);
}

static void test_priority_and_eoi(void **state)
{
	(void)state;
	wr(0xf0, 0x1ff);
	vlapic_set_irq(&a, 0x41);
	vlapic_set_irq(&a, 0x82);
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x82);
	vlapic_irq_ops.accept(&a, 0x82);
	assert_int_equal(rd(0x100 + 0x10 * 4) & (1U << 2), 1U << 2); /* ISR bit 0x82 */
	assert_int_equal(rd(0xa0), 0x80);                             /* PPR from ISR */
	assert_int_equal(vlapic_irq_ops.pending(&a), -1);             /* 0x41 is below */
	wr(0xb0, 0);                                                   /* EOI */
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x41);
	wr(0x80, 0x50);                                                /* TPR masks 0x4x */
	assert_int_equal(vlapic_irq_ops.pending(&a), -1);
	wr(0x80, 0x30);
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x41);
	vlapic_set_irq(&a, 5); /* illegal vector: ESR, not IRR */
	assert_int_equal(rd(0x280) & (1U << 6), 1U << 6);
	wr(0xf0, 0xff);
	assert_int_equal(vlapic_irq_ops.pending(&a), -1); /* disabled APIC delivers nothing */
}

/* An interrupt offered to the CPU (V_IRQ) leaves IRR for the entry: an
 * edge of the same vector raised meanwhile is held behind the ISR bit and
 * delivered after the EOI (SDM 10.8.4), and one not taken goes back. */
static void test_offer_keeps_an_edge_raised_in_flight(void **state)
{
	(void)state;
	wr(0xf0, 0x1ff);
	vlapic_set_irq(&a, 0x61);
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x61);
	vlapic_irq_ops.offer(&a, 0x61);
	assert_int_equal(vlapic_irq_ops.pending(&a), -1);
	vlapic_irq_ops.offer_end(&a, 0x61, false); /* not taken */
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x61);
	assert_int_equal(rd(0x100 + 0x10 * 3) & (1U << 1), 0);       /* ISR bit 0x61 clear */

	vlapic_irq_ops.offer(&a, 0x61);
	vlapic_set_irq(&a, 0x61);                                   /* another CPU, in flight */
	vlapic_irq_ops.offer_end(&a, 0x61, true);                   /* taken */
	assert_int_equal(rd(0x100 + 0x10 * 3) & (1U << 1), 1U << 1); /* ISR bit 0x61 */
	assert_int_equal(rd(0x200 + 0x10 * 3) & (1U << 1), 1U << 1); /* IRR bit 0x61 again */
	assert_int_equal(vlapic_irq_ops.pending(&a), -1);            /* behind the ISR bit */
	wr(0xb0, 0);                                                  /* EOI */
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x61);          /* the second edge */
}

static void test_self_ipi(void **state)
{
	(void)state;
	wr(0xf0, 0x1ff);
	wr(0x300, (1U << 18) | 0x55);
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x55);
	vlapic_irq_ops.accept(&a, 0x55);
	wr(0x310, 5U << 24); /* physical destination 5: another CPU */
	wr(0x300, 0x66);
	wr(0x300, (3U << 18) | 0x67); /* all excluding self */
	assert_int_equal(vlapic_irq_ops.pending(&a), -1);
	wr(0x310, 0); /* physical destination 0: this APIC */
	wr(0x300, 0x68);
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x68);
	vlapic_irq_ops.accept(&a, 0x68);
	wr(0xb0, 0);
	wr(0x300, (2U << 18) | 0x69); /* all including self */
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x69);
	vlapic_irq_ops.accept(&a, 0x69);
	wr(0xb0, 0);
	wr(0xd0, 1U << 24); /* logical ID bit 0, flat model */
	wr(0x310, 2U << 24);
	wr(0x300, (1U << 11) | 0x6a); /* logical, another CPU's bit */
	assert_int_equal(vlapic_irq_ops.pending(&a), -1);
	wr(0x310, 3U << 24);
	wr(0x300, (1U << 11) | 0x6b); /* logical, includes our bit */
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x6b);
	vlapic_irq_ops.accept(&a, 0x6b);
	wr(0x300, (4U << 8) | 0x6c); /* NMI delivery mode: not a vector */
	assert_int_equal(vlapic_irq_ops.pending(&a), -1);
}

/* ICR delivery mode NMI (SDM vol. 3 10.6.1): an NMI for this vCPU through
 * the signal callback, not a vector; by physical ID, by shorthand and
 * through the x2APIC ICR MSR. INIT and SIPI go to the vCPU the same way
 * (SIPI with its vector); SMI reaches no one. None raises a vector. */
static unsigned nmis, inits, sipis;
static u8 sipi_vector;
static void count_nmi(void *ctx, u8 mode, u8 vector)
{
	assert_ptr_equal(ctx, &nmis);
	if (mode == APIC_NMI)
		nmis++;
	else if (mode == APIC_INIT)
		inits++;
	else if (mode == APIC_SIPI) {
		sipis++;
		sipi_vector = vector;
	} else
		fail_msg("signal of mode %u", mode);
}

/* How many NMIs arrived since the last call. */
static unsigned nmis_taken(void)
{
	unsigned n = nmis;

	nmis = 0;
	return n;
}

static void test_nmi_ipi(void **state)
{
	u64 v;

	(void)state;
	a.signal = count_nmi;
	a.signal_ctx = &nmis;
	nmis = inits = sipis = 0;
	wr(0xf0, 0x1ff);
	wr(0x310, 0);
	wr(0x300, (4U << 8) | (1U << 14) | 0x6c); /* to ID 0: us */
	assert_int_equal(nmis_taken(), 1);
	assert_int_equal(vlapic_irq_ops.pending(&a), -1);
	wr(0x310, 5U << 24);
	wr(0x300, (4U << 8)); /* to ID 5: another CPU */
	wr(0x300, (3U << 18) | (4U << 8)); /* all excluding self */
	assert_int_equal(nmis_taken(), 0);
	wr(0x300, (1U << 18) | (4U << 8)); /* self */
	assert_int_equal(nmis_taken(), 1);
	wr(0x300, (2U << 18) | (4U << 8)); /* all including self */
	assert_int_equal(nmis_taken(), 1);
	for (u32 mode = 5; mode <= 6; mode++) { /* INIT, SIPI */
		wr(0x300, (1U << 18) | (mode << 8) | (1U << 14) | 0x10);
		assert_int_equal(vlapic_irq_ops.pending(&a), -1);
	}
	assert_int_equal(inits, 1);
	assert_int_equal(sipis, 1);
	assert_int_equal(sipi_vector, 0x10);
	wr(0x300, (1U << 18) | (5U << 8) | (1U << 15)); /* INIT level de-assert */
	assert_int_equal(inits, 1);
	wr(0x300, (1U << 18) | (2U << 8)); /* SMI */
	assert_int_equal(nmis_taken(), 0);

	/* x2APIC: the 64-bit ICR, destination in bits 63:32 */
	v = VLAPIC_BASE | (1U << 8) | (1U << 10) | (1U << 11);
	assert_true(vlapic_msr(&a, 0x1b, true, &v, 0));
	v = (4U << 8);
	assert_true(vlapic_msr(&a, 0x830, true, &v, 0));
	assert_int_equal(nmis_taken(), 1);
	v = (7ULL << 32) | (4U << 8); /* ID 7 */
	assert_true(vlapic_msr(&a, 0x830, true, &v, 0));
	assert_int_equal(nmis_taken(), 0);
	/* the route to the vCPU survives a reset */
	vlapic_reset(&a);
	wr(0x300, (1U << 18) | (4U << 8));
	assert_int_equal(nmis_taken(), 1);
}

/* IA32_APIC_BASE writes (SDM vol. 3 10.4.4): reserved bits #GP, BSP kept,
 * a new base #GP (relocation not offered). */
static void test_apic_base_msr(void **state)
{
	u64 base = VLAPIC_BASE | (1U << 8) | (1U << 11), v;

	(void)state;
	assert_true(vlapic_msr(&a, 0x1b, false, &v, 0));
	assert_int_equal(v, base);
	v = base | 1; /* bit 0 reserved */
	assert_false(vlapic_msr(&a, 0x1b, true, &v, 0));
	v = base | (1U << 9);
	assert_false(vlapic_msr(&a, 0x1b, true, &v, 0));
	v = base + 0x1000; /* relocation */
	assert_false(vlapic_msr(&a, 0x1b, true, &v, 0));
	v = base | (1ULL << 52);
	assert_false(vlapic_msr(&a, 0x1b, true, &v, 0));
	v = base & ~(1ULL << 8); /* BSP is read-only */
	assert_true(vlapic_msr(&a, 0x1b, true, &v, 0));
	assert_true(vlapic_msr(&a, 0x1b, false, &v, 0));
	assert_int_equal(v, base);
}

static void test_timer_one_shot(void **state)
{
	(void)state;
	wr(0xf0, 0x1ff);
	wr(0x3e0, 0xb);      /* divide by 1 */
	wr(0x320, 0x30);     /* vector 0x30, one-shot */
	wr(0x380, 1000);     /* 1000 ns = 2000 TSC */
	assert_int_equal(vlapic_irq_ops.next_deadline(&a), 3000);
	clock_now = 2000;
	assert_int_equal(rd(0x390), 500);
	vlapic_irq_ops.poll(&a, 2999);
	assert_int_equal(vlapic_irq_ops.pending(&a), -1);
	vlapic_irq_ops.poll(&a, 3000);
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x30);
	assert_int_equal(vlapic_irq_ops.next_deadline(&a), ~0ULL);
	clock_now = 3500;
	assert_int_equal(rd(0x390), 0);
}

static void test_timer_periodic_and_divide(void **state)
{
	(void)state;
	wr(0xf0, 0x1ff);
	wr(0x3e0, 0x3);                  /* divide by 16 */
	wr(0x320, (1U << 17) | 0x31);    /* periodic */
	wr(0x380, 100);                  /* 1600 ns = 3200 TSC */
	assert_int_equal(vlapic_irq_ops.next_deadline(&a), 4200);
	vlapic_irq_ops.poll(&a, 4200);
	assert_int_equal(vlapic_irq_ops.next_deadline(&a), 7400);
	vlapic_irq_ops.accept(&a, 0x31);
	wr(0xb0, 0);
	vlapic_irq_ops.poll(&a, 1000000); /* far behind: one interrupt, no storm */
	assert_int_equal(vlapic_irq_ops.pending(&a), 0x31);
	assert_int_equal(vlapic_irq_ops.next_deadline(&a), 1003200);
	wr(0x380, 0); /* writing 0 stops the timer */
	assert_int_equal(vlapic_irq_ops.next_deadline(&a), ~0ULL);
	/* masked: the timer runs but raises nothing */
	wr(0x320, (1U << 16) | 0x32);
	wr(0x380, 10);
	vlapic_irq_ops.accept(&a, 0x31);
	vlapic_irq_ops.poll(&a, ~0ULL - 1);
	assert_int_equal(vlapic_irq_ops.pending(&a), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_values_and_access_rules, setup),
		cmocka_unit_test_setup(test_priority_and_eoi, setup),
		cmocka_unit_test_setup(test_offer_keeps_an_edge_raised_in_flight, setup),
		cmocka_unit_test_setup(test_self_ipi, setup),
		cmocka_unit_test_setup(test_nmi_ipi, setup),
		cmocka_unit_test_setup(test_apic_base_msr, setup),
		cmocka_unit_test_setup(test_timer_one_shot, setup),
		cmocka_unit_test_setup(test_timer_periodic_and_divide, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
