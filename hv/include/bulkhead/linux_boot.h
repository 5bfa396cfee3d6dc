/* Booting a Linux x86 bzImage through its 64-bit entry point (the Linux
 * x86 boot protocol, Documentation/arch/x86/boot.rst, version 2.15): the
 * setup header parser, the load plan (where the kernel, the zero page, the
 * command line and the initrd go in guest RAM) and the zero page itself.
 * Pure logic over byte buffers: the loader copies. */
#ifndef BULKHEAD_LINUX_BOOT_H
#define BULKHEAD_LINUX_BOOT_H

#include <bulkhead/types.h>

#define LINUX_BOOT_PROTOCOL_MIN 0x020cU /* 2.12: xloadflags, 64-bit entry */

/* The setup header fields the loader uses, validated against the file. */
struct bzimage {
	u16 version;           /* boot protocol, 0x020f = 2.15 */
	u8 setup_sects;        /* 512-byte setup sectors after the boot sector (0 -> 4) */
	u8 loadflags;
	u16 xloadflags;
	bool relocatable;
	u8 min_alignment;      /* log2 */
	u32 kernel_alignment;
	u32 init_size;         /* RAM the kernel needs from its start */
	u32 cmdline_size;      /* longest command line, without the NUL */
	u32 initrd_addr_max;   /* highest byte an initrd may occupy */
	u64 pref_address;
	u32 hdr_end;           /* setup header is file bytes [0x1f1, hdr_end) */
	u64 kernel_off;        /* protected-mode kernel: (setup_sects + 1) * 512 */
	u64 kernel_len;        /* syssize * 16 bytes */
};

/* Parses and validates the setup header of img[0, len). False with *err
 * (a sentence) on anything malformed or on a kernel too old for us. */
bool __must_check bzimage_parse(const u8 *img, u64 len, struct bzimage *bz,
				const char **err);

/* Fixed low-memory layout (guest RAM starts at 0). Page 0 stays zero: an
 * empty BIOS data area means "no EBDA" to Linux. */
#define LINUX_SCRATCH_GPA   0x1000ULL  /* free for the loader's GDT and page tables */
#define LINUX_SCRATCH_END   0x10000ULL
#define LINUX_ZERO_PAGE_GPA 0x10000ULL /* struct boot_params, 4 KiB */
#define LINUX_CMDLINE_GPA   0x20000ULL
#define LINUX_CMDLINE_MAX   0x10000ULL /* bytes, with the NUL */
#define LINUX_LOW_RAM_END   0x9f000ULL /* usable below; reserved up to 1 MiB */
#define LINUX_HIGH_RAM      0x100000ULL
#define LINUX_KERNEL_MIN    MiB(16)    /* fallback load address floor */

struct linux_load_request {
	u64 ram_size;    /* guest RAM is [0, ram_size) */
	u64 cmdline_len; /* strlen of the command line */
	u64 initrd_len;  /* 0: no initrd */
	u64 rsdp_gpa;    /* 0: let Linux scan for it */
};

struct linux_load_plan {
	u64 ram_size;
	u64 kernel_gpa;   /* copy img[kernel_off, +kernel_len) here */
	u64 kernel_off, kernel_len;
	u64 kernel_end;   /* kernel_gpa + max(init_size, kernel_len): the kernel's */
	bool at_pref_address; /* false: moved to an aligned address >= 16 MiB */
	u64 entry_gpa;    /* 64-bit entry: kernel_gpa + 0x200, %rsi = zero page */
	u64 zero_page_gpa;
	u64 cmdline_gpa, cmdline_len; /* copy cmdline_len bytes, then a NUL */
	u64 initrd_gpa, initrd_len;   /* page aligned, below initrd_addr_max */
	u64 rsdp_gpa;
	u64 scratch_gpa, scratch_len; /* low RAM no one else uses */
	/* A linear framebuffer right above ram_size (size 0: none), described
	 * to Linux by screen_info and reserved in the e820 map; set by the
	 * loader after planning. */
	struct {
		u64 gpa, size;
		u32 width, height; /* 32 bpp x8r8g8b8, pitch width * 4 */
	} fb;
};

