/* Virtual local APIC in xAPIC mode (SDM vol. 3 10.4-10.9, 10.12 not yet). */
#include <bulkhead/string.h>
#include <bulkhead/apic_bus.h>
#include <bulkhead/vlapic.h>

#define REG_ID      0x020
#define REG_VERSION 0x030
#define REG_TPR     0x080
#define REG_APR     0x090
#define REG_PPR     0x0a0
#define REG_EOI     0x0b0
#define REG_LDR     0x0d0
#define REG_DFR     0x0e0
#define REG_SVR     0x0f0
#define REG_ISR     0x100
#define REG_TMR     0x180
#define REG_IRR     0x200
#define REG_ESR     0x280
#define REG_LVT_CMCI 0x2f0
#define REG_ICR_LO  0x300
#define REG_ICR_HI  0x310
#define REG_LVT0    0x320 /* timer; LVTs follow every 0x10 up to error 0x370 */
#define REG_LVT_ERR 0x370
#define REG_TIMER_INIT 0x380
#define REG_TIMER_CUR  0x390
#define REG_TIMER_DIV  0x3e0

#define VERSION     0x00050014U /* version 0x14, 6 LVT entries (max index 5) */
#define SVR_ENABLE  (1U << 8)
#define LVT_MASKED  (1U << 16)
#define LVT_PERIODIC (1U << 17)
#define LVT_TSC_DEADLINE (2U << 17)
#define LVT_TIMER_MODE (3U << 17)
#define MSR_X2APIC_FIRST 0x800U
#define MSR_X2APIC_LAST  0x8ffU
#define MSR_TSC_DEADLINE 0x6e0U
#define X2APIC_SELF_IPI  0x3f0 /* register offset of MSR 0x83f */
#define LVT_TIMER   1 /* index in lvt[] */
#define ICR_SELF    (1U << 18) /* destination shorthand 01 */
#define ICR_SHORTHAND (3U << 18)

static bool test_bit(const u32 *bm, u8 v)
{
	return bm[v / 32] & (1U << (v % 32));
}

static int highest(const u32 *bm)
{
	for (int i = 7; i >= 0; i--)
		if (bm[i])
			return i * 32 + 31 - __builtin_clz(bm[i]);
	return -1;
}

static u32 ppr(const struct vlapic *a)
{
	int isr = highest(a->isr);
	u32 isr_class = isr < 0 ? 0 : (u32)isr & 0xf0;

	return (a->tpr & 0xf0) >= isr_class ? a->tpr & 0xff : isr_class;
}

void vlapic_set_irq(struct vlapic *a, u8 vector)
{
	if (vector < 16) {
		a->esr |= 1U << 6; /* received illegal vector */
		return;
	}
	a->irr[vector / 32] |= 1U << (vector % 32);
}

void vlapic_deliver(struct vlapic *a, u8 vector, bool level)
{
	vlapic_set_irq(a, vector);
	if (vector < 16)
		return;
	if (level)
		a->tmr[vector / 32] |= 1U << (vector % 32);
	else
		a->tmr[vector / 32] &= ~(1U << (vector % 32));
}

/* Divide configuration register -> divisor (SDM 10.5.4, figure 10-10). */
static u64 divisor(u32 dcr)
{
	u32 code = (dcr & 3) | ((dcr >> 1) & 4);

	return code == 7 ? 1 : 2ULL << code;
}

static u64 ticks_to_tsc(const struct vlapic *a, u64 ticks)
{
	/* ticks * divisor at 1 GHz, in TSC cycles: split to avoid overflow */
	u64 ns = ticks * divisor(a->timer_div);

	return (ns / VLAPIC_TIMER_HZ) * a->tsc_hz + (ns % VLAPIC_TIMER_HZ) * a->tsc_hz / VLAPIC_TIMER_HZ;
}

