/* Internal to hv/dev/pci/ (and its unit tests): the state of an emulated
 * PCI function (pci_func.h) and the calls between the host bridge
 * (pci_host.c), the type 0 header (pci_func.c), the BAR windows
 * (pci_window.c), MSI-X (pci_msix.c) and MSI (pci_msi.c). Device models use pci_func.h. */
#ifndef BULKHEAD_PCI_FUNC_PRIV_H
#define BULKHEAD_PCI_FUNC_PRIV_H

#include <bulkhead/pci.h>
#include <bulkhead/pci_func.h>
#include <bulkhead/spinlock.h>

struct pci_host;

/* Command register bits, PCI 3.0 6.2.2 */
#define PCI_CMD_IO          (1U << 0)
#define PCI_CMD_MEM         (1U << 1)
#define PCI_CMD_MASTER      (1U << 2)
#define PCI_CMD_PARITY      (1U << 6)
#define PCI_CMD_SERR        (1U << 8)
#define PCI_CMD_INTX_OFF    (1U << 10)
#define PCI_CMD_WRITABLE    (PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_PARITY | \
			     PCI_CMD_SERR | PCI_CMD_INTX_OFF)
/* Status register bits, PCI 3.0 6.2.3 */
#define PCI_STATUS_INTX     (1U << 3)
#define PCI_STATUS_CAPS     (1U << 4)

#define PCI_BAR0            0x10
#define PCI_SUBSYS_VENDOR   0x2c
#define PCI_ROM_BAR         0x30
#define PCI_CAP_PTR         0x34
#define PCI_INT_LINE        0x3c
#define PCI_INT_PIN         0x3d
#define PCI_CAP_START       0x40  /* the first capability goes here */
#define PCI_CAP_ID_MSI      0x05
#define PCI_CAP_ID_MSIX     0x11

/* MSI-X capability, PCI 3.0 6.8.2: Message Control at +2 */
#define MSIX_CTRL_ENABLE    (1U << 15)
#define MSIX_CTRL_FMASK     (1U << 14)
#define MSIX_ENTRY_SIZE     16U
#define MSIX_VEC_MASKED     1U    /* Vector Control bit 0 (6.8.2.9) */

enum pci_bar_part { BAR_PART_NONE, BAR_PART_LOW, BAR_PART_HIGH };

struct pci_bar {
	enum pci_bar_kind kind;   /* of the BAR that starts here */
	enum pci_bar_part part;   /* HIGH: the upper dword of the BAR before */
	u64 size;
	u64 addr;                 /* as the guest programmed it */
	u64 fw_addr;              /* the firmware's placement, back at reset */
	const struct bus_dev_ops *ops;
	void *dev;
	const char *name;
};

struct msix_entry {
	u32 addr_lo, addr_hi, data, ctrl;
};

struct pci_msix {
	u16 nvec;                 /* 0: no MSI-X */
	u8 cap;                   /* capability offset in config space */
	u8 bar;
	u32 table_off, pba_off;
	u16 ctrl;                 /* enable and function mask bits only */
	struct msix_entry *e;     /* nvec entries, in the VM's device arena */
	u64 pending;              /* the PBA: one bit per vector */
	u64 dropped;              /* messages not to 0xFEExxxxx, not sent */
};

struct pci_msi {
	u8 cap;                   /* 0: no MSI */
	u8 log2n;                 /* vectors offered: 1 << log2n */
	u16 ctrl;                 /* enable and Multiple Message Enable bits */
	u32 addr_lo, addr_hi;
	u16 data;
	u32 mask, pending;
};

struct pci_func {
	struct pci_host *host;
	struct dev_host *dh;
	u16 bdf;
	u8 index;                 /* in the host's list: its bit on an INTx line */
	struct pci_func_id id;
	u8 cfg[PCI_CFG_SIZE];     /* identity and capabilities, read-only */
	u16 cap_end;              /* next free offset */
	u8 cap_last;              /* last capability (0: none) */
	u16 command;
	u8 cache_line, int_line;
	bool intx;                /* the device's INTx level, before gating */
	struct pci_bar bar[PCI_FUNC_BARS];
	struct pci_msix msix;
	struct pci_msi msi;
	struct spinlock lock;     /* MSI and MSI-X state: vCPUs and device back ends */
	const struct pci_func_hooks *hooks;
	void *hooks_dev;
};

