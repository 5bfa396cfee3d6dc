/* Terminal progress bar. */
#include "progress.h"

#include <stdio.h>
#include <unistd.h>

void progress_start(struct progress *p, const char *label, uint64_t total, int quiet)
{
	p->label = label;
	p->total = total ? total : 1;
	p->enabled = !quiet && isatty(STDERR_FILENO);
	p->last_pct = -1;
	progress_update(p, 0);
}

void progress_update(struct progress *p, uint64_t done)
{
	char bar[41];
	int pct, fill;

	if (!p->enabled)
		return;
	if (done > p->total)
		done = p->total;
	pct = (int)(done * 100U / p->total);
	if (pct == p->last_pct)
		return;
	p->last_pct = pct;
	fill = pct * 40 / 100;
	for (int i = 0; i < 40; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[40] = '\0';
	fprintf(stderr, "\r%-10s [%s] %3d%% %8.1f/%.1f MiB", p->label, bar, pct,
		(double)done / 1048576.0, (double)p->total / 1048576.0);
	fflush(stderr);
}

void progress_end(struct progress *p)
{
	if (!p->enabled)
		return;
	p->last_pct = -1;
	progress_update(p, p->total);
	fputc('\n', stderr);
}
