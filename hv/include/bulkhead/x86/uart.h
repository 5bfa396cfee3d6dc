/* The physical 16550 UART the hypervisor uses as its console. */
#ifndef BULKHEAD_X86_UART_H
#define BULKHEAD_X86_UART_H

#include <bulkhead/types.h>

#define COM1_PORT 0x3f8

void uart_init(u16 port);
void uart_putc(u16 port, char c);
int uart_getc(u16 port); /* -1 when nothing is waiting */

#endif
