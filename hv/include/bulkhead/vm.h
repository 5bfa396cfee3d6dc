/* A virtual machine: its memory, device bus, vCPUs, state and counters. */
#ifndef BULKHEAD_VM_H
#define BULKHEAD_VM_H

#include <bulkhead/bus.h>
#include <bulkhead/dev.h>
#include <bulkhead/guest_mem.h>
#include <bulkhead/passthrough.h>
#include <bulkhead/vcpu.h>
#include <bulkhead/virq.h>
#include <bulkhead/vtimer.h>
#include <bulkhead/vm_exit.h>
#include <bulkhead/types.h>

#define VM_MAX 8
#define VM_MAX_VCPUS 8
#define VM_NAME_MAX 16
#define VM_REASON_MAX 128
#define VM_MAX_MODS 4
#define VM_DEV_ARENA (64 * 1024)
#define VM_CRASH_LOOP_MAX 3      /* on_crash restarts within ... */
#define VM_CRASH_LOOP_SECONDS 60 /* ... this long; one more stops the VM */


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

#define VM_MAX_DISKS 4

/* A virtio-blk disk: a raw image from a boot module (blk_backend.h). */
struct vm_disk {
	struct vm_module image;
	bool read_only;
	/* Served by the service VM (disks = svc:NAME:SIZE, docs/disks.md):
	 * its name there, NUL-terminated, and its size; "" for an image
	 * module. */
	char svc_name[24];
	u64 svc_bytes;
};

enum vm_role { VM_ROLE_WORK, VM_ROLE_PERSONAL, VM_ROLE_DISPOSABLE, VM_ROLE_SERVICE };
enum vm_on_crash { VM_ON_CRASH_STOP, VM_ON_CRASH_RESTART };

/* What a VM is made of, from the configuration file (docs/configuration.md)
 * or the boot module that describes it. */
struct vm_config {
	char name[VM_NAME_MAX];
	u64 mem_bytes;
	bool testexit, testdev;
	struct vm_module kernel;
	const char *cmdline; /* the guest's, never NULL */
	struct vm_module mods[VM_MAX_MODS];
	unsigned nr_mods;
	/* Stored for the console label, lifecycle and scheduler: for now a
	 * crashed VM stays stopped. */
	enum vm_role role;
	u32 label_rgb; /* 0xRRGGBB */
	u32 nr_vcpus;  /* 1..VM_MAX_VCPUS; 0 (a test's bare config) means 1 */
	enum vm_on_crash on_crash;
	bool autostart;
	u32 weight;
	/* Devices (docs/configuration.md): virtio-blk disks, a virtio-net
	 * port with its MAC on the virtual switch, a virtio console, entropy,
	 * a framebuffer. */
	struct vm_disk disks[VM_MAX_DISKS];
	unsigned nr_disks;
	bool nic;
	u8 mac[6];
	bool vconsole, rng;
	bool display;
	u32 fb_width, fb_height;
	/* Host PCI functions passed through (passthrough.h). */
	struct vm_passthrough passthrough[VM_MAX_PASSTHROUGH];
	unsigned nr_passthrough;
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
	struct dev_host dev;  /* what its devices see of it: &bus, name */
	struct vcpu vcpu[VM_MAX_VCPUS]; /* vcpu[i] has APIC ID i; 0 boots */
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
	void (*console_flush)(void *dev, bool idle);
	void *console_dev;
	/* Its power button (the ACPI fixed hardware's), NULL if none: true if
	 * the guest enabled the button's event. */
	bool (*power_button)(void *dev);
	void *power_button_dev;
	bool reset_pending; /* set by devices, carried out between exits */
	const char *reset_why; /* for the log: "reset by the guest", ... */
	u32 crash_restarts;    /* on_crash restarts since first_crash_tsc */
	u64 first_crash_tsc;
	bool released;       /* stopped, its RAM and backend state given back */
	bool start_pending;  /* vm_restart of an ended VM: build it again */
	/* Built but not run yet, waiting for what this says (its disks from
	 * the service VM): its vCPUs are not scheduled and its timers not
	 * polled; NULL once it may run (vm_hold, vm_unhold). */
	const char *held_for;
	u64 held_tsc;
	struct {
		const struct vtimer_ops *ops;
		void *dev;
	} timers[VM_MAX_TIMERS];
	unsigned nr_timers;
	u32 resets;
	u64 vruntime; /* TSC its vCPUs ran, scaled by its weight (sched.c) */
	u32 most_on_cpus; /* the most of its vCPUs that ran at once */
	u64 exits[EXIT_NR];
	/* TSC ticks from each of its exits to the next entry of that vCPU
	 * (sched.c): under QEMU's -icount shift=0 the hypervisor's
	 * instructions on its behalf, the world switch itself excepted */
	u64 hv_tsc;
	u64 unknown_msr_logged[4]; /* small set of MSRs already logged */
	unsigned nr_devices_created; /* of the VM_DEVICE table, in order */
	u8 dev_arena[VM_DEV_ARENA] __aligned(16);
	u64 dev_arena_used;
};

