/* The "bulkhead service ring" PCI function of the service VM (the VM with
 * role service), at 00:PC_PCI_SLOT_SVC_RING.0; the register and ring
 * layout is public/svc_ring.h. The ring's memory is 1 MiB of hypervisor
 * pages taken once, seen by the service VM only through BAR 2. The first
 * access to BAR 2 traps and maps those pages, and only those, into the
 * service VM's nested page table at the BAR's address (vm_map_shared), so
 * the daemon's loads and stores no longer exit; a configuration write
 * that may move the BAR or turn memory decoding off (command, BAR 2/3), a
 * reset and the VM's end unmap them again, and the next access maps them
 * where the BAR is then. Where the backend cannot map (VMX) every access
 * traps and is served from the pages. The hypervisor reads what the daemon
 * writes there once per value (svc_ring.c), as it may change at any time.
 * No other VM's page is ever reachable from BAR 2. A new ring (a new id
 * generation) is laid out whenever the service VM is built or reset (PCI RST#); requests outstanding then fail
 * (svc_ring_abort), and so do they when the service VM is torn down.
 *
 * Version 3 adds the frame rings of the switch's uplink port
 * (svc_uplink.c), polled when the daemon rings the doorbell.
 *
 * Version 2 adds the control channel in BAR 0 (svc_ctl.h): a command word
 * that locks the VMs of role work (vm_lock.h), and a status area of every
 * VM, snapshot when its first dword is read. A refused command is counted
 * and logged the first time only, so a hostile daemon cannot flood the
 * log. */
#include <bulkhead/console.h>
#include <bulkhead/dev.h>
#include <bulkhead/mm.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/pci_func.h>
#include <bulkhead/string.h>
#include <bulkhead/hv.h>
#include <bulkhead/version.h> /* generated: hv/hv.mk */
#include <bulkhead/svc.h>
#include <bulkhead/svc_ctl.h>
#include <bulkhead/svc_uplink.h>
#include <bulkhead/vm.h>
#include <bulkhead/vm_lock.h>
#include <bulkhead/vmm.h>
#include <bulkhead/x86/cpu.h>

struct svc_dev {
	struct pci_func *f;
	struct dev_host *h;
	struct vm *vm;
	bool mapped;        /* BAR 2's pages are in the nested page table */
	bool map_failed;    /* said once: BAR 2 stays trapped */
	u64 mapped_gpa;
};

static struct svc_ring ring;
static u8 *ring_mem;        /* SVC_RING_BYTES, taken at the first creation */
static u64 ring_pa;
static struct svc_dev *live; /* the service VM's function, while it exists */
static u32 ring_gen;
/* The disks served through the ring, by the index requests carry: kept
 * across new rings, so a restarted daemon sees the same table. state is
 * the first final state the daemon gave it on the current ring (PENDING
 * until then, and again on a new ring). */
static struct { char name[SVC_DISK_NAME]; u64 sectors; u32 state; } disks[SVC_MAX_DISKS];
static u32 nr_disks;
/* The control channel: kept across service VM restarts. */
static struct svc_hv_status status;
static u32 status_seq, ctl_result, ctl_refused;

static u32 role_of(const struct vm *vm)
{
	switch (vm->cfg ? vm->cfg->role : VM_ROLE_WORK) {
	case VM_ROLE_PERSONAL:
		return SVC_ROLE_PERSONAL;
	case VM_ROLE_DISPOSABLE:
		return SVC_ROLE_DISPOSABLE;
	case VM_ROLE_SERVICE:
		return SVC_ROLE_SERVICE;
	default:
		return SVC_ROLE_WORK;
	}
}

static u32 state_of(const struct vm *vm)
{
	switch (vm->state) {
	case VM_EXITED:
		return SVC_VM_EXITED;
	case VM_STOPPED:
		return SVC_VM_STOPPED;
	case VM_OFF:
		return SVC_VM_OFF;
	default:
		return SVC_VM_RUNNING;
	}
}

/* A fresh snapshot of every VM in the status area. uptime as the console's
 * list says it: from the guest's TSC, which starts near 0 at its boot. */
