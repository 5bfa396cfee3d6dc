/* The 8042 keyboard controller at PC_I8042_DATA/PC_I8042_CMD with nothing
 * on either port (IBM PC AT technical reference, keyboard controller
 * commands). The controller answers its own commands (self-test, command
 * byte, interface tests that find no device) so that a probe ends quietly;
 * bytes for a keyboard or mouse are dropped unanswered. Output-port pulse
 * commands with bit 0 clear (0xfe) reset the VM. No interrupts. */
#include <bulkhead/dev.h>
#include <bulkhead/i8042.h>
#include <bulkhead/pc_platform.h>

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

#define CB_KBD_DISABLED 0x10
#define CB_AUX_DISABLED 0x20
#define CB_SYS          0x04
#define TEST_CLOCK_LOW  0x01 /* interface test: clock line stuck low = no device */
#define OUTP_RESET      0x01 /* output port bit 0 low holds the CPU in reset */

struct i8042 {
	struct dev_host *host;
	u8 status, out, cb, pending_cmd;
};

static void put_output(struct i8042 *k, u8 v)
{
	k->out = v;
	k->status |= ST_OBF;
}

static void run_command(struct i8042 *k, u8 cmd)
{
	k->pending_cmd = 0;
	switch (cmd) {
	case CMD_READ_CB:     put_output(k, k->cb); break;
	case CMD_SELF_TEST:   put_output(k, 0x55); k->status |= ST_SYS; break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:    put_output(k, TEST_CLOCK_LOW); break;
	case CMD_KBD_DISABLE: k->cb |= CB_KBD_DISABLED; break;
	case CMD_KBD_ENABLE:  k->cb &= (u8)~CB_KBD_DISABLED; break;
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

static void write_data(struct i8042 *k, u8 v)
{
	u8 cmd = k->pending_cmd;

	k->pending_cmd = 0;
	if (cmd == CMD_WRITE_CB)
		k->cb = v;
	else if (cmd == CMD_WRITE_OUTP && !(v & OUTP_RESET))
		dev_request_reset(k->host);
	/* else a byte for the keyboard (or a mouse): there is none */
}

static enum bus_result data_read(void *dev, u64 off, u32 size, u64 *val)
{
	struct i8042 *k = dev;

	(void)off;
	if (size != 1)
		return BUS_BAD_ACCESS;
	*val = k->out; /* an empty buffer still shows its last byte */
	k->status &= (u8)~ST_OBF;
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
	k->cb = CB_SYS | CB_KBD_DISABLED | CB_AUX_DISABLED; /* no IRQ1/IRQ12 enables */
}

static const struct bus_dev_ops data_ops = { data_read, data_write, i8042_reset };
static const struct bus_dev_ops cmd_ops = { cmd_read, cmd_write, NULL };

struct i8042 *i8042_attach(struct dev_host *host, const char **err)
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
	i8042_reset(k);
	return k;
}

static bool i8042_create(struct dev_host *host, const struct vm_config *cfg, const char **err)
{
	(void)cfg;
	return i8042_attach(host, err) != NULL;
}

VM_DEVICE(20, i8042, i8042_create);
