/* Port I/O exits: IN/OUT through the bus, INS/OUTS through the guest's page
 * tables (SDM vol. 2 IN, INS, OUT, OUTS). Unclaimed reads return all ones,
 * unclaimed writes are dropped; both are counted. Odd accesses (wider than
 * a device's registers, refused by it) follow the bus rule (bus.h). */
#include <bulkhead/exit.h>

#define REP_BATCH 1024 /* iterations per exit; the instruction restarts */

static u64 size_mask(u32 size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* Port accesses never fail (bus_guest_read): the bus splits, refuses and
 * fills in all ones as the platform does; only wholly unclaimed ones are
 * counted here. */
static u64 port_read(struct vcpu *v, u16 port, u32 size)
{
	struct bus *b = &v->vm->bus;
	u64 val;

	if (bus_guest_read(&b->pio, port, size, &val, v->vm->name) == BUS_UNCLAIMED)
		b->unclaimed_reads++;
	return val;
}

static void port_write(struct vcpu *v, u16 port, u32 size, u64 val)
{
	struct bus *b = &v->vm->bus;

	if (bus_guest_write(&b->pio, port, size, val, v->vm->name) == BUS_UNCLAIMED)
		b->unclaimed_writes++;
}

/* Writes an IN result to rAX as the hardware does: 32-bit results
 * zero-extend, 8/16-bit ones keep the upper bits. */
static void set_rax(struct vcpu *v, u32 size, u64 val)
{
	u64 *rax = &v->gpr[X86_REG_RAX];

	*rax = size == 4 ? val : (*rax & ~size_mask(size)) | val;
}

/* Linear address of seg:off (segment bases are ignored in 64-bit mode,
 * but for FS and GS). */
static u64 linear(struct vcpu *v, enum x86_seg seg, u64 off)
{
	struct x86_segment s;

	if ((vcpu_read_reg(v, X86_REG_EFER) & (1ULL << 10)) && seg != X86_SEG_FS &&
	    seg != X86_SEG_GS)
		return off;
	vcpu_read_seg(v, seg, &s);
	return s.base + off;
}

/* Translates one linear address; queues the guest's fault or stops the VM. */
static bool translate(struct vcpu *v, u64 la, bool write, u64 *gpa)
{
	struct x86_walker w;
	u32 pf_error;
	enum x86_walk_result r;

	vcpu_walker_init(v, &w);
	r = x86_walk_gva(&w, la, write ? X86_WALK_WRITE : 0, gpa, &pf_error);
	if (r == X86_WALK_OK)
		return true;
	if (r == X86_WALK_PAGE_FAULT)
		vcpu_inject_page_fault(v, pf_error, la);
	else if (r == X86_WALK_NONCANONICAL)
		vcpu_inject_exception(v, 13, true, 0);
	else
		vm_crash(v->vm, "string I/O through page tables outside its RAM");
	return false;
}

/* Reads or writes the size-byte string operand at la, which may cross a
 * page boundary: each page is translated on its own. */
static bool string_mem(struct vcpu *v, u64 la, u32 size, bool write, u64 *val)
{
	u32 first = (u32)MIN((u64)size, 0x1000 - (la & 0xfff));
	u64 gpa[2];
	u8 *bytes = (u8 *)val;
	enum gm_result r = GM_OK;

	if (!translate(v, la, write, &gpa[0]) ||
	    (first < size && !translate(v, la + first, write, &gpa[1])))
		return false;
	for (int part = 0; part < 2 && r == GM_OK; part++) {
		u32 at = part ? first : 0, n = part ? size - first : first;
		if (n == 0)
			continue;
		r = write ? vm_write(v->vm, gpa[part], bytes + at, n)
			  : vm_read(v->vm, gpa[part], bytes + at, n);
	}
	if (r != GM_OK)
		vm_crash(v->vm, "string I/O to non-RAM guest-physical memory near %#lx", gpa[0]);
	return r == GM_OK;
}

/* One INS or OUTS iteration; false stops the batch. */
static bool string_step(struct vcpu *v, const struct io_exit *io, u64 amask)
{
	bool in = io->in;
	enum x86_reg idx = in ? X86_REG_RDI : X86_REG_RSI;
	enum x86_seg seg = in ? X86_SEG_ES : (enum x86_seg)io->seg;
	u64 off = v->gpr[idx] & amask, val = 0;
	u64 la = linear(v, seg, off);
	s64 step = (v->rflags & (1ULL << 10)) ? -(s64)io->size : io->size;

	if (in) {
		val = port_read(v, io->port, io->size);
		if (!string_mem(v, la, io->size, true, &val))
			return false;
	} else {
		if (!string_mem(v, la, io->size, false, &val))
			return false;
		port_write(v, io->port, io->size, val);
	}
	v->gpr[idx] = (v->gpr[idx] & ~amask) | ((off + (u64)step) & amask);
	return true;
}

static void string_io(struct vcpu *v, const struct vm_exit *e)
{
	const struct io_exit *io = &e->u.io;
	u64 amask = size_mask(io->addr_size ? io->addr_size : 8);
	u64 *rcx = &v->gpr[X86_REG_RCX];

	for (int i = 0; i < REP_BATCH; i++) {
		if (io->rep && (*rcx & amask) == 0)
			break;
		if (!string_step(v, io, amask))
			return; /* fault queued or VM stopped: RIP stays */
		if (!io->rep)
			break;
		*rcx = (*rcx & ~amask) | (((*rcx & amask) - 1) & amask);
	}
	if (!io->rep || (*rcx & amask) == 0)
		vcpu_skip_insn(v, e->inst_len);
}

void exit_handle_io(struct vcpu *v, const struct vm_exit *e)
{
	const struct io_exit *io = &e->u.io;

	if (io->string) {
		string_io(v, e);
		return;
	}
	if (io->in)
		set_rax(v, io->size, port_read(v, io->port, io->size));
	else
		port_write(v, io->port, io->size, v->gpr[X86_REG_RAX]);
	if (vm_is_running(v->vm))
		vcpu_skip_insn(v, e->inst_len);
}
