/* bpf_filter.c — pcap-filter(7) expressions, compiled per link type (see bpf_filter.h).
 *
 * Specification: pcap-filter(7) and pcap_compile(3PCAP) of libpcap 1.10.
 * Programs are compiled with optimisation and PCAP_NETMASK_UNKNOWN on a
 * pcap_open_dead() handle of the record's link type and cached in the filter
 * (failures too, so a bad combination is reported without recompiling).
 */
#include "analyzer/ingest/bpf_filter.h"

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BPF_SNAPLEN 262144 /* libpcap's MAXIMUM_SNAPLEN */

struct compiled {
	int dlt;
	bool ok;
	struct bpf_program prog;
	char *msg; /* why it failed, when !ok */
};

struct bpf_filter {
	char *expr;
	struct compiled *progs;
	size_t n, cap;
};

/* Compiles expr for dlt.  Returns 0 (prog filled) or -1 with pcap's text in err. */
static int compile_for(const char *expr, int dlt, struct bpf_program *prog, char *err, size_t errlen)
{
	pcap_t *p = pcap_open_dead(dlt, BPF_SNAPLEN);
	if (!p) {
		snprintf(err, errlen, "cannot create a pcap handle for link type %d", dlt);
		return -1;
	}
	int rc = pcap_compile(p, prog, expr, 1, PCAP_NETMASK_UNKNOWN);
	if (rc != 0)
		snprintf(err, errlen, "%s", pcap_geterr(p));
	pcap_close(p);
	return rc == 0 ? 0 : -1;
}

struct bpf_filter *bpf_filter_new(const char *expr, char *err, size_t errlen)
{
	struct bpf_program prog;
	if (compile_for(expr, DLT_EN10MB, &prog, err, errlen) < 0)
		return NULL;
	struct bpf_filter *f = calloc(1, sizeof *f);
	if (f)
		f->expr = strdup(expr);
	if (f)
		f->progs = calloc(4, sizeof *f->progs);
	if (!f || !f->expr || !f->progs) {
		pcap_freecode(&prog);
		if (f) {
			free(f->expr);
			free(f->progs);
			free(f);
		}
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	f->cap = 4;
	f->progs[0].dlt = DLT_EN10MB;
	f->progs[0].ok = true;
	f->progs[0].prog = prog;
	f->n = 1;
	return f;
}

static const char *dlt_label(int dlt, char *buf, size_t buflen)
{
	const char *name = pcap_datalink_val_to_name(dlt);
	if (name)
		snprintf(buf, buflen, "%s (DLT %d)", name, dlt);
	else
		snprintf(buf, buflen, "DLT %d", dlt);
	return buf;
}

int bpf_filter_match(struct bpf_filter *f, int dlt, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                     char *err, size_t errlen)
{
	struct compiled *cp = NULL;
	for (size_t i = 0; i < f->n; i++) {
		if (f->progs[i].dlt == dlt) {
			cp = &f->progs[i];
			break;
		}
	}
	if (!cp) {
		if (f->n == f->cap) {
			struct compiled *np = realloc(f->progs, f->cap * 2 * sizeof *np);
			if (!np) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			f->progs = np;
			f->cap *= 2;
		}
		cp = &f->progs[f->n];
		memset(cp, 0, sizeof *cp);
		cp->dlt = dlt;
		char perr[PCAP_ERRBUF_SIZE + 64];
		if (compile_for(f->expr, dlt, &cp->prog, perr, sizeof perr) == 0) {
			cp->ok = true;
		} else {
			cp->msg = strdup(perr);
			if (!cp->msg) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
		}
		f->n++;
	}
	if (!cp->ok) {
		char lbl[96];
		snprintf(err, errlen, "filter \"%s\" cannot be used on link type %s: %s", f->expr,
		         dlt_label(dlt, lbl, sizeof lbl), cp->msg);
		return -1;
	}
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof h);
	h.caplen = caplen;
	h.len = wirelen;
	return pcap_offline_filter(&cp->prog, &h, data) != 0 ? 1 : 0;
}

const char *bpf_filter_expr(const struct bpf_filter *f)
{
	return f->expr;
}

void bpf_filter_free(struct bpf_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		if (f->progs[i].ok)
			pcap_freecode(&f->progs[i].prog);
		free(f->progs[i].msg);
	}
	free(f->progs);
	free(f->expr);
	free(f);
}
