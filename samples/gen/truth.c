/*
 * truth.c — the ground truth of what mpcap-gen generated (see truth.h), as RFC 4180 CSV: a row
 * per answering target with its class, the verdict and reason mpcap should find, the answer's
 * MP_CAPABLE option, its AS, country, prefix, tracebox class and presence; a row per traced
 * destination; and the summary counters of every capture.
 */
#include "samples/gen/truth.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct counts *counts_new(struct summary *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->c = realloc(s->c, s->cap * sizeof(*s->c));
		if (s->c == NULL) {
			fprintf(stderr, "mpcap-gen: out of memory\n");
			exit(1);
		}
	}
	struct counts *c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	return c;
}

void write_summary(const char *dir, const struct summary *sm)
{
	char tmp[4300];
	FILE *f = open_out(dir, "truth-summary.csv", tmp, sizeof(tmp));
	fputs("scan,family,port,counter,value\n", f);
	for (size_t i = 0; i < sm->n; i++) {
		const struct counts *c = &sm->c[i];
		const char *s = c->scan;
		if (strcmp(c->kind, "scan") == 0) {
			fprintf(f, "%s,%d,%d,packets.scan,%" PRIu64 "\n", s, c->fam, c->port, c->packets);
			fprintf(f, "%s,%d,%d,targets.probed,%" PRIu64 "\n", s, c->fam, c->port, c->probed);
			fprintf(f, "%s,%d,%d,targets.responsive,%" PRIu64 "\n", s, c->fam, c->port,
			        c->responsive);
			fprintf(f, "%s,%d,%d,targets.mpcapable,%" PRIu64 "\n", s, c->fam, c->port,
			        c->mpcapable);
			for (int v = 0; v < V_COUNT; v++)
				fprintf(f, "%s,%d,%d,verdict.%s,%" PRIu64 "\n", s, c->fam, c->port,
				        verdict_name[v], c->verdict[v]);
			for (int k = 0; k < C_COUNT; k++)
				if (k != C_DARK)
					fprintf(f, "%s,%d,%d,class.%s,%" PRIu64 "\n", s, c->fam, c->port,
					        cls_name[k], c->cls[k]);
		} else {
			fprintf(f, "%s,%d,%d,packets.tracebox,%" PRIu64 "\n", s, c->fam, c->port, c->packets);
			fprintf(f, "%s,%d,%d,tracebox.traced,%" PRIu64 "\n", s, c->fam, c->port, c->traced);
			fprintf(f, "%s,%d,%d,tracebox.true-mptcp,%" PRIu64 "\n", s, c->fam, c->port,
			        c->tb_true);
			fprintf(f, "%s,%d,%d,tracebox.middlebox,%" PRIu64 "\n", s, c->fam, c->port, c->tb_mb);
			fprintf(f, "%s,%d,%d,tracebox.unreachable,%" PRIu64 "\n", s, c->fam, c->port,
			        c->tb_unreach);
		}
	}
	close_out(f, tmp);
}

void capture_open(struct capture *c, const char *dir, struct summary *s, bool tracebox, int fam, int port,
                  int y, int m)
{
	char name[128];
	memset(c, 0, sizeof(*c));
	snprintf(c->scan, sizeof(c->scan), "%04d-%02d", y, m);
	snprintf(name, sizeof(name), "%s-%s-p%d-v%d.pcap", tracebox ? "tracebox" : "scan", c->scan, port,
	         fam);
	pcapw_open(&c->pw, dir, name, tracebox ? DLT_RAW : DLT_EN10MB);
	snprintf(name, sizeof(name), "truth-%s%s-p%d-v%d.csv", tracebox ? "tracebox-" : "", c->scan, port,
	         fam);
	c->tf = open_out(dir, name, c->tmp, sizeof(c->tmp));
	setvbuf(c->tf, NULL, _IOFBF, 1 << 20);
	if (tracebox)
		truth_trace_header(c->tf);
	else
		truth_scan_header(c->tf);
	c->cnt = counts_new(s);
	snprintf(c->cnt->scan, sizeof(c->cnt->scan), "%s", c->scan);
	c->cnt->fam = fam;
	c->cnt->port = port;
	c->cnt->kind = tracebox ? "tracebox" : "scan";
}

void capture_close(struct capture *c)
{
	heap_flush(&c->hp, UINT64_MAX, &c->pw);
	free(c->hp.a);
	c->cnt->packets = c->pw.pkts;
	c->cnt->bytes = c->pw.bytes;
	pcapw_close(&c->pw);
	close_out(c->tf, c->tmp);
}

