/* bulkhead-svcd: the service VM's block back-end daemon. It finds the
 * "bulkhead service ring" PCI function (public/svc_ring.h) in sysfs, maps
 * its BAR 0 and BAR 2 (resource0, resource2), and serves each request on
 * the ring from a raw file named on the command line:
 *   bulkhead-svcd [--evil] [--once] [--poll] [--hv-status FILE] [--lock-when FILE]
 *                 [--lock-lease FILE] [--uplink IFNAME] [--refused NAME]... NAME=FILE...
 *   bulkhead-svcd --ctl-raw WORD
 * --hv-status, --lock-when and --lock-lease are the control channel
 * (tools/bulkhead-svcd-ctl.c); --ctl-raw writes one control command word
 * and exits (the tests' hostile commands). --uplink bridges the switch's
 * uplink (the frame rings) to the NIC IFNAME (tools/bulkhead-svcd-net.c);
 * --uplink-bad first posts frames with bad lengths (the tests).
 * Each disk of the ring's table is said to be served, refused (--refused
 * NAME: its image failed the service VM's check), without a file, or
 * with a file smaller than the disk (version 4's disk states): the
 * hypervisor starts a VM only once all its disks are served.
 * A WRITE is answered only after pwrite() returned for all of it (the data
 * is in the file: a killed daemon loses no acknowledged write), a FLUSH
 * after fsync(). Requests for a disk with no file, or beyond the file's
 * size, are answered IOERR. A FILE may be a block device (the service
 * VM's /dev/nbdN, docs/disks.md): its size is BLKGETSIZE64's, as st_size
 * is 0 there.
 *
 * Waiting: between empty rounds the daemon sleeps on the ring function's
 * INTx through uio_pci_generic, the uplink's socket and a 1 s timeout for
 * the control channel (tools/bulkhead-svcd-wait.c); with --poll, or when
 * uio_pci_generic is not there, it polls with a 1 ms sleep instead. The
 * INTx is acked before requests are taken, never with none.
 *
 * BAR 2 is device memory to the daemon (the hypervisor serves each access):
 * it is touched only by aligned 4- and 8-byte volatile loads and stores,
 * never by memcpy.
 *
 * --evil answers like a broken daemon, for the tests: in turn a wrong
 * length, an unknown id (followed by the right answer), a status out of
 * range, and a good answer; the hypervisor must fail only the first and
 * third. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <public/svc_ring.h>
#include "bulkhead-svcd-ctl.h"
#include "bulkhead-svcd-net.h"
#include "bulkhead-svcd-wait.h"

#define MAX_FILES SVC_MAX_DISKS

static struct { const char *name, *path; int fd; uint64_t bytes; } files[MAX_FILES];
static unsigned nr_files;
static const char *refused[MAX_FILES]; /* --refused NAME: the image failed its check */
static unsigned nr_refused;
static volatile uint8_t *regs, *ring;
static bool evil;
static unsigned evil_turn;
static uint8_t buf[SVC_SLOT_BYTES];

static uint32_t ld32(uint64_t off) { return *(volatile uint32_t *)(ring + off); }
static uint64_t ld64(uint64_t off) { return *(volatile uint64_t *)(ring + off); }
static void st32(uint64_t off, uint32_t v) { *(volatile uint32_t *)(ring + off) = v; }
static void st64(uint64_t off, uint64_t v) { *(volatile uint64_t *)(ring + off) = v; }

#define HDR(field) offsetof(struct svc_hdr, field)

static void slot_read(uint32_t slot, uint8_t *dst, uint32_t len)
{
	uint64_t base = SVC_DATA_OFF + (uint64_t)slot * SVC_SLOT_BYTES;

	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t v = ld64(base + i);
		memcpy(dst + i, &v, 8);
	}
}

static void slot_write(uint32_t slot, const uint8_t *src, uint32_t len)
{
	uint64_t base = SVC_DATA_OFF + (uint64_t)slot * SVC_SLOT_BYTES;

	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t v;
		memcpy(&v, src + i, 8);
		st64(base + i, v);
	}
}

