/* Simulated devices' enrollment and check-in (sim_checkin.h). */
#include "sim_checkin.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin/answer.h"
#include "checkin/report.h"

char *sim_enroll_body(struct sim_dev *d, size_t i, const char *token)
{
	char pk[65], name[32], *out;
	json_t *req;

	crypto_sign_keypair(d->pk, d->sk);
	fl_hex(d->pk, 32, pk);
	snprintf(name, sizeof(name), "device-%zu", i);
	req = json_pack("{s:s, s:s, s:s}", "token", token, "pubkey", pk, "name", name);
	out = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	return out;
}

int sim_enrolled(struct sim_dev *d, long code, const struct fl_buf *ans)
{
	json_t *a = code == 200 ? json_loadb((const char *)ans->data, ans->len, 0, NULL) : NULL;
	const char *svc = json_string_value(json_object_get(a, "service_key"));

	d->id = json_integer_value(json_object_get(a, "device"));
	d->enrolled = d->id > 0 && svc && !fl_unhex(svc, d->service, 32);
	if (a)
		json_decref(a);
	return d->enrolled ? 0 : -1;
}

char *sim_report_body(struct sim_dev *d)
{
	char now[32], lease[32], h[65];
	json_t *s;
	char *out;

	fl_time_format(fl_now(), now);
	fl_time_format(fl_now() + 14 * 86400, lease); /* a 14-day lease, renewed at each sync */
	memset(h, 'a', 64);
	h[64] = '\0';
	s = json_pack("{s:I, s:I, s:s, s:[{s:s, s:I, s:s}], s:{s:{s:s}}, s:s, s:I}", "device", (json_int_t)d->id,
		      "seq", (json_int_t)++d->seq, "time", now, "images", "image", "corp", "version", (json_int_t)d->version, "sha256", h,
		      "policies", "work", "lease_expires", lease, "last_sync", now, "free_bytes", (json_int_t)1 << 33);
	out = answer_report_hash(s, d->hash) ? NULL : report_sign(s, d->sk);
	json_decref(s);
	return out;
}

void sim_answer(struct sim_dev *d, long code, const struct fl_buf *ans)
{
	struct answer an;
	struct fl_err err;
	const char *img;

	if ((code != 200 && code != 403) ||
	    answer_check(ans->data, ans->len, d->service, d->id, d->seq, d->hash, &an, &err)) {
		d->bad_answers += code == 200 || code == 403;
		return;
	}
	d->assigned_version = 0;
	img = json_string_value(json_object_get(an.assignment, "image"));
	if (code == 200 && img && !strcmp(img, "corp")) {
		d->assigned_version = json_integer_value(json_object_get(an.assignment, "version"));
		d->assigned = 1;
	}
	if (code == 403 && an.revoked)
		d->revoked = 1;
	answer_free(&an);
}

static size_t collect(char *p, size_t sz, size_t n, void *arg)
{
	return fl_buf_append(arg, p, sz * n) ? 0 : sz * n;
}

void sim_post(CURLM *m, CURL *h, const char *url, const char *body, struct fl_buf *ans, void *priv)
{
	static struct curl_slist *hdr;

	if (!hdr)
		hdr = curl_slist_append(NULL, "Content-Type: application/json");
	ans->len = 0;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, ans);
	curl_easy_setopt(h, CURLOPT_PRIVATE, priv);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_multi_add_handle(m, h);
}

int sim_state_load(const char *path, struct sim_dev *devs, size_t n)
{
	FILE *f = fopen(path, "r");
	char sk[129], svc[65];
	size_t i = 0;

	if (!f)
		return -1;
	for (; i < n; i++) {
		struct sim_dev *d = &devs[i];
		long long id, seq, ver;

		if (fscanf(f, "%lld %lld %lld %128s %64s", &id, &seq, &ver, sk, svc) != 5 || fl_unhex(sk, d->sk, 64) ||
		    fl_unhex(svc, d->service, 32))
			break;
		d->id = id, d->seq = seq, d->version = ver;
		d->enrolled = 1;
	}
	fclose(f);
	return i == n ? 0 : -2;
}

void sim_state_save(const char *path, const struct sim_dev *devs, size_t n)
{
	FILE *f = fopen(path, "w");
	char sk[129], svc[65];

	if (!f)
		return;
	for (size_t i = 0; i < n; i++) {
		fl_hex(devs[i].sk, 64, sk);
		fl_hex(devs[i].service, 32, svc);
		fprintf(f, "%lld %lld %lld %s %s\n", (long long)devs[i].id, (long long)devs[i].seq,
			(long long)devs[i].version, devs[i].enrolled ? sk : "-", devs[i].enrolled ? svc : "-");
	}
	fclose(f);
}
