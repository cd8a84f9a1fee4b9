#!/bin/bash
# trace.sh — mpcap trace (tracebox analysis) against oracles it did not write:
# tshark's dissection of the real tracebox captures in tests/corpus (hops,
# routers, quote lengths, the MP_CAPABLE key in each quote), and the ground
# truth of the namespace lab capture samples/captures/netns-verdicts.pcap (a
# router stripping option 30 with iptables TCPOPTSTRIP in front of one kernel
# MPTCP listener; TTL-limited probes 1..4).  RFC 792, RFC 1812, RFC 4884,
# RFC 4443, RFC 6824, RFC 8684.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
M=$MPCAP
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
TS() { tshark -n -o tcp.relative_sequence_numbers:FALSE "$@" 2>/dev/null; }
# col FILE NAME: the index of column NAME in FILE's header
col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
# field FILE NAME: column NAME of every data row (fields before it hold no comma)
field() { local i; i=$(col "$1" "$2"); tail -n +2 "$1" | cut -d, -f"$i"; }

# --- help and usage
check "help trace explains usage" bash -c "'$M' help trace | grep -q 'usage: mpcap trace'"
check "trace --help equals help trace" bash -c "diff <('$M' trace --help) <('$M' help trace) >/dev/null"
check "mpcap --help lists trace" bash -c "'$M' --help | grep -q '^  trace '"
"$M" trace 2>/dev/null; check_eq "trace without files exits 2" 2 $?
"$M" trace --frobnicate x 2>/dev/null; check_eq "unknown option exits 2" 2 $?
"$M" trace -q -o "$T/x" "$T/missing.pcap" 2>"$T/err"; rc=$?
check_eq "missing capture: exit 1" 1 $rc
check_eq "missing capture: one line" 1 "$(wc -l <"$T/err")"
check "missing capture: names the file" grep -q "$T/missing.pcap" "$T/err"
check "missing capture: no outputs" test ! -e "$T/x/hops.csv" -a ! -e "$T/x/destinations.csv"
"$M" trace -q -o "$T/x" --targets "$T/none.csv" "$CORPUS/tracebox-v4-mpcapable.pcap" 2>"$T/err"; rc=$?
check_eq "missing --targets file: exit 1" 1 $rc
check "missing --targets file: one line naming it" \
	bash -c "[ \$(wc -l <'$T/err') -eq 1 ] && grep -q '$T/none.csv' '$T/err'"
printf 'a,b\n1,2\n' >"$T/bad.csv"
"$M" trace -q -o "$T/x" --targets "$T/bad.csv" "$CORPUS/tracebox-v4-mpcapable.pcap" 2>"$T/err"; rc=$?
check_eq "targets.csv without an address column: exit 1" 1 $rc
check "... says which column is missing" grep -q "no 'address' column" "$T/err"
check "failed runs leave no outputs" test ! -e "$T/x/hops.csv"

# --- the real tracebox captures (tracebox 0.4.4 through two Linux routers)
for v in 4 6; do
	F=$CORPUS/tracebox-v$v-mpcapable.pcap
	D=$T/tb$v
	"$M" trace -q -o "$D" "$F" 2>"$T/err"; rc=$?
	check_eq "tracebox v$v: exit 0" 0 $rc
	if [ "$v" = 4 ]; then te='icmp.type==11'; src=ip.src; ttl=ip.ttl; len=icmp.length; unit=4
	else te='icmpv6.type==3'; src=ipv6.src; ttl=ipv6.hlim; len=icmpv6.length; unit=8; fi
	# oracle: each time exceeded answers the latest probe before it (tracebox waits for
	# each answer), so its hop is that probe's TTL; its router is the outer source
	want=$(TS -r "$F" -Y "(tcp.flags.syn==1 && tcp.flags.ack==0 && !icmp && !icmpv6) || $te" \
		-T fields -E occurrence=f -e frame.number -e "$src" -e "$ttl" -e icmp.type -e icmpv6.type |
		awk -F'\t' '$4=="" && $5=="" {h=$3; next} {print h","$2}')
	got=$(paste -d, <(field "$D/hops.csv" hop) <(field "$D/hops.csv" router))
	check "tracebox v$v: tshark shows time-exceeded replies" test -n "$want"
	check_eq "tracebox v$v: hops and routers equal tshark's" "$want" "$got"
	check_eq "tracebox v$v: every hop is a time exceeded" "" "$(field "$D/hops.csv" icmp | grep -vx time-exceeded)"
	# time_utc is time in RFC 3339 (Python's datetime, not mpcap's formatter), as tshark's frame time
	check "tracebox v$v: time_utc is the epoch time in RFC 3339 UTC, as tshark's" /usr/bin/python3 -c '
