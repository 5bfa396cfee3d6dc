/* XSETBV's checks, pure logic (also built into tests/unit/test_xcr0.c).
 * SDM vol. 2 XSETBV ("Protected Mode Exceptions") and vol. 1 13.3: #UD if
 * CR4.OSXSAVE is 0; #GP(0) at CPL > 0, for ECX != 0 (only XCR0 exists), or
 * for a value XCR0 cannot take. */
#include <bulkhead/x86/xstate.h>

bool xcr0_valid(u64 xcr0, u64 offered)
{
	if (!(xcr0 & XFEATURE_X87) || (xcr0 & ~offered))
		return false;
	if ((xcr0 & XFEATURE_YMM) && !(xcr0 & XFEATURE_SSE))
		return false;
	if ((xcr0 & XFEATURE_BNDREGS) != (xcr0 & XFEATURE_BNDCSR) >> 1)
		return false; /* MPX: both or neither */
	if (xcr0 & XFEATURE_AVX512)
		return (xcr0 & XFEATURE_AVX512) == XFEATURE_AVX512 && (xcr0 & XFEATURE_YMM);
	return true;
}

enum xsetbv_result xsetbv_check(u64 cr4, u8 cpl, u32 index, u64 val, u64 offered)
{
	if (!(cr4 & X86_CR4_OSXSAVE))
		return XSETBV_UD;
	if (cpl != 0 || index != 0 || !xcr0_valid(val, offered))
		return XSETBV_GP;
	return XSETBV_OK;
}
