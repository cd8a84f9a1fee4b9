/*
 * traffic.h — a scan capture: what a ZMap-style scanner with tcpdump alongside records for one
 * month, port and family (probes to every target in a keyed random order, and the answers), and
 * its truth file.
 */
#ifndef MPCAP_SAMPLES_GEN_TRAFFIC_H
#define MPCAP_SAMPLES_GEN_TRAFFIC_H

#include <stdint.h>

#include "samples/gen/gen.h"

/* Microseconds since 1970 of a UTC date and time. */
uint64_t epoch_us(int y, int mo, int d, int hour, int min);
/* DIR/scan-YYYY-MM-pPORT-vF.pcap and DIR/truth-YYYY-MM-pPORT-vF.csv */
void scan_file(struct gen *g, int fam, int port, const struct month *mo);

#endif