import csv, datetime, subprocess, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows
ts = dict(l.split("\t") for l in subprocess.run(["tshark", "-r", sys.argv[2], "-T", "fields", "-e",
          "frame.number", "-e", "frame.time_epoch"], capture_output=True, text=True).stdout.split("\n") if l)
for r in rows:
    sec, frac = r["time"].split(".")
    want = datetime.datetime.fromtimestamp(int(sec), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    assert r["time_utc"] == want + "." + frac + "Z", (r["time"], r["time_utc"])
    assert abs(float(ts[r["frame"]]) - float(r["time"])) < 1e-6, (r["frame"], ts[r["frame"]], r["time"])
' "$D/hops.csv" "$F"
	check_eq "tracebox v$v: every quote holds the whole TCP header" "" "$(field "$D/hops.csv" header_quoted | grep -vx 1)"
	# tshark: quoted TCP header length and the RFC 4884 length field of each reply
	want=$(TS -r "$F" -Y "$te" -T fields -e tcp.hdr_len -e "$len" |
		awk -F'\t' -v u=$unit '{print $1","($2==""?0:$2*u)","($2==""||$2==0?"full":"rfc4884")}')
	got=$(paste -d, <(field "$D/hops.csv" tcp_bytes) <(field "$D/hops.csv" rfc4884_length) \
		<(field "$D/hops.csv" quote_kind))
	check_eq "tracebox v$v: TCP bytes, RFC 4884 length and quote kind as tshark reads them" "$want" "$got"
	# tshark: the key in each quote equals the probe's (nothing changed on the path)
	pk=$(TS -r "$F" -Y 'tcp.flags.syn==1 && tcp.flags.ack==0 && !icmp && !icmpv6' -T fields \
		-e tcp.options.mptcp.sendkey | sort -u)
	n_same=$(TS -r "$F" -Y "$te" -T fields -e tcp.options.mptcp.sendkey | grep -cx "$pk")
	check_eq "tracebox v$v: tshark sees the probe key in every quote" "$(TS -r "$F" -Y "$te" | wc -l)" "$n_same"
	check_eq "tracebox v$v: MP_CAPABLE present (unchanged) at every hop" "" "$(field "$D/hops.csv" mpc_status | grep -vx present)"
	check_eq "tracebox v$v: no change of any field" "" "$(field "$D/hops.csv" changes | grep -v '^$')"
	check_eq "tracebox v$v: TCP checksum the same in every quote" "" "$(field "$D/hops.csv" tcp_checksum | grep -vx same)"
	check_eq "tracebox v$v: one destination" 1 "$(tail -n +2 "$D/destinations.csv" | wc -l)"
	check_eq "tracebox v$v: no hop changed MP_CAPABLE" "" "$(field "$D/destinations.csv" mpc_changed_hop)"
	check_eq "tracebox v$v: the Linux host answered a plain SYN-ACK (it ignores v0)" synack \
		"$(field "$D/destinations.csv" answer)"
	check_eq "tracebox v$v: class no-mptcp (path intact, no MPTCP answer)" no-mptcp \
		"$(field "$D/destinations.csv" class)"
done

# --- no TCP quotes at all: Zeek's ICMP time exceeded traces must not crash
for f in zeek-icmp_icmp-timeexceeded.pcap zeek-icmp_icmp6-timeexceeded.pcap zeek-trunc_icmp-header-trunc.pcap \
	zeek-trunc_icmp-payload-trunc.pcap; do
	"$M" trace -q -o "$T/z" "$CORPUS/$f" 2>"$T/err"; rc=$?
	check "$f: exit 0 or 3" test $rc -eq 0 -o $rc -eq 3
	check_eq "$f: no hop (nothing there quotes a TCP probe)" 1 "$(wc -l <"$T/z/hops.csv")"
done

# --- --targets: a scan's responders that the trace never probed are untraced
"$M" analyze -q -o "$T/zscan" "$CORPUS/zmap-synopt-v4-mpcv0.pcap"
"$M" trace -q -o "$T/un" --targets "$T/zscan/targets.csv" "$CORPUS/tracebox-v4-mpcapable.pcap"
n=$(tail -n +2 "$T/zscan/targets.csv" | cut -d, -f2,3 | sort -u | wc -l)
check_eq "untraced: one row per MP_CAPABLE responder of the scan" "$n" "$(tail -n +2 "$T/un/classification.csv" | wc -l)"
check_eq "untraced: every one untraced, none counted true" "" "$(field "$T/un/classification.csv" class | grep -vx untraced)"

# --- the namespace lab: a router strips option 30 in front of one MPTCP listener
S=samples/captures/netns-verdicts.pcap
TRUTH=samples/captures/netns-verdicts.truth.csv
if [ ! -e "$S" ]; then
	echo "# $S not there yet: lab checks skipped"
else
	L=$T/lab
	"$M" analyze -q -o "$T/labscan" "$S"
	"$M" trace -q -o "$L" --targets "$T/labscan/targets.csv" "$S" 2>"$T/err"; rc=$?
	check_eq "lab: exit 0" 0 $rc
	# oracle: tshark ties each time exceeded to its probe by the quoted ports and sequence
	# number (every probe of the lab has its own), the probe's TTL is the hop
	/usr/bin/python3 - "$S" "$L/hops.csv" >"$T/lab-hops.txt" <<'PY'
import csv, subprocess, sys
cap, hops = sys.argv[1], sys.argv[2]
def ts(filt, fields):
    out = subprocess.run(["tshark", "-n", "-o", "tcp.relative_sequence_numbers:FALSE", "-r", cap, "-Y", filt,
                          "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=;"] + sum([["-e", f] for f in fields], []),
                         capture_output=True, text=True).stdout
    return [l.split("\t") for l in out.splitlines()]
probe_ttl = {}
for r in ts("tcp.flags.syn==1 && tcp.flags.ack==0 && !icmp && !icmpv6",
            ["ip.dst", "ipv6.dst", "tcp.dstport", "tcp.srcport", "tcp.seq", "ip.ttl", "ipv6.hlim"]):
    probe_ttl[(r[0] or r[1], r[2], r[3], r[4])] = r[5] or r[6]
want = []
for r in ts("icmp.type==11 || icmpv6.type==3", ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.dstport",
                                                 "tcp.srcport", "tcp.seq"]):
    router = (r[0] or r[1]).split(";")[0]
    dst = (r[2] or r[3]).split(";")[1]
    want.append((dst, r[4], probe_ttl[(dst, r[4], r[5], r[6])], router))
