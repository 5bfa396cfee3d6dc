/* The hypervisor's own cost per virtio-blk request (issue 12, Benchmark):
 * run under QEMU -icount shift=0,sleep=off, where the TSC counts emulated
 * instructions, this guest times with RDTSC the round trip of
 *   - a plain exit: one OUT to the test device's latch (port 0xE0);
 *   - one virtio-blk request on its first disk (virtio 1.1 5.2.6): a
 *     3-descriptor chain (header, data, status) made available, one
 *     notification, and the used ring read back; the device serves the
 *     request within the notifying OUT (a RAM disk completes at once),
 *     for reads and writes of 512 B, 4 KiB and 64 KiB;
 *   - one transmitted frame of 60 and of 1514 bytes on its NIC (header and
 *     frame in 2 descriptors, one notification), sent to a MAC no VM has,
 *     which the switch hands to the uplink (no port yet: counted there).
 * Each is taken iters=N times (default 1000); it prints the median as
 * "bench exit T", "bench blk read|write BYTES T" and
 * "bench net tx BYTES T". Every request is
 * checked (status OK, used length, the data written reads back).
 * Needs `disks = IMAGE` (>= 128 KiB, writable), `nic = yes` with
 * `allow = VM uplink`, and `devices = testexit, testdev`. */
#include "virtio.h"

const char guest_name[] = "bench_virtio";

#define DISK_SLOT 4               /* PC_PCI_SLOT_DISK0 */
#define NIC_SLOT 3                /* PC_PCI_SLOT_NET */
#define QSZ VQ_TEST_SIZE
#define MAX_ITERS 4096
#define MAX_DATA 65536U

#define T_IN 0U                   /* 5.2.6 request types */
#define T_OUT 1U

static struct virtq_desc dtab[QSZ] __attribute__((aligned(4096)));
static struct virtq_avail16 avail __attribute__((aligned(4096)));
static volatile struct virtq_used16 used __attribute__((aligned(4096)));
/* the NIC's transmit queue (queue 1, 5.1.2) */
static struct virtq_desc ntab[QSZ] __attribute__((aligned(4096)));
static struct virtq_avail16 navail __attribute__((aligned(4096)));
static volatile struct virtq_used16 nused __attribute__((aligned(4096)));
static u8 net_hdr[12];          /* virtio_net_hdr of VERSION_1 (5.1.6): no offloads */
static u8 frame[1514];
static struct { u32 type, reserved; u64 sector; } hdr __attribute__((aligned(16)));
static u8 data[MAX_DATA] __attribute__((aligned(4096)));
static u8 back[MAX_DATA] __attribute__((aligned(4096)));
static volatile u8 st;
static u32 samples[MAX_ITERS];

static struct virtio_fn disk = { .slot = DISK_SLOT };
static struct virtio_fn nic = { .slot = NIC_SLOT };

/* Median of n samples: insertion sort, n is small. */
static u32 median(u32 *s, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		u32 v = s[i];
		unsigned j = i;

		for (; j > 0 && s[j - 1] > v; j--)
			s[j] = s[j - 1];
		s[j] = v;
	}
	return s[n / 2];
}

static u32 time_exit(void)
{
	u64 t0 = rdtsc();

	outl(0xe0, 0x1234);
	return (u32)(rdtsc() - t0);
}

/* One request into (read) or from (write) buf; its round trip in ticks,
 * or 0 if the device did not complete it correctly. */
static u32 time_request(u32 type, u8 *buf, u32 len)
{
	u16 before = used.idx;
	u64 t0, t1;

	hdr = (typeof(hdr)){ type, 0, 0 };
	st = 0xff;
	dtab[0] = (struct virtq_desc){ (u64)&hdr, sizeof(hdr), VIRTQ_F_NEXT, 1 };
	dtab[1] = (struct virtq_desc){ (u64)buf, len,
				       (u16)(VIRTQ_F_NEXT | (type == T_IN ? VIRTQ_F_WRITE : 0)), 2 };
	dtab[2] = (struct virtq_desc){ (u64)&st, 1, VIRTQ_F_WRITE, 0 };
	avail.ring[avail.idx % QSZ] = 0;
	asm volatile("" ::: "memory");
	t0 = rdtsc();
	avail.idx++;
	asm volatile("" ::: "memory");
	virtio_kick(&disk, 0);
	/* the device completed it within the OUT: no spin in practice */
	for (unsigned k = 0; used.idx == before && k < 100000; k++)
		cpu_relax();
	t1 = rdtsc();
	if (used.idx != (u16)(before + 1) || st != 0 ||
	    used.ring[before % QSZ].len != (type == T_IN ? len + 1 : 1))
		return 0;
	return (u32)(t1 - t0);
}

