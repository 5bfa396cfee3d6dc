/* virtio-gpu 2D (virtio 1.1 5.7): a control queue and a cursor queue, one
 * scanout the size of the VM's display, resources in host memory taken
 * from a fixed per-VM budget (virtio_gpu.h). Every command is checked
 * before it acts: its length, the resource id, rectangles against the
 * resource (in 64-bit arithmetic), backing entries against the caps; a
 * bad one is answered with VIRTIO_GPU_RESP_ERR_* (5.7.6.7). A chain with
 * no readable header or no room for the response is not a command:
 * virtio_fail. A VM has one with `display`; it offers no features (no
 * EDID, no 3D), so GET_EDID and the capset commands are answered UNSPEC. */
#include <bulkhead/console.h>
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/pci.h>
#include <bulkhead/string.h>
#include <bulkhead/virtio.h>
#include <bulkhead/virtio_gpu.h>
#include <bulkhead/vm.h>

#define QUEUE_SIZE 64
#define CTRLQ 0
#define CURSORQ 1
#define CFG_LEN 16U /* events_read, events_clear, num_scanouts, num_capsets */
#define CMD_MAX 64U /* the longest fixed-size command */
#define BPP 4U
#define GPU_ERRORS_LOGGED 8U

struct gpu_res {
	u32 id;            /* 0: slot free */
	u32 width, height;
	u64 off, bytes;    /* pixels at pool + off */
	u32 ent_first, nr_ent; /* backing: ent[ent_first .. + nr_ent), 0: none */
	u64 backing_len;
};

struct gpu_ent {
	u64 gpa;
	u32 len;
};

struct vgpu {
	struct virtio_dev *vd;
	struct dev_host *h;
	u32 width, height;        /* the scanout's display mode */
	u8 *pool;                 /* budget bytes of resource memory */
	u64 budget;
	struct gpu_ent *ent;      /* GPU_MAX_ENTRIES */
	struct gpu_res res[GPU_MAX_RESOURCES];
	struct gpu_res *scanout;  /* NULL: no scanout set */
	struct rect scanout_r;
	u64 pixels_flushed;
	u64 errors;               /* error responses, the first few logged */
};

static u32 get32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 get64(const u8 *p)
{
	return get32(p) | (u64)get32(p + 4) << 32;
}

static void put32(u8 *p, u32 v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

static struct rect get_rect(const u8 *p)
{
	return (struct rect){ get32(p), get32(p + 4), get32(p + 8), get32(p + 12) };
}

static struct gpu_res *find_res(struct vgpu *g, u32 id)
{
	if (!id)
		return NULL;
	for (unsigned i = 0; i < GPU_MAX_RESOURCES; i++)
		if (g->res[i].id == id)
			return &g->res[i];
	return NULL;
}

/* r is non-empty and lies inside a w x h resource (no wrap: 64-bit sums). */
static bool rect_in(struct rect r, u32 w, u32 h)
{
	return r.w && r.h && (u64)r.x + r.w <= w && (u64)r.y + r.h <= h;
}

/* First fit of n units in [0, cap) among the live resources' ranges
 * (memory when mem, backing entries otherwise); false if none. */
static bool find_gap(const struct vgpu *g, bool mem, u64 n, u64 cap, u64 *at)
{
	u64 cand = 0;

	for (unsigned pass = 0; pass <= GPU_MAX_RESOURCES; pass++) {
		bool moved = false;

		for (unsigned i = 0; i < GPU_MAX_RESOURCES; i++) {
			const struct gpu_res *r = &g->res[i];
			u64 s = mem ? r->off : r->ent_first, l = mem ? r->bytes : r->nr_ent;

			if (r->id && l && s < cand + n && cand < s + l) {
				cand = s + l;
				moved = true;
			}
		}
		if (!moved)
			break;
	}
	if (cand > cap || n > cap - cand)
		return false;
	*at = cand;
	return true;
}

static u32 create_2d(struct vgpu *g, const u8 *c)
{
	u32 id = get32(c + 24), fmt = get32(c + 28), w = get32(c + 32), h = get32(c + 36);
	struct gpu_res *slot = NULL;
	u64 bytes = (u64)w * h * BPP, off;

	if (!id || find_res(g, id))
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (fmt != GPU_FORMAT_B8G8R8A8_UNORM && fmt != GPU_FORMAT_B8G8R8X8_UNORM)
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (!w || !h || w > GPU_MAX_DIM || h > GPU_MAX_DIM)
		return GPU_RESP_ERR_INVALID_PARAMETER;
	for (unsigned i = 0; i < GPU_MAX_RESOURCES && !slot; i++)
		if (!g->res[i].id)
			slot = &g->res[i];
	if (!slot || !find_gap(g, true, bytes, g->budget, &off))
		return GPU_RESP_ERR_OUT_OF_MEMORY;
	*slot = (struct gpu_res){ .id = id, .width = w, .height = h, .off = off, .bytes = bytes };
	memset(g->pool + off, 0, bytes); /* 5.7.6.8: no stale pixels of another resource */
	return GPU_RESP_OK_NODATA;
}

static void scanout_off(struct vgpu *g)
{
	if (g->scanout)
		display_gpu_scanout(g->h, NULL);
	g->scanout = NULL;
}

static void scanout_show(struct vgpu *g)
{
	struct gpu_res *r = g->scanout;
	struct gpu_scanout s = { (const u32 *)(g->pool + r->off), r->width, g->scanout_r };

	display_gpu_scanout(g->h, &s);
}

static u32 unref(struct vgpu *g, const u8 *c)
{
	struct gpu_res *r = find_res(g, get32(c + 24));

	if (!r)
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (g->scanout == r)
		scanout_off(g);
	*r = (struct gpu_res){ 0 };
	return GPU_RESP_OK_NODATA;
}

static u32 set_scanout(struct vgpu *g, const u8 *c)
{
	struct rect rc = get_rect(c + 24);
	u32 sid = get32(c + 40), id = get32(c + 44);
	struct gpu_res *r;

	if (sid != 0)
		return GPU_RESP_ERR_INVALID_SCANOUT_ID;
	if (!id) { /* 5.7.6.8: resource 0 disables the scanout */
		scanout_off(g);
		return GPU_RESP_OK_NODATA;
	}
	r = find_res(g, id);
	if (!r)
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!rect_in(rc, r->width, r->height) || rc.w > g->width || rc.h > g->height)
		return GPU_RESP_ERR_INVALID_PARAMETER;
	g->scanout = r;
	g->scanout_r = rc;
	scanout_show(g);
	return GPU_RESP_OK_NODATA;
}

