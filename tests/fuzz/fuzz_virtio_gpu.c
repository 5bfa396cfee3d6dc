/* libFuzzer target: sequences of virtio-gpu commands (hv/dev/virtio/gpu.c)
 * on both queues, with the transport replaced by a one-chain fake. Checks:
 * no access outside the guest RAM or the resource budget (ASan: the budget
 * is allocated to the byte), every response is one of the 5.7.6.7 types
 * and fits the chain's writable part, the scanout the screen is given lies
 * in the budget, and after virtio_fail the device takes no more commands.
 *
 * Input: records of [queue (bit 0), out length (2 bytes), in length (2
 * bytes), command bytes up to the out length]. The command is at CMD in
 * RAM, the response at RESP; RAM holds a pattern for backing pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bulkhead/dev.h>
#include <bulkhead/virtio.h>
#include <bulkhead/virtio_gpu.h>
#include <bulkhead/vm.h>
#include "../lib/vm_devices_elf.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
#define RAM_BYTES 0x20000U
#define CMD  0x1000U
#define RESP 0x8000U

static u8 ram[RAM_BYTES];
static u8 *budget;
static u64 budget_len;
static const struct virtio_dev_ops *ops;
static void *gdev;
static bool failed, have_chain, pushed;
static struct vq_chain chain;
static u32 pushed_len;

static bool f_read(void *ctx, u64 gpa, void *dst, u64 len)
{
	(void)ctx;
	if (gpa + len < gpa || gpa + len > RAM_BYTES)
		return false;
	memcpy(dst, &ram[gpa], len);
	return true;
}

static bool f_write(void *ctx, u64 gpa, const void *src, u64 len)
{
	(void)ctx;
	if (gpa + len < gpa || gpa + len > RAM_BYTES)
		return false;
	memcpy(&ram[gpa], src, len);
	return true;
}

static const struct vq_mem mem = { f_read, f_write, NULL };

/* ---- the transport and the hypervisor, faked ---- */
struct virtio_dev *virtio_pci_create(struct dev_host *h, u16 bdf, const struct virtio_dev_ops *o,
				     void *dev, const char **err)
{
	(void)h; (void)bdf; (void)err;
	ops = o;
	gdev = dev;
	return (struct virtio_dev *)(void *)&ops;
}

bool virtio_pop(struct virtio_dev *vd, u16 q, struct vq_chain *c)
{
	(void)vd; (void)q;
	if (failed || !have_chain)
		return false;
	have_chain = false;
	*c = chain;
	return true;
}

void virtio_push(struct virtio_dev *vd, u16 q, u16 head, u32 written)
{
	(void)vd; (void)q;
	CHECK(head == chain.head && !pushed);
	pushed = true;
	pushed_len = written;
}

const struct vq_mem *virtio_mem(struct virtio_dev *vd)
{
	(void)vd;
	return &mem;
}

void virtio_fail(struct virtio_dev *vd, const char *why)
{
	(void)vd;
	CHECK(why != NULL);
	failed = true;
}

void *dev_alloc(struct dev_host *h, u64 size)
{
	(void)h;
	return calloc(1, size); /* one device per input, freed with the budget */
}

void *gpu_budget_alloc(struct dev_host *h, u64 n)
{
	(void)h;
	budget_len = n;
	return budget = malloc(n); /* not zeroed: the device must clear what it shows */
}

void display_gpu_scanout(struct dev_host *h, const struct gpu_scanout *s)
{
	(void)h;
	if (!s)
		return;
	/* every pixel of the scanout's rectangle is in the budget */
	CHECK(s->r.w && s->r.h && s->r.x + s->r.w <= s->pitch);
	CHECK((const u8 *)s->px >= budget &&
	      (const u8 *)&s->px[(u64)(s->r.y + s->r.h - 1) * s->pitch + s->r.x + s->r.w] <=
		      budget + budget_len);
}

void display_gpu_flush(struct dev_host *h, struct rect r)
{
	(void)h;
	CHECK(r.w && r.h);
}

int printf(const char *fmt, ...)
{
	(void)fmt;
	return 0;
}

static bool resp_ok(u32 t)
{
	return t == GPU_RESP_OK_NODATA || t == GPU_RESP_OK_DISPLAY_INFO ||
	       t == GPU_RESP_ERR_UNSPEC || t == GPU_RESP_ERR_OUT_OF_MEMORY ||
	       t == GPU_RESP_ERR_INVALID_SCANOUT_ID || t == GPU_RESP_ERR_INVALID_RESOURCE_ID ||
	       t == GPU_RESP_ERR_INVALID_PARAMETER;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const struct vm_device *gpu;
	struct vm_config cfg = { .display = true, .fb_width = 64, .fb_height = 48 };
	struct dev_host h = { NULL, "fuzz" };
	const char *err = NULL;
	void *dev_state;

	if (!gpu) {
		const struct vm_device *all[8];
		unsigned n = vm_devices_from_elf(all, 8);

		for (unsigned i = 0; i < n; i++)
			if (!strcmp(all[i]->name, "virtio_gpu"))
				gpu = all[i];
		CHECK(gpu != NULL);
	}
	for (u32 i = 0; i < RAM_BYTES; i += 4)
		memcpy(&ram[i], &i, 4);
	failed = false;
	CHECK(gpu->create(&h, &cfg, &err));
	dev_state = gdev;
	for (u16 head = 0; size >= 5 && !failed; head++) {
		u16 q = data[0] & 1;
		u32 out = (u32)(data[1] | data[2] << 8) % 0x6000U, in = (u32)(data[3] | data[4] << 8) % 0x800U;
		u32 k = (u32)MIN((size_t)out, size - 5);

		memset(&ram[CMD], 0, 0x6000);
		memcpy(&ram[CMD], data + 5, k);
		data += 5 + k;
		size -= 5 + k;
		chain = (struct vq_chain){ .head = head, .out_len = out, .in_len = in };
		if (out)
			chain.seg[chain.nr++] = (struct vq_seg){ CMD, out, false };
		if (in)
			chain.seg[chain.nr++] = (struct vq_seg){ RESP, in, true };
		memset(&ram[RESP], 0xee, 0x800);
		have_chain = true;
		pushed = false;
		ops->queue_notify(dev_state, q);
		CHECK(!have_chain);
		CHECK(pushed != failed);
		if (pushed && pushed_len) {
			u32 t;

			CHECK(pushed_len <= in);
			memcpy(&t, &ram[RESP], 4);
			CHECK(resp_ok(t));
		}
	}
	ops->reset(dev_state);
	free(budget);
	free(dev_state);
	return 0;
}
