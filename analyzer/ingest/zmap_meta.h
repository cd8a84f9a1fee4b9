/* zmap_meta.h — the probe a ZMap scan sent, from its metadata file or a hex string.
 *
 * ZMap's `-m FILE` writes a JSON object (RFC 8259) describing the run; for
 * the `tcp_synopt` and `ipv6_tcp_synopt` probe modules its `probe_args`
 * field is "hex:" followed by the TCP option block every probe carried
 * (RFC 9293 §3.1; a multiple of 4 bytes, at most 40), and no probe_args
 * means no options.  The JSON is read with jansson.
 */
#ifndef MPCAP_ZMAP_META_H
#define MPCAP_ZMAP_META_H

#include <stddef.h>

#include "analyzer/ingest/zmap_row.h"

/* Reads the probe from a metadata file: probe_args "hex:..." (any probe
 * module), or none/empty for tcp_synopt and ipv6_tcp_synopt (a plain SYN);
 * probe_ttl when present.  Returns 0, or -1 with err naming the file and the
 * reason (unreadable, not JSON, probe arguments that are no option block). */
int zmap_metadata_read(const char *path, struct zmap_probe *out, char *err, size_t errlen);

/* The probe from an option block in hex ("hex:", "0x" or bare; "" = no
 * options).  Returns 0, or -1 with err. */
int zmap_probe_from_hex(const char *hex, struct zmap_probe *out, char *err, size_t errlen);

#endif
