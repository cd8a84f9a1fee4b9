/*
 * mpcap-gen — a synthetic Internet of MPTCP MP_CAPABLE scans, calibrated to the study that
 * docs/reproduce.md ("The published numbers") cites, with its ground truth and its attribution world.
 *
 * For each month and port it writes what a ZMap-style scanner with tcpdump alongside would
 * have recorded (probe SYNs carrying a v0 MP_CAPABLE option and what came back), what a
 * tracebox-style prober recorded for the MP_CAPABLE responders (TTL-limited probes and the
 * routers' ICMP time-exceeded quotes), the truth per target, and the prefix-to-AS, AS-name and
 * RIR delegated files of the world the targets live in. docs/samples.md explains the model,
 * the scale factors, the oversampling of rare classes and the address space used.
 *
 * Everything random comes from --seed: GSL's MT19937 (one generator per output file, seeded
 * from the seed and the file's month, port and family) for per-connection values such as MPTCP
 * keys and initial sequence numbers, and a stateless 64-bit mixer (splitmix64's finaliser) for
 * per-host properties, so that a host keeps its class, address and path across months and a
 * file does not depend on which other files are generated. Memory does not grow with the
 * number of packets: targets are enumerated through a keyed permutation and packets not yet
 * due wait in a small time-ordered heap.
 *
 * Specifications: IPv4 RFC 791 (checksum RFC 1071), IPv6 RFC 8200 (pseudo-header §8.1), TCP
 * RFC 9293 with MSS/SACK-permitted/timestamps/window scale (RFC 2018, RFC 7323), MP_CAPABLE
 * RFC 6824 §3.1 (v0) and RFC 8684 §3.1 (v1), ICMP RFC 792 (8-byte quotes) and RFC 1812 §4.3.2.3
 * (longer quotes), ICMP extensions RFC 4884 with the MPLS label stack object of RFC 4950,
 * ICMPv6 RFC 4443, pcap file format (libpcap pcap_dump), CAIDA RouteViews pfx2as text format,
 * RIR statistics exchange format (delegated-extended).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_rng.h>
#include <pcap/pcap.h>

#include "../gen/world-data.h"

#define GEN_VERSION "1"
#define NCOUNTRIES ((int)(sizeof(world_countries) / sizeof(world_countries[0])))

/* ------------------------------------------------------------------------------------------ */
/* Deterministic hashing and permutations                                                      */

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t hh(uint64_t a, uint64_t b)
{
	return mix64(a ^ mix64(b + 0x632be59bd9b4e019ULL));
}

static uint64_t h3(uint64_t a, uint64_t b, uint64_t c)
{
	return hh(hh(a, b), c);
}

static uint64_t h4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	return hh(hh(hh(a, b), c), d);
}

static double u01(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* Purposes of hashes, so that two uses of one host never share a stream. */
enum tag {
	TAG_WORLD = 1,
	TAG_SLOT,
	TAG_IID,
	TAG_RANK,
	TAG_PRESENT,
	TAG_HOST,
	TAG_PATH,
	TAG_ROUTER,
	TAG_PERM,
	TAG_FILE,
	TAG_BOX,
	TAG_GROUP,
	TAG_CONN,
	TAG_TRACE,
};

/* A bijection of [0, n) keyed by a 64-bit key: a balanced 4-round Feistel network on the
 * smallest even number of bits that covers n, cycle-walked into the range. */
struct perm {
	uint64_t n;
	int half;
	uint64_t hmask;
	uint64_t k[4];
};

static void perm_init(struct perm *p, uint64_t n, uint64_t key)
{
	int bits = 2;
	while (bits < 64 && (1ULL << bits) < n)
		bits++;
	p->n = n;
	p->half = (bits + 1) / 2;
	p->hmask = p->half >= 64 ? ~0ULL : (1ULL << p->half) - 1;
	for (int i = 0; i < 4; i++)
		p->k[i] = hh(key, (uint64_t)i);
}

static uint64_t perm_at(const struct perm *p, uint64_t x)
{
	if (p->n <= 1)
		return 0;
	do {
		uint64_t l = x >> p->half, r = x & p->hmask;
		for (int i = 0; i < 4; i++) {
			uint64_t t = l ^ (mix64(r ^ p->k[i]) & p->hmask);
			l = r;
			r = t;
		}
		x = (l << p->half) | r;
	} while (x >= p->n);
	return x;
}

/* Largest-remainder (Hamilton) apportionment of n among k weights, each share at least minv[i]
 * (minv may be NULL) when n allows it: shares whose quota falls below their minimum are raised
 * to it and the rest is apportioned among the others by weight, so that large shares are not
 * diluted by the minimums. */
static void apportion_min(uint64_t n, const double *w, int k, const uint64_t *minv, uint64_t *out)
{
	if (k <= 0)
		return;
	uint64_t summin = 0;
	for (int i = 0; i < k; i++) {
		out[i] = 0;
		if (w[i] > 0 && minv)
			summin += minv[i];
	}
	if (summin > n)
		minv = NULL;
	bool *fixed = calloc((size_t)k, sizeof(bool));
	double *rem = malloc(sizeof(double) * (size_t)k);
	if (fixed == NULL || rem == NULL) {
		fprintf(stderr, "mpcap-gen: out of memory\n");
		exit(1);
	}
	uint64_t rest = n;
	double sum = 0;
	for (bool again = true; again;) {
		again = false;
		sum = 0;
		for (int i = 0; i < k; i++)
			if (w[i] > 0 && !fixed[i])
				sum += w[i];
		for (int i = 0; i < k && minv; i++) {
			if (w[i] > 0 && !fixed[i] && minv[i] > 0 &&
			    (double)rest * w[i] / sum < (double)minv[i]) {
				fixed[i] = true;
				out[i] = minv[i];
				rest -= minv[i];
				again = true;
			}
		}
	}
	uint64_t given = 0;
	for (int i = 0; i < k; i++) {
		rem[i] = -1;
		if (w[i] <= 0 || fixed[i] || sum <= 0)
			continue;
		double q = (double)rest * w[i] / sum;
		uint64_t f = (uint64_t)floor(q);
		out[i] += f;
		given += f;
		rem[i] = q - (double)f;
	}
	while (given < rest) {
		int best = -1;
		for (int i = 0; i < k; i++)
			if (rem[i] >= 0 && (best < 0 || rem[i] > rem[best]))
				best = i;
		if (best < 0)
			break;
		out[best]++;
		rem[best] = -1;
		given++;
	}
	free(rem);
	free(fixed);
}

static void apportion(uint64_t n, const double *w, int k, uint64_t *out)
{
	apportion_min(n, w, k, NULL, out);
}

/* ------------------------------------------------------------------------------------------ */
/* Bytes and checksums                                                                         */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)((p[i] << 8) | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ------------------------------------------------------------------------------------------ */
/* The world: countries, ASes, prefixes                                                        */

enum as_kind { K_ISP, K_HOSTING, K_MOBILE, K_EDU, K_ENTERPRISE, K_CONTENT, K_CUSTOMER, K_TRANSIT, K_SCANNER };

static const char *const kind_tag[] = { "BB", "HOST", "MOB", "REN", "ENT", "CDN", "CUST", "TRANSIT", "SCAN" };
static const char *const kind_noun[] = {
	"Broadband",           "Hosting", "Mobile", "Research and Education Network",
	"Enterprise Services", "Content", "Cloud",  "Backbone",
	"Measurement"
};
static const char *const adjectives[] = { "Northwind", "Bluebridge", "Silverline", "Redwood",
	                                  "Clearpath", "Greenfield", "Highgate",   "Lakeside" };
/* Weights of an AS kind inside its country: responsive space, true MPTCP hosts, middleboxes. */
static const double kind_w_net[] = { 1.0, 0.45, 0.6, 0.15, 0.1, 0.2, 0.05, 0, 0 };
static const double kind_w_mptcp[] = { 0.3, 1.0, 0.1, 0.6, 0.3, 0.5, 0.2, 0, 0 };
static const double kind_w_mb[] = { 1.0, 0.25, 0.8, 0.3, 0.6, 0.1, 0.3, 0, 0 };

/* The ASes the study names (DESIGN.md §1), with their real numbers and names; share_* are their
 * shares of their country's true MPTCP hosts, responsive space and middleboxes. */
static const struct headline_def {
	uint32_t asn;
	const char *name;
	const char *cc;
	int kind;
	double share_mptcp, share_net, share_mb;
} headline_as[] = {
	{ 714, "APPLE-ENGINEERING - Apple Inc.", "US", K_CONTENT, 0.65, 0.05, 0.0 },
	{ 1221, "ASN-TELSTRA Telstra Corporation Ltd", "AU", K_ISP, 0.85, 0.45, 0.4 },
	{ 61157, "PLUSSERVER-ASN1 PlusServer GmbH", "DE", K_HOSTING, 0.70, 0.06, 0.05 },
	{ 4766, "KIXS-AS-KR Korea Telecom", "KR", K_ISP, 0.80, 0.40, 0.4 },
};

static const struct transit_def {
	uint32_t asn;
	const char *name;
	const char *cc;
} transit_as[] = {
	{ 65500, "SYN-TRANSIT-A Synthetic Backbone Americas Inc.", "US" },
	{ 65501, "SYN-TRANSIT-B Synthetic Longhaul Networks Inc.", "US" },
	{ 65502, "SYN-TRANSIT-C Synthetic Carrier Europe GmbH", "DE" },
	{ 65503, "SYN-TRANSIT-D Synthetic Global Crossing Ltd", "GB" },
	{ 65504, "SYN-TRANSIT-E Synthetic Pacific Backbone K.K.", "JP" },
	{ 65505, "SYN-TRANSIT-F Synthetic Straits Exchange Pte Ltd", "SG" },
};
#define NTRANSIT 6

static const char *const rir_names[] = { "arin", "ripencc", "apnic", "lacnic", "afrinic" };
#define NRIR 5

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

static int country_index(const char *cc)
{
	for (int i = 0; i < NCOUNTRIES; i++)
		if (strcmp(world_countries[i].cc, cc) == 0)
			return i;
	return -1;
}

static int rir_index(const char *rir)
{
	for (int i = 0; i < NRIR; i++)
		if (strcmp(rir_names[i], rir) == 0)
			return i;
	return 0;
}

static int add_as(struct world *w, uint32_t asn, const char *name, int cc, int kind)
{
	if (w->nas >= MAX_AS) {
		fprintf(stderr, "mpcap-gen: too many ASes\n");
		exit(1);
	}
	struct asys *a = &w->as[w->nas];
	memset(a, 0, sizeof(*a));
	a->asn = asn;
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->cc = cc;
	a->kind = kind;
	return w->nas++;
}

static int add_prefix(struct world *w, int fam, int as, int len)
{
	if (w->npfx >= MAX_PFX) {
		fprintf(stderr, "mpcap-gen: too many prefixes\n");
		exit(1);
	}
	struct prefix *p = &w->pfx[w->npfx];
	memset(p, 0, sizeof(*p));
	p->fam = fam;
	p->as = as;
	p->len = len;
	p->cc = as >= 0 ? w->as[as].cc : -1;
	p->child = -1;
	p->hosts = true;
	p->announced = true;
	p->delegated = true;
	if (as >= 0) {
		snprintf(p->origin, sizeof(p->origin), "%" PRIu32, w->as[as].asn);
		if (w->as[as].npfx < 6)
			w->as[as].pfx[w->as[as].npfx++] = w->npfx;
		/* a delegation date between 1993 and 2019, stable per AS and prefix */
		uint64_t h = h3(TAG_WORLD, w->as[as].asn, (uint64_t)w->npfx);
		p->date = (uint32_t)(1993 + h % 27) * 10000 + (uint32_t)(1 + (h >> 8) % 12) * 100 +
		          (uint32_t)(1 + (h >> 16) % 28);
	}
	return w->npfx++;
}

static int region_of(const struct world *w, int as)
{
	return rir_index(world_countries[w->as[as].cc].rir);
}

struct pfx_req {
	int pfx;
	int region;
	int len;
};

static int cmp_req(const void *a, const void *b)
{
	const struct pfx_req *x = a, *y = b;
	if (x->region != y->region)
		return x->region - y->region;
	if (x->len != y->len)
		return x->len - y->len;
	return x->pfx - y->pfx;
}

/* Builds the world. It does not depend on --seed or --scale: the same ASes and prefixes every
 * time (samples/world/ holds its files). */
static void build_world(struct world *w)
{
	memset(w, 0, sizeof(*w));
	/* the scanner and the transit carriers */
	w->scanner_as = add_as(w, 64496, "SYN-SCANNER Synthetic Internet Measurement (scanner network)",
	                       country_index("DE"), K_SCANNER);
	w->as[w->scanner_as].v6 = true;
	for (int i = 0; i < NTRANSIT; i++) {
		w->transit[i] = add_as(w, transit_as[i].asn, transit_as[i].name,
		                       country_index(transit_as[i].cc), K_TRANSIT);
		w->as[w->transit[i]].v6 = true;
	}
	/* per country: its headline AS if any, then synthetic ones */
	int syn = 0;
	for (int c = 0; c < NCOUNTRIES; c++) {
		const struct country_def *cd = &world_countries[c];
		double hs_net = 0, hs_mptcp = 0, hs_mb = 0;
		for (size_t k = 0; k < sizeof(headline_as) / sizeof(headline_as[0]); k++) {
			const struct headline_def *hd = &headline_as[k];
			if (strcmp(hd->cc, cd->cc) != 0)
				continue;
			int a = add_as(w, hd->asn, hd->name, c, hd->kind);
			w->as[a].v6 = true;
			w->as[a].w_net = cd->w_net * hd->share_net;
			w->as[a].w_mptcp = cd->w_mptcp * hd->share_mptcp;
			w->as[a].w_mb = cd->w_net * hd->share_mb;
			hs_net += hd->share_net;
			hs_mptcp += hd->share_mptcp;
			hs_mb += hd->share_mb;
		}
		int nsyn = 1 + (int)lround(log2(1 + cd->w_net * 4));
		if (nsyn > 6)
			nsyn = 6;
		static const int kinds[] = { K_ISP, K_HOSTING, K_MOBILE, K_EDU, K_ENTERPRISE, K_HOSTING };
		double sn = 0, sm = 0, sb = 0;
		int first = w->nas;
		for (int k = 0; k < nsyn; k++) {
			int kind = kinds[k];
			uint32_t asn = (syn % 4 == 3) ? 4200000000u + (uint32_t)syn : 64512u + (uint32_t)syn;
			syn++;
			char name[128];
			const char *adj = adjectives[(c + k * 3) % 8];
			if (kind == K_EDU)
				snprintf(name, sizeof(name), "SYN-%s-%s%d %s %s %s", cd->cc, kind_tag[kind],
				         k + 1, adj, kind_noun[kind], cd->name);
			else
				snprintf(name, sizeof(name), "SYN-%s-%s%d %s %s %s %s", cd->cc,
				         kind_tag[kind], k + 1, adj, kind_noun[kind], cd->name, cd->suffix);
			int a = add_as(w, asn, name, c, kind);
			uint64_t h = h3(TAG_WORLD, asn, 1);
			double jit = 0.6 + 0.8 * u01(h);
			w->as[a].v6 = kind == K_ISP || kind == K_HOSTING || (h >> 40) % 10 < 5;
			w->as[a].w_net = kind_w_net[kind] * jit;
			w->as[a].w_mptcp = kind_w_mptcp[kind] * jit;
			w->as[a].w_mb = kind_w_mb[kind] * jit;
			sn += w->as[a].w_net;
			sm += w->as[a].w_mptcp;
			sb += w->as[a].w_mb;
		}
		for (int a = first; a < w->nas; a++) {
			w->as[a].w_net = cd->w_net * (1 - hs_net) * w->as[a].w_net / sn;
			w->as[a].w_mptcp = cd->w_mptcp * (1 - hs_mptcp) * w->as[a].w_mptcp / sm;
			w->as[a].w_mb = cd->w_net * (1 - hs_mb) * w->as[a].w_mb / sb;
		}
	}
	int nbase = w->nas;
	/* IPv4 prefixes: sizes proportional to the AS's responsive space */
	double wtot = 0;
	for (int a = 0; a < nbase; a++)
		wtot += w->as[a].w_net;
	const double space = 96.0e6;
	for (int a = 0; a < nbase; a++) {
		struct asys *as = &w->as[a];
		if (as->kind == K_SCANNER) {
			add_prefix(w, 4, a, 22);
			continue;
		}
		if (as->kind == K_TRANSIT) {
			add_prefix(w, 4, a, 16);
			continue;
		}
		double x = space * as->w_net / wtot;
		if (x < 1024)
			x = 1024;
		int lg = (int)floor(log2(x));
		if (lg > 22)
			lg = 22;
		if (x >= 65536) {
			add_prefix(w, 4, a, 32 - lg);
			if (x - ldexp(1, lg) > ldexp(1, lg - 2))
				add_prefix(w, 4, a, 32 - lg + 1);
		} else {
			lg = (int)lround(log2(x));
			if (lg < 10)
				lg = 10;
			add_prefix(w, 4, a, 32 - lg);
		}
	}
	/* customers announcing a /24 out of a provider's aggregate (the longest match must win) */
	int ncust = 0;
	for (int a = 0; a < nbase && ncust < 10; a++) {
		struct asys *as = &w->as[a];
		if ((as->kind != K_ISP && as->kind != K_HOSTING) || as->asn < 64512 || as->npfx == 0)
			continue;
		int pp = as->pfx[0];
		if (w->pfx[pp].len > 16 || h3(TAG_WORLD, as->asn, 2) % 4 != 0)
			continue;
		int c = as->cc;
		uint32_t asn = (syn % 4 == 3) ? 4200000000u + (uint32_t)syn : 64512u + (uint32_t)syn;
		syn++;
		char name[128];
		snprintf(name, sizeof(name), "SYN-%s-CUST%d %s Cloud %s %s", world_countries[c].cc, ncust + 1,
		         adjectives[(ncust + 5) % 8], world_countries[c].name, world_countries[c].suffix);
		int ca = add_as(w, asn, name, c, K_CUSTOMER);
		w->as[ca].v6 = w->as[a].v6;
		w->as[ca].w_net = 0.002;
		w->as[ca].w_mptcp = 0.02 * world_countries[c].w_mptcp / 100.0;
		w->as[ca].w_mb = 0.001;
		int cp = add_prefix(w, 4, ca, 24);
		w->pfx[cp].delegated = false;
		w->pfx[pp].child = cp;
		w->pfx[cp].kidx = ncust;
		ncust++;
	}
	/* multi-origin (a_b) and AS-set (a,b) prefixes */
	static const struct {
		const char *cc;
		char sep;
	} multi[] = { { "DE", '_' }, { "US", '_' }, { "BR", '_' }, { "JP", ',' }, { "GB", ',' } };
	for (size_t i = 0; i < sizeof(multi) / sizeof(multi[0]); i++) {
		int c = country_index(multi[i].cc), a1 = -1, a2 = -1;
		for (int a = 0; a < nbase; a++) {
			if (w->as[a].cc != c || w->as[a].asn < 64512 || w->as[a].kind == K_TRANSIT ||
			    w->as[a].kind == K_SCANNER)
				continue;
			if (a1 < 0)
				a1 = a;
			else if (a2 < 0)
				a2 = a;
		}
		if (a1 < 0 || a2 < 0)
			continue;
		int p = add_prefix(w, 4, a1, 24);
		snprintf(w->pfx[p].origin, sizeof(w->pfx[p].origin), "%" PRIu32 "%c%" PRIu32, w->as[a1].asn,
		         multi[i].sep, w->as[a2].asn);
	}
	/* place the IPv4 prefixes: per RIR region, largest first, aligned, from 240.0.0.0 (the
	 * reserved former class E space, never routed on the Internet) */
	struct pfx_req req[MAX_PFX];
	int nreq = 0;
	for (int p = 0; p < w->npfx; p++) {
		if (w->pfx[p].fam != 4)
			continue;
		bool is_child = false;
		for (int q = 0; q < w->npfx; q++)
			if (w->pfx[q].child == p)
				is_child = true;
		if (is_child)
			continue;
		req[nreq].pfx = p;
		req[nreq].region = region_of(w, w->pfx[p].as);
		req[nreq].len = w->pfx[p].len;
		nreq++;
	}
	qsort(req, (size_t)nreq, sizeof(req[0]), cmp_req);
	uint64_t cur = 0xf0000000u;
	int region = -1;
	for (int i = 0; i < nreq; i++) {
		if (req[i].region != region) {
			region = req[i].region;
			cur = (cur + 0xffffff) & ~(uint64_t)0xffffff; /* next /8 */
		}
		uint64_t size = 1ULL << (32 - req[i].len);
		cur = (cur + size - 1) & ~(size - 1);
		w->pfx[req[i].pfx].a4 = (uint32_t)cur;
		cur += size;
	}
	if (cur > 0xf9000000u) {
		fprintf(stderr, "mpcap-gen: internal error: the IPv4 world does not fit below 249.0.0.0\n");
		exit(1);
	}
	for (int p = 0; p < w->npfx; p++) {
		struct prefix *pf = &w->pfx[p];
		if (pf->fam != 4 || pf->child < 0)
			continue;
		struct prefix *cp = &w->pfx[pf->child];
		cp->a4 = pf->a4 + (uint32_t)(1ULL << (32 - pf->len)) - 256;
		cp->date = pf->date;
	}
	/* unrouted space for dark (silent) targets: 249.0.0.0/8 .. 254.0.0.0/8 */
	for (int i = 0; i < 6; i++) {
		int p = add_prefix(w, 4, -1, 8);
		w->pfx[p].a4 = (uint32_t)(249 + i) << 24;
		w->pfx[p].announced = false;
		w->pfx[p].delegated = false;
		w->pfx[p].hosts = false;
		w->unannounced4[w->nunannounced4++] = p;
	}
	/* IPv6: a /32 per AS from 3fff::/20 (RFC 9637), 3fff:R00::/23 per RIR region; customers
	 * get a /48 out of their provider's /32 */
	int nextk[NRIR] = { 0 };
	for (int a = 0; a < nbase; a++) {
		if (!w->as[a].v6)
			continue;
		int r = region_of(w, a);
		int p = add_prefix(w, 6, a, 32);
		uint8_t *b = w->pfx[p].a6;
		b[0] = 0x3f;
		b[1] = 0xff;
		/* 3fff:R00::/23 per region R = 2, 4, 6, 8, a: up to 248 /32s each */
		uint32_t v =
		    ((uint32_t)(r + 1) << 9) + (a == w->scanner_as ? 0 : 0x10 + (uint32_t)nextk[r]++ * 2);
		if (nextk[r] > 248) {
			fprintf(stderr, "mpcap-gen: internal error: too many IPv6 ASes in one region\n");
			exit(1);
		}
		put16(b + 2, (uint16_t)v);
	}
	for (int p = 0; p < w->npfx; p++) {
		struct prefix *pf = &w->pfx[p];
		if (pf->fam != 4 || pf->child < 0)
			continue;
		int ca = w->pfx[pf->child].as, pa = pf->as;
		if (!w->as[ca].v6)
			continue;
		int p6 = -1;
		for (int i = 0; i < w->as[pa].npfx; i++)
			if (w->pfx[w->as[pa].pfx[i]].fam == 6)
				p6 = w->as[pa].pfx[i];
		if (p6 < 0) {
			w->as[ca].v6 = false;
			continue;
		}
		int c6 = add_prefix(w, 6, ca, 48);
		memcpy(w->pfx[c6].a6, w->pfx[p6].a6, 4);
		w->pfx[c6].a6[4] = 0x80;
		w->pfx[c6].a6[5] = (uint8_t)w->pfx[pf->child].kidx;
		w->pfx[c6].delegated = false;
		w->pfx[c6].date = w->pfx[p6].date;
	}
	/* usable slots */
	for (int p = 0; p < w->npfx; p++) {
		struct prefix *pf = &w->pfx[p];
		if (pf->fam == 4) {
			uint64_t size = 1ULL << (32 - pf->len);
			if (pf->child >= 0)
				size /= 2;
			pf->nvalid = size / 256 * 251;
		} else {
			pf->nvalid = pf->len == 32 ? (1ULL << 31) - 1 : 65535;
		}
		if (w->as[pf->as >= 0 ? pf->as : 0].kind == K_SCANNER ||
		    (pf->as >= 0 && w->as[pf->as].kind == K_TRANSIT))
			pf->hosts = false;
	}
	for (int p = 0; p < w->npfx; p++) {
		if (w->pfx[p].as == w->scanner_as)
			*(w->pfx[p].fam == 4 ? &w->scanner4 : &w->scanner6) = p;
	}
}

static void addr_text(int fam, const uint8_t *b, char *out, size_t n)
{
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, b, out, (socklen_t)n);
}

