/* Encoders of AMD-Vi device table entries and commands, and the event
 * decoder (amd_vi.h; AMD IOMMU spec 48882 2.2.2, 2.4, 2.5). */
#include <bulkhead/amd_vi.h>
#include <bulkhead/format.h>

#define OPCODE_SHIFT 60
#define MODE_1 1ULL
#define MODE_4 4ULL
#define INVALIDATE_ALL_ADDR 0x7ffffffffffff000ULL
#define INV_S   (1ULL << 0)
#define INV_PDE (1ULL << 1)
#define CW_S    (1ULL << 0)

void amd_vi_dte_blocked(u64 dte[4], u64 empty_root)
{
	dte[0] = AMD_VI_DTE_V | AMD_VI_DTE_TV | MODE_1 << AMD_VI_DTE_MODE_SHIFT |
		 (empty_root & AMD_VI_DTE_ROOT_MASK);
	dte[1] = dte[2] = dte[3] = 0;
}

void amd_vi_dte_translate(u64 dte[4], u16 domid, u64 root)
{
	dte[0] = AMD_VI_DTE_V | AMD_VI_DTE_TV | MODE_4 << AMD_VI_DTE_MODE_SHIFT |
		 (root & AMD_VI_DTE_ROOT_MASK) | AMD_VI_DTE_IR | AMD_VI_DTE_IW;
	dte[1] = domid & AMD_VI_DTE_DOMAIN_MASK;
	dte[2] = dte[3] = 0;
}

void amd_vi_cmd_completion_wait(u64 cmd[2], u64 addr, u64 data)
{
	/* store address bits 51:3 in bits 51:3 of the first quad (2.4.1) */
	cmd[0] = (addr & 0x000ffffffffffff8ULL) | CW_S | AMD_VI_CMD_COMPLETION_WAIT << OPCODE_SHIFT;
	cmd[1] = data;
}

void amd_vi_cmd_invalidate_dte(u64 cmd[2], u16 devid)
{
	cmd[0] = devid | AMD_VI_CMD_INVALIDATE_DEVTAB << OPCODE_SHIFT;
	cmd[1] = 0;
}

void amd_vi_cmd_invalidate_domain(u64 cmd[2], u16 domid)
{
	/* domain ID in bits 47:32, PASID (bits 19:0) 0 */
	cmd[0] = (u64)domid << 32 | AMD_VI_CMD_INVALIDATE_PAGES << OPCODE_SHIFT;
	cmd[1] = INVALIDATE_ALL_ADDR | INV_PDE | INV_S;
}

void amd_vi_event_describe(const u64 ev[2], char *buf, u64 size)
{
	static const char *const names[] = {
		"event 0", "ILLEGAL_DEV_TABLE_ENTRY", "IO_PAGE_FAULT", "DEV_TAB_HARDWARE_ERROR",
		"PAGE_TAB_HARDWARE_ERROR", "ILLEGAL_COMMAND_ERROR", "COMMAND_HARDWARE_ERROR",
		"IOTLB_INV_TIMEOUT", "INVALID_DEVICE_REQUEST",
	};
	unsigned code = (unsigned)(ev[0] >> 60);
	unsigned devid = (unsigned)(ev[0] & 0xffffU);
	/* the event's flags, bits 59:48 (for IO_PAGE_FAULT, 2.5.3: GN, NX, US,
	 * I, PR, RW, PE, RZ, TR from bit 48 up), shown raw: QEMU 7.2 puts its
	 * own permission bits there */
	unsigned flags = (unsigned)((ev[0] >> 48) & 0xfffU);

	fmt_snprintf(buf, size, "%s %02x:%02x.%u address %#lx flags %#x",
		     code < sizeof(names) / sizeof(names[0]) ? names[code] : "unknown event",
		     devid >> 8, (devid >> 3) & 31U, devid & 7U, ev[1], flags);
}
