/* bulkhead-image: layered disk images for VMs (DESIGN.md "On-device tools",
 * docs/disks.md "Layered images"): a read-only master image that IT
 * publishes, and per VM a writable qcow2 layer whose backing file is the
 * master. Every change to an image is made by Debian's qemu-img, run as a
 * child process with an argv vector; this tool reads only headers, to walk
 * and check a backing chain before qemu-img opens it.
 *
 *   bulkhead-image create-layer --master M --layer L [--dir D]
 *   bulkhead-image info   [--dir D] L
 *   bulkhead-image check  [--dir D] [--master M] L
 *   bulkhead-image commit [--dir D] [--master M] [--force] L
 *   bulkhead-image rebase --layer L --master M2 [--dir D]
 *
 * The image directory D (default: the directory of L) must hold every file
 * of a chain: a backing file outside it, a backing name that is not a plain
 * file name, a missing backing file or a chain that loops is refused.
 * --master M with check or commit: refuse unless L's backing file is M.
 * Exit status: 0 done, 1 refused or failed (one line on stderr), 2 usage. */
#include "bulkhead-image.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct args {
	const char *master, *layer, *dir;
	int force;
};

static int usage(void)
{
	fprintf(stderr, "usage: bulkhead-image create-layer --master M --layer L [--dir D]\n"
			"       bulkhead-image info [--dir D] L\n"
			"       bulkhead-image check [--dir D] [--master M] L\n"
			"       bulkhead-image commit [--dir D] [--master M] [--force] L\n"
			"       bulkhead-image rebase --layer L --master M2 [--dir D]\n");
	return 2;
}

static int same_file(const struct img_file *a, const struct img_file *b)
{
	return a->dev == b->dev && a->ino == b->ino;
}

/* The name to store as LAYER's backing file for MASTER (both resolved):
 * relative to LAYER's directory when MASTER is below it, else absolute;
 * "./" in front of a relative name with a ':' so qemu reads no protocol. */
static int backing_name(const char *layer, const char *master, char *out, size_t n)
{
	char tmp[IMG_PATH_MAX], *ldir;
	size_t k;

	snprintf(tmp, sizeof(tmp), "%s", layer);
	ldir = dirname(tmp);
	k = strlen(ldir);
	if (k > 1 && !strncmp(master, ldir, k) && master[k] == '/') {
		const char *rel = master + k + 1;

		return snprintf(out, n, "%s%s", strchr(rel, ':') ? "./" : "", rel) >= (int)n ? -1 : 0;
	}
	return snprintf(out, n, "%s", master) >= (int)n ? -1 : 0;
}

/* LAYER as an absolute path whose directory exists (the file need not). */
static int resolve_new(const char *layer, char out[IMG_PATH_MAX])
{
	char a[IMG_PATH_MAX], b[IMG_PATH_MAX], dir[IMG_PATH_MAX];

	snprintf(a, sizeof(a), "%s", layer);
	snprintf(b, sizeof(b), "%s", layer);
	if (!realpath(dirname(a), dir)) {
		fprintf(stderr, "bulkhead-image: %s: %s\n", layer, strerror(errno));
		return -1;
	}
	if (snprintf(out, IMG_PATH_MAX, "%s/%s", strcmp(dir, "/") ? dir : "", basename(b)) >= IMG_PATH_MAX) {
		fprintf(stderr, "bulkhead-image: %s: path too long\n", layer);
		return -1;
	}
	return 0;
}

static void print_chain(const struct img_chain *c)
{
	for (int i = 0; i < c->n; i++) {
		const struct img_file *f = &c->files[i];

		printf("%s: format %s, virtual size %llu bytes, backing ", f->path, img_format_name(f->format),
		       (unsigned long long)f->virtual_size);
		if (f->backing[0])
			printf("%s (%s)\n", f->backing, img_format_name(f->backing_format));
		else
			printf("none\n");
	}
}

/* Every file's header (img_chain) and, for each qcow2 file, qemu-img check.
 * With MASTER: L's backing file must be it. */
static int check_chain(const char *layer, const struct args *a, struct img_chain *c)
{
	if (img_chain(layer, a->dir, c))
		return -1;
	if (a->master) {
		struct img_file m;

		if (img_read(a->master, -1, &m))
			return -1;
		if (c->n < 2 || !same_file(&c->files[1], &m)) {
			fprintf(stderr, "bulkhead-image: %s: its backing is %s, not the named master %s (refused)\n",
				c->files[0].path, c->n < 2 ? "none" : c->files[1].path, m.path);
			return -1;
		}
	}
	for (int i = c->n - 1; i >= 0; i--) {
		char *argv[] = { "qemu-img", "check", "-q", "-f", "qcow2", c->files[i].path, NULL };
		int rc;

		if (c->files[i].format != IMG_QCOW2)
			continue;
		rc = img_run(argv);
		/* qemu-img(1) check: 0 consistent, 3 only leaked clusters (space
		 * lost, no data at risk), 2 corrupt, 1 and others: not checked */
		if (rc == 3)
			fprintf(stderr, "bulkhead-image: %s: leaked clusters (harmless; qemu-img check -r leaks "
				"reclaims them)\n", c->files[i].path);
		else if (rc == 2) {
			fprintf(stderr, "bulkhead-image: %s: corrupt (qemu-img check found errors; refused)\n",
				c->files[i].path);
			return -1;
		} else if (rc) {
			fprintf(stderr, "bulkhead-image: %s: qemu-img check could not check it (exit %d; refused)\n",
				c->files[i].path, rc);
			return -1;
		}
	}
	return 0;
}

