#!/bin/bash
# tshark-oracle.sh — tshark (not mpcap) reads every generated capture without malformed packets
# or expert errors, with IP and TCP checksum validation on, and its view of every probe, answer,
# MP_CAPABLE option (keys in decimal), ICMP quote and tracebox hop equals the truth files
# (tests/gen/tshark_oracle.py says what is compared). Default world, then a second probe key.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/gen/lib-gen.sh
command -v tshark >/dev/null || { echo "Bail out! tshark not installed"; exit 1; }
"$GEN" -q --v6 --out "$T/a"
/usr/bin/python3 tests/gen/tshark_oracle.py "$T/a" > "$T/out"; rc=$?
while read -r line; do
	case "$line" in
	"ok "*) ok "${line#ok * - }" ;;
	"not ok "*) not_ok "${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done < "$T/out"
check_eq "the oracle ran on 48 captures of the default world" 48 "$(grep -c '^ok\|^not ok' "$T/out")"
check_eq "oracle exit status, default world" 0 "$rc"
"$GEN" -q --v6 --months 2020-10 --scale 0.5 --seed 9 --probe-key a5a5a5a5deadbeef --out "$T/k"
/usr/bin/python3 tests/gen/tshark_oracle.py "$T/k" a5a5a5a5deadbeef > "$T/out2"; rc=$?
grep '^not ok\|^#' "$T/out2"
check_eq "probe key a5a5a5a5deadbeef, scale 0.5, seed 9: tshark agrees with the truth on 8 captures" 0 "$rc"
finish
