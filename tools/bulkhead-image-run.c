/* bulkhead-image: qemu-img as a child process, given its arguments as an
 * argv vector (posix_spawnp, no shell: a file name is never parsed as shell
 * syntax). Every image file name the tool passes is absolute, and a
 * relative backing name with a ':' gets "./" in front (bulkhead-image.c),
 * so qemu-img never takes one for a protocol prefix ("nbd:", "json:"). */
#include "bulkhead-image.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

int img_run(char *const argv[])
{
	pid_t pid;
	int st, e = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);

	if (e) {
		fprintf(stderr, "bulkhead-image: cannot run %s: %s (Debian package qemu-utils)\n", argv[0], strerror(e));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "bulkhead-image: waiting for %s: %s\n", argv[0], strerror(errno));
			return -1;
		}
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	fprintf(stderr, "bulkhead-image: %s was killed by signal %d\n", argv[0], WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return -1;
}
