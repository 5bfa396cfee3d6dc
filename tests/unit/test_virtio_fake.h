/* A fake PCI function (pci_func.h) and guest RAM for the virtio unit tests,
 * with the driver's side of the transport: register access through the
 * BARs, descriptors and the available ring of queue q at DESC(q),
 * AVAIL(q), USED(q), and the initialisation of 3.1.1. Include once, after
 * fake_vm.h. */
#ifndef TEST_VIRTIO_FAKE_H
#define TEST_VIRTIO_FAKE_H

#include <bulkhead/pci.h>
#include <bulkhead/pci_func.h>
#include <bulkhead/virtio.h>
#include <bulkhead/vm_device.h>
#include "../lib/vm_devices_elf.h"

/* The VM_DEVICE entry called name in this test program (needs
 * tests/lib/vm_devices_elf.c in the .deps). */
static __unused const struct vm_device *find_vm_device(const char *name)
{
	const struct vm_device *all[64];
	unsigned n = vm_devices_from_elf(all, 64);

	for (unsigned i = 0; i < n; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	fail_msg("no VM_DEVICE %s", name);
	return NULL;
}

/* ---- a fake PCI function ---- */
struct pci_func {
	const struct bus_dev_ops *bar_ops[PCI_FUNC_BARS];
	void *bar_dev[PCI_FUNC_BARS];
	enum pci_bar_kind bar_kind[PCI_FUNC_BARS];
	u64 bar_size[PCI_FUNC_BARS];
	u8 cfg[256];
	u8 cap_at;
	const struct pci_func_hooks *hooks;
	void *hdev;
	u16 nvec, msix_bar;
	u32 table_off;
	bool msix_on, bus_master, intx;
	unsigned msix_count;
	u16 last_vec;
	struct pci_func_id id;
};

static struct pci_func fn;

struct pci_func *pci_func_create(struct dev_host *h, u16 bdf, const struct pci_func_id *id,
				 const char **err)
{
	(void)h; (void)bdf; (void)err;
	memset(&fn, 0, sizeof(fn));
	fn.id = *id;
	fn.cap_at = 0x40;
	fn.bus_master = true;
	return &fn;
}

bool pci_func_add_bar(struct pci_func *f, u32 idx, enum pci_bar_kind kind, u64 size,
		      const struct bus_dev_ops *ops, void *dev, const char *name)
{
	(void)name;
	f->bar_ops[idx] = ops;
	f->bar_dev[idx] = dev;
	f->bar_kind[idx] = kind;
	f->bar_size[idx] = size;
	return true;
}

u8 pci_func_add_cap(struct pci_func *f, u8 cap_id, const void *body, u32 body_len)
{
	u8 at = f->cap_at;
	f->cfg[at] = cap_id;
	memcpy(&f->cfg[at + 2], body, body_len);
	f->cap_at = (u8)(at + ALIGN_UP(body_len + 2, 4U));
	return at;
}

bool pci_func_add_msix(struct pci_func *f, u16 nvec, u32 bar, u32 table_off, u32 pba_off)
{
	(void)pba_off;
	f->nvec = nvec;
	f->msix_bar = (u16)bar;
	f->table_off = table_off;
	return true;
}

void pci_func_msix_notify(struct pci_func *f, u16 vector)
{
	f->msix_count++;
	f->last_vec = vector;
}

bool pci_func_msix_enabled(const struct pci_func *f) { return f->msix_on; }
void pci_func_intx(struct pci_func *f, bool asserted) { f->intx = asserted; }
bool pci_func_bus_master(const struct pci_func *f) { return f->bus_master; }

void pci_func_set_hooks(struct pci_func *f, const struct pci_func_hooks *hooks, void *dev)
{
	f->hooks = hooks;
	f->hdev = dev;
}

/* ---- guest RAM ---- */
#define RAM_BYTES 0x40000U
static u8 ram[RAM_BYTES];

enum gm_result vm_read(struct vm *m, u64 gpa, void *dst, u64 len)
{
	(void)m;
	if (gpa + len < gpa || gpa + len > RAM_BYTES)
		return GM_HOLE;
	memcpy(dst, &ram[gpa], len);
	return GM_OK;
}

enum gm_result vm_write(struct vm *m, u64 gpa, const void *src, u64 len)
{
	(void)m;
	if (gpa + len < gpa || gpa + len > RAM_BYTES)
		return GM_HOLE;
	memcpy(&ram[gpa], src, len);
	return GM_OK;
}

/* ---- register access ---- */
static u64 rd(u64 off, u32 size)
{
	u64 v;
	assert_int_equal(fn.bar_ops[1]->read(fn.bar_dev[1], off, size, &v), BUS_OK);
	return v;
}

static void wr(u64 off, u32 size, u64 v)
{
	assert_int_equal(fn.bar_ops[1]->write(fn.bar_dev[1], off, size, v), BUS_OK);
}

static void kick(u16 q)
{
	assert_int_equal(fn.bar_ops[0]->write(fn.bar_dev[0], 0, 2, q), BUS_OK);
}

/* queue q's rings; buffers from BUF */
#define DESCQ(q)  (0x1000U + 0x4000U * (q))
#define AVAILQ(q) (0x2000U + 0x4000U * (q))
#define USEDQ(q)  (0x3000U + 0x4000U * (q))
#define DESC  DESCQ(0)
#define AVAIL AVAILQ(0)
#define USED  USEDQ(0)
#define BUF   0x10000U

static void put16(u64 a, u16 v) { memcpy(&ram[a], &v, 2); }
static u16 get16(u64 a) { u16 v; memcpy(&v, &ram[a], 2); return v; }
static __unused u32 get32u(u64 a) { u32 v; memcpy(&v, &ram[a], 4); return v; }

static __unused void descq(u16 q, u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	memcpy(&ram[DESCQ(q) + 16U * i], &addr, 8);
	memcpy(&ram[DESCQ(q) + 16U * i + 8], &len, 4);
	put16(DESCQ(q) + 16U * i + 12, flags);
	put16(DESCQ(q) + 16U * i + 14, next);
}

/* Posts head at queue q's next avail slot (queues of 16 entries or less). */
static __unused void postq(u16 q, u16 head, u16 qsize)
{
	u16 idx = get16(AVAILQ(q) + 2);
	put16(AVAILQ(q) + 4 + 2U * (idx % qsize), head);
	put16(AVAILQ(q) + 2, (u16)(idx + 1));
}

static __unused void desc(u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	descq(0, i, addr, len, flags, next);
}

static __unused void post(u16 head)
{
	postq(0, head, 16);
}

/* The driver's initialisation (3.1.1) with queues 0..nq-1 and the given
 * features. */
static void bring_up_queues(u64 features, u16 nq)
{
	wr(0x14, 1, 1);
	wr(0x14, 1, 1 | 2);
	wr(0x08, 4, 0);
	wr(0x0c, 4, (u32)features);
	wr(0x08, 4, 1);
	wr(0x0c, 4, (u32)(features >> 32));
	wr(0x14, 1, 1 | 2 | 8);
	assert_int_equal(rd(0x14, 1) & 8, 8);
	for (u16 q = 0; q < nq; q++) {
		wr(0x16, 2, q);
		wr(0x20, 4, DESCQ(q));
		wr(0x24, 4, 0);
		wr(0x28, 8, AVAILQ(q));
		wr(0x30, 4, USEDQ(q));
		wr(0x34, 4, 0);
		wr(0x1c, 2, 1);
	}
	wr(0x14, 1, 1 | 2 | 8 | 4);
}

static __unused void bring_up(u64 features)
{
	bring_up_queues(features, 1);
}

#define V1 (1ULL << VIRTIO_F_VERSION_1)


#endif
