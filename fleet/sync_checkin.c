/* bulkhead-sync enroll / checkin: the device's identity and its reports to
 * the check-in service (fleet/checkin/). The device key is made here, on the
 * device, and never leaves it: STATE_DIR/device.json (mode 0600) holds the
 * device id, the ed25519 key pair, the counter of the last report and the
 * check-in service key pinned at enrollment, which must have signed every
 * answer the device acts on (checkin/answer.h). */
#include "sync_checkin.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "checkin/answer.h"
#include "checkin/report.h"
#include "state.h"

#define DEVICE_FILE "device.json"
#define POST_TIMEOUT_S 30L

struct device {
	int64_t id, seq;
	uint8_t pk[32], sk[64];
	uint8_t service[32]; /* the check-in service key, pinned at enrollment */
	int has_service;
};

static size_t collect(char *p, size_t sz, size_t n, void *arg)
{
	struct fl_buf *b = arg;

	n *= sz;
	if (b->len + n > 65536U || fl_buf_append(b, p, n))
		return 0;
	return n;
}

/* POST body to url; 0 with the HTTP status in *code and the answer's bytes
 * in ans (the caller frees), or -1 with the transport's error in err. */
static int post(const char *url, const char *ca, const char *body, struct fl_buf *ans, long *code,
		struct fl_err *err)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
	CURLcode rc;

	*code = 0;
	memset(ans, 0, sizeof(*ans));
	if (!h)
		return fl_fail(err, "curl: cannot initialise");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, ans);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, POST_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		fl_buf_free(ans);
		return fl_fail(err, "%s: %s", url, curl_easy_strerror(rc));
	}
	return 0;
}

/* The service's error message of an answer (outside any signature: for
 * people, never acted on). */
static void answer_error(const char *url, long code, const struct fl_buf *ans, struct fl_err *err)
{
	json_t *j = json_loadb((const char *)ans->data, ans->len, 0, NULL);
	const char *e = json_string_value(json_object_get(j, "error"));

	fl_fail(err, "%s: HTTP %ld: %.200s", url, code, e ? e : "no error message");
	if (j)
		json_decref(j);
}

static int device_save(int dirfd, const struct device *d, struct fl_err *err)
{
	char pk[65], sk[129];
	json_t *j;
	char *t;
	int rc;

	fl_hex(d->pk, 32, pk);
	fl_hex(d->sk, 64, sk);
	j = json_pack("{s:I, s:I, s:s, s:s}", "device", (json_int_t)d->id, "seq", (json_int_t)d->seq,
		      "public", pk, "secret", sk);
	if (j && d->has_service) {
		fl_hex(d->service, 32, pk);
		json_object_set_new(j, "service_key", json_string(pk));
	}
	t = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(j);
	sodium_memzero(sk, sizeof(sk));
	if (!t)
		return fl_fail(err, "out of memory");
	rc = fl_write_private_at(dirfd, DEVICE_FILE, t, strlen(t), err);
	sodium_memzero(t, strlen(t));
	free(t);
	return rc;
}

static int device_load(int dirfd, struct device *d, struct fl_err *err)
{
	struct fl_buf b = { 0 };
	json_t *j;
	const char *pk, *sk, *svc;
	int rc = -1;

	if (faccessat(dirfd, DEVICE_FILE, F_OK, AT_SYMLINK_NOFOLLOW))
		return fl_fail(err, "not enrolled yet: run bulkhead-sync enroll first");
	if (fl_read_at(dirfd, DEVICE_FILE, 65536, &b, err))
		return -1;
	j = json_loadb((const char *)b.data, b.len, 0, NULL);
	pk = json_string_value(json_object_get(j, "public"));
	sk = json_string_value(json_object_get(j, "secret"));
	d->id = json_integer_value(json_object_get(j, "device"));
	d->seq = json_integer_value(json_object_get(j, "seq"));
	svc = json_string_value(json_object_get(j, "service_key"));
	d->has_service = svc && !fl_unhex(svc, d->service, 32);
	if (!pk || !sk || fl_unhex(pk, d->pk, 32) || fl_unhex(sk, d->sk, 64) || d->id < 1 || d->seq < 0 ||
	    (svc && !d->has_service))
		fl_fail(err, "%s: malformed", DEVICE_FILE);
	else
		rc = 0;
	if (j)
		json_decref(j);
	sodium_memzero(b.data, b.len);
	fl_buf_free(&b);
	return rc;
}

