/* Check-in answers: sign (service), parse and check (device); see answer.h. */
#include "answer.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "tuf.h"

int answer_report_hash(json_t *report_signed, uint8_t out[32])
{
	char *c = tuf_canonical(report_signed);

	if (!c)
		return -1;
	crypto_hash_sha256(out, (const uint8_t *)c, strlen(c));
	free(c);
	return 0;
}

char *answer_sign(int64_t device, int64_t seq, const uint8_t report_hash[32], json_t *assignment, int revoked,
		  const char *msg, const uint8_t sk[64])
{
	char hash[65], sighex[129], *c, *out = NULL;
	uint8_t sig[64];
	json_t *s, *env;

	fl_hex(report_hash, 32, hash);
	s = json_pack("{s:s, s:I, s:I, s:s}", "type", "checkin-answer", "device", (json_int_t)device, "seq",
		      (json_int_t)seq, "report", hash);
	if (!s)
		return NULL;
	if (revoked) {
		json_object_set_new(s, "status", json_string("revoked"));
		json_object_set_new(s, "lease", json_string("not renewed"));
	} else {
		json_object_set_new(s, "status", json_string("ok"));
		json_object_set(s, "assignment", assignment ? assignment : json_null());
	}
	if (!(c = tuf_canonical(s))) {
		json_decref(s);
		return NULL;
	}
	crypto_sign_detached(sig, NULL, (const uint8_t *)c, strlen(c), sk);
	free(c);
	fl_hex(sig, 64, sighex);
	env = json_pack("{s:o, s:s}", "signed", s, "sig", sighex);
	if (env && msg)
		json_object_set_new(env, "error", json_string(msg));
	if (env)
		out = json_dumps(env, JSON_COMPACT);
	json_decref(env);
	return out;
}

static const char *str(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "";
}

/* {"rollout": N, "image": name, "version": N, "policy": name[, "policy_version":
 * N >= 1 or null (a rollout made before policy versions)]}, nothing else. */
static int assignment_ok(const json_t *as)
{
	const char *img = json_string_value(json_object_get(as, "image"));
	const char *pol = json_string_value(json_object_get(as, "policy"));
	const json_t *pv = json_object_get(as, "policy_version");

	return json_is_object(as) && json_object_size(as) == (pv ? 5U : 4U) && fl_valid_name(img) && fl_valid_name(pol) &&
	       (!pv || json_is_null(pv) || (json_is_integer(pv) && json_integer_value(pv) >= 1)) &&
	       json_is_integer(json_object_get(as, "version")) && json_integer_value(json_object_get(as, "version")) >= 0 &&
	       json_is_integer(json_object_get(as, "rollout"));
}

int answer_check(const uint8_t *buf, size_t len, const uint8_t pub[32], int64_t device, int64_t seq,
		 const uint8_t report_hash[32], struct answer *out, struct fl_err *err)
{
	const char *sighex, *k, *status, *hash;
	uint8_t sig[64], h[32];
	json_t *s, *v;
	char *c;
	int bad;

	memset(out, 0, sizeof(*out));
	if (len > ANSWER_MAX_BYTES)
		return fl_fail(err, "check-in answer: larger than %u bytes", ANSWER_MAX_BYTES);
	out->doc = buf ? json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	s = json_object_get(out->doc, "signed");
	sighex = json_string_value(json_object_get(out->doc, "sig"));
	if (!json_is_object(s) || !sighex || fl_unhex(sighex, sig, 64)) {
		fl_fail(err, "check-in answer: not signed (refused; nothing changed)");
		goto fail;
	}
	c = tuf_canonical(s);
	bad = !c || crypto_sign_verify_detached(sig, (const uint8_t *)c, strlen(c), pub);
	free(c);
	if (bad) {
		fl_fail(err, "check-in answer: bad signature for the pinned check-in service key (refused; nothing "
			"changed)");
		goto fail;
	}
	hash = json_string_value(json_object_get(s, "report"));
	if (strcmp(str(json_object_get(s, "type")), "checkin-answer") ||
	    json_integer_value(json_object_get(s, "device")) != device ||
	    !json_is_integer(json_object_get(s, "seq")) || json_integer_value(json_object_get(s, "seq")) != seq ||
	    !hash || fl_unhex(hash, h, 32) || sodium_memcmp(h, report_hash, 32)) {
		fl_fail(err, "check-in answer: signed for another report than report %lld of device %lld "
			"(replayed?; refused, nothing changed)", (long long)seq, (long long)device);
		goto fail;
	}
	status = json_string_value(json_object_get(s, "status"));
	json_object_foreach(s, k, v) {
		static const char *const common[] = { "type", "device", "seq", "report", "status", NULL };
		const char *const *p = common;

		while (*p && strcmp(*p, k))
			p++;
		if (!*p && !(status && !strcmp(status, "ok") && !strcmp(k, "assignment")) &&
		    !(status && !strcmp(status, "revoked") && !strcmp(k, "lease")))
			goto malformed;
	}
	if (status && !strcmp(status, "revoked") &&
	    !strcmp(str(json_object_get(s, "lease")), "not renewed")) {
		out->revoked = 1;
		return 0;
	}
	v = json_object_get(s, "assignment");
	if (!status || strcmp(status, "ok") || !v || (!json_is_null(v) && !assignment_ok(v)))
		goto malformed;
	out->assignment = json_is_null(v) ? NULL : v;
	return 0;
malformed:
	fl_fail(err, "check-in answer: malformed (refused; nothing changed)");
fail:
	answer_free(out);
	return -1;
}

void answer_free(struct answer *a)
{
	if (a->doc)
		json_decref(a->doc);
	memset(a, 0, sizeof(*a));
}
