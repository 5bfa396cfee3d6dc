/* Host interrupt vectors for passed-through devices' MSI-X and MSI
 * messages (passthrough_msix.c, passthrough_msi.c): a
 * small pool, each vector a message to the boot CPU's local APIC
 * (physical destination, fixed delivery, edge; SDM vol. 3 10.11.1-10.11.2,
 * APM vol. 2 16.7). The handler runs wherever the hypervisor opens IF
 * (the scheduler's windows, with or without hv_lock held): it must only
 * note the interrupt and kick, never touch a VM's state itself. */
#ifndef BULKHEAD_X86_HOST_MSI_H
#define BULKHEAD_X86_HOST_MSI_H

#include <bulkhead/types.h>

#define HOST_MSI_VECTOR_FIRST 0x30
#define HOST_MSI_VECTORS      16

typedef void (*host_msi_fn)(void *ctx, u32 tag);

/* A free vector of the pool for fn(ctx, tag), and the message a device
 * sends to raise it (*addr, *data; the upper address dword is 0). False
 * when the pool is exhausted. */
bool __must_check host_msi_alloc(host_msi_fn fn, void *ctx, u32 tag, u8 *vector, u32 *addr,
				 u32 *data);
/* Gives vector back; an interrupt still in flight on it is only
 * acknowledged. */
void host_msi_free(u8 vector);

#endif
