/* bulkhead-tsc: prints the CPU's time-stamp counter in decimal and exits.
 * Static, no libc (built by scripts/guest-linux.sh with the host's gcc and put
 * in the initramfs as /bin/bulkhead-tsc). /init runs it right after
 * "bulkhead-guest: userspace up": under QEMU's -icount shift=0 the TSC counts
 * emulated instructions (1 tick = 1 ns of guest time) since the machine, or
 * under Bulkhead the VM, started, so bench/boot gets a deterministic figure. */
static long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

void _start(void) __attribute__((noreturn));
void _start(void)
{
	unsigned int lo, hi;
	char buf[24];
	int i = sizeof(buf);

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	unsigned long long v = ((unsigned long long)hi << 32) | lo;
	buf[--i] = '\n';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sys3(1, 1, (long)(buf + i), (long)(sizeof(buf) - i)); /* write */
	for (;;)
		sys3(60, 0, 0, 0); /* exit */
}
