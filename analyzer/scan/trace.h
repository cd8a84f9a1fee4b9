/* trace.h — tracebox analysis: TTL-limited MP_CAPABLE probes compared with the
 * ICMP quotes of the routers they expired at, hop by hop.
 *
 * A probe is a TCP SYN without ACK (RFC 9293).  An ICMP time exceeded or
 * destination unreachable (RFC 792, RFC 4443) quotes the probe as the
 * answering router received it: RFC 792 routers quote the IP header and
 * 8 bytes of TCP (ports and sequence number), RFC 1812 routers as much as fits,
 * RFC 4884 adds the original datagram's length and extensions.  Comparing each
 * quote with what was sent locates the hop where a middlebox stripped or
 * changed the MP_CAPABLE option (RFC 6824 v0, RFC 8684 v1) or another field.
 * The destination's own SYN-ACK or RST is judged with verdict_classify()
 * (verdict.h).
 *
 * The module neither prints nor exits and keeps no global state: feed it
 * dissected packets with trace_add(), call trace_finish() once, then read the
 * hop records (sorted by family, destination, port, hop) and the destination
 * records (sorted by family, destination, port).
 */
#ifndef MPCAP_TRACE_H
#define MPCAP_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer/dissect/packet.h"
#include "analyzer/scan/target_key.h"
#include "analyzer/scan/verdict.h"

/* How much of the probe an ICMP error quotes. */
enum trace_quote_kind {
	QUOTE_PARTIAL = 0, /* fewer than 20 TCP bytes (RFC 792's 8): nothing about options */
	QUOTE_FULL,        /* the whole 20-byte TCP header or more, no RFC 4884 length (RFC 1812) */
	QUOTE_RFC4884,     /* an RFC 4884 length field is set (extensions present or not) */
	QUOTE_KIND_COUNT
};

/* How the quote was tied to its probe. */
enum trace_match {
	MATCH_EXACT = 0,     /* quoted source, ports and sequence number equal the probe's */
	MATCH_NAT,           /* destination, port and sequence equal; source address or port rewritten */
	MATCH_SEQ_REWRITTEN, /* addresses and ports equal; the sequence number was rewritten */
	MATCH_COUNT
};

/* The MP_CAPABLE option in a quote, compared with the probe's. */
enum trace_mpc_status {
	TMPC_UNKNOWN = 0,     /* the quote does not reach the probe's option: nothing can be said */
	TMPC_NONE,            /* the probe carried no MP_CAPABLE and the quote has none */
	TMPC_PRESENT,         /* present and byte-identical to the probe's */
	TMPC_REMOVED,         /* gone, not replaced by NOPs */
	TMPC_NOPS,            /* its bytes replaced by NOPs (e.g. Linux TCPOPTSTRIP) */
	TMPC_LENGTH_CHANGED,  /* still MP_CAPABLE, other length */
	TMPC_VERSION_CHANGED, /* other version */
	TMPC_KEY_CHANGED,     /* other sender key */
	TMPC_FLAGS_CHANGED,   /* other flags byte */
	TMPC_BYTES_CHANGED,   /* same length, version, key and flags; other bytes differ */
	TMPC_ADDED,           /* the probe had none, the quote has one */
	TMPC_COUNT
};

/* Fields that differ between the probe as sent and the quote (bits). */
enum trace_change {
	TCH_IP_SRC = 0, /* source address (NAT) */
	TCH_SPORT,      /* source port (NAT) */
	TCH_DSCP,       /* IPv4 TOS / IPv6 traffic class, upper 6 bits */
	TCH_ECN,        /* lower 2 bits */
	TCH_IP_ID,      /* IPv4 identification */
	TCH_DF,         /* IPv4 don't fragment */
	TCH_IP_LENGTH,  /* IPv4 total length / IPv6 40 + payload length */
	TCH_FLOW_LABEL, /* IPv6 */
	TCH_SEQ,
	TCH_ACK,
	TCH_TCP_FLAGS,
	TCH_WINDOW,
	TCH_URGENT,
	TCH_TCP_HLEN, /* data offset */
	TCH_MPC_REMOVED,
	TCH_MPC_NOPS,
	TCH_MPC_LENGTH,
	TCH_MPC_VERSION,
	TCH_MPC_KEY,
	TCH_MPC_FLAGS,
	TCH_MPC_BYTES,
	TCH_MPC_ADDED,
	TCH_MSS,               /* MSS value */
	TCH_WSCALE,            /* window scale shift */
	TCH_OPTION_ADDED,      /* kinds in detail[] */
	TCH_OPTION_REMOVED,    /* kinds in detail[] */
	TCH_OPTION_CHANGED,    /* same kind, other bytes (not MSS/WS/MPTCP); kinds in detail[] */
	TCH_OPTIONS_REORDERED, /* the same options in another order */
	TCH_OPTIONS_PADDING,   /* only NOP/EOL padding differs */
	TCH_COUNT
};