/* Decides where everything goes; every range inside RAM, none overlapping.
 * False with *err if RAM is too small or the command line too long. */
bool __must_check linux_plan_load(const struct bzimage *bz,
				  const struct linux_load_request *req,
				  struct linux_load_plan *plan, const char **err);

/* struct boot_params (arch/x86/include/uapi/asm/bootparam.h) offsets */
#define BP_SIZE             4096U
/* struct screen_info at offset 0 (include/uapi/linux/screen_info.h) */
#define SI_ORIG_VIDEO_ISVGA 0x0f
#define SI_LFB_WIDTH        0x12
#define SI_LFB_HEIGHT       0x14
#define SI_LFB_DEPTH        0x16
#define SI_LFB_BASE         0x18
#define SI_LFB_SIZE         0x1c
#define SI_LFB_LINELENGTH   0x24
#define SI_RED_SIZE         0x26 /* then red_pos, green_size, green_pos,
				   blue_size, blue_pos, rsvd_size, rsvd_pos */
#define SI_CAPABILITIES     0x36
#define SI_EXT_LFB_BASE     0x3a
#define VIDEO_TYPE_EFI      0x70 /* EFI graphic mode: efifb, lfb_size in bytes */
#define VIDEO_CAPABILITY_64BIT_BASE (1U << 1)
#define BP_ACPI_RSDP_ADDR   0x070
#define BP_EXT_RAMDISK_IMG  0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES     0x1e8
#define BP_SENTINEL         0x1ef
#define BP_HDR              0x1f1 /* struct setup_header */
#define BP_HDR_MAX_END      0x290 /* edd_mbr_sig_buffer follows */
#define BP_E820_TABLE       0x2d0
#define BP_E820_MAX         128
#define BP_E820_ENTRY_SIZE  20

/* setup_header fields, as offsets in the file and in the zero page */
#define HDR_SETUP_SECTS     0x1f1
#define HDR_SYSSIZE         0x1f4
#define HDR_BOOT_FLAG       0x1fe
#define HDR_JUMP            0x200
#define HDR_MAGIC           0x202
#define HDR_VERSION         0x206
#define HDR_TYPE_OF_LOADER  0x210
#define HDR_LOADFLAGS       0x211
#define HDR_RAMDISK_IMAGE   0x218
#define HDR_RAMDISK_SIZE    0x21c
#define HDR_HEAP_END_PTR    0x224
#define HDR_CMD_LINE_PTR    0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGN    0x230
#define HDR_RELOCATABLE     0x234
#define HDR_MIN_ALIGNMENT   0x235
#define HDR_XLOADFLAGS      0x236
#define HDR_CMDLINE_SIZE    0x238
#define HDR_PREF_ADDRESS    0x258
#define HDR_INIT_SIZE       0x260
#define HDR_MIN_END         0x264 /* through init_size: all we read */

#define LOADED_HIGH   (1U << 0)
#define QUIET_FLAG    (1U << 5)
#define KEEP_SEGMENTS (1U << 6)
#define CAN_USE_HEAP  (1U << 7)
#define XLF_KERNEL_64 (1U << 0)
#define XLF_CAN_BE_LOADED_ABOVE_4G (1U << 1)

#define E820_RAM      1
#define E820_RESERVED 2

/* Fills the 4 KiB zero page bp: the image's setup header, the loader's
 * fields, the command line and initrd pointers, the RSDP and the e820 map
 * (usable 0-0x9f000, reserved to 1 MiB, usable 1 MiB to the end of RAM). */
bool __must_check boot_params_build(u8 *bp, const u8 *img, u64 img_len,
				    const struct bzimage *bz,
				    const struct linux_load_plan *plan, const char **err);

#endif
