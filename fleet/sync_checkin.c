/* bulkhead-sync enroll / checkin: the device's identity and its reports to
 * the check-in service (fleet/checkin/). The device key is made here, on the
 * device, and never leaves it: STATE_DIR/device.json (mode 0600) holds the
 * device id, the ed25519 key pair and the counter of the last report. */
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

#include "checkin/report.h"
#include "state.h"

#define DEVICE_FILE "device.json"
#define POST_TIMEOUT_S 30L

struct device {
	int64_t id, seq;
	uint8_t pk[32], sk[64];
};

static size_t collect(char *p, size_t sz, size_t n, void *arg)
{
	struct fl_buf *b = arg;

	n *= sz;
	if (b->len + n > 65536U || fl_buf_append(b, p, n))
		return 0;
	return n;
}

/* POST body to url; 0 and the answer's JSON in *out, or -1 with the
 * service's error (or the transport's) in err. */
static int post(const char *url, const char *ca, const char *body, json_t **out, struct fl_err *err)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
	struct fl_buf b = { 0 };
	long code = 0;
	CURLcode rc;

	*out = NULL;
	if (!h)
		return fl_fail(err, "curl: cannot initialise");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, POST_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (ca)
		curl_easy_setopt(h, CURLOPT_CAINFO, ca);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hd);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		fl_buf_free(&b);
		return fl_fail(err, "%s: %s", url, curl_easy_strerror(rc));
	}
	*out = json_loadb((const char *)b.data, b.len, 0, NULL);
	fl_buf_free(&b);
	if (code != 200) {
		const char *e = json_string_value(json_object_get(*out, "error"));

		fl_fail(err, "%s: HTTP %ld: %s", url, code, e ? e : "no error message");
		if (code != 403) { /* a 403's answer may say the device is revoked */
			json_decref(*out);
			*out = NULL;
		}
		return -1;
	}
	if (!*out)
		return fl_fail(err, "%s: answer is not JSON", url);
	return 0;
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
	const char *pk, *sk;
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
	if (!pk || !sk || fl_unhex(pk, d->pk, 32) || fl_unhex(sk, d->sk, 64) || d->id < 1 || d->seq < 0)
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
	char url[1200], pk[65], *body;
	json_t *req, *ans;
	int rc;

	if (!a->checkin || !a->token || !a->name)
		return fl_fail(err, "enroll needs --checkin URL, --token TOKEN and --name NAME");
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
	rc = post(url, a->ca, body, &ans, err);
	free(body);
	if (rc)
		return -1;
	d.id = json_integer_value(json_object_get(ans, "device"));
	json_decref(ans);
	if (d.id < 1)
		return fl_fail(err, "%s: no device id in the answer", url);
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
		json_object_set_new(pol, role, json_pack("{s:O}", "lease_expires",
				    json_object_get(p, "lease_expires")));
	if (r == 0)
		state_free(&st);
	return s;
}

/* Test hook: BULKHEAD_CHECKIN_SAVE=FILE keeps a copy of the signed report
 * (tests replay it and tamper with it). */
static void save_for_test(const char *body)
{
	const char *path = getenv("BULKHEAD_CHECKIN_SAVE");

	if (path)
		fl_write_atomic(path, body, strlen(body), NULL);
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

/* Keep the console's assignment (or its absence) as the service sent it,
 * checked for shape: {"rollout", "image" (a valid name), "version", "policy"}. */
static int record_assignment(const struct sync_args *a, json_t *as, struct fl_err *err)
{
	const char *img = json_string_value(json_object_get(as, "image"));
	const char *pol = json_string_value(json_object_get(as, "policy"));
	char *t;
	int rc;

	if (!as || json_is_null(as)) {
		unlinkat(a->dirfd, SYNC_ASSIGNMENT_FILE, 0);
		return 0;
	}
	if (!json_is_object(as) || json_object_size(as) != 4 || !img || !fl_valid_name(img) || !pol ||
	    !fl_valid_name(pol) || !json_is_integer(json_object_get(as, "version")) ||
	    !json_is_integer(json_object_get(as, "rollout")))
		return fl_fail(err, "check-in answer: malformed assignment");
	if (!(t = json_dumps(as, JSON_SORT_KEYS | JSON_INDENT(2))))
		return fl_fail(err, "out of memory");
	rc = fl_write_atomic_at(a->dirfd, SYNC_ASSIGNMENT_FILE, t, strlen(t), err);
	free(t);
	return rc;
}

int sync_checkin(const struct sync_args *a, struct fl_err *err)
{
	struct device d;
	char url[1200], *body;
	json_t *s, *ans;
	int rc;

	if (!a->checkin)
		return fl_fail(err, "checkin needs --checkin URL");
	if (device_load(a->dirfd, &d, err) || !(s = build_report(a, &d, err)))
		return -1;
	/* the counter is saved before the report leaves: a report never repeats a seq */
	d.seq++;
	if (device_save(a->dirfd, &d, err)) {
		json_decref(s);
		return -1;
	}
	body = report_sign(s, d.sk);
	sodium_memzero(d.sk, sizeof(d.sk));
	json_decref(s);
	if (!body)
		return fl_fail(err, "out of memory");
	save_for_test(body);
	snprintf(url, sizeof(url), "%.1100s/v1/checkin", a->checkin);
	rc = post(url, a->ca, body, &ans, err);
	free(body);
	if (rc) {
		if (json_is_true(json_object_get(ans, "revoked")))
			record_revoked(a, err);
		json_decref(ans);
		return -1;
	}
	rc = record_assignment(a, json_object_get(ans, "assignment"), err);
	json_decref(ans);
	if (rc)
		return -1;
	if (!a->quiet)
		printf("checked in (device %lld, report %lld)\n", (long long)d.id, (long long)d.seq);
	return 0;
}
