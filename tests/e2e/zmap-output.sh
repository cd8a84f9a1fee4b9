#!/bin/bash
# zmap-output.sh — ZMap's own result files read by `mpcap analyze`: the CSV
# (-O csv) of a real scan, compressed, as JSON lines (-O json, written with
# python3's json module) and with its columns shuffled, gives target for
# target the verdict the capture of the same scan gives (the corpus holds
# both); ZMap's mptcpkey/mptcpdiff are never trusted, so a middlebox echoing
# a 4-byte v1 SYN option is never called mptcp; rows lacking what a verdict
# needs are counted and named, not guessed.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
PCAP=$CORPUS/zmap-synopt-v4-mpcv0.pcap
CSV=$CORPUS/zmap-synopt-v4-mpcv0.csv
META=$CORPUS/zmap-synopt-v4-mpcv0.meta.json

# address,port,verdict,verdict_reason,key of every row of DIR/targets.csv, by header name
verdicts() {
	/usr/bin/python3 - "$1/targets.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print(",".join(r[c] for c in ("address", "port", "verdict", "verdict_reason", "key")))
PY
}
# the same for the TCP answers only (ZMap's tcp_synopt writes no ICMP rows)
tcp_verdicts() {
	/usr/bin/python3 - "$1/targets.csv" <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["response"] in ("synack", "rst"):
        print(",".join(r[c] for c in ("address", "port", "verdict", "verdict_reason", "key")))
PY
}
an() { # name input... : analyze --all into $T/name, stderr in $T/name.err; echoes the exit status
	local n=$1; shift
	"$MPCAP" analyze -q --all -o "$T/$n" "$@" 2>"$T/$n.err"
	echo $?
}

# --- the capture of the scan: the reference
check_eq "pcap analysed" 0 "$(an pcap "$PCAP")"
tcp_verdicts "$T/pcap" >"$T/expected"
rows=$(($(wc -l <"$CSV") - 1))
check_eq "the capture's TCP answers are the CSV's $rows rows" "$rows" "$(wc -l <"$T/expected")"
check "the reference holds a replay and a modified target" \
	sh -c "grep -q ',replay,' '$T/expected' && grep -q ',modified,' '$T/expected'"

same_as_pcap() { # description name
	verdicts "$T/$2" >"$T/$2.v"
	if cmp -s "$T/expected" "$T/$2.v"; then ok "$1: same verdict per target as the capture"
	else not_ok "$1: verdicts differ from the capture's"; diff "$T/expected" "$T/$2.v" | head; fi
}

check_eq "CSV analysed" 0 "$(an csv --metadata "$META" "$CSV")"
same_as_pcap "CSV + metadata" csv
check_eq "CSV: no warning" "" "$(cat "$T/csv.err")"

gzip -c "$CSV" >"$T/scan.csv.gz"
xz -c "$CSV" >"$T/scan.csv.xz"
check_eq "gzip CSV analysed" 0 "$(an gz --metadata "$META" "$T/scan.csv.gz")"
same_as_pcap "gzip-compressed CSV" gz
check_eq "xz CSV analysed" 0 "$(an xz --probe-options hex:1e0c00810c0c0c0c0c0c0c0c "$T/scan.csv.xz")"
same_as_pcap "xz-compressed CSV, --probe-options" xz

# ZMap's JSON output: one object per line, numbers as numbers, bools as bools
/usr/bin/python3 - "$CSV" "$T/scan.json" <<'PY'
import csv, json, sys
strings = {"saddr", "daddr", "mptcpkey", "optionshex", "optionstext", "classification", "timestamp_str"}
bools = {"repeat", "cooldown"}
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as out:
    for r in csv.DictReader(f):
        o = {k: (v if k in strings else (v == "1") if k in bools else int(v)) for k, v in r.items()}
        out.write(json.dumps(o, sort_keys=True) + "\n")
PY
check_eq "JSON lines analysed" 0 "$(an json --metadata "$META" "$T/scan.json")"
same_as_pcap "JSON lines" json