static void status_refresh(void)
{
	struct svc_ctl_vm v[SVC_STATUS_VMS];
	u64 now = rdtsc(), hz = tsc_hz ? tsc_hz : 1;
	u32 n = nr_vms < SVC_STATUS_VMS ? nr_vms : SVC_STATUS_VMS;

	for (u32 i = 0; i < n; i++) {
		const struct vm *vm = &vms[i];

		v[i] = (struct svc_ctl_vm){
			.name = vm->name, .role = role_of(vm), .state = state_of(vm),
			.locked = vm_locked(vm),
			.uptime_s = vm->state == VM_RUNNING && vm->nr_vcpus ?
				(now + vm->vcpu[0].tsc_offset) / hz : 0,
		};
	}
	svc_ctl_fill(&status, ++status_seq, BULKHEAD_VERSION, v, n, ctl_refused);
}

/* A command word from the daemon (hostile): carried out, or refused. */
static void ctl_command(struct svc_dev *s, u32 word)
{
	u32 cmd = 0, reason = 0;

	ctl_result = svc_ctl_decode(word, &cmd, &reason);
	if (ctl_result != SVC_CTL_OK) {
		if (ctl_refused++ == 0)
			printf("[%s] service ring: control command %#x refused (%s); further "
			       "refusals are only counted\n", s->h->name, word,
			       ctl_result == SVC_CTL_BAD_CMD ? "unknown command" :
			       ctl_result == SVC_CTL_BAD_REASON ? "unknown reason" : "reserved bits set");
		return;
	}
	/* cmd is SVC_CTL_LOCK: every VM of role work */
	for (u32 i = 0; i < nr_vms; i++)
		if (vms[i].cfg && vms[i].cfg->role == VM_ROLE_WORK)
			vm_lock(&vms[i], svc_ctl_reason_name(reason));
}

int svc_disk_register(const char *name, u64 sectors)
{
	size_t n = strnlen(name, SVC_DISK_NAME);
	u32 i;

	if (n == 0 || n == SVC_DISK_NAME)
		return -1;
	for (i = 0; i < nr_disks; i++)
		if (!strcmp(disks[i].name, name))
			return disks[i].sectors == sectors ? (int)i : -1;
	if (nr_disks == SVC_MAX_DISKS)
		return -1;
	memcpy(disks[i].name, name, n);
	disks[i].sectors = sectors;
	nr_disks++;
	if (live && !svc_ring_add_disk(&ring, name, sectors))
		return -1;
	return (int)i;
}

u32 svc_disk_state(u32 disk)
{
	return disk < nr_disks ? disks[disk].state : SVC_DISK_PENDING;
}

const char *svc_disk_name(u32 disk)
{
	return disk < nr_disks ? disks[disk].name : "?";
}

/* The daemon rang the doorbell: each disk still PENDING on this ring takes
 * the state the daemon wrote, if final, and the VMs waiting for it hear. */
static void disks_poll(const char *vm_name)
{
	for (u32 i = 0; i < nr_disks; i++) {
		u32 st;

		if (disks[i].state != SVC_DISK_PENDING)
			continue;
		st = svc_ring_disk_state(&ring, i);
		if (st == SVC_DISK_PENDING)
			continue;
		disks[i].state = st;
		printf("[%s] service ring: disk %s %s%s\n", vm_name, disks[i].name,
		       st == SVC_DISK_READY ? "" : "not served: ", svc_disk_state_why(st));
		svc_blk_disk_settled(i, st);
	}
}

struct svc_ring *svc_ring_live(void)
{
	return live && !ring.broken ? &ring : NULL;
}

bool svc_service_up(void)
{
	return live != NULL;
}

void svc_ring_kick(void)
{
	if (live)
		pci_func_intx(live->f, true);
}

static void ring_fresh(const char *vm_name)
{
	svc_ring_abort(&ring, "service ring laid out again");
	svc_ring_init(&ring, ring_mem, ++ring_gen);
	for (u32 i = 0; i < nr_disks; i++) {
		disks[i].state = SVC_DISK_PENDING; /* the new daemon looks again */
		if (!svc_ring_add_disk(&ring, disks[i].name, disks[i].sectors))
			break; /* cannot happen: both hold SVC_MAX_DISKS */
	}
	svc_uplink_fresh(ring_mem, vm_name); /* version 3: the frame rings */
}

