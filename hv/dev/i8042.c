/* The 8042 keyboard controller at PC_I8042_DATA/PC_I8042_CMD (IBM PC AT
 * technical reference, keyboard controller commands; the keyboard's
 * commands from the same reference, "keyboard commands"). The controller
 * answers its own commands (self-test, command byte, interface tests) so
 * that a probe ends quietly; output-port pulse commands with bit 0 clear
 * (0xfe) reset the VM.
 *
 * A VM with a display also has a PS/2 keyboard on the first port, enough
 * for Linux's atkbd: it acknowledges its commands (reset with self-test
 * passed, identify as an MF2 keyboard, LEDs, typematic rate, enable,
 * disable, defaults, echo, scan code set) and sends the keys the
 * hypervisor routes to it (kbd.h), in scan code set 1, which is what the
 * controller gives with translation on (command byte bit 6, set at reset
 * as a BIOS would). With translation off there is no set 2 to give: keys
 * are dropped. IRQ 1 follows the output buffer while the command byte
 * enables it. A VM without a display has no keyboard: bytes for it are
 * dropped and the interface test reports none. No mouse, no IRQ 12. */
#include <bulkhead/dev.h>
#include <bulkhead/i8042.h>
#include <bulkhead/kbd.h>
#include <bulkhead/pc_platform.h>
#include <bulkhead/vm_config.h>

#define ST_OBF       0x01
#define ST_SYS       0x04 /* system flag: self-test passed */
#define ST_CMD       0x08 /* last write was to the command port */
#define ST_UNLOCKED  0x10 /* keyboard not inhibited */

#define CMD_READ_CB     0x20
#define CMD_WRITE_CB    0x60
#define CMD_AUX_DISABLE 0xa7
#define CMD_AUX_ENABLE  0xa8
#define CMD_AUX_TEST    0xa9
#define CMD_SELF_TEST   0xaa
#define CMD_KBD_TEST    0xab
#define CMD_KBD_DISABLE 0xad
#define CMD_KBD_ENABLE  0xae
#define CMD_READ_OUTP   0xd0
#define CMD_WRITE_OUTP  0xd1
#define CMD_WRITE_KBD   0xd2 /* ... 0xd4: next data byte to a port or loop */
#define CMD_WRITE_AUX   0xd4
#define CMD_PULSE       0xf0 /* 0xf0-0xff: pulse output lines, bit clear = pulse */

#define CB_KBD_INT      0x01
#define CB_SYS          0x04
#define CB_KBD_DISABLED 0x10
#define CB_AUX_DISABLED 0x20
#define CB_XLAT         0x40
#define TEST_OK         0x00
#define TEST_CLOCK_LOW  0x01 /* interface test: clock line stuck low = no device */
#define OUTP_RESET      0x01 /* output port bit 0 low holds the CPU in reset */

/* keyboard commands and answers */
#define KB_SET_LEDS  0xed
#define KB_ECHO      0xee
#define KB_SCAN_SET  0xf0
#define KB_IDENTIFY  0xf2
#define KB_TYPEMATIC 0xf3
#define KB_ENABLE    0xf4
#define KB_DISABLE   0xf5 /* and defaults */
#define KB_DEFAULTS  0xf6
#define KB_RESEND    0xfe
#define KB_RESET     0xff
#define KB_ACK       0xfa
#define KB_BAT_OK    0xaa
#define KB_ID0       0xab /* MF2: AB 83, translated AB 41 */
#define KB_ID1_XLAT  0x41
#define KB_ID1       0x83

#define KBD_IRQ 1 /* ISA IRQ 1, GSI 1 */
#define QUEUE 16 /* bytes waiting behind the output buffer */

struct i8042 {
	struct dev_host *host;
	u8 status, out, cb, pending_cmd;
	bool has_kbd, scanning, irq;
	u8 kb_param_for; /* a keyboard command waiting for its parameter */
	u8 q[QUEUE];
	u32 q_head, q_len;
};

/* IRQ 1 is the output buffer full with the keyboard interrupt enabled
 * (as QEMU's pckbd does it: the line follows the buffer). */
