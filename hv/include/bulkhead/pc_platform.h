/* The virtual PC every Linux VM sees: addresses, ports and interrupt lines
 * shared by the device models (hv/dev/) and the ACPI tables that describe
 * them (hv/dev/acpi_*.c). Change both sides through this file only. */
#ifndef BULKHEAD_PC_PLATFORM_H
#define BULKHEAD_PC_PLATFORM_H

/* Interrupt controllers */
#define PC_LAPIC_BASE      0xfee00000ULL
#define PC_IOAPIC_BASE     0xfec00000ULL
#define PC_IOAPIC_ID       1
#define PC_IOAPIC_PINS     24
#define PC_PIC_MASTER      0x20   /* 8259A pair, kept masked and quiet */
#define PC_PIC_SLAVE       0xa0
#define PC_PIC_ELCR        0x4d0  /* edge/level control, 2 bytes */

/* Legacy devices and their ISA IRQs (= GSIs, except IRQ0 -> GSI 2) */
#define PC_PIT_BASE        0x40   /* 8254, channels 0-2 + mode register */
#define PC_PIT_IRQ         0
#define PC_PIT_GSI         2      /* MADT interrupt source override 0 -> 2 */
#define PC_PORT_B          0x61   /* PIT channel 2 gate/speaker, OUT2 status */
#define PC_I8042_DATA      0x60
#define PC_I8042_CMD       0x64   /* command 0xfe pulses reset */
#define PC_RTC_BASE        0x70   /* CMOS index/data */
#define PC_RTC_IRQ         8
#define PC_COM1_BASE       0x3f8
#define PC_COM1_IRQ        4
#define PC_PCI_CONFIG      0xcf8  /* CONFIG_ADDRESS (4 bytes) .. CONFIG_DATA 0xcfc-0xcff */
#define PC_RESET_CONTROL   0xcf9  /* byte: bit 2 resets, like PIIX/ICH */
#define PC_RESET_VALUE     0x06

/* HPET (IA-PC HPET 1.0a): one event timer block, described by the ACPI
 * HPET table. The low dword of its capabilities register is also the
 * table's event timer block ID (HPET 1.0a 3.2.4), so both come from here. */
#define PC_HPET_BASE       0xfed00000ULL
#define PC_HPET_LEN        0x400  /* 1 KiB register space (2.3.1) */
#define PC_HPET_TIMERS     3
#define PC_HPET_REV        1U
#define PC_HPET_VENDOR     PC_PCI_HOST_VENDOR /* the chipset's vendor */
#define PC_HPET_COUNT_64   (1U << 13) /* COUNT_SIZE_CAP */
#define PC_HPET_LEG_RT_CAP (1U << 15)
#define PC_HPET_ID         (PC_HPET_REV | (PC_HPET_TIMERS - 1U) << 8 | PC_HPET_COUNT_64 | \
			    PC_HPET_LEG_RT_CAP | (unsigned)PC_HPET_VENDOR << 16)
/* 25 MHz: a whole number of femtoseconds per tick (40 ns), so the period
 * the guest reads is exact; the low 32 bits wrap after 171 s. */
#define PC_HPET_HZ         25000000ULL
#define PC_HPET_PERIOD_FS  40000000ULL
/* The ACPI table's minimum periodic tick: 100 us. Each interrupt costs an
 * exit, and matches closer together than two polls merge into one. */
#define PC_HPET_MIN_TICK   2500U

/* ACPI fixed hardware (full, not hardware-reduced, FADT) */
#define PC_PM_BASE         0x600
#define PC_PM1A_EVT        0x600  /* PM1a status (2) + enable (2) */
#define PC_PM1A_CNT        0x604  /* PM1a control, 2 bytes */
#define PC_PM_TMR          0x608  /* 24-bit PM timer at 3.579545 MHz */
#define PC_GPE0_BLK        0x620  /* GPE0 status (4) + enable (4) */
#define PC_GPE0_LEN        8
#define PC_PM_TMR_HZ       3579545U
#define PC_SCI_IRQ         9      /* level, active high (MADT override) */
#define PC_SLP_TYP_S5      5      /* \_S5 package value; PM1a_CNT bits 10-12 */
#define PC_SLP_EN          (1U << 13)
#define PC_SMI_CMD         0      /* no SMM: ACPI is always enabled */

/* Firmware area in guest memory (below 1 MiB, reserved in the e820 map) */
#define PC_ACPI_RSDP_GPA   0xe0000ULL  /* also found by a BIOS-area scan */
#define PC_ACPI_TABLES_GPA 0xe0040ULL
#define PC_ACPI_TABLES_END 0x100000ULL

/* PCI host bridge at 00:00.0 (Intel 440FX-like IDs, as QEMU's i440fx) */
#define PC_PCI_HOST_VENDOR 0x8086
#define PC_PCI_HOST_DEVICE 0x1237

/* PCI Express enhanced configuration (ECAM, PCI Express 3.0 7.2.2), bus 0
 * only, described by the ACPI MCFG table; and the windows the host bridge
 * decodes for BARs (the DSDT's _CRS). Guest RAM ends at 3 GiB at most
 * (GUEST_MEM_MAX_SIZE): the memory window starts there. */
#define PC_PCI_ECAM_BASE   0xe0000000ULL
#define PC_PCI_ECAM_BUSES  1
#define PC_PCI_MMIO_BASE   0xc0000000ULL
#define PC_PCI_MMIO_SIZE   0x10000000ULL  /* below the test device at 3.25 GiB */
#define PC_PCI_IO_BASE     0xd000
#define PC_PCI_IO_SIZE     0x1000
/* INTx: pin p (0 = INTA# .. 3 = INTD#) of slot s reaches IOAPIC pin
 * PC_PCI_INTX_GSI + (s + p) % 4, level-triggered, active low, shared
 * (the DSDT's _PRT; the usual swizzle, PCI-to-PCI Bridge 1.2 9.1). */
#define PC_PCI_INTX_GSI    16
#define PC_PCI_INTX_GSI_OF(slot, pin) (PC_PCI_INTX_GSI + ((slot) + (pin)) % 4U)
#define PC_PCI_ECAM_SIZE   (PC_PCI_ECAM_BUSES * 0x100000ULL) /* 1 MiB per bus */

/* Device numbers on bus 0, one function each. */
#define PC_PCI_SLOT_VCONSOLE 1
#define PC_PCI_SLOT_RNG      2
#define PC_PCI_SLOT_NET      3
#define PC_PCI_SLOT_DISK0    4   /* disks 0..VM_MAX_DISKS-1 in slots 4..7 */
#define PC_PCI_SLOT_GPU      8
#define PC_PCI_SLOT_INPUT    9   /* keyboard 9, tablet 10 */
#define PC_PCI_SLOT_SVC_RING 12  /* the service VM's request ring (public/svc_ring.h) */
#define PC_PCI_SLOT_PASSTHROUGH 16 /* passthrough functions 16..16+VM_MAX_PASSTHROUGH-1 */
#define PC_PCI_SLOT_TESTDEV  31  /* pci-testdev, VMs with the testdev option */

#endif