int sync_enroll(const struct sync_args *a, struct fl_err *err)
{
	struct device d = { 0 };
	struct fl_buf b;
	char url[1200], pk[65], *body;
	const char *svc;
	uint8_t want[32];
	json_t *req, *ans;
	long code;
	int rc;

	if (!a->checkin || !a->token || !a->name)
		return fl_fail(err, "enroll needs --checkin URL, --token TOKEN and --name NAME");
	if (a->service_key && fl_unhex(a->service_key, want, 32))
		return fl_fail(err, "--service-key wants 64 hex digits (bulkhead-checkin pubkey)");
	if (!faccessat(a->dirfd, DEVICE_FILE, F_OK, AT_SYMLINK_NOFOLLOW))
		return fl_fail(err, "%s: already enrolled (%s exists)", a->dir, DEVICE_FILE);
	crypto_sign_keypair(d.pk, d.sk);
	fl_hex(d.pk, 32, pk);
	req = json_pack("{s:s, s:s, s:s}", "token", a->token, "pubkey", pk, "name", a->name);
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!body)
		return fl_fail(err, "out of memory");
	snprintf(url, sizeof(url), "%.1100s/v1/enroll", a->checkin);
	rc = post(url, a->ca, body, &b, &code, err);
	free(body);
	if (rc)
		return -1;
	if (code != 200) {
		answer_error(url, code, &b, err);
		fl_buf_free(&b);
		return -1;
	}
	ans = json_loadb((const char *)b.data, b.len, 0, NULL);
	fl_buf_free(&b);
	d.id = json_integer_value(json_object_get(ans, "device"));
	svc = json_string_value(json_object_get(ans, "service_key"));
	d.has_service = svc && !fl_unhex(svc, d.service, 32);
	if (ans)
		json_decref(ans);
	if (d.id < 1 || !d.has_service)
		return fl_fail(err, "%s: no device id or service key in the answer", url);
	/* the key given out of band wins over the network's: pinned only if equal */
	if (a->service_key && sodium_memcmp(want, d.service, 32))
		return fl_fail(err, "%s: the service's key is not the --service-key given (refused; not enrolled)", url);
	if (device_save(a->dirfd, &d, err))
		return -1;
	sodium_memzero(d.sk, sizeof(d.sk));
	if (!a->quiet)
		printf("enrolled as device %lld\n", (long long)d.id);
	return 0;
}

/* What this device runs, from its state file and its file system. */
static json_t *build_report(const struct sync_args *a, const struct device *d, struct fl_err *err)
{
	struct sync_state st;
	struct statvfs vfs;
	char now[32], last[32], h[65];
	const char *role;
	json_t *s, *pol, *p;
	int r = state_load(a->dirfd, &st, err);

	if (r < 0)
		return NULL;
	fl_time_format(fl_now(), now);
	fl_time_format(r == 0 ? st.last_checkin : 0, last);
	s = json_pack("{s:I, s:I, s:s, s:[], s:{}, s:s, s:I}", "device", (json_int_t)d->id, "seq",
		      (json_int_t)(d->seq + 1), "time", now, "images", "policies", "last_sync", last,
		      "free_bytes", (json_int_t)(fstatvfs(a->dirfd, &vfs) ? 0 :
						   (uint64_t)vfs.f_bavail * vfs.f_frsize));
	if (r == 0 && st.installed) {
		fl_hex(st.installed_sha256, 32, h);
		json_array_append_new(json_object_get(s, "images"), json_pack("{s:s, s:I, s:s}", "image", st.image,
				      "version", (json_int_t)st.installed, "sha256", h));
	}
	pol = json_object_get(s, "policies");
	json_object_foreach(r == 0 ? st.policies : NULL, role, p)
		json_object_set_new(pol, role, json_pack("{s:O, s:I}", "lease_expires",
				    json_object_get(p, "lease_expires"), "version",
				    (json_int_t)json_integer_value(json_object_get(p, "version"))));
	if (r == 0)
		state_free(&st);
	return s;
}

/* --hv-status FILE: what the hypervisor side says of itself, {"hypervisor":
 * version, "vms": [{"name", "state", "uptime_s"[, "locked"]}]} (report.h), copied into
 * the report. In the service VM, bulkhead-svcd --hv-status writes it from
 * the hypervisor's status area (tools/bulkhead-svcd-ctl.c); report_parse
 * checks the values before the report leaves. */
static int add_hv_status(const struct sync_args *a, json_t *s, struct fl_err *err)
{
	struct fl_buf b = { 0 };
	json_error_t je;
	json_t *j, *v;
	const char *k;
	int rc = 0;

	if (!a->hv_status)
		return 0;
	if (fl_read_file(a->hv_status, 65536, &b, err))
		return -1;
	j = json_loadb((const char *)b.data, b.len, JSON_REJECT_DUPLICATES, &je);
	fl_buf_free(&b);
	if (!json_is_object(j)) {
		if (j)
			json_decref(j);
		return fl_fail(err, "%s: not a JSON object (%s)", a->hv_status, je.text);
	}
	json_object_foreach(j, k, v)
		if (strcmp(k, "hypervisor") && strcmp(k, "vms"))
			rc = fl_fail(err, "%s: unknown field \"%.40s\" (want hypervisor, vms)", a->hv_status, k);
		else
			json_object_set(s, k, v);
	json_decref(j);
	return rc;
}

/* Test hooks: BULKHEAD_CHECKIN_SAVE=FILE keeps a copy of the signed report,
 * BULKHEAD_CHECKIN_SAVE_ANSWER=FILE one of the service's answer as received
 * (tests replay them and tamper with them). */
static void save_for_test(const char *var, const void *body, size_t len)
{
	const char *path = getenv(var);

	if (path)
		fl_write_atomic(path, body, len, NULL);
}

