/* virtio-gpu 2D (virtio 1.1 5.7): the device's protocol numbers, its
 * limits, and the two things it needs from the rest of the hypervisor:
 * host memory for resources (one fixed budget per VM, taken at creation)
 * and the screen, which shows the scanout's resource once the driver set
 * one (docs/display.md). */
#ifndef BULKHEAD_VIRTIO_GPU_H
#define BULKHEAD_VIRTIO_GPU_H

#include <bulkhead/fb.h>
#include <bulkhead/types.h>

struct dev_host;

#define VIRTIO_ID_GPU 16

/* Control queue commands and responses (5.7.6.7) */
#define GPU_CMD_GET_DISPLAY_INFO        0x0100U
#define GPU_CMD_RESOURCE_CREATE_2D      0x0101U
#define GPU_CMD_RESOURCE_UNREF          0x0102U
#define GPU_CMD_SET_SCANOUT             0x0103U
#define GPU_CMD_RESOURCE_FLUSH          0x0104U
#define GPU_CMD_TRANSFER_TO_HOST_2D     0x0105U
#define GPU_CMD_RESOURCE_ATTACH_BACKING 0x0106U
#define GPU_CMD_RESOURCE_DETACH_BACKING 0x0107U
#define GPU_CMD_UPDATE_CURSOR           0x0300U
#define GPU_CMD_MOVE_CURSOR             0x0301U
#define GPU_RESP_OK_NODATA              0x1100U
#define GPU_RESP_OK_DISPLAY_INFO        0x1101U
#define GPU_RESP_ERR_UNSPEC             0x1200U
#define GPU_RESP_ERR_OUT_OF_MEMORY      0x1201U
#define GPU_RESP_ERR_INVALID_SCANOUT_ID 0x1202U
#define GPU_RESP_ERR_INVALID_RESOURCE_ID 0x1203U
#define GPU_RESP_ERR_INVALID_PARAMETER  0x1205U
#define GPU_FLAG_FENCE 1U

/* struct virtio_gpu_ctrl_hdr: type, flags, fence_id, ctx_id, padding */
#define GPU_HDR_LEN 24U
#define GPU_MAX_SCANOUTS 16U       /* entries in the display info response */
#define GPU_DISPLAY_INFO_LEN (GPU_HDR_LEN + GPU_MAX_SCANOUTS * 24U)

/* Formats (5.7.6.8) with the byte order B, G, R, X/A: the screen's
 * 0x00RRGGBB little-endian u32, what Linux uses for XRGB8888 and ARGB8888 */
#define GPU_FORMAT_B8G8R8A8_UNORM 1U
#define GPU_FORMAT_B8G8R8X8_UNORM 2U

/* Limits on what a guest may ask for */
#define GPU_MAX_RESOURCES 32U
#define GPU_MAX_DIM       4096U    /* width and height of a resource */
#define GPU_MAX_ENTRIES   16384U   /* backing entries, all resources together */

/* Host memory for the resources of one VM: n bytes, zeroed, never given
 * back (the budget lives as long as the VM); NULL if there is none. */
void *gpu_budget_alloc(struct dev_host *h, u64 n);

/* What the screen shows of a scanout: px[y * pitch + x] for the pixels of
 * r, in 0x00RRGGBB (the high byte ignored). */
struct gpu_scanout {
	const u32 *px;
	u32 pitch;
	struct rect r;
};
/* The device's scanout is s (NULL: none; the VM's framebuffer in RAM is
 * its picture again). */
void display_gpu_scanout(struct dev_host *h, const struct gpu_scanout *s);
/* Rectangle r of the scanout (relative to its top left) changed. */
void display_gpu_flush(struct dev_host *h, struct rect r);

#endif
