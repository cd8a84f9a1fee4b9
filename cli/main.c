/* main.c — the mpcap command: git-style subcommands over the analysis modules.
 * Only this file exits; it owns the signal flag that asks long runs to stop. */
#include <pcap/pcap.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer/results/manifest.h"
#include "cli/cli.h"

#ifndef MPCAP_VERSION
#define MPCAP_VERSION "0.0.0"
#endif
#ifndef MPCAP_GIT_DESCRIBE
#define MPCAP_GIT_DESCRIBE "" /* not built from a git checkout */
#endif

static const struct subcommand commands[] = {
	{ "analyze", "match probes to responses per target; write targets.csv and summary.csv", cmd_analyze,
	  help_analyze },
	{ "dump", "one CSV row per MP_CAPABLE option in any packet (the forensic view)", cmd_dump,
	  help_dump },
	{ "join", "join several scans' results per host: consistent or transient, monthly series", cmd_join,
	  help_join },
	{ "trace", "tracebox view: hop-by-hop changes of MP_CAPABLE in ICMP quotes; true MPTCP or middlebox",
	  cmd_trace, help_trace },
	{ "stats", "are the returned keys random? weight and bit tests, before and after removing replays",
	  cmd_stats, help_stats },
	{ "attribute", "adoption by origin AS and country (pfx2as, as2org, MaxMind DBs, RIR files)",
	  cmd_attribute, help_attribute },
	{ "report", "tables, charts (PNG/SVG/PDF) and index.html from the scans' results", cmd_report,
	  help_report },
	{ "merge", "combine the results of shards (rotated files, ZMap shards) into one scan's, exactly",
	  cmd_merge, help_merge },
	{ "verify", "check a results directory against its manifest.json (SHA-256 of outputs, inputs)",
	  cmd_verify, help_verify },
	{ "columns", "print the reference of every CSV column mpcap writes", cmd_columns, help_columns },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
	fputs("usage: mpcap [--version] [--help] SUBCOMMAND [ARGS]\n"
	      "\n"
	      "mpcap measures Multipath TCP deployment from packet captures of MP_CAPABLE\n"
	      "scans: it reads pcap/pcapng captures of any origin (compressed or not), extracts\n"
	      "every MP_CAPABLE exchange and counts targets per scan.\n"
	      "\n"
	      "Subcommands:\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "'mpcap help SUBCOMMAND' or 'mpcap SUBCOMMAND --help' explains one; man mpcap(1).\n"
	      "Example: mpcap analyze -o results scan-2020-07.pcap.zst\n",
	      out);
}

static const struct subcommand *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* "mpcap: 'x' is not a subcommand", with the closest one. */
static void no_such(const char *name)
{
	const char *names[NCOMMANDS];
	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	const char *s = cli_closest(name, strlen(name), names, NCOMMANDS);
	if (s)
		fprintf(stderr, "mpcap: '%s' is not a subcommand; did you mean '%s'? (see 'mpcap --help')\n",
		        name, s);
	else
		fprintf(stderr, "mpcap: '%s' is not a subcommand; see 'mpcap --help'\n", name);
}

/* The one piece of mutable global state: written by the signal handler only. */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("mpcap %s (%s)\n", MPCAP_VERSION, pcap_lib_version());
		return EXIT_OK;
	}
	if (strcmp(cmd, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_OK;
		}
		const struct subcommand *sc = find(argv[2]);
		if (!sc) {
			no_such(argv[2]);
			return EXIT_USAGE;
		}
		sc->help(stdout);
		return EXIT_OK;
	}
	const struct subcommand *sc = find(cmd);
	if (!sc) {
		no_such(cmd);
		return EXIT_USAGE;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN); /* a file size limit gives EFBIG, reported as a write error */
	struct cli_env env = { &stop_requested, isatty(STDERR_FILENO) == 1,
		               manifest_new(MPCAP_VERSION, MPCAP_GIT_DESCRIBE, argc, argv) };
	if (!env.manifest) {
		fprintf(stderr, "mpcap %s: out of memory\n", cmd);
		return EXIT_ERROR;
	}
	/* getopt_long's own messages then begin "mpcap SUBCOMMAND: " like ours */
	char prog[64];
	snprintf(prog, sizeof prog, "mpcap %s", sc->name);
	argv[1] = prog;
	int rc = sc->run(argc - 1, argv + 1, &env);
	manifest_free(env.manifest);
	/* a read cut short by the signal (EINTR) failed the run: that is the
	 * interruption, and an error wrote nothing */
	if (stop_requested && rc == EXIT_ERROR) {
		fprintf(stderr, "mpcap %s: interrupted; no output written\n", sc->name);
		rc = EXIT_INTERRUPTED;
	}
	return rc;
}
