/* test_verdict.c — every verdict rule at and around its boundary (verdict.h),
 * and the thresholds' false-positive probabilities recomputed with GSL. */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <string.h>

#include "analyzer/dissect/tcp.h"
#include "analyzer/scan/verdict.h"

#define PROBE_KEY 0x0c0c0c0c0c0c0c0cULL

static struct probe_profile v0_probe(void)
{
	struct probe_profile p;
	memset(&p, 0, sizeof p);
	p.has_mpc = true;
	p.mpc_version = 0;
	p.mpc_length = 12;
	p.mpc_flags = 0x81;
	p.has_key = true;
	p.key = PROBE_KEY;
	/* MSS 1460, then MP_CAPABLE v0 with the key */
	const uint8_t opts[] = { 2, 4, 5, 0xb4, 30, 12, 0x00, 0x81, 12, 12, 12, 12, 12, 12, 12, 12 };
	memcpy(p.options, opts, sizeof opts);
	p.options_len = sizeof opts;
	return p;
}

static struct probe_profile v1_probe(void)
{
	struct probe_profile p;
	memset(&p, 0, sizeof p);
	p.has_mpc = true;
	p.mpc_version = 1;
	p.mpc_length = 4;
	p.mpc_flags = 0x81;
	const uint8_t opts[] = { 2, 4, 5, 0xb4, 30, 4, 0x01, 0x81 };
	memcpy(p.options, opts, sizeof opts);
	p.options_len = sizeof opts;
	return p;
}

static struct scan_target synack(uint8_t version, uint8_t length, uint8_t flags, bool has_key, uint64_t key)
{
	struct scan_target t;
	memset(&t, 0, sizeof t);
	t.response = RESP_SYNACK;
	t.has_mpc = true;
	t.mpc.version = version;
	t.mpc.length = length;
	t.mpc.flags = flags;
	t.mpc.has_flags = true;
	t.mpc.has_sender_key = has_key;
	t.mpc.sender_key = key;
	/* the responder's own option block: MSS 1400, then MP_CAPABLE */
	const uint8_t opts[] = { 2, 4, 5, 0x78, 30, length, version, flags };
	memcpy(t.options, opts, sizeof opts);
	t.options_len = sizeof opts;
	return t;
}

static enum verdict classify(const struct probe_profile *p, const struct scan_target *t, uint32_t group,
                             enum verdict_reason *why)
{
	return verdict_classify(p, t, group, why);
}

Test(verdict, probe_key_returned_is_replay)
{
	struct probe_profile p = v0_probe();
	struct scan_target t = synack(0, 12, 0x81, true, PROBE_KEY);
	enum verdict_reason why;
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_REPLAY);
	cr_assert_eq(why, REASON_KEY_EQUAL);
}

Test(verdict, probe_key_with_changed_flags_is_modified)
{
	struct probe_profile p = v0_probe();
	struct scan_target t = synack(0, 12, 0x80, true, PROBE_KEY);
	enum verdict_reason why;
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_MODIFIED);
	cr_assert_eq(why, REASON_HEADER_CHANGED);
	t = synack(1, 12, 0x81, true, PROBE_KEY);
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_MODIFIED);
	cr_assert_eq(why, REASON_HEADER_CHANGED);
}

Test(verdict, whole_option_block_mirrored_is_replay)
{
	struct probe_profile p = v0_probe();
	struct scan_target t = synack(0, 12, 0x81, true, PROBE_KEY);
	memcpy(t.options, p.options, p.options_len);
	t.options_len = p.options_len;
	enum verdict_reason why;
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_REPLAY);
	cr_assert_eq(why, REASON_OPTIONS_MIRRORED);
}

/* Flip `bits` bits spread over `bytes` different bytes of the probe key. */
static uint64_t flip(int bits, int bytes)
{
	uint64_t k = PROBE_KEY;
	int done = 0;
	for (int round = 0; done < bits; round++)
		for (int b = 0; b < bytes && done < bits; b++, done++)
			k ^= 1ULL << (8 * b + round);
	return k;
}

Test(verdict, distance_at_threshold_is_modified)
{
	struct probe_profile p = v0_probe();
	uint64_t key = flip(VERDICT_MAX_NEAR_DISTANCE, 5); /* 3 bytes equal: only the distance rule fires */
	cr_assert_eq(__builtin_popcountll(key ^ PROBE_KEY), 10);
	cr_assert_eq(key_equal_bytes(key, PROBE_KEY), 3);
	struct scan_target t = synack(0, 12, 0x81, true, key);
	enum verdict_reason why;
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_MODIFIED);
	cr_assert_eq(why, REASON_KEY_NEAR);
}