#define TRACE_DETAIL_MAX 6

/* What the destination itself answered. */
enum trace_answer {
	TANS_NONE = 0,
	TANS_RST,
	TANS_SYNACK,     /* SYN-ACK without MP_CAPABLE */
	TANS_SYNACK_MPC, /* SYN-ACK with MP_CAPABLE */
	TANS_COUNT
};

/* Final classification of a traced destination (docs/methodology.md). */
enum trace_class {
	TCLASS_UNTRACED = 0, /* no tracebox data (classification.csv only) */
	TCLASS_TRUE_MPTCP,   /* option unchanged up to the last answering hop, own key in the SYN-ACK */
	TCLASS_MIDDLEBOX,    /* a hop changed the option, or the answer replays/modifies the probe key */
	TCLASS_UNREACHABLE,  /* the destination never answered (and nothing changed on the way) */
	TCLASS_NO_MPTCP,     /* the destination answered without MP_CAPABLE (plain SYN-ACK, RST) */
	TCLASS_UNVERIFIED,   /* own key, but no full quote from the last answering hop proves the path */
	TCLASS_COUNT
};

/* One probe as sent. */
struct trace_probe {
	uint8_t family;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t ttl, tos, tcp_flags, tcp_hlen;
	bool df;
	uint16_t ip_id, ip_len, window, urgent, tcp_checksum;
	uint32_t flow_label;
	uint8_t options_len;
	uint8_t options[TCP_OPTIONS_MAX];
	int32_t mss;
	int16_t wscale;
	bool has_mpc;
	struct mpc_option mpc;
	uint32_t sends; /* identical copies seen (retransmissions) */
	uint32_t file;  /* trace_file_name() index */
	uint64_t frame;
	int64_t ts_sec;
	uint32_t ts_nsec;
	uint32_t dest;      /* trace_dest_at() index (valid after trace_finish) */
	uint32_t next_seq;  /* chain of probes with the same destination, port and sequence */
	uint32_t next_flow; /* chain of probes with the same destination, port and source port */
};

/* One ICMP error tied to a probe. */
struct trace_hop {
	uint32_t probe; /* trace_probe_at() index */
	uint32_t dest;  /* trace_dest_at() index */
	uint8_t hop;    /* time exceeded: the probe's TTL; others: sent - quoted TTL + 1 when that fits */
	uint8_t sent_ttl, quoted_ttl;
	uint8_t family;
	uint8_t router[16]; /* outer source address */
	enum icmp_kind icmp_kind;
	uint8_t icmp_type, icmp_code;
	enum trace_quote_kind quote_kind;
	enum trace_match match;
	enum trace_mpc_status mpc;
	uint16_t tcp_bytes;   /* TCP bytes quoted */
	uint16_t rfc4884_len; /* RFC 4884 original datagram length in bytes (0: none) */
	bool extensions;      /* RFC 4884 extension structure present */
	bool header_complete; /* the whole TCP header, options included, was quoted */
	bool checksum_compared;
	bool checksum_changed; /* the TCP checksum differs (reported apart) */
	uint32_t changes;      /* 1u << enum trace_change */
	uint8_t n_detail;
	struct {
		uint8_t change; /* TCH_OPTION_ADDED / _REMOVED / _CHANGED */
		uint8_t kind;
	} detail[TRACE_DETAIL_MAX];
	uint32_t file;
	uint64_t frame;
	int64_t ts_sec;
	uint32_t ts_nsec;
};

