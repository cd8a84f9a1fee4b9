/* test_fingerprint.c — fingerprint.h: each outcome (echo, diff, nop, drop,
 * new) on hand-built option blocks, the timestamp rule (TSecr 0 = copied),
 * and the empty fingerprint of RST answers and unknown probes. */
#include <criterion/criterion.h>
#include <string.h>

#include "analyzer/scan/fingerprint.h"

/* mss 1460, sackok, ts (values zeroed, as profiles hold them), nop, ws 7, MP_CAPABLE v1 */
static const uint8_t probe_opts[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0,  0, 0,    0,
	                              0, 0, 0, 0,    1, 3, 3, 7,  30, 4, 0x01, 0x81 };

static void setup(struct probe_profile *p, struct scan_target *t, const uint8_t *ans, size_t n)
{
	memset(p, 0, sizeof *p);
	memcpy(p->options, probe_opts, sizeof probe_opts);
	p->options_len = sizeof probe_opts;
	p->has_mpc = true;
	p->mpc_version = 1;
	memset(t, 0, sizeof *t);
	t->response = RESP_SYNACK;
	t->profile = 0;
	memcpy(t->options, ans, n);
	t->options_len = (uint8_t)n;
}

static void expect(const uint8_t *ans, size_t n, const char *want)
{
	struct probe_profile p;
	struct scan_target t;
	char buf[FINGERPRINT_MAX];
	setup(&p, &t, ans, n);
	fingerprint_format(&p, &t, buf, sizeof buf);
	cr_assert_str_eq(buf, want);
}

Test(fingerprint, mirror_echoes_everything)
{
	/* the SYN itself, with a TSval set and TSecr 0 */
	const uint8_t a[] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 1,  2, 3,    4,
		              0, 0, 0, 0,    1, 3, 3, 7,  30, 4, 0x01, 0x81 };
	expect(a, sizeof a, "mss=echo,sack=echo,ts=echo,ws=echo,mpc=echo");
}

Test(fingerprint, host_answers_with_its_own)
{
	/* mss 1400, sackok, ts with TSecr = the probe's TSval, ws 9, v1 MP_CAPABLE with a key */
	const uint8_t a[] = { 2, 4, 5, 0x78, 4,  2,  8,    10,   9, 9, 9, 9, 1, 2, 3, 4,
		              1, 3, 3, 9,    30, 12, 0x01, 0x81, 1, 2, 3, 4, 5, 6, 7, 8 };
	expect(a, sizeof a, "mss=diff,sack=echo,ts=diff,ws=diff,mpc=diff");
}

Test(fingerprint, timestamps_overwritten_with_nops)
{
	const uint8_t a[] = {
		2, 4, 5, 0xb4, 4, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 7, 30, 4, 0x01, 0x81
	};
	expect(a, sizeof a, "mss=echo,sack=echo,ts=nop,ws=echo,mpc=echo");
}

Test(fingerprint, dropped_and_new_options)
{
	/* only mss, plus a TFO cookie and an unknown kind 99 */
	const uint8_t a[] = { 2, 4, 5, 0xb4, 34, 6, 1, 2, 3, 4, 99, 2 };
	expect(a, sizeof a, "mss=echo,sack=drop,ts=drop,ws=drop,mpc=drop,tfo=new,opt99=new");
}

Test(fingerprint, unknown_kinds_by_number)
{
	/* kinds 6, 99 and 253 (no name): written as the number, like printf's %u */
	const uint8_t a[] = { 2, 4, 5, 0xb4, 6, 2, 99, 2, 253, 4, 0xab, 0xcd };
	expect(a, sizeof a, "mss=echo,sack=drop,ts=drop,ws=drop,mpc=drop,opt6=new,opt99=new,opt253=new");
}

Test(fingerprint, empty_without_synack_or_probe)
{
	struct probe_profile p;
	struct scan_target t;
	char buf[FINGERPRINT_MAX];
	setup(&p, &t, probe_opts, sizeof probe_opts);
	t.response = RESP_RST;
	fingerprint_format(&p, &t, buf, sizeof buf);
	cr_assert_str_eq(buf, "");
	setup(&p, &t, probe_opts, sizeof probe_opts);
	t.profile = UINT32_MAX; /* no probe seen */
	fingerprint_format(&p, &t, buf, sizeof buf);
	cr_assert_str_eq(buf, "");
}

Test(fingerprint, cut_to_the_buffer)
{
	struct probe_profile p;
	struct scan_target t;
	char buf[12];
	setup(&p, &t, probe_opts, sizeof probe_opts);
	fingerprint_format(&p, &t, buf, sizeof buf);
	cr_assert_eq(strlen(buf), sizeof buf - 1);
	cr_assert_eq(strncmp(buf, "mss=echo,sa", 11), 0);
}

Test(fingerprint, every_buffer_size_gives_a_prefix)
{
	/* cut anywhere, even inside a name or between pieces: the first
	 * buflen - 1 bytes of the whole fingerprint, NUL-terminated */
	const char *whole = "mss=echo,sack=drop,ts=drop,ws=drop,mpc=drop,tfo=new,opt99=new";
	const uint8_t a[] = { 2, 4, 5, 0xb4, 34, 6, 1, 2, 3, 4, 99, 2 };
	struct probe_profile p;
	struct scan_target t;
	for (size_t buflen = 1; buflen <= strlen(whole) + 2; buflen++) {
		char buf[80];
		memset(buf, 'x', sizeof buf);
		setup(&p, &t, a, sizeof a);
		fingerprint_format(&p, &t, buf, buflen);
		size_t want = strlen(whole) < buflen - 1 ? strlen(whole) : buflen - 1;
		cr_assert_eq(strlen(buf), want, "buflen %zu: %zu bytes", buflen, strlen(buf));
		cr_assert_eq(strncmp(buf, whole, want), 0, "buflen %zu: %s", buflen, buf);
		cr_assert_eq(buf[buflen], 'x', "buflen %zu: wrote past the buffer", buflen);
	}
}
