/* Check-in report envelopes (see report.h). */
#include "report.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tuf.h"

static int only_keys(const json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		const char *const *a = allowed;

		while (*a && strcmp(*a, k))
			a++;
		if (!*a)
			return 0;
	}
	return 1;
}

static int is_time(const json_t *v)
{
	time_t t;

	return json_is_string(v) && !fl_time_parse(json_string_value(v), &t);
}

static int is_int(const json_t *v, int64_t min)
{
	return json_is_integer(v) && json_integer_value(v) >= min;
}

static int check_images(const json_t *a, struct fl_err *err)
{
	static const char *const keys[] = { "image", "version", "sha256", NULL };
	uint8_t h[32];
	size_t i;
	json_t *e;

	if (!json_is_array(a) || json_array_size(a) > REPORT_MAX_IMAGES)
		return fl_fail(err, "report: \"images\" must be a list of at most %u", REPORT_MAX_IMAGES);
	json_array_foreach(a, i, e) {
		const char *sha = json_string_value(json_object_get(e, "sha256"));

		if (!json_is_object(e) || !only_keys(e, keys) ||
		    !fl_valid_name(json_string_value(json_object_get(e, "image"))) ||
		    !is_int(json_object_get(e, "version"), 0) || !sha || fl_unhex(sha, h, 32))
			return fl_fail(err, "report: images[%zu] must be {image, version, sha256}", i);
	}
	return 0;
}

static int check_policies(const json_t *o, struct fl_err *err)
{
	/* version: the applied policy's signed version (0: signed before
	 * versions); optional, as devices before it did not send it */
	static const char *const keys[] = { "lease_expires", "version", NULL };
	const char *role;
	json_t *p;

	if (!json_is_object(o) || json_object_size(o) > REPORT_MAX_ROLES)
		return fl_fail(err, "report: \"policies\" must be an object of at most %u roles", REPORT_MAX_ROLES);
	json_object_foreach((json_t *)o, role, p)
		if (!fl_valid_name(role) || !json_is_object(p) || !only_keys(p, keys) ||
		    !is_time(json_object_get(p, "lease_expires")) ||
		    (json_object_get(p, "version") && !is_int(json_object_get(p, "version"), 0)))
			return fl_fail(err, "report: policies.%.64s must be {lease_expires[, version]}", role);
	return 0;
}

/* "hypervisor": a version string, 1..64 printable ASCII characters. */
static int check_hypervisor(const json_t *v, struct fl_err *err)
{
	const char *s = json_string_value(v);
	size_t n = s ? json_string_length(v) : 0;

	if (!v)
		return 0;
	if (!s || n < 1 || n > REPORT_MAX_HV_LEN || strlen(s) != n)
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			goto bad;
	return 0;
bad:
	return fl_fail(err, "report: \"hypervisor\" must be 1 to %u printable ASCII characters", REPORT_MAX_HV_LEN);
}

int report_vm_state_ok(const char *s)
{
	static const char *const states[] = { "running", "exited", "stopped", "off", NULL };

	for (const char *const *p = states; s && *p; p++)
		if (!strcmp(*p, s))
			return 1;
	return 0;
}

static int check_vms(const json_t *a, struct fl_err *err)
{
	static const char *const keys[] = { "name", "state", "uptime_s", "locked", NULL };
	size_t i;
	json_t *e;

	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > REPORT_MAX_VMS)
		return fl_fail(err, "report: \"vms\" must be a list of at most %u", REPORT_MAX_VMS);
	json_array_foreach(a, i, e)
		if (!json_is_object(e) || !only_keys(e, keys) ||
		    !fl_valid_name(json_string_value(json_object_get(e, "name"))) ||
		    !report_vm_state_ok(json_string_value(json_object_get(e, "state"))) ||
		    !is_int(json_object_get(e, "uptime_s"), 0) ||
		    (json_object_get(e, "locked") && !json_is_boolean(json_object_get(e, "locked"))))
			return fl_fail(err, "report: vms[%zu] must be {name, state (running, exited, stopped or off), "
				       "uptime_s[, locked (true or false)]}", i);
	return 0;
}

int report_parse(const uint8_t *buf, size_t len, struct report *out, struct fl_err *err)
{
	static const char *const env_keys[] = { "signed", "sig", NULL };
	static const char *const keys[] = { "device", "seq", "time", "images", "policies", "last_sync",
					    "free_bytes", "hypervisor", "vms", NULL };
	json_error_t je;
	json_t *s;
	const char *sig;

	memset(out, 0, sizeof(*out));
	if (len > REPORT_MAX_BYTES)
		return fl_fail(err, "report: larger than %u bytes", REPORT_MAX_BYTES);
	out->doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!out->doc)
		return fl_fail(err, "report: bad JSON (%s)", je.text);
	s = json_object_get(out->doc, "signed");
	sig = json_string_value(json_object_get(out->doc, "sig"));
	if (!json_is_object(out->doc) || !only_keys(out->doc, env_keys) || !json_is_object(s) || !sig ||
	    fl_unhex(sig, out->sig, 64)) {
		fl_fail(err, "report: want {\"signed\": {...}, \"sig\": 128 hex digits}");
		goto fail;
	}
	if (!only_keys(s, keys)) {
		fl_fail(err, "report: unknown field in \"signed\"");
		goto fail;
	}
	if (!is_int(json_object_get(s, "device"), 1) || !is_int(json_object_get(s, "seq"), 1) ||
	    !is_time(json_object_get(s, "time")) || !is_time(json_object_get(s, "last_sync")) ||
	    !is_int(json_object_get(s, "free_bytes"), 0)) {
		fl_fail(err, "report: device, seq (>= 1), time, last_sync (UTC) and free_bytes are required");
		goto fail;
	}
	if (check_images(json_object_get(s, "images"), err) || check_policies(json_object_get(s, "policies"), err) ||
	    check_hypervisor(json_object_get(s, "hypervisor"), err) || check_vms(json_object_get(s, "vms"), err))
		goto fail;
	out->signed_part = s;
	out->device = json_integer_value(json_object_get(s, "device"));
	out->seq = json_integer_value(json_object_get(s, "seq"));
	return 0;
fail:
	report_free(out);
	return -1;
}

int report_verify(const struct report *r, const uint8_t pub[32])
{
	char *c = tuf_canonical(r->signed_part);
	int rc;

	if (!c)
		return -1;
	rc = crypto_sign_verify_detached(r->sig, (const uint8_t *)c, strlen(c), pub);
	free(c);
	return rc ? -1 : 0;
}

void report_free(struct report *r)
{
	if (r->doc)
		json_decref(r->doc);
	memset(r, 0, sizeof(*r));
}

char *report_sign(json_t *signed_part, const uint8_t sk[64])
{
	char *c = tuf_canonical(signed_part), hex[129], *out;
	uint8_t sig[64];
	json_t *env;

	if (!c)
		return NULL;
	crypto_sign_detached(sig, NULL, (const uint8_t *)c, strlen(c), sk);
	free(c);
	fl_hex(sig, 64, hex);
	env = json_pack("{s:O, s:s}", "signed", signed_part, "sig", hex);
	out = env ? json_dumps(env, JSON_COMPACT) : NULL;
	json_decref(env);
	return out;
}
