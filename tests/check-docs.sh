#!/bin/sh
# check-docs.sh — docs say what the code does: the column reference is generated
# from the same table the writers use, and every man page renders without warnings;
# and the repository stands alone (no tracked file points at a folder beside it).
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
# mpcap(1) lists every subcommand of the table in cli/main.c, in SUBCOMMANDS and in SEE ALSO
table=$("$MPCAP" --help | awk '/^Subcommands:/{f=1;next} f&&/^  [a-z]/{print $1}' | sort)
listed=$(sed -n '/^\.SH SUBCOMMANDS/,/^\.SH /p' docs/mpcap.1 | awk 'prev == ".TP" && $1 == ".B" {print $2} {prev = $1}' | sort)
seealso=$(sed -n '/^\.SH SEE ALSO/,$p' docs/mpcap.1 | sed -n 's/^\.BR mpcap\\-\([a-z]*\) (1).*/\1/p' | sort)
if [ -n "$table" ] && [ "$table" = "$listed" ]; then echo "ok - mpcap(1) SUBCOMMANDS lists the subcommand table"
else echo "not ok - mpcap(1) SUBCOMMANDS differs from the subcommand table:"; echo "$table" >"$tmp/t"; echo "$listed" >"$tmp/l"; diff "$tmp/t" "$tmp/l" | sed 's/^/#   /'; fail=1; fi
if [ -n "$table" ] && [ "$table" = "$seealso" ]; then echo "ok - mpcap(1) SEE ALSO names every subcommand's page"
else echo "not ok - mpcap(1) SEE ALSO differs from the subcommand table:"; echo "$table" >"$tmp/t"; echo "$seealso" >"$tmp/l"; diff "$tmp/t" "$tmp/l" | sed 's/^/#   /'; fail=1; fi
# every counter a real run writes is documented in docs/columns.md
"$MPCAP" analyze -q --all -o "$tmp/a" "${CORPUS:-tests/corpus}/zmap-synopt-v4-mpcv0.pcap" 2>/dev/null || true
if /usr/bin/python3 - "$tmp/a/summary.csv" docs/columns.md <<'PY'
import csv, re, sys
doc = open(sys.argv[2]).read()
sec = doc[doc.index("## summary.csv counters"):]
rows = re.findall(r"^\| `([^`]+)` \| (.*) \|$", sec, re.M)
bad = []
for r in csv.DictReader(open(sys.argv[1])):
    c = r["counter"]
    ok = False
    for name, meaning in rows:
        if name == c:
            ok = True
        elif re.fullmatch(r"[a-z.-]+\.[A-Z]+", name):
            prefix = name.rsplit(".", 1)[0] + "."
            tail = c[len(prefix):] if c.startswith(prefix) else None
            if tail and (name.startswith("packets.linktype") or tail in meaning):
                ok = True
    if not ok:
        bad.append(c)
if bad:
    print("undocumented counters:", sorted(set(bad)))
    sys.exit(1)
PY
then echo "ok - every summary.csv counter is documented"; else echo "not ok - undocumented counters"; fail=1; fi
# the repository stands alone: no tracked file names the reference folder that sat beside the
# checkout while mpcap was built (its captures and published numbers now live in tests/corpus
# and docs/reproduce.md).  The pattern is spelled so that it does not match this file.
outside='(\.\./|/work/)share[d]\b|share[d]/(corpus|DESIGN)|"share[d]", *"corpus"'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	refs=$(git grep -nIE "$outside" -- . || true)
else
	refs=$(grep -rnIE --exclude-dir=build --exclude-dir=build-san "$outside" . || true)
fi
if [ -z "$refs" ]; then echo "ok - no tracked file points at a folder outside the repository"
else echo "not ok - files point outside the repository; use tests/corpus and docs/reproduce.md:"
	echo "$refs" | head -20; fail=1; fi
exit $fail
