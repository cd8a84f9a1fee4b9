#!/bin/bash
# manifest.sh — manifest.json in results directories, `mpcap verify`, and the
# input that is probably a mistake (issue 14, points 2-4).  Oracles: sha256sum
# and stat for the hashes and sizes, jq to read the JSON, editcap to move a
# capture to another month.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
need_corpus
MPCAP=$(realpath "$MPCAP")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cp "$CORPUS/mptcp-v1.pcap" "$T/v1.pcap"
cp "$CORPUS/dpi-mptcp-mp_capable.pcapng" "$T/dpi.pcapng"
cp "$CORPUS/mptcp-v0.pcap" "$T/v0.pcap"
gzip -k "$T/v1.pcap"
zstd -q -k "$T/v1.pcap"
xz -k "$T/v0.pcap"
cd "$T" || exit 1

# --- the input's SHA-256 and size, hashed as read, equal sha256sum's and stat's
for f in v1.pcap v1.pcap.gz v1.pcap.zst v0.pcap.xz dpi.pcapng; do
	"$MPCAP" analyze -q -o "out-$f" "$f" 2>/dev/null
	check_eq "$f: manifest sha256 equals sha256sum's" "$(sha256sum <"$f" | cut -d' ' -f1)" \
		"$(jq -r '.inputs[0].sha256' "out-$f/manifest.json")"
	check_eq "$f: manifest size equals stat's" "$(stat -c %s "$f")" "$(jq -r '.inputs[0].size' "out-$f/manifest.json")"
	check_eq "$f: hashed while read" "while read" "$(jq -r '.inputs[0].hashed' "out-$f/manifest.json")"
done
"$MPCAP" analyze -q -o out-stdin - <v1.pcap.zst
check_eq "stdin: manifest sha256 equals sha256sum's" "$(sha256sum <v1.pcap.zst | cut -d' ' -f1)" \
	"$(jq -r '.inputs[0].sha256' out-stdin/manifest.json)"
check_eq "verify --inputs: standard input is named, not checked, and does not fail" "input -: standard input, not checked" \
	"$("$MPCAP" verify --inputs out-stdin | tail -n 1)"
"$MPCAP" analyze -q -j 2 -o out-j2 v1.pcap.gz v0.pcap.xz 2>/dev/null
check_eq "-j 2: both inputs' sha256, in order" \
	"$(sha256sum v1.pcap.gz v0.pcap.xz | cut -d' ' -f1 | tr '\n' ' ')" \
	"$(jq -r '.inputs[].sha256' out-j2/manifest.json | tr '\n' ' ')"
# a capture damaged half way: the whole file is still hashed
head -c 15000 v1.pcap >cut.pcap
"$MPCAP" analyze -q -o out-cut cut.pcap 2>/dev/null
check_eq "a truncated capture: sha256 of the whole file" "$(sha256sum <cut.pcap | cut -d' ' -f1)" \
	"$(jq -r '.inputs[0].sha256' out-cut/manifest.json)"
