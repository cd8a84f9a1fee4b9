/* target_setfile.h — named target sets (target_set.h) in one binary file,
 * DIR/targets.sets: IPv4 members as CRoaring portable serialisations
 * (RoaringFormatSpec), IPv6 members as their 16 bytes (RFC 8200 addresses).
 */
#ifndef MPCAP_TARGET_SETFILE_H
#define MPCAP_TARGET_SETFILE_H

#include <stddef.h>
#include <stdio.h>

#include "analyzer/scan/target_set.h"

/* Format: "MPCAPSETS1\n", then records {u8 name length, name, u8 family,
 * u16 port, u64 payload length (all big-endian), payload}, ended by a zero
 * name length.  IPv4 payload: a CRoaring portable serialisation (with run
 * containers where smaller; read back through CRoaring); IPv6
 * payload: the 16-byte addresses.  Exact, so that results computed on
 * shards can be merged into exactly what one run would count. */
int target_sets_write(FILE *fp, const char *const *names, struct target_set *const *sets, size_t n);
/* Reads the sets named in names into sets[i] (new, empty when absent from the file). */
int target_sets_read(const char *path, const char *const *names, struct target_set **sets, size_t n,
                     char *err, size_t errlen);

#endif
