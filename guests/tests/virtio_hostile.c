/* A hostile virtio driver (issue 12, "Bad input"): it finds the VM's
 * virtio-rng function on the PCI bus by hand (configuration mechanism #1,
 * the vendor capabilities of virtio 1.1 4.1.4), brings the device up and
 * posts requests that break the split-ring rules: looping chains,
 * out-of-range indices, buffers outside its RAM or at MMIO, zero and huge
 * lengths, overlapping buffers, a buffer over its own descriptor table
 * (the device rewrites the ring it is reading), rings outside RAM. After
 * each, the device must say DEVICE_NEEDS_RESET (or, for what is legal,
 * complete), then work again after a reset: a good request gets random
 * bytes. The VM itself must never be stopped. Needs `rng = yes` and
 * `devices = testexit` in its configuration. */
#include "virtio.h"

const char guest_name[] = "virtio_hostile";

#define RNG_SLOT 2                /* PC_PCI_SLOT_RNG */
#define QSZ VQ_TEST_SIZE

static struct virtq_desc dtab[QSZ] __attribute__((aligned(4096)));
static struct virtq_avail16 avail __attribute__((aligned(4096)));
static struct virtq_used16 used __attribute__((aligned(4096)));
static struct virtq_desc itab[4] __attribute__((aligned(64)));
static u8 buf[8192] __attribute__((aligned(4096)));

static struct virtio_fn rng = { .slot = RNG_SLOT };

static u8 status(void) { return virtio_status(&rng); }

static bool bring_up(u64 d, u64 a, u64 u, u32 features_lo)
{
	return virtio_bring_up(&rng, d, a, u, features_lo, QSZ);
}

static void fresh(void)
{
	memset(dtab, 0, sizeof(dtab));
	memset(&avail, 0, sizeof(avail));
	memset(&used, 0, sizeof(used));
	memset(itab, 0, sizeof(itab));
	if (!bring_up((u64)dtab, (u64)&avail, (u64)&used, 1U << 28 /* INDIRECT_DESC */))
		printf("virtio_hostile: bring-up refused\n");
}

/* The notification: the device serves the queue within this OUT. */
static void kick(void)
{
	virtio_kick(&rng, 0);
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
	dtab[i] = (struct virtq_desc){ addr, len, flags, next };
}

/* A good request fills 64 bytes; the device works. */
static bool good_request(void)
{
	u16 before = used.idx;
	unsigned nonzero = 0;

	memset(buf, 0, 64);
	set_desc(0, (u64)buf, 64, VIRTQ_F_WRITE, 0);
	post(0);
	if (used.idx != (u16)(before + 1) || used.ring[before % QSZ].len != 64)
		return false;
	for (unsigned i = 0; i < 64; i++)
		nonzero += buf[i] != 0;
	return nonzero > 32;
}

/* After a bad request: DEVICE_NEEDS_RESET, no completion, and after a reset
 * a good request works. */
static void expect_reset(const char *what, u16 used_before)
{
	bool needs = status() & VIRTIO_ST_NEEDS_RESET, works;

	if (!needs)
		printf("virtio_hostile: %s: status %#x, no DEVICE_NEEDS_RESET\n", what, status());
	EXPECT_TRUE(needs);
	EXPECT_EQ(used.idx, used_before);
	fresh();
	works = good_request();
	if (!works)
		printf("virtio_hostile: %s: no good request after the reset\n", what);
	EXPECT_TRUE(works);
	fresh();
}

static void looping_chain(void)
{
	set_desc(0, (u64)buf, 16, VIRTQ_F_WRITE | VIRTQ_F_NEXT, 1);
	set_desc(1, (u64)buf + 16, 16, VIRTQ_F_WRITE | VIRTQ_F_NEXT, 0);
	post(0);
	expect_reset("looping chain", 0);
}

static void next_out_of_range(void)
{
	set_desc(0, (u64)buf, 16, VIRTQ_F_WRITE | VIRTQ_F_NEXT, 4000);
	post(0);
	expect_reset("next out of range", 0);
}

static void head_out_of_range(void)
{
	post(999);
	expect_reset("head out of range", 0);
}

static void avail_idx_jump(void)
{
	set_desc(0, (u64)buf, 16, VIRTQ_F_WRITE, 0);
	avail.ring[0] = 0;
	avail.idx = QSZ + 5;
	kick();
	expect_reset("avail index jump", 0);
}

static void outside_ram(void)
{
	set_desc(0, mb_ram_end() + 0x100000, 64, VIRTQ_F_WRITE, 0);
	post(0);
	expect_reset("buffer outside RAM", 0);
	/* straddling the end of RAM */
	set_desc(0, mb_ram_end() - 32, 64, VIRTQ_F_WRITE, 0);
	post(0);
	expect_reset("buffer across the end of RAM", 0);
}

