/* bulkhead-svcd's uplink: a userspace bridge between the service ring's
 * frame rings (public/svc_ring.h, "The frame rings") and a NIC the
 * service VM owns (docs/networking.md, "Uplink").
 *   out ring -> the NIC: each frame the switch sent to the uplink is
 *     written unchanged to an AF_PACKET socket bound to the NIC, so the
 *     VMs' own MACs appear on the wire;
 *   the NIC -> in ring: the socket is in promiscuous mode (packet(7),
 *     PACKET_MR_PROMISC) and takes every frame the NIC receives, whatever
 *     its destination; frames this host sends itself are not taken
 *     (PACKET_IGNORE_OUTGOING). Each is posted into the in ring, and the
 *     doorbell is written once after a batch. A frame longer than 1514
 *     bytes (e.g. merged by GRO, which is turned off at start when the
 *     driver lets it) is dropped and counted.
 * The switch decides who gets a frame from the wire (its policy); frames
 * for the service VM's own MAC reach its own stack as before, and the
 * switch drops its copy (no VM has that MAC).
 * As in bulkhead-svcd.c, BAR 2 is touched only by aligned 4- and 8-byte
 * volatile loads and stores. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <public/svc_ring.h>
#include "bulkhead-svcd-net.h"

#define FRAME_MAX 1514U
#define FRAME_MIN 14U
#define NHDR(field) (SVC_NET_HDR_OFF + offsetof(struct svc_net_hdr, field))

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

static volatile uint8_t *regs, *ring;
static int sock = -1;
static uint64_t dropped_long;

static uint32_t ld32(uint64_t off) { return *(volatile uint32_t *)(ring + off); }
static void st32(uint64_t off, uint32_t v) { *(volatile uint32_t *)(ring + off) = v; }

static void gro_off(const char *ifname)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_SGRO, .data = 0 };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ev;
	if (ioctl(sock, SIOCETHTOOL, &ifr))
		fprintf(stderr, "bulkhead-svcd: %s: GRO not turned off (%s): merged frames "
			"will be dropped\n", ifname, strerror(errno));
}

int net_init(volatile uint8_t *r, volatile uint8_t *m, const char *ifname)
{
	struct sockaddr_ll sll;
	struct packet_mreq mr;
	int one = 1;
	unsigned idx = if_nametoindex(ifname);

	regs = r;
	ring = m;
	if (!idx) {
		fprintf(stderr, "bulkhead-svcd: %s: no such interface\n", ifname);
		return -1;
	}
	sock = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (sock < 0) {
		fprintf(stderr, "bulkhead-svcd: packet socket: %s\n", strerror(errno));
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)idx;
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = (int)idx;
	mr.mr_type = PACKET_MR_PROMISC;
	if (bind(sock, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(sock, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) ||
	    setsockopt(sock, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one))) {
		fprintf(stderr, "bulkhead-svcd: %s: %s\n", ifname, strerror(errno));
		close(sock);
		sock = -1;
		return -1;
	}
	gro_off(ifname);
	fprintf(stderr, "bulkhead-svcd: uplink on %s (promiscuous)\n", ifname);
	return 0;
}

/* Frames the switch sent to the uplink: onto the wire. */
static unsigned to_wire(void)
{
	uint64_t buf[SVC_NET_SLOT_BYTES / 8];
	uint32_t cons = ld32(NHDR(out_cons)), prod = ld32(NHDR(out_prod));
	unsigned n = 0;

	if (prod - cons > SVC_NET_ENTRIES)
		return 0; /* not the hypervisor's doing: wait for a fresh ring */
	for (; cons != prod; cons++, n++) {
		uint32_t i = cons % SVC_NET_ENTRIES;
		uint32_t len = ld32(SVC_NET_OUT_OFF + (uint64_t)i * sizeof(struct svc_frame));
		uint64_t base = SVC_NET_OUT_SLOTS + (uint64_t)i * SVC_NET_SLOT_BYTES;

		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (len < FRAME_MIN || len > FRAME_MAX)
			continue;
		for (uint32_t k = 0; k < len; k += 8)
			buf[k / 8] = *(volatile uint64_t *)(ring + base + k);
		if (send(sock, buf, len, MSG_DONTWAIT) < 0 && errno != EAGAIN && errno != ENOBUFS)
			fprintf(stderr, "bulkhead-svcd: uplink send: %s\n", strerror(errno));
	}
	st32(NHDR(out_cons), cons);
	return n;
}

/* Frames from the wire: into the in ring while it has room. */
static unsigned from_wire(void)
{
	uint64_t buf[SVC_NET_SLOT_BYTES / 8];
	uint32_t prod = ld32(NHDR(in_prod));
	unsigned n = 0;

	while (prod - ld32(NHDR(in_cons)) < SVC_NET_ENTRIES) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t got = recvfrom(sock, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
				       (struct sockaddr *)&from, &fl);
		uint32_t i = prod % SVC_NET_ENTRIES;
		uint64_t base = SVC_NET_IN_SLOTS + (uint64_t)i * SVC_NET_SLOT_BYTES;

		if (got < 0)
			break;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if ((size_t)got < FRAME_MIN || (size_t)got > FRAME_MAX) {
			if (dropped_long++ == 0)
				fprintf(stderr, "bulkhead-svcd: uplink: a %zd-byte frame from the wire "
					"dropped; further ones are only counted\n", got);
			continue;
		}
		for (uint32_t k = 0; k < (uint32_t)got; k += 8)
			*(volatile uint64_t *)(ring + base + k) = buf[k / 8];
		st32(SVC_NET_IN_OFF + (uint64_t)i * sizeof(struct svc_frame), (uint32_t)got);
		st32(SVC_NET_IN_OFF + (uint64_t)i * sizeof(struct svc_frame) + 4, 0);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		st32(NHDR(in_prod), ++prod);
		n++;
	}
	if (n)
		*(volatile uint32_t *)(regs + SVC_REG_DOORBELL) = 1;
	return n;
}

void net_post_bad(void)
{
	static const uint32_t bad[] = { 0, FRAME_MIN - 1, FRAME_MAX + 1, SVC_NET_SLOT_BYTES + 1,
					0xffffffffU };
	uint32_t prod = ld32(NHDR(in_prod));
	unsigned n = 0;

	for (unsigned k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		uint64_t e = SVC_NET_IN_OFF + (uint64_t)(prod % SVC_NET_ENTRIES) * sizeof(struct svc_frame);

		if (prod - ld32(NHDR(in_cons)) >= SVC_NET_ENTRIES)
			break;
		st32(e, bad[k]);
		st32(e + 4, 0);
		__atomic_thread_fence(__ATOMIC_RELEASE);
		st32(NHDR(in_prod), ++prod);
		n++;
	}
	*(volatile uint32_t *)(regs + SVC_REG_DOORBELL) = 1;
	fprintf(stderr, "bulkhead-svcd: uplink: %u frame(s) with bad lengths posted\n", n);
}

int net_fd(void)
{
	return sock;
}

unsigned net_tick(void)
{
	if (sock < 0)
		return 0;
	return to_wire() + from_wire();
}
