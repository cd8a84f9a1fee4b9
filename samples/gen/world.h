/*
 * world.h — the synthetic Internet's world: countries (world-data.h), ASes (the ones the study
 * names with their real numbers, transit carriers, the scanner's network, synthetic ones per
 * country and kind, customers announcing a more-specific), their IPv4 prefixes in 240.0.0.0/4
 * and IPv6 prefixes in 3fff::/20 (RFC 9637), and the files attribution reads: CAIDA RouteViews
 * pfx2as, AS names, countries and the RIR statistics exchange format (delegated-extended). The
 * world does not depend on --seed or --scale.
 */
#ifndef MPCAP_SAMPLES_GEN_WORLD_H
#define MPCAP_SAMPLES_GEN_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "samples/gen/hash.h"
#include "samples/gen/world-data.h"

#define NCOUNTRIES ((int)(sizeof(world_countries) / sizeof(world_countries[0])))

enum as_kind { K_ISP, K_HOSTING, K_MOBILE, K_EDU, K_ENTERPRISE, K_CONTENT, K_CUSTOMER, K_TRANSIT, K_SCANNER };

#define NTRANSIT 6 /* transit carriers */
#define NRIR 5     /* regional Internet registries: the regions of the world */
#define MAX_AS 512
#define MAX_PFX 1536

struct asys {
	uint32_t asn;
	char name[128];
	int cc;
	int kind;
	bool v6;
	double w_net, w_mptcp, w_mb; /* absolute weights (country weight x share) */
	int pfx[6];
	int npfx;
};

struct prefix {
	int fam; /* 4 or 6 */
	uint32_t a4;
	uint8_t a6[16];
	int len;
	int as;
	int cc;
	char origin[48]; /* pfx2as origin field: "714", "64512_64513", "64514,64515" */
	bool hosts;      /* targets may live here */
	bool announced;  /* listed in pfx2as */
	bool delegated;  /* listed in a RIR delegated file */
	int child;       /* more-specific customer prefix at its end, -1 if none */
	int kidx;        /* v6 customer /48 index */
	uint64_t nvalid; /* usable host slots */
	uint64_t used;   /* slots given out while building the population */
	uint32_t date;   /* delegation date YYYYMMDD */
	struct perm slotperm;
};

struct world {
	struct asys as[MAX_AS];
	int nas;
	struct prefix pfx[MAX_PFX];
	int npfx;
	int scanner_as;
	int scanner4, scanner6; /* prefixes */
	int transit[NTRANSIT];  /* AS indexes */
	int unannounced4[6];    /* pseudo-prefixes of unrouted space (dark addresses) */
	int nunannounced4;
};

/* Index of a RIR by name ("arin", "ripencc", "apnic", "lacnic", "afrinic"): its region. */
int rir_index(const char *rir);
/* Builds the world. */
void build_world(struct world *w);
void addr_text(int fam, const uint8_t *b, char *out, size_t n);
/* A prefix's address (without its length). */
void prefix_text(const struct prefix *p, char *out, size_t n);
/* DIR/world/: pfx2as-v4.txt, pfx2as-v6.txt, as-names.csv, countries.csv, delegated-*. */
void write_world(const struct world *w, const char *dir);

#endif
