/*
 * world.c — builds the synthetic Internet's world and writes its files (see world.h): CAIDA
 * RouteViews pfx2as text format (multi-origin "a_b" and AS-set "a,b" origins included), AS names
 * and countries as RFC 4180 CSV, and one RIR statistics exchange file (delegated-extended) per
 * registry. IPv4 space from 240.0.0.0/4 (reserved, never routed), IPv6 from 3fff::/20 (RFC 9637,
 * documentation).
 */
#include "samples/gen/world.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samples/gen/bytes.h"
#include "samples/gen/output.h"

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

/* The ASes the study names (docs/reproduce.md, "The published numbers"), with their real numbers and names;
 * share_* are their shares of their country's true MPTCP hosts, responsive space and middleboxes. */
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

static const char *const rir_names[] = { "arin", "ripencc", "apnic", "lacnic", "afrinic" };

static int country_index(const char *cc)
{
	for (int i = 0; i < NCOUNTRIES; i++)
		if (strcmp(world_countries[i].cc, cc) == 0)
			return i;
	return -1;
}

int rir_index(const char *rir)
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
void build_world(struct world *w)
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

void addr_text(int fam, const uint8_t *b, char *out, size_t n)
{
	inet_ntop(fam == 4 ? AF_INET : AF_INET6, b, out, (socklen_t)n);
}

void prefix_text(const struct prefix *p, char *out, size_t n)
{
	uint8_t b[16];
	if (p->fam == 4) {
		put32(b, p->a4);
		addr_text(4, b, out, n);
	} else {
		addr_text(6, p->a6, out, n);
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

void write_world(const struct world *w, const char *dir)
{
	char sub[4200], tmp[4300];
	snprintf(sub, sizeof(sub), "%.3800s/world", dir);
	mkdir_p(sub);
	int order[MAX_PFX], n = 0;
	for (int p = 0; p < w->npfx; p++)
		order[n++] = p;
	qsort_r(order, (size_t)n, sizeof(int), cmp_pfx_sort, (void *)w);
	for (int fam = 4; fam <= 6; fam += 2) {
		FILE *f = open_out(sub, fam == 4 ? "pfx2as-v4.txt" : "pfx2as-v6.txt", tmp, sizeof(tmp));
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
	FILE *f = open_out(sub, "as-names.csv", tmp, sizeof(tmp));
	fputs("asn,name\n", f);
	for (int a = 0; a < w->nas; a++) {
		fprintf(f, "%" PRIu32 ",", w->as[a].asn);
		csv_field(f, w->as[a].name);
		fputc('\n', f);
	}
	close_out(f, tmp);
	f = open_out(sub, "countries.csv", tmp, sizeof(tmp));
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
		f = open_out(sub, name, tmp, sizeof(tmp));
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
}