/* pci_host.c */
struct pci_host *pci_host_of(struct dev_host *host);
/* Registers f's configuration space (ops) at bdf and adds f to the
 * functions the windows decode; false, with nothing kept, when bdf is
 * taken or the bus is full. */
bool __must_check pci_host_add_func(struct pci_host *h, struct pci_func *f, u16 bdf,
				    const struct pci_func_ops *ops, u8 *index);
/* The firmware's placement: the next size-aligned range in the window;
 * false when it is full or the VM has PCI_WINDOW_BARS BARs already. */
bool __must_check pci_host_place(struct pci_host *h, bool io, u64 size, u64 *addr);
/* INTx wires are shared (wired-OR, active low): line gsi is asserted
 * while any function asserts it. */
void pci_host_intx(struct pci_host *h, u32 gsi, u8 index, bool asserted);

/* pci_window.c: the BARs that decode now, per window, and an access at
 * addr in the I/O (io) or memory window to the one that covers it. */
#define PCI_WINDOW_BARS 64  /* BARs of all the VM's functions together */

struct pci_decode {
	u32 base, size;           /* both windows are below 4 GiB */
	u8 func, bar;             /* index in the host's list, BAR index */
	bool io;
};

struct pci_windows {
	struct spinlock lock;
	struct pci_decode d[PCI_WINDOW_BARS];
	u32 n;
};

void pci_windows_rebuild(struct pci_windows *w, struct pci_func *const *funcs, u32 n);
enum bus_result pci_window_access(struct pci_windows *w, struct pci_func *const *funcs, bool io,
				  u64 addr, u32 size, u64 *val, bool write);
/* pci_host.c: a BAR or a command register changed; the windows follow. */
void pci_host_decode_changed(struct pci_host *h);

/* pci_func.c */
void pci_func_reset(struct pci_func *f);
void pci_func_update_intx(struct pci_func *f);

/* pci_msix.c (MSI-X) */
u8 pci_msix_cfg_read(struct pci_func *f, u32 off);      /* off inside the capability */
void pci_msix_cfg_write(struct pci_func *f, u32 off, u8 val);
/* An access at off in BAR bar: true if it hit the table or PBA. */
bool pci_msix_bar_access(struct pci_func *f, u32 bar, u64 off, u32 size, u64 *val, bool write,
			 enum bus_result *res);
void pci_msix_reset(struct pci_func *f);
/* A message as an MSI-X table entry holds it: sent, or dropped and
 * counted when its address or delivery mode is not an interrupt's. */
void pci_msix_send(struct pci_func *f, const struct msix_entry *e);
/* A guest's write of dword field (0 address low, 1 address high, 2 data,
 * 3 vector control) of a table entry (PCI 3.0 6.8.2.6-6.8.2.9): the
 * address is dword aligned, vector control keeps only its mask bit. Shared
 * by emulated functions and passed-through ones (passthrough_msix.c). */
void msix_entry_write(struct msix_entry *e, u32 field, u32 val);
struct apic_msg;
/* The interrupt a message (address, data) raises (SDM vol. 3 10.11.1-2):
 * false when it is not one the VM's APICs accept (address not 0xFEExxxxx,
 * delivery mode not fixed or lowest priority); shared with passthrough. */
bool pci_msix_msg(u32 addr_lo, u32 addr_hi, u32 data, struct apic_msg *msg);

/* pci_msi.c */
u8 pci_msi_cfg_read(struct pci_func *f, u32 off);       /* off inside the capability */
void pci_msi_cfg_write(struct pci_func *f, u32 off, u8 val);
void pci_msi_notify(struct pci_func *f, u16 vector);
void pci_msi_reset(struct pci_func *f);

#endif
