/*
 * path.h — the path from the scanner to a host, as the tracebox-style prober sees it: the
 * scanner's routers, transit carriers towards the host's region, the host network's routers and
 * gateway, how each router quotes an expired probe (whole, RFC 4884 with MPLS, 28 bytes, or not
 * at all), and where a middlebox on the way changes the MP_CAPABLE option.
 */
#ifndef MPCAP_SAMPLES_GEN_PATH_H
#define MPCAP_SAMPLES_GEN_PATH_H

#include <stdbool.h>
#include <stdint.h>

#include "samples/gen/host.h"
#include "samples/gen/world.h"

struct gen;

enum style { S_FULL, S_4884, S_BRIEF, S_SILENT };

struct router {
	uint8_t addr[16];
	int style;
	uint8_t init_ttl;
	uint32_t idbase;
	uint32_t label;
};

enum change { CH_NONE, CH_STRIP, CH_NOP, CH_KEY, CH_FLAGS, CH_VERSION };
extern const char *const change_name[];

#define MAX_HOPS 32
struct path {
	int H;                       /* the destination is H hops away */
	struct router hop[MAX_HOPS]; /* hop[1..H-1] */
	int k;                       /* first hop whose quote shows the change, 0 none */
	int change;
	int jstop; /* unreachable: routers beyond this hop do not answer */
	bool unreach;
	int region;
};

/* The scanner's address in a family. */
void scanner_addr(const struct world *w, int fam, uint8_t *a);
void build_path(const struct gen *g, const struct host *h, struct path *P);
/* "untraced", "unreachable", "true-mptcp" or "middlebox" */
const char *tracebox_class(const struct host *h);
/* Round-trip time (microseconds) to hop i of H in a region. */
uint64_t rtt_us(int region, int i, int H, uint64_t h);

#endif
