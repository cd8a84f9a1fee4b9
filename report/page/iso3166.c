/* iso3166.c — country names by ISO 3166-1 alpha-2 code from Debian's
 * iso-codes JSON (see iso3166.h), read with jansson. */
#include "report/page/iso3166.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

struct iso3166 {
	json_t *root;
	json_t *list; /* root["3166-1"], borrowed */
};

int iso3166_load(const char *path, struct iso3166 **out, char *err, size_t errlen)
{
	*out = NULL;
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root) {
		snprintf(err, errlen, "%s: %s (install Debian's iso-codes)", path, je.text);
		return -1;
	}
	json_t *list = json_object_get(root, "3166-1");
	if (!json_is_array(list)) {
		snprintf(err, errlen, "%s: no \"3166-1\" list (not iso-codes' iso_3166-1.json)", path);
		json_decref(root);
		return -1;
	}
	struct iso3166 *t = malloc(sizeof *t);
	if (!t) {
		json_decref(root);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	t->root = root;
	t->list = list;
	*out = t;
	return 0;
}

const char *iso3166_name(const struct iso3166 *t, const char *alpha2)
{
	if (!t || !alpha2)
		return NULL;
	size_t i;
	json_t *e;
	json_array_foreach(t->list, i, e)
	{
		const char *code = json_string_value(json_object_get(e, "alpha_2"));
		if (!code || strcasecmp(code, alpha2) != 0)
			continue;
		const char *common = json_string_value(json_object_get(e, "common_name"));
		return common ? common : json_string_value(json_object_get(e, "name"));
	}
	return NULL;
}

void iso3166_free(struct iso3166 *t)
{
	if (!t)
		return;
	json_decref(t->root);
	free(t);
}
