/* scan.c — probes matched to responses per target (RFC 9293 handshake,
 * RFC 792 / RFC 4443 unreachables, RFC 6824 / RFC 8684 MP_CAPABLE).
 * See scan.h for the model. */
#include "scan.h"

#include "dissect.h"
#include "tcp.h"
#include "verdict.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LINKTYPES 32
#define PROFILE_DEDUP_LIMIT 256 /* beyond this many distinct probe options, stop de-duplicating */
#define INFER_MIN_HOSTS 3

struct linkcount {
	int dlt;
	uint64_t n;
};

struct port_count {
	uint8_t family;
	uint16_t port;
	uint64_t n;                       /* distinct MP_CAPABLE responders */
	uint64_t counted;                 /* of which with a verdict other than no-mptcp */
	uint64_t verdicts[VERDICT_COUNT]; /* targets per verdict on this family and port */
};

struct scan {
	struct scan_config cfg;
	char label[64];
	bool label_set;

	uint64_t packets;
	struct linkcount links[MAX_LINKTYPES];
	size_t nlinks;
	uint64_t skips[SKIP_REASON_COUNT];
	uint64_t notes[NOTE_COUNT];
	uint64_t probe_packets, response_packets, duplicates, unsolicited;
	uint64_t icmp_time_exceeded, icmp_unreachable, mpc_options, mpc_in_quotes;

	struct probe_profile *profiles;
	size_t nprofiles, capprofiles;
	uint32_t last_profile;
	struct target_map *probe_map; /* (target, aux = scanner port) -> profile; only with >1 profile */
	struct target_map *scanners;  /* scanner addresses (port 0) */

	struct target_set *probed, *resp_any, *resp_synack, *resp_rst, *resp_icmp;

	struct target_map *rec_index; /* record key -> index in recs */
	struct scan_target *recs;
	size_t nrecs, caprecs;

	enum probe_key_source key_source;
	uint64_t key; /* given or inferred */
	struct port_count *mpc_ports;
	size_t nmpc_ports;
	uint64_t mpc_targets;
	bool finished;
};

static const struct counter_doc counter_docs[] = {
	{ "packets.total", "records read (after the -f filter)" },
	{ "packets.linktype.NAME",
	  "records per link type (libpcap's DLT name, e.g. EN10MB, RAW, LINUX_SLL)" },
	{ "skipped.REASON",
	  "records not dissected to TCP/ICMP, by reason: linktype-unsupported, link-truncated, "
	  "not-ip (ARP, LLDP...), ip-truncated, ip-malformed, ip-fragment (non-first fragments), "
	  "ipv6-ext-chain (extension header chain truncated or longer than 8), other-proto "
	  "(UDP...), tcp-truncated, tcp-malformed (data offset below 20 bytes), icmp-truncated" },
	{ "notes.NOTE",
	  "records used but noteworthy: tcp-options-malformed (the option walk stopped at a bad "
	  "length), tcp-options-truncated (options cut by the snap length), mpc-anomaly, "
	  "icmp-quote-unparsed" },
	{ "probes.packets", "TCP SYNs without ACK (probes, retransmissions included)" },
	{ "probes.distinct-options", "distinct probe option blocks (1 for a static-key scan)" },
	{ "probes.scanner-addresses", "distinct source addresses of probes" },
	{ "probes.key-source.SOURCE",
	  "1 for where the probe key came from: learned, given, inferred or unknown" },
	{ "responses.packets", "SYN-ACK, RST and ICMP-unreachable packets sent to a scanner address" },
	{ "responses.duplicate", "responses from a target that had already answered the same way" },
	{ "responses.unsolicited", "responses from targets never probed (when the capture holds probes)" },
	{ "icmp.time-exceeded", "ICMP/ICMPv6 time-exceeded messages" },
	{ "icmp.unreachable", "ICMP/ICMPv6 destination-unreachable messages" },
	{ "mpcapable.options", "MP_CAPABLE options in any packet, quoted ones included" },
	{ "mpcapable.options-in-icmp-quotes", "MP_CAPABLE options inside ICMP quotes" },
	{ "targets.probed", "distinct targets (address, port) probed; also per family and port" },
	{ "targets.responsive", "distinct targets that answered in any way; also per family and port" },
	{ "targets.responsive.TYPE",
	  "distinct targets that answered with TYPE: synack, rst, icmp-unreachable" },
	{ "targets.mpcapable",
	  "distinct targets whose SYN-ACK carried MP_CAPABLE; also per family and port" },
	{ "verdict.VERDICT",
	  "targets per verdict (docs/methodology.md): mptcp, replay, modified, shared-key, "
	  "no-mptcp, rst, icmp-unreachable, silent; a target counts once by its best answer "
	  "(SYN-ACK, then RST, then ICMP), except that a target probed with both MP_CAPABLE "
	  "versions counts once per version that drew an MP_CAPABLE; also per family and port" },
};

