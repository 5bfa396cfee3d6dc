/* bulkhead-sync: the client agent.
 *   bulkhead-sync [sync] --repo URL|DIR --dir STATE_DIR --image NAME [--root PINNED_ROOT] [--json] [--quiet]
 *   bulkhead-sync status --dir STATE_DIR [--json]
 *   bulkhead-sync rollback --dir STATE_DIR [--json]
 *   bulkhead-sync lease --dir STATE_DIR [--json]  (sync_lease.c: offline lease, lock file)
 * STATE_DIR holds metadata/ (trusted TUF roles), store/ (download cache),
 * images/ (<name>-<version>.img, its .caibx, and the <name>.img symlink),
 * policy/<role>.json and state.json (the commit point). */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "sync_checkin.h"
#include "sync_cmd.h"

static void usage(void)
{
	fputs("usage: bulkhead-sync [sync] --repo URL|DIR --dir STATE_DIR --image NAME [--root PINNED_ROOT]\n"
	      "                     [--assigned] [--json] [--quiet]\n"
	      "       bulkhead-sync status --dir STATE_DIR [--json]\n"
	      "       bulkhead-sync rollback --dir STATE_DIR [--json]\n"
	      "       bulkhead-sync lease --dir STATE_DIR [--json]\n"
	      "       bulkhead-sync enroll --dir STATE_DIR --checkin URL --token TOKEN --name NAME [--ca PEM]\n"
	      "                     [--service-key HEX]\n"
	      "       bulkhead-sync checkin --dir STATE_DIR --checkin URL [--ca PEM] [--hv-status FILE]\n", stderr);
}

static void report_error(const struct sync_args *a, const char *msg)
{
	if (a->json) {
		json_t *j = json_pack("{s:s, s:s}", "status", "error", "error", msg);
		char *t = json_dumps(j, JSON_COMPACT);

		printf("%s\n", t);
		free(t);
		json_decref(j);
	}
	fprintf(stderr, "bulkhead-sync: %s\n", msg);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repo", required_argument, NULL, 'r' }, { "dir", required_argument, NULL, 'd' },
		{ "image", required_argument, NULL, 'i' }, { "root", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },       { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },       { "checkin", required_argument, NULL, 'C' },
		{ "token", required_argument, NULL, 'T' }, { "name", required_argument, NULL, 'N' },
		{ "ca", required_argument, NULL, 'A' },   { "assigned", no_argument, NULL, 'a' },
		{ "service-key", required_argument, NULL, 'S' }, { "hv-status", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	struct sync_args a;
	struct fl_err err = { "" };
	const char *cmd = "sync";
	char lock[1100];
	int c, rc, fd;

	memset(&a, 0, sizeof(a));
	if (argc > 1 && argv[1][0] != '-') {
		cmd = argv[1];
		optind = 2;
	}
	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		switch (c) {
		case 'r': a.repo = optarg; break;
		case 'd': a.dir = optarg; break;
		case 'i': a.image = optarg; break;
		case 'R': a.root = optarg; break;
		case 'C': a.checkin = optarg; break;
		case 'T': a.token = optarg; break;
		case 'N': a.name = optarg; break;
		case 'A': a.ca = optarg; break;
		case 'a': a.assigned = 1; break;
		case 'S': a.service_key = optarg; break;
		case 'H': a.hv_status = optarg; break;
		case 'j': a.json = 1; a.quiet = 1; break;
		case 'q': a.quiet = 1; break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if (optind != argc || !a.dir || (!strcmp(cmd, "sync") && (!a.repo || !a.image))) {
		usage();
		return 2;
	}
	if (sodium_init() < 0) {
		report_error(&a, "libsodium failed to initialise");
		return 1;
	}
	if (fl_mkdir_p(a.dir, &err)) {
		report_error(&a, err.msg);
		return 1;
	}
	/* the state directory itself may be reached through symlinks the
	 * administrator made; nothing inside it is (see sync_cmd.c) */
	a.dirfd = open(a.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a.dirfd < 0) {
		snprintf(lock, sizeof(lock), "%.900s: %s", a.dir, strerror(errno));
		report_error(&a, lock);
		return 1;
	}
	fd = openat(a.dirfd, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(lock, sizeof(lock), "%.900s/.lock: %s", a.dir,
			 errno == ELOOP ? "is a symlink (refused)" : strerror(errno));
		report_error(&a, lock);
		return 1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		report_error(&a, "another bulkhead-sync is using this state directory");
		return 1;
	}
	if (!strcmp(cmd, "sync"))
		rc = sync_run(&a, &err);
	else if (!strcmp(cmd, "status"))
		rc = sync_status(&a, &err);
	else if (!strcmp(cmd, "rollback"))
		rc = sync_rollback(&a, &err);
	else if (!strcmp(cmd, "lease"))
		rc = sync_lease(&a, &err);
	else if (!strcmp(cmd, "enroll"))
		rc = sync_enroll(&a, &err);
	else if (!strcmp(cmd, "checkin"))
		rc = sync_checkin(&a, &err);
	else {
		usage();
		return 2;
	}
	if (rc)
		report_error(&a, err.msg);
	close(fd);
	close(a.dirfd);
	return rc ? 1 : 0;
}
