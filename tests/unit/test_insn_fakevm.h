/* A fake vCPU for the emulator and walker tests: registers, segments, a
 * small guest RAM at gpa 0, one MMIO page that logs accesses, and a
 * page-table builder. Everything bounds-checked, as the real callbacks are. */
#ifndef TEST_INSN_FAKEVM_H
#define TEST_INSN_FAKEVM_H

#include <string.h>
#include <bulkhead/x86/insn_emul.h>

#define FAKE_RAM_SIZE (2U * 1024 * 1024)
#define FAKE_MMIO_BASE 0xfee00000ULL
#define FAKE_LOG_MAX 16

struct fake_access {
	bool write;
	u64 gpa;
	u32 size;
	u64 val;
};

struct fakevm {
	u64 reg[X86_REG_COUNT];
	struct x86_segment seg[X86_SEG_COUNT];
	u8 *ram;
	u8 mmio[4096];
	struct fake_access log[FAKE_LOG_MAX];
	unsigned nlog;
	bool mmio_fail;
	u64 next_table; /* bump allocator for page tables, in ram */
};

static inline u64 fake_read_reg(void *ctx, enum x86_reg reg)
{
	struct fakevm *vm = ctx;

	if ((unsigned)reg >= X86_REG_COUNT)
		abort();
	return vm->reg[reg];
}

static inline void fake_write_reg(void *ctx, enum x86_reg reg, u64 val)
{
	struct fakevm *vm = ctx;

	if ((unsigned)reg > X86_REG_RFLAGS)
		abort(); /* the emulator writes only GPRs, RIP and RFLAGS */
	vm->reg[reg] = val;
}

static inline void fake_read_seg(void *ctx, enum x86_seg seg, struct x86_segment *out)
{
	struct fakevm *vm = ctx;

	if ((unsigned)seg >= X86_SEG_COUNT)
		abort();
	*out = vm->seg[seg];
}

static inline bool fake_is_mmio(u64 gpa, u64 len)
{
	return gpa >= FAKE_MMIO_BASE && len <= 4096 && gpa - FAKE_MMIO_BASE <= 4096 - len;
}

static inline void fake_log(struct fakevm *vm, bool write, u64 gpa, u32 size, u64 val)
{
	if (vm->nlog < FAKE_LOG_MAX)
		vm->log[vm->nlog++] = (struct fake_access){ write, gpa, size, val };
}

static inline enum x86_access_result fake_mmio_read(void *ctx, u64 gpa, u32 size,
						    u64 *val)
{
	struct fakevm *vm = ctx;

	if (vm->mmio_fail || !fake_is_mmio(gpa, size) ||
	    (size != 1 && size != 2 && size != 4 && size != 8))
		return X86_ACCESS_ERROR;
	*val = 0;
	memcpy(val, vm->mmio + (gpa - FAKE_MMIO_BASE), size);
	fake_log(vm, false, gpa, size, *val);
	return X86_ACCESS_OK;
}

static inline enum x86_access_result fake_mmio_write(void *ctx, u64 gpa, u32 size,
						     u64 val)
{
	struct fakevm *vm = ctx;

	if (vm->mmio_fail || !fake_is_mmio(gpa, size) ||
	    (size != 1 && size != 2 && size != 4 && size != 8))
		return X86_ACCESS_ERROR;
	memcpy(vm->mmio + (gpa - FAKE_MMIO_BASE), &val, size);
	fake_log(vm, true, gpa, size, val);
	return X86_ACCESS_OK;
}

static inline enum x86_access_result fake_gpa_read(void *ctx, u64 gpa, void *buf,
						   size_t len)
{
	struct fakevm *vm = ctx;

	if (gpa >= FAKE_RAM_SIZE || len > FAKE_RAM_SIZE - gpa)
		return fake_is_mmio(gpa, len) ? X86_ACCESS_UNMAPPED : X86_ACCESS_ERROR;
	memcpy(buf, vm->ram + gpa, len);
	return X86_ACCESS_OK;
}