const struct counter_doc *scan_counter_docs(size_t *n)
{
	*n = sizeof counter_docs / sizeof counter_docs[0];
	return counter_docs;
}

const char *response_type_name(enum response_type r)
{
	switch (r) {
	case RESP_SYNACK:
		return "synack";
	case RESP_RST:
		return "rst";
	case RESP_ICMP_UNREACHABLE:
		return "icmp-unreachable";
	default:
		return "";
	}
}

struct scan *scan_new(const struct scan_config *cfg, char *err, size_t errlen)
{
	struct scan *s = calloc(1, sizeof *s);
	if (!s)
		goto oom;
	s->cfg = *cfg;
	if (cfg->label) {
		snprintf(s->label, sizeof s->label, "%s", cfg->label);
		s->label_set = true;
	}
	if (cfg->probe_key_given) {
		s->key_source = PROBE_KEY_GIVEN;
		s->key = cfg->probe_key;
	}
	s->scanners = target_map_new();
	s->probed = target_set_new();
	s->resp_any = target_set_new();
	s->resp_synack = target_set_new();
	s->resp_rst = target_set_new();
	s->resp_icmp = target_set_new();
	s->rec_index = target_map_new();
	if (!s->scanners || !s->probed || !s->resp_any || !s->resp_synack || !s->resp_rst || !s->resp_icmp ||
	    !s->rec_index)
		goto oom;
	return s;
oom:
	scan_free(s);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

void scan_free(struct scan *s)
{
	if (!s)
		return;
	free(s->profiles);
	target_map_free(s->probe_map);
	target_map_free(s->scanners);
	target_set_free(s->probed);
	target_set_free(s->resp_any);
	target_set_free(s->resp_synack);
	target_set_free(s->resp_rst);
	target_set_free(s->resp_icmp);
	target_map_free(s->rec_index);
	free(s->recs);
	free(s->mpc_ports);
	free(s);
}

static void count_linktype(struct scan *s, int dlt)
{
	for (size_t i = 0; i < s->nlinks; i++) {
		if (s->links[i].dlt == dlt) {
			s->links[i].n++;
			return;
		}
	}
	if (s->nlinks < MAX_LINKTYPES) {
		s->links[s->nlinks].dlt = dlt;
		s->links[s->nlinks].n = 1;
		s->nlinks++;
	}
}

static void set_label(struct scan *s, int64_t sec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	if (gmtime_r(&t, &tm) && strftime(s->label, sizeof s->label, "%Y-%m", &tm) > 0)
		s->label_set = true;
}

static void profile_from_tcp(const struct tcp_info *tcp, struct probe_profile *p)
{
	memset(p, 0, sizeof *p);
	if (tcp->n_mpc) {
		const struct mpc_option *m = &tcp->mpc[0];
		p->has_mpc = true;
		p->mpc_version = m->version;
		p->mpc_length = m->length;
		p->mpc_flags = m->flags;
		p->has_key = m->has_sender_key;
		p->key = m->has_sender_key ? m->sender_key : 0;
	}
	p->options_len = tcp->options_len;
	memcpy(p->options, tcp->options, tcp->options_len);
	/* a probe's TSval changes with every probe: not part of its identity */
	tcp_options_zero_timestamps(p->options, p->options_len);
}

static bool profile_equal(const struct probe_profile *a, const struct probe_profile *b)
{
	return a->has_mpc == b->has_mpc && a->mpc_version == b->mpc_version &&
	       a->mpc_length == b->mpc_length && a->mpc_flags == b->mpc_flags && a->has_key == b->has_key &&
	       a->key == b->key && a->options_len == b->options_len &&
	       memcmp(a->options, b->options, a->options_len) == 0;
}

/* Returns the profile index, or -1 when out of memory. */
static int64_t profile_find_or_add(struct scan *s, const struct probe_profile *p)
{
	if (s->nprofiles && profile_equal(&s->profiles[s->last_profile], p))
		return s->last_profile;
	size_t lim = s->nprofiles < PROFILE_DEDUP_LIMIT ? s->nprofiles : PROFILE_DEDUP_LIMIT;
	for (size_t i = 0; i < lim; i++) {
		if (profile_equal(&s->profiles[i], p)) {
			s->last_profile = (uint32_t)i;
			return (int64_t)i;
		}
	}
	if (s->nprofiles == UINT32_MAX - 1)
		return -1;
	if (s->nprofiles == s->capprofiles) {
		size_t nc = s->capprofiles ? s->capprofiles * 2 : 4;
		struct probe_profile *n = realloc(s->profiles, nc * sizeof *n);
		if (!n)
			return -1;
		s->profiles = n;
		s->capprofiles = nc;
	}
	s->profiles[s->nprofiles] = *p;
	s->last_profile = (uint32_t)s->nprofiles;
	return (int64_t)s->nprofiles++;
}

static int add_probe(struct scan *s, const struct packet *pkt)
{
	const struct ip_info *ip = &pkt->ip;
	struct probe_profile prof;
	profile_from_tcp(&pkt->tcp, &prof);
	int64_t idx = profile_find_or_add(s, &prof);
	if (idx < 0)
		return -1;
	s->probe_packets++;
	struct target_key sk = target_key_make(ip->family, ip->src, 0);
	if (!target_map_get(s->scanners, &sk, true, 0, NULL))
		return -1;
	if (target_set_add(s->probed, ip->family, ip->dst, pkt->tcp.dport) < 0)
		return -1;
	if (idx != 0 && !s->probe_map && !(s->probe_map = target_map_new()))
		return -1;
	if (s->probe_map) {
		struct target_key k = target_key_make(ip->family, ip->dst, pkt->tcp.dport);
		k.aux = pkt->tcp.sport;
		uint32_t *v = target_map_get(s->probe_map, &k, true, 0, NULL);
		if (!v)
			return -1;
		*v = (uint32_t)idx;
	}
	return 0;
}

/* The profile of the probe to (family, target addr, port) from scanner port sport. */
static uint32_t probe_profile_of(const struct scan *s, uint8_t family, const uint8_t *addr, uint16_t port,
                                 uint16_t sport)
{
	if (!s->nprofiles)
		return UINT32_MAX;
	if (!s->probe_map)
		return 0;
	struct target_key k = target_key_make(family, addr, port);
	k.aux = sport;
	uint32_t *v = target_map_get(s->probe_map, &k, false, 0, NULL);
	return v ? *v : 0;
}

static bool is_scanner(const struct scan *s, uint8_t family, const uint8_t *addr)
{
	if (!s->nprofiles)
		return true; /* responses-only capture: every destination is the scanner */
	struct target_key k = target_key_make(family, addr, 0);
	return target_map_get(s->scanners, &k, false, 0, NULL) != NULL;
}

static struct scan_target *record_get(struct scan *s, uint8_t family, const uint8_t *addr, uint16_t port,
                                      uint32_t profile, bool *is_new)
{
	struct target_key k = target_key_make(family, addr, port);
	if (profile != UINT32_MAX && s->profiles[profile].has_mpc)
		k.extra = (uint8_t)(s->profiles[profile].mpc_version + 1);
	if (s->nrecs == s->caprecs) {
		size_t nc = s->caprecs ? s->caprecs * 2 : 256;
		struct scan_target *n = realloc(s->recs, nc * sizeof *n);
		if (!n)
			return NULL;
		s->recs = n;
		s->caprecs = nc;
	}
	uint32_t *v = target_map_get(s->rec_index, &k, true, (uint32_t)s->nrecs, is_new);
	if (!v)
		return NULL;
	struct scan_target *t = &s->recs[*v];
	if (*is_new) {
		memset(t, 0, sizeof *t);
		t->key = k;
		t->profile = profile;
		s->nrecs++;
	}
	return t;
}

static void fill_from_response(struct scan_target *t, const struct packet *pkt, enum response_type r)
{
	t->response = (uint8_t)r;
	t->ttl = pkt->ip.ttl;
	t->first_sec = pkt->ts_sec;
	t->first_nsec = pkt->ts_nsec;
	t->has_mpc = r == RESP_SYNACK && pkt->tcp.n_mpc > 0;
	if (t->has_mpc)
		t->mpc = pkt->tcp.mpc[0];
	if (r != RESP_ICMP_UNREACHABLE) {
		t->options_len = pkt->tcp.options_len;
		memcpy(t->options, pkt->tcp.options, pkt->tcp.options_len);
	}
}

static int add_response(struct scan *s, const struct packet *pkt, enum response_type r, uint8_t family,
                        const uint8_t *target, uint16_t port, const uint8_t *scanner, uint16_t sport)
{
	if (!is_scanner(s, family, scanner))
		return 0; /* e.g. the scanner's own RST towards the target */
	s->response_packets++;
	if (s->nprofiles && !target_set_contains(s->probed, family, target, port)) {
		s->unsolicited++;
		return 0;
	}
	struct target_set *set = r == RESP_SYNACK ? s->resp_synack
	                         : r == RESP_RST  ? s->resp_rst
	                                          : s->resp_icmp;
	int added = target_set_add(set, family, target, port);
	if (added < 0 || target_set_add(s->resp_any, family, target, port) < 0)
		return -1;
	if (!added)
		s->duplicates++;
	bool record = s->cfg.all_responders || (r == RESP_SYNACK && pkt->tcp.n_mpc > 0);
	if (!record)
		return 0;
	uint32_t prof = probe_profile_of(s, family, target, port, sport);
	bool is_new;
	struct scan_target *t = record_get(s, family, target, port, prof, &is_new);
	if (!t)
		return -1;
	if (is_new) {
		fill_from_response(t, pkt, r);
	} else if (t->response < r) {
		int64_t sec = t->first_sec;
		uint32_t nsec = t->first_nsec;
		fill_from_response(t, pkt, r);
		t->first_sec = sec;
		t->first_nsec = nsec;
	}
	t->responses++;
	return 0;
}

int scan_add(struct scan *s, const struct packet *pkt, char *err, size_t errlen)
{
	s->packets++;
	count_linktype(s, pkt->linktype);
	for (int n = 0; n < NOTE_COUNT; n++)
		if (pkt->notes & (1u << n))
			s->notes[n]++;
	if (pkt->skip != SKIP_NONE) {
		if ((unsigned)pkt->skip < SKIP_REASON_COUNT)
			s->skips[pkt->skip]++;
		return 0;
	}
	if (!s->label_set)
		set_label(s, pkt->ts_sec);
	const struct ip_info *ip = &pkt->ip;
	int rc = 0;
	if (pkt->tcp.present) {
		const struct tcp_info *tcp = &pkt->tcp;
		s->mpc_options += tcp->n_mpc;
		uint8_t f = tcp->flags;
		if ((f & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) == TCP_FLAG_SYN)
			rc = add_probe(s, pkt);
		else if ((f & (TCP_FLAG_SYN | TCP_FLAG_ACK | TCP_FLAG_RST)) == (TCP_FLAG_SYN | TCP_FLAG_ACK))
			rc = add_response(s, pkt, RESP_SYNACK, ip->family, ip->src, tcp->sport, ip->dst,
			                  tcp->dport);
		else if (f & TCP_FLAG_RST)
			rc = add_response(s, pkt, RESP_RST, ip->family, ip->src, tcp->sport, ip->dst,
			                  tcp->dport);
	} else if (pkt->icmp.present) {
		const struct icmp_info *ic = &pkt->icmp;
		unsigned quoted_mpc = ic->has_quote && ic->quoted_tcp.present ? ic->quoted_tcp.n_mpc : 0;
		s->mpc_options += quoted_mpc;
		s->mpc_in_quotes += quoted_mpc;
		if (ic->kind == ICMP_KIND_TIME_EXCEEDED)
			s->icmp_time_exceeded++;
		if (ic->kind == ICMP_KIND_UNREACHABLE) {
			s->icmp_unreachable++;
			const struct ip_info *q = &ic->quoted_ip;
			const struct tcp_info *qt = &ic->quoted_tcp;
			if (ic->has_quote && q->proto == 6 && qt->present &&
			    (!qt->full_header || (qt->flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN))
				rc = add_response(s, pkt, RESP_ICMP_UNREACHABLE, q->family, q->dst, qt->dport,
				                  q->src, qt->sport);
		}
	}
	if (rc < 0)
		snprintf(err, errlen, "out of memory after %llu packets", (unsigned long long)s->packets);
	return rc;
}

static int rec_cmp(const void *a, const void *b)
{
	return target_key_cmp(&((const struct scan_target *)a)->key, &((const struct scan_target *)b)->key);
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

/* The key returned by the most distinct hosts, if at least INFER_MIN_HOSTS. */
static void infer_probe_key(struct scan *s, char *note, size_t notelen)
{
	struct key_host *kh = malloc((s->nrecs ? s->nrecs : 1) * sizeof *kh);
	size_t n = 0;
	if (!kh)
		return;
	for (size_t i = 0; i < s->nrecs; i++) {
		const struct scan_target *t = &s->recs[i];
		if (t->has_mpc && t->mpc.has_sender_key) {
			kh[n].key = t->mpc.sender_key;
			kh[n].family = t->key.family;
			memcpy(kh[n].addr, t->key.addr, 16);
			n++;
		}
	}
	qsort(kh, n, sizeof *kh, key_host_cmp);
	uint64_t best = 0;
	size_t best_hosts = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i, hosts = 0;
		while (j < n && kh[j].key == kh[i].key) {
			if (j == i || key_host_cmp(&kh[j], &kh[j - 1]) != 0)
				hosts++;
			j++;
		}
		if (hosts > best_hosts) {
			best_hosts = hosts;
			best = kh[i].key;
		}
		i = j;
	}
	free(kh);
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

/* Key groups (distinct addresses per key) and the verdict of every record. */
static int assign_verdicts(struct scan *s)
{
	struct key_host *kh = malloc((s->nrecs ? s->nrecs : 1) * sizeof *kh);
	uint32_t *groups = malloc((s->nrecs ? s->nrecs : 1) * sizeof *groups);
	if (!kh || !groups) {
		free(kh);
		free(groups);
		return -1;
	}
	size_t n = 0;
	for (size_t i = 0; i < s->nrecs; i++) {
		const struct scan_target *t = &s->recs[i];
		if (t->has_mpc && t->mpc.has_sender_key) {
			kh[n].key = t->mpc.sender_key;
			kh[n].family = t->key.family;
			memcpy(kh[n].addr, t->key.addr, 16);
			n++;
		}
	}
	qsort(kh, n, sizeof *kh, key_host_cmp);
	/* groups[j] = distinct addresses of the key run containing kh[j] */
	for (size_t i = 0; i < n;) {
		size_t j = i, hosts = 0;
		while (j < n && kh[j].key == kh[i].key) {
			if (j == i || key_host_cmp(&kh[j], &kh[j - 1]) != 0)
				hosts++;
			j++;
		}
		for (size_t k = i; k < j; k++)
			groups[k] = (uint32_t)hosts;
		i = j;
	}
	for (size_t i = 0; i < s->nrecs; i++) {
		struct scan_target *t = &s->recs[i];
		t->key_group = 0;
		if (t->has_mpc && t->mpc.has_sender_key) {
			struct key_host probe = { .key = t->mpc.sender_key, .family = 0 };
			/* binary search for the first entry with this key */
			size_t lo = 0, hi = n;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (kh[mid].key < probe.key)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < n && kh[lo].key == probe.key)
				t->key_group = groups[lo];
		}
		struct probe_profile p;
		scan_target_probe(s, t, &p);
		enum verdict_reason why;
		t->verdict = (uint8_t)verdict_classify(&p, t, t->key_group, &why);
		t->verdict_reason = (uint8_t)why;
	}
	free(kh);
	free(groups);
	return 0;
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
	target_set_each_port(s->resp_any, add_port, &pl);
	if (pl.rc != 0)
		return -1;
	for (size_t i = 0; i < s->nrecs;) {
		/* the rows of one target (one per probe version) are adjacent */
		const struct scan_target *t = &s->recs[i];
		size_t j = i;
		bool mpc = false, counted = false;
		struct port_count *pc = port_slot(s, t->key.family, t->key.port);
		if (!pc)
			return -1;
		while (j < s->nrecs && s->recs[j].key.family == t->key.family &&
		       s->recs[j].key.port == t->key.port &&
		       memcmp(s->recs[j].key.addr, t->key.addr, 16) == 0) {
			const struct scan_target *r = &s->recs[j++];
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
		uint64_t synack = target_set_count_port(s->resp_synack, f, p);
		pc->verdicts[VERDICT_NO_MPTCP] = synack >= pc->counted ? synack - pc->counted : 0;
		pc->verdicts[VERDICT_RST] =
		    target_set_count_port_minus(s->resp_rst, s->resp_synack, NULL, f, p);
		pc->verdicts[VERDICT_ICMP_UNREACHABLE] =
		    target_set_count_port_minus(s->resp_icmp, s->resp_synack, s->resp_rst, f, p);
		pc->verdicts[VERDICT_SILENT] =
		    target_set_count_port_minus(s->probed, s->resp_any, NULL, f, p);
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

int scan_finish(struct scan *s, char *note, size_t notelen)
{
	if (notelen)
		note[0] = '\0';
	if (s->finished)
		return 0;
	s->finished = true;
	/* The index points into recs by position; sorting invalidates it, so drop it. */
	target_map_free(s->rec_index);
	s->rec_index = NULL;
	if (s->nrecs)
		qsort(s->recs, s->nrecs, sizeof *s->recs, rec_cmp);
	if (s->key_source == PROBE_KEY_NONE) {
		bool keyed = false;
		for (size_t i = 0; i < s->nprofiles; i++)
			keyed |= s->profiles[i].has_key;
		if (keyed)
			s->key_source = PROBE_KEY_LEARNED;
		else if (!s->nprofiles)
			infer_probe_key(s, note, notelen);
	}
	if (assign_verdicts(s) != 0)
		return -1;
	if (count_verdicts(s) != 0)
		return -1;
	if (s->nmpc_ports)
		qsort(s->mpc_ports, s->nmpc_ports, sizeof *s->mpc_ports, port_count_cmp);
	if (!s->label_set)
		snprintf(s->label, sizeof s->label, "unknown");
	return 0;
}

const char *scan_label(const struct scan *s)
{
	return s->label_set ? s->label : "unknown";
}

enum probe_key_source scan_probe_key_source(const struct scan *s)
{
	return s->key_source;
}

size_t scan_target_count(const struct scan *s)
{
	return s->nrecs;
}

const struct scan_target *scan_target_at(const struct scan *s, size_t i)
{
	return i < s->nrecs ? &s->recs[i] : NULL;
}

void scan_target_probe(const struct scan *s, const struct scan_target *t, struct probe_profile *out)
{
	if (t->profile != UINT32_MAX && t->profile < s->nprofiles) {
		*out = s->profiles[t->profile];
		return;
	}
	memset(out, 0, sizeof *out);
	if (s->key_source == PROBE_KEY_GIVEN || s->key_source == PROBE_KEY_INFERRED) {
		out->has_mpc = true;
		out->mpc_version = 0;
		out->mpc_length = 12;
		out->has_key = true;
		out->key = s->key;
	}
}

struct port_emit {
	scan_counter_fn fn;
	void *ctx;
	const char *name;
};

static void emit_port(void *ctx, uint8_t family, uint16_t port, uint64_t n)
{
	struct port_emit *pe = ctx;
	pe->fn(pe->ctx, pe->name, family, port, n);
}

static void emit_set(scan_counter_fn fn, void *ctx, const char *name, const struct target_set *set)
{
	fn(ctx, name, 0, 0, target_set_count(set));
	struct port_emit pe = { fn, ctx, name };
	target_set_each_port(set, emit_port, &pe);
}

static const char *key_source_name(enum probe_key_source k)
{
	switch (k) {
	case PROBE_KEY_LEARNED:
		return "learned";
	case PROBE_KEY_GIVEN:
		return "given";
	case PROBE_KEY_INFERRED:
		return "inferred";
	default:
		return "unknown";
	}
}

void scan_each_counter(const struct scan *s, scan_counter_fn fn, void *ctx)
{
	char name[96];
	fn(ctx, "packets.total", 0, 0, s->packets);
	for (size_t i = 0; i < s->nlinks; i++) {
		const char *ln = pcap_datalink_val_to_name(s->links[i].dlt);
		if (ln)
			snprintf(name, sizeof name, "packets.linktype.%s", ln);
		else
			snprintf(name, sizeof name, "packets.linktype.%d", s->links[i].dlt);
		fn(ctx, name, 0, 0, s->links[i].n);
	}
	for (int r = 1; r < SKIP_REASON_COUNT; r++) {
		snprintf(name, sizeof name, "skipped.%s", skip_reason_name((enum skip_reason)r));
		fn(ctx, name, 0, 0, s->skips[r]);
	}
	for (int n = 0; n < NOTE_COUNT; n++) {
		snprintf(name, sizeof name, "notes.%s", dissect_note_name((enum dissect_note)n));
		fn(ctx, name, 0, 0, s->notes[n]);
	}
	fn(ctx, "probes.packets", 0, 0, s->probe_packets);
	fn(ctx, "probes.distinct-options", 0, 0, s->nprofiles);
	fn(ctx, "probes.scanner-addresses", 0, 0, target_map_count(s->scanners));
	snprintf(name, sizeof name, "probes.key-source.%s", key_source_name(s->key_source));
	fn(ctx, name, 0, 0, 1);
	fn(ctx, "responses.packets", 0, 0, s->response_packets);
	fn(ctx, "responses.duplicate", 0, 0, s->duplicates);
	fn(ctx, "responses.unsolicited", 0, 0, s->unsolicited);
	fn(ctx, "icmp.time-exceeded", 0, 0, s->icmp_time_exceeded);
	fn(ctx, "icmp.unreachable", 0, 0, s->icmp_unreachable);
	fn(ctx, "mpcapable.options", 0, 0, s->mpc_options);
	fn(ctx, "mpcapable.options-in-icmp-quotes", 0, 0, s->mpc_in_quotes);
	emit_set(fn, ctx, "targets.probed", s->probed);
	emit_set(fn, ctx, "targets.responsive", s->resp_any);
	emit_set(fn, ctx, "targets.responsive.synack", s->resp_synack);
	emit_set(fn, ctx, "targets.responsive.rst", s->resp_rst);
	emit_set(fn, ctx, "targets.responsive.icmp-unreachable", s->resp_icmp);
	fn(ctx, "targets.mpcapable", 0, 0, s->mpc_targets);
	for (size_t i = 0; i < s->nmpc_ports; i++)
		if (s->mpc_ports[i].n)
			fn(ctx, "targets.mpcapable", s->mpc_ports[i].family, s->mpc_ports[i].port,
			   s->mpc_ports[i].n);
	for (int v = 0; v < VERDICT_COUNT; v++) {
		uint64_t total = 0;
		for (size_t i = 0; i < s->nmpc_ports; i++)
			total += s->mpc_ports[i].verdicts[v];
		snprintf(name, sizeof name, "verdict.%s", verdict_name((enum verdict)v));
		fn(ctx, name, 0, 0, total);
		for (size_t i = 0; i < s->nmpc_ports; i++)
			if (s->mpc_ports[i].verdicts[v])
				fn(ctx, name, s->mpc_ports[i].family, s->mpc_ports[i].port,
				   s->mpc_ports[i].verdicts[v]);
	}
}

void scan_target_sets(const struct scan *s, const char *names[SCAN_SET_COUNT],
                      struct target_set *sets[SCAN_SET_COUNT])
{
	static const char *const n[SCAN_SET_COUNT] = { "probed", "responsive", "synack", "rst",
		                                       "icmp-unreachable" };
	struct target_set *const v[SCAN_SET_COUNT] = { s->probed, s->resp_any, s->resp_synack, s->resp_rst,
		                                       s->resp_icmp };
	for (int i = 0; i < SCAN_SET_COUNT; i++) {
		names[i] = n[i];
		sets[i] = v[i];
	}
}
