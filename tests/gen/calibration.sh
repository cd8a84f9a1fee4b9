#!/bin/bash
# calibration.sh — the default world, weighted back to study units by the truth's weight
# column, reproduces the published aggregates (docs/reproduce.md, "The published numbers") within
# the tolerances of tests/gen/calibration.py (which docs/samples.md quotes); checked for three seeds.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/gen/lib-gen.sh
for seed in 2020 7 12345; do
	"$GEN" -q --v6 --seed "$seed" --out "$T/s$seed"
	/usr/bin/python3 tests/gen/calibration.py "$T/s$seed" > "$T/out"; rc=$?
	while read -r line; do
		case "$line" in
		"ok "*) ok "seed $seed: ${line#ok * - }" ;;
		"not ok "*) not_ok "seed $seed: ${line#not ok * - }" ;;
		"#"*) echo "$line" ;;
		esac
	done < "$T/out"
	check_eq "seed $seed: calibration exit status" 0 "$rc"
done
finish
