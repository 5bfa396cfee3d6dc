/* VM locks (vm_lock.h): one flag and reason per VM slot. */
#include <bulkhead/console.h>
#include <bulkhead/format.h>
#include <bulkhead/sched.h>
#include <bulkhead/vm.h>
#include <bulkhead/vm_lock.h>

static struct {
	bool locked;
	char why[VM_LOCK_WHY_MAX];
} locks[VM_MAX];

static u32 slot(const struct vm *vm)
{
	return (u32)(vm - vms);
}

bool vm_lock(struct vm *vm, const char *why)
{
	u32 i = slot(vm);

	if (i >= VM_MAX || locks[i].locked)
		return false;
	locks[i].locked = true;
	fmt_snprintf(locks[i].why, sizeof(locks[i].why), "%s", why);
	printf("vm %s: locked (%s)\n", vm->name, locks[i].why);
	sched_kick_vm(vm); /* its vCPUs on other CPUs leave the guest */
	return true;
}

bool vm_locked(const struct vm *vm)
{
	u32 i = slot(vm);

	return i < VM_MAX && locks[i].locked;
}

const char *vm_lock_why(const struct vm *vm)
{
	u32 i = slot(vm);

	return i < VM_MAX && locks[i].locked ? locks[i].why : "";
}
