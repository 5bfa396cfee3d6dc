/* bulkhead-svcd's control channel (bulkhead-svcd-ctl.h).
 *
 * --hv-status FILE: every CTL_PERIOD_MS the daemon reads the hypervisor's
 * status area (its first dword takes the snapshot) and writes
 *   {"hypervisor": VERSION, "vms": [{"name", "state", "uptime_s"[, "locked": true]}, ...]}
 * to FILE, through FILE.tmp and rename(2), so a reader (bulkhead-sync
 * checkin --hv-status FILE) never sees half a file. A locked VM keeps the
 * state the hypervisor has for it (running: paused) and says locked.
 *
 * --lock-when FILE: once FILE exists (the fleet client's STATE_DIR/revoked)
 * the daemon sends SVC_CTL_LOCK with the reason "device revoked", once per
 * daemon run: the hypervisor keeps the lock until it boots again, and a
 * daemon started again (a restarted service VM) sends it again, so the
 * lock lasts as long as the file does.
 *
 * --lock-lease FILE: the same for the fleet client's STATE_DIR/lease-expired
 * (bulkhead-sync lease, fleet/sync_lease.c: the work role's offline lease
 * has run out), with the reason "lease expired". */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <public/svc_ring.h>
#include "bulkhead-svcd-ctl.h"

#define CTL_PERIOD_MS 2000

static volatile uint8_t *bar0;
static const char *status_path;
/* The lock triggers: a file whose existence asks for SVC_CTL_LOCK. */
static struct lock_trigger {
	const char *path;
	uint32_t reason; /* enum svc_ctl_reason */
	const char *why;
	bool sent; /* once per daemon run: a refusal would not change on a retry */
} triggers[] = {
	{ NULL, SVC_CTL_REVOKED, "device revoked", false },
	{ NULL, SVC_CTL_LEASE_EXPIRED, "lease expired", false },
};
static uint64_t next_ms;

static uint32_t rd(uint32_t off) { return *(volatile uint32_t *)(bar0 + off); }

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The status area, dword by dword, seq first (the snapshot). */
static void read_status(struct svc_hv_status *st)
{
	uint32_t w[sizeof(*st) / 4];

	for (uint32_t i = 0; i < sizeof(*st) / 4; i++)
		w[i] = rd(SVC_STATUS_OFF + i * 4);
	memcpy(st, w, sizeof(*st));
}

/* A JSON string of at most max bytes of s: printable ASCII, escaped;
 * anything else as '?' (the check-in wants printable ASCII). */
static void put_str(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else
			fputc(c >= 0x20 && c < 0x7f ? c : '?', f);
	}
	fputc('"', f);
}

static const char *state_name(uint32_t s)
{
	static const char *const names[] = { "running", "exited", "stopped", "off" };

	return s < 4 ? names[s] : "stopped";
}

static void write_status(void)
{
	struct svc_hv_status st;
	char tmp[4096];
	FILE *f;
	uint32_t n;

	read_status(&st);
	n = st.nr_vms < SVC_STATUS_VMS ? st.nr_vms : SVC_STATUS_VMS;
	snprintf(tmp, sizeof(tmp), "%s.tmp", status_path);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "bulkhead-svcd: %s: %s\n", tmp, strerror(errno));
		return;
	}
	fprintf(f, "{\"hypervisor\": ");
	put_str(f, st.hypervisor[0] ? st.hypervisor : "unknown", SVC_STATUS_HV);
	fprintf(f, ", \"vms\": [");
	for (uint32_t i = 0; i < n; i++) {
		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		put_str(f, st.vms[i].name, SVC_STATUS_NAME);
		fprintf(f, ", \"state\": \"%s\", \"uptime_s\": %llu%s}", state_name(st.vms[i].state),
			(unsigned long long)st.vms[i].uptime_s, st.vms[i].locked ? ", \"locked\": true" : "");
	}
	fprintf(f, "]}\n");
	if (fflush(f) || fsync(fileno(f)) || fclose(f) || rename(tmp, status_path)) {
		fprintf(stderr, "bulkhead-svcd: writing %s: %s\n", status_path, strerror(errno));
		unlink(tmp);
	}
}

static const char *result_name(uint32_t r)
{
	switch (r) {
	case SVC_CTL_OK:
		return "ok";
	case SVC_CTL_BAD_CMD:
		return "refused: unknown command";
	case SVC_CTL_BAD_REASON:
		return "refused: unknown reason";
	case SVC_CTL_BAD_WORD:
		return "refused: reserved bits set";
	default:
		return "no answer";
	}
}

static uint32_t send_cmd(uint32_t word)
{
	*(volatile uint32_t *)(bar0 + SVC_REG_CTL_CMD) = word;
	return rd(SVC_REG_CTL_RESULT);
}

void ctl_init(volatile uint8_t *regs, const char *hv_status, const char *lock_when, const char *lock_lease)
{
	bar0 = regs;
	status_path = hv_status;
	triggers[0].path = lock_when;
	triggers[1].path = lock_lease;
}

void ctl_tick(void)
{
	uint64_t now = now_ms();

	if (now < next_ms)
		return;
	next_ms = now + CTL_PERIOD_MS;
	for (size_t i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++) {
		struct lock_trigger *t = &triggers[i];
		uint32_t r;

		if (!t->path || t->sent || access(t->path, F_OK))
			continue;
		r = send_cmd(SVC_CTL_CMD(SVC_CTL_LOCK, t->reason));
		t->sent = true;
		fprintf(stderr, "bulkhead-svcd: %s exists: lock the managed VMs (%s): %s\n", t->path, t->why,
			result_name(r));
	}
	if (status_path)
		write_status();
}

int ctl_raw(volatile uint8_t *regs, uint32_t word)
{
	uint32_t r;

	bar0 = regs;
	r = send_cmd(word);
	printf("bulkhead-svcd: control command %#x: %s (%u refused so far)\n", word, result_name(r),
	       rd(SVC_REG_CTL_REFUSED));
	return r == SVC_CTL_OK ? 0 : 1;
}
