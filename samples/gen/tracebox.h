/*
 * tracebox.h — a tracebox capture: TTL-limited probes towards the MP_CAPABLE responders of one
 * month, port and family (and the hosts behind option strippers, as a control), the routers'
 * quotes and the destinations' answers, and its truth file.
 */
#ifndef MPCAP_SAMPLES_GEN_TRACEBOX_H
#define MPCAP_SAMPLES_GEN_TRACEBOX_H

#include "samples/gen/gen.h"

/* DIR/tracebox-YYYY-MM-pPORT-vF.pcap and DIR/truth-tracebox-YYYY-MM-pPORT-vF.csv */
void tracebox_file(struct gen *g, int fam, int port, const struct month *mo);

#endif