Test(verdict, distance_above_threshold_is_mptcp)
{
	struct probe_profile p = v0_probe();
	uint64_t key = flip(VERDICT_MAX_NEAR_DISTANCE + 1, 6);
	cr_assert_eq(__builtin_popcountll(key ^ PROBE_KEY), 11);
	cr_assert_eq(key_equal_bytes(key, PROBE_KEY), 2);
	struct scan_target t = synack(0, 12, 0x81, true, key);
	enum verdict_reason why;
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_MPTCP);
	cr_assert_eq(why, REASON_NONE);
}

Test(verdict, four_equal_bytes_is_modified_three_is_not)
{
	struct probe_profile p = v0_probe();
	/* 4 bytes fully inverted: distance 32, 4 bytes equal */
	uint64_t k4 = PROBE_KEY ^ 0xffffffff00000000ULL;
	struct scan_target t = synack(0, 12, 0x81, true, k4);
	enum verdict_reason why;
	cr_assert_eq(key_equal_bytes(k4, PROBE_KEY), 4);
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_MODIFIED);
	cr_assert_eq(why, REASON_KEY_BYTES_EQUAL);
	uint64_t k3 = PROBE_KEY ^ 0xffffffffff000000ULL;
	t = synack(0, 12, 0x81, true, k3);
	cr_assert_eq(key_equal_bytes(k3, PROBE_KEY), 3);
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_MPTCP);
}

Test(verdict, v1_keyless_echo_is_replay_and_v1_key_is_mptcp)
{
	struct probe_profile p = v1_probe();
	struct scan_target t = synack(1, 4, 0x81, false, 0);
	enum verdict_reason why;
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_REPLAY);
	cr_assert_eq(why, REASON_KEYLESS_ECHO);
	t = synack(1, 12, 0x81, true, 0x0123456789abcdefULL);
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_MPTCP);
}

Test(verdict, keyless_answer_to_v0_probe_is_not_mptcp)
{
	struct probe_profile p = v0_probe();
	struct scan_target t = synack(0, 4, 0x81, false, 0);
	enum verdict_reason why;
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_NO_MPTCP);
	cr_assert_eq(why, REASON_MPC_MALFORMED);
}

Test(verdict, shared_key_needs_two_addresses)
{
	struct probe_profile p = v0_probe();
	struct scan_target t = synack(0, 12, 0x81, true, 0xdeadbeefcafef00dULL);
	enum verdict_reason why;
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_MPTCP);
	cr_assert_eq(classify(&p, &t, 2, &why), VERDICT_SHARED_KEY);
	cr_assert_eq(why, REASON_KEY_SHARED);
	/* replay wins over sharing: many hosts behind one replaying box share the probe key */
	t = synack(0, 12, 0x81, true, PROBE_KEY);
	cr_assert_eq(classify(&p, &t, 50, &why), VERDICT_REPLAY);
}

Test(verdict, answers_without_mp_capable)
{
	struct probe_profile p = v0_probe();
	struct scan_target t;
	memset(&t, 0, sizeof t);
	enum verdict_reason why;
	cr_assert_eq(classify(&p, &t, 0, &why), VERDICT_SILENT);
	t.response = RESP_ICMP_UNREACHABLE;
	cr_assert_eq(classify(&p, &t, 0, &why), VERDICT_ICMP_UNREACHABLE);
	t.response = RESP_RST;
	cr_assert_eq(classify(&p, &t, 0, &why), VERDICT_RST);
	t.response = RESP_SYNACK;
	cr_assert_eq(classify(&p, &t, 0, &why), VERDICT_NO_MPTCP);
	cr_assert_eq(why, REASON_NONE);
}

Test(verdict, unknown_probe_key_gives_mptcp_not_modified)
{
	struct probe_profile p;
	memset(&p, 0, sizeof p);
	struct scan_target t = synack(0, 12, 0x81, true, PROBE_KEY ^ 1);
	enum verdict_reason why;
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_MPTCP);
}

/* The thresholds' false-positive probabilities, as docs/methodology.md states them; the reference
 * values were computed with scipy.stats.binom (cdf(10, 64, 0.5) and sf(3, 8, 1/256)). */
