/* Client state file. */
#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

json_t *state_to_json(const struct sync_state *st)
{
	char when[32], h1[65], h2[65];
	json_t *j;

	fl_time_format(st->last_checkin, when);
	fl_hex(st->installed_sha256, 32, h1);
	fl_hex(st->previous_sha256, 32, h2);
	j = json_pack("{s:s, s:I, s:s, s:I, s:s, s:s}", "image", st->image,
		      "installed_version", (json_int_t)st->installed, "installed_sha256", h1,
		      "previous_version", (json_int_t)st->previous, "previous_sha256", h2,
		      "last_checkin", when);
	json_object_set_new(j, "policies", st->policies ? json_incref(st->policies) : json_object());
	return j;
}

int state_save(int dirfd, const struct sync_state *st, struct fl_err *err)
{
	json_t *j = state_to_json(st);
	char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc;

	json_decref(j);
	if (!text)
		return fl_fail(err, "state: out of memory");
	rc = fl_write_atomic_at(dirfd, STATE_FILE, text, strlen(text), err);
	free(text);
	return rc;
}

int state_load(int dirfd, struct sync_state *st, struct fl_err *err)
{
	const char *path = STATE_FILE;
	struct fl_buf b = { 0 };
	json_error_t je;
	json_t *j, *p;
	const char *img, *h1, *h2, *when;

	memset(st, 0, sizeof(*st));
	if (faccessat(dirfd, path, F_OK, AT_SYMLINK_NOFOLLOW))
		return 1;
	if (fl_read_at(dirfd, path, 1U << 24, &b, err))
		return -1;
	j = json_loadb((const char *)b.data, b.len, 0, &je);
	fl_buf_free(&b);
	if (!j)
		return fl_fail(err, "%s: %s", path, je.text);
	img = json_string_value(json_object_get(j, "image"));
	h1 = json_string_value(json_object_get(j, "installed_sha256"));
	h2 = json_string_value(json_object_get(j, "previous_sha256"));
	when = json_string_value(json_object_get(j, "last_checkin"));
	p = json_object_get(j, "policies");
	if (!fl_valid_name(img) || !h1 || !h2 || !when || !json_is_object(p) ||
	    fl_unhex(h1, st->installed_sha256, 32) || fl_unhex(h2, st->previous_sha256, 32) ||
	    fl_time_parse(when, &st->last_checkin)) {
		json_decref(j);
		return fl_fail(err, "%s: malformed state file", path);
	}
	snprintf(st->image, sizeof(st->image), "%s", img);
	st->installed = (uint64_t)json_integer_value(json_object_get(j, "installed_version"));
	st->previous = (uint64_t)json_integer_value(json_object_get(j, "previous_version"));
	st->policies = json_incref(p);
	json_decref(j);
	return 0;
}

void state_free(struct sync_state *st)
{
	if (st->policies)
		json_decref(st->policies);
	st->policies = NULL;
}
