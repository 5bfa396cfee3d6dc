/* In-hypervisor self-tests, run with the "selftest" command-line word.
 * Each file registers its tests with SELFTEST(); no central list. */
#ifndef BULKHEAD_SELFTEST_H
#define BULKHEAD_SELFTEST_H

#include <bulkhead/console.h>
#include <bulkhead/types.h>

struct selftest {
	const char *name;
	bool (*fn)(void);
};

#define SELFTEST(n)                                                           \
	static bool selftest_##n(void);                                       \
	static const struct selftest selftest_entry_##n __used                \
		__section(".selftests") __aligned(8) = { #n, selftest_##n };  \
	static bool selftest_##n(void)

/* Fails the current test with a message naming the condition and line. */
#define ST_CHECK(cond)                                                        \
	do {                                                                  \
		if (!(cond)) {                                                \
			printf("selftest: check failed: %s (%s:%d)\n", #cond, \
			       __FILE__, __LINE__);                           \
			return false;                                         \
		}                                                             \
	} while (0)

/* Runs all tests; returns true if every one passed. */
bool selftest_run_all(void);
/* The deliberate-fault modes (selftest=fault-null, selftest=fault-stack):
 * they must end in an exception report; returning means they did not. */
void selftest_fault(const char *mode);

#endif
