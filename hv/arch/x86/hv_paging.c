/* The hypervisor's own page tables: physical memory identity mapped RW+NX,
 * the image split by permission (text RX, rodata R+NX, data/bss RW+NX),
 * the screen's framebuffer uncacheable, and unmapped holes at page 0 (NULL)
 * and under every stack (guards). */
#include <bulkhead/layout.h>
#include <bulkhead/mm.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/cpu_features.h>
#include <bulkhead/x86/paging.h>

extern const u8 __image_start[], __text_end[], __rodata_end[], __image_end[];
extern u8 hv_stacks[HV_NR_ALL_STACKS][HV_STACK_GUARD + HV_STACK_SIZE];

struct pagetable hv_pt;

static u64 hv_alloc_table(void *ctx)
{
	(void)ctx;
	return mm_alloc_pages(1);
}

static u64 *hv_table_ptr(void *ctx, u64 pa)
{
	(void)ctx;
	return phys_to_virt(pa);
}

/* SMEP and SMAP: the hypervisor never runs or touches a user page (none of
 * its leaves has U), so a stray pointer into one faults (SDM vol. 3
 * 4.6.1). PGE and PSE change nothing for tables without G bits in long
 * mode, but with them CR4 agrees with what a Linux guest runs with, and an
 * outer TCG flushes its whole TLB when those bits differ between host and
 * guest at every VMRUN and #VMEXIT. */
static void set_cr4(void)
{
	u64 cr4 = read_cr4() | CR4_PSE | CR4_PGE;

	if (boot_cpu.smep)
		cr4 |= CR4_SMEP;
	if (boot_cpu.smap)
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
}

static const struct pt_ops hv_pt_ops = { hv_alloc_table, hv_table_ptr, NULL, NULL };

#define RWNX (PTE_W | PTE_NX)
#define RX   0ULL
#define RNX  PTE_NX

static u64 addr(const void *p)
{
	return (u64)(uintptr_t)p;
}

static u64 map_top(const struct boot_info *bi)
{
	u64 top = GiB(4); /* firmware tables and device MMIO live below 4 GiB */

	for (unsigned i = 0; i < bi->nr_mem; i++)
		if (bi->mem[i].type != MEM_RESERVED && bi->mem[i].end > top)
			top = bi->mem[i].end;
	return ALIGN_UP(top, PAGE_2M);
}

bool hv_paging_init(const struct boot_info *bi, bool gbpages, u64 uc_start, u64 uc_end,
		    const char **err)
{
	u64 big = gbpages ? PAGE_1G : PAGE_2M;
	u64 stacks = addr(hv_stacks);
	struct seg {
		u64 start, end, flags;
	} segs[8 + HV_NR_ALL_STACKS];
	unsigned n = 0;

	segs[n++] = (struct seg){ PAGE_SIZE, addr(__image_start), RWNX };
	segs[n++] = (struct seg){ addr(__image_start), addr(__text_end), RX };
	segs[n++] = (struct seg){ addr(__text_end), addr(__rodata_end), RNX };
	segs[n++] = (struct seg){ addr(__rodata_end), stacks, RWNX };
	for (unsigned i = 0; i < HV_NR_ALL_STACKS; i++) {
		u64 body = addr(&hv_stacks[i][HV_STACK_GUARD]);
		segs[n++] = (struct seg){ body, body + HV_STACK_SIZE, RWNX };
	}
	segs[n++] = (struct seg){ stacks + sizeof(hv_stacks), addr(__image_end), RWNX };
	/* A framebuffer above the image: uncacheable (PCD|PWT: PAT entry 3, UC,
	 * with the power-on PAT; SDM vol. 3 11.12.3), so what the hypervisor
	 * draws reaches the screen, whatever the MTRRs say. */
	if (uc_end > uc_start && uc_start >= addr(__image_end) && uc_end <= map_top(bi) &&
	    IS_ALIGNED(uc_start, PAGE_SIZE) && IS_ALIGNED(uc_end, PAGE_SIZE)) {
		segs[n++] = (struct seg){ addr(__image_end), uc_start, RWNX };
		segs[n++] = (struct seg){ uc_start, uc_end, RWNX | PTE_PCD | PTE_PWT };
		segs[n++] = (struct seg){ uc_end, map_top(bi), RWNX };
	} else {
		segs[n++] = (struct seg){ addr(__image_end), map_top(bi), RWNX };
	}

	/* Without EFER.NXE bit 63 is reserved: W^X then holds for writes only. */
	u64 nx_mask = (rdmsr(MSR_EFER) & EFER_NXE) ? ~0ULL : ~PTE_NX;

	if (pt_init(&hv_pt, &hv_pt_ops) != PT_OK) {
		*err = "paging: out of memory for the root table";
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		if (segs[i].end <= segs[i].start)
			continue;
		if (pt_map(&hv_pt, segs[i].start, segs[i].start, segs[i].end - segs[i].start,
			   segs[i].flags & nx_mask, big) != PT_OK) {
			*err = "paging: could not build the hypervisor's page tables";
			return false;
		}
	}
	write_cr3(hv_pt.root);
	set_cr4();
	return true;
}