# every hostile capture that is read at all (damaged ones, older versions, pcapng oddities,
# gzip with trailing garbage): the whole file is hashed, each byte once
H=$OLDPWD/tests/data/hostile
same=0 total=0 bad=""
for f in "$H"/*.pcap "$H"/*.pcapng "$H"/*.gz; do
	[ -e "$f" ] || continue
	rm -rf out-h
	"$MPCAP" analyze -q -o out-h "$f" >/dev/null 2>&1
	[ -s out-h/manifest.json ] || continue
	total=$((total + 1))
	if [ "$(jq -r '.inputs[0].sha256' out-h/manifest.json)" = "$(sha256sum <"$f" | cut -d' ' -f1)" ]; then
		same=$((same + 1))
	else bad="$bad $(basename "$f")"; fi
done
check "hostile captures: all $total hashes equal sha256sum's${bad:+ (not:$bad)}" test "$total" -gt 10 -a "$same" = "$total"
"$MPCAP" analyze -q --no-input-hash -o out-nohash v1.pcap 2>/dev/null
check_eq "--no-input-hash: sha256 is null" null "$(jq -r '.inputs[0].sha256' out-nohash/manifest.json)"

# --- what else it records
m=out-v1.pcap/manifest.json
check_eq "the mpcap version" "$("$MPCAP" --version | cut -d' ' -f2)" "$(jq -r .mpcap_version "$m")"
check_eq "the full command line" "$MPCAP analyze -q -o out-v1.pcap v1.pcap" "$(jq -r '.command_line | join(" ")' "$m")"
check_eq "the host name" "$(hostname)" "$(jq -r .host "$m")"
check "start and end times in RFC 3339 UTC" test "$(jq -r '[.start_time, .end_time][]' "$m" |
	grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$')" = 2
check_eq "the scan label" 2020-01 "$(jq -r '.scans[0]' "$m")"
check_eq "the headline counts: packets.total as summary.csv says" \
	"$(awk -F, '$2 == "packets.total" && $3 == "" { print $5 }' out-v1.pcap/summary.csv)" "$(jq -r '.counts["packets.total"]' "$m")"
check_eq "every output listed, with sha256sum's hash" \
	"$(cd out-v1.pcap && sha256sum scan.state targets.sets targets.csv fingerprints.csv summary.csv | cut -d' ' -f1 | tr '\n' ' ')" \
	"$(jq -r '.outputs[].sha256' "$m" | tr '\n' ' ')"
"$MPCAP" analyze -q --all -f tcp --scan lab -o out-opts v1.pcap 2>/dev/null
check_eq "the options that change results" "tcp lab true" \
	"$(jq -r '[.options.filter, .options.scan, .options.all] | map(tostring) | join(" ")' out-opts/manifest.json)"

# --- verify
out=$("$MPCAP" verify out-v1.pcap)
check_eq "verify: exit 0 on an untouched directory" 0 "$?"
check_eq "verify: one ok line per output" 5 "$(echo "$out" | grep -c ': ok$')"
echo "x" >>out-v1.pcap/targets.csv
out=$("$MPCAP" verify out-v1.pcap 2>&1)
check_eq "verify: exit 1 when an output was edited" 1 "$?"
check "verify: names the edited file as changed" grep -q '^out-v1.pcap/targets.csv: changed' <<<"$out"
check_eq "verify: the others still ok" 4 "$(echo "$out" | grep -c ': ok$')"
rm out-v1.pcap/summary.csv
check "verify: a removed output is missing" grep -q '^out-v1.pcap/summary.csv: missing$' \
	<<<"$("$MPCAP" verify out-v1.pcap 2>&1)"
check_eq "verify --inputs: the input still at its path agrees" "input v1.pcap.gz: ok" \
	"$("$MPCAP" verify --inputs out-v1.pcap.gz | tail -n 1)"
(mkdir elsewhere && cd elsewhere && "$MPCAP" verify --inputs ../out-v1.pcap.gz >/dev/null)
check_eq "verify --inputs: relative paths are taken from where the run started" 0 "$?"
mv v1.pcap.gz moved.gz
out=$("$MPCAP" verify --inputs out-v1.pcap.gz 2>&1)
check_eq "verify --inputs: exit 1 when an input is gone" 1 "$?"
check "verify --inputs: names it missing" grep -q '^input v1.pcap.gz: missing$' <<<"$out"
mv moved.gz v1.pcap.gz
mkdir plain
out=$("$MPCAP" verify plain 2>&1)
check_eq "verify: exit 1 on a directory without manifest" 1 "$?"
check "verify: says so, naming it" grep -q '^mpcap verify: plain: no manifest.json' <<<"$out"
"$MPCAP" verify >/dev/null 2>&1
check_eq "verify without a directory: usage, exit 2" 2 "$?"

# --- every results writer leaves one that verifies, with its inputs
"$MPCAP" merge -q -o merged out-v1.pcap.gz
check "merge: its manifest verifies" "$MPCAP" verify -q --inputs merged
check_eq "merge: records the files it read" "out-v1.pcap.gz/scan.state out-v1.pcap.gz/targets.sets" \
	"$(jq -r '.inputs[].path' merged/manifest.json | tr '\n' ' ' | sed 's/ $//')"
"$MPCAP" stats -q -o st out-v1.pcap.gz out-dpi.pcapng >/dev/null 2>&1
check "stats: its manifest verifies, inputs too" "$MPCAP" verify -q --inputs st
check "stats: records targets.csv of each results directory read" \
	test "$(jq -r '.inputs[].path' st/manifest.json | grep -c '/targets.csv$')" = 2
"$MPCAP" join -o jn out-v1.pcap.gz out-opts >/dev/null 2>&1
check "join: its manifest verifies" "$MPCAP" verify -q --inputs jn
printf '10.0.0.0\t8\t64500\n' >pfx2as.txt
"$MPCAP" attribute -q -o attr --asn pfx2as.txt out-v1.pcap.gz >/dev/null 2>&1
check "attribute: its manifest verifies, inputs too" "$MPCAP" verify -q --inputs attr
check_eq "attribute: records its --asn source" "asn pfx2as.txt $(sha256sum <pfx2as.txt | cut -d' ' -f1)" \
	"$(jq -r '.inputs[] | select(.kind == "asn") | "\(.kind) \(.path) \(.sha256)"' attr/manifest.json)"
"$MPCAP" trace -q -o tr "$CORPUS/tracebox-v4-mpcapable.pcap" >/dev/null 2>&1
check_eq "trace: input hashed as read" "$(sha256sum <"$CORPUS/tracebox-v4-mpcapable.pcap" | cut -d' ' -f1)" \
	"$(jq -r '.inputs[0].sha256' tr/manifest.json)"
check "trace: its manifest verifies" "$MPCAP" verify -q --inputs tr

# --- input that is probably a mistake
editcap -t $((45 * 86400)) v1.pcap later.pcap 2>/dev/null
out=$("$MPCAP" analyze -q -o two v1.pcap later.pcap 2>&1)
check_eq "two calendar months in one analyze: exit 3" 3 "$?"
check "the warning names both months and the fix" \
	grep -q 'span 2 calendar months (2020-01 and 2020-02).*once per month, or name the scan with --scan' <<<"$out"
"$MPCAP" analyze -q --scan both -o two v1.pcap later.pcap
check_eq "the same with --scan: exit 0" 0 "$?"
head -c 24 v1.pcap >empty.pcap
out=$("$MPCAP" analyze -q -o empty empty.pcap 2>&1)
check_eq "a capture with no packets: exit 3" 3 "$?"
check "the warning names it" grep -q '^mpcap analyze: warning: empty.pcap: no packets' <<<"$out"
out=$("$MPCAP" analyze -q --scan x -o nompc "$CORPUS/zeek-mixed-vlan-mpls.pcap" 2>&1)
check_eq "probes without MP_CAPABLE: exit 3" 3 "$?"
check "the warning names the file" grep -q 'zeek-mixed-vlan-mpls.pcap: none of its 3 probes (TCP SYNs) carries an MP_CAPABLE option' <<<"$out"
out=$("$MPCAP" analyze -q -o twice v1.pcap ./v1.pcap 2>&1)
check_eq "the same file twice (./): refused, exit 2" 2 "$?"
check "the refusal names both" grep -q "^mpcap analyze: ./v1.pcap: given twice (as v1.pcap and ./v1.pcap)" <<<"$out"
check "nothing written" test ! -e twice
ln v1.pcap hard.pcap
"$MPCAP" analyze -q -o twice v1.pcap hard.pcap 2>/dev/null
check_eq "a hard link of it: refused" 2 "$?"
mkdir copy && cp v1.pcap copy/
"$MPCAP" analyze -q -o twice v1.pcap copy/v1.pcap 2>/dev/null
check_eq "a copy (same name, size, first block): refused" 2 "$?"
"$MPCAP" analyze -q -o twice v1.pcap later.pcap --scan x 2>/dev/null
check_eq "two different files: accepted" 0 "$?"
finish