static void timer_arm(struct vlapic *a)
{
	a->timer_start = a->now();
	a->timer_deadline = a->timer_init ? a->timer_start + ticks_to_tsc(a, a->timer_init) : 0;
	if (a->timer_init && a->timer_deadline == 0)
		a->timer_deadline = 1;
}

static u32 timer_current(const struct vlapic *a)
{
	u64 now, period, elapsed, ticks;

	if (!a->timer_deadline || !a->timer_init)
		return 0;
	now = a->now();
	period = a->timer_deadline - a->timer_start;
	if (period == 0)
		return 0;
	elapsed = now > a->timer_start ? now - a->timer_start : 0;
	if (elapsed >= period)
		return 0;
	ticks = (u64)a->timer_init * (period - elapsed) / period;
	return (u32)ticks;
}

void vlapic_init(struct vlapic *a, u32 id, u64 tsc_hz, u64 (*now)(void))
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	a->tsc_hz = tsc_hz;
	a->now = now;
	vlapic_reset(a);
}

void vlapic_reset(void *dev)
{
	struct vlapic *a = dev;
	u32 id = a->id;
	u64 hz = a->tsc_hz;
	u64 (*now)(void) = a->now;
	void (*eoi_level)(void *, u8) = a->eoi_level;
	void *eoi_ctx = a->eoi_ctx;
	void (*signal)(void *, u8, u8) = a->signal;
	void *signal_ctx = a->signal_ctx;
	void (*send)(void *, const struct vlapic *, const struct apic_msg *) = a->send;
	void *send_ctx = a->send_ctx;

	memset(a, 0, sizeof(*a));
	a->id = id;
	a->tsc_hz = hz;
	a->now = now;
	a->eoi_level = eoi_level;
	a->eoi_ctx = eoi_ctx;
	a->signal = signal;
	a->signal_ctx = signal_ctx;
	a->send = send;
	a->send_ctx = send_ctx;
	a->svr = 0xff;
	a->dfr = 0xffffffffU;
	for (unsigned i = 0; i < ARRAY_SIZE(a->lvt); i++)
		a->lvt[i] = LVT_MASKED;
}

enum bus_result vlapic_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct vlapic *a = dev;
	u32 v = 0;

	if (size != 4 || (off & 0xf))
		return BUS_BAD_ACCESS; /* SDM 10.4.1: 32-bit aligned accesses only */
	switch (off) {
	case REG_ID: v = a->id << 24; break;
	case REG_VERSION: v = VERSION; break;
	case REG_TPR: v = a->tpr; break;
	case REG_PPR: v = ppr(a); break;
	case REG_LDR: v = a->ldr; break;
	case REG_DFR: v = a->dfr; break;
	case REG_SVR: v = a->svr; break;
	case REG_ESR: v = a->esr; break;
	case REG_ICR_LO: v = a->icr_lo; break;
	case REG_ICR_HI: v = a->icr_hi; break;
	case REG_LVT_CMCI: v = a->lvt[0]; break;
	case REG_TIMER_INIT: v = a->timer_init; break;
	case REG_TIMER_CUR: v = timer_current(a); break;
	case REG_TIMER_DIV: v = a->timer_div; break;
	default:
		if (off >= REG_ISR && off < REG_ISR + 0x80)
			v = a->isr[(off - REG_ISR) / 16];
		else if (off >= REG_TMR && off < REG_TMR + 0x80)
			v = a->tmr[(off - REG_TMR) / 16];
		else if (off >= REG_IRR && off < REG_IRR + 0x80)
			v = a->irr[(off - REG_IRR) / 16];
		else if (off >= REG_LVT0 && off <= REG_LVT_ERR)
			v = a->lvt[1 + (off - REG_LVT0) / 16];
		break; /* reserved registers read 0 */
	}
	*val = v;
	return BUS_OK;
}

