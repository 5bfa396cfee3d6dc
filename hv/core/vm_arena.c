/* A VM's device arena: the memory its device models are created in,
 * VM_DEV_ARENA bytes inside struct vm, handed out in 16-byte aligned
 * pieces and never freed while the VM exists. Pure, so the device models'
 * unit tests and fuzz targets link this file rather than a copy of it. */
#include <bulkhead/string.h>
#include <bulkhead/vm.h>

void *vm_dev_alloc(struct vm *vm, u64 size)
{
	u64 at = ALIGN_UP(vm->dev_arena_used, 16ULL);
	void *p;

	if (size > VM_DEV_ARENA || at > VM_DEV_ARENA - size)
		return NULL;
	p = &vm->dev_arena[at];
	vm->dev_arena_used = at + size;
	memset(p, 0, size);
	return p;
}
