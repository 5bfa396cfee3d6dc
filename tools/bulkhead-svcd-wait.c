/* bulkhead-svcd's wait for work (bulkhead-svcd-wait.h).
 *
 * The ring function asserts INTx (pin A) when the hypervisor posts block
 * requests or frames for the wire, until the daemon writes ACK
 * (public/svc_ring.h). uio_pci_generic gives that line to userspace:
 * its handler masks INTx with the command register's INTx-disable bit
 * (PCI 3.0 6.2.2) when the status register's Interrupt Status bit is set,
 * and counts the interrupt for a read(2) of /dev/uioN; the daemon unmasks
 * it again by clearing that bit through sysfs's config file (uio_pci_generic
 * has no irqcontrol: a write(2) to /dev/uioN fails with ENOSYS; Linux's
 * Documentation/driver-api/uio-howto.rst). The order that loses no wake-up: the caller
 * has found the rings empty; we unmask, then sleep in poll(2). A request
 * posted in between keeps the line asserted (it is level, and only the
 * ACK drops it), so the unmask raises the interrupt at once. After a
 * wake-up we ACK before the caller looks at the rings: work posted after
 * the ACK asserts the line again, work before it is seen by the caller.
 * (An interrupt for work the caller already took, posted while it was
 * draining, costs one empty round, not a lost request.)
 *
 * Without uio_pci_generic (or with --poll) the daemon polls with a 1 ms
 * sleep between empty rounds, as before. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <public/svc_ring.h>
#include "bulkhead-svcd-wait.h"

#define PCI_COMMAND 4
#define PCI_COMMAND_INTX_DISABLE 0x400U

static int uio_fd = -1, cfg_fd = -1;
static volatile uint8_t *bar0;

static bool write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok;
}

/* The uioN the function got from uio_pci_generic, by sysfs. */
static bool uio_name(const char *dev, char *name, size_t size)
{
	char path[600];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/uio", dev);
	d = opendir(path);
	if (!d)
		return false;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "uio", 3) && strlen(e->d_name) < size) {
			memcpy(name, e->d_name, strlen(e->d_name) + 1);
			closedir(d);
			return true;
		}
	closedir(d);
	return false;
}

bool wait_init(const char *dev, volatile uint8_t *regs, bool poll_only)
{
	const char *bdf = strrchr(dev, '/') + 1;
	char path[600], name[64], uio[80];

	bar0 = regs;
	if (poll_only) {
		fprintf(stderr, "bulkhead-svcd: waiting by polling every 1 ms (--poll)\n");
		return false;
	}
	if (!uio_name(dev, name, sizeof(name))) {
		/* driver_override: only this function, whatever its IDs */
		snprintf(path, sizeof(path), "%s/driver_override", dev);
		if (!write_str(path, "uio_pci_generic") ||
		    !write_str("/sys/bus/pci/drivers_probe", bdf) || !uio_name(dev, name, sizeof(name))) {
			fprintf(stderr, "bulkhead-svcd: waiting by polling every 1 ms (binding %s to "
				"uio_pci_generic failed: is the module loaded?)\n", bdf);
			return false;
		}
	}
	snprintf(uio, sizeof(uio), "/dev/%s", name);
	snprintf(path, sizeof(path), "%s/config", dev);
	uio_fd = open(uio, O_RDONLY | O_CLOEXEC);
	cfg_fd = open(path, O_RDWR | O_CLOEXEC);
	if (uio_fd < 0 || cfg_fd < 0) {
		fprintf(stderr, "bulkhead-svcd: waiting by polling every 1 ms (%s: %s)\n",
			uio_fd < 0 ? uio : path, strerror(errno));
		if (uio_fd >= 0)
			close(uio_fd);
		uio_fd = -1;
		return false;
	}
	fprintf(stderr, "bulkhead-svcd: waiting on the ring's INTx through %s\n", uio);
	return true;
}

/* Clears the command register's INTx-disable bit, which the handler set. */
static bool unmask_intx(void)
{
	uint16_t cmd;

	if (pread(cfg_fd, &cmd, 2, PCI_COMMAND) != 2)
		return false;
	if (!(cmd & PCI_COMMAND_INTX_DISABLE))
		return true;
	cmd &= (uint16_t)~PCI_COMMAND_INTX_DISABLE;
	return pwrite(cfg_fd, &cmd, 2, PCI_COMMAND) == 2;
}

void wait_for_work(int extra_fd, int timeout_ms)
{
	struct pollfd p[2] = { { uio_fd, POLLIN, 0 }, { extra_fd, POLLIN, 0 } };
	uint32_t count;

	if (uio_fd < 0) {
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
		return;
	}
	if (!unmask_intx()) {
		static bool said; /* the wake-ups stop: say so, once */

		if (!said)
			fprintf(stderr, "bulkhead-svcd: unmasking INTx: %s\n", strerror(errno));
		said = true;
	}
	if (poll(p, extra_fd >= 0 ? 2 : 1, timeout_ms) > 0 && (p[0].revents & POLLIN) &&
	    read(uio_fd, &count, sizeof(count)) == sizeof(count))
		*(volatile uint32_t *)(bar0 + SVC_REG_ACK) = 1;
}