/* The name of ring disk index d, from the ring's table; false past it. */
static bool disk_name(uint32_t d, char name[SVC_DISK_NAME])
{
	if (d >= ld32(HDR(nr_disks)) || d >= SVC_MAX_DISKS)
		return false;
	for (unsigned i = 0; i < SVC_DISK_NAME; i += 4) {
		uint32_t v = ld32(HDR(disks) + d * sizeof(struct svc_disk_desc) + i);
		memcpy(name + i, &v, 4);
	}
	name[SVC_DISK_NAME - 1] = '\0';
	return true;
}

/* The file serving ring disk index d, by the name in the ring's table. */
static int file_of(uint32_t d)
{
	char name[SVC_DISK_NAME];

	if (!disk_name(d, name))
		return -1;
	for (unsigned i = 0; i < nr_files; i++)
		if (!strcmp(files[i].name, name))
			return (int)i;
	return -1;
}

/* Version 4: says of each disk of the table not looked at yet whether it
 * is served (public/svc_ring.h, enum svc_disk_state), then rings the
 * doorbell so the hypervisor starts or stops the VMs waiting for them. */
static void publish_disk_states(void)
{
	unsigned said = 0;

	for (uint32_t d = 0; d < SVC_MAX_DISKS; d++) {
		uint64_t at = HDR(disk_state) + d * sizeof(uint32_t);
		char name[SVC_DISK_NAME];
		uint32_t st = SVC_DISK_READY;
		int f;

		if (!disk_name(d, name))
			break;
		if (ld32(at) != SVC_DISK_PENDING)
			continue;
		for (unsigned i = 0; i < nr_refused; i++)
			if (!strcmp(refused[i], name))
				st = SVC_DISK_REFUSED;
		f = file_of(d);
		if (st == SVC_DISK_READY && f < 0)
			st = SVC_DISK_MISSING;
		else if (st == SVC_DISK_READY &&
			 files[f].bytes / 512U < ld64(HDR(disks) + d * sizeof(struct svc_disk_desc) +
						     offsetof(struct svc_disk_desc, sectors)))
			st = SVC_DISK_SMALL;
		st32(at, st);
		fprintf(stderr, "bulkhead-svcd: disk %s: %s\n", name,
			st == SVC_DISK_READY ? "served" : st == SVC_DISK_REFUSED ? "refused" :
			st == SVC_DISK_MISSING ? "no file" : "file smaller than the disk");
		said++;
	}
	if (said)
		*(volatile uint32_t *)(regs + SVC_REG_DOORBELL) = 1;
}

static bool full_io(int fd, bool write, uint8_t *p, uint32_t len, off_t off)
{
	while (len) {
		ssize_t n = write ? pwrite(fd, p, len, off) : pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (uint32_t)n;
		off += n;
	}
	return true;
}

/* Serves one request; returns its status and sets *len. */
static uint32_t serve(const struct svc_req *q, uint32_t *len)
{
	int f = file_of(q->disk);
	uint64_t bytes = (uint64_t)q->nr_sectors * 512U;

	*len = 0;
	if (f < 0 || q->slot >= SVC_RING_ENTRIES || bytes > SVC_SLOT_BYTES)
		return SVC_ST_IOERR;
	if (q->op == SVC_OP_FLUSH)
		return fsync(files[f].fd) == 0 ? SVC_ST_OK : SVC_ST_IOERR;
	if (q->sector > files[f].bytes / 512U || q->nr_sectors > files[f].bytes / 512U - q->sector)
		return SVC_ST_IOERR;
	if (q->op == SVC_OP_READ) {
		if (!full_io(files[f].fd, false, buf, (uint32_t)bytes, (off_t)(q->sector * 512U)))
			return SVC_ST_IOERR;
		slot_write(q->slot, buf, (uint32_t)bytes);
	} else if (q->op == SVC_OP_WRITE) {
		slot_read(q->slot, buf, (uint32_t)bytes);
		if (!full_io(files[f].fd, true, buf, (uint32_t)bytes, (off_t)(q->sector * 512U)))
			return SVC_ST_IOERR;
	} else {
		return SVC_ST_UNSUPP;
	}
	*len = (uint32_t)bytes;
	return SVC_ST_OK;
}