Test(verdict, thresholds_false_positive_probabilities)
{
	double p_near = gsl_cdf_binomial_P(VERDICT_MAX_NEAR_DISTANCE, 0.5, 64);
	double p_next = gsl_cdf_binomial_P(VERDICT_MAX_NEAR_DISTANCE + 1, 0.5, 64);
	cr_assert(p_near <= 1e-8, "P(D <= %d) = %g", VERDICT_MAX_NEAR_DISTANCE, p_near);
	cr_assert(p_next > 1e-8, "the threshold is the largest with P <= 1e-8");
	cr_assert_float_eq(p_near, 9.982491118931073e-09, 1e-18);
	double p_bytes = gsl_cdf_binomial_Q(VERDICT_MIN_EQUAL_BYTES - 1, 1.0 / 256, 8);
	cr_assert_float_eq(p_bytes, 1.6095410783855107e-08, 1e-17);
}

Test(verdict, mirrored_block_with_timestamps_is_replay)
{
	/* probe: MSS, SACK-permitted, timestamps, MP_CAPABLE v0; the profile holds TSval zeroed */
	const uint8_t probe_opts[] = { 2, 4, 5,  0xb4, 4,    2,    8,  10, 1,  2,  3,  4,  0,  0,
		                       0, 0, 30, 12,   0x00, 0x81, 12, 12, 12, 12, 12, 12, 12, 12 };
	struct probe_profile p = v0_probe();
	memcpy(p.options, probe_opts, sizeof probe_opts);
	p.options_len = sizeof probe_opts;
	tcp_options_zero_timestamps(p.options, p.options_len);
	cr_assert_eq(p.options[8], 0, "TSval zeroed");
	cr_assert_eq(p.options[4], 4, "other options untouched");
	struct scan_target t = synack(0, 12, 0x81, true, PROBE_KEY);
	memcpy(t.options, probe_opts, sizeof probe_opts);
	t.options_len = sizeof probe_opts;
	enum verdict_reason why;
	cr_assert_eq(classify(&p, &t, 1, &why), VERDICT_REPLAY);
	cr_assert_eq(why, REASON_OPTIONS_MIRRORED);
}

Test(verdict, zero_timestamps_stops_at_malformed_options)
{
	uint8_t opts[] = { 1, 8, 10, 9, 9, 9, 9, 9, 9, 9, 9, 8, 1 };
	tcp_options_zero_timestamps(opts, sizeof opts);
	cr_assert_eq(opts[3], 0);
	cr_assert_eq(opts[10], 0);
	cr_assert_eq(opts[11], 8, "a length byte of 1 ends the walk without a write");
	cr_assert_eq(opts[12], 1);
}

/* The one table of verdict names (verdict.h): every name maps back to its
 * verdict, and the middlebox verdicts are exactly replay, modified and
 * shared-key (docs/methodology.md, "Which verdicts are middleboxes"). */
Test(verdict, names_and_properties_from_one_table)
{
	int middlebox = 0, mpc = 0;
	for (int v = 0; v < VERDICT_COUNT; v++) {
		enum verdict back = VERDICT_COUNT;
		cr_assert(verdict_from_name(verdict_name((enum verdict)v), &back));
		cr_assert_eq(back, v);
		cr_assert_eq(verdict_info((enum verdict)v)->middlebox, verdict_is_middlebox((enum verdict)v));
		middlebox += verdict_is_middlebox((enum verdict)v);
		mpc += verdict_is_mpc_answer((enum verdict)v);
		/* a middlebox verdict is only ever given to an MP_CAPABLE answer */
		cr_assert(!verdict_is_middlebox((enum verdict)v) || verdict_is_mpc_answer((enum verdict)v));
	}
	cr_assert_eq(middlebox, 3);
	cr_assert(verdict_is_middlebox(VERDICT_REPLAY) && verdict_is_middlebox(VERDICT_MODIFIED) &&
	          verdict_is_middlebox(VERDICT_SHARED_KEY));
	cr_assert_eq(mpc, 4);
	cr_assert(verdict_is_mpc_answer(VERDICT_MPTCP) && !verdict_is_mpc_answer(VERDICT_NO_MPTCP));
	enum verdict v = VERDICT_MPTCP;
	cr_assert(!verdict_from_name("MPTCP", &v) && !verdict_from_name("", &v) &&
	          !verdict_from_name("unknown", &v));
	cr_assert_eq(v, VERDICT_MPTCP);
	cr_assert_str_eq(verdict_name(VERDICT_COUNT), "unknown");
	enum verdict_reason r = REASON_COUNT;
	for (int i = 0; i < REASON_COUNT; i++) {
		cr_assert(verdict_reason_from_name(verdict_reason_name((enum verdict_reason)i), &r));
		cr_assert_eq(r, i);
	}
	cr_assert(verdict_reason_from_name("", &r) && r == REASON_NONE);
	cr_assert(!verdict_reason_from_name("nope", &r));
}
