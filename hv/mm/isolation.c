/* Proof, on the live tables, of the isolation promise: every nested-page
 * mapping of a VM points at that VM's own RAM at the matching offset, and
 * never at another VM's RAM or at the hypervisor's image; and the tables
 * map exactly the RAM blocks guest_mem handed out (RAM is mapped on first
 * touch, see guest_mem.h). A passed-through function's BARs, mapped while
 * its guest decodes them, are the only other mappings allowed: host MMIO
 * of that VM's own device (passthrough_mmio_own), and the service ring's
 * pages at the service VM's ring BAR (svc_ring_mapping_own). Run after all VMs are built, for each VM when it
 * stops (before its RAM goes back to the pool), and at the end of the run
 * for the VMs that still hold RAM; a failure is a hypervisor bug. */
#include <bulkhead/console.h>
#include <bulkhead/hv.h>
#include <bulkhead/isolation.h>
#include <bulkhead/passthrough.h>
#include <bulkhead/svc.h>
#include <bulkhead/vm.h>
#include <bulkhead/vmm.h>

extern const u8 __image_start[], __image_end[];

struct check {
	struct vm *vm;
	u64 mapped;
	const char *why;
	u64 where;
};

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

static bool check_leaf(void *ctx, u64 gpa, u64 hpa, u64 size, u64 flags)
{
	struct check *c = ctx;
	u64 own;
	bool mmio;

	(void)flags;
	c->where = gpa;
	/* its own device's BAR: MMIO or shared pages, not RAM, and not
	 * counted as RAM */
	mmio = passthrough_mmio_own(c->vm, gpa, hpa, size) ||
	       svc_ring_mapping_own(c->vm, gpa, hpa, size);
	if (!mmio && (!guest_mem_hpa(&c->vm->mem, gpa, &own) || own != hpa ||
	    !guest_mem_hpa(&c->vm->mem, gpa + size - 1, &own) || own != hpa + size - 1)) {
		c->why = "maps memory that is not its own RAM";
		return false;
	}
	if (overlaps(hpa, size, (u64)(uintptr_t)__image_start,
		     (u64)(uintptr_t)(__image_end - __image_start))) {
		c->why = "maps the hypervisor image";
		return false;
	}
	for (unsigned i = 0; i < nr_vms; i++) {
		const struct guest_mem *o = &vms[i].mem;
		if (&vms[i] == c->vm)
			continue;
		for (unsigned k = 0; k < o->n; k++) {
			if (overlaps(hpa, size, o->c[k].hpa, o->c[k].size)) {
				c->why = "maps another VM's RAM";
				return false;
			}
		}
	}
	c->mapped += mmio ? 0 : size;
	return true;
}

static u64 check_vm(struct vm *vm)
{
	struct check c = { vm, 0, NULL, 0 };
	u64 handed_out = guest_mem_mapped_bytes(&vm->mem);

	if (vm->released)
		return 0; /* nothing mapped, nothing held */
	if (!vmm->vm_for_each_mapping(vm, check_leaf, &c))
		hv_panic("isolation: vm %s %s at gpa %#lx", vm->name, c.why, c.where);
	if (c.mapped != handed_out)
		hv_panic("isolation: vm %s maps %lu bytes, was given %lu", vm->name, c.mapped,
			 handed_out);
	return c.mapped;
}

void isolation_check_all(const char *when)
{
	u64 mapped = 0;
	unsigned held = 0;

	for (unsigned i = 0; i < nr_vms; i++) {
		mapped += check_vm(&vms[i]);
		held += !vms[i].released;
	}
	printf("isolation: %u VM(s): nested tables map only each VM's own RAM (%s, %lu MiB mapped)\n",
	       held, when, mapped >> 20);
}

void isolation_check_vm(struct vm *vm, const char *when)
{
	u64 mapped = check_vm(vm);

	printf("isolation: vm %s: nested tables map only its own RAM (%s, %lu MiB mapped)\n",
	       vm->name, when, mapped >> 20);
}
