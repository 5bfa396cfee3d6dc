/* Addresses and sizes shared by the linker script, the assembly entry and C.
 * Kept free of C so that assembly can include it. */
#ifndef BULKHEAD_LAYOUT_H
#define BULKHEAD_LAYOUT_H

#define HV_LOAD_ADDR     0x200000    /* physical = virtual: identity mapped */
#define HV_STACK_SIZE    0x4000      /* per stack, below each a guard page */
#define HV_STACK_GUARD   0x1000
#define HV_NR_STACKS     4           /* main, #DF, NMI, #MC (IST 1..3) */
#define HV_STACK_MAIN    0
#define HV_STACK_DF      1
#define HV_STACK_NMI     2
#define HV_STACK_MC      3
#define HV_MAX_CPUS      8           /* physical CPUs the hypervisor runs on */
/* Stack k of CPU c is hv_stacks[c * HV_NR_STACKS + k]; CPU 0's main stack
 * comes first, which the boot entry uses. */
#define HV_NR_ALL_STACKS (HV_MAX_CPUS * HV_NR_STACKS)

/* Where application processors start (SIPI vector AP_TRAMPOLINE_PA >> 12,
 * below 1 MiB, a page the boot memory map must show usable), and the
 * mailbox in that page through which the boot CPU hands each one its
 * control registers, stack and per-CPU area (hv/arch/x86/smp_entry.S). */
#define AP_TRAMPOLINE_PA 0x8000
#define AP_MAILBOX       (AP_TRAMPOLINE_PA + 0xf00)
#define AP_MB_CR0        (AP_MAILBOX + 0x00)
#define AP_MB_CR3        (AP_MAILBOX + 0x04)
#define AP_MB_CR4        (AP_MAILBOX + 0x08)
#define AP_MB_EFER       (AP_MAILBOX + 0x0c)
#define AP_MB_STACK      (AP_MAILBOX + 0x10)
#define AP_MB_CPU        (AP_MAILBOX + 0x18)

/* GDT selectors (hv/arch/x86/desc.c) */
#define GDT_CODE64       0x08
#define GDT_DATA         0x10
#define GDT_CODE32       0x18
#define GDT_TSS          0x20

#endif