static void prefix_text(const struct prefix *p, char *out, size_t n)
{
	uint8_t b[16];
	if (p->fam == 4) {
		put32(b, p->a4);
		addr_text(4, b, out, n);
	} else {
		addr_text(6, p->a6, out, n);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Output helpers                                                                              */

static char out_dir[4000]; /* --out is limited to 3800 bytes */

static FILE *open_out(const char *name, char *tmp, size_t tmplen)
{
	snprintf(tmp, tmplen, "%s/%s.tmp", out_dir, name);
	FILE *f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "mpcap-gen: %s: %s\n", tmp, strerror(errno));
		exit(1);
	}
	return f;
}

static void close_out(FILE *f, const char *tmp)
{
	char fin[4200];
	snprintf(fin, sizeof(fin), "%.*s", (int)(strlen(tmp) - 4), tmp);
	if (ferror(f) || fclose(f) != 0 || rename(tmp, fin) != 0) {
		fprintf(stderr, "mpcap-gen: %s: %s\n", fin, strerror(errno));
		exit(1);
	}
}

/* RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
static void csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void mkdir_p(const char *path)
{
	char buf[4200];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0777);
			*p = '/';
		}
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "mpcap-gen: %s: %s\n", buf, strerror(errno));
		exit(1);
	}
}

static int cmp_pfx_sort(const void *a, const void *b, void *ctx)
{
	const struct world *w = ctx;
	const struct prefix *x = &w->pfx[*(const int *)a], *y = &w->pfx[*(const int *)b];
	int c = x->fam == 4 ? (x->a4 > y->a4) - (x->a4 < y->a4) : memcmp(x->a6, y->a6, 16);
	if (c != 0)
		return c;
	return x->len - y->len;
}

static void write_world(const struct world *w, const char *dir)
{
	char sub[4200], tmp[4300];
	snprintf(sub, sizeof(sub), "%.3800s/world", dir);
	mkdir_p(sub);
	char saved[4096];
	snprintf(saved, sizeof(saved), "%s", out_dir);
	snprintf(out_dir, sizeof(out_dir), "%.3900s", sub);
	int order[MAX_PFX], n = 0;
	for (int p = 0; p < w->npfx; p++)
		order[n++] = p;
	qsort_r(order, (size_t)n, sizeof(int), cmp_pfx_sort, (void *)w);
	for (int fam = 4; fam <= 6; fam += 2) {
		FILE *f = open_out(fam == 4 ? "pfx2as-v4.txt" : "pfx2as-v6.txt", tmp, sizeof(tmp));
		for (int i = 0; i < n; i++) {
			const struct prefix *p = &w->pfx[order[i]];
			if (p->fam != fam || !p->announced)
				continue;
			char t[64];
			prefix_text(p, t, sizeof(t));
			fprintf(f, "%s\t%d\t%s\n", t, p->len, p->origin);
		}
		close_out(f, tmp);
	}
	FILE *f = open_out("as-names.csv", tmp, sizeof(tmp));
	fputs("asn,name\n", f);
	for (int a = 0; a < w->nas; a++) {
		fprintf(f, "%" PRIu32 ",", w->as[a].asn);
		csv_field(f, w->as[a].name);
		fputc('\n', f);
	}
	close_out(f, tmp);
	f = open_out("countries.csv", tmp, sizeof(tmp));
	fputs("cc,name,rir\n", f);
	for (int c = 0; c < NCOUNTRIES; c++) {
		fprintf(f, "%s,", world_countries[c].cc);
		csv_field(f, world_countries[c].name);
		fprintf(f, ",%s\n", world_countries[c].rir);
	}
	close_out(f, tmp);
	/* RIR statistics exchange format, extended: version line, summary lines, records */
	for (int r = 0; r < NRIR; r++) {
		char name[128];
		snprintf(name, sizeof(name), "delegated-%s-extended-20201231", rir_names[r]);
		f = open_out(name, tmp, sizeof(tmp));
		int n4 = 0, n6 = 0, nasn = 0;
		for (int i = 0; i < n; i++) {
			const struct prefix *p = &w->pfx[order[i]];
			if (!p->delegated || rir_index(world_countries[p->cc].rir) != r)
				continue;
			(*(p->fam == 4 ? &n4 : &n6))++;
		}
		for (int a = 0; a < w->nas; a++)
			if (rir_index(world_countries[w->as[a].cc].rir) == r)
				nasn++;
		fprintf(f, "# synthetic delegated-extended file written by mpcap-gen (docs/samples.md)\n");
		fprintf(f, "2.3|%s|20201231|%d|19830705|20201231|+0000\n", rir_names[r], n4 + n6 + nasn + 1);
		fprintf(f, "%s|*|asn|*|%d|summary\n", rir_names[r], nasn);
		fprintf(f, "%s|*|ipv4|*|%d|summary\n", rir_names[r], n4 + 1);
		fprintf(f, "%s|*|ipv6|*|%d|summary\n", rir_names[r], n6);
		for (int a = 0; a < w->nas; a++) {
			if (rir_index(world_countries[w->as[a].cc].rir) != r)
				continue;
			uint64_t h = h3(TAG_WORLD, w->as[a].asn, 7);
			fprintf(f, "%s|%s|asn|%" PRIu32 "|1|%04d%02d%02d|assigned|%016" PRIx64 "\n",
			        rir_names[r], world_countries[w->as[a].cc].cc, w->as[a].asn,
			        (int)(1990 + h % 30), (int)(1 + (h >> 8) % 12), (int)(1 + (h >> 16) % 28),
			        h3(TAG_WORLD, w->as[a].asn, 8));
		}
		for (int i = 0; i < n; i++) {
			const struct prefix *p = &w->pfx[order[i]];
			if (!p->delegated || rir_index(world_countries[p->cc].rir) != r)
				continue;
			char t[64];
			prefix_text(p, t, sizeof(t));
			uint64_t opaque = h3(TAG_WORLD, w->as[p->as].asn, 8);
			if (p->fam == 4)
				fprintf(f, "%s|%s|ipv4|%s|%" PRIu64 "|%" PRIu32 "|allocated|%016" PRIx64 "\n",
				        rir_names[r], world_countries[p->cc].cc, t,
				        (uint64_t)1 << (32 - p->len), p->date, opaque);
			else
				fprintf(f, "%s|%s|ipv6|%s|%d|%" PRIu32 "|allocated|%016" PRIx64 "\n",
				        rir_names[r], world_countries[p->cc].cc, t, p->len, p->date, opaque);
		}
		/* one block of reserved space per registry, as the real files list */
		fprintf(f, "%s|ZZ|ipv4|%d.0.0.0|16777216|00000000|reserved|\n", rir_names[r], 249 + r);
		close_out(f, tmp);
	}
	snprintf(out_dir, sizeof(out_dir), "%.3900s", saved);
}

