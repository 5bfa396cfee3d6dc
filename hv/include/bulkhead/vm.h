/* A virtual machine: its memory, device bus, vCPUs, state and counters. */
#ifndef BULKHEAD_VM_H
#define BULKHEAD_VM_H

#include <bulkhead/bus.h>
#include <bulkhead/guest_mem.h>
#include <bulkhead/vcpu.h>
#include <bulkhead/virq.h>
#include <bulkhead/vtimer.h>
#include <bulkhead/vm_exit.h>
#include <bulkhead/types.h>

#define VM_MAX 8
#define VM_NAME_MAX 16
#define VM_REASON_MAX 128
#define VM_MAX_MODS 4
#define VM_DEV_ARENA (16 * 1024)

struct acpi_pm;

enum vm_state {
	VM_RUNNING,
	VM_EXITED,  /* the guest wrote the test-exit port */
	VM_STOPPED, /* the hypervisor stopped it: see reason */
	VM_OFF,     /* powered off by the guest */
};

struct vm_module {
	u64 hpa, len; /* in the hypervisor's boot modules */
	const char *cmdline;
};

/* What a VM is made of, from the boot module that describes it. */
struct vm_config {
	char name[VM_NAME_MAX];
	u64 mem_bytes;
	bool testexit, testdev;
	struct vm_module kernel;
	const char *cmdline; /* the guest's, never NULL */
	struct vm_module mods[VM_MAX_MODS];
	unsigned nr_mods;
};

struct vm {
	char name[VM_NAME_MAX];
	u32 id;
	enum vm_state state;
	u32 exit_code;
	char reason[VM_REASON_MAX];
	const struct vm_config *cfg;
	struct guest_mem mem;
	struct bus bus;
	struct vcpu vcpu[1];
	u32 nr_vcpus;
	void *arch;          /* backend: nested page table, ASID */
	const struct virq_chip_ops *irq_chip_ops;
	void *irq_chip;
	/* Keyboard input from the physical console, when this VM has focus. */
	void (*console_input)(void *dev, u8 c);
	/* Bytes console_input can take now: input waits in the physical UART
	 * rather than overflow the guest's FIFO. */
	u32 (*console_room)(void *dev);
	/* Shows a partial output line (a prompt) once the guest goes idle. */
	void (*console_flush)(void *dev);
	void *console_dev;
	u8 label_colour;     /* ANSI colour 1-7 of its console banner; 0: by index */
	struct acpi_pm *acpi_pm; /* its ACPI fixed hardware: the power button */
	bool reset_pending; /* set by devices, carried out between exits */
	struct {
		const struct vtimer_ops *ops;
		void *dev;
	} timers[VM_MAX_TIMERS];
	unsigned nr_timers;
	u32 resets;
	u64 exits[EXIT_NR];
	u64 unknown_msr_logged[4]; /* small set of MSRs already logged */
	u8 dev_arena[VM_DEV_ARENA] __aligned(16);
	u64 dev_arena_used;
};

extern struct vm vms[VM_MAX];
extern unsigned nr_vms;

/* Device state lives in the VM's arena; zeroed. NULL when full. */
void *vm_dev_alloc(struct vm *vm, u64 size);

/* The guest did something no well-behaved guest does, or the hypervisor
 * cannot serve it: stop this VM only, with a logged one-line reason. */
void vm_crash(struct vm *vm, const char *fmt, ...) __printf(2, 3);
/* The operator's hard stop (hypervisor console): the VM stops at once, as if
 * unplugged, with reason logged; not a crash of the guest. */
void vm_stop(struct vm *vm, const char *reason);
/* The operator's start or restart: the VM, whatever its state, boots again
 * from a clean memory image (vm_do_reset); why is logged. False if it could
 * not be rebuilt (then it is stopped with the reason). */
bool vm_restart(struct vm *vm, const char *why);
/* The guest ended itself through the test-exit port. */
void vm_exit_with_code(struct vm *vm, u32 code);
/* ACPI S5 from the guest: the VM is off. */
void vm_poweroff(struct vm *vm);
/* The guest asked for a reset (0xcf9, i8042, ACPI reset register): the VM
 * restarts with a clean memory image once the current exit is handled. */
void vm_reset(struct vm *vm);
/* Carries out a pending reset; false if the VM could not be rebuilt. */
bool vm_do_reset(struct vm *vm);
bool vm_is_running(const struct vm *vm);
/* Runs the VM's expired device timers (PIT, ...); the earliest deadline. */
void vm_poll_timers(struct vm *vm, u64 now);
u64 vm_next_timer_deadline(struct vm *vm);

bool __must_check vm_create(struct vm *vm, const struct vm_config *cfg, const char **err);
void vm_report_all(void);
/* Exit counts by reason and device accesses by device, three lines. */
void vm_print_exits(const struct vm *vm);
bool vm_all_passed(void);

/* Guest memory access for devices and exit handlers. */
/* The guest's first touch of a RAM block its nested page table does not
 * map yet: clears and maps it. False if gpa is not such a block, or (VM
 * stopped) if mapping failed. */
bool vm_fault_in_ram(struct vm *vm, u64 gpa);
enum gm_result __must_check vm_read(struct vm *vm, u64 gpa, void *dst, u64 len);
enum gm_result __must_check vm_write(struct vm *vm, u64 gpa, const void *src, u64 len);

/* Devices register themselves with VM_DEVICE(); created in priority order
 * when a VM is built (kvmtool's dev_init, Jailhouse DEFINE_UNIT). */
struct vm_device {
	const char *name;
	/* false with *err set on failure; true when created or not wanted. */
	bool (*create)(struct vm *vm, const struct vm_config *cfg, const char **err);
};

#define VM_DEVICE(prio, n, fn)                                                   \
	static const struct vm_device vm_device_##n __used                       \
		__section(".vm_devices." #prio) __aligned(8) = { #n, fn }

#endif