static void at_mmio(void)
{
	set_desc(0, APIC_MMIO, 64, VIRTQ_F_WRITE, 0);
	post(0);
	expect_reset("buffer at the local APIC", 0);
	set_desc(0, rng.common, 64, VIRTQ_F_WRITE, 0); /* the device's own registers */
	post(0);
	expect_reset("buffer at the device's BAR", 0);
}

static void lengths(void)
{
	set_desc(0, (u64)buf, 0, VIRTQ_F_WRITE, 0);
	post(0);
	expect_reset("zero length", 0);
	set_desc(0, (u64)buf, 0xffffffffU, VIRTQ_F_WRITE, 0);
	post(0);
	expect_reset("huge length", 0);
	set_desc(0, 0xfffffffffffff000ULL, 0x2000, VIRTQ_F_WRITE, 0);
	post(0);
	expect_reset("wrapping address", 0);
}

static void indirect(void)
{
	itab[0] = (struct virtq_desc){ (u64)buf, 16, VIRTQ_F_WRITE | VIRTQ_F_NEXT, 1 };
	itab[1] = (struct virtq_desc){ (u64)buf, 16, VIRTQ_F_WRITE | VIRTQ_F_NEXT, 0 };
	set_desc(0, (u64)itab, sizeof(itab), VIRTQ_F_INDIRECT, 0);
	post(0);
	expect_reset("looping indirect table", 0);
	itab[0] = (struct virtq_desc){ (u64)itab, 32, VIRTQ_F_INDIRECT, 0 };
	set_desc(0, (u64)itab, 32, VIRTQ_F_INDIRECT, 0);
	post(0);
	expect_reset("nested indirect table", 0);
	set_desc(0, (u64)itab, 33, VIRTQ_F_INDIRECT, 0);
	post(0);
	expect_reset("indirect table of 33 bytes", 0);
}

/* Legal but odd: two buffers on the same bytes, and a buffer over the
 * descriptor table itself, which the device then rewrites with random
 * bytes while it serves the queue. The VM goes on either way; the device
 * recovers after a reset. */
static void overlapping(void)
{
	set_desc(0, (u64)buf, 64, VIRTQ_F_WRITE | VIRTQ_F_NEXT, 1);
	set_desc(1, (u64)buf + 32, 64, VIRTQ_F_WRITE, 0);
	post(0);
	EXPECT_EQ(used.idx, 1);
	EXPECT_EQ(used.ring[0].len, 128); /* both buffers, 64 bytes each */
	fresh();
	set_desc(0, (u64)dtab, sizeof(dtab), VIRTQ_F_WRITE, 0);
	post(0);
	EXPECT_EQ(used.idx, 1);
	avail.ring[1] = 0; /* the descriptor is random bytes now */
	avail.idx = 2;
	kick();
	/* random bytes almost never make a valid descriptor: either way the
	 * VM is here and the device comes back after a reset */
	fresh();
	EXPECT_TRUE(good_request());
	fresh();
}

static void rings_outside_ram(void)
{
	u64 far = (mb_ram_end() + 0xfffff) & ~0xfffffULL;

	EXPECT_TRUE(!bring_up((u64)dtab, (u64)&avail, far, 0));
	EXPECT_TRUE(status() & VIRTIO_ST_NEEDS_RESET);
	EXPECT_TRUE(!bring_up(far, (u64)&avail, (u64)&used, 0));
	EXPECT_TRUE(!bring_up((u64)dtab, APIC_MMIO, (u64)&used, 0));
	/* the used ring in the device's own BAR (not RAM) */
	EXPECT_TRUE(!bring_up((u64)dtab, (u64)&avail, rng.common, 0));
	fresh();
	EXPECT_TRUE(good_request());
	fresh();
}

void guest_main(void)
{
	u32 id = virtio_cfg_read32(&rng, 0);

	EXPECT_EQ(id, 0x10441af4U); /* virtio-rng, modern */
	if (id != 0x10441af4U)
		test_finish();
	virtio_cfg_write16(&rng, 0x04, 0x7); /* I/O, memory, bus master */
	EXPECT_TRUE(virtio_find(&rng));
	fresh();
	EXPECT_TRUE(good_request());
	fresh();
	looping_chain();
	next_out_of_range();
	head_out_of_range();
	avail_idx_jump();
	outside_ram();
	at_mmio();
	lengths();
	indirect();
	overlapping();
	rings_outside_ram();
	/* without bus mastering the device does no DMA */
	virtio_cfg_write16(&rng, 0x04, 0x3);
	memset(buf, 0, 64);
	set_desc(0, (u64)buf, 64, VIRTQ_F_WRITE, 0);
	post(0);
	EXPECT_EQ(used.idx, 0);
	EXPECT_EQ(buf[0] | buf[1] | buf[2] | buf[3], 0);
	virtio_cfg_write16(&rng, 0x04, 0x7);
	printf("virtio_hostile: done\n");
	test_finish();
}
