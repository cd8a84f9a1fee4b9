#!/bin/sh
# check-docs.sh — docs say what the code does: the column reference is generated
# from the same table the writers use, and every man page renders without warnings.
set -eu
cd "$(dirname "$0")/.."
: "${MPCAP:=build/mpcap}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
{ sed -n '1,/^<!-- generated below/p' docs/columns.md; "$MPCAP" columns; } > "$tmp/columns.md"
if cmp -s "$tmp/columns.md" docs/columns.md; then echo "ok - docs/columns.md matches 'mpcap columns'"
else echo "not ok - docs/columns.md is stale: run 'make docs'"; diff "$tmp/columns.md" docs/columns.md | head -20; fail=1; fi
for m in docs/*.1; do
	if out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null) && [ -z "$out" ]; then
		echo "ok - $m renders cleanly"
	else echo "not ok - $m: $out"; fail=1; fi
done
for sc in $("$MPCAP" --help | awk '/^Subcommands:/{f=1;next} f&&/^  [a-z]/{print $1}'); do
	if "$MPCAP" help "$sc" >/dev/null && [ -e "docs/mpcap-$sc.1" ]; then echo "ok - $sc has help and a man page"
	else echo "not ok - $sc lacks help or docs/mpcap-$sc.1"; fail=1; fi
done
exit $fail
