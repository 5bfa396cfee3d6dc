/* bulkhead-memscan TOKEN: scans all of this VM's RAM, through /proc/kcore's
 * view of the kernel's direct map, for a run of TOKEN repeated RUN times,
 * and prints how many such runs it found and how much it scanned:
 *   memscan: scanned N MiB in S segments, found K runs of TOKEN
 * A run, not the token alone: the token is on this program's command line
 * and in the shell's memory once or twice, never RUN times in a row; a VM
 * that filled its RAM with TOKEN repeated has many. Static, no libc (built
 * by scripts/guest-linux.sh like tsc.c). Exit status 0 when the scan ran. */
#define RUN 16
#define CHUNK (1 << 20)

typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;

struct ehdr { unsigned char ident[16]; u16 type, machine; u32 version; u64 entry, phoff, shoff;
	      u32 flags; u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx; };
struct phdr { u32 type, flags; u64 offset, vaddr, paddr, filesz, memsz, align; };

static long sys(long n, long a, long b, long c, long d)
{
	long r;
	register long r10 __asm__("r10") = d;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

static void out(const char *s)
{
	u64 n = 0;

	while (s[n])
		n++;
	sys(1, 1, (long)s, (long)n, 0);
}

static void out_num(u64 v)
{
	char b[24];
	int i = sizeof(b) - 1;

	b[i] = 0;
	do
		b[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i);
	out(b + i);
}

static __attribute__((noreturn)) void quit(int code)
{
	sys(60, code, 0, 0, 0);
	__builtin_unreachable();
}

static unsigned char buf[CHUNK + 4096];
static struct phdr ph[256];

static int is_run(const unsigned char *p, const char *tok, u64 len)
{
	for (u64 k = 0; k < len * RUN; k++)
		if (p[k] != (unsigned char)tok[k % len])
			return 0;
	return 1;
}

void main_c(long argc, char **argv);
void main_c(long argc, char **argv)
{
	struct ehdr eh;
	const char *tok = argc > 1 ? argv[1] : "";
	u64 len = 0, scanned = 0, found = 0, segs = 0;
	long fd;

	while (tok[len])
		len++;
	if (len < 8 || len * RUN > 4096) {
		out("memscan: usage: bulkhead-memscan TOKEN (8 to 256 characters)\n");
		quit(2);
	}
	fd = sys(2, (long)"/proc/kcore", 0, 0, 0);
	if (fd < 0 || sys(17, fd, (long)&eh, sizeof(eh), 0) != sizeof(eh) || eh.phnum > 256 ||
	    eh.phentsize != sizeof(struct phdr) ||
	    sys(17, fd, (long)ph, (long)eh.phnum * sizeof(struct phdr), (long)eh.phoff) < 0) {
		out("memscan: cannot read /proc/kcore\n");
		quit(1);
	}
	for (u32 i = 0; i < eh.phnum; i++) {
		/* PT_LOAD segments of RAM in the direct map carry their physical
		 * address; the kernel image, vmalloc and modules do not (-1). */
		if (ph[i].type != 1 || ph[i].paddr == ~0UL || ph[i].filesz == 0)
			continue;
		segs++;
		for (u64 off = 0; off < ph[i].filesz; off += CHUNK) {
			u64 want = ph[i].filesz - off < CHUNK ? ph[i].filesz - off : CHUNK;
			u64 keep = len * RUN; /* a run may straddle two chunks */
			long got = sys(17, fd, (long)buf, (long)(want + (off + want < ph[i].filesz ? keep : 0)),
				       (long)(ph[i].offset + off));

			if (got <= 0)
				break;
			for (u64 k = 0; k + keep <= (u64)got && k < want; k++)
				if (buf[k] == (unsigned char)tok[0] && is_run(buf + k, tok, len)) {
					found++;
					k += keep - 1;
				}
			scanned += want;
		}
	}
	out("memscan: scanned ");
	out_num(scanned >> 20);
	out(" MiB in ");
	out_num(segs);
	out(" segments, found ");
	out_num(found);
	out(" runs of the token\n");
	quit(0);
}

__asm__(".globl _start\n_start:\n\tmov (%rsp), %rdi\n\tlea 8(%rsp), %rsi\n\tand $-16, %rsp\n\tcall main_c\n\tud2\n");
