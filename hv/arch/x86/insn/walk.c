/* Guest page-table walk, gva -> gpa, with the permission and reserved-bit
 * checks of SDM vol 3 4.3-4.6 and APM vol 2 5.3-5.6. Table entries are read
 * through w->read (guest RAM only); at most 5 levels, so it always ends. */
#include <bulkhead/types.h>
#include <bulkhead/string.h>
#include <bulkhead/x86/guest_walk.h>

#define PTE_P   (1ULL << 0)
#define PTE_RW  (1ULL << 1)
#define PTE_US  (1ULL << 2)
#define PTE_PS  (1ULL << 7)
#define PTE_XD  (1ULL << 63)

/* Rights accumulated along the walk (SDM vol 3 4.6.1). */
struct walk {
	const struct x86_walker *w;
	u64 gva;
	u32 access;
	bool user_ok, write_ok, nx;
	u32 *pf_error;
};

static u32 phys_bits(const struct x86_walker *w)
{
	u32 m = w->maxphyaddr;

	if (m == 0 || m > 52)
		return 52;
	return m < 32 ? 32 : m;
}

static u64 phys_mask(const struct x86_walker *w)
{
	return (1ULL << phys_bits(w)) - 1U;
}

/* Base error code: W/U from the access, I/D only when SMEP is on or when
 * PAE-format tables have NXE on (SDM vol 3 4.7). */
static u32 walk_ec(const struct walk *s)
{
	const struct x86_walker *w = s->w;
	u32 ec = s->access & (X86_PF_W | X86_PF_U);

	if ((s->access & X86_WALK_FETCH) &&
	    ((w->cr4 & X86_CR4_SMEP) ||
	     ((w->cr4 & X86_CR4_PAE) && (w->efer & X86_EFER_NXE))))
		ec |= X86_PF_I;
	return ec;
}

static enum x86_walk_result walk_fault(const struct walk *s, u32 bits)
{
	*s->pf_error = walk_ec(s) | bits;
	return X86_WALK_PAGE_FAULT;
}

static bool read_entry(const struct walk *s, u64 gpa, u8 size, u64 *e)
{
	u64 v = 0;

	if (s->w->read(s->w->ctx, gpa, &v, size) != X86_ACCESS_OK)
		return false;
	*e = v; /* little-endian host and guest */
	return true;
}

static void walk_accumulate(struct walk *s, u64 e, bool has_xd)
{
	s->user_ok = s->user_ok && (e & PTE_US);
	s->write_ok = s->write_ok && (e & PTE_RW);
	if (has_xd && (s->w->efer & X86_EFER_NXE) && (e & PTE_XD))
		s->nx = true;
}

/* Checks the combined rights against the access (SDM vol 3 4.6). */
static enum x86_walk_result walk_check(const struct walk *s)
{
	const struct x86_walker *w = s->w;
	bool user = s->access & X86_WALK_USER;
	bool write = s->access & X86_WALK_WRITE;
	bool fetch = s->access & X86_WALK_FETCH;

	if (user && !s->user_ok)
		return walk_fault(s, X86_PF_P);
	if (write && !s->write_ok && (user || (w->cr0 & X86_CR0_WP)))
		return walk_fault(s, X86_PF_P);
	if (fetch && s->nx)
		return walk_fault(s, X86_PF_P);
	if (!user && s->user_ok) { /* supervisor access to a user page */
		if (fetch && (w->cr4 & X86_CR4_SMEP))
			return walk_fault(s, X86_PF_P);
		if (!fetch && (w->cr4 & X86_CR4_SMAP) &&
		    !(w->rflags & X86_RFLAGS_AC))
			return walk_fault(s, X86_PF_P);
	}
	return X86_WALK_OK;
}

/* 32-bit paging: 2 levels of 4-byte entries, 4 MiB pages with CR4.PSE
 * and PSE-36 high address bits in PDE[20:13] (SDM vol 3 4.3). */