static void update_irq(struct i8042 *k)
{
	bool level = (k->status & ST_OBF) && (k->cb & CB_KBD_INT);

	if (level != k->irq) {
		k->irq = level;
		dev_irq_set(k->host, KBD_IRQ, level);
	}
}

static void put_output(struct i8042 *k, u8 v)
{
	k->out = v;
	k->status |= ST_OBF;
	update_irq(k);
}

/* The next queued byte into the empty output buffer. */
static void refill(struct i8042 *k)
{
	if (k->status & ST_OBF || !k->q_len)
		return;
	put_output(k, k->q[k->q_head]);
	k->q_head = (k->q_head + 1) % QUEUE;
	k->q_len--;
}

/* A byte from the keyboard: dropped when the queue is full (a real
 * keyboard's buffer overruns too) or the port is disabled. */
static void kbd_send(struct i8042 *k, u8 v)
{
	if (k->cb & CB_KBD_DISABLED || k->q_len == QUEUE)
		return;
	k->q[(k->q_head + k->q_len) % QUEUE] = v;
	k->q_len++;
	refill(k);
}

static void run_command(struct i8042 *k, u8 cmd)
{
	k->pending_cmd = 0;
	switch (cmd) {
	case CMD_READ_CB:     put_output(k, k->cb); break;
	case CMD_SELF_TEST:   put_output(k, 0x55); k->status |= ST_SYS; break;
	case CMD_AUX_TEST:    put_output(k, TEST_CLOCK_LOW); break;
	case CMD_KBD_TEST:    put_output(k, k->has_kbd ? TEST_OK : TEST_CLOCK_LOW); break;
	case CMD_KBD_DISABLE: k->cb |= CB_KBD_DISABLED; break;
	case CMD_KBD_ENABLE:  k->cb &= (u8)~CB_KBD_DISABLED; refill(k); break;
	case CMD_AUX_DISABLE: k->cb |= CB_AUX_DISABLED; break;
	case CMD_AUX_ENABLE:  k->cb &= (u8)~CB_AUX_DISABLED; break;
	case CMD_READ_OUTP:   put_output(k, OUTP_RESET | 0x02); break; /* A20 on */
	case CMD_WRITE_CB:
	case CMD_WRITE_OUTP:
		k->pending_cmd = cmd;
		break;
	default:
		if (cmd >= CMD_WRITE_KBD && cmd <= CMD_WRITE_AUX)
			k->pending_cmd = cmd; /* its data byte goes nowhere */
		else if (cmd >= CMD_PULSE && !(cmd & OUTP_RESET))
			dev_request_reset(k->host);
		break; /* other commands: nothing to do */
	}
}

static void kbd_defaults(struct i8042 *k)
{
	k->scanning = true;
	k->kb_param_for = 0;
}

/* A byte the guest sends to the keyboard: a command, or the parameter of
 * the previous one. */
static void kbd_command(struct i8042 *k, u8 v)
{
	u8 param_for = k->kb_param_for;

	k->kb_param_for = 0;
	if (param_for) {
		kbd_send(k, KB_ACK);
		if (param_for == KB_SCAN_SET && v == 0)
			kbd_send(k, 2); /* set 2, what it scans in; translation makes keys set 1 */
		return;
	}
	switch (v) {
	case KB_SET_LEDS:
	case KB_TYPEMATIC:
	case KB_SCAN_SET:
		k->kb_param_for = v;
		kbd_send(k, KB_ACK);
		break;
	case KB_ECHO:
		kbd_send(k, KB_ECHO);
		break;
	case KB_IDENTIFY:
		k->scanning = false; /* as an MF2 keyboard does until enabled */
		kbd_send(k, KB_ACK);
		kbd_send(k, KB_ID0);
		kbd_send(k, k->cb & CB_XLAT ? KB_ID1_XLAT : KB_ID1);
		break;
	case KB_ENABLE:
		k->scanning = true;
		kbd_send(k, KB_ACK);
		break;
	case KB_DISABLE:
		kbd_defaults(k);
		k->scanning = false;
		kbd_send(k, KB_ACK);
		break;
	case KB_DEFAULTS:
		kbd_defaults(k);
		kbd_send(k, KB_ACK);
		break;
	case KB_RESET:
		kbd_defaults(k);
		kbd_send(k, KB_ACK);
		kbd_send(k, KB_BAT_OK);
		break;
	default:
		kbd_send(k, KB_RESEND); /* not a command this keyboard knows */
		break;
	}
}