got = [(h["destination"], h["port"], h["hop"], h["router"]) for h in csv.DictReader(open(hops))
       if h["icmp"] == "time-exceeded"]
print("equal" if sorted(want) == sorted(got) else "differ: want %s got %s" % (sorted(want)[:5], sorted(got)[:5]))
print(len(want))
PY
	check_eq "lab: every time exceeded's hop and router equal tshark's" equal "$(head -1 "$T/lab-hops.txt")"
	check "lab: tshark found time exceeded replies" test "$(tail -1 "$T/lab-hops.txt")" -gt 0
	check_eq "lab: every quote matched exactly (no NAT in the lab)" "" "$(field "$L/hops.csv" match | grep -vx exact)"
	dcol() { # destination port column
		awk -F, -v a="$1" -v p="$2" -v c="$(col "$L/destinations.csv" "$3")" '$1==a && $2==p {print $c}' \
			"$L/destinations.csv"
	}
	while IFS=, read -r addr port fam what svc v0 v1 hops stripped; do
		case $what in
		mptcp-listener) want=true-mptcp ;;
		mptcp-listener-behind-stripper) want=middlebox ;;
		replaying-middlebox | modifying-middlebox) want=middlebox ;;
		plain-listener | closed) want=no-mptcp ;;
		absent) want=unreachable ;;
		*) want="?" ;;
		esac
		check_eq "lab: $addr:$port ($what) is $want" "$want" "$(dcol "$addr" "$port" class)"
		# the routers, hop by hop, as the truth lists them
		got=$(awk -F, -v a="$addr" -v p="$port" -v h="$(col "$L/hops.csv" hop)" -v r="$(col "$L/hops.csv" router)" \
			-v i="$(col "$L/hops.csv" icmp)" '$3==a && $4==p && $i=="time-exceeded" {print $h, $r}' \
			"$L/hops.csv" | sort -n -u | cut -d' ' -f2 | paste -sd' ')
		check_eq "lab: $addr:$port routers by hop" "$hops" "$got"
		if [ -n "$stripped" ]; then
			check_eq "lab: $addr:$port the option was intact last at the stripping router" "$stripped" \
				"$(dcol "$addr" "$port" mpc_intact_router)"
			check_eq "lab: $addr:$port what the next hop saw" replaced-by-nops "$(dcol "$addr" "$port" mpc_change)"
			check_eq "lab: $addr:$port the next hop's quote is the first changed" \
				"$(echo "$hops" | awk '{print $NF}')" "$(dcol "$addr" "$port" mpc_changed_router)"
		else
			check_eq "lab: $addr:$port no hop changed MP_CAPABLE" "" "$(dcol "$addr" "$port" mpc_changed_hop)"
		fi
	done < <(tail -n +2 "$TRUTH")
	n_true=$(field "$L/destinations.csv" class | grep -cx true-mptcp)
	n_listener=$(awk -F, '$4=="mptcp-listener"' "$TRUTH" | wc -l)
	check_eq "lab: true-mptcp exactly for the kernel listener's paths" "$n_listener" "$n_true"
	check_eq "lab: the stripped listener is never true-mptcp" "" \
		"$(awk -F, '$4=="mptcp-listener-behind-stripper"{print $1","$2}' "$TRUTH" | while IFS=, read -r a p; do
			dcol "$a" "$p" class; done | grep -x true-mptcp)"
	# classification.csv: the scan's MP_CAPABLE responders
	check_eq "lab: classification true-mptcp = the listeners" "$n_listener" \
		"$(field "$L/classification.csv" class | grep -cx true-mptcp)"
	check_eq "lab: no responder untraced (all were traced)" 0 \
		"$(field "$L/classification.csv" class | grep -cx untraced)"
	check_eq "lab: the replaying and modifying boxes are middleboxes" \
		"$(awk -F, '$4 ~ /ing-middlebox$/' "$TRUTH" | wc -l)" \
		"$(field "$L/classification.csv" class | grep -cx middlebox)"
	# every middlebox verdict of the scan (docs/methodology.md: replay, modified and shared-key
	# alike) makes a responder a middlebox, whatever its trace shows: the scan's mptcp rows
	# relabelled, the listeners the trace calls true-mptcp must come out middlebox
	for v in replay modified shared-key; do
		awk -F, -v OFS=, -v v="$v" 'NR==1{for(i=1;i<=NF;i++) n[$i]=i} NR>1 && $n["verdict"]=="mptcp" {$n["verdict"]=v} {print}' \
			"$T/labscan/targets.csv" >"$T/as-$v.csv"
		"$M" trace -q -o "$T/tv" --targets "$T/as-$v.csv" "$S" 2>"$T/err"
		check_eq "lab, scan verdicts relabelled $v: exit 0" 0 $?
		check_eq "lab, scan verdicts relabelled $v: no responder true-mptcp" 0 \
			"$(field "$T/tv/classification.csv" class | grep -cx true-mptcp)"
		check_eq "lab, scan verdicts relabelled $v: the listeners traced true-mptcp are middleboxes" \
			"$n_listener" "$(grep -c ",$v,.*,true-mptcp,middlebox,the scan saw $v; trace: true-mptcp\$" \
				"$T/tv/classification.csv")"
	done
fi
finish
