/* Crashes its VM: with an empty IDT, INT3 cannot be delivered (#GP), nor can
 * the #GP or the resulting #DF: a triple fault (shutdown). The hypervisor
 * must stop this VM and only this VM. */
#include "guest.h"

const char guest_name[] = "triple-fault";

void guest_main(void)
{
	printf("triple-fault: loading an empty IDT, then int3\n");
	idt_load_empty();
	asm volatile("int3");
	/* not reached */
	printf("triple-fault: still running after int3\n");
	test_exit(EXIT_FAIL);
}
