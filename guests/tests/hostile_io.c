/* Odd but legal device accesses that must not stop the VM (issue 10,
 * "Found 3"), each with the result the platform gives (docs/architecture.md,
 * "Devices and the bus"): wide port accesses over byte-wide devices and
 * unclaimed ports, odd widths at the local APIC and IOAPIC, LOCK'ed
 * read-modify-write instructions on MMIO, a qword across two MMIO pages,
 * string I/O to and from an MMIO page; and the single-step trap (TF) after
 * instructions the hypervisor carries out (CPUID, OUT, an MMIO load).
 * Needs `testdev testexit` (guests/README.md). */
#include "guest.h"

const char guest_name[] = "hostile";

#define LATCH     0xe0
#define FIFO      0xe4
#define SCRATCH   MMIO_SCRATCH
#define IOAPIC    0xfec00000UL
#define DR6_BS    (1UL << 14)

/* ---- port I/O wider than the devices ---- */
static void test_ports(void)
{
	u32 v;

	/* PIC at 0x20-0x21: a dword touches 0x20-0x23; 0x22-0x23 are free */
	v = inl(0x20);
	EXPECT_EQ(v >> 16, 0xffff);
	/* OCW3 (read IRR) to 0x20, IMR = 0xff to 0x21, nothing at 0x22-0x23 */
	outl(0x20, 0xffffff0a);
	EXPECT_EQ(inb(0x21), 0xff);
	outw(0x20, 0x000a);             /* a word: OCW3, IMR = 0 */
	EXPECT_EQ(inb(0x21), 0);
	/* dwords that run into a device from free ports below it */
	EXPECT_EQ(inl(0x1d) & 0xffffff, 0xffffff);      /* .. PIC 0x20 */
	EXPECT_EQ(inl(0x5d) & 0xffffff, 0xffffff);      /* .. i8042 0x60 */
	EXPECT_EQ(inl(0x6e) & 0xffffff, 0xffffff);      /* .. RTC 0x70 (write-only) */
	EXPECT_EQ(inw(0x70) & 0xff, 0xff);              /* RTC: index byte, data */
	/* the test device: latch 0xe0-0xe3, then the FIFO at 0xe4 (empty) */
	outl(LATCH, 0x44332211);
	EXPECT_EQ(inl(0xe1), 0xff443322);               /* latch bytes 1-3, FIFO */
	outl(0xe3, 0xddccbbaa);                         /* latch[3], FIFO, inert */
	EXPECT_EQ(inl(LATCH), 0xaa332211);
	EXPECT_EQ(inb(FIFO), 0xbb);
	EXPECT_EQ(inb(FIFO), 0xff);
	/* a word at the top of the port space */
	EXPECT_EQ(inl(0xfffe), 0xffffffff);
}

/* ---- local APIC and IOAPIC: only aligned dwords are registers ---- */
static void test_apic_widths(void)
{
	u32 tpr = mmio_read32(APIC_MMIO + 0x80);

	EXPECT_EQ(mmio_read8(APIC_MMIO + 0x20), 0xff);          /* ID, a byte */
	EXPECT_EQ(mmio_read16(APIC_MMIO + 0x30), 0xffff);       /* version, a word */
	EXPECT_EQ(mmio_read64(APIC_MMIO + 0x30), ~0ULL);        /* a qword */
	mmio_write16(APIC_MMIO + 0x80, 0x00f0);                 /* TPR, a word: dropped */
	mmio_write64(APIC_MMIO + 0x80, 0xf0);                   /* a qword: dropped */
	EXPECT_EQ(mmio_read32(APIC_MMIO + 0x80), tpr);
	mmio_write32(IOAPIC, 1);                                /* IOREGSEL = version */
	EXPECT_EQ(mmio_read8(IOAPIC), 1);                       /* IOREGSEL takes a byte */
	mmio_write16(IOAPIC, 0);                                /* dropped */
	EXPECT_EQ(mmio_read32(IOAPIC), 1);
	EXPECT_EQ(mmio_read16(IOAPIC + 0x10), 0xffff);          /* IOWIN, a word */
	EXPECT_EQ(mmio_read32(IOAPIC + 0x10) & 0xff, 0x11);     /* version 0x11 */
}

