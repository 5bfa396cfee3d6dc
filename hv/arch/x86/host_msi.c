/* The pool of host vectors for passed-through devices' MSI-X (host_msi.h).
 * Message format, SDM vol. 3 10.11.1 (address: FEEh in 31:20, destination
 * APIC ID in 19:12, RH = DM = 0: physical) and 10.11.2 (data: vector in
 * 7:0, delivery mode 000 fixed, trigger mode 0 edge). Every vector of the
 * pool is registered once; a free one only acknowledges. */
#include <bulkhead/console.h>
#include <bulkhead/percpu.h>
#include <bulkhead/spinlock.h>
#include <bulkhead/x86/host_msi.h>
#include <bulkhead/x86/trap.h>

#define LAPIC_BASE    0xfee00000UL
#define LAPIC_EOI     0xb0
#define MSI_ADDR_BASE 0xfee00000U

static struct {
	host_msi_fn fn;
	void *ctx;
	u32 tag;
	bool usable; /* registered with the trap table */
} pool[HOST_MSI_VECTORS];
static struct spinlock pool_lock;
static bool registered;

static void fired(u8 vector, void *unused)
{
	u32 i = (u32)vector - HOST_MSI_VECTOR_FIRST;
	host_msi_fn fn = NULL;
	void *ctx = NULL;
	u32 tag = 0;

	(void)unused;
	if (i < HOST_MSI_VECTORS) {
		spin_lock(&pool_lock);
		fn = pool[i].fn;
		ctx = pool[i].ctx;
		tag = pool[i].tag;
		spin_unlock(&pool_lock);
	}
	if (fn)
		fn(ctx, tag);
	*(volatile u32 *)(LAPIC_BASE + LAPIC_EOI) = 0;
}

/* @pre pool_lock held */
static void register_pool(void)
{
	if (registered)
		return;
	registered = true;
	for (u32 i = 0; i < HOST_MSI_VECTORS; i++) {
		pool[i].usable = irq_register((u8)(HOST_MSI_VECTOR_FIRST + i), fired, NULL);
		if (!pool[i].usable)
			printf("host msi: vector %#x already taken; left out of the pool\n",
			       HOST_MSI_VECTOR_FIRST + i);
	}
}

bool host_msi_alloc(host_msi_fn fn, void *ctx, u32 tag, u8 *vector, u32 *addr, u32 *data)
{
	bool ok = false;

	spin_lock(&pool_lock);
	register_pool();
	for (u32 i = 0; i < HOST_MSI_VECTORS && fn; i++) {
		if (!pool[i].usable || pool[i].fn)
			continue;
		pool[i].fn = fn;
		pool[i].ctx = ctx;
		pool[i].tag = tag;
		*vector = (u8)(HOST_MSI_VECTOR_FIRST + i);
		*addr = MSI_ADDR_BASE | (cpus[0].apic_id & 0xffU) << 12;
		*data = *vector; /* fixed, edge */
		ok = true;
		break;
	}
	spin_unlock(&pool_lock);
	return ok;
}

void host_msi_free(u8 vector)
{
	u32 i = (u32)vector - HOST_MSI_VECTOR_FIRST;

	if (i >= HOST_MSI_VECTORS)
		return;
	spin_lock(&pool_lock);
	pool[i].fn = NULL;
	pool[i].ctx = NULL;
	spin_unlock(&pool_lock);
}
