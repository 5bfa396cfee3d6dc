/* A hostile SMP guest (issue 11, "Bad input"): with 2 vCPUs it floods the
 * APIC bus from vCPU 0 with INIT and start-up IPIs to its other vCPU, fixed
 * IPIs to APIC IDs that do not exist (physical, logical and the x2APIC
 * broadcast), and NMIs to every vCPU including itself. None of it may stop
 * this VM or any other; the hypervisor may only be slower for it. It checks
 * that the IPIs that have a target arrive (a fixed IPI to itself by
 * broadcast, NMIs to itself) and that it still runs. Needs `vcpus=2
 * testexit` (guests/README.md). */
#include "guest.h"

const char guest_name[] = "ipi_storm";

#define APIC_ICR_LO     0x300U
#define APIC_ICR_HI     0x310U
#define ICR_ASSERT      (1U << 14)
#define ICR_LOGICAL     (1U << 11)
#define ICR_FIXED       (0U << 8)
#define ICR_NMI         (4U << 8)
#define ICR_INIT        (5U << 8)
#define ICR_SIPI        (6U << 8)
#define ICR_ALL         (2U << 18)
#define ICR_OTHERS      (3U << 18)
#define STORM_VECTOR    0x41
#define NMI_VECTOR      2
#define PARK_PAGE       0x7000UL /* real-mode code for the other vCPU: hlt; jmp $-1 */
#define ROUNDS          2000

static volatile u64 fixed_seen, nmis_seen;

static void on_fixed(struct irq_frame *f)
{
	(void)f;
	fixed_seen++;
	apic_write(APIC_EOI, 0);
}

static void on_nmi(struct irq_frame *f)
{
	(void)f;
	nmis_seen++;
}

static void ipi(u32 dest, u32 lo)
{
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, lo);
}

void guest_main(void)
{
	static const u8 park[] = { 0xf4, 0xeb, 0xfd }; /* hlt; jmp back to hlt */
	u64 t0 = rdtsc();

	memcpy((void *)PARK_PAGE, park, sizeof(park));
	irq_register(STORM_VECTOR, on_fixed);
	irq_register(NMI_VECTOR, on_nmi);
	apic_enable();
	for (unsigned i = 0; i < ROUNDS; i++) {
		/* the other vCPU: reset, started, reset again, over and over */
		ipi(0, ICR_OTHERS | ICR_INIT | ICR_ASSERT);
		ipi(0, ICR_OTHERS | ICR_SIPI | ICR_ASSERT | (PARK_PAGE >> 12));
		ipi(0, ICR_OTHERS | ICR_SIPI | ICR_ASSERT | (PARK_PAGE >> 12));
		/* nobody there */
		ipi(5, ICR_FIXED | ICR_ASSERT | STORM_VECTOR);
		ipi(200, ICR_FIXED | ICR_ASSERT | STORM_VECTOR);
		ipi(0x80, ICR_LOGICAL | ICR_FIXED | ICR_ASSERT | STORM_VECTOR);
		ipi(7, ICR_INIT | ICR_ASSERT);
		ipi(9, ICR_SIPI | ICR_ASSERT | 0x07);
		/* everyone, itself included */
		ipi(0, ICR_ALL | ICR_NMI | ICR_ASSERT);
		ipi(0xff, ICR_FIXED | ICR_ASSERT | STORM_VECTOR);
		sti();
		asm volatile("nop");
		cli();
	}
	/* What reached this vCPU arrived: its own broadcast fixed IPIs (one
	 * pending at a time, so at least one) and NMIs (one waits while
	 * another is handled, so at least one). */
	sti();
	for (unsigned i = 0; i < 1000 && (!fixed_seen || !nmis_seen); i++)
		(void)inb(COM1 + 5);
	cli();
	EXPECT_NE(fixed_seen, 0);
	EXPECT_NE(nmis_seen, 0);
	printf("ipi_storm: %u rounds in %lu M TSC ticks; %lu fixed IPIs and %lu NMIs reached it\n",
	       ROUNDS, (rdtsc() - t0) >> 20, fixed_seen, nmis_seen);
}
