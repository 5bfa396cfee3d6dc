/* A test-and-test-and-set spinlock. Taken with interrupts off (the
 * hypervisor runs with IF clear); interrupt handlers never take one. */
#ifndef BULKHEAD_SPINLOCK_H
#define BULKHEAD_SPINLOCK_H

#include <bulkhead/types.h>

struct spinlock {
	volatile u32 locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			__asm__ volatile("pause" ::: "memory");
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif
