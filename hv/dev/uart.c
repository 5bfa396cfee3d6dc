/* 16550A UART at 0x3f8 on IRQ 4 (PC16550D data sheet; Linux's 8250 driver
 * is the client that matters). Transmission is instantaneous: each byte
 * goes to the console multiplexer as it is (focus mode filters and shows
 * it) and to a line buffer, printed on the hypervisor console as "[vm]
 * text" in log mode and searched for a kernel panic in both; input comes
 * from the physical console while this VM has the focus. */
#include <bulkhead/console.h>
#include <bulkhead/console_mux.h>
#include <bulkhead/console_partial.h>
#include <bulkhead/dev.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/string.h>

#define UART_LEN  8
#define LINE_MAX  256
#define RX_FIFO   64

#define REG_RBR 0 /* read; THR on write; DLL with DLAB */
#define REG_IER 1 /* DLM with DLAB */
#define REG_IIR 2 /* read; FCR on write */
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7

#define IER_RDI  0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI  0x08
#define IIR_NONE 0x01
#define IIR_MSI  0x00
#define IIR_THRI 0x02
#define IIR_RDI  0x04
#define IIR_FIFO 0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB 0x80
#define MCR_DTR  0x01
#define MCR_RTS  0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08 /* gates the IRQ line on PCs */
#define MCR_LOOP 0x10
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

struct uart {
	struct dev_host *host;
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thri_pending; /* THR empty interrupt not yet acknowledged */
	bool irq_level;
	u8 rx[RX_FIFO];
	u32 rx_head, rx_count;
	char line[LINE_MAX];
	u32 len;
	u32 shown;   /* bytes of line[] already on the console (a prompt) */
	struct console_partial partial;
};

static u8 uart_iir(const struct uart *u)
{
	u8 fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((u->ier & IER_RDI) && u->rx_count)
		return fifo | IIR_RDI;
	if ((u->ier & IER_THRI) && u->thri_pending)
		return fifo | IIR_THRI;
	return fifo | IIR_NONE;
}

static void update_irq(struct uart *u)
{
	bool level = !(uart_iir(u) & IIR_NONE) && (u->mcr & MCR_OUT2);

	if (level != u->irq_level) {
		u->irq_level = level;
		dev_irq_set(u->host, PC_COM1_IRQ, level);
	}
}

/* Prints what of the current line is not on the console yet (the console
 * decides whether it needs the "[vm] " prefix again). */
static void show(struct uart *u, bool newline)
{
	console_guest_write(u, u->host->name, u->line + u->shown, u->len - u->shown, newline);
	u->shown = newline ? 0 : u->len;
}

static void uart_flush(void *dev, bool idle)
{
	struct uart *u = dev;

	if (console_partial_due(&u->partial, u->len, u->shown, idle))
		show(u, false);
}

static void flush_line(struct uart *u)
{
	static const char panic[] = "Kernel panic - not syncing";

	show(u, true);
	if (u->len >= sizeof(panic) - 1) {
		for (u32 i = 0; i + sizeof(panic) - 1 <= u->len; i++) {
			if (!memcmp(u->line + i, panic, sizeof(panic) - 1)) {
				const char *why = u->line + i + sizeof(panic) - 1;

				u->line[u->len < LINE_MAX ? u->len : LINE_MAX - 1] = '\0';
				while (*why == ':' || *why == ' ')
					why++;
				dev_fail(u->host, "guest kernel panic: %s", why);
				break;
			}
		}
	}
	u->len = 0;
}

