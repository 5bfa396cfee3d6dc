/* Shared by the configuration parser's files (hv/core/vm_conf_*.c): the
 * parser state, the error helper and the value parsers of each key. */
#ifndef BULKHEAD_VM_CONF_PRIV_H
#define BULKHEAD_VM_CONF_PRIV_H

#include <bulkhead/vm_conf.h>

enum vm_conf_key {
	KEY_ROLE,
	KEY_LABEL,
	KEY_MEMORY,
	KEY_VCPUS,
	KEY_KERNEL,
	KEY_INITRD,
	KEY_CMDLINE,
	KEY_DEVICES,
	KEY_ON_CRASH,
	KEY_AUTOSTART,
	KEY_WEIGHT,
	KEY_DISKS,
	KEY_VCONSOLE,
	KEY_RNG,
	KEY_DISPLAY,
	KEY_NIC,
	KEY_MAC,
	KEY_PASSTHROUGH,
	KEY_NR,
};

/* Distinct pairs of switch endpoints: at most one allow line each. */
#define VM_CONF_ALLOW_MAX (VS_MAX_ENDPOINTS * (VS_MAX_ENDPOINTS - 1) / 2)

struct vm_conf_parser {
	const struct vm_conf_env *env;
	struct vm_conf *out;
	const char *text;
	size_t len, pos;     /* pos: the start of the current line */
	u32 line;            /* 1-based */
	struct vm_conf_vm *vm; /* the open [vm NAME] section, or NULL */
	u32 vm_col;            /* column of its name */
	u32 key_line[KEY_NR];  /* where each key was given in it, 0: not yet */
	u32 key_col[KEY_NR];
	u64 total_mib;         /* memory of the VMs closed so far */
	char val[VM_CONF_CMDLINE_MAX]; /* the current value, unquoted */
	/* The [network] section (vm_conf_net.c): its line (0: none yet),
	 * whether it is the open section, and its allow lines so far. */
	u32 network_line;
	bool in_network;
	struct vm_conf_allow {
		char name[2][VM_NAME_MAX];
		u32 line, col[2];
	} allow[VM_CONF_ALLOW_MAX];
	unsigned nr_allow;
};

/* Writes "FILE:LINE:COL: message" to out->err; returns false. */
bool vm_conf_fail(struct vm_conf_parser *p, u32 line, u32 col, const char *fmt, ...)
	__printf(4, 5);

/* Each takes the value of its key, NUL-terminated, and the column it
 * starts at; false after vm_conf_fail. */
typedef bool (*vm_conf_value_fn)(struct vm_conf_parser *p, const char *val, u32 col);
extern const struct vm_conf_key_desc {
	const char *name;
	vm_conf_value_fn parse;
} vm_conf_keys[KEY_NR];

/* The network (vm_conf_net.c): "[network]" opens its section (col: of
 * the word); the nic and mac keys; "allow = A B" in it; the NIC checks when a VM's section
 * closes; the switch's policy once the whole file is read. Each false
 * after vm_conf_fail. */
bool vm_conf_open_network(struct vm_conf_parser *p, u32 col);
bool vm_conf_parse_nic(struct vm_conf_parser *p, const char *val, u32 col);
bool vm_conf_parse_mac(struct vm_conf_parser *p, const char *val, u32 col);
bool vm_conf_parse_allow(struct vm_conf_parser *p, const char *val, u32 col);
bool vm_conf_close_vm_nic(struct vm_conf_parser *p, struct vm_conf_vm *v);
bool vm_conf_close_network(struct vm_conf_parser *p);
/* The passthrough key (vm_conf_passthrough.c); false after vm_conf_fail. */
bool vm_conf_parse_passthrough(struct vm_conf_parser *p, const char *val, u32 col);

#endif
