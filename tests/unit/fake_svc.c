/* The service VM's side of the ring for host tests of the forwarding back
 * end (hv/dev/svc/svc_blk.c): the ring device's three calls
 * (bulkhead/svc.h) over a ring in a host buffer. fake_svc_up() lays out a
 * live ring; before it, and after fake_svc_down(), there is no service VM
 * and forwarded requests fail. The test plays the daemon on fake_svc_mem.
 * Every disk's state is fake_svc_disk_state (READY unless a test says). */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/svc.h>
#include "fake_svc.h"

struct svc_ring fake_svc_ring;
u8 *fake_svc_mem;
unsigned fake_svc_kicks;
u32 fake_svc_disk_state = SVC_DISK_READY;
static bool up;
static u32 gen;
static struct { char name[SVC_DISK_NAME]; u64 sectors; } disks[SVC_MAX_DISKS];
static u32 nr;

void fake_svc_up(void)
{
	if (!fake_svc_mem)
		fake_svc_mem = calloc(1, SVC_RING_BYTES);
	svc_ring_abort(&fake_svc_ring, "fresh ring");
	svc_ring_init(&fake_svc_ring, fake_svc_mem, ++gen);
	for (u32 i = 0; i < nr; i++)
		if (!svc_ring_add_disk(&fake_svc_ring, disks[i].name, disks[i].sectors))
			abort();
	up = true;
	svc_blk_service_changed("svc");
}

void fake_svc_down(void)
{
	up = false;
	svc_ring_abort(&fake_svc_ring, "service VM stopped");
	svc_blk_service_changed("svc");
}

struct svc_ring *svc_ring_live(void)
{
	return up && !fake_svc_ring.broken ? &fake_svc_ring : NULL;
}

bool svc_service_up(void)
{
	return up;
}

void svc_ring_kick(void)
{
	fake_svc_kicks++;
}

int svc_disk_register(const char *name, u64 sectors)
{
	u32 i;

	for (i = 0; i < nr; i++)
		if (!strcmp(disks[i].name, name))
			return disks[i].sectors == sectors ? (int)i : -1;
	if (nr == SVC_MAX_DISKS || strlen(name) >= SVC_DISK_NAME)
		return -1;
	strcpy(disks[i].name, name);
	disks[i].sectors = sectors;
	nr++;
	if (up && !svc_ring_add_disk(&fake_svc_ring, name, sectors))
		return -1;
	return (int)i;
}

u32 svc_disk_state(u32 disk)
{
	(void)disk;
	return fake_svc_disk_state;
}

const char *svc_disk_name(u32 disk)
{
	return disk < nr ? disks[disk].name : "?";
}