static void answer(uint64_t id, uint32_t status, uint32_t len)
{
	uint32_t prod = ld32(HDR(rsp_prod));
	uint64_t e = SVC_RSP_OFF + (uint64_t)(prod % SVC_RING_ENTRIES) * sizeof(struct svc_rsp);

	/* room: at most SVC_RING_ENTRIES answers not yet taken */
	for (int spin = 0; prod - ld32(HDR(rsp_cons)) >= SVC_RING_ENTRIES && spin < 1000; spin++) {
		*(volatile uint32_t *)(regs + SVC_REG_DOORBELL) = 1;
		usleep(1000);
	}
	st64(e + offsetof(struct svc_rsp, id), id);
	st32(e + offsetof(struct svc_rsp, status), status);
	st32(e + offsetof(struct svc_rsp, len), len);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st32(HDR(rsp_prod), prod + 1);
}

static void answer_evil(uint64_t id, uint32_t status, uint32_t len)
{
	switch (evil_turn++ % 4) {
	case 0:
		answer(id, status, len + 512);          /* wrong length: that request fails */
		break;
	case 1:
		answer(id ^ (1ULL << 63), status, len); /* unknown id: ignored */
		answer(id, status, len);
		break;
	case 2:
		answer(id, 0xbad, len);                 /* status out of range: fails */
		break;
	default:
		answer(id, status, len);
	}
}

/* Takes every posted request; returns how many. */
static unsigned drain(void)
{
	unsigned n = 0;

	/* An empty poll costs no exit: the ack (a trapped register) only when
	 * there is something to take, and before taking it. */
	if (ld32(HDR(req_cons)) == ld32(HDR(req_prod)))
		return 0;
	*(volatile uint32_t *)(regs + SVC_REG_ACK) = 1;
	for (;;) {
		uint32_t cons = ld32(HDR(req_cons)), prod = ld32(HDR(req_prod));
		uint64_t e = SVC_REQ_OFF + (uint64_t)(cons % SVC_RING_ENTRIES) * sizeof(struct svc_req);
		struct svc_req q;
		uint32_t st, len;

		if (cons == prod)
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		q.id = ld64(e + offsetof(struct svc_req, id));
		q.disk = ld32(e + offsetof(struct svc_req, disk));
		q.op = ld32(e + offsetof(struct svc_req, op));
		q.sector = ld64(e + offsetof(struct svc_req, sector));
		q.nr_sectors = ld32(e + offsetof(struct svc_req, nr_sectors));
		q.slot = ld32(e + offsetof(struct svc_req, slot));
		st32(HDR(req_cons), cons + 1);
		st = serve(&q, &len);
		if (evil)
			answer_evil(q.id, st, len);
		else
			answer(q.id, st, len);
		n++;
	}
	if (n)
		*(volatile uint32_t *)(regs + SVC_REG_DOORBELL) = 1;
	return n;
}

static volatile uint8_t *map_bar(const char *dev, int bar, size_t len)
{
	char path[512];
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/resource%d", dev, bar);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0) {
		fprintf(stderr, "bulkhead-svcd: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		fprintf(stderr, "bulkhead-svcd: mmap %s: %s\n", path, strerror(errno));
		return NULL;
	}
	return p;
}

/* The sysfs directory of the ring function, in *dev. */
static bool find_device(char *dev, size_t size)
{
	const char *base = "/sys/bus/pci/devices";
	DIR *d = opendir(base);
	struct dirent *e;

	if (!d)
		return false;
	while ((e = readdir(d))) {
		char path[512], id[32] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/vendor", base, e->d_name);
		f = fopen(path, "r");
		if (!f || !fgets(id, sizeof(id), f) || strtoul(id, NULL, 16) != SVC_PCI_VENDOR) {
			if (f)
				fclose(f);
			continue;
		}
		fclose(f);
		snprintf(path, sizeof(path), "%s/%s/device", base, e->d_name);
		f = fopen(path, "r");
		if (f && fgets(id, sizeof(id), f) && strtoul(id, NULL, 16) == SVC_PCI_DEVICE) {
			fclose(f);
			snprintf(dev, size, "%s/%s", base, e->d_name);
			closedir(d);
			return true;
		}
		if (f)
			fclose(f);
	}
	closedir(d);
	return false;
}

static int usage(void)
{
	fprintf(stderr, "usage: bulkhead-svcd [--evil] [--once] [--poll] [--hv-status FILE] [--lock-when FILE] [--lock-lease FILE] "
		"[--uplink IFNAME [--uplink-bad]] [--refused NAME]... NAME=FILE...\n       bulkhead-svcd --ctl-raw WORD\n");
	return 2;
}

