/* scan_internal.h — the scan state, shared by scan.c (streaming),
 * scan_finish.c (what a scan decides at the end), scan_counters.c (what it
 * shows), scan_merge.c (exact merge of pieces) and scan_state.c (DIR/scan.state).
 * Not an interface: other modules use scan.h.
 *
 * The state of a piece of a scan has three parts:
 *   main     probes, and the responses known to answer a probe of this piece
 *            (sets, records, counters);
 *   pending  responses that did not count as answers here — their scanner
 *            address or their probe was not (yet) seen in this piece — kept
 *            with what a merge needs to decide them again;
 *   pre      responses seen before the piece's first probe: a capture without
 *            probes counts every such response, so they are applied to a
 *            separate substate (sets, records, counters) that joins main when
 *            the scan turns out to have no earlier probe, and are logged (up
 *            to PRE_LOG_MAX) for the merge that finds one.
 */
#ifndef MPCAP_SCAN_INTERNAL_H
#define MPCAP_SCAN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/scan/scan.h"
#include "analyzer/scan/target_key.h"
#include "analyzer/scan/target_map.h"
#include "analyzer/scan/target_set.h"
#include "analyzer/scan/verdict.h"

#define SEQ_NONE UINT64_MAX
#define MAX_LINKTYPES 32
#define SCANNERS_LINEAR 16     /* up to this many scanner addresses: linear search */
#define PEND_MAX (1u << 21)    /* pending responses kept for merges (2 Mi, ~120 MiB at most) */
#define PRE_LOG_MAX (1u << 20) /* responses before the first probe kept for merges */
#define WINDOW_BITS 19         /* event index bits of a window key */
#define WINDOW_EVENTS ((1u << WINDOW_BITS) - 1) /* IPv4 probes + responses per window */
#define WINDOW_PORTS 255                        /* distinct ports per window */
#define ADDBUF_MAX (1u << 20)                   /* IPv4 answers batched before a sorted bulk add */
#define STAGE_MAX (1u << 21)                    /* probed IPv4 targets staged (see struct stage) */
#define WINDOW_PAYLOADS (1u << 15)              /* record-worthy responses per window */

/* pending flags */
enum {
	PF_SCANNER = 1u << 0, /* the destination was a scanner address in this piece at the time */
	PF_PROBED = 1u << 1,  /* the target had been probed in this piece at the time */
	PF_PRE = 1u << 2,     /* seen before the piece's first probe (the pre log) */
	PF_RECORD = 1u << 3,  /* record-worthy: the payload index is valid */
	PF_ASSUMED = 1u << 4, /* profile known for the target, not for its scanner port */
};

/* What a record keeps of one response. */
struct resp_payload {
	uint8_t response; /* enum response_type */
	uint8_t ttl;
	bool has_mpc;
	uint8_t options_len;
	struct mpc_option mpc;
	uint8_t options[TCP_OPTIONS_MAX];
	int64_t sec;
	uint32_t nsec;
};

/* A response kept for a later decision (pending or pre log). */
struct pend {
	uint64_t seq;
	uint8_t family, type, flags;
	uint16_t port, sport;
	uint8_t target[16], scanner[16];
	uint32_t profile; /* probe profile when PF_PROBED (this piece's), else UINT32_MAX */
	uint32_t payload; /* index into payloads when PF_RECORD */
};

struct pendlist {
	struct pend *v;
	size_t n, cap;
	bool overflow;          /* entries were dropped (more than the limit) */
	uint64_t first_dropped; /* seq of the first dropped entry */
};

struct linkcount {
	int dlt;
	uint64_t n;
	uint64_t first_seq;
};

struct profile_entry {
	struct probe_profile p;
	uint64_t first_seq;
};

struct scanner_addr {
	uint8_t family;
	uint8_t addr[16];
	uint64_t first_seq;
};

struct scan_file {
	char *name; /* base name */
	int64_t size;
};

/* Records with an open-addressing index of positions (8 bytes a slot: 32
 * bits of the key's hash and the position; the key is the record's own). */
struct recset {
	uint64_t *slots; /* hash bits << 32 | position + 1, 0 empty; NULL once the records are sorted */
	size_t nslots;   /* power of two */
	struct scan_target *v;
	size_t n, cap;
};

struct respsets {
	struct target_set *any, *synack, *rst, *icmp;
};

/* IPv4 answers waiting to join the response sets in a sorted batch:
 * port << 34 | address << 2 | type. */
struct addbuf {
	uint64_t *v;
	size_t n, cap;
};

