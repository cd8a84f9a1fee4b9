/* pcapng.h — a bounds-checked pcapng block reader.
 *
 * Reads the pcapng format (draft-ietf-opsawg-pcapng) from a byte stream,
 * including files whose interfaces have different link types, which
 * libpcap 1.10 refuses (see pcapng.c).  Each packet block becomes a
 * struct capture_record whose linktype is a DLT_ value, as libpcap reports.
 */
#ifndef MPCAP_PCAPNG_H
#define MPCAP_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "analyzer/capture/capture.h"

/* The byte source, like read(2): bytes stored (> 0), 0 at end of input, or
 * -1 with a one-line reason in err. */
typedef ssize_t (*pcapng_read_fn)(void *ctx, uint8_t *buf, size_t n, char *err, size_t errlen);

struct pcapng_reader;

/* Reads and checks the first Section Header Block.  Returns 0, or -1 with a
 * one-line reason in err. */
int pcapng_open(pcapng_read_fn rd, void *ctx, struct pcapng_reader **out, char *err, size_t errlen);

/* Next packet (EPB, SPB or obsolete PB); other blocks are interpreted (SHB,
 * IDB) or skipped.  Returns enum capture_status; CAPTURE_DAMAGED is sticky
 * and err names the byte offset of the offending block.  rec->data stays
 * valid until the next call. */
int pcapng_next(struct pcapng_reader *r, struct capture_record *rec, char *err, size_t errlen);

void pcapng_free(struct pcapng_reader *r);

/* Maps a LINKTYPE_ value (as stored in files) to the DLT_ value libpcap uses
 * on this platform; identical values pass through. */
int pcapng_linktype_to_dlt(int linktype);

#endif
