/* bulkhead-image: layered disk images (a read-only master with a writable
 * qcow2 layer per VM) over Debian's qemu-img. Shared by its three files:
 * bulkhead-image.c (the commands), bulkhead-image-chain.c (header read and
 * backing-chain walk), bulkhead-image-run.c (qemu-img as a child process). */
#ifndef TOOLS_BULKHEAD_IMAGE_H
#define TOOLS_BULKHEAD_IMAGE_H

#include <stdint.h>
#include <sys/types.h>

#define IMG_CHAIN_MAX 16   /* files in one backing chain, the top included */
#define IMG_PATH_MAX  4096
#define IMG_HEADER_READ (1U << 21) /* bytes read for the header: one largest qcow2 cluster */

enum img_format { IMG_RAW, IMG_QCOW2 };

struct img_file {
	char path[IMG_PATH_MAX];         /* absolute, symlinks resolved */
	enum img_format format;
	uint64_t virtual_size;           /* bytes the guest sees */
	char backing[1024];              /* as the header names it; "" for none */
	enum img_format backing_format;  /* from the header's backing-format extension */
	dev_t dev;
	ino_t ino;
};

struct img_chain {
	int n;                           /* files[0] is the top, files[n-1] the base (the master) */
	struct img_file files[IMG_CHAIN_MAX];
	char dir[IMG_PATH_MAX];          /* every file must be in it (absolute, resolved) */
};

const char *img_format_name(enum img_format f);

/* Check one file's header from its first LEN bytes in BUF (the whole file,
 * or IMG_HEADER_READ bytes of it); FSIZE is the file's size, LEN <= FSIZE.
 * qcow2: QEMU docs/interop/qcow2.txt; anything without the qcow2 magic is
 * raw. FORCE_FORMAT < 0: detect. Pure: sets OUT's format, virtual_size,
 * backing and backing_format (backing "" when there is none) and no other
 * field. NULL, or why the file is refused. */
const char *img_header_parse(const uint8_t *buf, size_t len, uint64_t fsize, int force_format,
			     struct img_file *out);

/* A backing name of the form "proto:..." (nbd:, json:, http:, ...: a colon
 * before any slash) names no file: qemu would reach outside the image
 * directory through it. 1 if NAME is one. */
int img_backing_is_protocol(const char *name);

/* Read and check one file's header (qcow2: QEMU docs/interop/qcow2.txt;
 * anything without the qcow2 magic is raw). FORCE_FORMAT < 0: detect.
 * 0, or -1 with the reason printed. */
int img_read(const char *path, int force_format, struct img_file *out);

/* The whole chain from TOP: every backing file resolved against the
 * directory of the file naming it, inside DIR (NULL: TOP's directory), a
 * regular file, not seen before in the chain, with its format recorded by
 * the file above it. 0, or -1 with the reason printed. */
int img_chain(const char *top, const char *dir, struct img_chain *c);

/* Run qemu-img with ARGV (argv[0] is "qemu-img"), no shell; its output goes
 * to ours. Its exit status, or -1 if it could not be run or was killed. */
int img_run(char *const argv[]);

#endif
