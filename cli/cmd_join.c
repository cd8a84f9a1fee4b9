/* cmd_join.c — `mpcap join`: several scans' results joined per host and port
 * (longitudinal.h), written as hosts.csv and monthly.csv through outdir.h. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/base/csv_io.h"
#include "analyzer/results/columns.h"
#include "analyzer/results/outdir.h"
#include "analyzer/scan/target.h"
#include "analyzer/results/manifest.h"
#include "cli/cli.h"
#include "report/series/longitudinal.h"

void help_join(FILE *out)
{
	fputs("usage: mpcap join [-o DIR] RESULTS...\n"
	      "\n"
	      "Joins the results of several scans (e.g. monthly) of 'mpcap analyze': each\n"
	      "RESULTS is a directory holding targets.csv and summary.csv.  Scans are ordered\n"
	      "by their labels (YYYY-MM sorts chronologically); each label must be unique.\n"
	      "\n"
	      "Writes, atomically:\n"
	      "  DIR/hosts.csv     one row per (address, port) that answered with MP_CAPABLE in\n"
	      "                    some scan: in how many scans of its family and port it was\n"
	      "                    probed, answered with MP_CAPABLE, had the mptcp verdict; its\n"
	      "                    verdict per scan; consistent (MP_CAPABLE / mptcp in every\n"
	      "                    scan that probed it) or transient\n"
	      "  DIR/monthly.csv   per scan, family, port and verdict: the number of targets\n"
	      "                    (from each summary.csv), for the monthly series\n"
	      "\n"
	      "  -o, --output DIR   output directory (default: mpcap-join)\n"
	      "  -h, --help         this text\n"
	      "\n"
	      "Exit status: 0 ok, 1 error (nothing written), 2 usage.\n",
	      out);
}

struct count_writer {
	FILE *fp;
	int rc;
};

static void write_count(void *ctx, const char *scan, const char *family, const char *port,
                        const char *verdict, const char *count)
{
	struct count_writer *w = ctx;
	const char *f[] = { scan, family, port, verdict, count };
	if (w->rc == 0 && csv_write_row(w->fp, f, 5) != 0)
		w->rc = -1;
}

static int write_hosts(FILE *fp, const struct longitudinal *l, size_t *consistent)
{
	if (column_set_write_header(fp, COLSET_JOIN_HOSTS) != 0)
		return -1;
	size_t nscans = longitudinal_scan_count(l);
	char *verdicts = NULL;
	size_t cap = 0;
	*consistent = 0;
	for (size_t i = 0; i < longitudinal_host_count(l); i++) {
		struct longitudinal_host h;
		longitudinal_host_at(l, i, &h);
		char addr[64], port[8], fam[4], ns[12], np[12], nm[12], nt[12];
		target_addr_format(h.family, h.addr, addr, sizeof addr);
		snprintf(port, sizeof port, "%u", h.port);
		snprintf(fam, sizeof fam, "%u", h.family);
		snprintf(ns, sizeof ns, "%zu", nscans);
		snprintf(np, sizeof np, "%u", h.scans_probed);
		snprintf(nm, sizeof nm, "%u", h.scans_mpcapable);
		snprintf(nt, sizeof nt, "%u", h.scans_mptcp);
		size_t used = 0;
		for (size_t s = 0; s < nscans; s++) {
			if (!h.verdicts[s])
				continue;
			const char *label = longitudinal_scan_label(l, s);
			size_t need = used + strlen(label) + strlen(h.verdicts[s]) + 3;
			if (need > cap) {
				size_t nc = need * 2;
				char *nv = realloc(verdicts, nc);
				if (!nv) {
					free(verdicts);
					errno = ENOMEM;
					return -1;
				}
				verdicts = nv;
				cap = nc;
			}
			used += (size_t)sprintf(verdicts + used, "%s%s:%s", used ? ";" : "", label,
			                        h.verdicts[s]);
		}
		unsigned probed = h.scans_probed > h.scans_mpcapable ? h.scans_probed : h.scans_mpcapable;
		const char *mpc_cons = h.scans_mpcapable == probed ? "consistent" : "transient";
		const char *tcp_cons = h.scans_mptcp == 0        ? "never"
		                       : h.scans_mptcp == probed ? "consistent"
		                                                 : "transient";
		*consistent += h.scans_mpcapable == probed;
		const char *f[] = { addr,
			            port,
			            fam,
			            ns,
			            np,
			            nm,
			            nt,
			            longitudinal_scan_label(l, (size_t)h.first_scan),
			            longitudinal_scan_label(l, (size_t)h.last_scan),
			            mpc_cons,
			            tcp_cons,
			            verdicts ? verdicts : "" };
		if (csv_write_row(fp, f, sizeof f / sizeof f[0]) != 0) {
			free(verdicts);
			return -1;
		}
	}
	free(verdicts);
	return 0;
}

int cmd_join(int argc, char **argv, const struct cli_env *env)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = "mpcap-join";
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			dir = optarg;
			break;
		case 'h':
			help_join(stdout);
			return EXIT_OK;
		default:
			return cli_bad_option("join", argv, optind, longopts);
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mpcap join: no results directory given\nTry 'mpcap help join'.\n");
		return EXIT_USAGE;
	}
	char err[8400];
	if (outdir_check(dir, err, sizeof err) != 0) { /* before reading the results */
		fprintf(stderr, "mpcap join: %s\n", err);
		return EXIT_ERROR;
	}
	struct longitudinal *l = longitudinal_new();
	if (!l) {
		fprintf(stderr, "mpcap join: out of memory\n");
		return EXIT_ERROR;
	}
	int rc = EXIT_ERROR;
	struct outdir o = { 0 };
	for (int i = optind; i < argc; i++) {
		if (*env->stop)
			goto interrupted;
		if (longitudinal_add_dir(l, argv[i], err, sizeof err) != 0)
			goto fail;
	}
	if (*env->stop)
		goto interrupted;
	if (longitudinal_finish(l, err, sizeof err) != 0 || outdir_open(&o, dir, err, sizeof err) != 0)
		goto fail;
	FILE *hosts = outdir_add(&o, "hosts.csv", err, sizeof err);
	FILE *monthly = hosts ? outdir_add(&o, "monthly.csv", err, sizeof err) : NULL;
	if (!monthly)
		goto fail;
	size_t consistent;
	if (write_hosts(hosts, l, &consistent) != 0) {
		outdir_write_failed(&o, hosts, err, sizeof err);
		goto fail;
	}
	struct count_writer w = { monthly, column_set_write_header(monthly, COLSET_JOIN_MONTHLY) };
	longitudinal_each_count(l, write_count, &w);
	if (w.rc != 0) {
		outdir_write_failed(&o, monthly, err, sizeof err);
		goto fail;
	}
	if (*env->stop)
		goto interrupted;
	o.manifest = env->manifest;
	if (manifest_add_paths(o.manifest, argv + optind, argc - optind, "results", err, sizeof err) != 0)
		goto fail;
	if (outdir_commit(&o, err, sizeof err) != 0)
		goto fail;
	printf("%zu scan%s (%s .. %s), %zu MP_CAPABLE host%s, %zu consistent, %zu transient -> "
	       "%s/hosts.csv, %s/monthly.csv\n",
	       longitudinal_scan_count(l), longitudinal_scan_count(l) == 1 ? "" : "s",
	       longitudinal_scan_label(l, 0), longitudinal_scan_label(l, longitudinal_scan_count(l) - 1),
	       longitudinal_host_count(l), longitudinal_host_count(l) == 1 ? "" : "s", consistent,
	       longitudinal_host_count(l) - consistent, dir, dir);
	rc = EXIT_OK;
	goto out;
interrupted:
	fprintf(stderr, "mpcap join: interrupted; no output written\n");
	rc = EXIT_INTERRUPTED;
	goto out;
fail:
	fprintf(stderr, "mpcap join: %s\n", err);
out:
	outdir_close(&o);
	longitudinal_free(l);
	return rc;
}
