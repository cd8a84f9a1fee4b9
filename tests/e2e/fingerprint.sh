#!/bin/bash
# fingerprint.sh — the fingerprint column of targets.csv and fingerprints.csv
# (docs/methodology.md, "Middlebox fingerprints") on the lab capture of real
# hosts and of a replaying and a modifying middlebox, checked two ways:
#  - against the lab's ground truth (samples/captures/netns-verdicts.truth.csv):
#    a replaying box echoes every option; the modifying box echoes all but the
#    v0 key (mpc=diff), and its v1 option, which has no key, comes back as is;
#    the real hosts (Linux) answer with their own timestamps (ts=diff) and
#    their own MP_CAPABLE (v1) or none;
#  - against tshark: ts=echo exactly for the SYN-ACKs whose TSecr is 0, and
#    mss=echo exactly where the SYN-ACK's MSS equals the probe's.
# Then on the corpus's ZMap capture: .10 replays the option, .11 modifies the key.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
CAP=samples/captures/netns-verdicts.pcap
"$MPCAP" analyze -q --all -o "$T/n" "$CAP"
# address,port,probe_version,verdict,fingerprint of every SYN-ACK row
python3 - "$T/n/targets.csv" > "$T/fp.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["response"] == "synack":
        print(",".join([r["address"], r["port"], r["probe_version"], r["verdict"], r["fingerprint"].replace(",", ";")]))
PY
check "SYN-ACK rows found" test "$(wc -l < "$T/fp.csv")" -ge 20
all_echo="mss=echo;sack=echo;ts=echo;ws=echo;mpc=echo"
n=0
while IFS=, read -r addr port _fam what _rest; do
	[ "$addr" = address ] && continue
	for v in 0 1; do
		got=$(awk -F, -v a="$addr" -v p="$port" -v v="$v" '$1==a && $2==p && $3==v {print $5}' "$T/fp.csv")
		case "$what/$v" in
		replaying-middlebox/*|modifying-middlebox/1) check_eq "$addr:$port $what v$v" "$all_echo" "$got" ;;
		modifying-middlebox/0) check_eq "$addr:$port $what v$v" "mss=echo;sack=echo;ts=echo;ws=echo;mpc=diff" "$got" ;;
		mptcp-listener/1) check "$addr:$port $what v$v: own ts and own key ($got)" \
			grep -q 'ts=diff;.*mpc=diff$' <<< "$got" ;;
		mptcp-listener/0|plain-listener/*|mptcp-listener-behind-stripper/*)
			check "$addr:$port $what v$v: own ts, no MP_CAPABLE ($got)" grep -q 'ts=diff;.*mpc=drop$' <<< "$got" ;;
		*) check_eq "$addr:$port $what v$v: no fingerprint without SYN-ACK" "" "$got" ;;
		esac
		n=$((n + 1))
	done
done < samples/captures/netns-verdicts.truth.csv
check "every truth row checked" test $n -ge 20
# tshark: which responders copy TSecr 0 and which echo the probe's MSS
tshark -r "$CAP" -Y "tcp.flags.syn==1" -T fields -E separator=, -e ip.src -e ipv6.src -e tcp.srcport \
	-e tcp.flags.ack -e tcp.options.timestamp.tsecr -e tcp.options.mss_val > "$T/tshark.csv" 2>/dev/null
check "tshark read the capture" test -s "$T/tshark.csv"
probe_mss=$(awk -F, '$4=="0" || $4=="False" {print $6}' "$T/tshark.csv" | sort -u)
check_eq "one probe MSS" 1 "$(echo "$probe_mss" | wc -l)"
awk -F, '$4=="1" || $4=="True" {a=$1 $2; print a "," $3 "," ($5=="0" ? "echo" : "diff")}' "$T/tshark.csv" | sort -u > "$T/ts-tshark"
awk -F, '{split($5, f, ";"); for (i in f) if (f[i] ~ /^ts=/) print $1 "," $2 "," substr(f[i], 4)}' "$T/fp.csv" | sort -u > "$T/ts-mpcap"
check "ts= agrees with tshark's TSecr per target" cmp -s "$T/ts-tshark" "$T/ts-mpcap"
awk -F, -v m="$probe_mss" '$4=="1" || $4=="True" {a=$1 $2; print a "," $3 "," ($6==m ? "echo" : "diff")}' "$T/tshark.csv" | sort -u > "$T/mss-tshark"
awk -F, '{split($5, f, ";"); for (i in f) if (f[i] ~ /^mss=/) print $1 "," $2 "," substr(f[i], 5)}' "$T/fp.csv" | sort -u > "$T/mss-mpcap"
check "mss= agrees with tshark's MSS per target" cmp -s "$T/mss-tshark" "$T/mss-mpcap"
# fingerprints.csv counts the SYN-ACK rows of targets.csv
check_eq "fingerprints.csv totals the SYN-ACK rows" "$(wc -l < "$T/fp.csv")" \
	"$(awk -F, 'NR>1 {n+=$NF} END {print n}' "$T/n/fingerprints.csv")"
check "fingerprints.csv: the mirror fingerprint is all replay" \
	grep -qx '[^,]*,"mss=echo,sack=echo,ts=echo,ws=echo,mpc=echo",replay,12' "$T/n/fingerprints.csv"
# the corpus: ZMap's tcp_synopt scan; .10 replays, .11 modifies the key
"$MPCAP" analyze -q -o "$T/z" "$CORPUS/zmap-synopt-v4-mpcv0.pcap"
fz() { awk -F, -v a="$1" '$2==a' "$T/z/targets.csv" | python3 -c 'import csv,sys; print(" ".join(sorted(set(r[-1] for r in csv.reader(sys.stdin)))))'; }
check_eq "corpus .10: the option replayed" "mpc=echo" "$(fz 203.0.113.10)"
check_eq "corpus .11: the key modified" "mpc=diff" "$(fz 203.0.113.11)"
finish