/* Probed IPv4 targets between the window and the probed set: per port a
 * sorted array of addresses without repeats, merged in place with each
 * window, joining the set (one sorted bulk merge per chunk) only every
 * STAGE_MAX targets, so that the set's scattered chunks are visited rarely. */
struct stage_port {
	uint16_t port;
	uint32_t *v;
	size_t n, cap;
};

struct stage {
	struct stage_port *p;
	size_t np;
	size_t total;
};

/* A window of IPv4 probes and responses (see scan.c: the probed set is
 * queried only when the window is flushed, with the order inside the window
 * kept by an event index).  Keys: (port index << 32 | address) << WINDOW_BITS
 * | event index, the port index pointing into ports[]. */
struct win_resp {
	uint64_t key;
	uint64_t seq;
	uint32_t scanner;
	uint32_t profile; /* the probe option at the time (records), UINT32_MAX none */
	uint32_t payload; /* index into the window's payloads (records), UINT32_MAX none */
	uint16_t sport;
	uint8_t type;
	uint8_t scanner_ok;
	uint8_t assumed; /* see PF_ASSUMED */
};

struct window {
	uint64_t *probes;
	size_t nprobes, capprobes;
	struct win_resp *resps;
	size_t nresps, capresps;
	uint32_t events;
	uint16_t ports[WINDOW_PORTS];
	unsigned nports, last_port;
	uint64_t *tmp; /* sort scratch */
	size_t captmp;
	uint32_t *addrs; /* bulk-add scratch */
	size_t capaddrs;
	struct resp_payload *payloads; /* of record-worthy responses */
	size_t npayloads, cappayloads;
	struct win_resp *sorted; /* flush scratch: responses in target order */
	size_t capsorted;
	uint32_t *evpos; /* flush scratch: event index -> response */
	size_t capevpos;
};

struct port_count {
	uint8_t family;
	uint16_t port;
	uint64_t n;                       /* distinct MP_CAPABLE responders */
	uint64_t counted;                 /* of which with a verdict other than no-mptcp */
	uint64_t verdicts[VERDICT_COUNT]; /* targets per verdict on this family and port */
};

/* The target half of a probe and of a response: what the scan does with
 * one target once the facts of the whole scan (the probe option, whether the
 * scan had probed yet, whether the addresses are scanners') are settled.
 * scan_add settles them and hands these on — to its own target state, or to
 * a sink: the partitioned scan (scan_part.c) routes them to the worker that
 * owns the target. */
struct scan_probe {
	uint64_t seq;
	uint32_t profile; /* index into the scan's probe options */
	uint8_t family;
	bool mapped; /* the scan keeps its per-probe map (several options seen) */
	uint16_t port, sport;
	const uint8_t *target;
	/* the profile of the scan's previous probe when it went to the same
	 * target and port from the same scanner port, else UINT32_MAX: decided
	 * by the reader, so that a partitioned scan's workers see what one scan
	 * sees (abtest.c) */
	uint32_t prev_profile;
};

struct scan_resp {
	uint64_t seq;
	uint8_t type; /* enum response_type */
	uint8_t family;
	bool pre;        /* no probe in the scan yet */
	bool scanner_ok; /* the destination is a scanner address (not pre) */
	uint16_t port, sport;
	const uint8_t *target, *scanner;
	const struct resp_payload *payload; /* NULL: the response makes no record */
};

struct scan_sink {
	int (*probe)(void *ctx, const struct scan_probe *p);
	int (*response)(void *ctx, const struct scan_resp *r);
	void *ctx;
};

struct scan {
	struct scan_config cfg;
	const struct scan_sink *sink; /* NULL: targets are kept here */
	char cfg_label[64];
	char label[64];
	bool label_set;
	uint64_t label_seq;

	uint32_t file;    /* ordinal of the file being read */
	uint64_t max_seq; /* position of the last packet seen */
	struct scan_file *files;
	size_t nfiles;

	/* counters (main) */
	uint64_t packets;
	struct linkcount links[MAX_LINKTYPES];
	size_t nlinks;
	uint64_t skips[SKIP_REASON_COUNT];
	uint64_t notes[NOTE_COUNT];
	uint64_t probe_packets;
	uint64_t applied;     /* responses counted as answers (duplicates included) */
	uint64_t unsolicited; /* responses to a scanner from a target not probed before */
	uint64_t pre_packets; /* responses in the pre substate */
	uint64_t icmp_time_exceeded, icmp_unreachable, mpc_options, mpc_in_quotes;

