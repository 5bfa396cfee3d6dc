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

/* GDT selectors (hv/arch/x86/desc.c) */
#define GDT_CODE64       0x08
#define GDT_DATA         0x10
#define GDT_CODE32       0x18
#define GDT_TSS          0x20

#endif
