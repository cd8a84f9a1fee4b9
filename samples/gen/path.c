/*
 * path.c — builds the path from the scanner to a host (see path.h), deterministic per host:
 * routers with their quoting style (RFC 792 8-byte quotes, RFC 1812 §4.3.2.3 longer ones, RFC
 * 4884 extensions with an MPLS label stack object, RFC 4950), reachable paths never hold three
 * silent routers in a row (the prober's gap limit), and a modifying box sits just before a fully
 * quoting router.
 */
#include "samples/gen/path.h"

#include <string.h>

#include "samples/gen/bytes.h"
#include "samples/gen/gen.h"
#include "samples/gen/responder.h"

const char *const change_name[] = {
	"", "removed", "replaced-by-nops", "key-changed", "flags-changed", "version-changed"
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

void scanner_addr(const struct world *w, int fam, uint8_t *a)
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
void build_path(const struct gen *g, const struct host *h, struct path *P)
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

const char *tracebox_class(const struct host *h)
{
	if (!cls_traced(h->cls))
		return "untraced";
	if (host_unreachable(h))
		return "unreachable";
	return h->cls == C_MPTCP ? "true-mptcp" : "middlebox";
}

uint64_t rtt_us(int region, int i, int H, uint64_t h)
{
	return 250 + (uint64_t)i * 700 + (uint64_t)(region_latency_ms[region] * 1000.0 * i / H) + h % 400;
}