static u32 flush(struct vgpu *g, const u8 *c)
{
	struct rect rc = get_rect(c + 24), vis;
	struct gpu_res *r = find_res(g, get32(c + 40));

	if (!r)
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!rect_in(rc, r->width, r->height))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (r == g->scanout && rect_intersect(rc, g->scanout_r, &vis)) {
		vis.x -= g->scanout_r.x;
		vis.y -= g->scanout_r.y;
		g->pixels_flushed += (u64)vis.w * vis.h;
		display_gpu_flush(g->h, vis);
	}
	return GPU_RESP_OK_NODATA;
}

/* Copies len bytes at offset off of r's backing into dst, entry by entry;
 * false if they are not all backing or not all RAM. */
static bool backing_read(struct vgpu *g, const struct gpu_res *r, u64 off, u8 *dst, u64 len)
{
	const struct vq_mem *m = virtio_mem(g->vd);

	if (off > r->backing_len || len > r->backing_len - off)
		return false;
	for (u32 i = 0; i < r->nr_ent && len; i++) {
		const struct gpu_ent *e = &g->ent[r->ent_first + i];
		u64 k;

		if (off >= e->len) {
			off -= e->len;
			continue;
		}
		k = MIN(len, e->len - off);
		if (!m->read(m->ctx, e->gpa + off, dst, k))
			return false;
		dst += k;
		len -= k;
		off = 0;
	}
	return len == 0;
}

static u32 transfer(struct vgpu *g, const u8 *c)
{
	struct rect rc = get_rect(c + 24);
	u64 off = get64(c + 40), stride;
	struct gpu_res *r = find_res(g, get32(c + 48));

	if (!r)
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!r->nr_ent)
		return GPU_RESP_ERR_UNSPEC; /* no backing to copy from */
	if (!rect_in(rc, r->width, r->height))
		return GPU_RESP_ERR_INVALID_PARAMETER;
	stride = (u64)r->width * BPP;
	/* the rectangle's last row ends inside the backing (no wrap: the rows
	 * before it are under 2^28 bytes, and off is checked first) */
	if (off > r->backing_len || (rc.h - 1) * stride + (u64)rc.w * BPP > r->backing_len - off)
		return GPU_RESP_ERR_INVALID_PARAMETER;
	for (u32 y = 0; y < rc.h; y++) {
		u8 *dst = g->pool + r->off + (rc.y + y) * stride + (u64)rc.x * BPP;

		if (!backing_read(g, r, off + y * stride, dst, (u64)rc.w * BPP))
			return GPU_RESP_ERR_UNSPEC;
	}
	return GPU_RESP_OK_NODATA;
}

static void detach(struct gpu_res *r)
{
	r->ent_first = r->nr_ent = 0;
	r->backing_len = 0;
}

/* 5.7.6.8 RESOURCE_ATTACH_BACKING: nr_entries virtio_gpu_mem_entry
 * (addr, length, padding) follow the command. Each is non-empty, does not
 * wrap and starts and ends in RAM; the entries of all resources together
 * are at most GPU_MAX_ENTRIES, one resource's at most enough for its size
 * plus a page per entry. */