static enum bus_result regs_read(void *dev, u64 off, u32 size, u64 *val)
{
	(void)dev;
	if (size != 4 || (off & 3))
		return BUS_BAD_ACCESS;
	switch (off) {
	case SVC_REG_MAGIC:
		*val = SVC_MAGIC;
		break;
	case SVC_REG_VERSION:
		*val = SVC_VERSION;
		break;
	case SVC_REG_CTL_RESULT:
		*val = ctl_result;
		break;
	case SVC_REG_CTL_REFUSED:
		*val = ctl_refused;
		break;
	default:
		*val = 0;
		if (off >= SVC_STATUS_OFF && off < SVC_STATUS_OFF + sizeof(status)) {
			u32 w;

			if (off == SVC_STATUS_OFF)
				status_refresh();
			memcpy(&w, (const u8 *)&status + (off - SVC_STATUS_OFF), 4);
			*val = w;
		}
		break;
	}
	return BUS_OK;
}

static enum bus_result regs_write(void *dev, u64 off, u32 size, u64 val)
{
	struct svc_dev *s = dev;

	if (size != 4 || (off & 3))
		return BUS_BAD_ACCESS;
	switch (off) {
	case SVC_REG_DOORBELL:
		svc_uplink_poll(s->h->name); /* frames from the wire (version 3) */
		if (ring.broken)
			break;
		disks_poll(s->h->name); /* version 4 */
		svc_ring_poll(&ring);
		if (ring.broken)
			printf("[%s] service ring broken: %s; its requests failed\n", s->h->name,
			       ring.why);
		break;
	case SVC_REG_ACK:
		pci_func_intx(s->f, false);
		break;
	case SVC_REG_CTL_CMD:
		ctl_command(s, (u32)val);
		break;
	default:
		break;
	}
	return BUS_OK;
}

static void ring_unmap(struct svc_dev *s)
{
	if (!s->mapped)
		return;
	s->mapped = false;
	if (!vmm->vm_unmap_mmio(s->vm, s->mapped_gpa, SVC_RING_BYTES))
		printf("[%s] service ring: unmapping BAR 2 at %#lx incomplete\n", s->h->name,
		       s->mapped_gpa);
}

/* From an access that trapped, so the function decodes memory and BAR 2
 * is where the access went. */
static void ring_map(struct svc_dev *s)
{
	u64 gpa = pci_func_bar_addr(s->f, 2);

	if (s->mapped || s->map_failed || !vmm->vm_map_shared || !pci_func_mem_decoding(s->f))
		return;
	if (!vmm->vm_map_shared(s->vm, gpa, ring_pa, SVC_RING_BYTES)) {
		/* something is mapped there already: stay trapped */
		(void)vmm->vm_unmap_mmio(s->vm, gpa, SVC_RING_BYTES);
		s->map_failed = true;
		printf("[%s] service ring: BAR 2 at %#lx overlaps another mapping: its accesses "
		       "trap\n", s->h->name, gpa);
		return;
	}
	s->mapped = true;
	s->mapped_gpa = gpa;
	printf("[%s] service ring: BAR 2 mapped at %#lx (%u KiB)\n", s->h->name, gpa,
	       SVC_RING_BYTES / 1024U);
}

bool svc_ring_mapping_own(const struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	return live && live->vm == vm && live->mapped && gpa >= live->mapped_gpa &&
	       size <= SVC_RING_BYTES && gpa - live->mapped_gpa <= SVC_RING_BYTES - size &&
	       hpa == ring_pa + (gpa - live->mapped_gpa);
}

/* BAR 2: the ring's memory, any naturally aligned access of 1 to 8 bytes
 * (the daemon's loads and stores, until it is mapped). */
static enum bus_result mem_read(void *dev, u64 off, u32 size, u64 *val)
{
	u64 v = 0;

	ring_map(dev);
	if ((size != 1 && size != 2 && size != 4 && size != 8) || (off & (size - 1U)) ||
	    off >= SVC_RING_BYTES)
		return BUS_BAD_ACCESS;
	memcpy(&v, ring_mem + off, size);
	*val = v;
	return BUS_OK;
}

