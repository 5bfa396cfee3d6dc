/* Self-test runner and the deliberate-fault modes. */
#include <bulkhead/selftest.h>
#include <bulkhead/string.h>

extern const struct selftest __selftests_start[], __selftests_end[];

bool selftest_run_all(void)
{
	unsigned pass = 0, fail = 0;

	for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
		bool ok = t->fn();
		printf("selftest: %-24s %s\n", t->name, ok ? "ok" : "FAILED");
		if (ok)
			pass++;
		else
			fail++;
	}
	printf("selftest: %u passed, %u failed\n", pass, fail);
	return fail == 0 && pass > 0;
}

/* Kept in a variable so the compiler cannot see the NULL. */
static volatile uintptr_t fault_address;

static unsigned recurse(unsigned depth)
{
	volatile u8 pad[256];

	pad[0] = (u8)depth;
	if (depth == ~0U) /* never: keeps the recursion formally finite */
		return 0;
	return recurse(depth + 1) + pad[0];
}

void selftest_fault(const char *mode)
{
	if (!strcmp(mode, "fault-null")) {
		printf("selftest: dereferencing NULL on purpose\n");
		printf("selftest: read %u\n", *(volatile u32 *)fault_address);
	} else if (!strcmp(mode, "fault-stack")) {
		printf("selftest: overflowing the stack on purpose\n");
		printf("selftest: depth %u\n", recurse(0));
	} else {
		printf("selftest: unknown fault mode '%s'\n", mode);
	}
}
