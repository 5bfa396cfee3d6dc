/* Polled driver for the physical 16550 UART (PC16550D data sheet). */
#include <bulkhead/x86/io.h>
#include <bulkhead/x86/uart.h>

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_RBR 0 /* receive buffer (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR   0x01
#define LSR_THRE 0x20

void uart_init(u16 port)
{
	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, 0x80); /* DLAB */
	outb(port + UART_DLL, 1);    /* 115200 baud */
	outb(port + UART_DLM, 0);
	outb(port + UART_LCR, 0x03); /* 8N1 */
	outb(port + UART_FCR, 0x07); /* FIFOs on, cleared */
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
}

void uart_putc(u16 port, char c)
{
	/* Bounded: a missing UART reads 0xff (THRE set) and never blocks us. */
	for (int i = 0; i < 100000 && !(inb(port + UART_LSR) & LSR_THRE); i++)
		;
	outb(port + UART_THR, (u8)c);
}

int uart_getc(u16 port)
{
	u8 lsr = inb(port + UART_LSR);

	if (lsr == 0xff || !(lsr & LSR_DR))
		return -1;
	return inb(port + UART_RBR);
}