static enum bus_result mem_write(void *dev, u64 off, u32 size, u64 val)
{
	ring_map(dev);
	if ((size != 1 && size != 2 && size != 4 && size != 8) || (off & (size - 1U)) ||
	    off >= SVC_RING_BYTES)
		return BUS_BAD_ACCESS;
	memcpy(ring_mem + off, &val, size);
	return BUS_OK;
}

static const struct bus_dev_ops regs_ops = { regs_read, regs_write, NULL };
static const struct bus_dev_ops mem_ops = { mem_read, mem_write, NULL };

/* PCI RST# of the service VM: its daemon starts over with a new ring. */
static void svc_dev_reset(void *dev)
{
	struct svc_dev *s = dev;

	ring_unmap(s);
	s->map_failed = false;
	ring_fresh(s->h->name);
}

/* Seen before the header takes the write: one that may turn memory
 * decoding off or move BAR 2 (PCI 3.0 6.2.2, 6.2.5.1) unmaps it first. */
static bool svc_dev_cfg_write(void *dev, u32 off, u32 size, u32 val)
{
	struct svc_dev *s = dev;
	const u32 bar2 = 0x10 + 4 * 2;

	(void)val;
	if ((off < 4 + 2 && off + size > 4) || (off < bar2 + 8 && off + size > bar2)) {
		ring_unmap(s);
		s->map_failed = false;
	}
	return false;
}

static const struct pci_func_hooks hooks = { .cfg_write = svc_dev_cfg_write,
					     .reset = svc_dev_reset };

static bool svc_dev_create(struct dev_host *h, const struct vm_config *cfg, const char **err)
{
	const struct pci_func_id id = {
		.vendor = SVC_PCI_VENDOR, .device = SVC_PCI_DEVICE,
		.subsys_vendor = SVC_PCI_VENDOR, .subsys = SVC_PCI_DEVICE,
		.revision = 1, .class_code = 0xff0000, .int_pin = 1,
	};
	struct svc_dev *s;

	if (cfg->role != VM_ROLE_SERVICE)
		return true;
	if (live) {
		*err = "service ring: a second service VM";
		return false;
	}
	if (!ring_mem) {
		u64 pa = mm_alloc_pages(SVC_RING_BYTES / PAGE_SIZE);

		if (!pa) {
			*err = "service ring: no memory for the ring";
			return false;
		}
		ring_mem = phys_to_virt(pa);
		ring_pa = pa;
	}
	s = dev_alloc(h, sizeof(*s));
	if (!s) {
		*err = "service ring: out of device memory";
		return false;
	}
	s->h = h;
	s->vm = vm_of_dev(h);
	s->f = pci_func_create(h, PCI_BDF(0, PC_PCI_SLOT_SVC_RING, 0), &id, err);
	if (!s->f)
		return false;
	if (!pci_func_add_bar(s->f, 0, PCI_BAR_MEM32, SVC_REGS_BYTES, &regs_ops, s, "svc-ring-regs") ||
	    !pci_func_add_bar(s->f, 2, PCI_BAR_MEM64, SVC_RING_BYTES, &mem_ops, s, "svc-ring-mem")) {
		*err = "service ring: BARs not placed";
		return false;
	}
	pci_func_set_hooks(s->f, &hooks, s);
	ring_fresh(h->name);
	live = s;
	svc_blk_service_changed(h->name);
	printf("[%s] service ring: %u entries of %u KiB\n", h->name, SVC_RING_ENTRIES,
	       SVC_SLOT_BYTES / 1024U);
	return true;
}

/* The service VM is torn down (stopped, crashed, or before it is built
 * again): what it did not answer fails now. */
static void svc_dev_destroy(struct dev_host *h)
{
	if (!live || live->h != h)
		return;
	/* its nested page table, and the ring's pages in it, go with the VM */
	live->mapped = false;
	live = NULL;
	svc_ring_abort(&ring, "service VM stopped");
	svc_uplink_stop(h->name);
	svc_blk_service_changed(h->name);
}

VM_DEVICE_DESTROY(35, svc_ring, svc_dev_create, svc_dev_destroy);