static enum x86_walk_result walk_32(struct walk *s, u64 *gpa)
{
	const struct x86_walker *w = s->w;
	u64 gva = s->gva & 0xffffffffULL, pde, pte;

	if (!read_entry(s, (w->cr3 & 0xfffff000ULL) + ((gva >> 22) * 4U), 4, &pde))
		return X86_WALK_BAD_GPA;
	if (!(pde & PTE_P))
		return walk_fault(s, 0);
	walk_accumulate(s, pde, false);
	if ((pde & PTE_PS) && (w->cr4 & X86_CR4_PSE)) {
		u32 hi_bits = MIN(phys_bits(w), 40U) - 32U;
		u64 rsvd = ((1ULL << 22) - 1U) & ~((1ULL << (13U + hi_bits)) - 1U);

		if (pde & rsvd)
			return walk_fault(s, X86_PF_P | X86_PF_RSVD);
		*gpa = (pde & 0xffc00000ULL) |
		       (((pde >> 13) & ((1ULL << hi_bits) - 1U)) << 32) |
		       (gva & 0x3fffffULL);
		return walk_check(s);
	}
	if (!read_entry(s, (pde & 0xfffff000ULL) + (((gva >> 12) & 0x3ffU) * 4U), 4,
			&pte))
		return X86_WALK_BAD_GPA;
	if (!(pte & PTE_P))
		return walk_fault(s, 0);
	walk_accumulate(s, pte, false);
	*gpa = (pte & 0xfffff000ULL) | (gva & 0xfffULL);
	return walk_check(s);
}

/* Walks `levels` levels of 512-entry tables starting at `table`. Reserved
 * bits of a 64-bit entry at `level` (1 = PTE ... 5 = PML5E): above
 * MAXPHYADDR (PAE: bits 62:M; long mode: bits 51:M), XD without NXE, PS in
 * PML4E/PML5E, and the low bits of a large-page frame. Rights are gathered
 * as the AND of the R/W and U/S bits and the OR of XD (SDM vol 3 4.6.1). */
static enum x86_walk_result walk_tables(struct walk *s, u64 table, u32 levels,
					bool pae, u64 *gpa)
{
	const struct x86_walker *w = s->w;
	u64 pm = phys_mask(w), e, m, rights = PTE_RW | PTE_US, xd = 0;
	u64 rsvd = (pae ? (1ULL << 63) - 1U : (1ULL << 52) - 1U) & ~pm;
	bool nxe = w->efer & X86_EFER_NXE;

	if (!nxe)
		rsvd |= PTE_XD;
	for (u32 level = levels; level >= 1; level--) {
		u32 shift = 12U + 9U * (level - 1U);

		if (!read_entry(s, table + ((s->gva >> shift) & 511U) * 8U, 8, &e))
			return X86_WALK_BAD_GPA;
		if (!(e & PTE_P))
			return walk_fault(s, 0);
		m = rsvd;
		if (level >= 4)
			m |= PTE_PS;
		else if (level >= 2 && (e & PTE_PS))
			m |= ((1ULL << shift) - 1U) & ~((1ULL << 13) - 1U);
		if (e & m)
			return walk_fault(s, X86_PF_P | X86_PF_RSVD);
		rights &= e;
		xd |= e;
		if (level == 1 || (level <= 3 && (e & PTE_PS))) {
			u64 off = (1ULL << shift) - 1U;

			s->user_ok = rights & PTE_US;
			s->write_ok = rights & PTE_RW;
			s->nx = nxe && (xd & PTE_XD);
			*gpa = (e & pm & ~off) | (s->gva & off);
			return walk_check(s);
		}
		table = e & pm & ~0xfffULL;
	}
	return X86_WALK_BAD_GPA; /* not reached: level 1 is always a leaf */
}

/* PAE: a 4-entry PDPT at CR3[31:5], then 2 levels (SDM vol 3 4.4). PDPTEs
 * carry no rights; their bits 2:1, 8:5 and 63:M are reserved. */
