/* Ending the run, normally or on the hypervisor's own bug; the operator's
 * stop and restart of one VM. */
#include <stdarg.h>
#include <bulkhead/console.h>
#include <bulkhead/hv.h>
#include <bulkhead/x86/cpu.h>
#include <bulkhead/x86/io.h>

static u16 exit_port;

void hv_set_exit_port(u16 port)
{
	exit_port = port;
}

void hv_stop(enum hv_status status)
{
	printf("bulkhead: stopping, status %s\n", status == HV_PASS ? "PASS" : "FAIL");
	if (exit_port)
		outb(exit_port, status == HV_PASS ? HV_EXIT_CODE_PASS : HV_EXIT_CODE_FAIL);
	cpu_halt_forever();
}

void hv_panic(const char *fmt, ...)
{
	va_list ap;

	printf("bulkhead: PANIC: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	hv_stop(HV_FAIL);
}
