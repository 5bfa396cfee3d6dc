/* EPT for one VM (SDM vol. 3 29.3): the 4-level builder of pagetable.c,
 * whose entries have EPT's layout (pagetable.h). Pure: the table pages
 * come from the pagetable's ops, so a unit test builds it in a buffer. */
#include "ept.h"

/* Guest RAM: read, write, execute, write-back (29.3.7; the guest's PAT
 * applies on top, IPAT clear), 2 MiB pages where both addresses and the
 * size allow. */
bool ept_map_ram(struct pagetable *ept, u64 gpa, u64 hpa, u64 size)
{
	return pt_map(ept, gpa, hpa, size, EPT_W | EPT_X | EPT_MT_WB, PAGE_2M) == PT_OK;
}

/* EPTP (25.6.11): memory type write-back (bits 2:0 = 6), page-walk
 * length - 1 = 3 (bits 5:3), no accessed/dirty flags, the PML4's
 * address. */
u64 ept_pointer(const struct pagetable *ept)
{
	return ept->root | (3ULL << 3) | 6ULL;
}
