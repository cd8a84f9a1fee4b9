/* cmd_columns.c — `mpcap columns`: the CSV column reference (docs/columns.md). */
#include <string.h>

#include "analyzer/results/columns.h"
#include "cli/cli.h"

void help_columns(FILE *out)
{
	fputs("usage: mpcap columns\n"
	      "\n"
	      "Prints, as Markdown, every CSV column mpcap writes with its type and meaning\n"
	      "(the source of docs/columns.md).\n",
	      out);
}

int cmd_columns(int argc, char **argv, const struct cli_env *env)
{
	(void)env;
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		help_columns(stdout);
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "mpcap columns: takes no arguments\n");
		return EXIT_USAGE;
	}
	columns_write_markdown(stdout);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERROR;
}