static void transmit(struct uart *u, u8 c)
{
	dev_console_output(u->host, c);
	if (c == '\n') {
		flush_line(u);
		return;
	}
	if (c == '\r')
		return;
	u->line[u->len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '?';
	if (u->len == LINE_MAX - 1) { /* a long line goes on, unbroken */
		show(u, false);
		u->len = u->shown = 0;
	}
}

static void rx_push(struct uart *u, u8 c)
{
	if (u->rx_count == RX_FIFO)
		return; /* overrun: the byte is lost, as on hardware */
	u->rx[(u->rx_head + u->rx_count) % RX_FIFO] = c;
	u->rx_count++;
}

static u8 rx_pop(struct uart *u)
{
	u8 c;

	if (!u->rx_count)
		return 0;
	c = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % RX_FIFO;
	u->rx_count--;
	return c;
}

/* Modem status: in loopback mode the outputs feed the inputs (CTS=RTS,
 * DSR=DTR, RI=OUT1, DCD=OUT2), which is how Linux probes the chip. */
static u8 uart_msr(const struct uart *u)
{
	if (u->mcr & MCR_LOOP)
		return (u8)(((u->mcr & MCR_RTS) << 3) | ((u->mcr & MCR_DTR) << 5) |
			    ((u->mcr & MCR_OUT1) << 4) | ((u->mcr & MCR_OUT2) << 4));
	return 0xb0; /* DCD, DSR, CTS: a terminal is attached */
}

static enum bus_result uart_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct uart *u = dev;
	bool dlab = u->lcr & LCR_DLAB;
	u8 v;

	if (size != 1)
		return BUS_BAD_ACCESS;
	switch (off) {
	case REG_RBR: v = dlab ? u->dll : rx_pop(u); break;
	case REG_IER: v = dlab ? u->dlm : u->ier; break;
	case REG_IIR:
		v = uart_iir(u);
		if ((v & 0x0f) == IIR_THRI)
			u->thri_pending = false; /* reading IIR acknowledges THRE */
		break;
	case REG_LCR: v = u->lcr; break;
	case REG_MCR: v = u->mcr; break;
	case REG_LSR: v = LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0); break;
	case REG_MSR: v = uart_msr(u); break;
	default:      v = u->scr; break;
	}
	*val = v;
	update_irq(u);
	return BUS_OK;
}

static enum bus_result uart_write(void *dev, u64 off, u32 size, u64 val)
{
	struct uart *u = dev;
	bool dlab = u->lcr & LCR_DLAB;
	u8 b = (u8)val;

	if (size != 1)
		return BUS_BAD_ACCESS;
	switch (off) {
	case REG_RBR:
		if (dlab) {
			u->dll = b;
		} else {
			if (u->mcr & MCR_LOOP)
				rx_push(u, b);
			else
				transmit(u, b);
			u->thri_pending = true;
		}
		break;
	case REG_IER:
		if (dlab) {
			u->dlm = b;
		} else {
			if ((b & IER_THRI) && !(u->ier & IER_THRI))
				u->thri_pending = true; /* THR is empty: interrupt at once */
			u->ier = b & 0x0f;
		}
		break;
	case REG_IIR:
		u->fcr = b & 0xc9;
		if (b & FCR_CLEAR_RX)
			u->rx_count = 0;
		break;
	case REG_LCR: u->lcr = b; break;
	case REG_MCR: u->mcr = b & 0x1f; break;
	case REG_SCR: u->scr = b; break;
	default: break; /* LSR, MSR: read-only */
	}
	if (!dev_vm_running(u->host))
		return BUS_OK;
	update_irq(u);
	return BUS_OK;
}

static void uart_reset(void *dev)
{
	struct uart *u = dev;
	struct dev_host *host = u->host;

	if (u->irq_level)
		dev_irq_set(host, PC_COM1_IRQ, false);
	/* The guest's byte stream starts afresh: CAN (ECMA-48 8.3.6) ends an
	 * escape sequence it left unfinished in the focus-mode filter. */
	dev_console_output(host, 0x18);
	*u = (struct uart){ .host = host };
}

static void uart_input(void *dev, u8 c)
{
	struct uart *u = dev;

	rx_push(u, c);
	update_irq(u);
}

static u32 uart_room(void *dev)
{
	struct uart *u = dev;

	return RX_FIFO - u->rx_count;
}

static const struct bus_dev_ops uart_ops = { uart_read, uart_write, uart_reset };

static bool uart_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	struct uart *u = dev_create(host, &host->bus->pio, PC_COM1_BASE, UART_LEN, sizeof(*u), &uart_ops,
				    "uart", err);

	(void)cfg;
	if (!u)
		return false;
	u->host = host;
	dev_attach_console(host, uart_input, uart_room, uart_flush, u);
	return true;
}

VM_DEVICE(10, uart, uart_create);
