/* Policy document validation. */
#include "policy.h"

#include <stdio.h>
#include <string.h>

static int one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (!strcmp(s, *set))
			return 1;
	return 0;
}

static const char *const actions[] = { "allow", "deny", NULL };

static int check_rules(const json_t *sec, const char *what, struct fl_err *err)
{
	json_t *rules = json_object_get(sec, "rules"), *r;
	size_t i;

	if (!json_is_object(sec) || !one_of(json_string_value(json_object_get(sec, "default")), actions))
		return fl_fail(err, "policy: %s needs \"default\": \"allow\" or \"deny\"", what);
	if (rules && !json_is_array(rules))
		return fl_fail(err, "policy: %s.rules must be a list", what);
	json_array_foreach(rules, i, r) {
		if (!one_of(json_string_value(json_object_get(r, "action")), actions))
			return fl_fail(err, "policy: %s rule %zu: bad action", what, i);
		if (!strcmp(what, "network")) {
			json_t *ports = json_object_get(r, "ports"), *p;
			size_t k;

			if (!json_is_string(json_object_get(r, "host")))
				return fl_fail(err, "policy: network rule %zu: missing host", i);
			if (ports && !json_is_array(ports))
				return fl_fail(err, "policy: network rule %zu: ports must be a list", i);
			json_array_foreach(ports, k, p)
				if (!json_is_integer(p) || json_integer_value(p) < 1 || json_integer_value(p) > 65535)
					return fl_fail(err, "policy: network rule %zu: bad port", i);
		} else {
			const char *v = json_string_value(json_object_get(r, "vendor"));
			const char *pr = json_string_value(json_object_get(r, "product"));
			uint8_t b[2];

			if (!v || fl_unhex(v, b, 2) || (pr && fl_unhex(pr, b, 2)))
				return fl_fail(err, "policy: usb rule %zu: vendor/product must be 4 hex digits", i);
		}
	}
	return 0;
}

int policy_parse(const uint8_t *buf, size_t len, struct policy *out, struct fl_err *err)
{
	static const char *const clip[] = { "none", "host-to-vm", "vm-to-host", "both", NULL };
	json_error_t je;
	json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je), *lease;
	const char *role;
	int rc = -1;

	if (!j)
		return fl_fail(err, "policy: bad JSON (%s, line %d)", je.text, je.line);
	role = json_string_value(json_object_get(j, "vm_role"));
	lease = json_object_get(j, "offline_lease_days");
	if (!role || !*role || strlen(role) >= sizeof(out->vm_role) || strspn(role,
	    "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(role))
		fl_fail(err, "policy: \"vm_role\" must be a short name of [a-z0-9-_]");
	else if (check_rules(json_object_get(j, "network"), "network", err) ||
		 check_rules(json_object_get(j, "usb"), "usb", err))
		;
	else if (!one_of(json_string_value(json_object_get(j, "clipboard")), clip))
		fl_fail(err, "policy: \"clipboard\" must be none, host-to-vm, vm-to-host or both");
	else if (!json_is_integer(lease) || json_integer_value(lease) < 0 || json_integer_value(lease) > 3650)
		fl_fail(err, "policy: \"offline_lease_days\" must be an integer 0..3650");
	else {
		snprintf(out->vm_role, sizeof(out->vm_role), "%s", role);
		out->offline_lease_days = json_integer_value(lease);
		rc = 0;
	}
	json_decref(j);
	return rc;
}