# the same columns in another order
/usr/bin/python3 - "$CSV" "$T/shuffled.csv" <<'PY'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1])))
cols = list(rows[0].keys())
random.Random(18).shuffle(cols)
assert cols != list(rows[0].keys())
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=cols, lineterminator="\n")
w.writeheader()
w.writerows(rows)
PY
check "shuffled CSV has another header" sh -c "! cmp -s '$(head -1 "$CSV")' '$(head -1 "$T/shuffled.csv")'"
check_eq "shuffled CSV analysed" 0 "$(an shuf --metadata "$META" "$T/shuffled.csv")"
same_as_pcap "shuffled columns" shuf

# two result files of the scan read by two threads: the same verdicts, each answer twice
check_eq "-j 2 over CSV and JSON" 0 "$(an par -j 2 --metadata "$META" "$CSV" "$T/scan.json")"
same_as_pcap "-j 2 over CSV and JSON" par
check_eq "-j 2: every answer counted twice" "$rows" \
	"$(awk -F, 'NR>1 && $16==2' "$T/par/targets.csv" | wc -l)"

# ZMap's own key check is not what mpcap goes by: .11 returned the key with two
# bytes changed; ZMap says mptcpdiff=1 (a different key, "real MPTCP")
zdiff=$(awk -F, 'NR==1{for(i=1;i<=NF;i++)c[$i]=i; next} $c["mptcpdiff"]==1{print $c["saddr"]}' "$CSV" | sort -u)
check_eq "ZMap flags exactly .11 with mptcpdiff=1" 203.0.113.11 "$zdiff"
check_eq "mpcap: .11 is modified on both ports" "modified modified" \
	"$(awk -F, '$2=="203.0.113.11"{printf "%s%s", s, $18; s=" "}' "$T/csv/targets.csv")"

# --- scans built here twice, as a capture (LINKTYPE_RAW, checked by tshark)
# and as the ZMap rows tcp_synopt would write for it, with the mptcpkey and
# mptcpdiff it computes from 8 bytes at a fixed offset.
# gen NAME PROBE-HEX, answers "target options classification mptcpkey" on stdin
gen() {
	/usr/bin/python3 -c '
import ipaddress, struct, sys
d, name, probe, header = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), sys.argv[4].split(",")
answers = [l.split() for l in sys.stdin if l.strip()]
six = ":" in answers[0][0]
scanner = ipaddress.ip_address("2001:db8::2" if six else "192.0.2.2")
def seg(src, dst, sport, dport, seq, ack, flags, opts):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (20 + len(opts)) // 4 << 4, flags, 65535, 0, 0) + opts
    if six:
        return struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, 59, src.packed, dst.packed) + tcp
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 59, 6, 0, src.packed, dst.packed) + tcp
pkts, rows = [], []
for i, (addr, opts, cl, key) in enumerate(answers):
    tgt, opts = ipaddress.ip_address(addr), bytes.fromhex(opts.replace("-", ""))
    sport, seq = 40000 + i, 1000 * (i + 1)
    pkts.append(seg(scanner, tgt, sport, 443, seq, 0, 0x02, probe))
    pkts.append(seg(tgt, scanner, 443, sport, 777, seq + 1, 0x12 if cl == "synack" else 0x14, opts))
    v = dict.fromkeys(header, "0")
    v.update(saddr=addr, daddr=str(scanner), ttl="59", sport="443", dport=str(sport), seqnum="777",
             acknum=str(seq + 1), window="65535", mptcpkey=key,
             mptcpdiff="0" if key in ("--", "0x0c0c0c0c0c0c0c0c") else "1", optionshex="0x" + opts.hex(),
             optionstext="", classification=cl, success="1" if cl == "synack" else "0",
             timestamp_str="2026-11-26T06:30:15.500+0000")
    rows.append(",".join(v[h] for h in header))