/* ---- read-modify-write instructions on MMIO ---- */
static void test_rmw(void)
{
	u64 a = SCRATCH + 0x100;
	u64 v, old;
	u8 cf, zf;

	mmio_write32(a, 0x10);
	asm volatile("lock incl (%0)" : : "r"(a) : "memory", "cc");
	EXPECT_EQ(mmio_read32(a), 0x11);
	asm volatile("lock decl (%0)" : : "r"(a) : "memory", "cc");
	asm volatile("lock decl (%0)" : : "r"(a) : "memory", "cc");
	EXPECT_EQ(mmio_read32(a), 0xf);
	asm volatile("lock notl (%0)" : : "r"(a) : "memory");
	EXPECT_EQ(mmio_read32(a), 0xfffffff0);
	asm volatile("lock negl (%0)" : : "r"(a) : "memory", "cc");
	EXPECT_EQ(mmio_read32(a), 0x10);
	asm volatile("incb (%0); decw 2(%0)" : : "r"(a) : "memory", "cc");
	EXPECT_EQ(mmio_read32(a), 0xffff0011);
	/* xadd: memory gets the sum, the register the old value */
	mmio_write64(a, 40);
	v = 2;
	asm volatile("lock xaddq %0, (%1)" : "+r"(v) : "r"(a) : "memory", "cc");
	EXPECT_EQ(v, 40);
	EXPECT_EQ(mmio_read64(a), 42);
	/* cmpxchg: hit and miss */
	old = 42;
	asm volatile("lock cmpxchgq %3, (%2); setz %1"
		     : "+a"(old), "=q"(zf) : "r"(a), "r"(7UL) : "memory", "cc");
	EXPECT_EQ(zf, 1);
	EXPECT_EQ(mmio_read64(a), 7);
	old = 42;
	asm volatile("lock cmpxchgq %3, (%2); setz %1"
		     : "+a"(old), "=q"(zf) : "r"(a), "r"(9UL) : "memory", "cc");
	EXPECT_EQ(zf, 0);
	EXPECT_EQ(old, 7);
	EXPECT_EQ(mmio_read64(a), 7);
	/* bit tests, register offset beyond the dword, immediate offset */
	mmio_write64(a, 0);
	asm volatile("lock btsl %1, (%2); setc %0" : "=q"(cf) : "r"(35), "r"(a) : "memory", "cc");
	EXPECT_EQ(cf, 0);
	EXPECT_EQ(mmio_read64(a), 1UL << 35);
	asm volatile("btl $3, 4(%1); setc %0" : "=q"(cf) : "r"(a) : "memory", "cc");
	EXPECT_EQ(cf, 1);
	asm volatile("lock btcq $0, (%1); setc %0" : "=q"(cf) : "r"(a) : "memory", "cc");
	EXPECT_EQ(cf, 0);
	asm volatile("lock btrq $35, (%1); setc %0" : "=q"(cf) : "r"(a) : "memory", "cc");
	EXPECT_EQ(cf, 1);
	EXPECT_EQ(mmio_read64(a), 1);
	/* setcc to MMIO */
	mmio_write32(a, 0xffffffff);
	asm volatile("cmp %%eax, %%eax; sete (%0); setne 1(%0)" : : "r"(a) : "rax", "memory", "cc");
	EXPECT_EQ(mmio_read32(a), 0xffff0001);
}

/* ---- a qword across the end of the scratch page: the next page is the
 * device's 8-byte counter, which takes only aligned qwords ---- */
static void test_cross_page(void)
{
	u64 a = SCRATCH + 0xffc;

	mmio_write32(a, 0x44332211);
	EXPECT_EQ(mmio_read64(a), 0xffffffff44332211ULL);
	mmio_write64(a, 0x8877665500000000ULL | 0xaabbccdd);
	EXPECT_EQ(mmio_read32(a), 0xaabbccdd);
	/* a word across: one byte each side */
	mmio_write8(a + 3, 0x5a);
	EXPECT_EQ(mmio_read16(a + 3), 0xff5a);
}

/* ---- INS/OUTS to and from the scratch page through the FIFO ---- */
static void test_string_io(void)
{
	static const char text[16] = "hostile string!";
	u8 back[16];
	const void *si = text;
	void *di;
	u64 n = sizeof(text), dst = SCRATCH + 0x200;

	asm volatile("rep outsb" : "+S"(si), "+c"(n) : "d"(FIFO) : "memory");
	di = (void *)dst;
	n = sizeof(text);
	asm volatile("rep insb" : "+D"(di), "+c"(n) : "d"(FIFO) : "memory");
	EXPECT_EQ((u64)di, dst + sizeof(text));
	for (unsigned i = 0; i < sizeof(text); i++)
		EXPECT_EQ(mmio_read8(dst + i), (u8)text[i]);
	/* and back out of MMIO, as words, across the end of the page */
	si = (const void *)dst;
	n = sizeof(text) / 2;
	asm volatile("rep outsw" : "+S"(si), "+c"(n) : "d"(FIFO) : "memory");
	for (unsigned i = 0; i < sizeof(text); i++)
		back[i] = inb(FIFO);
	EXPECT_EQ(memcmp(back, text, sizeof(text)), 0);
	mmio_write16(SCRATCH + 0xfff - 1, 0x6261);
	si = (const void *)(SCRATCH + 0xfff);
	n = 1;
	asm volatile("rep outsw" : "+S"(si), "+c"(n) : "d"(FIFO) : "memory");
	EXPECT_EQ(inb(FIFO), 0x62);     /* the scratch page's last byte */
	EXPECT_EQ(inb(FIFO), 0xff);     /* the counter refuses a byte */
	EXPECT_EQ(inb(FIFO), 0xff);     /* empty */
}

