/* verdict.c — replay, modification and shared-key rules for MP_CAPABLE
 * responses (RFC 6824 §3.1, RFC 8684 §3.1).  See verdict.h. */
#include "analyzer/scan/verdict.h"

#include <string.h>

#include "analyzer/dissect/tcp.h"

/* The one table of verdict names and properties (verdict.h). */
static const struct verdict_info verdicts[VERDICT_COUNT] = {
	[VERDICT_SILENT] = { .name = "silent" },
	[VERDICT_ICMP_UNREACHABLE] = { .name = "icmp-unreachable" },
	[VERDICT_RST] = { .name = "rst" },
	[VERDICT_NO_MPTCP] = { .name = "no-mptcp" },
	[VERDICT_MPTCP] = { .name = "mptcp", .mpc_answer = true },
	[VERDICT_SHARED_KEY] = { .name = "shared-key", .middlebox = true, .mpc_answer = true },
	[VERDICT_MODIFIED] = { .name = "modified", .middlebox = true, .mpc_answer = true },
	[VERDICT_REPLAY] = { .name = "replay", .middlebox = true, .mpc_answer = true },
	[VERDICT_MPC_DROPPED] = { .name = "mpc-dropped", .abtest = true },
	[VERDICT_PLAIN_DROPPED] = { .name = "plain-dropped", .abtest = true },
};
static const struct verdict_info unknown_verdict = { .name = "unknown" };

static const char *const reason_names[REASON_COUNT] = {
	[REASON_NONE] = "",
	[REASON_KEY_EQUAL] = "key-equal",
	[REASON_KEYLESS_ECHO] = "keyless-echo",
	[REASON_OPTIONS_MIRRORED] = "options-mirrored",
	[REASON_KEY_NEAR] = "key-near",
	[REASON_KEY_BYTES_EQUAL] = "key-bytes-equal",
	[REASON_HEADER_CHANGED] = "header-changed",
	[REASON_KEY_SHARED] = "key-shared",
	[REASON_MPC_MALFORMED] = "mpc-without-key",
	[REASON_MPC_DROPPED_V0] = "mpc-dropped-v0",
	[REASON_MPC_DROPPED_V1] = "mpc-dropped-v1",
};

const struct verdict_info *verdict_info(enum verdict v)
{
	return (unsigned)v < VERDICT_COUNT ? &verdicts[v] : &unknown_verdict;
}

const char *verdict_name(enum verdict v)
{
	return verdict_info(v)->name;
}

bool verdict_from_name(const char *name, enum verdict *out)
{
	for (int v = 0; v < VERDICT_COUNT; v++)
		if (strcmp(name, verdicts[v].name) == 0) {
			*out = (enum verdict)v;
			return true;
		}
	return false;
}

bool verdict_is_middlebox(enum verdict v)
{
	return verdict_info(v)->middlebox;
}

bool verdict_is_mpc_answer(enum verdict v)
{
	return verdict_info(v)->mpc_answer;
}

const char *verdict_reason_name(enum verdict_reason r)
{
	return (unsigned)r < REASON_COUNT ? reason_names[r] : "unknown";
}

bool verdict_reason_from_name(const char *name, enum verdict_reason *out)
{
	for (int r = 0; r < REASON_COUNT; r++)
		if (strcmp(name, reason_names[r]) == 0) {
			*out = (enum verdict_reason)r;
			return true;
		}
	return false;
}

int key_equal_bytes(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;
	int n = 0;
	for (int i = 0; i < 8; i++)
		n += ((x >> (8 * i)) & 0xff) == 0;
	return n;
}

enum verdict verdict_classify(const struct probe_profile *probe, const struct scan_target *t,
                              uint32_t key_group, enum verdict_reason *reason)
{
	*reason = REASON_NONE;
	switch (t->response) {
	case RESP_ICMP_UNREACHABLE:
		return VERDICT_ICMP_UNREACHABLE;
	case RESP_RST:
		return VERDICT_RST;
	case RESP_SYNACK:
		break;
	default:
		return VERDICT_SILENT;
	}
	if (!t->has_mpc)
		return VERDICT_NO_MPTCP;
	const struct mpc_option *m = &t->mpc;
	/* The whole option block came back: whatever the MPTCP version, nobody
	 * answered.  Timestamps are compared without their values: profiles hold
	 * them zeroed (scan.c), and a box echoing TSval is still a mirror. */
	if (probe->has_mpc && probe->options_len > 0 && probe->options_len == t->options_len) {
		uint8_t answer[TCP_OPTIONS_MAX];
		memcpy(answer, t->options, t->options_len);
		tcp_options_zero_timestamps(answer, t->options_len);
		if (memcmp(probe->options, answer, t->options_len) == 0) {
			*reason = REASON_OPTIONS_MIRRORED;
			return VERDICT_REPLAY;
		}
	}
	if (!m->has_sender_key) {
		if (probe->has_mpc && !probe->has_key) {
			/* RFC 8684: a v1 SYN carries no key, a v1 SYN-ACK must; a keyless
			 * answer is the probe's option echoed. */
			*reason = REASON_KEYLESS_ECHO;
			return VERDICT_REPLAY;
		}
		*reason = REASON_MPC_MALFORMED;
		return VERDICT_NO_MPTCP;
	}
	if (probe->has_key) {
		uint64_t key = m->sender_key;
		if (key == probe->key) {
			if (m->version != probe->mpc_version || m->flags != probe->mpc_flags) {
				*reason = REASON_HEADER_CHANGED;
				return VERDICT_MODIFIED;
			}
			*reason = REASON_KEY_EQUAL;
			return VERDICT_REPLAY;
		}
		if (__builtin_popcountll(key ^ probe->key) <= VERDICT_MAX_NEAR_DISTANCE) {
			*reason = REASON_KEY_NEAR;
			return VERDICT_MODIFIED;
		}
		if (key_equal_bytes(key, probe->key) >= VERDICT_MIN_EQUAL_BYTES) {
			*reason = REASON_KEY_BYTES_EQUAL;
			return VERDICT_MODIFIED;
		}
	}
	if (key_group >= 2) {
		*reason = REASON_KEY_SHARED;
		return VERDICT_SHARED_KEY;
	}
	return VERDICT_MPTCP;
}
