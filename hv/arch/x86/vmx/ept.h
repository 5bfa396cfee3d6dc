/* A VM's extended page table (SDM vol. 3 29.3). */
#ifndef BULKHEAD_VMX_EPT_H
#define BULKHEAD_VMX_EPT_H

#include <bulkhead/pagetable.h>

bool ept_map_ram(struct pagetable *ept, u64 gpa, u64 hpa, u64 size);
u64 ept_pointer(const struct pagetable *ept);

#endif