static void eoi(struct vlapic *a)
{
	int v = highest(a->isr);

	if (v < 0)
		return;
	a->isr[v / 32] &= ~(1U << (v % 32));
	if (test_bit(a->tmr, (u8)v) && a->eoi_level)
		a->eoi_level(a->eoi_ctx, (u8)v);
}

/* The ICR as a message (SDM vol. 3 10.6.1): destination in bits 63:56
 * (xAPIC) or 63:32 (x2APIC), mode 10:8, logical 11, shorthand 19:18. An
 * INIT with level 0 and trigger 1 is the INIT level de-assert. */
static void write_icr(struct vlapic *a, u32 lo)
{
	struct apic_msg m = {
		.dest = a->x2apic ? a->icr_hi : a->icr_hi >> 24,
		.logical = lo & (1U << 11),
		.x2apic = a->x2apic,
		.shorthand = (u8)((lo >> 18) & 3),
		.mode = (u8)((lo >> 8) & 7),
		.vector = (u8)lo,
		.deassert = ((lo >> 8) & 7) == APIC_INIT && !(lo & (1U << 14)) && (lo & (1U << 15)),
	};
	struct vlapic *self = a;

	a->icr_lo = lo & ~(1U << 12); /* delivery status: always idle */
	if (a->send)
		a->send(a->send_ctx, a, &m);
	else
		apic_msg_send(&self, 1, a, &m);
}

void vlapic_receive(struct vlapic *a, const struct apic_msg *m)
{
	switch (m->mode) {
	case APIC_FIXED:
	case APIC_LOWEST:
		vlapic_deliver(a, m->vector, m->level);
		break;
	case APIC_NMI:
	case APIC_INIT:
	case APIC_SIPI:
		/* The vCPU takes these, not the APIC's vector logic; an INIT
		 * de-assert reaches nobody (10.6.1). SMI (no SMM offered) and
		 * ExtINT (no 8259 behind the LAPIC) are dropped. */
		if (a->signal && !m->deassert)
			a->signal(a->signal_ctx, m->mode, m->vector);
		break;
	default:
		break;
	}
}

u32 vlapic_ppr(const struct vlapic *a)
{
	return ppr(a);
}

enum bus_result vlapic_write(void *dev, u64 off, u32 size, u64 val64)
{
	struct vlapic *a = dev;
	u32 val = (u32)val64;

	if (size != 4 || (off & 0xf))
		return BUS_BAD_ACCESS;
	switch (off) {
	case REG_TPR: a->tpr = val & 0xff; break;
	case REG_EOI: eoi(a); break;
	case REG_LDR: a->ldr = val & 0xff000000U; break;
	case REG_DFR: a->dfr = val | 0x0fffffffU; break;
	case REG_SVR:
		a->svr = val & 0x1ff;
		if (!(val & SVR_ENABLE)) /* software disable masks every LVT */
			for (unsigned i = 0; i < ARRAY_SIZE(a->lvt); i++)
				a->lvt[i] |= LVT_MASKED;
		break;
	case REG_ESR: a->esr = 0; break;
	case REG_ICR_LO: write_icr(a, val); break;
	case REG_ICR_HI: a->icr_hi = val & 0xff000000U; break;
	case REG_LVT_CMCI: a->lvt[0] = val & 0x117ff; break;
	case REG_TIMER_INIT:
		if ((a->lvt[LVT_TIMER] & LVT_TIMER_MODE) == LVT_TSC_DEADLINE)
			break; /* ignored in TSC-deadline mode */
		a->timer_init = val;
		timer_arm(a);
		break;
	case REG_TIMER_DIV:
		a->timer_div = val & 0xb;
		break;
	default:
		if (off >= REG_LVT0 && off <= REG_LVT_ERR) {
			u32 *lvt = &a->lvt[1 + (off - REG_LVT0) / 16];
			u32 old_mode = *lvt & LVT_TIMER_MODE;

			*lvt = val & (off == REG_LVT0 ? 0x710ffU : 0x117ffU);
			if (off == REG_LVT0 && (*lvt & LVT_TIMER_MODE) != old_mode)
				a->timer_deadline = 0; /* a mode change disarms (SDM 10.5.4.1) */
			if (!(a->svr & SVR_ENABLE))
				*lvt |= LVT_MASKED;
		}
		break; /* read-only and reserved registers: ignored */
	}
	return BUS_OK;
}

