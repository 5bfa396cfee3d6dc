/* virtio-gpu's resource memory (virtio_gpu.h): whole pages from the
 * hypervisor's allocator, taken once when the VM is created. */
#include <bulkhead/mm.h>
#include <bulkhead/virtio_gpu.h>

void *gpu_budget_alloc(struct dev_host *h, u64 n)
{
	u64 pa = mm_alloc_pages(ALIGN_UP(n, PAGE_SIZE) >> PAGE_SHIFT);

	(void)h;
	return pa ? phys_to_virt(pa) : NULL;
}