static void prefix_cidr(const struct world *w, int pfx, char *out, size_t n)
{
	char t[64];
	prefix_text(&w->pfx[pfx], t, sizeof(t));
	snprintf(out, n, "%s/%d", t, w->pfx[pfx].len);
}

/* The prefix attribution sees for a host: its own (providers leave the half holding a
 * customer's more-specific to the customer, so the longest match is the host's prefix). */
static int attributed_prefix(const struct host *h)
{
	return h->pfx;
}

void truth_scan_header(FILE *f)
{
	fputs(
	    "scan,address,port,family,class,verdict,verdict_reason,response,responses,mpc_version,mpc_length,"
	    "mpc_flags,key,key_group,ttl,asn,country,prefix,tracebox,tb_change_hop,tb_change,presence,"
	    "weight\n",
	    f);
}

void truth_scan_row(FILE *f, struct counts *cnt, const struct world *w, const char *scan, int port,
                    const struct host *h, const struct answer *an, const struct path *path, uint64_t group)
{
	int fam = h->fam;
	cnt->responsive++;
	if (an->mpc)
		cnt->mpcapable++;
	cnt->verdict[cls_verdict[h->cls].v]++;
	cnt->cls[h->cls]++;
	char a[64], pfxs[80], pres[40], keyhex[20] = "", flags[8] = "";
	addr_text(fam, h->addr, a, sizeof(a));
	int ap = attributed_prefix(h);
	prefix_cidr(w, ap, pfxs, sizeof(pfxs));
	presence_text(h, pres, sizeof(pres));
	if (an->has_key)
		snprintf(keyhex, sizeof(keyhex), "%016" PRIx64, an->key);
	if (an->mpc)
		snprintf(flags, sizeof(flags), "0x%02x", an->mpc_flags);
	const char *resp = an->kind == 1 ? "synack" : an->kind == 2 ? "rst" : "icmp-unreachable";
	fprintf(f, "%s,%s,%d,%d,%s,%s,%s,%s,%d,", scan, a, port, fam, cls_name[h->cls],
	        verdict_name[cls_verdict[h->cls].v], cls_verdict[h->cls].reason, resp, an->responses);
	if (an->mpc)
		fprintf(f, "%d,%d,%s,", an->mpc_ver, an->mpc_len, flags);
	else
		fputs(",,,", f);
	fprintf(f, "%s,", keyhex);
	if (group)
		fprintf(f, "%" PRIu64, group);
	fprintf(f, ",%d,", an->ttl);
	csv_field(f, w->pfx[ap].origin);
	fprintf(f, ",%s,%s,%s,", world_countries[w->pfx[ap].cc].cc, pfxs, tracebox_class(h));
	if (cls_traced(h->cls) && path->k)
		fprintf(f, "%d,%s", path->k, change_name[path->change]);
	else
		fputc(',', f);
	fprintf(f, ",%s,%g\n", pres, h->ci->weight);
}

void truth_trace_header(FILE *f)
{
	fputs("scan,address,port,family,class,tracebox,hops,probes,dest_answer,tb_change_hop,tb_change,"
	      "quotes\n",
	      f);
}

static const char *dest_answer_name(const struct host *h)
{
	switch (h->cls) {
	case C_MPTCP:
	case C_REWRITER:
		return "synack-own-key";
	case C_REPLAY:
	case C_MIRROR:
		return "synack-probe-key";
	case C_HEADER:
		return "synack-modified-header";
	case C_STRIPPED:
		return "synack-no-mpc";
	case C_SHARED:
		return "synack-box-key";
	default:
		return "synack-modified-key";
	}
}

void truth_trace_row(FILE *f, struct counts *cnt, const char *scan, int port, const struct host *h,
                     const struct path *path, int probes, bool answered_dest, const char *quotes)
{
	const char *cl = tracebox_class(h);
	cnt->traced++;
	if (strcmp(cl, "true-mptcp") == 0)
		cnt->tb_true++;
	else if (strcmp(cl, "middlebox") == 0)
		cnt->tb_mb++;
	else
		cnt->tb_unreach++;
	char a[64];
	addr_text(h->fam, h->addr, a, sizeof(a));
	fprintf(f, "%s,%s,%d,%d,%s,%s,%d,%d,%s,", scan, a, port, h->fam, cls_name[h->cls], cl, path->H,
	        probes, answered_dest ? dest_answer_name(h) : "none");
	if (path->k)
		fprintf(f, "%d,%s,", path->k, change_name[path->change]);
	else
		fputs(",,", f);
	fprintf(f, "%s\n", quotes);
}
