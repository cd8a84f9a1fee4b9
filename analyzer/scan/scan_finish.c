/* scan_finish.c — what a scan decides once every packet is in (scan.h:
 * scan_finish): the last batches drained, the responses seen before any probe
 * joined, records in their canonical order, who returned which key (the key
 * groups, counted once for both uses), the probe key inferred when no probe
 * was captured, every record's verdict (verdict.h) and the targets per
 * verdict, family and port.
 *
 * Specifications: RFC 8684 §3.1 and RFC 6824 §3.1 (MP_CAPABLE keys: a
 * host's key is random, so one key returned by several hosts is a replay or
 * a shared key), RFC 9293 (SYN-ACK and RST answers), RFC 792 / RFC 4443
 * (ICMP unreachables).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/sort.h"
#include "analyzer/scan/scan.h"
#include "analyzer/scan/scan_internal.h"
#include "analyzer/scan/verdict.h"

#define INFER_MIN_HOSTS 3

static int rec_cmp(const void *a, const void *b)
{
	return target_key_cmp(&((const struct scan_target *)a)->key, &((const struct scan_target *)b)->key);
}

static int pend_cmp(const void *a, const void *b)
{
	const struct pend *x = a, *y = b;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return x->type < y->type ? -1 : x->type > y->type;
}

/* Puts what scan.state holds in its canonical order (see scan_state.c). */
static int canonical_order(struct scan *s)
{
	free(s->prerecs.slots);
	s->prerecs.slots = NULL;
	if (sort_inplace(s->prerecs.v, s->prerecs.n, sizeof *s->prerecs.v, rec_cmp) != 0 ||
	    sort_inplace(s->saved_recs, s->nsaved_recs, sizeof *s->saved_recs, rec_cmp) != 0 ||
	    sort_inplace(s->pending.v, s->pending.n, sizeof *s->pending.v, pend_cmp) != 0 ||
	    sort_inplace(s->prelog.v, s->prelog.n, sizeof *s->prelog.v, pend_cmp) != 0)
		return -1;
	return 0;
}

struct key_host {
	uint64_t key;
	uint8_t family;
	uint8_t addr[16];
};

