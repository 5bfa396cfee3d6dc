/* The AMD-Vi driver (amd_vi_hw.h): registers (AMD IOMMU spec 48882 3.4),
 * device table (2.2.2), command buffer (2.4, 3.4.2) and event log (2.5,
 * 3.4.4). Commands complete in order; a COMPLETION_WAIT that stores a
 * sequence number in hypervisor memory tells when they have. */
#include <bulkhead/amd_vi.h>
#include <bulkhead/amd_vi_hw.h>
#include <bulkhead/amd_vi_ir.h>
#include <bulkhead/console.h>
#include <bulkhead/mm.h>
#include <bulkhead/string.h>

#define RING_BYTES (AMD_VI_RING_ENTRIES * 16U)
#define CMD_INVALIDATE_ALL 0x8ULL      /* INVALIDATE_IOMMU_ALL (2.4.6) */
#define EFR_IA_SUP         (1ULL << 6) /* extended feature IASup (3.4.5) */
#define WAIT_SPINS         (1U << 24)  /* bound on every wait for the IOMMU */

static struct {
	u64 mmio, dev_table, cmd_buf, event_log, empty_root;
	u32 cmd_tail, event_head;
	u64 seq;
} vi;

/* The completion store target: physical = virtual in the hypervisor. */
static volatile u64 completion_sem __aligned(8);

static u64 reg_read(u32 off)
{
	return *(volatile u64 *)phys_to_virt(vi.mmio + off);
}

static void reg_write(u32 off, u64 v)
{
	*(volatile u64 *)phys_to_virt(vi.mmio + off) = v;
}

static void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* Puts one command in the ring (waiting, bounded, for room) without
 * telling the IOMMU yet. */
static bool cmd_queue(const u64 cmd[2])
{
	u32 next = (vi.cmd_tail + 16U) % RING_BYTES;
	u64 *slot;

	for (u32 spins = 0; (u32)reg_read(AMD_VI_CMD_BUF_HEAD) == next; spins++) {
		if (spins == WAIT_SPINS) {
			printf("iommu: command buffer stuck full\n");
			return false;
		}
		cpu_relax();
	}
	slot = phys_to_virt(vi.cmd_buf + vi.cmd_tail);
	slot[0] = cmd[0];
	slot[1] = cmd[1];
	vi.cmd_tail = next;
	return true;
}

/* Queues a COMPLETION_WAIT behind what is queued, starts the IOMMU on all
 * of it and waits (bounded) for the store. */
static bool cmd_sync(void)
{
	u64 cmd[2], seq = ++vi.seq;

	amd_vi_cmd_completion_wait(cmd, (u64)(uintptr_t)&completion_sem, seq);
	if (!cmd_queue(cmd))
		return false;
	__asm__ volatile("sfence" ::: "memory"); /* commands in memory before the tail moves */
	reg_write(AMD_VI_CMD_BUF_TAIL, vi.cmd_tail);
	for (u32 spins = 0; completion_sem != seq; spins++) {
		if (spins == WAIT_SPINS) {
			printf("iommu: COMPLETION_WAIT %lu timed out (status %#lx)\n", seq,
			       reg_read(AMD_VI_STATUS));
			return false;
		}
		cpu_relax();
	}
	return true;
}

static void write_dte(u16 devid, const u64 dte[4])
{
	volatile u64 *e = phys_to_virt(vi.dev_table + (u64)devid * AMD_VI_DTE_SIZE);

	/* quad 0 (V, TV, the root) last, so the entry is whole when valid */
	e[3] = dte[3];
	e[2] = dte[2];
	e[1] = dte[1];
	e[0] = dte[0];
}

static bool flush_all(void)
{
	u64 cmd[2] = { CMD_INVALIDATE_ALL << 60, 0 };

	if (reg_read(AMD_VI_EXT_FEATURE) & EFR_IA_SUP)
		return cmd_queue(cmd) && cmd_sync();
	for (u32 id = 0; id < AMD_VI_NR_DEVIDS; id++) {
		amd_vi_cmd_invalidate_dte(cmd, (u16)id);
		/* a sync every ring's worth keeps the queue from filling */
		if (!cmd_queue(cmd) || ((id & 127U) == 127U && !cmd_sync()))
			return false;
	}
	return true;
}