static u32 attach(struct vgpu *g, const struct vq_chain *ch, const u8 *c)
{
	const struct vq_mem *m = virtio_mem(g->vd);
	struct gpu_res *r = find_res(g, get32(c + 24));
	u32 n = get32(c + 28);
	u64 first, total = 0;
	u8 e[16], b;

	if (!r)
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (r->nr_ent)
		return GPU_RESP_ERR_UNSPEC; /* already backed: detach first */
	if (!n || n > GPU_MAX_ENTRIES || (u64)n * 16 > ch->out_len - 32U)
		return GPU_RESP_ERR_INVALID_PARAMETER;
	if (!find_gap(g, false, n, GPU_MAX_ENTRIES, &first))
		return GPU_RESP_ERR_OUT_OF_MEMORY;
	for (u32 i = 0; i < n; i++) {
		struct gpu_ent *d = &g->ent[first + i];

		if (!vq_chain_read(m, ch, 32 + 16 * i, e, 16))
			return GPU_RESP_ERR_UNSPEC;
		d->gpa = get64(e);
		d->len = get32(e + 8);
		if (!d->len || d->gpa + d->len < d->gpa || !m->read(m->ctx, d->gpa, &b, 1) ||
		    !m->read(m->ctx, d->gpa + d->len - 1, &b, 1))
			return GPU_RESP_ERR_INVALID_PARAMETER;
		total += d->len;
		if (total > r->bytes + (u64)n * PAGE_SIZE)
			return GPU_RESP_ERR_INVALID_PARAMETER;
	}
	r->ent_first = (u32)first;
	r->nr_ent = n;
	r->backing_len = total;
	return GPU_RESP_OK_NODATA;
}

static u32 detach_cmd(struct vgpu *g, const u8 *c)
{
	struct gpu_res *r = find_res(g, get32(c + 24));

	if (!r)
		return GPU_RESP_ERR_INVALID_RESOURCE_ID;
	if (!r->nr_ent)
		return GPU_RESP_ERR_UNSPEC;
	detach(r);
	return GPU_RESP_OK_NODATA;
}

/* The length of each command (5.7.6.8); 0: not one this device serves. */
static u32 cmd_len(u32 type)
{
	switch (type) {
	case GPU_CMD_GET_DISPLAY_INFO: return GPU_HDR_LEN;
	case GPU_CMD_RESOURCE_CREATE_2D: return GPU_HDR_LEN + 16;
	case GPU_CMD_RESOURCE_UNREF: return GPU_HDR_LEN + 8;
	case GPU_CMD_SET_SCANOUT: return GPU_HDR_LEN + 24;
	case GPU_CMD_RESOURCE_FLUSH: return GPU_HDR_LEN + 24;
	case GPU_CMD_TRANSFER_TO_HOST_2D: return GPU_HDR_LEN + 32;
	case GPU_CMD_RESOURCE_ATTACH_BACKING: return GPU_HDR_LEN + 8;
	case GPU_CMD_RESOURCE_DETACH_BACKING: return GPU_HDR_LEN + 8;
	case GPU_CMD_UPDATE_CURSOR:
	case GPU_CMD_MOVE_CURSOR: return GPU_HDR_LEN + 32;
	default: return 0;
	}
}

static u32 dispatch(struct vgpu *g, const struct vq_chain *ch, const u8 *c, u32 type)
{
	switch (type) {
	case GPU_CMD_RESOURCE_CREATE_2D: return create_2d(g, c);
	case GPU_CMD_RESOURCE_UNREF: return unref(g, c);
	case GPU_CMD_SET_SCANOUT: return set_scanout(g, c);
	case GPU_CMD_RESOURCE_FLUSH: return flush(g, c);
	case GPU_CMD_TRANSFER_TO_HOST_2D: return transfer(g, c);
	case GPU_CMD_RESOURCE_ATTACH_BACKING: return attach(g, ch, c);
	case GPU_CMD_RESOURCE_DETACH_BACKING: return detach_cmd(g, c);
	default: return GPU_RESP_OK_NODATA; /* the cursor: not drawn */
	}
}

