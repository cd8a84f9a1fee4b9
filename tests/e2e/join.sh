#!/bin/bash
# join.sh — mpcap join over scans whose membership is known by construction:
# the same ZMap capture analysed as three "months", one of them with a host
# filtered out by a BPF expression (so that host must come out transient), and
# the scans given out of order (they must come out sorted by label).
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
Z=$CORPUS/zmap-synopt-v4-mpcv0.pcap
"$MPCAP" analyze -q --scan 2020-07 -o "$T/07" "$Z"
"$MPCAP" analyze -q --scan 2020-08 -f 'not host 203.0.113.11' -o "$T/08" "$Z"
"$MPCAP" analyze -q --scan 2020-09 -o "$T/09" "$Z"
"$MPCAP" join -o "$T/j" "$T/09" "$T/07" "$T/08" > "$T/out"; rc=$?
check_eq "join exits 0" 0 $rc
H=$T/j/hosts.csv
field() { awk -F, -v a="$1" -v p="$2" -v c="$3" 'NR==1{for(i=1;i<=NF;i++) n[$i]=i; next} $1==a && $2==p {print $n[c]}' "$H"; }
check_eq ".10:80 answered in all 3 scans" 3 "$(field 203.0.113.10 80 scans_mpcapable)"
check_eq ".10:80 consistent" consistent "$(field 203.0.113.10 80 mpcapable_consistency)"
check_eq ".10:80 never true MPTCP (a replaying middlebox)" never "$(field 203.0.113.10 80 mptcp_consistency)"
check_eq ".11:443 filtered out of 2020-08: answered in 2 scans" 2 "$(field 203.0.113.11 443 scans_mpcapable)"
check_eq ".11:443 transient" transient "$(field 203.0.113.11 443 mpcapable_consistency)"
check_eq ".11:443 verdicts in label order" "2020-07:modified;2020-09:modified" "$(field 203.0.113.11 443 verdicts)"
check_eq "first and last scan of .11" "2020-07 2020-09" "$(field 203.0.113.11 80 first_scan) $(field 203.0.113.11 80 last_scan)"
check_eq "4 MP_CAPABLE host-ports" 4 "$(($(wc -l <"$H") - 1))"
M=$T/j/monthly.csv
check_eq "monthly series in label order" "2020-07 2020-08 2020-09" "$(awk -F, 'NR>1{print $1}' "$M" | uniq | tr '\n' ' ' | sed 's/ $//')"
check_eq "monthly: 2020-08 has one replay per port and no modified" "1 1 0" \
	"$(awk -F, '$1=="2020-08" && $4=="replay" {n[$3]=$5} $1=="2020-08" && $4=="modified" {m+=$5} END{print n[80]+0, n[443]+0, m+0}' "$M")"
"$MPCAP" join -o "$T/j2" "$T/07" "$T/07" 2>"$T/err"; rc=$?
check_eq "the same scan twice is refused" 1 $rc
check "the error says the label is repeated" grep -q "given twice" "$T/err"
"$MPCAP" join -o "$T/j3" "$T/nope" 2>"$T/err"; check_eq "a missing directory is an error" 1 $?
check_eq "the error is one line" 1 "$(wc -l < "$T/err")"
finish
