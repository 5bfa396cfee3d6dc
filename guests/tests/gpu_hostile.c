/* A hostile virtio-gpu driver: it finds the VM's virtio-gpu function on
 * the PCI bus by hand (virtio 1.1 4.1.4), brings it up and floods its
 * control queue with bad commands (5.7.6): unknown and truncated commands,
 * resource id 0 and unknown ids, resources beyond the per-VM budget and
 * GPU_MAX_DIM, rectangles that wrap or leave the resource, backing
 * outside RAM, bad scanout ids. Each must be answered with its
 * VIRTIO_GPU_RESP_ERR_*; then chains that are not commands (no header, no
 * room for the response) must make the device say DEVICE_NEEDS_RESET, and
 * after a reset GET_DISPLAY_INFO works again. The VM is never stopped.
 * Needs `display = yes` and `devices = testexit`. */
#include "guest.h"
#include "virtio.h"

const char guest_name[] = "gpu_hostile";

#define GPU_SLOT 8                /* PC_PCI_SLOT_GPU */
#define QSZ VQ_TEST_SIZE

static struct virtq_desc dtab[QSZ] __attribute__((aligned(4096)));
static struct virtq_avail16 avail __attribute__((aligned(4096)));
static struct virtq_used16 used __attribute__((aligned(4096)));
static struct virtq_desc itab[4] __attribute__((aligned(64)));
static u8 buf[8192] __attribute__((aligned(4096)));

static struct virtio_fn gpu = { .slot = GPU_SLOT };

static u8 status(void) { return virtio_status(&gpu); }

static void fresh(void)
{
	memset(dtab, 0, sizeof(dtab));
	memset(&avail, 0, sizeof(avail));
	memset(&used, 0, sizeof(used));
	memset(itab, 0, sizeof(itab));
	if (!virtio_bring_up(&gpu, (u64)dtab, (u64)&avail, (u64)&used, 0, QSZ))
		printf("gpu_hostile: bring-up refused\n");
}

static void post(u16 head)
{
	avail.ring[avail.idx % QSZ] = head;
	asm volatile("" ::: "memory");
	avail.idx++;
	asm volatile("" ::: "memory");
	virtio_kick(&gpu, 0);
}

static void set_desc(u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	dtab[i] = (struct virtq_desc){ addr, len, flags, next };
}


static u8 cmd[256] __attribute__((aligned(64)));
static u8 resp[512] __attribute__((aligned(64)));

static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }
static u32 get32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }

static void hdr(u32 type)
{
	memset(cmd, 0, sizeof(cmd));
	put32(cmd, type);
}

/* Posts cmd[0..len) and a response buffer of rlen bytes; the response's
 * type, or 0 if the device did not complete it. */
static u32 send(u32 len, u32 rlen)
{
	u16 before = used.idx;

	memset(resp, 0, sizeof(resp));
	set_desc(0, (u64)cmd, len, VIRTQ_F_NEXT, 1);
	set_desc(1, (u64)resp, rlen, VIRTQ_F_WRITE, 0);
	post(0);
	if (used.idx != (u16)(before + 1))
		return 0;
	return get32(resp);
}

static unsigned bad;

static void expect_resp(const char *what, u32 got, u32 want)
{
	if (got != want) {
		printf("gpu_hostile: %s: response %x, want %x\n", what, got, want);
		bad++;
	}
	EXPECT_EQ(got, want);
}

static u32 create(u32 id, u32 fmt, u32 w, u32 h)
{
	hdr(0x0101);
	put32(cmd + 24, id);
	put32(cmd + 28, fmt);
	put32(cmd + 32, w);
	put32(cmd + 36, h);
	return send(40, 24);
}

static u32 rect_cmd(u32 type, u32 x, u32 y, u32 w, u32 h, u32 a, u32 b, u32 len)
{
	hdr(type);
	put32(cmd + 24, x);
	put32(cmd + 28, y);
	put32(cmd + 32, w);
	put32(cmd + 36, h);
	put32(cmd + 40, a);
	put32(cmd + 44, b);
	return send(len, 24);
}

static u32 attach(u32 id, u64 gpa, u32 len)
{
	hdr(0x0106);
	put32(cmd + 24, id);
	put32(cmd + 28, 1);
	put64(cmd + 32, gpa);
	put32(cmd + 40, len);
	return send(48, 24);
}

