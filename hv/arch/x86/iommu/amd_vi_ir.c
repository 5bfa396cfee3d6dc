/* Encoders of AMD-Vi interrupt remapping (amd_vi_ir.h; AMD IOMMU spec
 * 48882 2.2.2.1, 2.2.5.1, 2.4.5). */
#include <bulkhead/amd_vi_ir.h>

#define IRTE_REMAP_EN   (1U << 0)
#define IRTE_DEST_SHIFT 8
#define IRTE_VEC_SHIFT  16
#define OPCODE_SHIFT    60

void amd_vi_dte_intremap(u64 dte[4], u64 table)
{
	dte[2] = AMD_VI_DTE2_IV | (u64)AMD_VI_IRT_LOG2 << AMD_VI_DTE2_INTTABLEN_SHIFT |
		 (table & AMD_VI_DTE2_IRT_MASK) |
		 AMD_VI_DTE2_INTCTL_REMAP << AMD_VI_DTE2_INTCTL_SHIFT;
}

void amd_vi_dte_intr_abort(u64 dte[4])
{
	dte[2] = AMD_VI_DTE2_IV;
}

u32 amd_vi_irte(u8 vector, u8 apic_id)
{
	return IRTE_REMAP_EN | (u32)apic_id << IRTE_DEST_SHIFT | (u32)vector << IRTE_VEC_SHIFT;
}

void amd_vi_cmd_invalidate_irt(u64 cmd[2], u16 devid)
{
	cmd[0] = devid | AMD_VI_CMD_INVALIDATE_IRT << OPCODE_SHIFT;
	cmd[1] = 0;
}
