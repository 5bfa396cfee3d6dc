/* Shared by isolation_a.c and isolation_b.c. A's secret is never stored in
 * either image: A builds it at run time from two halves and B compares against the halves, so B finding it
 * in its memory can only mean A's memory leaked in. */
#ifndef ISOLATION_H
#define ISOLATION_H
#include "guest.h"

#define SECRET_HALF1 0x5ec7e75a1a2b3c4dULL
#define SECRET_HALF2 0x0f1e2d3c4b5a6978ULL

static inline u64 isolation_secret(void)
{
	u64 v = SECRET_HALF1;
	asm("" : "+r"(v));      /* keep the compiler from folding the constant */
	return v ^ SECRET_HALF2;
}

/* Is w A's secret mixed with some page address? Never materializes the
 * secret itself (a register holding it could be spilled to the stack, where
 * B's own scan would find it). */
static inline bool isolation_is_secret(u64 w)
{
	u64 x = w ^ SECRET_HALF1;
	asm("" : "+r"(x));
	x ^= SECRET_HALF2;
	return (x & ~0xfffff000ULL) == 0;
}

#endif
