/* Host tests run hypervisor code that finds its per-CPU area through GS
 * base (percpu.h): this gives the test process one, running vcpu. Linux
 * user space leaves GS free on x86-64 (TLS is in FS). */
#ifndef HOST_PERCPU_H
#define HOST_PERCPU_H

#include <asm/prctl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bulkhead/percpu.h>

static struct cpu host_test_cpu;

static inline void host_percpu_init(struct vcpu *running)
{
	host_test_cpu.self = &host_test_cpu;
	host_test_cpu.vcpu = running;
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, &host_test_cpu))
		abort();
}

#endif
