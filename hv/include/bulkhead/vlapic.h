/* Virtual local APIC, xAPIC MMIO mode (SDM vol. 3 chapter 10): registers,
 * IRR/ISR priority logic, EOI, self-IPI and the one-shot/periodic timer.
 * Pure logic: time comes from a callback, so unit tests drive it. */
#ifndef BULKHEAD_VLAPIC_H
#define BULKHEAD_VLAPIC_H

#include <bulkhead/apic_bus.h>
#include <bulkhead/bus.h>
#include <bulkhead/vcpu.h>

#define VLAPIC_BASE 0xfee00000ULL
#define VLAPIC_SIZE 0x1000ULL
#define VLAPIC_TIMER_HZ 1000000000ULL /* before the divider, as QEMU's */

struct vlapic {
	u32 id;
	u32 tpr, svr, ldr, dfr, esr;
	u32 lvt[7];        /* CMCI, timer, thermal, perf, LINT0, LINT1, error */
	u32 icr_lo, icr_hi;
	u32 irr[8], isr[8], tmr[8];
	u32 timer_init, timer_div;
	u64 timer_start, timer_deadline; /* host TSC; deadline 0 = not armed */
	bool x2apic;       /* IA32_APIC_BASE.EXTD: registers are MSRs 0x800+ */
	bool hw_disabled;  /* IA32_APIC_BASE.EN clear */
	u64 tsc_hz;
	u64 (*now)(void);
	/* EOI of a level-triggered vector: tell the IOAPIC (may be NULL). */
	void (*eoi_level)(void *ctx, u8 vector);
	void *eoi_ctx;
	/* An NMI, INIT or SIPI reached this APIC: the vCPU takes it
	 * (mode: enum apic_mode; vector for SIPI). May be NULL. */
	void (*signal)(void *ctx, u8 mode, u8 vector);
	void *signal_ctx;
	/* An IPI from the ICR, for the VM to route (apic_bus.h); NULL: the
	 * APIC is alone and only it can be reached. */
	void (*send)(void *ctx, const struct vlapic *from, const struct apic_msg *m);
	void *send_ctx;
};

void vlapic_init(struct vlapic *a, u32 id, u64 tsc_hz, u64 (*now)(void));
enum bus_result vlapic_read(void *dev, u64 off, u32 size, u64 *val);
enum bus_result vlapic_write(void *dev, u64 off, u32 size, u64 val);
void vlapic_reset(void *dev);
/* Raises vector in IRR (edge). */
void vlapic_set_irq(struct vlapic *a, u8 vector);
/* Raises a vector from the IOAPIC; level-triggered ones set TMR so that
 * their EOI is broadcast back through eoi_level (SDM vol. 3 10.8.4). */
void vlapic_deliver(struct vlapic *a, u8 vector, bool level);

/* IA32_APIC_BASE (0x1b, SDM vol. 3 10.4.4, 10.12.5), x2APIC registers
 * (MSRs 0x800-0x8ff, 10.12) and IA32_TSC_DEADLINE (0x6e0, 10.5.4.1); tsc_offset converts guest TSC values
 * to host ones. false: the access must raise #GP. */
/* A message from the APIC bus reached this APIC (apic_bus.h). */
void vlapic_receive(struct vlapic *a, const struct apic_msg *m);
/* Processor priority (10.8.3.1), for lowest-priority arbitration. */
u32 vlapic_ppr(const struct vlapic *a);
bool vlapic_msr(struct vlapic *a, u32 index, bool write, u64 *val, u64 tsc_offset);

extern const struct bus_dev_ops vlapic_bus_ops;
extern const struct vcpu_irq_ops vlapic_irq_ops;

#endif