static int cmd_create(const struct args *a)
{
	char path[IMG_PATH_MAX], back[IMG_PATH_MAX], dir[IMG_PATH_MAX];
	struct img_chain m, l;
	struct stat st;

	if (!a->master || !a->layer)
		return usage();
	if (resolve_new(a->layer, path))
		return 1;
	if (!lstat(path, &st)) {
		fprintf(stderr, "bulkhead-image: %s exists already (refused: it may be a VM's layer)\n", a->layer);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if (img_chain(a->master, a->dir ? a->dir : dirname(dir), &m) || backing_name(path, m.files[0].path, back, sizeof(back)))
		return 1;
	{
		char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-b", back, "-F",
				 (char *)img_format_name(m.files[0].format), path, NULL };

		if (img_run(argv)) {
			fprintf(stderr, "bulkhead-image: qemu-img create failed for %s\n", path);
			return 1;
		}
	}
	if (img_chain(path, a->dir, &l))
		return 1;
	print_chain(&l);
	return 0;
}

static int cmd_info(const struct args *a)
{
	struct img_chain c;

	if (!a->layer || img_chain(a->layer, a->dir, &c))
		return a->layer ? 1 : usage();
	print_chain(&c);
	return 0;
}

static int cmd_check(const struct args *a)
{
	struct img_chain c;

	if (!a->layer)
		return usage();
	if (check_chain(a->layer, a, &c))
		return 1;
	printf("%s: %d file%s checked, no errors\n", c.files[0].path, c.n, c.n == 1 ? "" : "s");
	return 0;
}

/* The layer's writes into its backing file (qemu-img commit, which then
 * empties the layer). A backing file that is the base of the chain is a
 * master, shared by every layer over it: only with --force. */
static int cmd_commit(const struct args *a)
{
	struct img_chain c;

	if (!a->layer)
		return usage();
	if (check_chain(a->layer, a, &c))
		return 1;
	if (c.n < 2 || c.files[0].format != IMG_QCOW2) {
		fprintf(stderr, "bulkhead-image: %s: not a qcow2 layer with a backing file (nothing to commit into)\n",
			c.files[0].path);
		return 1;
	}
	if (!c.files[1].backing[0] && !a->force) {
		fprintf(stderr, "bulkhead-image: %s: its backing %s is a master (the base of the chain, shared by "
			"every layer over it); committing into it needs --force\n", c.files[0].path, c.files[1].path);
		return 1;
	}
	{
		char *argv[] = { "qemu-img", "commit", "-q", "-f", "qcow2", c.files[0].path, NULL };

		if (img_run(argv)) {
			fprintf(stderr, "bulkhead-image: qemu-img commit failed for %s\n", c.files[0].path);
			return 1;
		}
	}
	printf("committed %s into %s (the layer is now empty)\n", c.files[0].path, c.files[1].path);
	return 0;
}

/* A safe rebase (qemu-img rebase without -u): the layer gets every cluster
 * in which the old and the new master differ, so what the VM sees stays
 * the same; the old master must still be there. */
static int cmd_rebase(const struct args *a)
{
	struct img_chain l, m;
	char back[IMG_PATH_MAX];
	struct args la = *a;

	if (!a->layer || !a->master)
		return usage();
	la.master = NULL;
	if (check_chain(a->layer, &la, &l) || img_chain(a->master, a->dir ? a->dir : l.dir, &m))
		return 1;
	if (l.n < 2 || l.files[0].format != IMG_QCOW2) {
		fprintf(stderr, "bulkhead-image: %s: not a qcow2 layer with a backing file\n", l.files[0].path);
		return 1;
	}
	for (int i = 0; i < m.n; i++)
		if (same_file(&m.files[i], &l.files[0])) {
			fprintf(stderr, "bulkhead-image: %s: the new master's chain contains the layer (it would "
				"loop; refused)\n", l.files[0].path);
			return 1;
		}
	if (same_file(&m.files[0], &l.files[1])) {
		fprintf(stderr, "bulkhead-image: %s: %s is its backing already\n", l.files[0].path, m.files[0].path);
		return 1;
	}
	if (backing_name(l.files[0].path, m.files[0].path, back, sizeof(back)))
		return 1;
	{
		char *argv[] = { "qemu-img", "rebase", "-q", "-f", "qcow2", "-b", back, "-F",
				 (char *)img_format_name(m.files[0].format), l.files[0].path, NULL };

		if (img_run(argv)) {
			fprintf(stderr, "bulkhead-image: qemu-img rebase failed for %s\n", l.files[0].path);
			return 1;
		}
	}
	snprintf(back, sizeof(back), "%s", l.files[0].path);
	if (img_chain(back, m.dir, &l)) /* m.dir: the directory both were checked against */
		return 1;
	print_chain(&l);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "master", required_argument, NULL, 'm' }, { "layer", required_argument, NULL, 'l' },
		{ "dir", required_argument, NULL, 'd' },    { "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *name;
		int (*fn)(const struct args *);
		int positional; /* takes L as its argument */
	} cmds[] = {
		{ "create-layer", cmd_create, 0 }, { "info", cmd_info, 1 }, { "check", cmd_check, 1 },
		{ "commit", cmd_commit, 1 },       { "rebase", cmd_rebase, 0 },
	};
	struct args a = { 0 };
	int o;

	if (argc < 2)
		return usage();
	while ((o = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (o) {
		case 'm': a.master = optarg; break;
		case 'l': a.layer = optarg; break;
		case 'd': a.dir = optarg; break;
		case 'f': a.force = 1; break;
		default: return usage();
		}
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		if (cmds[i].positional) {
			if (a.layer || optind + 1 != argc - 1)
				return usage();
			a.layer = argv[argc - 1];
		} else if (optind != argc - 1) {
			return usage();
		}
		if (a.force && cmds[i].fn != cmd_commit)
			return usage();
		return cmds[i].fn(&a);
	}
	return usage();
}
