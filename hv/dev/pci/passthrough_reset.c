/* Resetting a passed-through function when its VM stops, so that the next
 * owner gets it clean: a Function Level Reset when the function has one
 * (PCI Express Base 3.0 6.6.2: Device Capabilities bit 28, Device Control
 * bit 15, then 100 ms before the function is touched again), else
 * D3hot -> D0 when its power management capability says that resets it
 * (PCI Bus Power Management 1.2, 3.2.4: PMCSR No_Soft_Reset clear; 10 ms
 * recovery after each transition, 5.6.1), else none. The reset puts the
 * BARs and command register back to their defaults, so the header the
 * firmware programmed (BARs, command, cache line, interrupt line) is saved
 * first, written back after and read back to check: the host BARs stay
 * where firmware put them. Every wait is bounded by the TSC. */
#include <bulkhead/passthrough_reset.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/host_pci.h>
#include <bulkhead/x86/host_timer.h>

#define PCI_COMMAND_STATUS 0x04
#define PCI_STATUS_CAPS    (1U << 20) /* status bit 4, in the dword at 0x04 */
#define PCI_CMD_MASTER     (1U << 2)
#define PCI_CAP_PTR        0x34
#define CAP_PM             0x01
#define CAP_PCIE           0x10
#define PCIE_DEVCAP        0x04
#define PCIE_DEVCAP_FLR    (1U << 28)
#define PCIE_DEVCTL        0x08
#define PCIE_DEVCTL_FLR    (1U << 15)
#define PM_CSR             0x04
#define PM_STATE_MASK      0x3U
#define PM_D3HOT           0x3U
#define PM_NO_SOFT_RESET   (1U << 3)
#define CAP_HOPS_MAX       48 /* (256 - 64) / 4: a longer list loops */

/* The offset of capability id in f's list, or 0. */
static u8 find_cap(const struct host_pci_fn *f, u8 id)
{
	u8 at;

	if (!(host_pci_read32(f->bus, f->dev, f->fn, PCI_COMMAND_STATUS) & PCI_STATUS_CAPS))
		return 0;
	at = (u8)host_pci_read32(f->bus, f->dev, f->fn, PCI_CAP_PTR) & 0xfcU;
	for (unsigned hops = 0; at >= 0x40 && hops < CAP_HOPS_MAX; hops++) {
		u32 hdr = host_pci_read32(f->bus, f->dev, f->fn, at);

		if ((u8)hdr == id)
			return at;
		at = (u8)(hdr >> 8) & 0xfcU;
	}
	return 0;
}

static void wait_ms(u64 ms)
{
	u64 start = rdtsc();

	while (rdtsc() - start < tsc_hz / 1000 * ms)
		__builtin_ia32_pause();
}

/* The header registers a reset clears and firmware had set: 0x04, 0x0c,
 * the six BARs (0x10-0x24) and 0x3c. */
static const u8 saved_regs[] = { 0x04, 0x0c, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x24, 0x3c };

enum passthrough_reset passthrough_reset_fn(const struct host_pci_fn *f)
{
	u32 saved[sizeof(saved_regs)];
	u8 pcie = find_cap(f, CAP_PCIE), pm = find_cap(f, CAP_PM);
	bool flr = pcie && (host_pci_read32(f->bus, f->dev, f->fn, pcie + PCIE_DEVCAP) & PCIE_DEVCAP_FLR);
	u32 csr = pm ? host_pci_read32(f->bus, f->dev, f->fn, pm + PM_CSR) : 0;
	bool pm_reset = pm && !(csr & PM_NO_SOFT_RESET);

	if (!flr && !pm_reset)
		return PASSTHROUGH_RESET_NONE;
	for (unsigned i = 0; i < sizeof(saved_regs); i++)
		saved[i] = host_pci_read32(f->bus, f->dev, f->fn, saved_regs[i]);
	/* no new DMA while it resets */
	host_pci_write32(f->bus, f->dev, f->fn, PCI_COMMAND_STATUS, saved[0] & 0xffffU & ~PCI_CMD_MASTER);
	if (flr) {
		u32 ctl = host_pci_read32(f->bus, f->dev, f->fn, pcie + PCIE_DEVCTL);

		/* Device Control is the low half; the high half, Device
		 * Status, is RW1C: write it as 0 */
		host_pci_write32(f->bus, f->dev, f->fn, pcie + PCIE_DEVCTL,
				 (ctl & 0xffffU) | PCIE_DEVCTL_FLR);
		wait_ms(100);
	} else {
		host_pci_write32(f->bus, f->dev, f->fn, pm + PM_CSR,
				 (csr & 0xffffU & ~PM_STATE_MASK) | PM_D3HOT);
		wait_ms(10);
		host_pci_write32(f->bus, f->dev, f->fn, pm + PM_CSR, csr & 0xffffU & ~PM_STATE_MASK);
		wait_ms(10);
	}
	/* BARs first, the command register (status half as 0: RW1C) last */
	for (unsigned i = sizeof(saved_regs); i-- > 0;)
		host_pci_write32(f->bus, f->dev, f->fn, saved_regs[i],
				 saved_regs[i] == PCI_COMMAND_STATUS ? saved[i] & 0xffffU : saved[i]);
	for (unsigned i = 0; i < sizeof(saved_regs); i++) {
		u32 mask = saved_regs[i] == PCI_COMMAND_STATUS ? 0xffffU : ~0U;

		if ((host_pci_read32(f->bus, f->dev, f->fn, saved_regs[i]) & mask) != (saved[i] & mask))
			return PASSTHROUGH_RESET_LOST_HEADER;
	}
	return flr ? PASSTHROUGH_RESET_FLR : PASSTHROUGH_RESET_PM;
}

const char *passthrough_reset_how(enum passthrough_reset r)
{
	static const char *const how[] = {
		[PASSTHROUGH_RESET_NONE] = "not reset (no FLR, no PM reset)",
		[PASSTHROUGH_RESET_FLR] = "reset by FLR (BARs and command read back as before)",
		[PASSTHROUGH_RESET_PM] = "reset by D3hot->D0 (BARs and command read back as before)",
		[PASSTHROUGH_RESET_LOST_HEADER] = "reset, but its BARs or command did not read back",
	};

	return (unsigned)r < ARRAY_SIZE(how) ? how[r] : "?";
}
