/* bulkhead-publish: create and update a signed fleet repository.
 *   init        --repo DIR --keys DIR [--root-keys N] [--root-threshold M]
 *   add         --repo DIR --keys DIR [--image NAME --version N --input FILE [--format raw|qcow2|auto]]
 *               [--policy FILE]... [--chunk-size MIN:AVG:MAX] [--level L] [--threads N]
 *   sign        --repo DIR --keys DIR --role targets|snapshot|timestamp|root
 *   rotate-root --repo DIR --keys DIR [--role R] [--count N] [--threshold M]
 *   verify      --repo DIR [--root FILE] [--quick]
 *   inspect     INDEX.caibx
 * Common: [--expires-days N] [--expires TIME] [--quiet] */
#include <getopt.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "publish_cmd.h"
#include "publish_image.h"

static void usage(void)
{
	fputs("usage: bulkhead-publish init|add|sign|rotate-root|verify --repo DIR [options]\n"
	      "  init         --keys DIR [--root-keys N] [--root-threshold M]\n"
	      "  add          --keys DIR [--image NAME --version N --input FILE [--format raw|qcow2|auto]]\n"
	      "               [--policy FILE]... [--chunk-size MIN:AVG:MAX] [--level ZSTD_LEVEL]\n"
	      "               [--threads N (default: all cores)]\n"
	      "  sign         --keys DIR --role root|targets|snapshot|timestamp\n"
	      "  rotate-root  --keys DIR [--role R] [--count N] [--threshold M]\n"
	      "  verify       [--root PINNED_ROOT] [--quick]\n"
	      "  common       [--expires-days N | --expires YYYY-MM-DDTHH:MM:SSZ] [--quiet]\n"
	      "       bulkhead-publish inspect INDEX.caibx   (print a casync blob index)\n",
	      stderr);
}

/* Strict number in [min, max], or a one-line error. */
static int num(const char *s, const char *opt, long min, long max, long *out)
{
	if (!fl_parse_long(s, min, max, out))
		return 0;
	fprintf(stderr, "bulkhead-publish: %s wants an integer from %ld to %ld, not \"%s\"\n", opt, min, max, s);
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repo", required_argument, NULL, 'r' },    { "keys", required_argument, NULL, 'k' },
		{ "image", required_argument, NULL, 'i' },   { "version", required_argument, NULL, 'V' },
		{ "input", required_argument, NULL, 'f' },   { "format", required_argument, NULL, 'F' },
		{ "policy", required_argument, NULL, 'p' },  { "chunk-size", required_argument, NULL, 'c' },
		{ "level", required_argument, NULL, 'l' },   { "role", required_argument, NULL, 'R' },
		{ "count", required_argument, NULL, 'n' },   { "threshold", required_argument, NULL, 't' },
		{ "root-keys", required_argument, NULL, 'N' }, { "root-threshold", required_argument, NULL, 'T' },
		{ "root", required_argument, NULL, 'P' },    { "quick", no_argument, NULL, 'Q' },
		{ "expires-days", required_argument, NULL, 'd' }, { "expires", required_argument, NULL, 'e' },
		{ "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
		{ "threads", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};
	struct pub_args a;
	struct fl_err err = { "" };
	const char *cmd;
	int c, rc;
	long v;

	memset(&a, 0, sizeof(a));
	a.format = "auto";
	a.level = PUB_LEVEL_DEFAULT;
	a.threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (a.threads < 1)
		a.threads = 1;
	if (a.threads > PUB_MAX_THREADS)
		a.threads = PUB_MAX_THREADS;
	a.count = 1;
	a.threshold = 1;
	a.root_keys = 1;
	a.root_threshold = 1;
	a.chunk_min = CHUNK_MIN_DEFAULT;
	a.chunk_avg = CHUNK_AVG_DEFAULT;
	a.chunk_max = CHUNK_MAX_DEFAULT;
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "inspect"))
		return argc == 3 ? pub_inspect(argv[2]) : (usage(), 2);
	optind = 2;
	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		switch (c) {
		case 'r': a.repo = optarg; break;
		case 'k': a.keys = optarg; break;
		case 'i': a.image = optarg; break;
		case 'V':
			if (num(optarg, "--version", 1, LONG_MAX, &v))
				return 2;
			a.version = (uint64_t)v;
			break;
		case 'f': a.input = optarg; break;
		case 'F': a.format = optarg; break;
		case 'p':
			if (a.npolicies == PUB_MAX_POLICIES) {
				fprintf(stderr, "bulkhead-publish: too many --policy\n");
				return 2;
			}
			a.policies[a.npolicies++] = optarg;
			break;
		case 'c':
			if (sscanf(optarg, "%zu:%zu:%zu", &a.chunk_min, &a.chunk_avg, &a.chunk_max) != 3) {
				fprintf(stderr, "bulkhead-publish: --chunk-size wants MIN:AVG:MAX\n");
				return 2;
			}
			break;
		case 'l':
			if (num(optarg, "--level", 1, PUB_LEVEL_MAX, &v))
				return 2;
			a.level = (int)v;
			break;
		case 'R': a.role = optarg; break;
		case 'j':
			if (num(optarg, "--threads", 1, PUB_MAX_THREADS, &v))
				return 2;
			a.threads = (int)v;
			break;
		case 'n':
		case 't':
		case 'N':
		case 'T':
			/* key counts and thresholds: 1 ..; the sub-command checks the upper bound */
			if (num(optarg, c == 'n' ? "--count" : c == 't' ? "--threshold" :
				c == 'N' ? "--root-keys" : "--root-threshold", 1, 1000, &v))
				return 2;
			*(c == 'n' ? &a.count : c == 't' ? &a.threshold : c == 'N' ? &a.root_keys
								     : &a.root_threshold) = (int)v;
			break;
		case 'P': a.pinned_root = optarg; break;
		case 'Q': a.quick = 1; break;
		case 'd':
			if (num(optarg, "--expires-days", 1, 36500, &v))
				return 2;
			a.expires_days = (int)v;
			break;
		case 'e':
			if (fl_time_parse(optarg, &a.expires)) {
				fprintf(stderr, "bulkhead-publish: --expires wants YYYY-MM-DDTHH:MM:SSZ\n");
				return 2;
			}
			break;
		case 'q': a.quiet = 1; break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if (optind != argc || !a.repo) {
		usage();
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "bulkhead-publish: libsodium failed to initialise\n");
		return 1;
	}
	if (!strcmp(cmd, "init"))
		rc = pub_init(&a, &err);
	else if (!strcmp(cmd, "add"))
		rc = pub_add(&a, &err);
	else if (!strcmp(cmd, "sign"))
		rc = pub_sign(&a, &err);
	else if (!strcmp(cmd, "rotate-root"))
		rc = pub_rotate_root(&a, &err);
	else if (!strcmp(cmd, "verify"))
		rc = pub_verify(&a, &err);
	else {
		usage();
		return 2;
	}
	if (rc) {
		fprintf(stderr, "bulkhead-publish: %s: %s\n", cmd, err.msg);
		return 1;
	}
	return 0;
}
