/* Publisher key files. */
#include "keys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int keys_generate(const char *path, const char *role, struct fl_key *out, struct fl_err *err)
{
	char pubhex[65], skhex[129];
	json_t *j;
	char *text;
	int fd, rc = 0;

	crypto_sign_keypair(out->pub, out->sk);
	tuf_keyid(out->pub, out->keyid);
	snprintf(out->role, sizeof(out->role), "%s", role);
	snprintf(out->path, sizeof(out->path), "%s", path);
	fl_hex(out->pub, 32, pubhex);
	fl_hex(out->sk, 64, skhex);
	j = json_pack("{s:s, s:s, s:s, s:s}", "keytype", "ed25519", "role", role,
		      "public", pubhex, "private", skhex);
	text = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(j);
	sodium_memzero(skhex, sizeof(skhex));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		free(text);
		return fl_fail(err, "%s: %s", path, strerror(errno));
	}
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) || write(fd, "\n", 1) != 1 ||
	    fsync(fd))
		rc = fl_fail(err, "%s: write: %s", path, strerror(errno));
	close(fd);
	sodium_memzero(text, strlen(text));
	free(text);
	return rc;
}

int keys_load(const char *path, struct fl_key *out, struct fl_err *err)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	const char *role, *pub, *sk;
	uint8_t derived[32];

	if (!j)
		return fl_fail(err, "%s: bad key file (%s)", path, je.text);
	role = json_string_value(json_object_get(j, "role"));
	pub = json_string_value(json_object_get(j, "public"));
	sk = json_string_value(json_object_get(j, "private"));
	if (!role || !pub || !sk || fl_unhex(pub, out->pub, 32) || fl_unhex(sk, out->sk, 64) ||
	    crypto_sign_ed25519_sk_to_pk(derived, out->sk) || memcmp(derived, out->pub, 32)) {
		json_decref(j);
		return fl_fail(err, "%s: not an ed25519 key file", path);
	}
	snprintf(out->role, sizeof(out->role), "%s", role);
	snprintf(out->path, sizeof(out->path), "%s", path);
	tuf_keyid(out->pub, out->keyid);
	json_decref(j);
	return 0;
}

int keys_load_dir(const char *dir, struct fl_key *out, int max, struct fl_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return fl_fail(err, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char path[1024];

		if (l < 5 || strcmp(e->d_name + l - 4, ".key"))
			continue;
		if (n == max) {
			closedir(d);
			return fl_fail(err, "%s: too many keys", dir);
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (keys_load(path, &out[n], err)) {
			closedir(d);
			return -1;
		}
		n++;
	}
	closedir(d);
	return n;
}
