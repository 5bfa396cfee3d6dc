/* The control channel's pure parts (svc_ctl.h): the command word's check
 * and the status area's layout. */
#include <bulkhead/string.h>
#include <bulkhead/svc_ctl.h>

enum svc_ctl_result svc_ctl_decode(u32 word, u32 *cmd, u32 *reason)
{
	u32 c = word & 0xffU, r = word >> 8 & 0xffU;

	if (word >> 16)
		return SVC_CTL_BAD_WORD;
	if (c != SVC_CTL_LOCK)
		return SVC_CTL_BAD_CMD;
	if (r == 0 || r > SVC_CTL_REASON_MAX)
		return SVC_CTL_BAD_REASON;
	*cmd = c;
	*reason = r;
	return SVC_CTL_OK;
}

const char *svc_ctl_reason_name(u32 reason)
{
	switch (reason) {
	case SVC_CTL_REVOKED:
		return "device revoked";
	case SVC_CTL_LEASE_EXPIRED:
		return "lease expired";
	default:
		return "?";
	}
}

/* Copies at most size - 1 bytes of s into a zeroed field of size bytes. */
static void put_name(char *dst, u32 size, const char *s)
{
	size_t n = strnlen(s, size - 1);

	memset(dst, 0, size);
	memcpy(dst, s, n);
}

void svc_ctl_fill(struct svc_hv_status *st, u32 seq, const char *hv_version,
		  const struct svc_ctl_vm *vms, u32 n, u32 refused)
{
	memset(st, 0, sizeof(*st));
	st->seq = seq;
	st->nr_vms = n < SVC_STATUS_VMS ? n : SVC_STATUS_VMS;
	st->vm_bytes = sizeof(struct svc_vm_status);
	st->refused = refused;
	put_name(st->hypervisor, SVC_STATUS_HV, hv_version);
	for (u32 i = 0; i < st->nr_vms; i++) {
		struct svc_vm_status *e = &st->vms[i];

		put_name(e->name, SVC_STATUS_NAME, vms[i].name);
		e->role = vms[i].role;
		e->state = vms[i].state;
		e->locked = vms[i].locked;
		e->uptime_s = vms[i].state == SVC_VM_RUNNING ? vms[i].uptime_s : 0;
	}
}
