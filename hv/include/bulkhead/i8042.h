/* The 8042 keyboard controller without keyboard or mouse: enough for a
 * probe to end quietly, and command 0xfe to reset the VM. */
#ifndef BULKHEAD_I8042_H
#define BULKHEAD_I8042_H

struct dev_host;
struct i8042;

struct i8042 *i8042_attach(struct dev_host *host, const char **err);

#endif
