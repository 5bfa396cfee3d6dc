/* Boots a Multiboot v1 kernel in a VM: copies its segments and modules
 * into guest RAM, writes the info block the specification describes and the
 * ACPI tables, and sets the 32-bit protected-mode entry state (Multiboot
 * 0.6.96 3.2, 3.3). The kernel may load anywhere in guest RAM below 4 GiB
 * except the two areas the hypervisor fills: the info block [0x9000,
 * 0x10000) and the firmware area [0x9f000, 0x100000) with the ACPI tables. */
#include <bulkhead/guest_image.h>
#include <bulkhead/guest_load.h>
#include <bulkhead/mm.h>
#include <bulkhead/string.h>

#define MB1_BOOT_MAGIC 0x2badb002U
#define LOW_RAM_END    0x9f000ULL  /* conventional memory the guest sees */
#define INFO_GPA       0x9000ULL
#define MMAP_GPA       0x9100ULL
#define MODS_GPA       0x9200ULL
#define STRINGS_GPA    0x9400ULL
#define STRINGS_END    0x10000ULL
#define HIGH_RAM_GPA   0x100000ULL /* above the firmware area: modules go here */

struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
};
_Static_assert(sizeof(struct mb1_info) == 52, "Multiboot info through mmap_addr");

struct mb1_mmap_entry {
	u32 size;
	u64 base, len;
	u32 type;
} __packed;

struct mb1_module {
	u32 start, end, string, reserved;
};

struct loader {
	struct vm *vm;
	u64 strings; /* next free byte for strings */
	const char **err;
};

static bool put(struct loader *l, u64 gpa, const void *src, u64 len)
{
	if (vm_write(l->vm, gpa, src, len) != GM_OK) {
		*l->err = "guest RAM too small for the kernel and its modules";
		return false;
	}
	return true;
}

static bool put_string(struct loader *l, const char *s, u32 *gpa)
{
	u64 n = strlen(s) + 1;

	if (n > STRINGS_END - l->strings) {
		*l->err = "guest command lines too long";
		return false;
	}
	*gpa = (u32)l->strings;
	l->strings += n;
	return put(l, *gpa, s, n);
}

static bool load_segments(struct loader *l, const u8 *img, const struct guest_image *gi)
{
	for (unsigned i = 0; i < gi->nr_segs; i++) {
		const struct guest_image_seg *s = &gi->seg[i];
		if (!put(l, s->gpa, img + s->file_off, s->file_len))
			return false;
		/* guest RAM starts zeroed, so the rest of mem_len is bss already */
	}
	return true;
}

static bool load_modules(struct loader *l, const struct vm_config *cfg, u64 at, u32 *count)
{
	struct mb1_module list[VM_MAX_MODS];

	for (unsigned i = 0; i < cfg->nr_mods; i++) {
		const struct vm_module *m = &cfg->mods[i];

		at = ALIGN_UP(at, PAGE_SIZE);
		if (at + m->len > l->vm->mem.size || at + m->len > 0xffffffffULL) {
			*l->err = "guest RAM too small for its modules";
			return false;
		}
		if (!put(l, at, phys_to_virt(m->hpa), m->len))
			return false;
		list[i] = (struct mb1_module){ (u32)at, (u32)(at + m->len), 0, 0 };
		if (!put_string(l, m->cmdline, &list[i].string))
			return false;
		at += m->len;
	}
	*count = cfg->nr_mods;
	return put(l, MODS_GPA, list, cfg->nr_mods * sizeof(list[0]));
}

static bool write_info(struct loader *l, const struct vm_config *cfg, u64 modules_at)
{
	u64 ram = l->vm->mem.size;
	struct mb1_mmap_entry map[3] = {
		{ 20, 0, LOW_RAM_END, 1 },
		{ 20, LOW_RAM_END, HIGH_RAM_GPA - LOW_RAM_END, 2 },
		{ 20, HIGH_RAM_GPA, ram - HIGH_RAM_GPA, 1 },
	};
	struct mb1_info info = {
		.flags = (1U << 0) | (1U << 2) | (1U << 3) | (1U << 6),
		.mem_lower = (u32)(LOW_RAM_END >> 10),
		.mem_upper = (u32)((ram - HIGH_RAM_GPA) >> 10),
		.mods_addr = (u32)MODS_GPA,
		.mmap_length = sizeof(map),
		.mmap_addr = (u32)MMAP_GPA,
	};

	return put_string(l, cfg->cmdline, &info.cmdline) &&
	       load_modules(l, cfg, modules_at, &info.mods_count) &&
	       put(l, MMAP_GPA, map, sizeof(map)) && put(l, INFO_GPA, &info, sizeof(info));
}

/* Protected mode, paging off, flat 4 GiB segments (Multiboot 3.2). */
static void entry_state(struct vcpu_init_state *s, u64 entry)
{
	struct x86_segment code = { .limit = 0xffffffff, .type = 0xb, .s = true,
				    .present = true, .db = true, .g = true };
	struct x86_segment data = code;

	data.type = 0x3;
	*s = (struct vcpu_init_state){
		.cr0 = 0x11, /* PE, ET */
		.rip = entry,
		.rflags = 0x2,
		.cs_sel = 0x08,
		.ds_sel = 0x10,
		.cs = code,
		.ds = data,
		.gdtr_limit = 0xffff,
		.idtr_limit = 0xffff,
	};
}

/* Areas the loader fills, which no kernel segment may cover. */
static bool segments_clear(const struct guest_image *gi, const char **err)
{
	static const u64 used[][2] = { { INFO_GPA, STRINGS_END }, { LOW_RAM_END, HIGH_RAM_GPA } };

	for (unsigned i = 0; i < gi->nr_segs; i++) {
		const struct guest_image_seg *s = &gi->seg[i];

		for (unsigned j = 0; j < ARRAY_SIZE(used); j++) {
			if (s->gpa < used[j][1] && used[j][0] < s->gpa + s->mem_len) {
				*err = "image segment overlaps the Multiboot info or firmware area";
				return false;
			}
		}
	}
	return true;
}

bool guest_load_multiboot(struct vm *vm, const struct vm_config *cfg,
			  struct vcpu_init_state *init, const char **err)
{
	const u8 *img = phys_to_virt(cfg->kernel.hpa);
	struct loader l = { vm, STRINGS_GPA, err };
	struct guest_image gi;
	struct vcpu *v = &vm->vcpu[0];
	u64 rsdp; /* found by the guest's own scan: Multiboot 1 has no field for it */

	if (!guest_image_parse(img, cfg->kernel.len, 0, MIN(vm->mem.size, 0x100000000ULL), &gi,
			       err) ||
	    !segments_clear(&gi, err))
		return false;
	if (!load_segments(&l, img, &gi) || !write_info(&l, cfg, MAX(gi.highest, HIGH_RAM_GPA)) ||
	    !guest_load_acpi(vm, &rsdp, err))
		return false;
	entry_state(init, gi.entry);
	v->gpr[X86_REG_RAX] = MB1_BOOT_MAGIC;
	v->gpr[X86_REG_RBX] = INFO_GPA;
	return true;
}
