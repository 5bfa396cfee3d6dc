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

const char guest_name[] = "gpu_hostile";

#define GPU_SLOT 8                /* PC_PCI_SLOT_GPU */
#define QSZ 16

#define ST_ACK 1
#define ST_DRIVER 2
#define ST_DRIVER_OK 4
#define ST_FEATURES_OK 8
#define ST_NEEDS_RESET 64

#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

struct desc {
	u64 addr;
	u32 len;
	u16 flags, next;
};

static struct desc dtab[QSZ] __attribute__((aligned(4096)));
static struct {
	u16 flags, idx, ring[QSZ], used_event;
} avail __attribute__((aligned(4096)));
static struct {
	u16 flags, idx;
	struct { u32 id, len; } ring[QSZ];
	u16 avail_event;
} used __attribute__((aligned(4096)));
static struct desc itab[4] __attribute__((aligned(64)));
static u8 buf[8192] __attribute__((aligned(4096)));

static u64 common, isr;   /* MMIO addresses of the structures */
static u16 notify_port;

static u32 cfg_read32(u32 off)
{
	outl(0xcf8, 0x80000000U | (GPU_SLOT << 11) | (off & 0xfc));
	return inl(0xcfc);
}

static void cfg_write16(u32 off, u16 v)
{
	outl(0xcf8, 0x80000000U | (GPU_SLOT << 11) | (off & 0xfc));
	outw((u16)(0xcfc + (off & 2)), v);
}

static u8 cfg_read8(u32 off)
{
	return (u8)(cfg_read32(off) >> (8 * (off & 3)));
}

static u64 bar_base(unsigned bar)
{
	u32 v = cfg_read32(0x10 + 4 * bar);
	return (v & 1) ? (v & ~3U) : (v & ~15U);
}

/* The vendor capabilities (4.1.4): common, notify and ISR structures. */
static bool find_structures(void)
{
	u8 at = cfg_read8(0x34);
	unsigned hops = 0;

	while (at && hops++ < 48) {
		if (cfg_read8(at) == 0x09) {
			u8 type = cfg_read8(at + 3), bar = cfg_read8(at + 4);
			u32 off = cfg_read32(at + 8);
			u64 base = bar_base(bar) + off;

			if (type == 1)
				common = base;
			else if (type == 2)
				notify_port = (u16)base;
			else if (type == 3)
				isr = base;
		}
		at = cfg_read8(at + 1);
	}
	return common && notify_port && isr;
}

static u8 status(void) { return mmio_read8(common + 0x14); }
static void set_status(u8 v) { mmio_write8(common + 0x14, v); }

/* 3.1.1, with queue 0's rings at the given addresses; false if the
 * device refused the features or the queue. */
static bool bring_up(u64 d, u64 a, u64 u, u32 features_lo)
{
	set_status(0);
	if (status() != 0)
		return false;
	set_status(ST_ACK);
	set_status(ST_ACK | ST_DRIVER);
	mmio_write32(common + 0x08, 0);
	mmio_write32(common + 0x0c, features_lo);
	mmio_write32(common + 0x08, 1);
	mmio_write32(common + 0x0c, 1); /* VERSION_1 */
	set_status(ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	if (!(status() & ST_FEATURES_OK))
		return false;
	mmio_write16(common + 0x16, 0);
	mmio_write16(common + 0x18, QSZ);
	mmio_write32(common + 0x20, (u32)d);
	mmio_write32(common + 0x24, (u32)(d >> 32));
	mmio_write32(common + 0x28, (u32)a);
	mmio_write32(common + 0x2c, (u32)(a >> 32));
	mmio_write32(common + 0x30, (u32)u);
	mmio_write32(common + 0x34, (u32)(u >> 32));
	mmio_write16(common + 0x1c, 1);
	set_status(ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	return !(status() & ST_NEEDS_RESET);
}

static void fresh(void)
{
	memset(dtab, 0, sizeof(dtab));
	memset(&avail, 0, sizeof(avail));
	memset(&used, 0, sizeof(used));
	memset(itab, 0, sizeof(itab));
	if (!bring_up((u64)dtab, (u64)&avail, (u64)&used, 0))
		printf("gpu_hostile: bring-up refused\n");
}

/* The notification: the device serves the queue within this OUT. */
static void kick(void)
{
	outw(notify_port, 0);
	asm volatile("" ::: "memory");
}

static void post(u16 head)
{
	avail.ring[avail.idx % QSZ] = head;
	asm volatile("" ::: "memory");
	avail.idx++;
	asm volatile("" ::: "memory");
	kick();
}

static void set_desc(u16 i, u64 addr, u32 len, u16 flags, u16 next)
{
	dtab[i] = (struct desc){ addr, len, flags, next };
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
	set_desc(0, (u64)cmd, len, F_NEXT, 1);
	set_desc(1, (u64)resp, rlen, F_WRITE, 0);
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
	set_desc(0, (u64)cmd, 8, F_NEXT, 1); /* a header of 8 bytes */
	set_desc(1, (u64)resp, 24, F_WRITE, 0);
	post(0);
	EXPECT_TRUE(status() & ST_NEEDS_RESET);
	EXPECT_EQ(used.idx, before);
	fresh();
	EXPECT_TRUE(display_info_works());
	hdr(0x0100);
	EXPECT_EQ(send(24, 16), 0); /* no room for the display info */
	EXPECT_TRUE(status() & ST_NEEDS_RESET);
	fresh();
	EXPECT_TRUE(display_info_works());
}

void guest_main(void)
{
	u32 id = cfg_read32(0);

	EXPECT_EQ(id, 0x10501af4U); /* virtio-gpu, modern */
	if (id != 0x10501af4U)
		test_finish();
	cfg_write16(0x04, 0x7);
	EXPECT_TRUE(find_structures());
	fresh();
	EXPECT_TRUE(display_info_works());
	flood();
	EXPECT_TRUE(!(status() & ST_NEEDS_RESET)); /* errors, not a broken device */
	not_commands();
	printf("gpu_hostile: done, %u wrong responses\n", bad);
	test_finish();
}
