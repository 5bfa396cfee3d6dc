/* 16550 UART at 0x3f8, polled (PC16550D data sheet). Output is collected
 * into lines and printed on the hypervisor console as "[vm] text". */
#include <bulkhead/console.h>
#include <bulkhead/dev.h>

#define UART_BASE 0x3f8
#define UART_LEN  8
#define LINE_MAX  160

#define REG_THR 0
#define REG_IER 1
#define REG_IIR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define LCR_DLAB 0x80
#define LSR_THRE_TEMT 0x60
#define IIR_NONE 0x01

struct uart {
	struct vm *vm;
	u8 ier, lcr, mcr, scr, dll, dlm;
	char line[LINE_MAX];
	u32 len;
};

static void flush_line(struct uart *u)
{
	printf("[%s] %.*s\n", u->vm->name, (int)u->len, u->line);
	u->len = 0;
}

static void put_char(struct uart *u, u8 c)
{
	if (c == '\n') {
		flush_line(u);
		return;
	}
	if (c == '\r')
		return;
	u->line[u->len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? (char)c : '?';
	if (u->len == LINE_MAX)
		flush_line(u);
}

static enum bus_result uart_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct uart *u = dev;
	bool dlab = u->lcr & LCR_DLAB;

	if (size != 1)
		return BUS_BAD_ACCESS;
	switch (off) {
	case REG_THR: *val = dlab ? u->dll : 0; break;   /* no input yet */
	case REG_IER: *val = dlab ? u->dlm : u->ier; break;
	case REG_IIR: *val = IIR_NONE; break;
	case REG_LCR: *val = u->lcr; break;
	case REG_MCR: *val = u->mcr; break;
	case REG_LSR: *val = LSR_THRE_TEMT; break;
	case REG_MSR: *val = 0xb0; break;                 /* DCD, DSR, CTS */
	default:      *val = u->scr; break;
	}
	return BUS_OK;
}

static enum bus_result uart_write(void *dev, u64 off, u32 size, u64 val)
{
	struct uart *u = dev;
	bool dlab = u->lcr & LCR_DLAB;

	if (size != 1)
		return BUS_BAD_ACCESS;
	switch (off) {
	case REG_THR:
		if (dlab)
			u->dll = (u8)val;
		else
			put_char(u, (u8)val);
		break;
	case REG_IER:
		if (dlab)
			u->dlm = (u8)val;
		else
			u->ier = (u8)(val & 0x0f);
		break;
	case REG_LCR: u->lcr = (u8)val; break;
	case REG_MCR: u->mcr = (u8)(val & 0x1f); break;
	case REG_SCR: u->scr = (u8)val; break;
	default: break; /* FCR, LSR, MSR: nothing to keep */
	}
	return BUS_OK;
}

static void uart_reset(void *dev)
{
	struct uart *u = dev;
	struct vm *vm = u->vm;

	*u = (struct uart){ .vm = vm };
}

static const struct bus_dev_ops uart_ops = { uart_read, uart_write, uart_reset };

static bool uart_create(struct vm *vm, const struct vm_config *cfg, const char **err)
{
	struct uart *u = dev_create(vm, &vm->bus.pio, UART_BASE, UART_LEN, sizeof(*u), &uart_ops,
				    "uart", err);

	(void)cfg;
	if (!u)
		return false;
	u->vm = vm;
	return true;
}

VM_DEVICE(10, uart, uart_create);
