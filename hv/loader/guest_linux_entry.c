/* The machine state the Linux 64-bit boot protocol asks for
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"): long mode with
 * paging, an identity map covering the kernel, boot_params, the command
 * line and the initrd; a GDT with flat __BOOT_CS (0x10) and __BOOT_DS
 * (0x18); interrupts off; RSI = boot_params. */
#include <bulkhead/guest_linux.h>
#include <bulkhead/string.h>

#define PDE_LARGE 0x83ULL /* present, writable, 2 MiB */
#define PTE_TABLE 0x03ULL /* present, writable */

/* Identity maps guest-physical 0..4 GiB with 2 MiB pages: PML4, one PDPT,
 * four page directories (LINUX_PT_GPA .. +6 pages). */
static bool write_page_tables(struct vm *vm)
{
	u64 page[512];

	memset(page, 0, sizeof(page));
	page[0] = (LINUX_PT_GPA + 0x1000) | PTE_TABLE;
	if (vm_write(vm, LINUX_PT_GPA, page, sizeof(page)) != GM_OK)
		return false;
	memset(page, 0, sizeof(page));
	for (u64 i = 0; i < 4; i++)
		page[i] = (LINUX_PT_GPA + 0x2000 + i * 0x1000) | PTE_TABLE;
	if (vm_write(vm, LINUX_PT_GPA + 0x1000, page, sizeof(page)) != GM_OK)
		return false;
	for (u64 d = 0; d < 4; d++) {
		for (u64 i = 0; i < 512; i++)
			page[i] = ((d << 30) + (i << 21)) | PDE_LARGE;
		if (vm_write(vm, LINUX_PT_GPA + 0x2000 + d * 0x1000, page, sizeof(page)) != GM_OK)
			return false;
	}
	return true;
}

static bool write_gdt(struct vm *vm)
{
	static const u64 gdt[4] = {
		0, 0,
		0x00af9b000000ffffULL, /* 0x10: 64-bit code, flat */
		0x00cf93000000ffffULL, /* 0x18: data, flat */
	};

	return vm_write(vm, LINUX_GDT_GPA, gdt, sizeof(gdt)) == GM_OK;
}

bool linux_entry_state(struct vm *vm, u64 entry, u64 boot_params_gpa,
		       struct vcpu_init_state *s, const char **err)
{
	struct x86_segment code = { .limit = 0xffffffff, .type = 0xb, .s = true,
				    .present = true, .l = true, .g = true };
	struct x86_segment data = { .limit = 0xffffffff, .type = 0x3, .s = true,
				    .present = true, .db = true, .g = true };
	struct vcpu *v = &vm->vcpu[0];

	if (!write_page_tables(vm) || !write_gdt(vm)) {
		*err = "guest RAM too small for the boot page tables";
		return false;
	}
	*s = (struct vcpu_init_state){
		.cr0 = 0x80050033ULL, /* PG, AM, WP, NE, ET, MP, PE */
		.cr3 = LINUX_PT_GPA,
		.cr4 = 0x20,          /* PAE */
		.efer = 0x500,        /* LME, LMA */
		.rip = entry,
		.rflags = 0x2,
		.cs_sel = 0x10,
		.ds_sel = 0x18,
		.cs = code,
		.ds = data,
		.gdtr_base = LINUX_GDT_GPA,
		.gdtr_limit = 4 * 8 - 1,
		.idtr_limit = 0,
	};
	memset(v->gpr, 0, sizeof(v->gpr));
	v->gpr[X86_REG_RSI] = boot_params_gpa;
	return true;
}