/* Everything learned about one destination (address, port). */
struct trace_dest {
	struct target_key key; /* family, addr, port */
	uint32_t probes;       /* probe packets sent, retransmissions included */
	uint8_t max_probe_ttl;
	uint16_t hops_answered; /* distinct hops that sent a time exceeded */
	uint16_t hops_full;     /* of which with the whole TCP header quoted */
	uint8_t last_hop;       /* 0: none */
	uint8_t last_router[16];
	enum trace_mpc_status last_mpc; /* at the last answering hop (unknown when its quote is partial) */
	uint8_t changed_hop;            /* first hop whose quote shows MP_CAPABLE changed; 0: none */
	uint8_t changed_router[16];
	enum trace_mpc_status change;
	uint8_t intact_hop; /* last hop before changed_hop whose quote showed the option intact; 0: none */
	uint8_t intact_router[16];
	uint32_t other_changes; /* union of the non-MP_CAPABLE changes of all hops */
	bool nat;               /* some quote matched only with the NAT fallback */
	bool unreachable;       /* an ICMP destination unreachable quoted a probe */
	uint8_t unreachable_router[16];
	enum trace_answer answer;    /* the best answer of the destination */
	enum verdict answer_verdict; /* verdict_classify() of that answer */
	enum verdict_reason answer_reason;
	bool answer_has_key;
	uint64_t answer_key;
	bool probe_has_key;
	uint64_t probe_key;   /* the key of the probe that answer answered */
	bool answer_replayed; /* some answer was a replay or a modified probe key */
	enum trace_class cls;
};

/* Counters of one run. */
struct trace_stats {
	uint64_t packets, probes, probe_retransmissions;
	uint64_t icmp_errors;  /* ICMP/ICMPv6 errors quoting TCP */
	uint64_t icmp_matched; /* of which tied to a probe */
	uint64_t icmp_short;   /* quoting fewer than 8 TCP bytes: cannot be matched */
	uint64_t answers, answers_matched;
	uint64_t pending_dropped; /* replies before any probe they could answer, beyond the kept 262144 */
};

struct trace;

struct trace *trace_new(char *err, size_t errlen);
void trace_free(struct trace *t);

/* Feeds one dissected packet of capture `file` (skipped packets are ignored).
 * Returns 0, or -1 when out of memory (err says so). */
int trace_add(struct trace *t, const char *file, const struct packet *pkt, char *err, size_t errlen);

/* Ends the run: retries the answers that came before their probes, builds the
 * per-destination results and classifications, sorts.  Returns 0 or -1 (err). */
int trace_finish(struct trace *t, char *err, size_t errlen);

size_t trace_probe_count(const struct trace *t);
const struct trace_probe *trace_probe_at(const struct trace *t, size_t i);
size_t trace_hop_count(const struct trace *t);
const struct trace_hop *trace_hop_at(const struct trace *t, size_t i);
size_t trace_dest_count(const struct trace *t);
const struct trace_dest *trace_dest_at(const struct trace *t, size_t i);
/* The destination record of (family, addr, port), or NULL (after trace_finish). */
const struct trace_dest *trace_dest_find(const struct trace *t, uint8_t family, const uint8_t *addr,
                                         uint16_t port);
const char *trace_file_name(const struct trace *t, uint32_t i);
const struct trace_stats *trace_get_stats(const struct trace *t);

const char *trace_quote_kind_name(enum trace_quote_kind k);
const char *trace_match_name(enum trace_match m);
const char *trace_mpc_status_name(enum trace_mpc_status s);
const char *trace_answer_name(enum trace_answer a);
const char *trace_class_name(enum trace_class c);
/* "time-exceeded", "unreachable", ... */
const char *trace_icmp_name(enum icmp_kind k);

/* Formats a change set as "a;b;option-added:mss" (empty when none).
 * detail may be NULL (then option kinds are not named). */
void trace_changes_format(uint32_t changes, const struct trace_hop *detail, char *buf, size_t n);
/* Why a destination got its class, e.g. "hop 3 replaced-by-nops" (one line). */
void trace_class_reason(const struct trace_dest *d, char *buf, size_t n);

/* The final class of a scan's MP_CAPABLE responder: untraced without trace
 * data (d NULL); otherwise the traced class, turned into middlebox when the
 * scan itself saw a replay or a modified key (scan_replayed) that the trace
 * did not. */
enum trace_class trace_final_class(const struct trace_dest *d, bool scan_replayed);

#endif
