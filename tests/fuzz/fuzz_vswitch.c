/* libFuzzer target: the virtual switch (hv/net/vswitch*.c) fed arbitrary
 * frames from arbitrary ports under a policy the input picks. Whatever it
 * forwards must be a frame of the sender's, of a legal length, with the
 * sender's configured MAC as source (unless from the uplink), to a port
 * the policy allows; the counters must add up.
 * Input: byte 0 the policy's allowed pairs over four endpoints (6 bits),
 * then records of [port (1 byte), length (2 bytes LE), frame bytes]. */
#include <stdlib.h>
#include <string.h>
#include <bulkhead/vswitch.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NR 4 /* three VMs and the uplink (3) */

struct nic {
	struct net_port port;
	u64 got;
};

static struct vswitch sw;
static struct nic nic[NR];
static unsigned sender;
static const u8 *sent;
static u32 sent_len;

static bool deliver(void *dev, const u8 *frame, u32 len)
{
	struct nic *n = dev;
	unsigned me = (unsigned)(n - nic);

	if (frame != sent || len != sent_len || len < NET_FRAME_MIN || len > NET_FRAME_MAX)
		abort();
	if (me == sender || !vs_policy_allowed(&sw.pol, sender, me))
		abort();
	if (sender != 3 && memcmp(frame + 6, sw.pol.ep[sender].mac, 6))
		abort();
	n->got++;
	return (frame[13] & 1U) == 0; /* sometimes "no room" */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[NR] = { "a", "b", "c", VS_UPLINK_NAME };
	static const unsigned pairs[6][2] = { { 0, 1 }, { 0, 2 }, { 1, 2 }, { 0, 3 }, { 1, 3 }, { 2, 3 } };
	struct vs_policy pol;
	u64 delivered = 0, tx = 0;

	if (size < 1)
		return 0;
	memset(&pol, 0, sizeof(pol));
	memset(nic, 0, sizeof(nic));
	for (unsigned i = 0; i < NR; i++) {
		u8 mac[6] = { 0x02, 0, 0, 0, 0, (u8)(i + 1) };
		vs_policy_add(&pol, names[i], i == 3 ? NULL : mac, i == 3);
		memcpy(nic[i].port.mac, mac, 6);
	}
	for (unsigned k = 0; k < 6; k++)
		if (data[0] >> k & 1U)
			vs_policy_allow(&pol, pairs[k][0], pairs[k][1]);
	vswitch_init(&sw, &pol);
	for (unsigned i = 0; i < NR; i++) {
		nic[i].port.deliver = deliver;
		nic[i].port.dev = &nic[i];
		if (i < 3 && !vswitch_attach(&sw, names[i], &nic[i].port))
			abort();
	}
	if (!vswitch_attach_uplink(&sw, &nic[3].port) || nic[3].port.index != 3)
		abort();
	data++;
	size--;
	while (size >= 3) {
		u32 len = (u32)data[1] | (u32)data[2] << 8;

		sender = data[0] % NR;
		data += 3;
		size -= 3;
		if (len > size)
			len = (u32)size;
		sent = data;
		sent_len = len;
		vswitch_send(&sw, &nic[sender].port, data, len);
		data += len;
		size -= len;
	}
	for (unsigned i = 0; i < NR; i++) {
		struct net_port *p = &nic[i].port;
		u64 in = 0;

		if (p->rx_frames + p->rx_dropped != nic[i].got)
			abort();
		for (unsigned j = 0; j < NR; j++) {
			in += sw.delivered[j][i];
			if (sw.delivered[j][i] && !vs_policy_allowed(&sw.pol, j, i))
				abort();
		}
		if (in != p->rx_frames || sw.sent[i] != p->tx_frames || sw.no_room[i] != p->rx_dropped)
			abort();
		delivered += nic[i].got;
		tx += p->tx_frames;
	}
	if (tx == 0 && delivered != 0)
		abort();
	return 0;
}