/* The service refused this device as revoked: record it (sync renews no
 * lease from now on), keeping the service's message in err. */
static void record_revoked(const struct sync_args *a, struct fl_err *err)
{
	char now[32], line[80];
	struct fl_err werr;

	fl_time_format(fl_now(), now);
	snprintf(line, sizeof(line), "{\"revoked_seen\": \"%s\"}\n", now);
	if (fl_write_atomic_at(a->dirfd, SYNC_REVOKED_FILE, line, strlen(line), &werr))
		fl_fail(err, "%.120s; and recording it failed: %.120s", err->msg, werr.msg);
	else
		fl_fail(err, "%.150s: this device is revoked; its leases are no longer renewed and its managed VM "
			"locks", err->msg);
}

/* Keep the console's assignment (or its absence) from a verified answer
 * (answer_check checked its shape). */
static int record_assignment(const struct sync_args *a, const json_t *as, struct fl_err *err)
{
	char *t;
	int rc;

	if (!as) {
		unlinkat(a->dirfd, SYNC_ASSIGNMENT_FILE, 0);
		return 0;
	}
	if (!(t = json_dumps(as, JSON_SORT_KEYS | JSON_INDENT(2))))
		return fl_fail(err, "out of memory");
	rc = fl_write_atomic_at(a->dirfd, SYNC_ASSIGNMENT_FILE, t, strlen(t), err);
	free(t);
	return rc;
}

/* Does this answer claim anything the device would act on? Then it must be
 * a signed answer to this report; other refusals are only reported. */
static int claims_something(long code, const struct fl_buf *b)
{
	json_t *j;
	int r;

	if (code == 200)
		return 1;
	j = json_loadb((const char *)b->data, b->len, 0, NULL);
	r = json_object_get(j, "signed") || json_object_get(j, "revoked") || json_object_get(j, "assignment");
	if (j)
		json_decref(j);
	return r;
}

int sync_checkin(const struct sync_args *a, struct fl_err *err)
{
	struct device d;
	struct answer an = { 0 };
	struct fl_buf b;
	struct fl_err aerr;
	char url[1200], *body;
	uint8_t hash[32];
	json_t *s;
	long code;
	int rc;

	if (!a->checkin)
		return fl_fail(err, "checkin needs --checkin URL");
	if (device_load(a->dirfd, &d, err))
		return -1;
	if (!d.has_service) {
		sodium_memzero(d.sk, sizeof(d.sk));
		return fl_fail(err, "%s has no pinned check-in service key (enrolled before answers were signed): "
			       "enroll again", DEVICE_FILE);
	}
	if (!(s = build_report(a, &d, err)) || add_hv_status(a, s, err)) {
		json_decref(s);
		sodium_memzero(d.sk, sizeof(d.sk));
		return -1;
	}
	/* the counter is saved before the report leaves: a report never repeats a seq */
	d.seq++;
	rc = answer_report_hash(s, hash) ? fl_fail(err, "out of memory") : device_save(a->dirfd, &d, err);
	if (rc) {
		json_decref(s);
		sodium_memzero(d.sk, sizeof(d.sk));
		return -1;
	}
	body = report_sign(s, d.sk);
	sodium_memzero(d.sk, sizeof(d.sk));
	json_decref(s);
	if (!body)
		return fl_fail(err, "out of memory");
	{ /* the service's own checks, here first: a clear local error for a bad --hv-status */
		struct report r;

		if (report_parse((const uint8_t *)body, strlen(body), &r, err)) {
			free(body);
			return fl_fail(err, "%.300s (in --hv-status %.200s?)", err->msg, a->hv_status ? a->hv_status : "");
		}
		report_free(&r);
	}
	save_for_test("BULKHEAD_CHECKIN_SAVE", body, strlen(body));
	snprintf(url, sizeof(url), "%.1100s/v1/checkin", a->checkin);
	rc = post(url, a->ca, body, &b, &code, err);
	free(body);
	if (rc)
		return -1;
	save_for_test("BULKHEAD_CHECKIN_SAVE_ANSWER", b.data, b.len);
	if (code != 200)
		answer_error(url, code, &b, err);
	if (claims_something(code, &b) && answer_check(b.data, b.len, d.service, d.id, d.seq, hash, &an, &aerr)) {
		if (code == 200)
			fl_fail(err, "%s: %s", url, aerr.msg);
		else
			fl_fail(err, "%.300s; %.300s", err->msg, aerr.msg);
		fl_buf_free(&b);
		return -1;
	}
	fl_buf_free(&b);
	if (an.revoked) { /* a signed revocation for this report, whatever the status code */
		if (code == 200)
			fl_fail(err, "%s: revoked", url);
		record_revoked(a, err);
		answer_free(&an);
		return -1;
	}
	if (code != 200) { /* a refusal: nothing to act on */
		answer_free(&an);
		return -1;
	}
	rc = record_assignment(a, an.assignment, err);
	answer_free(&an);
	if (rc)
		return -1;
	if (!a->quiet)
		printf("checked in (device %lld, report %lld)\n", (long long)d.id, (long long)d.seq);
	return 0;
}
