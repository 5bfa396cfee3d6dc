/* Start-up, exit and the check counters. */
#include "guest.h"

#define MB1_LOADER_MAGIC 0x2badb002U
#define PIC1_DATA 0x21U
#define PIC2_DATA 0xa1U

unsigned test_checks, test_failures;

void guest_start(u32 magic, u32 info)
{
	idt_init();
	exc_clear();
	/* Mask the 8259s: bare QEMU's BIOS leaves the PIT on IRQ0, which would
	 * arrive at vector 8 once we STI. Under Bulkhead these are unclaimed
	 * ports (writes ignored). */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	if (magic != MB1_LOADER_MAGIC) {
		printf("%s: not started by a Multiboot loader (eax 0x%x)\n", guest_name, magic);
		test_exit(EXIT_FAIL);
	}
	mb_parse(info);
	apic_enable();
	guest_main();
	test_finish();
}

void test_exit(u32 code)
{
	outl(TESTEXIT_PORT, code);
	/* testexit disabled: nothing more to do */
	for (;;)
		asm volatile("cli; hlt");
}

void test_finish(void)
{
	if (test_failures) {
		printf("%s: FAIL (%u of %u checks failed)\n", guest_name, test_failures,
		       test_checks);
		test_exit(EXIT_FAIL);
	}
	printf("%s: PASS (%u checks)\n", guest_name, test_checks);
	test_exit(EXIT_PASS);
}

void test_fail(void)
{
	test_checks++;
	test_failures++;
}

void test_pass(void)
{
	test_checks++;
}

bool check_eq(const char *file, int line, const char *a_txt, const char *b_txt,
	      u64 a, u64 b)
{
	test_checks++;
	if (a == b)
		return true;
	test_failures++;
	printf("%s:%d: EXPECT_EQ(%s, %s) failed: 0x%lx != 0x%lx\n", file, line, a_txt,
	       b_txt, a, b);
	return false;
}

bool check_true(const char *file, int line, const char *txt, bool v)
{
	test_checks++;
	if (v)
		return true;
	test_failures++;
	printf("%s:%d: EXPECT_TRUE(%s) failed\n", file, line, txt);
	return false;
}
