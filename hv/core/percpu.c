/* The per-CPU areas (percpu.h). */
#include <bulkhead/percpu.h>
#include <bulkhead/x86/cpu.h>

#define MSR_GS_BASE 0xc0000101U

struct cpu cpus[HV_MAX_CPUS];
unsigned nr_cpus_online;

void percpu_init_this(struct cpu *c, u32 index, u32 apic_id)
{
	c->self = c;
	c->index = index;
	c->apic_id = apic_id;
	c->asid_next = 1; /* tag 0 is the host's (APM vol. 2 15.16, SDM vol. 3 28.1) */
	c->asid_gen = 1;
	c->timer_deadline = ~0ULL;
	wrmsr(MSR_GS_BASE, (u64)(uintptr_t)c);
}

bool percpu_tag(u32 *tag, u64 *gen, u32 *last_cpu, u32 nr_tags)
{
	struct cpu *c = this_cpu();
	bool flush = false;

	if (*gen == c->asid_gen && *last_cpu == c->index)
		return false;
	if (c->asid_next >= nr_tags) {
		c->asid_gen++;
		c->asid_next = 1;
		flush = true;
	}
	*tag = c->asid_next++;
	*gen = c->asid_gen;
	*last_cpu = c->index;
	return flush;
}