static inline enum x86_access_result fake_gpa_write(void *ctx, u64 gpa,
						    const void *buf, size_t len)
{
	struct fakevm *vm = ctx;

	if (gpa >= FAKE_RAM_SIZE || len > FAKE_RAM_SIZE - gpa)
		return fake_is_mmio(gpa, len) ? X86_ACCESS_UNMAPPED : X86_ACCESS_ERROR;
	memcpy(vm->ram + gpa, buf, len);
	return X86_ACCESS_OK;
}

static const struct x86_emul_ops fake_ops = {
	.read_reg = fake_read_reg,
	.write_reg = fake_write_reg,
	.read_seg = fake_read_seg,
	.mmio_read = fake_mmio_read,
	.mmio_write = fake_mmio_write,
	.gpa_read = fake_gpa_read,
	.gpa_write = fake_gpa_write,
};

/* A vCPU in the given mode: 64 = long mode, paging on (tables built by the
 * test); 32 = protected mode, flat, paging off; 16 = real mode. */
static inline void fake_init(struct fakevm *vm, enum x86_mode mode)
{
	u8 *ram = vm->ram;

	memset(vm, 0, sizeof(*vm));
	vm->ram = ram ? ram : calloc(1, FAKE_RAM_SIZE);
	memset(vm->ram, 0, FAKE_RAM_SIZE);
	vm->reg[X86_REG_RFLAGS] = 0x2;
	vm->next_table = 0x100000; /* page tables live in the second MiB */
	for (unsigned i = 0; i < X86_SEG_COUNT; i++) {
		vm->seg[i].limit = 0xffffffff;
		vm->seg[i].present = true;
		vm->seg[i].s = true;
		vm->seg[i].db = mode == X86_MODE_32;
	}
	if (mode == X86_MODE_64) {
		vm->reg[X86_REG_CR0] = X86_CR0_PE | X86_CR0_PG | X86_CR0_WP;
		vm->reg[X86_REG_CR4] = X86_CR4_PAE;
		vm->reg[X86_REG_EFER] = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
		vm->seg[X86_SEG_CS].l = true;
		vm->seg[X86_SEG_CS].db = false;
		vm->reg[X86_REG_CR3] = vm->next_table;
		vm->next_table += 4096;
	} else if (mode == X86_MODE_32) {
		vm->reg[X86_REG_CR0] = X86_CR0_PE;
	}
}

static inline void fake_free(struct fakevm *vm)
{
	free(vm->ram);
	vm->ram = NULL;
}

static inline u64 fake_alloc_table(struct fakevm *vm)
{
	u64 t = vm->next_table;

	vm->next_table += 4096;
	if (vm->next_table > FAKE_RAM_SIZE)
		abort();
	memset(vm->ram + t, 0, 4096);
	return t;
}

static inline u64 fake_get64(const struct fakevm *vm, u64 gpa)
{
	u64 v;

	memcpy(&v, vm->ram + gpa, 8);
	return v;
}

static inline void fake_put64(struct fakevm *vm, u64 gpa, u64 v)
{
	memcpy(vm->ram + gpa, &v, 8);
}

/* Maps the 4 KiB page gva -> gpa in 4-level (or 5-level) tables rooted at
 * CR3; intermediate entries are P|RW|US, the leaf gets `flags`. */
static inline void fake_map4k(struct fakevm *vm, u64 gva, u64 gpa, u64 flags)
{
	bool la57 = vm->reg[X86_REG_CR4] & X86_CR4_LA57;
	u64 table = vm->reg[X86_REG_CR3] & ~0xfffULL;

	for (int level = la57 ? 5 : 4; level > 1; level--) {
		u64 slot = table + ((gva >> (12 + 9 * (level - 1))) & 511) * 8;
		u64 e = fake_get64(vm, slot);

		if (!(e & 1)) {
			e = fake_alloc_table(vm) | 0x7;
			fake_put64(vm, slot, e);
		}
		table = e & 0x000ffffffffff000ULL;
	}
	fake_put64(vm, table + ((gva >> 12) & 511) * 8, (gpa & ~0xfffULL) | flags);
}

static inline struct x86_emul fake_emul(struct fakevm *vm)
{
	return (struct x86_emul){ .ops = &fake_ops, .ctx = vm, .maxphyaddr = 40 };
}

#endif