static enum x86_walk_result walk_pae(struct walk *s, u64 *gpa)
{
	const struct x86_walker *w = s->w;
	u64 pdpte, rsvd = 0x1e6ULL | ~phys_mask(w);

	s->gva &= 0xffffffffULL;
	if (!read_entry(s, (w->cr3 & 0xffffffe0ULL) + ((s->gva >> 30) * 8U), 8,
			&pdpte))
		return X86_WALK_BAD_GPA;
	if (!(pdpte & PTE_P))
		return walk_fault(s, 0);
	if (pdpte & rsvd)
		return walk_fault(s, X86_PF_P | X86_PF_RSVD);
	return walk_tables(s, pdpte & phys_mask(w) & ~0xfffULL, 2, true, gpa);
}

static bool is_canonical(u64 va, u32 bits)
{
	s64 sx = (s64)(va << (64U - bits)) >> (64U - bits);

	return (u64)sx == va;
}

enum x86_walk_result x86_walk_gva(const struct x86_walker *w, u64 gva,
				  u32 access, u64 *gpa, u32 *pf_error)
{
	struct walk s = { .w = w, .gva = gva, .access = access,
			  .user_ok = true, .write_ok = true, .nx = false,
			  .pf_error = pf_error };

	*pf_error = 0;
	if (!(w->cr0 & X86_CR0_PG) || !(w->cr0 & X86_CR0_PE)) {
		*gpa = gva & 0xffffffffULL;
		return X86_WALK_OK;
	}
	if (!(w->cr4 & X86_CR4_PAE))
		return walk_32(&s, gpa);
	if (!(w->efer & X86_EFER_LMA))
		return walk_pae(&s, gpa);
	bool la57 = w->cr4 & X86_CR4_LA57;
	if (!is_canonical(gva, la57 ? 57U : 48U))
		return X86_WALK_NONCANONICAL;
	return walk_tables(&s, w->cr3 & phys_mask(w) & ~0xfffULL, la57 ? 5U : 4U,
			   false, gpa);
}

enum x86_walk_result x86_walk_fetch_insn(const struct x86_walker *w, u64 la,
					 bool user, struct x86_fetch *f,
					 u32 *pf_error)
{
	u32 access = X86_WALK_FETCH | (user ? X86_WALK_USER : 0U);
	u32 first = (u32)MIN(X86_INSN_MAX_LEN, PAGE_SIZE - (la & (PAGE_SIZE - 1U)));
	enum x86_walk_result r;
	u64 gpa;

	f->len = 0;
	f->tail_fault = false;
	f->tail_pf_error = 0;
	f->tail_addr = 0;
	if (!(w->efer & X86_EFER_LMA))
		la &= 0xffffffffULL;
	r = x86_walk_gva(w, la, access, &gpa, pf_error);
	if (r != X86_WALK_OK)
		return r;
	if (w->read(w->ctx, gpa, f->bytes, first) != X86_ACCESS_OK)
		return X86_WALK_BAD_GPA;
	f->len = (u8)first;
	if (first == X86_INSN_MAX_LEN)
		return X86_WALK_OK;

	u64 la2 = la + first;
	u32 ec2;
	if (!(w->efer & X86_EFER_LMA))
		la2 &= 0xffffffffULL;
	r = x86_walk_gva(w, la2, access, &gpa, &ec2);
	if (r == X86_WALK_PAGE_FAULT) {
		f->tail_fault = true;
		f->tail_pf_error = ec2;
		f->tail_addr = la2;
	}
	if (r != X86_WALK_OK)
		return X86_WALK_OK; /* the instruction may end on the first page */
	if (w->read(w->ctx, gpa, f->bytes + first, X86_INSN_MAX_LEN - first) ==
	    X86_ACCESS_OK)
		f->len = X86_INSN_MAX_LEN;
	return X86_WALK_OK;
}