int main(int argc, char **argv)
{
	char dev[512], path[600];
	const char *hv_status = NULL, *lock_when = NULL, *lock_lease = NULL, *raw = NULL, *uplink = NULL;
	bool uplink_bad = false;
	bool once = false, poll_only = false;
	int fd;

	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		struct stat st;

		if (!strcmp(argv[i], "--evil")) {
			evil = true;
			continue;
		}
		if (!strcmp(argv[i], "--poll")) {
			poll_only = true;
			continue;
		}
		if (!strcmp(argv[i], "--once")) {
			once = true;
			continue;
		}
		if (i + 1 < argc && !strcmp(argv[i], "--hv-status")) {
			hv_status = argv[++i];
			continue;
		}
		if (i + 1 < argc && !strcmp(argv[i], "--lock-when")) {
			lock_when = argv[++i];
			continue;
		}
		if (i + 1 < argc && !strcmp(argv[i], "--lock-lease")) {
			lock_lease = argv[++i];
			continue;
		}
		if (!strcmp(argv[i], "--uplink-bad")) {
			uplink_bad = true;
			continue;
		}
		if (i + 1 < argc && !strcmp(argv[i], "--uplink")) {
			uplink = argv[++i];
			continue;
		}
		if (i + 1 < argc && !strcmp(argv[i], "--refused")) {
			if (nr_refused == MAX_FILES)
				return usage();
			refused[nr_refused++] = argv[++i];
			continue;
		}
		if (i + 1 < argc && !strcmp(argv[i], "--ctl-raw")) {
			raw = argv[++i];
			continue;
		}
		if (!eq || eq == argv[i] || nr_files == MAX_FILES)
			return usage();
		*eq = '\0';
		files[nr_files].name = argv[i];
		files[nr_files].path = eq + 1;
		files[nr_files].fd = open(eq + 1, O_RDWR);
		if (files[nr_files].fd < 0 || fstat(files[nr_files].fd, &st)) {
			fprintf(stderr, "bulkhead-svcd: %s: %s\n", eq + 1, strerror(errno));
			return 1;
		}
		files[nr_files].bytes = (uint64_t)st.st_size;
		if (S_ISBLK(st.st_mode) &&
		    ioctl(files[nr_files].fd, BLKGETSIZE64, &files[nr_files].bytes)) {
			fprintf(stderr, "bulkhead-svcd: %s: BLKGETSIZE64: %s\n", eq + 1, strerror(errno));
			return 1;
		}
		nr_files++;
	}
	if (!find_device(dev, sizeof(dev))) {
		fprintf(stderr, "bulkhead-svcd: no bulkhead service ring (%04x:%04x) in sysfs\n",
			SVC_PCI_VENDOR, SVC_PCI_DEVICE);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/enable", dev);
	fd = open(path, O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			fprintf(stderr, "bulkhead-svcd: %s: %s\n", path, strerror(errno));
		close(fd);
	}
	regs = map_bar(dev, 0, SVC_REGS_BYTES);
	if (regs && raw)
		return ctl_raw(regs, (uint32_t)strtoul(raw, NULL, 0));
	ring = map_bar(dev, 2, SVC_RING_BYTES);
	if (!regs || !ring)
		return 1;
	if (*(volatile uint32_t *)(regs + SVC_REG_MAGIC) != SVC_MAGIC ||
	    ld32(HDR(version)) != SVC_VERSION) {
		fprintf(stderr, "bulkhead-svcd: %s is not a version %u service ring\n", dev, SVC_VERSION);
		return 1;
	}
	fprintf(stderr, "bulkhead-svcd: serving %u file(s) on %s%s\n", nr_files, dev,
		evil ? " (evil answers)" : "");
	ctl_init(regs, hv_status, lock_when, lock_lease);
	if (uplink && net_init(regs, ring, uplink))
		return 1;
	if (uplink && uplink_bad)
		net_post_bad();
	if (!once)
		wait_init(dev, regs, poll_only);
	for (;;) {
		unsigned moved;

		publish_disk_states();
		ctl_tick();
		moved = net_tick(); /* the uplink's frames, both ways */
		if (drain() == 0 && moved == 0) {
			if (once)
				return 0;
			/* the control channel's tick is due at most 1 s later */
			wait_for_work(net_fd(), 1000);
		}
	}
}
