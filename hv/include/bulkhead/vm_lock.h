/* A locked VM (the managed VM of a revoked device, docs/fleet.md): its
 * vCPUs are not scheduled (paused: its memory and devices stay as they
 * are, nothing is lost) and the hypervisor console does not start or
 * restart it. The lock is kept by slot, outside struct vm, so it outlives
 * a stop and a rebuild, until the hypervisor boots again; there is no
 * unlock. */
#ifndef BULKHEAD_VM_LOCK_H
#define BULKHEAD_VM_LOCK_H

#include <bulkhead/types.h>

struct vm;

#define VM_LOCK_WHY_MAX 32

/* Locks vm for why (logged "vm NAME: locked (why)" the first time); its
 * vCPUs on other CPUs leave the guest. Idempotent: false if it was
 * locked already. */
bool vm_lock(struct vm *vm, const char *why);
bool vm_locked(const struct vm *vm);
/* Why it is locked; "" if it is not. */
const char *vm_lock_why(const struct vm *vm);

#endif
