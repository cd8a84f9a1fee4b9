/*
 * host.c — a target of the synthetic Internet from its global index (see host.h): address,
 * class, presence across months. IPv6 interface identifiers follow RFC 4291 (modified EUI-64,
 * App. A) and RFC 8981 (random).
 */
#include "samples/gen/host.h"

#include <stdio.h>
#include <string.h>

#include "samples/gen/bytes.h"
#include "samples/gen/gen.h"

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

void init_slot_perms(struct gen *g)
{
	for (int p = 0; p < g->w.npfx; p++)
		perm_init(&g->w.pfx[p].slotperm, g->w.pfx[p].nvalid, h3(TAG_SLOT, g->seed, (uint64_t)p));
}

void host_at(struct gen *g, int fam, uint64_t gi, struct host *h)
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

bool host_unreachable(const struct host *h)
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

bool host_present(const struct host *h, int m)
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

void presence_text(const struct host *h, char *out, size_t n)
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
