/* Interrupt messages routed to local APICs by APIC ID: IPIs from an ICR,
 * IOAPIC redirection entries and (later) MSIs all become one apic_msg,
 * delivered to every APIC of the VM whose ID or logical address it names
 * (SDM vol. 3 10.6.1-10.6.2.4, 10.12.9-10.12.10). Pure logic. */
#ifndef BULKHEAD_APIC_BUS_H
#define BULKHEAD_APIC_BUS_H

#include <bulkhead/types.h>

struct vlapic;

/* Delivery modes, as encoded in ICR bits 10:8 and IOAPIC entries. */
enum apic_mode {
	APIC_FIXED = 0,
	APIC_LOWEST = 1,
	APIC_SMI = 2,
	APIC_NMI = 4,
	APIC_INIT = 5,
	APIC_SIPI = 6,
	APIC_EXTINT = 7,
};

/* Destination shorthands, ICR bits 19:18. */
enum apic_shorthand {
	APIC_DEST_FIELD = 0,
	APIC_DEST_SELF = 1,
	APIC_DEST_ALL = 2,
	APIC_DEST_OTHERS = 3,
};

struct apic_msg {
	u32 dest;         /* APIC ID, or logical address, or the broadcast ID */
	bool logical;     /* destination mode */
	bool x2apic;      /* dest is 32 bits wide (x2APIC ICR); else 8 */
	u8 shorthand;     /* enum apic_shorthand */
	u8 mode;          /* enum apic_mode */
	u8 vector;
	bool level;       /* level-triggered: EOI goes back to the IOAPIC */
	bool deassert;    /* INIT level de-assert: reaches nobody (10.6.1) */
};

/* Does m, sent by from (NULL: not an APIC, e.g. the IOAPIC), reach a? */
bool apic_msg_targets(const struct vlapic *a, const struct vlapic *from,
		      const struct apic_msg *m);
/* Delivers m to the APICs of set[0..n) it reaches; lowest priority goes
 * to the one of them with the lowest processor priority (10.6.2.4, first
 * such when equal). Returns how many were reached. */
unsigned apic_msg_send(struct vlapic *const *set, unsigned n, const struct vlapic *from,
		       const struct apic_msg *m);

#endif
