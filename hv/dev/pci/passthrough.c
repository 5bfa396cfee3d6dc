/* PCI passthrough, the DMA side (passthrough.h, docs/architecture.md
 * "Passthrough"): when a VM with passthrough functions is built, each is
 * resolved against the functions the boot-time walk found (host_pci.h)
 * and refused if it is missing, given to another running VM, a bridge
 * (the host bridge among them), a display controller or the IOMMU itself,
 * or if there is no IOMMU. The VM then gets an IOMMU domain that maps
 * exactly its RAM, each 2 MiB block at the same guest-physical address and
 * host page as in its nested page table, and its functions are attached
 * to it; when the VM stops they are blocked again and the domain freed.
 *
 * All of the VM's RAM is faulted in (cleared and mapped in the nested
 * page table) first: a device may DMA into any of it before the guest has
 * touched it, and demand-zero clearing after such a DMA would lose it. */
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/iommu.h>
#include <bulkhead/passthrough.h>
#include <bulkhead/passthrough_reset.h>
#include <bulkhead/vm.h>
#include <bulkhead/vm_device.h>
#include <bulkhead/x86/host_pci.h>

/* Class codes, PCI Code and ID Assignment Specification 1.11, 1.4 and
 * 1.9: display controllers, bridges, and the IOMMU (base 08, sub 06). */
#define CLASS_BASE(c)    ((c) >> 16)
#define CLASS_SUB(c)     ((c) >> 8 & 0xffU)
#define CLASS_DISPLAY    0x03U
#define CLASS_BRIDGE     0x06U
#define CLASS_SYSTEM     0x08U
#define SUBCLASS_IOMMU   0x06U

struct pt_vm {
	struct iommu_domain *domain;
	const struct host_pci_fn *fns[VM_MAX_PASSTHROUGH];
	unsigned nr_fns, nr_attached;
};

static struct pt_vm pt_vms[VM_MAX];
static char msg[192];

/* "FILE:LINE:COL: what" in msg, for "vm NAME: not started: ..." */
static const char *refuse(const struct vm_passthrough *pt, const char *what, const char *name,
			  const char *vm)
{
	fmt_snprintf(msg, sizeof(msg), "%s:%u:%u: %s %s to %s", pt->file ? pt->file : "?",
		     pt->line, pt->col, what, name, vm);
	return msg;
}

static const struct host_pci_fn *resolve(const struct vm_passthrough *pt)
{
	if (pt->by_id)
		return host_pci_lookup(pt->vendor, pt->device);
	for (unsigned i = 0; i < host_pci_nr_fns; i++) {
		const struct host_pci_fn *f = &host_pci_fns[i];

		if (f->bus == pt->bus && f->dev == pt->dev && f->fn == pt->fn)
			return f;
	}
	return NULL;
}

/* What the class forbids passing, or NULL. */
static const char *forbidden(const struct host_pci_fn *f)
{
	if (CLASS_BASE(f->class) == CLASS_BRIDGE)
		return CLASS_SUB(f->class) == 0 ? "a host bridge" : "a bridge";
	if (CLASS_BASE(f->class) == CLASS_DISPLAY)
		return "the display";
	if (CLASS_BASE(f->class) == CLASS_SYSTEM && CLASS_SUB(f->class) == SUBCLASS_IOMMU)
		return "the IOMMU itself";
	return NULL;
}

/* The running VM (other than self) that holds f, or NULL. */
static const struct vm *owner(const struct host_pci_fn *f, const struct vm *self)
{
	for (unsigned v = 0; v < VM_MAX; v++) {
		if (&vms[v] == self || !pt_vms[v].domain)
			continue;
		for (unsigned i = 0; i < pt_vms[v].nr_fns; i++)
			if (pt_vms[v].fns[i] == f)
				return &vms[v];
	}
	return NULL;
}

/* Resolves and checks every function of cfg into p->fns. */
static bool claim(struct vm *vm, const struct vm_config *cfg, struct pt_vm *p, const char **err)
{
	for (unsigned i = 0; i < cfg->nr_passthrough; i++) {
		const struct vm_passthrough *pt = &cfg->passthrough[i];
		const struct host_pci_fn *f = resolve(pt);
		const struct vm *o;
		const char *why, *what;
		char name[16], what_buf[64];

		passthrough_spec_name(pt, name, sizeof(name));
		if (iommu_passthrough_allowed(&why) != IOMMU_OK) {
			*err = refuse(pt, "no IOMMU: refusing to pass", name, vm->name);
			return false;
		}
		if (!f) {
			*err = refuse(pt, "no such PCI function: cannot pass", name, vm->name);
			return false;
		}
		if ((what = forbidden(f)) != NULL) {
			fmt_snprintf(what_buf, sizeof(what_buf), "%s: refusing to pass", what);
			*err = refuse(pt, what_buf, name, vm->name);
			return false;
		}
		if ((o = owner(f, vm)) != NULL) {
			fmt_snprintf(what_buf, sizeof(what_buf), "in use by VM '%s': cannot pass",
				     o->name);
			*err = refuse(pt, what_buf, name, vm->name);
			return false;
		}
		for (unsigned k = 0; k < p->nr_fns; k++)
			if (p->fns[k] == f) {
				*err = refuse(pt, "named twice: cannot pass", name, vm->name);
				return false;
			}
		p->fns[p->nr_fns++] = f;
	}
	return true;
}

