#!/bin/bash
# run-testlist.sh — runs every line of tests/TESTLIST and compares the CSV
# output with its golden file.  `--update` rewrites the goldens (review the
# diff before committing: goldens are checked against tshark and the corpus
# README by the oracle and corpus-facts tests, not trusted on their own).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
update=0; [ "${1:-}" = "--update" ] && update=1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
while read -r name sub input opts; do
	case "$name" in ''|'#'*) continue;; esac
	case "$input" in corpus:*) path="$CORPUS/${input#corpus:}";; *) path=$input;; esac
	if [ ! -e "$path" ]; then not_ok "$name: input $path missing"; continue; fi
	if [ "$sub" = dump ]; then
		# the file column holds the path, which differs between machines: drop it
		# shellcheck disable=SC2086
		"$MPCAP" dump $opts "$path" 2>"$T/err" | cut -d, -f1-14 > "$T/$name.csv"
		rc=${PIPESTATUS[0]}
		outs=("$name.csv")
	else
		mkdir -p "$T/$name"
		# shellcheck disable=SC2086
		"$MPCAP" analyze -q --scan golden $opts -o "$T/$name" "$path" 2>"$T/err"
		rc=$?
		outs=("$name/targets.csv" "$name/summary.csv")
	fi
	if [ $rc -ne 0 ] && [ $rc -ne 3 ]; then not_ok "$name: exit $rc: $(head -1 "$T/err")"; continue; fi
	for o in "${outs[@]}"; do
		g=tests/golden/$o
		if [ $update -eq 1 ]; then mkdir -p "$(dirname "$g")"; cp "$T/$o" "$g"; fi
		if [ ! -e "$g" ]; then not_ok "$name: golden $g missing (run with --update and review)"
		elif cmp -s "$g" "$T/$o"; then ok "$name: $o equals its golden"
		else not_ok "$name: $o differs from $g"; diff "$g" "$T/$o" | head -10 | sed 's/^/#   /'; fi
	done
done < tests/TESTLIST
finish