with open(f"{d}/{name}.pcap", "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for n, p in enumerate(pkts):
        f.write(struct.pack("<IIII", 1795674615, 500000 + n, len(p), len(p)) + p)
with open(f"{d}/{name}.csv", "w") as f:
    f.write(",".join(header) + "\n" + "\n".join(rows) + "\n")
with open(f"{d}/{name}.meta.json", "w") as f:
    f.write("{ \"probe_module\": \"%s\", \"probe_args\": \"hex:%s\" }\n"
            % ("ipv6_tcp_synopt" if six else "tcp_synopt", probe.hex()))
' "$T" "$1" "$2" "$(head -1 "$CSV")"
}
synack_keys() { # capture -> "source,version,key " per MP_CAPABLE SYN-ACK, as tshark dissects them
	tshark -n -r "$1" -Y 'tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.options.mptcp.subtype==0' \
		-T fields -E separator=, -e ip.src -e ipv6.src -e tcp.options.mptcp.version \
		-e tcp.options.mptcp.sendkey 2>/dev/null | sed 's/,,/,/; s/^,//' | sort | tr '\n' ' '
}
both_ways() { # name: capture and rows analysed alike, per-target verdicts compared
	check_eq "$1: capture analysed" 0 "$(an "$1pcap" "$T/$1.pcap")"
	tcp_verdicts "$T/$1pcap" >"$T/expected"
	check_eq "$1: ZMap rows analysed" 0 "$(an "$1csv" --metadata "$T/$1.meta.json" "$T/$1.csv")"
	same_as_pcap "$1: ZMap rows" "$1csv"
}

# v1: a middlebox echoing the 4-byte v1 SYN option, alone or after an MSS
# (where tcp_synopt reads the window scale and the bytes after it as a "key")
gen v1 1e040181 <<'ROWS'
198.51.100.10 1e040181 synack 0x0000000000000000
198.51.100.11 020405b4-1e040181-01030307 synack 0x0103030700000000
198.51.100.12 1e0c0181-a1b2c3d4e5f60718 synack 0xa1b2c3d4e5f60718
198.51.100.13 020405b4 synack --
198.51.100.14 - rst --
ROWS
check_eq "tshark: v1 MP_CAPABLE SYN-ACKs, a key only from .12" \
	"198.51.100.10,1, 198.51.100.11,1, 198.51.100.12,1,11651590505119483672 " "$(synack_keys "$T/v1.pcap")"
both_ways v1
v=$(awk -F, '{printf "%s:%s/%s ", $1, $3, $4}' "$T/v1csv.v")
check_eq "v1: the echoes are replays, only the keyed answer is mptcp" \
	"198.51.100.10:replay/options-mirrored 198.51.100.11:replay/keyless-echo 198.51.100.12:mptcp/ 198.51.100.13:no-mptcp/ 198.51.100.14:rst/ " \
	"$v"
check_eq "v1 with --probe-options" 0 "$(an v1opt --probe-options 1e040181 "$T/v1.csv")"
same_as_pcap "v1 CSV, --probe-options" v1opt
check_eq "v1 echoes ZMap marks mptcpdiff=1 are never mptcp" 0 \
	"$(grep -cE '^198\.51\.100\.1[01],.*,mptcp,' "$T/v1csv.v")"

# IPv6 (ipv6_tcp_synopt), v0 probes with an MSS first: a mirror, a key changed
# in two bytes, a real key, a RST
gen v6 020405a01e0c00810c0c0c0c0c0c0c0c <<'ROWS'
2001:db8:3::10 020405a0-1e0c0081-0c0c0c0c0c0c0c0c synack 0x0c0c0c0c0c0c0c0c
2001:db8:3::11 1e0c0081-0c0c0c0c0c0cf300 synack 0x0c0c0c0c0c0cf300
2001:db8:3::12 1e0c0001-5d2e8f1a7b3c9e04 synack 0x5d2e8f1a7b3c9e04
2001:db8:3::13 - rst --
ROWS
check_eq "tshark: three v0 MP_CAPABLE SYN-ACKs over IPv6" \
	"2001:db8:3::10,0,868082074056920076 2001:db8:3::11,0,868082074056979200 2001:db8:3::12,0,6714461438355480068 " \
	"$(synack_keys "$T/v6.pcap")"
both_ways v6
v=$(awk -F, '{printf "%s:%s/%s ", $1, $3, $4}' "$T/v6csv.v")
check_eq "v6: replay, modified, mptcp, rst" \
	"2001:db8:3::10:replay/options-mirrored 2001:db8:3::11:modified/key-near 2001:db8:3::12:mptcp/ 2001:db8:3::13:rst/ " "$v"

# --- what is refused, counted or said
check_eq "answers without a probe: error" 1 "$(an noprobe "$CSV")"
check "  ... saying what to give" grep -q -- "--metadata" "$T/noprobe.err"
check "  ... and writing nothing" test ! -e "$T/noprobe/targets.csv"
check_eq "--probe-key alone is enough to run" 0 "$(an key --probe-key 0c0c0c0c0c0c0c0c "$CSV")"
check_eq "  ... and the echoing boxes are still no mptcp" 0 "$(grep -c ',mptcp,' "$T/key/targets.csv")"

