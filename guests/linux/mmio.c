/* bulkhead-mmio FILE: maps the first page of FILE (a PCI BAR's sysfs
 * resourceN) and prints its dwords at offsets 0x0, 0x4 and 0x8 in hex,
 * one line: "mmio: 0=XXXXXXXX 4=XXXXXXXX 8=XXXXXXXX" (for an NVMe
 * controller: CAP low, CAP high, VS; NVMe 1.4 3.1). Static, no libc
 * (built by scripts/guest-linux.sh like tsc.c). Exit status 1 if the file
 * cannot be opened or mapped. */
static long sys(long n, long a, long b, long c, long d, long e, long f)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			 "r"(r9) : "rcx", "r11", "memory");
	return r;
}

static void hex32(char *p, unsigned v)
{
	for (int i = 7; i >= 0; i--, v >>= 4)
		p[i] = "0123456789abcdef"[v & 15];
}

void main_c(long argc, char **argv);
void main_c(long argc, char **argv)
{
	static char line[] = "mmio: 0=00000000 4=00000000 8=00000000\n";
	volatile unsigned *bar;
	long fd, p;

	fd = argc > 1 ? sys(2, (long)argv[1], 2 /* O_RDWR */, 0, 0, 0, 0) : -1; /* open */
	if (fd < 0)
		sys(60, 1, 0, 0, 0, 0, 0);
	p = sys(9, 0, 4096, 1 /* PROT_READ */, 1 /* MAP_SHARED */, fd, 0); /* mmap */
	if (p < 0 && p > -4096)
		sys(60, 1, 0, 0, 0, 0, 0);
	bar = (volatile unsigned *)p;
	hex32(line + 8, bar[0]);
	hex32(line + 19, bar[1]);
	hex32(line + 30, bar[2]);
	sys(1, 1, (long)line, sizeof(line) - 1, 0, 0, 0); /* write */
	sys(60, 0, 0, 0, 0, 0, 0);
}

__asm__(".globl _start\n_start:\n\tmov (%rsp), %rdi\n\tlea 8(%rsp), %rsi\n\tand $-16, %rsp\n\tcall main_c\n\tud2\n");
