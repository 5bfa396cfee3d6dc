/* The service VM's control channel (public/svc_ring.h, version 2): the
 * command word it writes, checked here, and the status area the
 * hypervisor fills. Pure (hv/dev/svc/svc_ctl.c), so a unit test runs it;
 * hv/dev/svc/svc_dev.c carries the commands out. */
#ifndef BULKHEAD_SVC_CTL_H
#define BULKHEAD_SVC_CTL_H

#include <bulkhead/types.h>
#include <public/svc_ring.h>

/* A command word from the service VM, hostile: SVC_CTL_OK with *cmd and
 * *reason set, or why it is refused (*cmd, *reason untouched). */
enum svc_ctl_result svc_ctl_decode(u32 word, u32 *cmd, u32 *reason);
/* The log's words for a valid reason ("device revoked", ...). */
const char *svc_ctl_reason_name(u32 reason);

/* What the status area says of one VM. */
struct svc_ctl_vm {
	const char *name;
	u32 role, state; /* enum svc_vm_role, enum svc_vm_state */
	bool locked;
	u64 uptime_s;
};

/* Lays out a fresh snapshot in st: seq, the hypervisor's version, the
 * first SVC_STATUS_VMS of n VMs (names cut to SVC_STATUS_NAME - 1
 * characters, NUL-padded), refused. */
void svc_ctl_fill(struct svc_hv_status *st, u32 seq, const char *hv_version,
		  const struct svc_ctl_vm *vms, u32 n, u32 refused);

#endif
