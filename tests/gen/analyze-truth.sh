#!/bin/bash
# analyze-truth.sh — `mpcap analyze` of every generated scan equals its ground truth: every
# target's response, number of responses, TTL, MP_CAPABLE fields, key, verdict and reason,
# shared-key group sizes, and the probed/responsive/MP_CAPABLE/verdict counts. Both with --all
# (every responder listed) and without (only MP_CAPABLE responders listed; the counts must not
# change). Then `mpcap join` of the six months equals the truth's month-by-month presence
# (consistent / transient / never) and monthly verdict counts.
# Skipped (passing) while build/mpcap does not exist. Differences are listed row by row.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/gen/lib-gen.sh
if [ ! -x "$MPCAP" ]; then
	ok "# SKIP $MPCAP not built"
	finish
	exit 0
fi
# a private copy: the binary may be relinked while the test runs
cp "$MPCAP" "$T/mpcap" && MPCAP=$T/mpcap
compare_dir() { # DIR LABEL [--all]
	local d=$1 label=$2 all=${3:-} f b scan port fam mode only
	mode=${all:-without --all}
	only=--mpc-only
	[ -n "$all" ] && only=
	for f in "$d"/scan-*.pcap; do
		b=$(basename "$f" .pcap)
		b=${b#scan-}
		scan=${b:0:7}
		port=${b#*-p}
		port=${port%%-*}
		fam=${b: -1}
		rm -rf "$T/r"
		# shellcheck disable=SC2086
		"$MPCAP" analyze -q $all -o "$T/r" "$f" 2>"$T/err"
		rc=$?
		if [ $rc -ne 0 ]; then
			not_ok "$label $b ($mode): mpcap analyze exits $rc: $(head -1 "$T/err")"
			continue
		fi
		# shellcheck disable=SC2086
		if /usr/bin/python3 tests/gen/compare_analysis.py $only "$d/truth-$b.csv" "$T/r/targets.csv" \
			"$T/r/summary.csv" "$d/truth-summary.csv" "$scan" "$fam" "$port" >"$T/diff"; then
			ok "$label $b ($mode): every target and count equals the truth"
		else
			not_ok "$label $b ($mode): mpcap differs from the truth ($(grep -c . "$T/diff") lines)"
			cat "$T/diff"
		fi
	done
}
"$GEN" -q --v6 --out "$T/a"
compare_dir "$T/a" "default world" --all
compare_dir "$T/a" "default world"
"$GEN" -q --v6 --months 2020-12 --seed 31 --scale 2 --probe-key 5555aaaa5555aaaa --out "$T/k"
compare_dir "$T/k" "seed 31, scale 2, key 5555aaaa5555aaaa:" --all
# the six months, each analysed as one scan of its four captures, joined
for m in 07 08 09 10 11 12; do
	"$MPCAP" analyze -q --all -o "$T/m$m" "$T"/a/scan-2020-$m-*.pcap 2>"$T/err" ||
		not_ok "analysis of 2020-$m's four captures: $(head -1 "$T/err")"
done
"$MPCAP" join -o "$T/j" "$T"/m?? >/dev/null 2>"$T/err"
check_eq "mpcap join of the six months exits 0" 0 $?
if /usr/bin/python3 tests/gen/compare_join.py "$T/a" "$T/j/hosts.csv" "$T/j/monthly.csv" >"$T/diff"; then
	ok "join: every MP_CAPABLE host's months, verdicts and consistency, and the monthly counts, equal the truth"
else
	not_ok "join differs from the truth ($(grep -c . "$T/diff") lines)"
	cat "$T/diff"
fi
finish