/* ------------------------------------------------------------------------------------------ */
/* Classes of targets and the calibration                                                     */

enum cls {
	C_PLAIN,    /* SYN-ACK without MP_CAPABLE */
	C_RST,      /* RST */
	C_ICMP,     /* ICMP destination unreachable from the last router */
	C_MPTCP,    /* a real MPTCP (v0) stack: its own random key */
	C_REWRITER, /* a real MPTCP host behind a box that rewrites the option in transit */
	C_KEYNEAR,  /* a box flips a few key bits, an echo beyond it sends the option back */
	C_KEYBYTES, /* a box rewrites 2..4 key bytes, an echo beyond it sends the option back */
	C_HEADER,   /* a box changes version or flags, the key survives and is echoed */
	C_SHARED,   /* a box sets its own static key, shared by every address behind it */
	C_REPLAY,   /* a box echoes the probe's MP_CAPABLE option */
	C_MIRROR,   /* a box mirrors the probe's whole option block */
	C_KEYLESS,  /* a broken stack answers a keyless 4-byte v0 MP_CAPABLE */
	C_STRIPPED, /* a real MPTCP host behind a box that strips the option (or NOPs it) */
	C_DARK,     /* nobody there */
	C_COUNT
};

static const char *const cls_name[C_COUNT] = {
	"plain",
	"rst",
	"icmp-unreachable",
	"mptcp-host",
	"mptcp-behind-rewriter",
	"key-near-box",
	"key-bytes-box",
	"header-box",
	"shared-key-box",
	"replay-box",
	"mirror-box",
	"keyless-mpc-box",
	"mptcp-behind-stripper",
	"dark",
};

enum verdict { V_SILENT, V_ICMP, V_RST, V_NOMPTCP, V_MPTCP, V_SHARED, V_MODIFIED, V_REPLAY, V_COUNT };
static const char *const verdict_name[V_COUNT] = { "silent", "icmp-unreachable", "rst",      "no-mptcp",
	                                           "mptcp",  "shared-key",       "modified", "replay" };

static const struct {
	enum verdict v;
	const char *reason;
} cls_verdict[C_COUNT] = {
	[C_PLAIN] = { V_NOMPTCP, "" },
	[C_RST] = { V_RST, "" },
	[C_ICMP] = { V_ICMP, "" },
	[C_MPTCP] = { V_MPTCP, "" },
	[C_REWRITER] = { V_MPTCP, "" },
	[C_KEYNEAR] = { V_MODIFIED, "key-near" },
	[C_KEYBYTES] = { V_MODIFIED, "key-bytes-equal" },
	[C_HEADER] = { V_MODIFIED, "header-changed" },
	[C_SHARED] = { V_SHARED, "key-shared" },
	[C_REPLAY] = { V_REPLAY, "key-equal" },
	[C_MIRROR] = { V_REPLAY, "options-mirrored" },
	[C_KEYLESS] = { V_NOMPTCP, "mpc-without-key" },
	[C_STRIPPED] = { V_NOMPTCP, "" },
	[C_DARK] = { V_SILENT, "" },
};

/* traced by the tracebox-style prober: the MP_CAPABLE responders with a key, and the hosts
 * behind option strippers (as a control, like the namespace lab's stripped listener) */
static bool cls_traced(int c)
{
	return c >= C_MPTCP && c <= C_MIRROR ? true : c == C_STRIPPED;
}

enum presence { P_STABLE, P_TRANS, P_GROWTH };
enum dist { D_SIZE, D_MPTCP, D_MB };

/* One class of targets of one family and port: how many the study saw (unique over the six
 * months, in study units), the divisor that scales it down at --scale 1, a floor so that rare
 * behaviours always appear, how it comes and goes across months, the share of its paths that
 * tracebox cannot reach, and where in the world it lives. docs/samples.md has this table. */
struct cspec {
	int fam, port, cls;
	double unique, divisor;
	uint64_t floor_n;
	int presence;
	double trans;   /* P_TRANS: share of transient hosts (each present a month with p = 1/2) */
	double growth0; /* P_GROWTH: share present from the first month; the rest start later */
	double flicker; /* P_GROWTH: share that, once started, is present a month with p = 0.7 */
	double unreach; /* share of traced paths on which the destination never answers */
	int dist;
	bool country_floor; /* every country gets at least one (the study saw 80+ countries) */
};

