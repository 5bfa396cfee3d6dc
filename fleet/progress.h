/* A one-line progress bar on stderr, drawn only when stderr is a terminal. */
#ifndef FLEET_PROGRESS_H
#define FLEET_PROGRESS_H

#include <pthread.h>
#include <stdint.h>

struct progress {
	const char *label;
	uint64_t total;
	int enabled;
	int last_pct;
	pthread_t owner; /* the one thread that draws it, where several work */
};

void progress_start(struct progress *p, const char *label, uint64_t total, int quiet);
void progress_update(struct progress *p, uint64_t done);
void progress_end(struct progress *p);

#endif
