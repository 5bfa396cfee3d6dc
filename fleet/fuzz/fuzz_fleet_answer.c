/* libFuzzer target: the device's check-in answer check (checkin/answer.c) on
 * untrusted bytes. Each input is checked as it is, and once more with its
 * "signed" part re-signed by the key the check trusts, so that the checks
 * behind the signature (binding to the report, status, assignment shape) are
 * reached. An accepted answer is bound to (device 1, seq 1, the report hash)
 * and is either a revocation without an assignment or an "ok" with none or
 * a well-formed one. */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkin/answer.h"
#include "tuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, const uint8_t pub[32], const uint8_t hash[32])
{
	struct answer a;
	struct fl_err err;

	if (answer_check(data, size, pub, 1, 1, hash, &a, &err))
		return;
	if (!a.doc || (a.revoked && a.assignment))
		abort();
	if (a.assignment && (!json_is_object(a.assignment) || json_object_size(a.assignment) != 4 ||
			     !fl_valid_name(json_string_value(json_object_get(a.assignment, "image")))))
		abort();
	answer_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pub[32], sk[64], hash[32];
	static int ready;
	json_t *j, *s;
	char *c, *t, sighex[129];
	uint8_t sig[64];

	if (!ready) {
		uint8_t seed[32] = { 7 };

		if (sodium_init() < 0)
			abort();
		crypto_sign_seed_keypair(pub, sk, seed);
		memset(hash, 0xab, sizeof(hash));
		ready = 1;
	}
	check(data, size, pub, hash);
	j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	s = json_object_get(j, "signed");
	if (json_is_object(s) && (c = tuf_canonical(s))) {
		crypto_sign_detached(sig, NULL, (const uint8_t *)c, strlen(c), sk);
		free(c);
		fl_hex(sig, 64, sighex);
		json_object_set_new(j, "sig", json_string(sighex));
		if ((t = json_dumps(j, JSON_COMPACT))) {
			check((const uint8_t *)t, strlen(t), pub, hash);
			free(t);
		}
	}
	if (j)
		json_decref(j);
	return 0;
}
