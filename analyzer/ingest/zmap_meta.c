/* zmap_meta.c — ZMap metadata (RFC 8259 JSON through jansson) to the probe's
 * TCP option block (RFC 9293).  See zmap_meta.h. */
#include "analyzer/ingest/zmap_meta.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

int zmap_probe_from_hex(const char *hex, struct zmap_probe *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	int rc = zmap_options_parse(hex, out->options, &out->options_len);
	if (rc == 1) {
		snprintf(err, errlen, "'%s' is not an even number of hex digits", hex);
		return -1;
	}
	if (rc == 2) {
		snprintf(err, errlen, "'%s' is not an option block (a multiple of 4 bytes, at most 40)", hex);
		return -1;
	}
	out->known = true;
	return 0;
}

static bool is_synopt(const char *module)
{
	return module && (strcmp(module, "tcp_synopt") == 0 || strcmp(module, "ipv6_tcp_synopt") == 0);
}

int zmap_metadata_read(const char *path, struct zmap_probe *out, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		if (je.line > 0)
			snprintf(err, errlen, "%s: not JSON (line %d column %d: %s)", path, je.line,
			         je.column, je.text);
		else
			snprintf(err, errlen, "%s: %s", path, je.text);
		return -1;
	}
	int rc = -1;
	char msg[256];
	if (!json_is_object(root)) {
		snprintf(err, errlen, "%s: not a ZMap metadata file (not a JSON object)", path);
		goto out;
	}
	json_t *mod = json_object_get(root, "probe_module");
	json_t *args = json_object_get(root, "probe_args");
	json_t *ttl = json_object_get(root, "probe_ttl");
	const char *module = json_string_value(mod);
	if (!module) {
		snprintf(err, errlen, "%s: not a ZMap metadata file (no probe_module)", path);
		goto out;
	}
	const char *a = json_string_value(args);
	if (args && !json_is_null(args) && !a) {
		snprintf(err, errlen, "%s: probe_args is not a string", path);
		goto out;
	}
	if (a && strncmp(a, "hex:", 4) == 0) {
		if (zmap_probe_from_hex(a, out, msg, sizeof msg) != 0) {
			snprintf(err, errlen, "%s: probe_args %s", path, msg);
			goto out;
		}
	} else if ((!a || !*a) && is_synopt(module)) {
		memset(out, 0, sizeof *out); /* tcp_synopt without arguments sends no options */
		out->known = true;
	} else {
		snprintf(
		    err, errlen,
		    "%s: probe module %s with probe_args '%s' does not record the option block its probes "
		    "carried; give it with --probe-options HEX",
		    path, module, a ? a : "");
		goto out;
	}
	if (ttl) {
		json_int_t t = json_integer_value(ttl);
		if (!json_is_integer(ttl) || t < 0 || t > 255) {
			snprintf(err, errlen, "%s: probe_ttl is not a TTL (0-255)", path);
			goto out;
		}
		out->ttl = (uint8_t)t;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}
