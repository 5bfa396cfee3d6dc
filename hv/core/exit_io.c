/* Port I/O exits: IN/OUT through the bus, INS/OUTS through the guest's page
 * tables to RAM or MMIO (SDM vol. 2 IN, INS, OUT, OUTS). Unclaimed reads
 * return all ones, unclaimed writes are dropped; both are counted. Odd
 * accesses (wider than a device's registers, refused by it) follow the bus
 * rule (bus.h). */
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

	if ((vcpu_read_reg(v, X86_REG_EFER) & X86_EFER_LMA) && seg != X86_SEG_FS &&
	    seg != X86_SEG_GS)
		return off;
	vcpu_read_seg(v, seg, &s);
	return s.base + off;
}

/* Reads or writes the size-byte string operand at linear la through the
 * guest's page tables, RAM or a device's MMIO, split at a page boundary
 * (x86_emul_virt); queues the guest's fault, or stops the VM for memory
 * that is neither RAM nor a device. */
static bool string_mem(struct vcpu *v, u64 la, u32 size, bool write, u64 *val)
{
	struct x86_emul em;
	struct x86_fault f;
	enum x86_emul_result r;

	vcpu_emul_init(v, &em);
	r = x86_emul_virt(&em, la, size, write, val, &f);
	if (r == X86_EMUL_OK)
		return true;
	(void)vcpu_emul_done(v, r, &f);
	return false;
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

/* Out of line: its frame would otherwise slow every plain IN/OUT. */
__attribute__((noinline)) static void string_io(struct vcpu *v, const struct vm_exit *e)
{
	const struct io_exit *io = &e->u.io;
	u64 amask = size_mask(io->addr_size ? io->addr_size : 8);
	u64 *rcx = &v->gpr[X86_REG_RCX];
	/* Single-stepped, a REP string instruction traps after each round
	 * with RIP still on it while rounds remain (SDM vol. 3 17.3.1.4). */
	int batch = (v->rflags & X86_RFLAGS_TF) ? 1 : REP_BATCH;

	for (int i = 0; i < batch; i++) {
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
	else
		vcpu_single_step(v);
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
	if (v->vm->state == VM_RUNNING) /* not stopped by the device */
		vcpu_skip_insn(v, e->inst_len);
}