/* ---- single-step over instructions the hypervisor carries out ---- */
extern char db_stub[];
volatile u64 db_rip, db_dr6;
volatile u32 db_count;

/* #DB (a trap: no error code): record RIP and DR6, clear TF, return */
asm(".text\n"
    ".globl db_stub\n"
    "db_stub:\n\t"
    "push %rax\n\t"
    "mov 8(%rsp), %rax\n\t"
    "mov %rax, db_rip(%rip)\n\t"
    "mov %dr6, %rax\n\t"
    "mov %rax, db_dr6(%rip)\n\t"
    "incl db_count(%rip)\n\t"
    "andq $~0x100, 24(%rsp)\n\t"
    "pop %rax\n\t"
    "iretq\n");

struct idt_gate {
	u16 off_lo, sel;
	u8 ist, type;
	u16 off_mid;
	u32 off_hi, zero;
} __attribute__((packed));

static void install_db(void)
{
	struct { u16 limit; u64 base; } __attribute__((packed)) d;
	struct idt_gate *g;
	u64 h = (u64)(uintptr_t)db_stub;

	asm volatile("sidt %0" : "=m"(d));
	g = (struct idt_gate *)(uintptr_t)d.base + 1;
	g->off_lo = (u16)h;
	g->off_mid = (u16)(h >> 16);
	g->off_hi = (u32)(h >> 32);
}

static void db_clear(void)
{
	db_count = 0;
	db_rip = 0;
	asm volatile("mov %0, %%dr6" : : "r"(0xffff0ff0UL));
}

static void check_step(const char *what, u64 after)
{
	if (!EXPECT_EQ(db_count, 1) || !EXPECT_EQ(db_rip, after) ||
	    !EXPECT_TRUE(db_dr6 & DR6_BS))
		printf("hostile: single-step over %s: %u traps, rip 0x%lx (want 0x%lx), dr6 0x%lx\n",
		       what, db_count, db_rip, after, db_dr6);
}

/* TF is set by POPF, so the first trap follows the next instruction
 * (SDM vol. 3 17.3.1.4): the one under test. */
static void test_single_step(void)
{
	u64 after, v;

	install_db();
	db_clear();
	asm volatile("lea 1f(%%rip), %0\n\t"
		     "pushfq; orq $0x100, (%%rsp); popfq\n\t"
		     "cpuid\n1:\tnop"
		     : "=&r"(after) : "a"(0), "c"(0) : "rbx", "rdx", "memory", "cc");
	check_step("cpuid", after);
	db_clear();
	asm volatile("lea 1f(%%rip), %0\n\t"
		     "pushfq; orq $0x100, (%%rsp); popfq\n\t"
		     "outb %%al, $0xe0\n1:\tnop"
		     : "=&r"(after) : "a"(0x5a) : "memory", "cc");
	check_step("out", after);
	EXPECT_EQ(inb(LATCH), 0x5a);
	db_clear();
	mmio_write64(SCRATCH + 0x300, 0x1234);
	asm volatile("lea 1f(%%rip), %0\n\t"
		     "pushfq; orq $0x100, (%%rsp); popfq\n\t"
		     "mov (%2), %1\n1:\tnop"
		     : "=&r"(after), "=&r"(v) : "r"(SCRATCH + 0x300) : "memory", "cc");
	check_step("an MMIO load", after);
	EXPECT_EQ(v, 0x1234);
}

/* Command line parts=MASK runs a subset (bit i: the i-th test below), to
 * show each one against another build (BULKHEAD_ELF=..., scripts/qemu.sh). */
void guest_main(void)
{
	static void (*const parts[])(void) = {
		test_ports, test_apic_widths, test_rmw, test_cross_page,
		test_string_io, test_single_step,
	};
	u64 mask = cmdline_get_u64("parts", ~0ULL);

	for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (mask & (1ULL << i))
			parts[i]();
	printf("hostile: done\n");
}