static bool measure(const char *what, u32 type, u32 len, unsigned n)
{
	u8 *buf = type == T_IN ? back : data;

	for (unsigned i = 0; i < n; i++) {
		if (type == T_IN)
			memset(back, 0, len);
		samples[i] = time_request(type, buf, len);
		if (!samples[i]) {
			printf("bench_virtio: %s %u: request %u failed (status %u)\n", what, len, i, st);
			return false;
		}
		if (type == T_IN && memcmp(back, data, len) != 0) {
			printf("bench_virtio: %s %u: data read back differs\n", what, len);
			return false;
		}
	}
	printf("bench blk %s %u %u\n", what, len, median(samples, n));
	return true;
}

/* One frame of len bytes (header + frame, 2 descriptors) on the transmit
 * queue; its round trip in ticks, or 0 if it was not completed. */
static u32 time_frame(u32 len)
{
	u16 before = nused.idx;
	u64 t0, t1;

	ntab[0] = (struct virtq_desc){ (u64)net_hdr, sizeof(net_hdr), VIRTQ_F_NEXT, 1 };
	ntab[1] = (struct virtq_desc){ (u64)frame, len, 0, 0 };
	navail.ring[navail.idx % QSZ] = 0;
	asm volatile("" ::: "memory");
	t0 = rdtsc();
	navail.idx++;
	asm volatile("" ::: "memory");
	virtio_kick(&nic, 1);
	for (unsigned k = 0; nused.idx == before && k < 100000; k++)
		cpu_relax();
	t1 = rdtsc();
	if (nused.idx != (u16)(before + 1))
		return 0;
	return (u32)(t1 - t0);
}

/* Frames to a unicast MAC no VM has: the switch sends them to the uplink
 * (docs/networking.md), which has no port yet, and counts them there. */
static bool measure_net(u32 len, unsigned n)
{
	static const u8 dst[6] = { 0x02, 0x00, 0x00, 0xbe, 0x4c, 0x01 };

	memcpy(frame, dst, 6);
	for (unsigned i = 0; i < 6; i++)
		frame[6 + i] = mmio_read8(nic.device + i); /* our MAC (5.1.4) */
	frame[12] = 0x88;                                 /* local experimental */
	frame[13] = 0xb5;                                 /* EtherType (IEEE 802) */
	for (unsigned i = 0; i < n; i++) {
		samples[i] = time_frame(len);
		if (!samples[i]) {
			printf("bench_virtio: frame %u of %u bytes not completed\n", i, len);
			return false;
		}
	}
	printf("bench net tx %u %u\n", len, median(samples, n));
	return true;
}

void guest_main(void)
{
	unsigned n = (unsigned)cmdline_get_u64("iters", 1000);
	static const u32 sizes[] = { 512, 4096, 65536 };
	u32 id;

	if (n < 1 || n > MAX_ITERS)
		n = 1000;
	id = virtio_cfg_read32(&disk, 0);
	EXPECT_EQ(id, 0x10421af4U); /* virtio-blk, modern (4.1.2.1) */
	if (id != 0x10421af4U)
		test_finish();
	virtio_cfg_write16(&disk, 0x04, 0x7); /* I/O, memory, bus master */
	EXPECT_TRUE(virtio_find(&disk));
	EXPECT_TRUE(virtio_bring_up(&disk, (u64)dtab, (u64)&avail, (u64)&used, 0, QSZ));

	for (unsigned i = 0; i < n; i++)
		samples[i] = time_exit();
	printf("bench exit %u\n", median(samples, n));

	for (u32 i = 0; i < MAX_DATA; i++)
		data[i] = (u8)(i * 7U + 3U);
	for (unsigned s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		/* a write, then reads of what it wrote */
		EXPECT_TRUE(measure("write", T_OUT, sizes[s], n));
		EXPECT_TRUE(measure("read", T_IN, sizes[s], n));
	}
	EXPECT_TRUE(!(virtio_status(&disk) & VIRTIO_ST_NEEDS_RESET));

	id = virtio_cfg_read32(&nic, 0);
	EXPECT_EQ(id, 0x10411af4U); /* virtio-net, modern */
	if (id == 0x10411af4U) {
		virtio_cfg_write16(&nic, 0x04, 0x7);
		EXPECT_TRUE(virtio_find(&nic) && nic.device);
		EXPECT_TRUE(virtio_negotiate(&nic, 1U << 5 /* VIRTIO_NET_F_MAC */));
		virtio_queue_set(&nic, 1, QSZ, (u64)ntab, (u64)&navail, (u64)&nused);
		EXPECT_TRUE(virtio_driver_ok(&nic));
		EXPECT_TRUE(measure_net(60, n));
		EXPECT_TRUE(measure_net(1514, n));
		EXPECT_TRUE(!(virtio_status(&nic) & VIRTIO_ST_NEEDS_RESET));
	}
	printf("bench_virtio: %u requests of each kind\n", n);
	test_finish();
}