static void write_data(struct i8042 *k, u8 v)
{
	u8 cmd = k->pending_cmd;

	k->pending_cmd = 0;
	if (cmd == CMD_WRITE_CB) {
		k->cb = v;
		update_irq(k);
		refill(k);
	} else if (cmd == CMD_WRITE_OUTP) {
		if (!(v & OUTP_RESET))
			dev_request_reset(k->host);
	} else if (cmd == CMD_WRITE_KBD) {
		if (k->has_kbd)
			put_output(k, v); /* "write keyboard output buffer": as if typed */
	} else if (!cmd && k->has_kbd) {
		/* writing to the keyboard enables its port (8042 behaviour) */
		k->cb &= (u8)~CB_KBD_DISABLED;
		kbd_command(k, v);
	}
	/* else a byte for a mouse (or a keyboard there is not): none */
}

/* A key from the hypervisor's keyboard route (kbd.h), set 1. */
static void i8042_key(void *dev, u8 code)
{
	struct i8042 *k = dev;

	if (k->scanning && (k->cb & CB_XLAT))
		kbd_send(k, code);
}

static enum bus_result data_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct i8042 *k = dev;

	(void)off;
	if (size != 1)
		return BUS_BAD_ACCESS;
	*val = k->out; /* an empty buffer still shows its last byte */
	k->status &= (u8)~ST_OBF;
	update_irq(k);
	refill(k);
	return BUS_OK;
}

static enum bus_result data_write(void *dev, u64 off, u32 size, u64 val)
{
	struct i8042 *k = dev;

	(void)off;
	if (size != 1)
		return BUS_BAD_ACCESS;
	k->status &= (u8)~ST_CMD;
	write_data(k, (u8)val);
	return BUS_OK;
}

static enum bus_result cmd_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct i8042 *k = dev;

	(void)off;
	if (size != 1)
		return BUS_BAD_ACCESS;
	*val = k->status;
	return BUS_OK;
}

static enum bus_result cmd_write(void *dev, u64 off, u32 size, u64 val)
{
	struct i8042 *k = dev;

	(void)off;
	if (size != 1)
		return BUS_BAD_ACCESS;
	k->status |= ST_CMD;
	run_command(k, (u8)val);
	return BUS_OK;
}

static void i8042_reset(void *dev)
{
	struct i8042 *k = dev;

	k->status = ST_SYS | ST_UNLOCKED;
	k->out = 0;
	k->pending_cmd = 0;
	k->q_head = k->q_len = 0;
	kbd_defaults(k);
	if (k->has_kbd) /* as a BIOS leaves it: translation, keyboard interrupt */
		k->cb = CB_SYS | CB_XLAT | CB_KBD_INT | CB_AUX_DISABLED;
	else
		k->cb = CB_SYS | CB_KBD_DISABLED | CB_AUX_DISABLED; /* no IRQ1/IRQ12 enables */
	update_irq(k);
}

static const struct bus_dev_ops data_ops = { data_read, data_write, i8042_reset };
static const struct bus_dev_ops cmd_ops = { cmd_read, cmd_write, NULL };

struct i8042 *i8042_attach(struct dev_host *host, bool keyboard, const char **err)
{
	struct i8042 *k = dev_create(host, &host->bus->pio, PC_I8042_DATA, 1, sizeof(*k), &data_ops,
				     "i8042-data", err);

	if (!k)
		return NULL;
	if (!bus_register(&host->bus->pio, PC_I8042_CMD, 1, &cmd_ops, k, "i8042-cmd")) {
		*err = "i8042 command port taken";
		return NULL;
	}
	k->host = host;
	k->has_kbd = keyboard;
	i8042_reset(k);
	if (keyboard)
		kbd_attach(host, i8042_key, k);
	return k;
}

static bool i8042_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	return i8042_attach(host, cfg->display, err) != NULL;
}

VM_DEVICE(20, i8042, i8042_create);
