/* Checks the nested page tables of all VMs against their RAM (see .c). */
#ifndef BULKHEAD_ISOLATION_H
#define BULKHEAD_ISOLATION_H

void isolation_check_all(void);

#endif