static int vlapic_pending(void *dev)
{
	struct vlapic *a = dev;
	int v = highest(a->irr);

	if (v < 0 || !(a->svr & SVR_ENABLE) || a->hw_disabled)
		return -1;
	return ((u32)v & 0xf0) > (ppr(a) & 0xf0) ? v : -1;
}

static void vlapic_accept(void *dev, u8 vector)
{
	struct vlapic *a = dev;

	if (!test_bit(a->irr, vector))
		return;
	a->irr[vector / 32] &= ~(1U << (vector % 32));
	a->isr[vector / 32] |= 1U << (vector % 32);
}

/* Offered to the CPU through V_IRQ for one entry (vcpu_irq_ops.offer). */
static void vlapic_offer(void *dev, u8 vector)
{
	struct vlapic *a = dev;

	a->irr[vector / 32] &= ~(1U << (vector % 32));
}

static void vlapic_offer_end(void *dev, u8 vector, bool taken)
{
	struct vlapic *a = dev;
	u32 *bm = taken ? a->isr : a->irr;

	bm[vector / 32] |= 1U << (vector % 32);
}

static u64 vlapic_next_deadline(void *dev)
{
	struct vlapic *a = dev;

	return a->timer_deadline ? a->timer_deadline : ~0ULL;
}

static void vlapic_poll(void *dev, u64 now)
{
	struct vlapic *a = dev;
	u32 lvt = a->lvt[LVT_TIMER];
	u64 period;

	if (!a->timer_deadline || now < a->timer_deadline)
		return;
	if (!(lvt & LVT_MASKED))
		vlapic_set_irq(a, (u8)lvt);
	if ((lvt & LVT_TIMER_MODE) != LVT_PERIODIC) {
		a->timer_deadline = 0; /* one-shot and TSC-deadline fire once */
		return;
	}
	period = a->timer_deadline - a->timer_start;
	a->timer_start = a->timer_deadline;
	a->timer_deadline += period;
	if (a->timer_deadline <= now) { /* far behind: skip, do not storm */
		a->timer_start = now;
		a->timer_deadline = now + period;
	}
}

/* In x2APIC mode the MMIO page is gone (SDM 10.12.1.2). */
static enum bus_result vlapic_mmio_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct vlapic *a = dev;

	if (a->x2apic || a->hw_disabled) {
		*val = ~0ULL;
		return BUS_OK;
	}
	return vlapic_read(dev, off, size, val);
}

static enum bus_result vlapic_mmio_write(void *dev, u64 off, u32 size, u64 val)
{
	struct vlapic *a = dev;

	if (a->x2apic || a->hw_disabled)
		return BUS_OK;
	return vlapic_write(dev, off, size, val);
}

static bool tsc_deadline_msr(struct vlapic *a, bool write, u64 *val, u64 tsc_offset)
{
	bool armed = (a->lvt[LVT_TIMER] & LVT_TIMER_MODE) == LVT_TSC_DEADLINE;

	if (!write) {
		*val = armed && a->timer_deadline ? a->timer_deadline + tsc_offset : 0;
		return true;
	}
	if (!armed)
		return true; /* ignored outside TSC-deadline mode */
	a->timer_start = a->now();
	a->timer_deadline = *val ? *val - tsc_offset : 0;
	if (*val && a->timer_deadline == 0)
		a->timer_deadline = 1;
	return true;
}

