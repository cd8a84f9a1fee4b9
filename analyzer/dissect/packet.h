/* packet.h — the parsed form of one captured packet.
 *
 * A packet is dissected once (dissect.h) into a struct packet; every later
 * stage (dump, scan matching, tracebox) reads this struct and never the raw
 * bytes again.  Field meanings follow RFC 791 (IPv4), RFC 8200 (IPv6),
 * RFC 9293 (TCP), RFC 792 / RFC 4443 / RFC 4884 (ICMP, ICMPv6, extensions),
 * RFC 6824 and RFC 8684 (MP_CAPABLE v0 and v1).
 */
#ifndef MPCAP_PACKET_H
#define MPCAP_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_ACK 0x10
#define TCP_FLAG_URG 0x20
#define TCP_FLAG_ECE 0x40
#define TCP_FLAG_CWR 0x80

#define TCP_OPT_EOL 0
#define TCP_OPT_NOP 1
#define TCP_OPT_MSS 2
#define TCP_OPT_WSCALE 3
#define TCP_OPT_SACK_PERM 4
#define TCP_OPT_TIMESTAMP 8
#define TCP_OPT_MPTCP 30
#define TCP_OPTIONS_MAX 40 /* a TCP header is at most 60 bytes */

#define MPTCP_SUB_CAPABLE 0

/* MP_CAPABLE flag bits (byte 3 of the option). */
#define MPC_FLAG_A 0x80 /* checksum required */
#define MPC_FLAG_B 0x40 /* v1: extensibility */
#define MPC_FLAG_C 0x20 /* v1: do not attempt to establish new subflows to this address */
#define MPC_FLAG_H 0x01 /* HMAC-SHA256 */

/* Anomalies of one MP_CAPABLE option: kept and flagged, never dropped. */
enum mpc_anomaly {
	MPC_ANOM_LENGTH_UNKNOWN = 1u << 0, /* length not in {4, 12, 20, 22, 24} */
	MPC_ANOM_LENGTH_SEGMENT = 1u << 1, /* length does not fit the segment type (e.g. 20 on a SYN) */
	MPC_ANOM_VERSION_LENGTH = 1u << 2, /* length not defined for this version (e.g. v0 with 4 bytes) */
};

/* One MP_CAPABLE option (TCP option 30, subtype 0). */
struct mpc_option {
	uint8_t offset; /* offset of the option inside the TCP options */
	uint8_t length; /* the option's length byte */
	uint8_t version;
	uint8_t flags;
	bool has_flags; /* length >= 4 */
	bool has_sender_key;
	bool has_receiver_key;
	bool has_data_len;
	bool has_checksum;
	uint64_t sender_key;
	uint64_t receiver_key;
	uint16_t data_len;
	uint16_t checksum;
	uint32_t anomalies; /* enum mpc_anomaly bits */
};

#define MPC_MAX_PER_PACKET 4

/* Network-layer facts about one IPv4 or IPv6 header. */
struct ip_info {
	uint8_t family; /* 4 or 6; 0 when absent */
	uint8_t src[16];
	uint8_t dst[16];      /* IPv4 addresses in the first 4 bytes */
	uint8_t ttl;          /* TTL or hop limit */
	uint8_t proto;        /* upper-layer protocol after extension headers */
	uint8_t tos;          /* IPv4 TOS or IPv6 traffic class */
	uint16_t ip_id;       /* IPv4 identification */
	uint16_t total_len;   /* IPv4 total length or IPv6 40 + payload length */
	uint16_t frag_offset; /* in 8-byte units */
	bool df, more_frags;
	uint32_t flow_label; /* IPv6 */
	uint16_t header_len; /* bytes up to the upper-layer header */
};

