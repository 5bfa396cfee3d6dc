/* Routing interrupt messages to local APICs (apic_bus.h). */
#include <bulkhead/apic_bus.h>
#include <bulkhead/vlapic.h>

/* Logical destinations (SDM vol. 3 10.6.2.2, 10.12.10.2): an x2APIC's
 * logical ID is its cluster (ID bits 19:4) in bits 31:16 and one bit of
 * ID bits 3:0 below; an xAPIC's is LDR bits 31:24, read as a bit set in
 * the flat model (DFR 1111b) or as cluster (7:4) and bit set (3:0). */
static bool logical_match(const struct vlapic *a, u32 dest)
{
	u32 ldr;

	if (a->x2apic) {
		ldr = ((a->id >> 4) << 16) | (1U << (a->id & 0xf));
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	ldr = a->ldr >> 24;
	if ((a->dfr >> 28) == 0xf)
		return (dest & ldr) != 0;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

bool apic_msg_targets(const struct vlapic *a, const struct vlapic *from,
		      const struct apic_msg *m)
{
	u32 broadcast = m->x2apic ? 0xffffffffU : 0xffU;

	switch (m->shorthand) {
	case APIC_DEST_SELF:
		return a == from;
	case APIC_DEST_ALL:
		return true;
	case APIC_DEST_OTHERS:
		return a != from;
	default:
		break;
	}
	if (m->dest == broadcast)
		return true;
	if (!m->logical)
		return m->dest == a->id;
	return logical_match(a, m->dest);
}

unsigned apic_msg_send(struct vlapic *const *set, unsigned n, const struct vlapic *from,
		       const struct apic_msg *m)
{
	struct vlapic *lowest = NULL;
	unsigned reached = 0;

	for (unsigned i = 0; i < n; i++) {
		if (!set[i] || !apic_msg_targets(set[i], from, m))
			continue;
		reached++;
		if (m->mode != APIC_LOWEST)
			vlapic_receive(set[i], m);
		else if (!lowest || vlapic_ppr(set[i]) < vlapic_ppr(lowest))
			lowest = set[i];
	}
	if (lowest)
		vlapic_receive(lowest, m);
	return reached;
}
