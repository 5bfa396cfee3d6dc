/* Whole-machine services: how the hypervisor ends a run. */
#ifndef BULKHEAD_HV_H
#define BULKHEAD_HV_H

#include <bulkhead/types.h>

enum hv_status {
	HV_PASS,
	HV_FAIL,
};

/* QEMU's isa-debug-exit turns a write of v into exit status (v << 1) | 1. */
#define HV_EXIT_CODE_PASS 0x10 /* QEMU exits 33 */
#define HV_EXIT_CODE_FAIL 0x11 /* QEMU exits 35 */

void hv_set_exit_port(u16 port);
/* Ends the run: reports through the exit port if one is configured (tests,
 * make run), otherwise halts this CPU for good. */
__noreturn void hv_stop(enum hv_status status);
/* For the hypervisor's own bugs only, never for anything a guest does. */
__noreturn void hv_panic(const char *fmt, ...) __printf(1, 2);

#endif