static int key_host_cmp(const void *a, const void *b)
{
	const struct key_host *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

/* Who returned which key: (key, family, address) of every record with a
 * sender key, sorted, and for each entry the number of distinct addresses that
 * returned its key (the key's group; RFC 8684 keys are random, so a group of
 * two or more is a replay or a shared key, see verdict.h). */
struct key_groups {
	struct key_host *kh;
	uint32_t *hosts;
	size_t n;
};

static void key_groups_free(struct key_groups *g)
{
	free(g->kh);
	free(g->hosts);
}

static int key_groups_build(const struct scan *s, struct key_groups *g)
{
	size_t nrecs = s->recs.n, n = 0;
	struct key_host *kh = malloc((nrecs ? nrecs : 1) * sizeof *kh);
	uint32_t *hosts = malloc((nrecs ? nrecs : 1) * sizeof *hosts);
	g->kh = kh;
	g->hosts = hosts;
	g->n = 0;
	if (!kh || !hosts) {
		key_groups_free(g);
		return -1;
	}
	for (size_t i = 0; i < nrecs; i++) {
		const struct scan_target *t = &s->recs.v[i];
		if (t->has_mpc && t->mpc.has_sender_key) {
			kh[n].key = t->mpc.sender_key;
			kh[n].family = t->key.family;
			memcpy(kh[n].addr, t->key.addr, 16);
			n++;
		}
	}
	qsort(kh, n, sizeof *kh, key_host_cmp);
	for (size_t i = 0; i < n;) { /* one run per key */
		size_t j = i, distinct = 0;
		while (j < n && kh[j].key == kh[i].key) {
			if (j == i || key_host_cmp(&kh[j], &kh[j - 1]) != 0)
				distinct++;
			j++;
		}
		for (size_t k = i; k < j; k++)
			hosts[k] = (uint32_t)distinct;
		i = j;
	}
	g->n = n;
	return 0;
}

/* The group of key: distinct addresses that returned it, 0 when none did. */
static uint32_t key_group_of(const struct key_groups *g, uint64_t key)
{
	size_t lo = 0, hi = g->n; /* the first entry with this key */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->kh[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < g->n && g->kh[lo].key == key ? g->hosts[lo] : 0;
}

/* The key returned by the most distinct hosts, if at least INFER_MIN_HOSTS. */
static void infer_probe_key(struct scan *s, const struct key_groups *g, char *note, size_t notelen)
{
	uint64_t best = 0;
	size_t best_hosts = 0;
	for (size_t i = 0; i < g->n;) {
		if (g->hosts[i] > best_hosts) {
			best_hosts = g->hosts[i];
			best = g->kh[i].key;
		}
		size_t j = i;
		while (j < g->n && g->kh[j].key == g->kh[i].key)
			j++;
		i = j;
	}
	if (best_hosts >= INFER_MIN_HOSTS) {
		s->key_source = PROBE_KEY_INFERRED;
		s->key = best;
		snprintf(note, notelen,
		         "no probes in the capture and no --probe-key: inferred probe key %016llx, returned "
		         "by %zu "
		         "distinct hosts (give --probe-key to set it)",
		         (unsigned long long)best, best_hosts);
	} else {
		snprintf(note, notelen,
		         "no probes in the capture and no --probe-key, and no key was returned by %d or more "
		         "hosts: "
		         "probe key unknown, key_distance left empty",
		         INFER_MIN_HOSTS);
	}
}

static struct port_count *port_slot(struct scan *s, uint8_t family, uint16_t port)
{
	for (size_t i = 0; i < s->nmpc_ports; i++)
		if (s->mpc_ports[i].family == family && s->mpc_ports[i].port == port)
			return &s->mpc_ports[i];
	struct port_count *n = realloc(s->mpc_ports, (s->nmpc_ports + 1) * sizeof *n);
	if (!n)
		return NULL;
	s->mpc_ports = n;
	struct port_count *pc = &s->mpc_ports[s->nmpc_ports++];
	memset(pc, 0, sizeof *pc);
	pc->family = family;
	pc->port = port;
	return pc;
}

/* The key group and the verdict of every record. */
static void assign_verdicts(struct scan *s, const struct key_groups *g)
{
	for (size_t i = 0; i < s->recs.n; i++) {
		struct scan_target *t = &s->recs.v[i];
		t->key_group = t->has_mpc && t->mpc.has_sender_key ? key_group_of(g, t->mpc.sender_key) : 0;
		struct probe_profile p;
		scan_target_probe(s, t, &p);
		enum verdict_reason why;
		t->verdict = (uint8_t)verdict_classify(&p, t, t->key_group, &why);
		t->verdict_reason = (uint8_t)why;
	}
}

struct port_list {
	struct scan *s;
	int rc;
};

static void add_port(void *ctx, uint8_t family, uint16_t port, uint64_t n)
{
	(void)n;
	struct port_list *pl = ctx;
	if (!port_slot(pl->s, family, port))
		pl->rc = -1;
}

/* Targets per verdict and per (family, port).  A target counts once, by its
 * best answer: SYN-ACK over RST over ICMP unreachable over silence; among
 * SYN-ACKs, the verdict of its MP_CAPABLE row (one per probe version). */
static int count_verdicts(struct scan *s)
{
	struct port_list pl = { s, 0 };
	target_set_each_port(s->probed, add_port, &pl);
	target_set_each_port(s->resp.any, add_port, &pl);
	if (pl.rc != 0)
		return -1;
	for (size_t i = 0; i < s->recs.n;) {
		/* the rows of one target (one per probe version) are adjacent */
		const struct scan_target *t = &s->recs.v[i];
		size_t j = i;
		bool mpc = false, counted = false;
		struct port_count *pc = port_slot(s, t->key.family, t->key.port);
		if (!pc)
			return -1;
		while (j < s->recs.n && s->recs.v[j].key.family == t->key.family &&
		       s->recs.v[j].key.port == t->key.port &&
		       memcmp(s->recs.v[j].key.addr, t->key.addr, 16) == 0) {
			const struct scan_target *r = &s->recs.v[j++];
			if (r->response != RESP_SYNACK || !r->has_mpc)
				continue;
			mpc = true;
			if (r->verdict != VERDICT_NO_MPTCP) {
				pc->verdicts[r->verdict]++;
				counted = true;
			}
		}
		pc->n += mpc;
		s->mpc_targets += mpc;
		pc->counted += counted;
		i = j;
	}
	for (size_t i = 0; i < s->nmpc_ports; i++) {
		struct port_count *pc = &s->mpc_ports[i];
		uint8_t f = pc->family;
		uint16_t p = pc->port;
		uint64_t synack = target_set_count_port(s->resp.synack, f, p);
		pc->verdicts[VERDICT_NO_MPTCP] = synack >= pc->counted ? synack - pc->counted : 0;
		pc->verdicts[VERDICT_RST] =
		    target_set_count_port_minus(s->resp.rst, s->resp.synack, NULL, f, p);
		pc->verdicts[VERDICT_ICMP_UNREACHABLE] =
		    target_set_count_port_minus(s->resp.icmp, s->resp.synack, s->resp.rst, f, p);
		pc->verdicts[VERDICT_SILENT] =
		    target_set_count_port_minus(s->probed, s->resp.any, NULL, f, p);
	}
	return 0;
}

static int port_count_cmp(const void *a, const void *b)
{
	const struct port_count *x = a, *y = b;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

static bool pre_empty(const struct scan *s)
{
	return s->pre_packets == 0 && s->prerecs.n == 0;
}

/* The responses seen before the first probe join the scan: with no earlier
 * probe anywhere, they are answers (the responses-only rule). */
static int join_pre(struct scan *s)
{
	if (pre_empty(s))
		return 0;
	/* keep main as it was, for scan.state and later merges */
	s->saved_main.any = target_set_copy(s->resp.any);
	s->saved_main.synack = target_set_copy(s->resp.synack);
	s->saved_main.rst = target_set_copy(s->resp.rst);
	s->saved_main.icmp = target_set_copy(s->resp.icmp);
	if (!s->saved_main.any || !s->saved_main.synack || !s->saved_main.rst || !s->saved_main.icmp)
		return -1;
	if (s->recs.n && !(s->saved_recs = malloc(s->recs.n * sizeof *s->saved_recs)))
		return -1;
	if (s->recs.n)
		memcpy(s->saved_recs, s->recs.v, s->recs.n * sizeof *s->saved_recs);
	s->nsaved_recs = s->recs.n;
	s->have_saved = true;
	if (target_set_union(s->resp.any, s->pre.any) != 0 ||
	    target_set_union(s->resp.synack, s->pre.synack) != 0 ||
	    target_set_union(s->resp.rst, s->pre.rst) != 0 ||
	    target_set_union(s->resp.icmp, s->pre.icmp) != 0)
		return -1;
	for (size_t i = 0; i < s->prerecs.n; i++) {
		bool is_new;
		struct scan_target *t = scan_record_get(s, &s->recs, &s->prerecs.v[i].key, &is_new);
		if (!t)
			return -1;
		if (is_new)
			*t = s->prerecs.v[i];
		else
			scan_record_merge(t, &s->prerecs.v[i]);
	}
	return 0;
}

int scan_finish(struct scan *s, char *note, size_t notelen)
{
	if (notelen)
		note[0] = '\0';
	if (s->finished)
		return 0;
	if (scan_drain(s) != 0 || join_pre(s) != 0)
		return -1;
	s->finished = true;
	/* The index points into recs by position; sorting invalidates it, so drop it. */
	free(s->recs.slots);
	s->recs.slots = NULL;
	/* recs.v is NULL when empty: qsort(NULL, 0) is undefined */
	if ((s->recs.n && sort_inplace(s->recs.v, s->recs.n, sizeof *s->recs.v, rec_cmp) != 0) ||
	    canonical_order(s) != 0)
		return -1;
	struct key_groups g;
	if (key_groups_build(s, &g) != 0)
		return -1;
	if (s->key_source == PROBE_KEY_NONE) {
		bool keyed = false;
		for (size_t i = 0; i < s->nprofiles; i++)
			keyed |= s->profiles[i].p.has_key;
		if (keyed)
			s->key_source = PROBE_KEY_LEARNED;
		else if (!s->nprofiles)
			infer_probe_key(s, &g, note, notelen);
	}
	assign_verdicts(s, &g);
	key_groups_free(&g);
	if (count_verdicts(s) != 0)
		return -1;
	if (s->nmpc_ports) /* mpc_ports is NULL when empty */
		qsort(s->mpc_ports, s->nmpc_ports, sizeof *s->mpc_ports, port_count_cmp);
	if (!s->label_set)
		snprintf(s->label, sizeof s->label, "unknown");
	/* every answer either added its target to its type's set or was a duplicate */
	uint64_t answers = s->applied + s->pre_packets;
	uint64_t distinct =
	    target_set_count(s->resp.synack) + target_set_count(s->resp.rst) + target_set_count(s->resp.icmp);
	s->response_packets = answers + s->unsolicited;
	s->duplicates = answers >= distinct ? answers - distinct : 0;
	return 0;
}