static void flood(void)
{
	u64 far = (mb_ram_end() + 0xfffff) & ~0xfffffULL;

	for (unsigned round = 0; round < 8; round++) {
		hdr(0x0200 + round); /* 3D commands: not offered */
		expect_resp("3D command", send(24, 24), 0x1200);
		hdr(0x0101);
		expect_resp("truncated create", send(30, 24), 0x1200);
		expect_resp("resource id 0", create(0, 2, 64, 64), 0x1203);
		expect_resp("format", create(5, 0x99, 64, 64), 0x1205);
		expect_resp("too wide", create(5, 2, 4097, 64), 0x1205);
		expect_resp("beyond the budget", create(5, 2, 4096, 4096), 0x1201);
		expect_resp("unknown unref", rect_cmd(0x0102, 77, 0, 0, 0, 0, 0, 32), 0x1203);
		expect_resp("create", create(5, 2, 64, 64), 0x1100);
		expect_resp("duplicate", create(5, 2, 64, 64), 0x1203);
		expect_resp("backing outside RAM", attach(5, far, 0x4000), 0x1205);
		expect_resp("backing across the end of RAM", attach(5, mb_ram_end() - 0x100, 0x4000), 0x1205);
		expect_resp("backing at the APIC", attach(5, APIC_MMIO, 0x1000), 0x1205);
		hdr(0x0105);
		put32(cmd + 32, 64); put32(cmd + 36, 64); put32(cmd + 48, 5);
		expect_resp("transfer without backing", send(56, 24), 0x1200);
		expect_resp("backing", attach(5, (u64)buf, 8192), 0x1100);
		/* TRANSFER_TO_HOST_2D: rect, offset (a, b), resource at 48 */
		hdr(0x0105);
		put32(cmd + 24, 0xffffffc0U); put32(cmd + 32, 0x80); put32(cmd + 36, 1);
		put32(cmd + 48, 5);
		expect_resp("wrapping rectangle", send(56, 24), 0x1205);
		hdr(0x0105);
		put32(cmd + 32, 64); put32(cmd + 36, 64); put32(cmd + 48, 5);
		expect_resp("rectangle past the backing", send(56, 24), 0x1205);
		hdr(0x0105);
		put32(cmd + 32, 64); put32(cmd + 36, 33); put32(cmd + 48, 5);
		expect_resp("one row past the backing", send(56, 24), 0x1205); /* 33 rows of 256 B */
		hdr(0x0105);
		put32(cmd + 32, 16); put32(cmd + 36, 16); put32(cmd + 48, 5);
		expect_resp("transfer", send(56, 24), 0x1100);
		expect_resp("scanout id 3", rect_cmd(0x0103, 0, 0, 64, 64, 3, 5, 48), 0x1202);
		expect_resp("scanout past the resource", rect_cmd(0x0103, 1, 0, 64, 64, 0, 5, 48), 0x1205);
		expect_resp("flush unknown", rect_cmd(0x0104, 0, 0, 1, 1, 9, 0, 48), 0x1203);
		expect_resp("flush past the resource", rect_cmd(0x0104, 0, 60, 64, 5, 5, 0, 48), 0x1205);
		expect_resp("detach", rect_cmd(0x0107, 5, 0, 0, 0, 0, 0, 32), 0x1100);
		expect_resp("unref", rect_cmd(0x0102, 5, 0, 0, 0, 0, 0, 32), 0x1100);
	}
}

static bool display_info_works(void)
{
	hdr(0x0100);
	return send(24, 408) == 0x1101 && get32(resp + 24 + 8) > 0;
}

static void not_commands(void)
{
	u16 before;

	hdr(0x0100);
	before = used.idx;
	set_desc(0, (u64)cmd, 8, VIRTQ_F_NEXT, 1); /* a header of 8 bytes */
	set_desc(1, (u64)resp, 24, VIRTQ_F_WRITE, 0);
	post(0);
	EXPECT_TRUE(status() & VIRTIO_ST_NEEDS_RESET);
	EXPECT_EQ(used.idx, before);
	fresh();
	EXPECT_TRUE(display_info_works());
	hdr(0x0100);
	EXPECT_EQ(send(24, 16), 0); /* no room for the display info */
	EXPECT_TRUE(status() & VIRTIO_ST_NEEDS_RESET);
	fresh();
	EXPECT_TRUE(display_info_works());
}

void guest_main(void)
{
	u32 id = virtio_cfg_read32(&gpu, 0);

	EXPECT_EQ(id, 0x10501af4U); /* virtio-gpu, modern */
	if (id != 0x10501af4U)
		test_finish();
	virtio_cfg_write16(&gpu, 0x04, 0x7);
	EXPECT_TRUE(virtio_find(&gpu));
	fresh();
	EXPECT_TRUE(display_info_works());
	flood();
	EXPECT_TRUE(!(status() & VIRTIO_ST_NEEDS_RESET)); /* errors, not a broken device */
	not_commands();
	printf("gpu_hostile: done, %u wrong responses\n", bad);
	test_finish();
}