/* Every RAM block in the nested page table and in the domain. */
static bool map_ram(struct vm *vm, struct pt_vm *p, const char **err)
{
	const struct guest_mem *gm = &vm->mem;

	for (u64 gpa = 0; gpa < gm->size; gpa += GUEST_MEM_BLOCK)
		if (!guest_mem_mapped(gm, gpa) && !vm_fault_in_ram(vm, gpa)) {
			*err = "passthrough: out of memory for its nested page table";
			return false;
		}
	for (unsigned i = 0; i < gm->n; i++) {
		const struct guest_chunk *c = &gm->c[i];

		if (iommu_map(p->domain, c->gpa, c->hpa, c->size, IOMMU_READ | IOMMU_WRITE) !=
		    IOMMU_OK) {
			*err = "passthrough: cannot map its RAM in its IOMMU domain";
			return false;
		}
	}
	return true;
}

/* Walks the domain as the IOMMU would: each RAM block reaches its own host
 * block with read and write, the first address past the RAM nothing. */
static bool domain_matches_ram(const struct vm *vm, const struct pt_vm *p)
{
	const struct guest_mem *gm = &vm->mem;
	u64 pa, want, size;
	unsigned access;

	for (u64 gpa = 0; gpa < gm->size; gpa += GUEST_MEM_BLOCK)
		if (!guest_mem_hpa(gm, gpa, &want) ||
		    !io_pt_translate(&p->domain->pt, gpa, &pa, &access, &size) || pa != want ||
		    access != (IOMMU_READ | IOMMU_WRITE))
			return false;
	return !io_pt_translate(&p->domain->pt, gm->size, &pa, &access, &size);
}

static void release(struct pt_vm *p)
{
	while (p->nr_attached) {
		const struct host_pci_fn *f = p->fns[--p->nr_attached];

		if (iommu_detach(host_pci_bdf(f)) != IOMMU_OK)
			printf("passthrough: %02x:%02x.%u: the IOMMU did not confirm its detach\n",
			       f->bus, f->dev, f->fn);
	}
	if (p->domain && !iommu_domain_destroy(p->domain))
		printf("passthrough: domain %u still has devices; not freed\n", p->domain->id);
	*p = (struct pt_vm){ 0 };
}

unsigned passthrough_vm_fns(const struct vm *vm, const struct host_pci_fn **fns)
{
	const struct pt_vm *p = &pt_vms[vm->id];

	for (unsigned i = 0; i < p->nr_attached; i++)
		fns[i] = p->fns[i];
	return p->nr_attached;
}

static bool passthrough_create(struct dev_host *h, const struct vm_config *cfg, const char **err)
{
	struct vm *vm = vm_of_dev(h);
	struct pt_vm *p = &pt_vms[vm->id];

	*p = (struct pt_vm){ 0 };
	if (!cfg->nr_passthrough)
		return true;
	if (!claim(vm, cfg, p, err))
		goto fail;
	if (!(p->domain = iommu_domain_create())) {
		*err = "passthrough: no free IOMMU domain";
		goto fail;
	}
	if (!map_ram(vm, p, err))
		goto fail;
	if (!domain_matches_ram(vm, p)) {
		*err = "passthrough: its IOMMU domain does not map exactly its RAM";
		goto fail;
	}
	for (unsigned i = 0; i < p->nr_fns; i++) {
		const struct host_pci_fn *f = p->fns[i];

		if (iommu_attach(p->domain, host_pci_bdf(f)) != IOMMU_OK) {
			*err = "passthrough: the IOMMU refused to attach a function";
			goto fail;
		}
		p->nr_attached++;
		printf("vm %s: passthrough %02x:%02x.%u %04x:%04x class %06x, DMA confined to its "
		       "%lu MiB in IOMMU domain %u (walked: each block as in its nested page table, nothing "
		       "past its end)\n", vm->name, f->bus, f->dev, f->fn, f->vendor,
		       f->device, f->class, vm->mem.size >> 20, p->domain->id);
	}
	return true;
fail:
	release(p);
	return false;
}

/* Each function is reset while still attached (its DMA can reach only
 * this VM's RAM, given back after the devices), then blocked. */
static void passthrough_destroy(struct dev_host *h)
{
	struct vm *vm = vm_of_dev(h);
	struct pt_vm *p = &pt_vms[vm->id];

	const struct host_pci_fn *fns[VM_MAX_PASSTHROUGH];
	enum passthrough_reset done[VM_MAX_PASSTHROUGH];
	unsigned n = p->nr_fns;

	if (!p->domain)
		return;
	for (unsigned i = 0; i < n; i++) {
		fns[i] = p->fns[i];
		done[i] = passthrough_reset_fn(fns[i]);
	}
	release(p);
	for (unsigned i = 0; i < n; i++)
		printf("vm %s: passthrough %02x:%02x.%u %s, DMA-blocked again\n", vm->name,
		       fns[i]->bus, fns[i]->dev, fns[i]->fn, passthrough_reset_how(done[i]));
}

VM_DEVICE_DESTROY(12, passthrough, passthrough_create, passthrough_destroy);