/* A TCP header and its options.  Options are copied (at most 40 bytes). */
struct tcp_info {
	bool present;
	bool full_header; /* all 20 fixed bytes present (false: e.g. an 8-byte ICMP quote) */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window;
	uint16_t urgent;
	uint16_t checksum;
	uint8_t header_len;     /* data offset in bytes */
	uint8_t options_len;    /* bytes of options actually captured */
	bool options_complete;  /* all header_len - 20 option bytes were captured */
	bool options_malformed; /* the walk stopped at a bad length */
	uint8_t options[TCP_OPTIONS_MAX];
	int32_t mss;    /* -1 when absent */
	int16_t wscale; /* -1 when absent */
	uint8_t n_mpc;
	struct mpc_option mpc[MPC_MAX_PER_PACKET];
};

/* ICMP / ICMPv6 type names used by the quote logic. */
enum icmp_kind {
	ICMP_KIND_OTHER = 0,
	ICMP_KIND_UNREACHABLE,    /* v4 type 3, v6 type 1 */
	ICMP_KIND_TIME_EXCEEDED,  /* v4 type 11, v6 type 3 */
	ICMP_KIND_PARAM_PROBLEM,  /* v4 type 12, v6 type 4 */
	ICMP_KIND_PACKET_TOO_BIG, /* v6 type 2 */
	ICMP_KIND_SOURCE_QUENCH,  /* v4 type 4 */
	ICMP_KIND_REDIRECT,       /* v4 type 5 */
};

/* An ICMP error and the packet it quotes (RFC 792, RFC 1812, RFC 4443, RFC 4884). */
struct icmp_info {
	bool present;
	uint8_t type, code;
	enum icmp_kind kind;
	bool is_error;  /* carries a quote of the offending packet */
	bool has_quote; /* the quoted IP header was parsed */
	struct ip_info quoted_ip;
	struct tcp_info quoted_tcp; /* present when the quote holds TCP */
	uint16_t quote_len;         /* bytes of the quote captured (IP header included) */
	uint16_t quoted_l4_len;     /* bytes of the quoted upper-layer header captured */
	uint16_t rfc4884_len;       /* original datagram length field in bytes (0: none) */
	bool has_extensions;        /* an RFC 4884 extension structure follows the quote */
};

/* Why a packet was not dissected to the end (counted per reason). */
enum skip_reason {
	SKIP_NONE = 0,
	SKIP_LINKTYPE_UNSUPPORTED,
	SKIP_LINK_TRUNCATED,
	SKIP_NOT_IP, /* ARP, LLDP, ... */
	SKIP_IP_TRUNCATED,
	SKIP_IP_MALFORMED,  /* bad version, header length, ... */
	SKIP_IP_FRAGMENT,   /* non-first fragment */
	SKIP_IP6_EXT_CHAIN, /* extension header chain truncated or too long */
	SKIP_OTHER_PROTO,   /* not TCP, ICMP or ICMPv6 */
	SKIP_TCP_TRUNCATED,
	SKIP_ICMP_TRUNCATED,
	SKIP_TCP_MALFORMED, /* TCP data offset below 5 */
	SKIP_REASON_COUNT
};

/* Counters that are not skips: the packet was still used. */
enum dissect_note {
	NOTE_TCP_OPTIONS_MALFORMED = 0,
	NOTE_TCP_OPTIONS_TRUNCATED, /* options cut by the snap length */
	NOTE_MPC_ANOMALY,
	NOTE_ICMP_QUOTE_UNPARSED, /* an ICMP error whose quote could not be parsed */
	NOTE_COUNT
};

struct packet {
	uint64_t frame; /* 1-based within its file */
	int64_t ts_sec;
	uint32_t ts_nsec;
	uint32_t caplen, wirelen;
	int linktype; /* DLT_ value */
	enum skip_reason skip;
	uint32_t notes; /* 1u << enum dissect_note */
	struct ip_info ip;
	struct tcp_info tcp;   /* when ip.proto == 6 */
	struct icmp_info icmp; /* when ip.proto == 1 or 58 */
};

#endif
