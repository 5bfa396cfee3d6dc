/* Checks the nested page tables of all VMs against their RAM (see .c). */
#ifndef BULKHEAD_ISOLATION_H
#define BULKHEAD_ISOLATION_H

/* when: printed with the result, e.g. "at start". */
void isolation_check_all(const char *when);
struct vm;
/* The same for one VM. */
void isolation_check_vm(struct vm *vm, const char *when);

#endif