bool amd_vi_hw_init(u64 base, const char **err)
{
	u64 blocked[4];

	vi.mmio = base;
	if (reg_read(AMD_VI_CONTROL) & AMD_VI_CTRL_IOMMU_EN)
		reg_write(AMD_VI_CONTROL, 0); /* firmware's configuration: not ours */
	vi.dev_table = mm_alloc_pages(AMD_VI_DEV_TABLE_PAGES);
	vi.cmd_buf = mm_alloc_pages(1);
	vi.event_log = mm_alloc_pages(1);
	vi.empty_root = mm_alloc_pages(1);
	if (!vi.dev_table || !vi.cmd_buf || !vi.event_log || !vi.empty_root) {
		*err = "out of memory for the device table and rings";
		return false;
	}
	amd_vi_dte_blocked(blocked, vi.empty_root);
	for (u32 id = 0; id < AMD_VI_NR_DEVIDS; id++)
		write_dte((u16)id, blocked);
	reg_write(AMD_VI_DEV_TABLE_BASE, vi.dev_table | (AMD_VI_DEV_TABLE_PAGES - 1));
	reg_write(AMD_VI_CMD_BUF_BASE, vi.cmd_buf | (u64)AMD_VI_RING_LOG2 << AMD_VI_LEN_SHIFT);
	reg_write(AMD_VI_EVENT_LOG_BASE, vi.event_log | (u64)AMD_VI_RING_LOG2 << AMD_VI_LEN_SHIFT);
	reg_write(AMD_VI_CMD_BUF_HEAD, 0);
	reg_write(AMD_VI_CMD_BUF_TAIL, 0);
	reg_write(AMD_VI_EVENT_LOG_HEAD, 0);
	reg_write(AMD_VI_EVENT_LOG_TAIL, 0);
	vi.cmd_tail = vi.event_head = 0;
	reg_write(AMD_VI_CONTROL,
		  AMD_VI_CTRL_IOMMU_EN | AMD_VI_CTRL_EVENT_LOG_EN | AMD_VI_CTRL_CMD_BUF_EN);
	if (!flush_all()) {
		reg_write(AMD_VI_CONTROL, 0);
		*err = "the IOMMU does not complete commands";
		return false;
	}
	return true;
}

bool amd_vi_hw_set_dte(u16 devid, const u64 dte[4])
{
	u64 cmd[2];

	write_dte(devid, dte);
	amd_vi_cmd_invalidate_dte(cmd, devid);
	return cmd_queue(cmd) && cmd_sync();
}

bool amd_vi_hw_flush_domain(u16 domid)
{
	u64 cmd[2];

	amd_vi_cmd_invalidate_domain(cmd, domid);
	return cmd_queue(cmd) && cmd_sync();
}

bool amd_vi_hw_invalidate_irt(u16 devid)
{
	u64 cmd[2];

	amd_vi_cmd_invalidate_irt(cmd, devid);
	return cmd_queue(cmd) && cmd_sync();
}

u64 amd_vi_hw_empty_root(void)
{
	return vi.empty_root;
}

/* After an overflow the IOMMU stops logging (3.4.9): clear the bit and
 * turn the log off and on again. */
static void restart_event_log(void)
{
	u64 ctrl = reg_read(AMD_VI_CONTROL);

	reg_write(AMD_VI_STATUS, AMD_VI_STATUS_EVENT_OVERFLOW); /* write 1 to clear */
	reg_write(AMD_VI_CONTROL, ctrl & ~AMD_VI_CTRL_EVENT_LOG_EN);
	reg_write(AMD_VI_CONTROL, ctrl | AMD_VI_CTRL_EVENT_LOG_EN);
}

unsigned amd_vi_hw_poll_events(unsigned max_lines)
{
	u32 tail;
	unsigned n = 0;
	char line[96];

	if (!vi.mmio)
		return 0;
	tail = (u32)reg_read(AMD_VI_EVENT_LOG_TAIL) % RING_BYTES;
	__asm__ volatile("" ::: "memory"); /* entries are read after the tail */
	while (vi.event_head != tail) {
		const u64 *ev = phys_to_virt(vi.event_log + vi.event_head);

		if (n < max_lines) {
			amd_vi_event_describe(ev, line, sizeof(line));
			printf("iommu: event %s\n", line);
		}
		n++;
		vi.event_head = (vi.event_head + 16U) % RING_BYTES;
	}
	if (n)
		reg_write(AMD_VI_EVENT_LOG_HEAD, vi.event_head);
	if (n > max_lines)
		printf("iommu: %u more events not shown\n", n - max_lines);
	if (reg_read(AMD_VI_STATUS) & AMD_VI_STATUS_EVENT_OVERFLOW) {
		printf("iommu: event log overflowed; events were lost\n");
		restart_event_log();
	}
	return n;
}