# synack rows without optionshex: named, counted, exit 3; the RSTs are still decided
/usr/bin/python3 - "$CSV" "$T/noopts.csv" "$T/synscan.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=list(rows[0]), lineterminator="\n")
w.writeheader()
w.writerows([dict(r, optionshex="" if r["classification"] == "synack" else r["optionshex"]) for r in rows])
# the fields of upstream ZMap's tcp_synscan: option values, no option bytes
cols = ["saddr", "daddr", "sport", "dport", "seqnum", "acknum", "window", "tcpopt_mss", "classification",
        "success", "timestamp_str"]
w = csv.DictWriter(open(sys.argv[3], "w", newline=""), fieldnames=cols, lineterminator="\n")
w.writeheader()
w.writerows([dict({k: r[k] for k in cols if k in r}, tcpopt_mss=r["tcpmss"]) for r in rows])
PY
check_eq "synack rows without optionshex: exit 3" 3 "$(an noopts --metadata "$META" "$T/noopts.csv")"
check "  ... named in the warning with their count" \
	grep -q "10 of 14 rows not analysed: 10 synack without optionshex (first: row 1)" "$T/noopts.err"
check_eq "  ... and the 4 RST targets still decided" "rst rst rst rst" \
	"$(awk -F, 'NR>1{printf "%s%s", s, $18; s=" "}' "$T/noopts/targets.csv")"
check_eq "tcp_synscan-like fields (no optionshex): exit 3" 3 "$(an synscan --metadata "$META" "$T/synscan.csv")"
check "  ... the synack rows named" grep -q "10 synack without optionshex" "$T/synscan.err"

printf 'daddr,saddr,sport,dport,classification,optionshex,timestamp_str\n192.0.2.2,203.0.113.2,80,1000,synack,0x1e0c0081zz,2026-11-26T06:30:15Z\n192.0.2.2,203.0.113.3,80,1001,synack,0x0204,2026-11-26T06:30:15Z\n192.0.2.2,203.0.113.4,80,1002,icmp,0x,2026-11-26T06:30:15Z\n' >"$T/bad.csv"
check_eq "malformed rows: exit 3" 3 "$(an bad --probe-options 1e0c00810c0c0c0c0c0c0c0c "$T/bad.csv")"
check "  ... each reason named" sh -c "grep -q 'not an even number of hex digits (row 1)' '$T/bad.err' &&
	grep -q 'not a multiple of 4 bytes up to 40 (row 2)' '$T/bad.err' &&
	grep -q 'classification neither synack nor rst (row 3)' '$T/bad.err'"

head -c 300 "$T/scan.csv.gz" >"$T/cut.csv.gz"
check_eq "truncated gzip CSV: exit 3" 3 "$(an cut --metadata "$META" "$T/cut.csv.gz")"
check "  ... the damage named" grep -q "cut.csv.gz: gzip: " "$T/cut.err"

printf '#masscan\nopen tcp 80 203.0.113.2 1795674615\n# end\n' >"$T/masscan.txt"
printf '[\n{   "ip": "203.0.113.2",   "timestamp": "1795674615", "ports": [ {"port": 80, "proto": "tcp", "status": "open", "reason": "syn-ack", "ttl": 62} ] }\n]\n' >"$T/masscan.json"
check_eq "masscan -oL refused" 1 "$(an ml "$T/masscan.txt")"
check "  ... with the reason" grep -q "masscan output (-oL or -oG) holds no TCP option bytes" "$T/ml.err"
check_eq "masscan -oJ refused" 1 "$(an mj "$T/masscan.json")"
check "  ... with the reason" grep -q "masscan output (-oJ)" "$T/mj.err"
check_eq "--metadata with captures only: usage error" 2 "$(an metapcap --metadata "$META" "$PCAP")"
check_eq "--metadata and --probe-options together: usage error" 2 \
	"$(an both --metadata "$META" --probe-options 1e040181 "$CSV")"
check_eq "a scanner file on stdin is not recognised" 1 \
	"$("$MPCAP" analyze -q -o "$T/stdin" --metadata "$META" - <"$CSV" 2>/dev/null; echo $?)"
finish