/* One command: header read, length checked, response written. */
static bool serve_one(struct vgpu *g, u16 q, const struct vq_chain *ch)
{
	const struct vq_mem *m = virtio_mem(g->vd);
	u8 c[CMD_MAX] = { 0 }, resp[GPU_DISPLAY_INFO_LEN] = { 0 };
	u32 type, len, rlen = GPU_HDR_LEN, st;

	if (ch->out_len < GPU_HDR_LEN || !vq_chain_read(m, ch, 0, c, GPU_HDR_LEN)) {
		virtio_fail(g->vd, "command without a readable header");
		return false;
	}
	type = get32(c);
	len = cmd_len(type);
	if (q == CURSORQ && len && type < GPU_CMD_UPDATE_CURSOR)
		len = 0; /* control commands belong on the control queue */
	if (!len) {
		st = GPU_RESP_ERR_UNSPEC;
	} else if (ch->out_len < len || !vq_chain_read(m, ch, 0, c, len)) {
		st = GPU_RESP_ERR_UNSPEC; /* truncated */
	} else if (type == GPU_CMD_GET_DISPLAY_INFO) {
		st = GPU_RESP_OK_DISPLAY_INFO;
		rlen = GPU_DISPLAY_INFO_LEN;
		put32(resp + GPU_HDR_LEN + 8, g->width);  /* pmodes[0].r, at 0, 0 */
		put32(resp + GPU_HDR_LEN + 12, g->height);
		put32(resp + GPU_HDR_LEN + 16, 1);        /* enabled */
	} else {
		st = dispatch(g, ch, c, type);
	}
	/* 5.7.6.7: the cursor queue's commands have no response */
	if (q == CURSORQ && ch->in_len == 0) {
		virtio_push(g->vd, q, ch->head, 0);
		return true;
	}
	if (ch->in_len < rlen) {
		virtio_fail(g->vd, "no room for the response");
		return false;
	}
	if (st >= GPU_RESP_ERR_UNSPEC && g->errors++ < GPU_ERRORS_LOGGED)
		printf("[%s] virtio-gpu: command %#x answered %#x\n", g->h->name, type, st);
	put32(resp, st);
	put32(resp + 4, get32(c + 4) & GPU_FLAG_FENCE);
	memcpy(resp + 8, c + 8, 16); /* fence_id and ctx_id echoed */
	if (!vq_chain_write(m, ch, 0, resp, rlen)) {
		virtio_fail(g->vd, "response not writable");
		return false;
	}
	virtio_push(g->vd, q, ch->head, rlen);
	return true;
}

static void gpu_notify(void *dev, u16 q)
{
	struct vgpu *g = dev;
	struct vq_chain ch;

	while (virtio_pop(g->vd, q, &ch))
		if (!serve_one(g, q, &ch))
			return;
}

static void gpu_reset(void *dev)
{
	struct vgpu *g = dev;

	scanout_off(g);
	memset(g->res, 0, sizeof(g->res));
}

static void gpu_config_read(void *dev, u32 off, void *buf, u32 len)
{
	u8 cfg[CFG_LEN] = { 0 };

	(void)dev;
	put32(cfg + 8, 1); /* num_scanouts; no events, no capsets */
	memcpy(buf, cfg + off, len);
}

static void gpu_config_write(void *dev, u32 off, const void *buf, u32 len)
{
	(void)dev; (void)off; (void)buf; (void)len; /* events_clear: none raised */
}

static const struct virtio_dev_ops gpu_ops = {
	.name = "virtio-gpu",
	.device_id = VIRTIO_ID_GPU,
	.class_code = 0x038000, /* display, other (as QEMU's virtio-gpu-pci) */
	.nr_queues = 2,
	.queue_size = QUEUE_SIZE,
	.config_len = CFG_LEN,
	.config_read = gpu_config_read,
	.config_write = gpu_config_write,
	.queue_notify = gpu_notify,
	.reset = gpu_reset,
};

/* The budget: two resources of the display's size (front and back), plus
 * 1 MiB for cursors and small ones. */
static u64 gpu_budget(const struct vm_config *cfg)
{
	return ALIGN_UP(2 * (u64)cfg->fb_width * cfg->fb_height * BPP + MiB(1), PAGE_SIZE);
}

static bool gpu_create(struct dev_host *h, const struct vm_config *cfg, const char **err)
{
	struct vgpu *g;

	if (!cfg->display)
		return true;
	g = dev_alloc(h, sizeof(*g));
	if (!g) {
		*err = "no room for virtio-gpu";
		return false;
	}
	g->h = h;
	g->width = cfg->fb_width;
	g->height = cfg->fb_height;
	g->budget = gpu_budget(cfg);
	g->pool = gpu_budget_alloc(h, g->budget + GPU_MAX_ENTRIES * sizeof(struct gpu_ent));
	if (!g->pool) {
		*err = "no memory for virtio-gpu resources";
		return false;
	}
	g->ent = (struct gpu_ent *)(void *)(g->pool + g->budget);
	g->vd = virtio_pci_create(h, PCI_BDF(0, PC_PCI_SLOT_GPU, 0), &gpu_ops, g, err);
	if (!g->vd)
		return false;
	printf("[%s] virtio-gpu: one %ux%u scanout, %lu KiB for resources\n", h->name, g->width,
	       g->height, g->budget >> 10);
	return true;
}

VM_DEVICE(40, virtio_gpu, gpu_create);
