/* The 8042 keyboard controller: enough for a probe to end quietly, command
 * 0xfe to reset the VM, and with keyboard a PS/2 keyboard on its first
 * port that takes the keys the hypervisor routes to the VM (kbd.h). */
#ifndef BULKHEAD_I8042_H
#define BULKHEAD_I8042_H

#include <bulkhead/types.h>

struct dev_host;
struct i8042;

struct i8042 *i8042_attach(struct dev_host *host, bool keyboard, const char **err);

#endif