	/* probes */
	struct profile_entry *profiles;
	size_t nprofiles, capprofiles;
	uint32_t *prof_hash; /* open addressing: profile index + 1, 0 empty */
	size_t prof_hash_cap;
	uint32_t last_profile;
	int last_profile_ts;          /* see scan.c: ts_offset() */
	uint32_t local0;              /* profile of this piece's probes sent before probe_map existed */
	struct target_key last_probe; /* the previous probe's target, aux = scanner port */
	uint32_t last_probe_profile;  /* and its profile; UINT32_MAX before the first */
	/* merged pieces of a scan with several probe options: target -> option of
	 * its last probe, for the pieces' probes no exact (target, scanner port)
	 * entry of probe_map covers (a piece's probes before its own map existed) */
	struct target_map *probe_wild;
	struct target_map *probe_map; /* (target, aux = scanner port) -> profile; only with >1 profile */
	struct scanner_addr *scanners;
	size_t nscanners, capscanners;
	struct target_map *scanner_index; /* beyond SCANNERS_LINEAR */
	uint8_t last_scanner_family;      /* the source of the last probe (a cache) */
	uint8_t last_scanner[16];
	uint64_t first_probe_seq, last_probe_seq;
	uint64_t pre_last_seq; /* position of the last response kept in pre (0: none) */

	struct target_set *probed;
	struct respsets resp, pre;
	struct recset recs, prerecs;
	struct pendlist pending, prelog;
	struct resp_payload *payloads;
	size_t npayloads, cappayloads;

	/* IPv4 batching */
	struct window win;
	struct stage stage;
	struct addbuf answers, pre_answers;

	/* merge bookkeeping */
	bool inexact;
	char inexact_why[256];

	/* set by scan_finish */
	bool finished;
	enum probe_key_source key_source;
	uint64_t key; /* given or inferred */
	struct port_count *mpc_ports;
	size_t nmpc_ports;
	uint64_t mpc_targets;
	uint64_t response_packets, duplicates; /* derived */
	/* after finish, when pre was not empty: main's response sets and records as
	 * they were before pre joined them (what scan.state and a merge need) */
	struct respsets saved_main;
	struct scan_target *saved_recs;
	size_t nsaved_recs;
	bool have_saved;

	struct abtest *ab; /* plain vs MP_CAPABLE probes per target (abtest.h), NULL until a probe */
};

/* scan.c internals used by scan_finish.c, scan_merge.c and scan_state.c */
struct scan *scan_alloc(const struct scan_config *cfg);
int scan_flush(struct scan *s);
int scan_drain(struct scan *s);
int scan_profile_add(struct scan *s, const struct probe_profile *p, uint64_t seq, uint32_t *idx);
int scan_scanner_add(struct scan *s, uint8_t family, const uint8_t *addr, uint64_t seq);
const struct scanner_addr *scan_scanner_find(const struct scan *s, uint8_t family, const uint8_t *addr);
struct scan_target *scan_record_get(struct scan *s, struct recset *rs, const struct target_key *k,
                                    bool *is_new);
void scan_record_merge(struct scan_target *dst, const struct scan_target *src);
void scan_record_from_payload(struct scan_target *t, const struct resp_payload *p);
int scan_pend_push(struct scan *s, struct pendlist *l, const struct pend *e, uint32_t limit);
int scan_payload_push(struct scan *s, const struct resp_payload *p, uint32_t *idx);
struct target_key scan_record_key(const struct scan *s, uint8_t family, const uint8_t *addr, uint16_t port,
                                  uint32_t profile);
int scan_respsets_add(struct respsets *rs, uint8_t type, uint8_t family, const uint8_t *addr, uint16_t port);
int recset_init(struct recset *rs);
void recset_free(struct recset *rs);
int respsets_init(struct respsets *rs);
void respsets_free(struct respsets *rs);
int scan_file_add(struct scan *s, const char *name, int64_t size, uint32_t *ordinal);
void scan_set_inexact(struct scan *s, const char *why);
int scan_rebuild_index(struct scan *s, struct recset *rs);
int scan_probe_target(struct scan *s, const struct scan_probe *p);
int scan_response_target(struct scan *s, const struct scan_resp *r);

/* scan_merge.c internals used by scan_part.c */
int scan_union_respsets(struct respsets *a, const struct respsets *b);
int scan_union_records(struct scan *a, struct recset *dst, const struct recset *src);
int scan_merge_payloads(struct scan *a, struct scan *b);
int scan_append_list(struct scan *a, struct pendlist *dst, const struct pendlist *src, uint32_t limit);

#endif
