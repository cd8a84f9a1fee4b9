/* fingerprint.c — option-by-option comparison of a SYN-ACK with its probe
 * (RFC 9293 §3.1 options, RFC 7323 timestamps).  See fingerprint.h. */
#include "analyzer/scan/fingerprint.h"

#include <stdio.h>
#include <string.h>

#include "analyzer/dissect/tcp.h"

#define OPTS_MAX 40 /* a 40-byte area holds at most 40 options */

struct optlist {
	struct tcp_opt v[OPTS_MAX];
	size_t n;
	size_t nops; /* NOP bytes */
};

static void opts_collect(const uint8_t *area, size_t len, struct optlist *l)
{
	struct tcp_opts it;
	struct tcp_opt o;
	l->n = l->nops = 0;
	tcp_opts_begin(&it, bv_make(area, len), len);
	while (tcp_opts_next(&it, &o) == TCP_OPTS_MORE) {
		if (o.kind == TCP_OPT_NOP)
			l->nops++;
		else if (o.kind != TCP_OPT_EOL && l->n < OPTS_MAX)
			l->v[l->n++] = o;
	}
}

/* The option's name, or "opt<kind>" written into buf (at least 8 bytes). */
static const char *opt_name(uint8_t kind, char *buf)
{
	const char *n = NULL;
	switch (kind) {
	case TCP_OPT_MSS:
		n = "mss";
		break;
	case TCP_OPT_WSCALE:
		n = "ws";
		break;
	case TCP_OPT_SACK_PERM:
		n = "sack";
		break;
	case TCP_OPT_TIMESTAMP:
		n = "ts";
		break;
	case 19:
		n = "md5";
		break;
	case 29:
		n = "ao";
		break;
	case TCP_OPT_MPTCP:
		n = "mpc";
		break;
	case 34:
		n = "tfo";
		break;
	default:
		break;
	}
	if (n)
		return n;
	char *w = buf;
	memcpy(w, "opt", 3);
	w += 3;
	if (kind >= 100)
		*w++ = (char)('0' + kind / 100);
	if (kind >= 10)
		*w++ = (char)('0' + kind / 10 % 10);
	*w++ = (char)('0' + kind % 10);
	*w = '\0';
	return buf;
}

/* Byte i of an option's view (0 when absent: views come from the walk). */
static uint8_t opt_byte(const struct tcp_opt *o, size_t i)
{
	uint8_t b = 0;
	(void)bv_u8(&o->bytes, i, &b);
	return b;
}

static bool opt_same(const struct tcp_opt *a, const struct tcp_opt *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (opt_byte(a, i) != opt_byte(b, i))
			return false;
	return true;
}

static const char *compare(const struct tcp_opt *probe, const struct tcp_opt *ans)
{
	if (probe->kind == TCP_OPT_TIMESTAMP && ans->len == 10 && probe->len == 10) {
		/* profiles hold TSval and TSecr zeroed; a copied SYN has TSecr 0 */
		for (size_t i = 6; i < 10; i++)
			if (opt_byte(ans, i) != 0)
				return "diff";
		return "echo";
	}
	return opt_same(probe, ans) ? "echo" : "diff";
}

/* Appends s to buf (cut at buflen - 1, NUL-terminated); *at counts what
 * it would take uncut, as snprintf does. */
static void put_text(char *buf, size_t buflen, size_t *at, const char *s)
{
	size_t n = strlen(s);
	if (*at < buflen - 1) {
		size_t k = buflen - 1 - *at < n ? buflen - 1 - *at : n;
		memcpy(buf + *at, s, k);
		buf[*at + k] = '\0';
	}
	*at += n;
}

/* Appends ",name=what" (no comma first), without snprintf: it is called
 * for every option of every record, twice. */
static void append(char *buf, size_t buflen, size_t *at, const char *name, const char *what)
{
	if (*at >= buflen)
		return;
	if (*at)
		put_text(buf, buflen, at, ",");
	put_text(buf, buflen, at, name);
	put_text(buf, buflen, at, "=");
	put_text(buf, buflen, at, what);
}

void fingerprint_format(const struct probe_profile *p, const struct scan_target *t, char *buf, size_t buflen)
{
	if (!buflen)
		return;
	buf[0] = '\0';
	if (t->response != RESP_SYNACK || t->profile == UINT32_MAX || p->options_len == 0)
		return;
	struct optlist pr, an;
	bool used[OPTS_MAX] = { false };
	opts_collect(p->options, p->options_len, &pr);
	opts_collect(t->options, t->options_len, &an);
	size_t at = 0;
	char name[16];
	for (size_t i = 0; i < pr.n; i++) {
		const struct tcp_opt *o = &pr.v[i];
		const char *what = "drop";
		for (size_t j = 0; j < an.n; j++)
			if (!used[j] && an.v[j].kind == o->kind) {
				used[j] = true;
				what = compare(o, &an.v[j]);
				break;
			}
		if (o->kind == TCP_OPT_TIMESTAMP && what[0] == 'd' && what[1] == 'r' &&
		    an.nops >= pr.nops + 10)
			what = "nop";
		append(buf, buflen, &at, opt_name(o->kind, name), what);
	}
	for (size_t j = 0; j < an.n; j++)
		if (!used[j]) {
			append(buf, buflen, &at, opt_name(an.v[j].kind, name), "new");
		}
	if (at >= buflen) /* cut: end it cleanly */
		buf[buflen - 1] = '\0';
}
