/* iso3166.h — country names by ISO 3166-1 alpha-2 code, from Debian's
 * iso-codes data (package iso-codes: /usr/share/iso-codes/json/iso_3166-1.json),
 * read with jansson; never a hand-written table. */
#ifndef MPCAP_ISO3166_H
#define MPCAP_ISO3166_H

#include <stddef.h>

#ifndef MPCAP_ISO3166_JSON
#define MPCAP_ISO3166_JSON "/usr/share/iso-codes/json/iso_3166-1.json"
#endif

struct iso3166;

/* Reads path (MPCAP_ISO3166_JSON); -1 with err when it is missing or not
 * the iso-codes layout ({"3166-1": [{"alpha_2", "name", "common_name"?}]}). */
int iso3166_load(const char *path, struct iso3166 **out, char *err, size_t errlen);
/* The common name when the data has one ("South Korea"), else the official
 * name ("Australia"); NULL for a code it does not list (EU, AP, unknown). */
const char *iso3166_name(const struct iso3166 *t, const char *alpha2);
void iso3166_free(struct iso3166 *t);

#endif