static const struct cspec cspecs[] = {
	/* IPv4 port 80: 60M responsive per scan, 74M unique over the period */
	{ 4, 80, C_PLAIN, 53.28e6, 7.5e4, 0, P_TRANS, 0.378, 0, 0, 0, D_SIZE, false },
	{ 4, 80, C_RST, 16.28e6, 7.5e4, 0, P_TRANS, 0.378, 0, 0, 0, D_SIZE, false },
	{ 4, 80, C_ICMP, 4.44e6, 7.5e4, 0, P_TRANS, 0.378, 0, 0, 0, D_SIZE, false },
	{ 4, 80, C_MPTCP, 8330, 30, 0, P_GROWTH, 0, 0.53, 0.10, 0.10, D_MPTCP, true },
	{ 4, 80, C_REWRITER, 3, 30, 2, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	{ 4, 80, C_KEYNEAR, 150, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 80, C_KEYBYTES, 120, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 80, C_HEADER, 60, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 80, C_SHARED, 90, 30, 2, P_STABLE, 0, 0, 0, 0.2, D_MB, false },
	{ 4, 80, C_REPLAY, 77000, 700, 0, P_TRANS, 0.18, 0, 0, 0.50, D_MB, false },
	{ 4, 80, C_MIRROR, 33000, 700, 0, P_TRANS, 0.18, 0, 0, 0.50, D_MB, false },
	{ 4, 80, C_KEYLESS, 60, 30, 2, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 4, 80, C_STRIPPED, 90, 30, 3, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	/* IPv4 port 443: 50M responsive per scan, 52M unique */
	{ 4, 443, C_PLAIN, 37.44e6, 7.5e4, 0, P_TRANS, 0.077, 0, 0, 0, D_SIZE, false },
	{ 4, 443, C_RST, 11.44e6, 7.5e4, 0, P_TRANS, 0.077, 0, 0, 0, D_SIZE, false },
	{ 4, 443, C_ICMP, 3.12e6, 7.5e4, 0, P_TRANS, 0.077, 0, 0, 0, D_SIZE, false },
	{ 4, 443, C_MPTCP, 7670, 30, 0, P_GROWTH, 0, 0.75, 0.10, 0.10, D_MPTCP, true },
	{ 4, 443, C_REWRITER, 3, 30, 2, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	{ 4, 443, C_KEYNEAR, 450, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 443, C_KEYBYTES, 360, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 443, C_HEADER, 180, 30, 2, P_TRANS, 0.2, 0, 0, 0.2, D_MB, false },
	{ 4, 443, C_SHARED, 360, 30, 2, P_STABLE, 0, 0, 0, 0.2, D_MB, false },
	{ 4, 443, C_REPLAY, 77000, 700, 0, P_TRANS, 0.18, 0, 0, 0.965, D_MB, false },
	{ 4, 443, C_MIRROR, 33000, 700, 0, P_TRANS, 0.18, 0, 0, 0.965, D_MB, false },
	{ 4, 443, C_KEYLESS, 60, 30, 2, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 4, 443, C_STRIPPED, 90, 30, 3, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	/* IPv6 port 80 (hitlist): 746k responsive, 43 MP_CAPABLE, 31 true MPTCP, none unreachable */
	{ 6, 80, C_PLAIN, 656e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 80, C_RST, 139.4e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 80, C_ICMP, 24.6e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 80, C_MPTCP, 31, 1, 0, P_GROWTH, 0, 0.80, 0, 0, D_MPTCP, false },
	{ 6, 80, C_KEYNEAR, 2, 1, 0, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 6, 80, C_SHARED, 2, 1, 0, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 6, 80, C_REPLAY, 6, 1, 0, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 6, 80, C_MIRROR, 2, 1, 0, P_STABLE, 0, 0, 0, 0, D_MB, false },
	{ 6, 80, C_STRIPPED, 2, 1, 2, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	/* IPv6 port 443: 544k responsive, 165 MP_CAPABLE, 27 true MPTCP, 82% unreachable */
	{ 6, 443, C_PLAIN, 480e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 443, C_RST, 102e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 443, C_ICMP, 18e3, 1500, 0, P_TRANS, 0.18, 0, 0, 0, D_SIZE, false },
	{ 6, 443, C_MPTCP, 34, 1, 0, P_GROWTH, 0, 0.85, 0, 7.0 / 34, D_MPTCP, false },
	{ 6, 443, C_KEYNEAR, 2, 1, 0, P_STABLE, 0, 0, 0, 1.0, D_MB, false },
	{ 6, 443, C_KEYBYTES, 2, 1, 0, P_STABLE, 0, 0, 0, 1.0, D_MB, false },
	{ 6, 443, C_SHARED, 2, 1, 0, P_STABLE, 0, 0, 0, 1.0, D_MB, false },
	{ 6, 443, C_REPLAY, 90, 1, 0, P_STABLE, 0, 0, 0, 88.0 / 90, D_MB, false },
	{ 6, 443, C_MIRROR, 35, 1, 0, P_STABLE, 0, 0, 0, 34.0 / 35, D_MB, false },
	{ 6, 443, C_STRIPPED, 2, 1, 2, P_STABLE, 0, 0, 0, 0, D_MPTCP, false },
	/* silent addresses: IPv4 the ~3.6G addresses that never answer; IPv6 the silent part of
	 * a ~3M-address hitlist. Probed on both ports. */
	{ 4, 0, C_DARK, 3.6e9, 4e6, 0, P_STABLE, 0, 0, 0, 0, D_SIZE, false },
	{ 6, 0, C_DARK, 2.3e6, 6000, 0, P_STABLE, 0, 0, 0, 0, D_SIZE, false },
};
#define NCSPECS ((int)(sizeof(cspecs) / sizeof(cspecs[0])))

/* the three populations of a family: port 80's hosts, port 443's, and the dark addresses */
static int pop_index(int port)
{
	return port == 80 ? 0 : port == 443 ? 1 : 2;
}
static const int pop_port[3] = { 80, 443, 0 };

struct cinst {
	const struct cspec *sp;
	uint64_t n, n_unreach, n_trans, n_g0, n_flicker;
	double weight; /* study units per generated host */
	size_t blk_first, blk_count;
	uint64_t gi_first; /* global index of the first host (blocks of a class are contiguous) */
	struct perm p_unreach, p_trans, p_growth, p_flicker;
};

struct block {
	uint64_t start; /* global index of its first host */
	uint64_t n;
	uint64_t slot0;
	uint64_t rank0; /* index of its first host within its class */
	int pfx;
	int cls;
	int pop;
	int group; /* shared-key group, -1 otherwise */
};

struct population {
	struct block *blk;
	size_t nblk, cap;
	uint64_t N;
	struct cinst ci[3][C_COUNT];
	int ngroups;
};

struct gen {
	struct world w;
	struct population pop[2]; /* [0] IPv4, [1] IPv6 */
	uint64_t seed;
	double scale;
	uint64_t probe_key;
	bool quiet;
};

static struct population *popf(struct gen *g, int fam)
{
	return &g->pop[fam == 4 ? 0 : 1];
}

static void add_block(struct population *P, uint64_t n, int pfx, uint64_t slot0, uint64_t rank0, int cls,
                      int pop, int group)
{
	if (n == 0)
		return;
	if (P->nblk == P->cap) {
		P->cap = P->cap ? P->cap * 2 : 1024;
		P->blk = realloc(P->blk, P->cap * sizeof(*P->blk));
		if (P->blk == NULL) {
			fprintf(stderr, "mpcap-gen: out of memory\n");
			exit(1);
		}
	}
	struct block *b = &P->blk[P->nblk++];
	b->start = P->N;
	b->n = n;
	b->slot0 = slot0;
	b->rank0 = rank0;
	b->pfx = pfx;
	b->cls = cls;
	b->pop = pop;
	b->group = group;
	P->N += n;
}

static uint64_t take_slots(struct world *w, int pfx, uint64_t n)
{
	struct prefix *p = &w->pfx[pfx];
	uint64_t s = p->used;
	if (p->used + n > p->nvalid) {
		char t[64];
		prefix_text(p, t, sizeof(t));
		fprintf(stderr,
		        "mpcap-gen: --scale too large: prefix %s/%d cannot hold %" PRIu64 " more hosts\n", t,
		        p->len, n);
		exit(1);
	}
	p->used += n;
	return s;
}

static bool special_prefix(const struct world *w, const struct prefix *p)
{
	return strpbrk(p->origin, "_,") != NULL || (p->as >= 0 && w->as[p->as].kind == K_CUSTOMER);
}

/* Spreads n hosts (or n groups) of one class over prefixes: by address space, or by country,
 * AS and prefix weights. out[p] receives the count per prefix. */
static void spread(struct gen *g, int fam, int dist, int country_floor, uint64_t n, uint64_t special_floor,
                   uint64_t *out)
{
	struct world *w = &g->w;
	double *wp = calloc((size_t)w->npfx, sizeof(double));
	for (int p = 0; p < w->npfx; p++)
		out[p] = 0;
	if (dist == D_SIZE) {
		uint64_t nspecial = 0;
		for (int p = 0; p < w->npfx; p++) {
			const struct prefix *pf = &w->pfx[p];
			if (pf->fam != fam || !pf->hosts)
				continue;
			wp[p] = (double)pf->nvalid;
			if (special_floor && special_prefix(w, pf))
				nspecial++;
		}
		uint64_t base = 0;
		if (special_floor && nspecial * special_floor <= n) {
			for (int p = 0; p < w->npfx; p++)
				if (wp[p] > 0 && special_prefix(w, &w->pfx[p]))
					out[p] = special_floor;
			base = nspecial * special_floor;
		}
		uint64_t *tmp = calloc((size_t)w->npfx, sizeof(uint64_t));
		apportion(n - base, wp, w->npfx, tmp);
		for (int p = 0; p < w->npfx; p++)
			out[p] += tmp[p];
		free(tmp);
		free(wp);
		return;
	}
	/* country, then AS, then prefix */
	double wc[NCOUNTRIES];
	double *wa = calloc((size_t)w->nas, sizeof(double));
	for (int c = 0; c < NCOUNTRIES; c++)
		wc[c] = 0;
	for (int a = 0; a < w->nas; a++) {
		bool has = false;
		for (int i = 0; i < w->as[a].npfx; i++) {
			const struct prefix *pf = &w->pfx[w->as[a].pfx[i]];
			if (pf->fam == fam && pf->hosts && pf->origin[strcspn(pf->origin, "_,")] == 0)
				has = true;
		}
		if (!has)
			continue;
		wa[a] = dist == D_MPTCP ? w->as[a].w_mptcp : w->as[a].w_mb;
		wc[w->as[a].cc] += wa[a];
	}
	/* every country gets at least one host on one of the ports: on port 80 the countries of
	 * even rank, on port 443 the others (a floor on both ports would double the tail) */
	uint64_t nc[NCOUNTRIES], minc[NCOUNTRIES];
	for (int c = 0; c < NCOUNTRIES; c++)
		minc[c] = (country_floor && wc[c] > 0 && c % 2 == country_floor - 1) ? 1 : 0;
	apportion_min(n, wc, NCOUNTRIES, minc, nc);
	uint64_t *na = calloc((size_t)w->nas, sizeof(uint64_t));
	double *wac = calloc((size_t)w->nas, sizeof(double));
	for (int c = 0; c < NCOUNTRIES; c++) {
		if (nc[c] == 0)
			continue;
		for (int a = 0; a < w->nas; a++)
			wac[a] = w->as[a].cc == c ? wa[a] : 0;
		uint64_t *tmp = calloc((size_t)w->nas, sizeof(uint64_t));
		apportion(nc[c], wac, w->nas, tmp);
		for (int a = 0; a < w->nas; a++)
			na[a] += tmp[a];
		free(tmp);
	}
	for (int a = 0; a < w->nas; a++) {
		if (na[a] == 0)
			continue;
		double wpa[6];
		uint64_t npa[6];
		const struct asys *as = &w->as[a];
		for (int i = 0; i < as->npfx; i++) {
			const struct prefix *pf = &w->pfx[as->pfx[i]];
			wpa[i] = (pf->fam == fam && pf->hosts && pf->origin[strcspn(pf->origin, "_,")] == 0)
			             ? (double)pf->nvalid
			             : 0;
		}
		apportion(na[a], wpa, as->npfx, npa);
		for (int i = 0; i < as->npfx; i++)
			out[as->pfx[i]] += npa[i];
	}
	free(na);
	free(wac);
	free(wa);
	free(wp);
}

static uint64_t scaled_count(const struct cspec *sp, double scale)
{
	double x = sp->unique * scale / sp->divisor;
	uint64_t n = (uint64_t)llround(x);
	return n < sp->floor_n ? sp->floor_n : n;
}

static void build_population(struct gen *g, int fam)
{
	struct world *w = &g->w;
	struct population *P = popf(g, fam);
	memset(P, 0, sizeof(*P));
	uint64_t *cnt = calloc((size_t)w->npfx, sizeof(uint64_t));
	for (int pi = 0; pi < 3; pi++) {
		for (int c = 0; c < C_COUNT; c++) {
			const struct cspec *sp = NULL;
			for (int i = 0; i < NCSPECS; i++)
				if (cspecs[i].fam == fam && cspecs[i].port == pop_port[pi] &&
				    cspecs[i].cls == c)
					sp = &cspecs[i];
			if (sp == NULL)
				continue;
			struct cinst *ci = &P->ci[pi][c];
			ci->sp = sp;
			ci->n = scaled_count(sp, g->scale);
			ci->weight = sp->divisor / g->scale;
			ci->blk_first = P->nblk;
			ci->gi_first = P->N;
			uint64_t key =
			    h4(TAG_RANK, g->seed, (uint64_t)fam * 1000 + (uint64_t)pop_port[pi], (uint64_t)c);
			ci->n_unreach = (uint64_t)llround((double)ci->n * sp->unreach);
			ci->n_trans = (uint64_t)llround((double)ci->n * sp->trans);
			ci->n_g0 = (uint64_t)llround((double)ci->n * sp->growth0);
			ci->n_flicker = (uint64_t)llround((double)ci->n * sp->flicker);
			perm_init(&ci->p_unreach, ci->n, hh(key, 1));
			perm_init(&ci->p_trans, ci->n, hh(key, 2));
			perm_init(&ci->p_growth, ci->n, hh(key, 3));
			perm_init(&ci->p_flicker, ci->n, hh(key, 4));
			if (c == C_DARK && fam == 4) {
				/* 60% inside announced prefixes, 40% in unrouted space */
				uint64_t n_in = ci->n * 6 / 10, n_out = ci->n - n_in;
				double *wp = calloc((size_t)w->npfx, sizeof(double));
				for (int p = 0; p < w->npfx; p++)
					if (w->pfx[p].fam == 4 && w->pfx[p].hosts)
						wp[p] = (double)(w->pfx[p].nvalid - w->pfx[p].used);
				apportion(n_in, wp, w->npfx, cnt);
				uint64_t rank = 0;
				for (int p = 0; p < w->npfx; p++) {
					add_block(P, cnt[p], p, take_slots(w, p, cnt[p]), rank, c, pi, -1);
					rank += cnt[p];
				}
				double wu[6] = { 1, 1, 1, 1, 1, 1 };
				uint64_t nu[6];
				apportion(n_out, wu, w->nunannounced4, nu);
				for (int i = 0; i < w->nunannounced4; i++) {
					int p = w->unannounced4[i];
					add_block(P, nu[i], p, take_slots(w, p, nu[i]), rank, c, pi, -1);
					rank += nu[i];
				}
				free(wp);
			} else if (c == C_DARK) {
				double *wp = calloc((size_t)w->npfx, sizeof(double));
				for (int p = 0; p < w->npfx; p++)
					if (w->pfx[p].fam == 6 && w->pfx[p].hosts)
						wp[p] = (double)(w->pfx[p].nvalid - w->pfx[p].used);
				apportion(ci->n, wp, w->npfx, cnt);
				uint64_t rank = 0;
				for (int p = 0; p < w->npfx; p++) {
					add_block(P, cnt[p], p, take_slots(w, p, cnt[p]), rank, c, pi, -1);
					rank += cnt[p];
				}
				free(wp);
			} else if (c == C_SHARED) {
				/* groups of 2..4 addresses behind one box, each group inside one prefix */
				uint64_t sizes[4096], ng = 0, left = ci->n;
				while (left >= 2 && ng < 4096) {
					uint64_t s =
					    2 +
					    h3(TAG_GROUP, (uint64_t)fam * 1000 + (uint64_t)pop_port[pi], ng) %
					        3;
					if (s > left)
						s = left;
					if (left - s == 1)
						s++;
					sizes[ng++] = s;
					left -= s;
				}
				ci->n -= left;
				spread(g, fam, sp->dist, 0, ng, 0, cnt);
				uint64_t gidx = 0, rank = 0;
				for (int p = 0; p < w->npfx; p++) {
					for (uint64_t k = 0; k < cnt[p]; k++, gidx++) {
						add_block(P, sizes[gidx], p, take_slots(w, p, sizes[gidx]),
						          rank, c, pi, P->ngroups++);
						rank += sizes[gidx];
					}
				}
			} else {
				spread(g, fam, sp->dist, sp->country_floor ? pi + 1 : 0, ci->n,
				       c == C_PLAIN ? 1 : 0, cnt);
				uint64_t rank = 0;
				for (int p = 0; p < w->npfx; p++) {
					add_block(P, cnt[p], p, take_slots(w, p, cnt[p]), rank, c, pi, -1);
					rank += cnt[p];
				}
			}
			ci->blk_count = P->nblk - ci->blk_first;
		}
	}
	free(cnt);
}

/* ------------------------------------------------------------------------------------------ */
/* Hosts                                                                                       */

struct host {
	int fam;
	uint8_t addr[16];
	int pfx, as, cc, cls, pop, group;
	uint64_t gi, rank, hid;
	const struct cinst *ci;
};

static void slot_address(const struct gen *g, int pfx, uint64_t slot, uint8_t *addr)
{
	const struct prefix *p = &g->w.pfx[pfx];
	uint64_t x = perm_at(&p->slotperm, slot);
	if (p->fam == 4) {
		uint32_t off = (uint32_t)((x / 251) * 256 + 4 + x % 251);
		put32(addr, p->a4 + off);
		return;
	}
	memcpy(addr, p->a6, 16);
	uint64_t sub = x + 1;
	if (p->len == 32) {
		put32(addr + 4, (uint32_t)sub);
	} else {
		addr[6] = (uint8_t)(sub >> 8);
		addr[7] = (uint8_t)sub;
	}
	/* interface identifiers as IPv6 hitlists see them: low-byte, service-port, EUI-64, random */
	uint64_t h = h4(TAG_IID, g->seed, (uint64_t)pfx, slot);
	uint64_t iid;
	int kind = (int)(h % 100);
	uint64_t r = mix64(h);
	if (kind < 35) {
		iid = 1 + (r % 0xff);
	} else if (kind < 45) {
		static const uint64_t svc[] = { 0x80, 0x443, 0x8080, 0x53 };
		iid = svc[r % 4];
	} else if (kind < 55) {
		iid = ((r % 0xff) << 16) | (1 + ((r >> 8) % 0xff)); /* ::a:b */
	} else if (kind < 75) {
		static const uint32_t oui[] = { 0x00163e, 0x005056, 0x525400, 0x001a2b, 0xb827eb, 0x3c5ab4 };
		uint32_t o = oui[r % 6] ^ 0x020000; /* universal/local bit flipped (RFC 4291 App. A) */
		uint32_t nic = (uint32_t)(r >> 16) & 0xffffff;
		iid = ((uint64_t)o << 40) | (0xfffeULL << 24) | nic;
	} else {
		iid = r & ~0x0200000000000000ULL; /* random (RFC 8981-like), u bit clear */
	}
	put64(addr + 8, iid);
}

static void init_slot_perms(struct gen *g)
{
	for (int p = 0; p < g->w.npfx; p++)
		perm_init(&g->w.pfx[p].slotperm, g->w.pfx[p].nvalid, h3(TAG_SLOT, g->seed, (uint64_t)p));
}

static size_t find_block(const struct population *P, uint64_t gi)
{
	size_t lo = 0, hi = P->nblk;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (P->blk[mid].start <= gi)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static void host_at(struct gen *g, int fam, uint64_t gi, struct host *h)
{
	struct population *P = popf(g, fam);
	const struct block *b = &P->blk[find_block(P, gi)];
	uint64_t j = gi - b->start;
	h->fam = fam;
	h->gi = gi;
	h->pfx = b->pfx;
	h->as = g->w.pfx[b->pfx].as;
	h->cc = g->w.pfx[b->pfx].cc;
	h->cls = b->cls;
	h->pop = b->pop;
	h->group = b->group;
	h->rank = b->rank0 + j;
	h->ci = &P->ci[b->pop][b->cls];
	h->hid = h4(TAG_HOST, g->seed, (uint64_t)fam, gi);
	memset(h->addr, 0, sizeof(h->addr));
	slot_address(g, b->pfx, b->slot0 + j, h->addr);
}

/* The host of a class instance by its rank within the class. */
static uint64_t class_rank_gi(const struct population *P, const struct cinst *ci, uint64_t rank)
{
	size_t lo = ci->blk_first, hi = ci->blk_first + ci->blk_count;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (P->blk[mid].rank0 <= rank)
			lo = mid;
		else
			hi = mid;
	}
	return P->blk[lo].start + (rank - P->blk[lo].rank0);
}

static bool host_unreachable(const struct host *h)
{
	return perm_at(&h->ci->p_unreach, h->rank) < h->ci->n_unreach;
}

static bool host_transient(const struct host *h)
{
	return h->ci->sp->presence == P_TRANS && perm_at(&h->ci->p_trans, h->rank) < h->ci->n_trans;
}

static int host_onset(const struct host *h)
{
	const struct cinst *ci = h->ci;
	if (ci->sp->presence != P_GROWTH)
		return 0;
	uint64_t r = perm_at(&ci->p_growth, h->rank);
	if (r < ci->n_g0 || ci->n <= ci->n_g0)
		return 0;
	return 1 + (int)((r - ci->n_g0) * 5 / (ci->n - ci->n_g0));
}

static bool host_flicker(const struct host *h)
{
	return h->ci->sp->presence == P_GROWTH && perm_at(&h->ci->p_flicker, h->rank) < h->ci->n_flicker;
}

/* Month index m: 0 = 2020-07. */
static bool host_present(const struct host *h, int m)
{
	const struct cinst *ci = h->ci;
	if (h->cls == C_DARK)
		return false;
	if (m < 0)
		m = 0;
	switch (ci->sp->presence) {
	case P_TRANS: {
		if (!host_transient(h))
			return true;
		bool any = false;
		for (int k = 0; k < 6; k++)
			any |= u01(h3(h->hid, TAG_PRESENT, (uint64_t)k)) < 0.5;
		if (!any && m < 6)
			return m == (int)(h->hid % 6);
		return u01(h3(h->hid, TAG_PRESENT, (uint64_t)m)) < 0.5;
	}
	case P_GROWTH: {
		int on = host_onset(h);
		if (m < on)
			return false;
		if (!host_flicker(h) || m == on)
			return true;
		return u01(h3(h->hid, TAG_PRESENT, (uint64_t)m)) < 0.7;
	}
	default:
		return true;
	}
}

static void presence_text(const struct host *h, char *out, size_t n)
{
	switch (h->ci->sp->presence) {
	case P_TRANS:
		snprintf(out, n, "%s", host_transient(h) ? "transient" : "stable");
		break;
	case P_GROWTH: {
		int on = host_onset(h);
		int y = 2020 + (6 + on) / 12, mo = (6 + on) % 12 + 1;
		snprintf(out, n, "%s%04d-%02d", host_flicker(h) ? "intermittent-from-" : "from-", y, mo);
		break;
	}
	default:
		snprintf(out, n, "stable");
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Packets                                                                                     */

#define PKT_MAX 224

static const uint8_t scanner_mac[6] = { 0x02, 0x42, 0xac, 0x1f, 0x00, 0x0a };
static const uint8_t gateway_mac[6] = { 0x02, 0x42, 0xac, 0x1f, 0x00, 0x01 };

struct ipf {
	uint8_t ttl;
	uint16_t id;
	bool df;
	uint8_t tos;
	uint32_t flow;
};

struct tcpf {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	const uint8_t *opt;
	size_t optlen;
};

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

static size_t ip_header(uint8_t *p, int fam, const uint8_t *src, const uint8_t *dst, uint8_t proto,
                        const struct ipf *ip, size_t payload)
{
	if (fam == 4) {
		p[0] = 0x45;
		p[1] = ip->tos;
		put16(p + 2, (uint16_t)(20 + payload));
		put16(p + 4, ip->id);
		put16(p + 6, ip->df ? 0x4000 : 0);
		p[8] = ip->ttl;
		p[9] = proto;
		put16(p + 10, 0);
		memcpy(p + 12, src, 4);
		memcpy(p + 16, dst, 4);
		put16(p + 10, csum_fold(csum_add(0, p, 20)));
		return 20;
	}
	put32(p, 0x60000000u | ((uint32_t)ip->tos << 20) | (ip->flow & 0xfffff));
	put16(p + 4, (uint16_t)payload);
	p[6] = proto;
	p[7] = ip->ttl;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	return 40;
}

/* Upper-layer checksum with the IPv4 or IPv6 pseudo-header. */
static uint16_t l4_checksum(int fam, const uint8_t *iph, const uint8_t *l4, size_t len, uint8_t proto)
{
	uint32_t s = 0;
	uint8_t ph[8];
	if (fam == 4) {
		s = csum_add(s, iph + 12, 8);
		ph[0] = 0;
		ph[1] = proto;
		put16(ph + 2, (uint16_t)len);
		s = csum_add(s, ph, 4);
	} else {
		s = csum_add(s, iph + 8, 32);
		put32(ph, (uint32_t)len);
		ph[4] = ph[5] = ph[6] = 0;
		ph[7] = proto;
		s = csum_add(s, ph, 8);
	}
	s = csum_add(s, l4, len);
	return csum_fold(s);
}

static size_t tcp_segment(uint8_t *p, const struct tcpf *t)
{
	size_t hl = 20 + t->optlen;
	put16(p, t->sport);
	put16(p + 2, t->dport);
	put32(p + 4, t->seq);
	put32(p + 8, t->ack);
	p[12] = (uint8_t)((hl / 4) << 4);
	p[13] = t->flags;
	put16(p + 14, t->win);
	put16(p + 16, 0);
	put16(p + 18, 0);
	if (t->optlen)
		memcpy(p + 20, t->opt, t->optlen);
	return hl;
}

/* An IP packet carrying a TCP segment, checksums filled; with an Ethernet header when eth is
 * set (outgoing: from the scanner to its gateway). Returns the length. */
static size_t tcp_packet(uint8_t *buf, int eth, int fam, const uint8_t *src, const uint8_t *dst,
                         const struct ipf *ip, const struct tcpf *t)
{
	size_t off = 0;
	if (eth) {
		memcpy(buf, eth > 0 ? gateway_mac : scanner_mac, 6);
		memcpy(buf + 6, eth > 0 ? scanner_mac : gateway_mac, 6);
		put16(buf + 12, fam == 4 ? 0x0800 : 0x86dd);
		off = 14;
	}
	uint8_t *iph = buf + off;
	size_t ihl = fam == 4 ? 20 : 40;
	size_t tl = tcp_segment(iph + ihl, t);
	ip_header(iph, fam, src, dst, 6, ip, tl);
	put16(iph + ihl + 16, l4_checksum(fam, iph, iph + ihl, tl, 6));
	return off + ihl + tl;
}

/* An ICMP or ICMPv6 error (type, code) from router to scanner quoting quote[0..qlen).
 * rfc4884: the quote is padded to 128 bytes, its length given in the header, and an MPLS label
 * stack extension object (RFC 4950) follows. */
static size_t icmp_error(uint8_t *buf, bool eth, int fam, const uint8_t *router, const uint8_t *scanner,
                         const struct ipf *ip, uint8_t type, uint8_t code, const uint8_t *quote, size_t qlen,
                         bool rfc4884, uint32_t mpls_label)
{
	size_t off = 0;
	if (eth) {
		memcpy(buf, scanner_mac, 6);
		memcpy(buf + 6, gateway_mac, 6);
		put16(buf + 12, fam == 4 ? 0x0800 : 0x86dd);
		off = 14;
	}
	uint8_t *iph = buf + off;
	size_t ihl = fam == 4 ? 20 : 40;
	uint8_t *ic = iph + ihl;
	ic[0] = type;
	ic[1] = code;
	put16(ic + 2, 0);
	put32(ic + 4, 0);
	memcpy(ic + 8, quote, qlen);
	size_t ilen = 8 + qlen;
	if (rfc4884 && fam == 4) {
		size_t padded = qlen < 128 ? 128 : (qlen + 3) & ~(size_t)3;
		memset(ic + 8 + qlen, 0, padded - qlen);
		ic[5] = (uint8_t)(padded / 4);
		uint8_t *ext = ic + 8 + padded;
		ext[0] = 0x20; /* version 2 */
		ext[1] = 0;
		put16(ext + 2, 0);
		put16(ext + 4, 8);                              /* object length */
		ext[6] = 1;                                     /* class: MPLS label stack */
		ext[7] = 1;                                     /* c-type: incoming stack */
		put32(ext + 8, (mpls_label << 12) | 0x100 | 1); /* TC 0, bottom of stack, TTL 1 */
		put16(ext + 2, csum_fold(csum_add(0, ext, 12)));
		ilen = 8 + padded + 12;
	}
	ip_header(iph, fam, router, scanner, fam == 4 ? 1 : 58, ip, ilen);
	if (fam == 4)
		put16(ic + 2, csum_fold(csum_add(0, ic, ilen)));
	else
		put16(ic + 2, l4_checksum(6, iph, ic, ilen, 58));
	return off + ihl + ilen;
}

/* MP_CAPABLE option bytes: kind 30, length, subtype 0 | version, flags, key (when length 12). */
static size_t mpc_option(uint8_t *o, int len, int version, uint8_t flags, uint64_t key)
{
	o[0] = 30;
	o[1] = (uint8_t)len;
	o[2] = (uint8_t)(version & 0x0f);
	o[3] = flags;
	if (len >= 12)
		put64(o + 4, key);
	return (size_t)len;
}

#define PROBE_FLAGS 0x81 /* A (checksum) and H (HMAC-SHA1), as ZMap's MPTCP example and tracebox */
#define PROBE_TSVAL 0xffffffffu
#define PROBE_TSECR 0x01010101u

/* The scan probe's options, a static block as ZMap's tcp_synopt module sends it: MSS 1460,
 * SACK permitted, timestamps, NOP, window scale 7, MP_CAPABLE v0 with the probe key (32 bytes). */
static size_t scan_probe_options(uint8_t *o, uint64_t key)
{
	static const uint8_t head[] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10 };
	memcpy(o, head, sizeof(head));
	put32(o + 8, PROBE_TSVAL);
	put32(o + 12, PROBE_TSECR);
	o[16] = 1;
	o[17] = 3;
	o[18] = 3;
	o[19] = 7;
	mpc_option(o + 20, 12, 0, PROBE_FLAGS, key);
	return 32;
}

enum os { OS_LINUX, OS_WINDOWS, OS_BSD, OS_EMBED, OS_NETDEV, OS_COUNT };
static const uint8_t os_ttl[OS_COUNT] = { 64, 128, 64, 64, 255 };
static const uint16_t os_win[OS_COUNT] = { 65160, 65535, 65535, 5840, 4128 };

static int host_os(const struct host *h)
{
	uint64_t x = h3(h->hid, TAG_HOST, 1) % 100;
	switch (h->cls) {
	case C_MPTCP:
	case C_REWRITER:
	case C_STRIPPED:
		return OS_LINUX;
	case C_PLAIN:
	case C_RST:
		return x < 50   ? OS_LINUX
		       : x < 65 ? OS_WINDOWS
		       : x < 73 ? OS_BSD
		       : x < 90 ? OS_EMBED
		                : OS_NETDEV;
	default:
		return x < 60 ? OS_NETDEV : OS_EMBED; /* middleboxes */
	}
}

/* SYN-ACK options of a stack, answering a SYN that carried timestamps with tsecr. */
static size_t os_options(uint8_t *o, int os, uint32_t tsval, uint32_t tsecr)
{
	size_t n = 0;
	switch (os) {
	case OS_LINUX:
		o[n++] = 2, o[n++] = 4, o[n++] = 0x05, o[n++] = 0xb4, o[n++] = 4, o[n++] = 2;
		o[n++] = 8, o[n++] = 10;
		put32(o + n, tsval), n += 4;
		put32(o + n, tsecr), n += 4;
		o[n++] = 1, o[n++] = 3, o[n++] = 3, o[n++] = 7;
		break;
	case OS_WINDOWS:
		o[n++] = 2, o[n++] = 4, o[n++] = 0x05, o[n++] = 0xb4, o[n++] = 1, o[n++] = 3, o[n++] = 3,
		o[n++] = 8;
		o[n++] = 1, o[n++] = 1, o[n++] = 4, o[n++] = 2;
		break;
	case OS_BSD:
		o[n++] = 2, o[n++] = 4, o[n++] = 0x05, o[n++] = 0xb4, o[n++] = 1, o[n++] = 3, o[n++] = 3,
		o[n++] = 6;
		o[n++] = 4, o[n++] = 2, o[n++] = 8, o[n++] = 10;
		put32(o + n, tsval), n += 4;
		put32(o + n, tsecr), n += 4;
		break;
	case OS_EMBED:
		o[n++] = 2, o[n++] = 4, o[n++] = 0x05, o[n++] = 0xb4;
		break;
	default:
		o[n++] = 2, o[n++] = 4, o[n++] = 0x05, o[n++] = 0x64;
		break;
	}
	return n;
}

static bool os_df(int os)
{
	return os == OS_LINUX || os == OS_WINDOWS || os == OS_BSD;
}

static uint16_t os_ipid(int os, uint64_t hid, uint64_t conn, int k)
{
	switch (os) {
	case OS_LINUX:
		return 0;
	case OS_WINDOWS:
		return (uint16_t)(hid + conn % 4096 + (uint64_t)k * 3);
	case OS_EMBED:
		return (uint16_t)((hid >> 16) + (uint64_t)k);
	default:
		return (uint16_t)mix64(conn + (uint64_t)k);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Keys                                                                                        */

static int equal_bytes(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;
	int n = 0;
	for (int i = 0; i < 8; i++)
		n += ((x >> (8 * i)) & 0xff) == 0;
	return n;
}

/* A key that none of the replay/modified rules could confuse with the probe key. */
static bool key_far(uint64_t k, uint64_t probe)
{
	return __builtin_popcountll(k ^ probe) > 10 && equal_bytes(k, probe) < 4;
}

static uint64_t rng64(gsl_rng *r)
{
	uint64_t hi = gsl_rng_get(r) & 0xffffffffu, lo = gsl_rng_get(r) & 0xffffffffu;
	return (hi << 32) | lo;
}

static uint64_t fresh_key(gsl_rng *r, uint64_t probe)
{
	uint64_t k;
	do
		k = rng64(r);
	while (!key_far(k, probe));
	return k;
}

/* A box that flips 1..10 bits of the key (Hamming distance <= 10: "key-near"). */
static uint64_t near_key(uint64_t probe, uint64_t hid)
{
	int d = 1 + (int)(h3(hid, TAG_BOX, 1) % 10);
	uint64_t mask = 0;
	for (int i = 0; __builtin_popcountll(mask) < d; i++)
		mask |= 1ULL << (h4(hid, TAG_BOX, 2, (uint64_t)i) % 64);
	return probe ^ mask;
}

/* A box that rewrites 2..4 key bytes so that 4..6 stay equal, the distance above 10
 * ("key-bytes-equal"). */
static uint64_t bytes_key(uint64_t probe, uint64_t hid)
{
	int c = 2 + (int)(h3(hid, TAG_BOX, 3) % 3);
	for (uint64_t attempt = 0;; attempt++) {
		uint64_t k = probe;
		int changed = 0;
		for (int i = 0; changed < c; i++) {
			uint64_t h = h4(hid, TAG_BOX, 4 + attempt * 100, (uint64_t)i);
			int pos = (int)(h % 8);
			uint64_t old = (probe >> (8 * pos)) & 0xff;
			if (((k ^ probe) >> (8 * pos)) & 0xff)
				continue;
			uint64_t nb = (h >> 8) & 0xff;
			if (nb == old)
				continue;
			k = (k & ~(0xffULL << (8 * pos))) | (nb << (8 * pos));
			changed++;
		}
		if (__builtin_popcountll(k ^ probe) > 10)
			return k;
	}
}

/* The static key of a shared-key box. */
static uint64_t group_key(uint64_t seed, int fam, int pop, int group, uint64_t probe)
{
	for (uint64_t i = 0;; i++) {
		uint64_t k =
		    h4(seed, TAG_GROUP, (uint64_t)fam * 10 + (uint64_t)pop, (uint64_t)group * 1000 + i);
		if (key_far(k, probe))
			return k;
	}
}

enum hdrchange { HC_FLAGS_A, HC_FLAGS_H, HC_VERSION };

static int header_change(uint64_t hid)
{
	return (int)(h3(hid, TAG_BOX, 5) % 3);
}

/* The MP_CAPABLE option a box sends back (or passes on) for a probe option, per class. */
static void box_option(const struct gen *g, const struct host *h, uint64_t probe_key, int *ver,
                       uint8_t *flags, uint64_t *key)
{
	*ver = 0;
	*flags = PROBE_FLAGS;
	*key = probe_key;
	switch (h->cls) {
	case C_KEYNEAR:
		*key = near_key(probe_key, h->hid);
		break;
	case C_KEYBYTES:
		*key = bytes_key(probe_key, h->hid);
		break;
	case C_HEADER:
		switch (header_change(h->hid)) {
		case HC_FLAGS_A:
			*flags = PROBE_FLAGS & ~0x80;
			break;
		case HC_FLAGS_H:
			*flags = PROBE_FLAGS & ~0x01;
			break;
		default:
			*ver = 1;
		}
		break;
	case C_SHARED:
		*key = group_key(g->seed, h->fam, h->pop, h->group, probe_key);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Paths for the tracebox-style prober                                                         */

enum style { S_FULL, S_4884, S_BRIEF, S_SILENT };
static const char style_code[] = { 'F', 'X', 'B', '-' };

struct router {
	uint8_t addr[16];
	int style;
	uint8_t init_ttl;
	uint32_t idbase;
	uint32_t label;
};

enum change { CH_NONE, CH_STRIP, CH_NOP, CH_KEY, CH_FLAGS, CH_VERSION };
static const char *const change_name[] = {
	"", "removed", "replaced-by-nops", "key-changed", "flags-changed", "version-changed"
};

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

static const int region_latency_ms[NRIR] = { 90, 12, 260, 200, 170 };

static void router_init(struct router *r, int fam, int role, uint64_t h)
{
	double u = u01(h);
	r->idbase = (uint32_t)(h >> 20);
	r->label = 16 + (uint32_t)((h >> 40) % 1000000);
	if (role == 0) { /* the scanner's own Linux routers */
		r->style = S_FULL;
		r->init_ttl = 64;
	} else if (role == 1) { /* transit */
		r->init_ttl = 255;
		if (fam == 6)
			r->style = u < 0.88 ? S_FULL : S_SILENT;
		else
			r->style = u < 0.55 ? S_FULL : u < 0.70 ? S_4884 : u < 0.90 ? S_BRIEF : S_SILENT;
	} else { /* the destination network's routers */
		r->init_ttl = (h >> 8) & 1 ? 255 : 64;
		if (fam == 6)
			r->style = u < 0.85 ? S_FULL : S_SILENT;
		else
			r->style = u < 0.45 ? S_FULL : u < 0.80 ? S_BRIEF : S_SILENT;
	}
}

/* The address of router number r of an AS (v4: x.y.r.1 of its first prefix; v6: prefix:0:r::1). */
static void as_router_addr(const struct world *w, int as, int fam, uint32_t r, uint8_t *a)
{
	for (int i = 0; i < w->as[as].npfx; i++) {
		const struct prefix *p = &w->pfx[w->as[as].pfx[i]];
		if (p->fam != fam)
			continue;
		if (fam == 4) {
			put32(a, p->a4 + (r << 8) + 1);
		} else {
			memcpy(a, p->a6, 16);
			put16(a + 6, (uint16_t)r);
			memset(a + 8, 0, 8);
			a[15] = 1;
		}
		return;
	}
}

static void scanner_addr(const struct world *w, int fam, uint8_t *a)
{
	if (fam == 4) {
		put32(a, w->pfx[w->scanner4].a4 + 0x20a); /* x.y.2.10 */
	} else {
		memcpy(a, w->pfx[w->scanner6].a6, 16);
		put16(a + 6, 2);
		a[15] = 0x10;
	}
}

/* The path from the scanner to a host: the scanner's two routers, transit carriers towards the
 * host's region, one or two routers of the host's network, its gateway. Deterministic per host;
 * reachable paths never hold 3 silent routers in a row (the prober's gap limit) and end with a
 * router quoting the whole probe; a modifying box sits just before a fully quoting router. */
static void build_path(const struct gen *g, const struct host *h, struct path *P)
{
	const struct world *w = &g->w;
	static const int regional[NRIR][2] = { { 0, 1 }, { 2, 3 }, { 4, 5 }, { 0, 1 }, { 3, 2 } };
	memset(P, 0, sizeof(*P));
	P->region = rir_index(world_countries[h->cc].rir);
	P->unreach = cls_traced(h->cls) && host_unreachable(h);
	int fam = h->fam;
	uint64_t net = fam == 4 ? (uint64_t)(get64(h->addr) >> 40) : get64(h->addr); /* the /24 or /64 */
	for (int attempt = 0; attempt < 24; attempt++) {
		uint64_t hp = h4(TAG_PATH, g->seed, net, (uint64_t)attempt);
		int n = 0;
		/* the scanner's gateway and border router */
		router_init(&P->hop[++n], fam, 0, 0);
		as_router_addr(w, w->scanner_as, fam, 2, P->hop[n].addr);
		router_init(&P->hop[++n], fam, 0, 1);
		as_router_addr(w, w->scanner_as, fam, 0, P->hop[n].addr);
		int nt = P->region == 1 ? 1 + (int)(hp % 2) : 3 + (int)(hp % 3);
		for (int i = 0; i < nt; i++) {
			int carrier = (i == 0 && P->region != 1) ? 2 : regional[P->region][i % 2];
			int as = w->transit[carrier];
			uint32_t r = (uint32_t)(h3(hp, (uint64_t)i, 11) % 48);
			router_init(&P->hop[++n], fam, 1, h3(TAG_ROUTER, w->as[as].asn, r));
			as_router_addr(w, as, fam, r, P->hop[n].addr);
		}
		/* the destination network's core router(s) and the host's gateway */
		const struct prefix *pf = &w->pfx[h->pfx];
		int nd = 1 + (int)(h3(TAG_PATH, (uint64_t)h->pfx, 1) % 2);
		for (int i = 0; i < nd; i++) {
			uint8_t *a = P->hop[++n].addr;
			if (fam == 4) {
				put32(a, pf->a4 + 2 + (uint32_t)i);
			} else {
				memcpy(a, pf->a6, 16);
				a[15] = (uint8_t)(2 + i);
			}
			router_init(&P->hop[n], fam, 2, h3(TAG_ROUTER, get64(a) ^ get64(a + 8), 0));
		}
		{
			uint8_t *a = P->hop[++n].addr;
			memcpy(a, h->addr, 16);
			if (fam == 4) {
				a[3] = 1;
			} else {
				memset(a + 8, 0, 8);
				a[15] = 1;
			}
			router_init(&P->hop[n], fam, 2, h3(TAG_ROUTER, get64(a) ^ get64(a + 8), 0));
		}
		P->H = n + 1;
		if (P->unreach) {
			P->jstop = 2 + (int)((hp >> 24) % (uint64_t)(P->H - 2));
			return;
		}
		bool ok = true;
		int run = 0, last = 0;
		for (int i = 1; i < P->H; i++) {
			run = P->hop[i].style == S_SILENT ? run + 1 : 0;
			if (run >= 3)
				ok = false;
			if (P->hop[i].style != S_SILENT)
				last = i;
		}
		if (P->hop[last].style != S_FULL && P->hop[last].style != S_4884)
			ok = false;
		if (!ok && attempt < 23)
			continue;
		if (!ok) { /* rate-limited routers answering this time: make the path usable */
			run = 0;
			for (int i = 1; i < P->H; i++) {
				run = P->hop[i].style == S_SILENT ? run + 1 : 0;
				if (run >= 3) {
					P->hop[i].style = S_FULL;
					run = 0;
				}
			}
			P->hop[P->H - 1].style = S_FULL;
		}
		break;
	}
	/* where the option is changed: strippers, rewriters and modifying boxes */
	switch (h->cls) {
	case C_REWRITER:
		P->change = h3(h->hid, TAG_BOX, 6) % 2 ? CH_FLAGS : CH_KEY;
		break;
	case C_STRIPPED:
		P->change = h3(h->hid, TAG_BOX, 7) % 2 ? CH_NOP : CH_STRIP;
		break;
	case C_KEYNEAR:
	case C_KEYBYTES:
	case C_SHARED:
		P->change = CH_KEY;
		break;
	case C_HEADER:
		P->change = header_change(h->hid) == HC_VERSION ? CH_VERSION : CH_FLAGS;
		break;
	default:
		P->change = CH_NONE;
	}
	if (P->change != CH_NONE) {
		int cand[MAX_HOPS], nc = 0;
		for (int i = 3; i < P->H; i++)
			if (P->hop[i].style == S_FULL || P->hop[i].style == S_4884)
				cand[nc++] = i;
		if (nc == 0) {
			P->hop[P->H - 1].style = S_FULL;
			cand[nc++] = P->H - 1;
		}
		P->k = cand[h3(h->hid, TAG_BOX, 8) % (uint64_t)nc];
	}
}

static const char *tracebox_class(const struct host *h)
{
	if (!cls_traced(h->cls))
		return "untraced";
	if (host_unreachable(h))
		return "unreachable";
	return h->cls == C_MPTCP ? "true-mptcp" : "middlebox";
}

static uint64_t rtt_us(int region, int i, int H, uint64_t h)
{
	return 250 + (uint64_t)i * 700 + (uint64_t)(region_latency_ms[region] * 1000.0 * i / H) + h % 400;
}

/* ------------------------------------------------------------------------------------------ */
/* Writing captures: a pcap dumper and a time-ordered heap of packets not yet due              */

struct pcapw {
	pcap_t *pd;
	pcap_dumper_t *d;
	FILE *f;
	char tmp[4300];
	uint64_t pkts, bytes;
	uint64_t last_t;
};

static void pcapw_open(struct pcapw *w, const char *name, int linktype)
{
	memset(w, 0, sizeof(*w));
	w->f = open_out(name, w->tmp, sizeof(w->tmp));
	setvbuf(w->f, NULL, _IOFBF, 1 << 20);
	w->pd = pcap_open_dead(linktype, 65535);
	w->d = w->pd ? pcap_dump_fopen(w->pd, w->f) : NULL;
	if (w->d == NULL) {
		fprintf(stderr, "mpcap-gen: %s: cannot start a pcap file\n", w->tmp);
		exit(1);
	}
	w->bytes = 24;
}

static void pcapw_write(struct pcapw *w, uint64_t t_us, const uint8_t *data, size_t len)
{
	struct pcap_pkthdr ph;
	if (t_us < w->last_t) { /* never happens by construction; keep the file in order anyway */
		fprintf(stderr, "mpcap-gen: internal error: packet out of order\n");
		exit(1);
	}
	w->last_t = t_us;
	memset(&ph, 0, sizeof(ph));
	ph.ts.tv_sec = (time_t)(t_us / 1000000);
	ph.ts.tv_usec = (suseconds_t)(t_us % 1000000);
	ph.caplen = ph.len = (bpf_u_int32)len;
	pcap_dump((u_char *)w->d, &ph, data);
	w->pkts++;
	w->bytes += 16 + len;
}

static void pcapw_close(struct pcapw *w)
{
	if (pcap_dump_flush(w->d) != 0 || ferror(w->f)) {
		fprintf(stderr, "mpcap-gen: %s: write error\n", w->tmp);
		exit(1);
	}
	pcap_dump_close(w->d); /* closes w->f */
	pcap_close(w->pd);
	char fin[4300];
	snprintf(fin, sizeof(fin), "%.*s", (int)(strlen(w->tmp) - 4), w->tmp);
	if (rename(w->tmp, fin) != 0) {
		fprintf(stderr, "mpcap-gen: %s: %s\n", fin, strerror(errno));
		exit(1);
	}
}

struct ev {
	uint64_t t, seq;
	uint16_t len;
	uint8_t b[PKT_MAX];
};

struct heap {
	struct ev *a;
	size_t n, cap;
	uint64_t seq;
};

static bool ev_less(const struct ev *x, const struct ev *y)
{
	return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static void heap_push(struct heap *hp, uint64_t t, const uint8_t *b, size_t len)
{
	if (hp->n == hp->cap) {
		hp->cap = hp->cap ? hp->cap * 2 : 256;
		hp->a = realloc(hp->a, hp->cap * sizeof(struct ev));
		if (hp->a == NULL) {
			fprintf(stderr, "mpcap-gen: out of memory\n");
			exit(1);
		}
	}
	size_t i = hp->n++;
	struct ev e;
	e.t = t;
	e.seq = hp->seq++;
	e.len = (uint16_t)len;
	memcpy(e.b, b, len);
	while (i > 0 && ev_less(&e, &hp->a[(i - 1) / 2])) {
		hp->a[i] = hp->a[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	hp->a[i] = e;
}

/* Writes every packet due at or before t (all of them when t is UINT64_MAX). */
static void heap_flush(struct heap *hp, uint64_t t, struct pcapw *w)
{
	while (hp->n > 0 && hp->a[0].t <= t) {
		pcapw_write(w, hp->a[0].t, hp->a[0].b, hp->a[0].len);
		struct ev last = hp->a[--hp->n];
		size_t i = 0;
		for (;;) {
			size_t l = 2 * i + 1, r = l + 1, m = i;
			const struct ev *best = &last;
			if (l < hp->n && ev_less(&hp->a[l], best))
				m = l, best = &hp->a[l];
			if (r < hp->n && ev_less(&hp->a[r], best))
				m = r;
			if (m == i)
				break;
			hp->a[i] = hp->a[m];
			i = m;
		}
		if (hp->n > 0)
			hp->a[i] = last;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Time                                                                                        */

static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static uint64_t epoch_us(int y, int mo, int d, int hour, int min)
{
	return (uint64_t)(days_from_civil(y, mo, d) * 86400 + hour * 3600 + min * 60) * 1000000ULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Counters for the summary truth                                                              */

struct counts {
	char scan[16];
	int fam, port;
	const char *kind; /* "scan" or "tracebox" */
	uint64_t probed, responsive, mpcapable, packets, bytes;
	uint64_t verdict[V_COUNT];
	uint64_t cls[C_COUNT];
	uint64_t tb_true, tb_mb, tb_unreach, tb_untraced;
	uint64_t traced;
};

static struct counts *summary;
static size_t nsummary, capsummary;

static struct counts *new_counts(void)
{
	if (nsummary == capsummary) {
		capsummary = capsummary ? capsummary * 2 : 64;
		summary = realloc(summary, capsummary * sizeof(*summary));
		if (summary == NULL) {
			fprintf(stderr, "mpcap-gen: out of memory\n");
			exit(1);
		}
	}
	struct counts *c = &summary[nsummary++];
	memset(c, 0, sizeof(*c));
	return c;
}

static void write_summary(void)
{
	char tmp[4300];
	FILE *f = open_out("truth-summary.csv", tmp, sizeof(tmp));
	fputs("scan,family,port,counter,value\n", f);
	for (size_t i = 0; i < nsummary; i++) {
		const struct counts *c = &summary[i];
		const char *s = c->scan;
		if (strcmp(c->kind, "scan") == 0) {
			fprintf(f, "%s,%d,%d,packets.scan,%" PRIu64 "\n", s, c->fam, c->port, c->packets);
			fprintf(f, "%s,%d,%d,targets.probed,%" PRIu64 "\n", s, c->fam, c->port, c->probed);
			fprintf(f, "%s,%d,%d,targets.responsive,%" PRIu64 "\n", s, c->fam, c->port,
			        c->responsive);
			fprintf(f, "%s,%d,%d,targets.mpcapable,%" PRIu64 "\n", s, c->fam, c->port,
			        c->mpcapable);
			for (int v = 0; v < V_COUNT; v++)
				fprintf(f, "%s,%d,%d,verdict.%s,%" PRIu64 "\n", s, c->fam, c->port,
				        verdict_name[v], c->verdict[v]);
			for (int k = 0; k < C_COUNT; k++)
				if (k != C_DARK)
					fprintf(f, "%s,%d,%d,class.%s,%" PRIu64 "\n", s, c->fam, c->port,
					        cls_name[k], c->cls[k]);
		} else {
			fprintf(f, "%s,%d,%d,packets.tracebox,%" PRIu64 "\n", s, c->fam, c->port, c->packets);
			fprintf(f, "%s,%d,%d,tracebox.traced,%" PRIu64 "\n", s, c->fam, c->port, c->traced);
			fprintf(f, "%s,%d,%d,tracebox.true-mptcp,%" PRIu64 "\n", s, c->fam, c->port,
			        c->tb_true);
			fprintf(f, "%s,%d,%d,tracebox.middlebox,%" PRIu64 "\n", s, c->fam, c->port, c->tb_mb);
			fprintf(f, "%s,%d,%d,tracebox.unreachable,%" PRIu64 "\n", s, c->fam, c->port,
			        c->tb_unreach);
		}
	}
	close_out(f, tmp);
}

/* ------------------------------------------------------------------------------------------ */
/* A scan: probes to every target of the family in a keyed random order, and the answers     */

struct month {
	int y, m;
	int idx; /* 0 = 2020-07 */
};

static void prefix_cidr(const struct world *w, int pfx, char *out, size_t n)
{
	char t[64];
	prefix_text(&w->pfx[pfx], t, sizeof(t));
	snprintf(out, n, "%s/%d", t, w->pfx[pfx].len);
}

/* The prefix attribution sees for a host: its own (providers leave the half holding a
 * customer's more-specific to the customer, so the longest match is the host's prefix). */
static int attributed_prefix(const struct host *h)
{
	return h->pfx;
}

static void write_truth_header(FILE *f)
{
	fputs(
	    "scan,address,port,family,class,verdict,verdict_reason,response,responses,mpc_version,mpc_length,"
	    "mpc_flags,key,key_group,ttl,asn,country,prefix,tracebox,tb_change_hop,tb_change,presence,"
	    "weight\n",
	    f);
}

struct answer {
	int kind; /* 0 none, 1 synack, 2 rst, 3 icmp */
	int responses;
	uint8_t ttl;
	bool mpc;
	int mpc_len, mpc_ver;
	uint8_t mpc_flags;
	bool has_key;
	uint64_t key;
};

static void scan_file(struct gen *g, int fam, int port, const struct month *mo)
{
	struct world *w = &g->w;
	struct population *P = popf(g, fam);
	char name[128], scan[16], tmp[4300];
	snprintf(scan, sizeof(scan), "%04d-%02d", mo->y, mo->m);
	snprintf(name, sizeof(name), "scan-%s-p%d-v%d.pcap", scan, port, fam);
	struct pcapw pw;
	pcapw_open(&pw, name, DLT_EN10MB);
	snprintf(name, sizeof(name), "truth-%s-p%d-v%d.csv", scan, port, fam);
	FILE *tf = open_out(name, tmp, sizeof(tmp));
	setvbuf(tf, NULL, _IOFBF, 1 << 20);
	write_truth_header(tf);
	struct counts *cnt = new_counts();
	snprintf(cnt->scan, sizeof(cnt->scan), "%s", scan);
	cnt->fam = fam;
	cnt->port = port;
	cnt->kind = "scan";

	uint64_t fkey =
	    h4(TAG_FILE, g->seed, (uint64_t)fam * 1000 + (uint64_t)port, (uint64_t)(mo->idx + 1000));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, (unsigned long)(fkey & 0xffffffffu));
	struct perm order;
	perm_init(&order, P->N,
	          h4(TAG_PERM, g->seed, (uint64_t)fam * 1000 + (uint64_t)port, (uint64_t)mo->idx));
	/* IPv4 scans take 20 hours, the IPv6 hitlist 2 hours */
	int day = fam == 4 ? (port == 80 ? 2 : 4) : 6;
	int hour = fam == 4 ? 1 : (port == 80 ? 8 : 12);
	uint64_t t0 = epoch_us(mo->y, mo->m, day, hour, (int)(fkey >> 40) % 50);
	uint64_t dur = (fam == 4 ? 20ULL : 2ULL) * 3600 * 1000000;
	uint64_t dt = P->N ? dur / P->N : 1;
	if (dt < 2)
		dt = 2;
	uint8_t scanner[16] = { 0 };
	scanner_addr(w, fam, scanner);
	uint8_t popt[40];
	size_t poptlen = scan_probe_options(popt, g->probe_key);
	struct heap hp = { 0 };
	uint8_t pkt[PKT_MAX];

	for (uint64_t i = 0; i < P->N; i++) {
		uint64_t gi = perm_at(&order, i);
		struct host h;
		host_at(g, fam, gi, &h);
		uint64_t conn = h4(TAG_CONN, g->seed, h.hid, (uint64_t)mo->idx * 100000 + (uint64_t)port);
		uint64_t tp = t0 + i * dt + conn % (dt / 2 + 1);
		heap_flush(&hp, tp, &pw);
		/* the probe: ZMap style, TTL 255, IP ID 54321, no DF, window 65535 */
		struct ipf ip = { .ttl = 255, .id = 54321, .df = false, .tos = 0, .flow = 0 };
		struct tcpf t = { .sport = (uint16_t)(32768 + (conn >> 8) % 28232),
			          .dport = (uint16_t)port,
			          .seq = (uint32_t)(conn >> 32),
			          .ack = 0,
			          .flags = TH_SYN,
			          .win = 65535,
			          .opt = popt,
			          .optlen = poptlen };
		size_t len = tcp_packet(pkt, -1, fam, scanner, h.addr, &ip, &t);
		pcapw_write(&pw, tp, pkt, len);
		cnt->probed++;
		if (h.pop != pop_index(port) || !host_present(&h, mo->idx)) {
			cnt->verdict[V_SILENT]++;
			continue;
		}
		/* the answer */
		struct path path;
		build_path(g, &h, &path);
		int H = path.H;
		uint64_t rtt = rtt_us(path.region, H, H, conn >> 20);
		int os = host_os(&h);
		struct answer an = { 0 };
		uint8_t opt[40];
		size_t optlen = 0;
		uint32_t tsval = (uint32_t)(h.hid >> 32) + (uint32_t)((tp / 1000) & 0x7fffffff);
		if (h.cls == C_RST) {
			an.kind = 2;
		} else if (h.cls == C_ICMP) {
			an.kind = 3;
		} else {
			an.kind = 1;
			switch (h.cls) {
			case C_MPTCP:
			case C_REWRITER:
				optlen = os_options(opt, OS_LINUX, tsval, PROBE_TSVAL);
				an.key = fresh_key(rng, g->probe_key);
				optlen += mpc_option(opt + optlen, 12, 0, PROBE_FLAGS, an.key);
				an.mpc = an.has_key = true;
				an.mpc_len = 12;
				an.mpc_flags = PROBE_FLAGS;
				break;
			case C_MIRROR:
				memcpy(opt, popt, poptlen);
				optlen = poptlen;
				an.mpc = an.has_key = true;
				an.mpc_len = 12;
				an.mpc_flags = PROBE_FLAGS;
				an.key = g->probe_key;
				break;
			case C_REPLAY:
			case C_KEYNEAR:
			case C_KEYBYTES:
			case C_HEADER:
			case C_SHARED: {
				int ver;
				optlen = os_options(opt, os, 0, 0);
				box_option(g, &h, g->probe_key, &ver, &an.mpc_flags, &an.key);
				optlen += mpc_option(opt + optlen, 12, ver, an.mpc_flags, an.key);
				an.mpc = an.has_key = true;
				an.mpc_len = 12;
				an.mpc_ver = ver;
				break;
			}
			case C_KEYLESS:
				optlen = os_options(opt, os, 0, 0);
				optlen += mpc_option(opt + optlen, 4, 0, PROBE_FLAGS, 0);
				an.mpc = true;
				an.mpc_len = 4;
				an.mpc_flags = PROBE_FLAGS;
				break;
			default: /* plain stacks and MPTCP hosts whose option was stripped on the way */
				optlen = os_options(opt, os, tsval, PROBE_TSVAL);
			}
		}
		uint64_t ta = tp + rtt;
		if (an.kind == 3) {
			/* the host's gateway (hop H-1) says host unreachable or administratively prohibited
			 */
			const struct router *r = &path.hop[H - 1];
			uint8_t q[PKT_MAX];
			struct ipf qip = { .ttl = (uint8_t)(255 - (H - 1)), .id = 54321, .df = false };
			size_t ql = tcp_packet(q, 0, fam, scanner, h.addr, &qip, &t);
			bool brief = fam == 4 && r->style == S_BRIEF;
			if (brief)
				ql = 28;
			uint8_t code;
			if (fam == 4)
				code = (h.hid >> 9) % 5 < 3 ? 1 : 13;
			else
				code = (h.hid >> 9) % 5 < 3 ? 3 : 1;
			struct ipf oip = { .ttl = (uint8_t)(r->init_ttl - (H - 2)),
				           .id = (uint16_t)(r->idbase + i),
				           .df = false,
				           .tos = 0xc0,
				           .flow = 0 };
			len = icmp_error(pkt, true, fam, r->addr, scanner, &oip, fam == 4 ? 3 : 1, code, q,
			                 ql, false, 0);
			heap_push(&hp, ta, pkt, len);
			an.responses = 1;
			an.ttl = oip.ttl;
		} else {
			uint8_t ttl = (uint8_t)(os_ttl[os] - (H - 1));
			an.ttl = ttl;
			uint32_t isn = (uint32_t)gsl_rng_get(rng);
			struct tcpf r = {
				.sport = (uint16_t)port, .dport = t.sport, .ack = t.seq + 1, .opt = opt
			};
			int retrans = 0;
			bool stack = h.cls == C_PLAIN || h.cls == C_MPTCP || h.cls == C_REWRITER ||
			             h.cls == C_STRIPPED;
			if (an.kind == 1 && stack && u01(h3(conn, TAG_CONN, 7)) < 0.07)
				retrans = 1 + (int)(h3(conn, TAG_CONN, 8) % 3);
			uint32_t flow =
			    (fam == 6 && os == OS_LINUX) ? (uint32_t)(h3(conn, TAG_CONN, 9) & 0xfffff) : 0;
			for (int k = 0; k <= retrans; k++) {
				uint64_t tk = ta + (k == 0 ? 0 : ((1ULL << k) - 1) * 1000000ULL);
				if (an.kind == 1) {
					r.seq = isn;
					r.flags = TH_SYN | TH_ACK;
					r.win = os_win[os];
					r.optlen = optlen;
					/* timestamps advance with the retransmission (Linux counts
					 * milliseconds) */
					if (optlen >= 16 && (os == OS_LINUX || os == OS_BSD) &&
					    h.cls != C_MIRROR && !(h.cls >= C_KEYNEAR && h.cls <= C_REPLAY) &&
					    h.cls != C_KEYLESS)
						put32(opt + (os == OS_LINUX ? 8 : 12),
						      tsval + (uint32_t)((tk - ta) / 1000));
				} else {
					r.seq = 0;
					r.flags = TH_RST | TH_ACK;
					r.win = 0;
					r.optlen = 0;
				}
				struct ipf rip = { .ttl = ttl,
					           .id = os_ipid(os, h.hid, conn, k),
					           .df = os_df(os),
					           .tos = 0,
					           .flow = flow };
				len = tcp_packet(pkt, 1, fam, h.addr, scanner, &rip, &r);
				heap_push(&hp, tk, pkt, len);
				if (an.kind == 1) {
					/* the scanner's kernel knows no such connection: RST (RFC 9293
					 * §3.10.7.1) */
					struct tcpf rs = { .sport = t.sport,
						           .dport = (uint16_t)port,
						           .seq = t.seq + 1,
						           .ack = 0,
						           .flags = TH_RST,
						           .win = 0 };
					struct ipf sip = {
						.ttl = 64, .id = 0, .df = true, .tos = 0, .flow = 0
					};
					len = tcp_packet(pkt, -1, fam, scanner, h.addr, &sip, &rs);
					heap_push(&hp, tk + 20 + (conn >> 50) % 40, pkt, len);
				}
			}
			an.responses = 1 + retrans;
		}
		/* the truth */
		cnt->responsive++;
		if (an.mpc)
			cnt->mpcapable++;
		cnt->verdict[cls_verdict[h.cls].v]++;
		cnt->cls[h.cls]++;
		char a[64], pfxs[80], pres[40], keyhex[20] = "", flags[8] = "";
		addr_text(fam, h.addr, a, sizeof(a));
		int ap = attributed_prefix(&h);
		prefix_cidr(w, ap, pfxs, sizeof(pfxs));
		presence_text(&h, pres, sizeof(pres));
		if (an.has_key)
			snprintf(keyhex, sizeof(keyhex), "%016" PRIx64, an.key);
		if (an.mpc)
			snprintf(flags, sizeof(flags), "0x%02x", an.mpc_flags);
		uint64_t group = 0;
		if (h.cls == C_SHARED) {
			const struct block *b = &P->blk[find_block(P, gi)];
			group = b->n;
		}
		const char *resp = an.kind == 1 ? "synack" : an.kind == 2 ? "rst" : "icmp-unreachable";
		fprintf(tf, "%s,%s,%d,%d,%s,%s,%s,%s,%d,", scan, a, port, fam, cls_name[h.cls],
		        verdict_name[cls_verdict[h.cls].v], cls_verdict[h.cls].reason, resp, an.responses);
		if (an.mpc)
			fprintf(tf, "%d,%d,%s,", an.mpc_ver, an.mpc_len, flags);
		else
			fputs(",,,", tf);
		fprintf(tf, "%s,", keyhex);
		if (group)
			fprintf(tf, "%" PRIu64, group);
		fprintf(tf, ",%d,", an.ttl);
		csv_field(tf, w->pfx[ap].origin);
		fprintf(tf, ",%s,%s,%s,", world_countries[w->pfx[ap].cc].cc, pfxs, tracebox_class(&h));
		if (cls_traced(h.cls) && path.k)
			fprintf(tf, "%d,%s", path.k, change_name[path.change]);
		else
			fputc(',', tf);
		fprintf(tf, ",%s,%g\n", pres, h.ci->weight);
	}
	heap_flush(&hp, UINT64_MAX, &pw);
	free(hp.a);
	gsl_rng_free(rng);
	cnt->packets = pw.pkts;
	cnt->bytes = pw.bytes;
	pcapw_close(&pw);
	close_out(tf, tmp);
	if (!g->quiet)
		fprintf(stderr,
		        "mpcap-gen: scan-%s-p%d-v%d.pcap: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64
		        " probed, %" PRIu64 " responsive, %" PRIu64 " MP_CAPABLE\n",
		        scan, port, fam, pw.pkts, pw.bytes, cnt->probed, cnt->responsive, cnt->mpcapable);
}

/* ------------------------------------------------------------------------------------------ */
/* Tracebox: TTL-limited probes towards the MP_CAPABLE responders                              */

static const char *dest_answer_name(const struct host *h)
{
	switch (h->cls) {
	case C_MPTCP:
	case C_REWRITER:
		return "synack-own-key";
	case C_REPLAY:
	case C_MIRROR:
		return "synack-probe-key";
	case C_HEADER:
		return "synack-modified-header";
	case C_STRIPPED:
		return "synack-no-mpc";
	case C_SHARED:
		return "synack-box-key";
	default:
		return "synack-modified-key";
	}
}

static void trace_host(struct gen *g, const struct host *h, int port, const struct month *mo, uint64_t tstart,
                       gsl_rng *rng, struct heap *hp, FILE *tf, struct counts *cnt, const char *scan)
{
	const struct world *w = &g->w;
	int fam = h->fam;
	struct path path;
	build_path(g, h, &path);
	int H = path.H;
	uint64_t th = h4(TAG_TRACE, g->seed, h->hid, (uint64_t)mo->idx * 1000 + (uint64_t)port);
	uint8_t scanner[16] = { 0 };
	scanner_addr(w, fam, scanner);
	/* tracebox's probe: IP/TCP/MPCAPABLE, window 5840, DF, one IP ID and sequence number for
	 * every TTL of the trace, the MP_CAPABLE option alone */
	uint8_t popt[12], mopt[12];
	mpc_option(popt, 12, 0, PROBE_FLAGS, g->probe_key);
	size_t moptlen = 12;
	memcpy(mopt, popt, 12);
	uint64_t keyseen = g->probe_key; /* the key the destination receives */
	int verseen = 0;
	uint8_t flagseen = PROBE_FLAGS;
	if (path.k) {
		switch (path.change) {
		case CH_STRIP:
			moptlen = 0;
			break;
		case CH_NOP:
			memset(mopt, 1, 12);
			break;
		case CH_KEY:
			keyseen = h->cls == C_REWRITER ? fresh_key(rng, g->probe_key) : 0;
			if (h->cls != C_REWRITER)
				box_option(g, h, g->probe_key, &verseen, &flagseen, &keyseen);
			mpc_option(mopt, 12, verseen, flagseen, keyseen);
			break;
		case CH_FLAGS:
		case CH_VERSION:
			if (h->cls == C_REWRITER)
				flagseen = PROBE_FLAGS & ~0x01;
			else
				box_option(g, h, g->probe_key, &verseen, &flagseen, &keyseen);
			mpc_option(mopt, 12, verseen, flagseen, keyseen);
			break;
		default:
			break;
		}
	}
	struct ipf ip = { .ttl = 1, .id = (uint16_t)(th >> 16), .df = true, .tos = 0, .flow = 0 };
	struct tcpf t = { .sport = (uint16_t)(32768 + th % 28000),
		          .dport = (uint16_t)port,
		          .seq = (uint32_t)(th >> 32),
		          .ack = 0,
		          .flags = TH_SYN,
		          .win = 5840,
		          .opt = popt,
		          .optlen = 12 };
	char quotes[MAX_HOPS + 2];
	int nq = 0, run = 0, probes = 0;
	bool answered_dest = false;
	uint64_t tp = tstart;
	uint8_t pkt[PKT_MAX], q[PKT_MAX];
	for (int ttl = 1; ttl <= 30; ttl++) {
		ip.ttl = (uint8_t)ttl;
		size_t len = tcp_packet(pkt, 0, fam, scanner, h->addr, &ip, &t);
		heap_push(hp, tp, pkt, len);
		probes++;
		uint64_t rh = h3(th, (uint64_t)ttl, 3);
		bool ans = false;
		uint64_t tr = tp + rtt_us(path.region, ttl < H ? ttl : H, H, rh);
		if (ttl < H) {
			const struct router *r = &path.hop[ttl];
			ans = r->style != S_SILENT && !(path.unreach && ttl > path.jstop);
			if (ans) {
				/* the probe as it arrived: TTL 1, the option as the boxes before left it */
				struct ipf qip = ip;
				qip.ttl = 1;
				struct tcpf qt = t;
				if (path.k && ttl >= path.k) {
					qt.opt = mopt;
					qt.optlen = moptlen;
				}
				size_t ql = tcp_packet(q, 0, fam, scanner, h->addr, &qip, &qt);
				if (r->style == S_BRIEF && fam == 4)
					ql = 28;
				struct ipf oip = { .ttl = (uint8_t)(r->init_ttl - (ttl - 1)),
					           .id = (uint16_t)(r->idbase + (rh & 0xfff)),
					           .df = false,
					           .tos = 0xc0,
					           .flow = 0 };
				len = icmp_error(pkt, false, fam, r->addr, scanner, &oip, fam == 4 ? 11 : 3,
				                 0, q, ql, r->style == S_4884, r->label);
				heap_push(hp, tr, pkt, len);
			}
			if (nq < MAX_HOPS)
				quotes[nq++] = ans ? style_code[r->style] : '-';
		} else if (!path.unreach) {
			/* the destination answers */
			uint8_t o[40];
			size_t ol = 0;
			int os = host_os(h);
			o[ol++] = 2, o[ol++] = 4, o[ol++] = 0x05, o[ol++] = 0xb4;
			switch (h->cls) {
			case C_MPTCP:
			case C_REWRITER:
				ol += mpc_option(o + ol, 12, 0, PROBE_FLAGS, fresh_key(rng, g->probe_key));
				break;
			case C_MIRROR:
				memcpy(o, popt, 12);
				ol = 12;
				break;
			case C_STRIPPED:
				break;
			default: /* echo boxes send back the option they received */
				memcpy(o + ol, mopt, 12);
				ol += 12;
			}
			struct tcpf r = { .sport = (uint16_t)port,
				          .dport = t.sport,
				          .seq = (uint32_t)gsl_rng_get(rng),
				          .ack = t.seq + 1,
				          .flags = TH_SYN | TH_ACK,
				          .win = os_win[os],
				          .opt = o,
				          .optlen = ol };
			struct ipf rip = { .ttl = (uint8_t)(os_ttl[os] - (H - 1)),
				           .id = os_ipid(os, h->hid, th, 0),
				           .df = os_df(os),
				           .tos = 0,
				           .flow =
				               (fam == 6 && os == OS_LINUX) ? (uint32_t)(th & 0xfffff) : 0 };
			len = tcp_packet(pkt, 0, fam, h->addr, scanner, &rip, &r);
			heap_push(hp, tr, pkt, len);
			ans = answered_dest = true;
		}
		if (answered_dest)
			break;
		if (ans) {
			run = 0;
			tp = tr + 20000 + rh % 20000;
		} else {
			if (++run >= 3)
				break;
			tp += 1000000; /* one second without an answer */
		}
	}
	quotes[nq] = 0;
	const char *cl = tracebox_class(h);
	cnt->traced++;
	if (strcmp(cl, "true-mptcp") == 0)
		cnt->tb_true++;
	else if (strcmp(cl, "middlebox") == 0)
		cnt->tb_mb++;
	else
		cnt->tb_unreach++;
	char a[64];
	addr_text(fam, h->addr, a, sizeof(a));
	fprintf(tf, "%s,%s,%d,%d,%s,%s,%d,%d,%s,", scan, a, port, fam, cls_name[h->cls], cl, H, probes,
	        answered_dest ? dest_answer_name(h) : "none");
	if (path.k)
		fprintf(tf, "%d,%s,", path.k, change_name[path.change]);
	else
		fputs(",,", tf);
	fprintf(tf, "%s\n", quotes);
}

static void tracebox_file(struct gen *g, int fam, int port, const struct month *mo)
{
	struct population *P = popf(g, fam);
	char name[128], scan[16], tmp[4300];
	snprintf(scan, sizeof(scan), "%04d-%02d", mo->y, mo->m);
	snprintf(name, sizeof(name), "tracebox-%s-p%d-v%d.pcap", scan, port, fam);
	struct pcapw pw;
	pcapw_open(&pw, name, DLT_RAW);
	snprintf(name, sizeof(name), "truth-tracebox-%s-p%d-v%d.csv", scan, port, fam);
	FILE *tf = open_out(name, tmp, sizeof(tmp));
	setvbuf(tf, NULL, _IOFBF, 1 << 20);
	fputs("scan,address,port,family,class,tracebox,hops,probes,dest_answer,tb_change_hop,tb_change,"
	      "quotes\n",
	      tf);
	struct counts *cnt = new_counts();
	snprintf(cnt->scan, sizeof(cnt->scan), "%s", scan);
	cnt->fam = fam;
	cnt->port = port;
	cnt->kind = "tracebox";
	int pi = pop_index(port);
	uint64_t total = 0;
	for (int c = 0; c < C_COUNT; c++)
		if (cls_traced(c) && P->ci[pi][c].sp)
			total += P->ci[pi][c].n;
	uint64_t fkey =
	    h4(TAG_FILE, g->seed, (uint64_t)fam * 1000 + (uint64_t)port, (uint64_t)(mo->idx + 5000));
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(rng, (unsigned long)(fkey & 0xffffffffu));
	struct perm order;
	perm_init(&order, total,
	          h4(TAG_TRACE, g->seed, (uint64_t)fam * 1000 + (uint64_t)port, (uint64_t)mo->idx));
	int day = fam == 4 ? (port == 80 ? 8 : 10) : (port == 80 ? 12 : 13);
	uint64_t t0 = epoch_us(mo->y, mo->m, day, 2, (int)(fkey >> 40) % 50);
	uint64_t window = (fam == 4 ? 36ULL : 8ULL) * 3600 * 1000000;
	uint64_t delta = total ? window / total : window;
	struct heap hp = { 0 };
	for (uint64_t i = 0; i < total; i++) {
		uint64_t x = perm_at(&order, i);
		const struct cinst *ci = NULL;
		for (int c = 0; c < C_COUNT; c++) {
			if (!cls_traced(c) || !P->ci[pi][c].sp)
				continue;
			if (x < P->ci[pi][c].n) {
				ci = &P->ci[pi][c];
				break;
			}
			x -= P->ci[pi][c].n;
		}
		if (ci == NULL || ci->blk_count == 0)
			continue;
		struct host h;
		host_at(g, fam, class_rank_gi(P, ci, x), &h);
		if (!host_present(&h, mo->idx))
			continue;
		uint64_t ts = t0 + i * delta;
		heap_flush(&hp, ts, &pw);
		trace_host(g, &h, port, mo, ts, rng, &hp, tf, cnt, scan);
	}
	heap_flush(&hp, UINT64_MAX, &pw);
	free(hp.a);
	gsl_rng_free(rng);
	cnt->packets = pw.pkts;
	cnt->bytes = pw.bytes;
	pcapw_close(&pw);
	close_out(tf, tmp);
	if (!g->quiet)
		fprintf(stderr,
		        "mpcap-gen: tracebox-%s-p%d-v%d.pcap: %" PRIu64 " packets, %" PRIu64
		        " bytes, %" PRIu64 " destinations traced\n",
		        scan, port, fam, pw.pkts, pw.bytes, cnt->traced);
}

/* ------------------------------------------------------------------------------------------ */
/* Command line                                                                                */

static void usage(FILE *f)
{
	fputs("usage: mpcap-gen --out DIR [--seed N] [--scale F] [--probe-key HEX] [--months A..B]\n"
	      "                 [--ports 80,443] [--v6] [--no-v4] [--no-tracebox] [--world-only] [-q]\n"
	      "\n"
	      "Writes a synthetic Internet of MPTCP MP_CAPABLE scans calibrated to the 2020 study\n"
	      "(docs/samples.md): per month and port, the scan capture DIR/scan-YYYY-MM-pPORT-vF.pcap,\n"
	      "the tracebox capture DIR/tracebox-YYYY-MM-pPORT-vF.pcap, their ground truth\n"
	      "DIR/truth-*.csv and DIR/truth-summary.csv, and the attribution world DIR/world/.\n"
	      "\n"
	      "  --out DIR          output directory (created)\n"
	      "  --seed N           seed of every random choice (default 2020); same seed, same bytes\n"
	      "  --scale F          multiply every population (default 1: about 20 MB with --v6)\n"
	      "  --probe-key HEX    the probes' v0 MP_CAPABLE key, 16 hex digits (default 0c0c0c0c0c0c0c0c)\n"
	      "  --months A..B      months YYYY-MM..YYYY-MM, or one YYYY-MM (default 2020-07..2020-12)\n"
	      "  --ports LIST       80, 443 or 80,443 (default 80,443)\n"
	      "  --v6               also the IPv6 hitlist scans   --no-v4   only IPv6 (with --v6)\n"
	      "  --no-tracebox      scans only                    --world-only   DIR/world/ only\n"
	      "  -q, --quiet        no per-file lines on stderr\n",
	      f);
}

static int parse_month(const char *s, int *y, int *m)
{
	char *end;
	long yy = strtol(s, &end, 10);
	if (end == s || *end != '-' || yy < 1990 || yy > 2100)
		return -1;
	long mm = strtol(end + 1, &end, 10);
	if ((*end != 0 && *end != '.') || mm < 1 || mm > 12)
		return -1;
	*y = (int)yy;
	*m = (int)mm;
	return 0;
}

int main(int argc, char **argv)
{
	static struct gen g;
	const char *out = NULL, *months = "2020-07..2020-12", *ports = "80,443";
	bool v4 = true, v6 = false, tracebox = true, world_only = false;
	g.seed = 2020;
	g.scale = 1;
	g.probe_key = 0x0c0c0c0c0c0c0c0cULL;
	enum { O_SEED = 256, O_SCALE, O_KEY, O_MONTHS, O_PORTS, O_V6, O_NOV4, O_NOTB, O_WORLD };
	static const struct option lo[] = { { "out", required_argument, NULL, 'o' },
		                            { "seed", required_argument, NULL, O_SEED },
		                            { "scale", required_argument, NULL, O_SCALE },
		                            { "probe-key", required_argument, NULL, O_KEY },
		                            { "months", required_argument, NULL, O_MONTHS },
		                            { "ports", required_argument, NULL, O_PORTS },
		                            { "v6", no_argument, NULL, O_V6 },
		                            { "no-v4", no_argument, NULL, O_NOV4 },
		                            { "no-tracebox", no_argument, NULL, O_NOTB },
		                            { "world-only", no_argument, NULL, O_WORLD },
		                            { "quiet", no_argument, NULL, 'q' },
		                            { "help", no_argument, NULL, 'h' },
		                            { NULL, 0, NULL, 0 } };
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case O_SEED:
			errno = 0;
			g.seed = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "mpcap-gen: --seed: not a number: %s\n", optarg);
				return 2;
			}
			break;
		case O_SCALE:
			g.scale = strtod(optarg, &end);
			if (*end || end == optarg || !(g.scale > 0) || g.scale > 1e5) {
				fprintf(stderr, "mpcap-gen: --scale: expected a number above 0: %s\n",
				        optarg);
				return 2;
			}
			break;
		case O_KEY:
			if (strlen(optarg) != 16 || strspn(optarg, "0123456789abcdefABCDEF") != 16) {
				fprintf(stderr, "mpcap-gen: --probe-key: expected 16 hex digits: %s\n",
				        optarg);
				return 2;
			}
			g.probe_key = strtoull(optarg, NULL, 16);
			break;
		case O_MONTHS:
			months = optarg;
			break;
		case O_PORTS:
			ports = optarg;
			break;
		case O_V6:
			v6 = true;
			break;
		case O_NOV4:
			v4 = false;
			break;
		case O_NOTB:
			tracebox = false;
			break;
		case O_WORLD:
			world_only = true;
			break;
		case 'q':
			g.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (out == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	int y0, m0, y1, m1;
	const char *dots = strstr(months, "..");
	if (parse_month(months, &y0, &m0) != 0 ||
	    (dots ? parse_month(dots + 2, &y1, &m1) : (y1 = y0, m1 = m0, 0)) != 0 ||
	    y1 * 12 + m1 < y0 * 12 + m0 || y1 * 12 + m1 - (y0 * 12 + m0) > 120) {
		fprintf(stderr, "mpcap-gen: --months: expected YYYY-MM..YYYY-MM: %s\n", months);
		return 2;
	}
	int portlist[2], nports = 0;
	for (const char *p = ports; *p;) {
		long v = strtol(p, &end, 10);
		if (end == p || (v != 80 && v != 443) || nports == 2 || (*end != ',' && *end != 0)) {
			fprintf(stderr, "mpcap-gen: --ports: the world has ports 80 and 443: %s\n", ports);
			return 2;
		}
		portlist[nports++] = (int)v;
		p = *end ? end + 1 : end;
	}
	if (!v4 && !v6) {
		fprintf(stderr, "mpcap-gen: --no-v4 needs --v6\n");
		return 2;
	}
	if (strlen(out) > 3800) {
		fprintf(stderr, "mpcap-gen: --out: path too long\n");
		return 2;
	}
	snprintf(out_dir, sizeof(out_dir), "%s", out);
	mkdir_p(out_dir);
	build_world(&g.w);
	write_world(&g.w, out_dir);
	if (world_only)
		return 0;
	build_population(&g, 4);
	build_population(&g, 6);
	init_slot_perms(&g);
	for (int ym = y0 * 12 + m0 - 1; ym <= y1 * 12 + m1 - 1; ym++) {
		struct month mo = { .y = ym / 12, .m = ym % 12 + 1, .idx = ym - (2020 * 12 + 6) };
		for (int pi = 0; pi < nports; pi++) {
			for (int fam = 4; fam <= 6; fam += 2) {
				if ((fam == 4 && !v4) || (fam == 6 && !v6))
					continue;
				scan_file(&g, fam, portlist[pi], &mo);
				if (tracebox)
					tracebox_file(&g, fam, portlist[pi], &mo);
			}
		}
	}
	write_summary();
	char tmp[4300];
	FILE *f = open_out("gen-params.txt", tmp, sizeof(tmp));
	fprintf(f,
	        "generator=mpcap-gen %s\nseed=%" PRIu64 "\nscale=%g\nprobe_key=%016" PRIx64
	        "\nmonths=%s\nports=%s\nipv4=%s\nipv6=%s\ntracebox=%s\n",
	        GEN_VERSION, g.seed, g.scale, g.probe_key, months, ports, v4 ? "yes" : "no",
	        v6 ? "yes" : "no", tracebox ? "yes" : "no");
	for (int fam = 4; fam <= 6; fam += 2) {
		const struct population *P = popf(&g, fam);
		fprintf(f, "targets.v%d=%" PRIu64 "\n", fam, P->N);
		for (int pi = 0; pi < 3; pi++)
			for (int k = 0; k < C_COUNT; k++)
				if (P->ci[pi][k].sp)
					fprintf(f, "hosts.v%d.%s.%s=%" PRIu64 " weight=%g\n", fam,
					        pi == 2 ? "any" : (pi == 0 ? "p80" : "p443"), cls_name[k],
					        P->ci[pi][k].n, P->ci[pi][k].weight);
	}
	close_out(f, tmp);
	return 0;
}
