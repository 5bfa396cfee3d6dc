/* Exit handling in the core: one handler per neutral exit code. */
#ifndef BULKHEAD_EXIT_H
#define BULKHEAD_EXIT_H

#include <bulkhead/vm.h>

typedef void exit_handler_fn(struct vcpu *v, const struct vm_exit *e);

void exit_dispatch(struct vcpu *v, const struct vm_exit *e);

exit_handler_fn exit_handle_io;
exit_handler_fn exit_handle_mmio;
exit_handler_fn exit_handle_cpuid;
exit_handler_fn exit_handle_msr;
exit_handler_fn exit_handle_rdpmc;
exit_handler_fn exit_handle_xsetbv;

#endif
