/* x86-64 page-table entry bits (SDM vol. 3 4.5; APM vol. 2 5.3). The same
 * format serves the hypervisor's tables and AMD nested page tables. */
#ifndef BULKHEAD_X86_PAGING_H
#define BULKHEAD_X86_PAGING_H

#define PTE_P   (1ULL << 0)
#define PTE_W   (1ULL << 1)
#define PTE_U   (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A   (1ULL << 5)
#define PTE_D   (1ULL << 6)
#define PTE_PS  (1ULL << 7)
#define PTE_G   (1ULL << 8)
#define PTE_NX  (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

#define PT_ENTRIES 512U
#define PAGE_2M (1ULL << 21)
#define PAGE_1G (1ULL << 30)

#endif