extern struct vm vms[VM_MAX];
extern unsigned nr_vms;

/* Device state lives in the VM's arena; zeroed. NULL when full. */
void *vm_dev_alloc(struct vm *vm, u64 size);
/* The VM of a device's host (dev.h). */
static inline struct vm *vm_of_dev(struct dev_host *h)
{
	return (struct vm *)((char *)h - __builtin_offsetof(struct vm, dev));
}
/* Points the VM's dev_host at its bus and name (after a memset). */
static inline void vm_init_dev_host(struct vm *vm)
{
	vm->dev.bus = &vm->bus;
	vm->dev.name = vm->name;
}

/* The guest did something no well-behaved guest does, or the hypervisor
 * cannot serve it: stop this VM only, with a logged one-line reason; or,
 * with on_crash restart, restart it from its pristine kernel (a VM that
 * crashes in a loop stops). */
void vm_crash(struct vm *vm, const char *fmt, ...) __printf(2, 3);
/* The operator's hard stop (hypervisor console): the VM stops at once, as if
 * unplugged, with reason logged; not a crash of the guest. */
void vm_stop(struct vm *vm, const char *reason);
/* The operator's start or restart (why is logged): the VM boots again from
 * its pristine kernel once none of its vCPUs runs. A running VM is reset in
 * place (vm_do_reset); one that ended is built again (vm_start_again) in the
 * pool's RAM after giving back its own. */
void vm_restart(struct vm *vm, const char *why);
/* Builds an ended, released VM again in its slot (sched.c, for
 * vm_restart); false, with the reason as its stop reason, if it cannot. */
bool vm_start_again(struct vm *vm);
/* A device of a VM being built holds it before its first instruction
 * until what it waits for is there (held_for, logged once), then lets it
 * run (logged with the time it waited). */
void vm_hold(struct vm *vm, const char *what);
void vm_unhold(struct vm *vm);
/* A held VM now waits on what (a changed circumstance); nothing if it is
 * not held. */
void vm_hold_update(struct vm *vm, const char *what);
/* The guest ended itself through the test-exit port. */
void vm_exit_with_code(struct vm *vm, u32 code);
/* ACPI S5 from the guest: the VM is off. */
void vm_poweroff(struct vm *vm);
/* The guest asked for a reset (0xcf9, i8042, ACPI reset register): the VM
 * restarts with a clean memory image once the current exit is handled. */
void vm_reset(struct vm *vm);
/* A VM that ended (stopped, off, exited) and runs on no CPU: checks its
 * nested tables once more, then gives back its vCPUs' and the backend's
 * state and its RAM, zeroed. The record (name, state, counts) stays. */
void vm_release(struct vm *vm);
/* Carries out a pending reset; false if the VM could not be rebuilt. */
bool vm_do_reset(struct vm *vm);
bool vm_is_running(const struct vm *vm);
/* "running", "exited", "stopped" or "off". */
const char *vm_state_name(enum vm_state s);
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

#endif