#define MSR_APIC_BASE 0x1bU
#define APIC_BASE_BSP  (1ULL << 8)
#define APIC_BASE_EXTD (1ULL << 10)
#define APIC_BASE_EN   (1ULL << 11)

static bool apic_base_msr(struct vlapic *a, bool write, u64 *val)
{
	u64 now = VLAPIC_BASE | (a->id == 0 ? APIC_BASE_BSP : 0) | (a->hw_disabled ? 0 : APIC_BASE_EN) | (a->x2apic ? APIC_BASE_EXTD : 0);
	bool en, extd;

	if (!write) {
		*val = now;
		return true;
	}
	/* Bits 7:0 and 9 are reserved, BSP is read-only (kept), and the base
	 * above bit 12 stays: relocating the APIC is not offered, so a new
	 * base (and any bit above MAXPHYADDR) gets #GP (SDM vol. 3 10.4.4). */
	if ((*val & ~(APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP)) != VLAPIC_BASE)
		return false;
	en = *val & APIC_BASE_EN;
	extd = *val & APIC_BASE_EXTD;
	if (extd && !en)
		return false; /* invalid state (SDM table 10-5) */
	if (a->x2apic && en && !extd)
		return false; /* x2APIC -> xAPIC needs a disable first */
	if (!en) {
		vlapic_reset(a);
		a->hw_disabled = true;
		return true;
	}
	a->hw_disabled = false;
	a->x2apic = extd;
	return true;
}

bool vlapic_msr(struct vlapic *a, u32 index, bool write, u64 *val, u64 tsc_offset)
{
	u64 off;

	if (index == MSR_APIC_BASE)
		return apic_base_msr(a, write, val);
	if (index == MSR_TSC_DEADLINE)
		return tsc_deadline_msr(a, write, val, tsc_offset);
	if (index < MSR_X2APIC_FIRST || index > MSR_X2APIC_LAST || !a->x2apic)
		return false;
	off = (u64)(index - MSR_X2APIC_FIRST) << 4;
	switch (off) {
	case REG_ID:
		if (write)
			return false;
		*val = a->id; /* the full 32-bit x2APIC ID */
		return true;
	case REG_LDR:
		if (write)
			return false;
		*val = ((a->id >> 4) << 16) | (1U << (a->id & 0xf)); /* SDM 10.12.10.2 */
		return true;
	case REG_DFR:
		return false; /* no DFR in x2APIC mode */
	case REG_ICR_LO:
		if (write) {
			a->icr_hi = (u32)(*val >> 32);
			write_icr(a, (u32)*val);
		} else {
			*val = ((u64)a->icr_hi << 32) | a->icr_lo;
		}
		return true;
	case REG_ICR_HI:
		return false; /* folded into the 64-bit ICR */
	case X2APIC_SELF_IPI:
		if (!write)
			return false;
		vlapic_set_irq(a, (u8)*val);
		return true;
	case REG_EOI:
		if (!write || *val != 0)
			return false; /* non-zero EOI writes #GP in x2APIC mode */
		break;
	default:
		break;
	}
	if (write) {
		if (*val >> 32)
			return false;
		return vlapic_write(a, off, 4, *val) == BUS_OK;
	}
	return vlapic_read(a, off, 4, val) == BUS_OK;
}

const struct bus_dev_ops vlapic_bus_ops = { vlapic_mmio_read, vlapic_mmio_write, vlapic_reset };
static bool vlapic_msr_hook(void *dev, u32 index, bool write, u64 *val, u64 tsc_offset)
{
	return vlapic_msr(dev, index, write, val, tsc_offset);
}

const struct vcpu_irq_ops vlapic_irq_ops = {
	.pending = vlapic_pending,
	.accept = vlapic_accept,
	.offer = vlapic_offer,
	.offer_end = vlapic_offer_end,
	.next_deadline = vlapic_next_deadline,
	.poll = vlapic_poll,
	.init = vlapic_reset,
	.msr = vlapic_msr_hook,
};
