/* The 8042 keyboard controller without keyboard or mouse: enough for a
 * probe to end quietly, and command 0xfe to reset the VM. */
#ifndef BULKHEAD_I8042_H
#define BULKHEAD_I8042_H

struct vm;
struct i8042;

struct i8042 *i8042_attach(struct vm *vm, const char **err);

#endif
