#!/bin/bash
# attribute.sh — mpcap attribute on the ZMap corpus capture and the lab capture
# (samples/captures/netns-verdicts.pcap) with the small sources made for them in
# tests/data/attribution/ (pfx2as plain and gzip, two RIR delegated files, a
# MaxMind DB written by MaxMind's reference writer, CSV and as2org names).
#
# Oracle: the per-AS and per-country counts are recomputed here with awk from
# `mpcap analyze --all`'s targets.csv (every responder listed) and the prefix
# lists, by a linear longest-prefix scan over bit strings — not from mpcap's
# attribution; totals are checked against summary.csv.  When the synthetic-
# Internet generator (samples/tools/mpcap-gen.c) is built, its world/ files
# are read too and the counts compared with its ground truth.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
need_corpus
: "${BUILD:=build}"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
D=tests/data/attribution
Z=$CORPUS/zmap-synopt-v4-mpcv0.pcap
L=samples/captures/netns-verdicts.pcap

"$MPCAP" analyze -q --scan zmap -o "$T/z" "$Z"
"$MPCAP" analyze -q --scan lab -o "$T/l" "$L"
"$MPCAP" analyze -q --all --scan zmap -o "$T/za" "$Z"
"$MPCAP" analyze -q --all --scan lab -o "$T/la" "$L"
check "the test MaxMind DB is written by MaxMind's writer" perl tests/tools/make-mmdb.pl "$T/geo.mmdb" < $D/lab-geo.mmdb.spec
SRC=(--asn $D/lab-v4.pfx2as --asn $D/lab-v6.pfx2as.gz --as-names $D/lab-as-names.csv --as-names $D/lab-as2org.txt
	--geo "$T/geo.mmdb" --geo $D/delegated-lab-apnic --geo $D/delegated-lab-ripencc)
# the results without --all: responsive counts must come from targets.sets
"$MPCAP" attribute -o "$T/a" "${SRC[@]}" --top 3 --rank-by responsive "$T/z" "$T/l" 2>"$T/err"
check_eq "attribute exits 0" 0 $?
check "closing line names the outputs" grep -q "by_as.csv, by_country.csv, top_as.csv, top_country.csv" "$T/err"
check_eq "targets.csv without --all holds MP_CAPABLE rows only (responsive counts need the sets)" 0 \
	"$(awk -F, 'FNR>1 && $8==""' "$T/z/targets.csv" "$T/l/targets.csv" | wc -l)"

# ---- the oracle ----
ORACLE='
function bits8(n,   s, i) { s = ""; for (i = 7; i >= 0; i--) s = s (int(n / 2 ^ i) % 2); return s }
function hexbits(h,   s, i) { s = ""; for (i = 1; i <= length(h); i++) s = s HB[substr(h, i, 1)]; return s }
function grp(g) { while (length(g) < 4) g = "0" g; return hexbits(tolower(g)) }
function bits(a,   p, n, i, l, r, nl, nr, s, L, R) {
	if (index(a, ":") == 0) { split(a, p, "."); return bits8(p[1]) bits8(p[2]) bits8(p[3]) bits8(p[4]) }
	if (i = index(a, "::")) { l = substr(a, 1, i - 1); r = substr(a, i + 2) } else { l = a; r = "" }
	nl = l == "" ? 0 : split(l, L, ":"); nr = r == "" ? 0 : split(r, R, ":"); s = ""
	for (i = 1; i <= nl; i++) s = s grp(L[i])
	for (i = 0; i < 8 - nl - nr; i++) s = s "0000000000000000"
	for (i = 1; i <= nr; i++) s = s grp(R[i])
	return s
}
BEGIN { split("0 1 2 3 4 5 6 7 8 9 a b c d e f", H, " ")
	for (i = 0; i < 16; i++) HB[H[i + 1]] = substr(bits8(i), 5) }
FILENAME == ASLIST { if ($0 ~ /^#/ || NF < 3) next; na++; AP[na] = substr(bits($1), 1, $2); AL[na] = $2
	AF[na] = index($1, ":") ? 6 : 4; split($3, x, /[_,]/); AS[na] = x[1]; AM[na] = ($3 ~ /[_,]/); next }
FILENAME == GEOLIST { if ($0 ~ /^#/ || NF < 4) next; ng++; GP[ng] = substr(bits($1), 1, $2); GL[ng] = $2
	GF[ng] = index($1, ":") ? 6 : 4; GC[ng] = $3; GR[ng] = $4; next }
FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{	k = $col["scan"] SUBSEP $col["family"] SUBSEP $col["address"] SUBSEP $col["port"]
	T[k] = 1
	if ($col["response"] == "synack" && $col["mpc_version"] != "") {
		MPC[k] = 1; v = $col["verdict"]
		if (v == "mptcp") MP[k] = 1
		if (v == "replay") RE[k] = 1
		if (v == "modified") MO[k] = 1
		if (v == "shared-key") SH[k] = 1
	} }
END {
	for (k in T) {
		split(k, f, SUBSEP); b = bits(f[3])
		best = 0; for (i = 1; i <= na; i++) if (AF[i] == f[2] && substr(b, 1, AL[i]) == AP[i] && (!best || AL[i] > AL[best])) best = i
		as = best ? AS[best] : "unknown"; multi = best ? AM[best] : 0
		g = 0; for (i = 1; i <= ng; i++) if (GF[i] == f[2] && substr(b, 1, GL[i]) == GP[i] && (!g || GL[i] > GL[g] || (GL[i] == GL[g] && GR[i] < GR[g]))) g = i
		cc = g ? GC[g] : "unknown"
		mb = (k in RE) || (k in MO) || (k in SH)
		for (j = 0; j < 2; j++) {
			key = f[1] "," f[2] "," f[4] "," (j ? cc : as)
			n[key]++; m[key] += (k in MPC); t[key] += (k in MP); x1[key] += mb
			r[key] += (k in RE); o[key] += (k in MO); s[key] += (k in SH); mo[key] += j ? 0 : multi
			isas[key] = !j
		}
	}
	for (key in n) {
		line = key "," n[key] "," m[key] "," t[key] "," x1[key] "," r[key] "," o[key] "," s[key]
		print (isas[key] ? "AS" : "CC") "," line (isas[key] ? "," mo[key] : "")
	}
}'
{ cat $D/lab-v4.pfx2as; gzip -dc $D/lab-v6.pfx2as.gz; } | tr '\t' ' ' > "$T/aslist"
awk -v ASLIST="$T/aslist" -v GEOLIST=$D/lab-geo-prefixes.txt "$ORACLE" FS=' ' "$T/aslist" $D/lab-geo-prefixes.txt \
	FS=, "$T/za/targets.csv" "$T/la/targets.csv" > "$T/oracle"
check "the oracle ran" test -s "$T/oracle"

# mpcap's tables, read with Python's csv module (quoted names hold commas)
cols() { # FILE COLUMN... -> comma-joined rows
	python3 - "$@" <<'PY'
import csv, sys
path, names = sys.argv[1], sys.argv[2:]
for r in csv.DictReader(open(path, newline="")):
    print(",".join(r[n] for n in names))
PY
}
C="responsive mpcapable mptcp middlebox replay modified shared_key"
# shellcheck disable=SC2086
cols "$T/a/by_as.csv" scan family port asn $C multi_origin | sed 's/^/AS,/' | sort > "$T/got"
# shellcheck disable=SC2086
cols "$T/a/by_country.csv" scan family port country $C | sed 's/^/CC,/' | sort >> "$T/got"
sort "$T/got" -o "$T/got"
sort "$T/oracle" -o "$T/oracle"
if cmp -s "$T/oracle" "$T/got"; then ok "by_as.csv and by_country.csv equal the awk oracle ($(wc -l < "$T/got") rows)"
else not_ok "by_as.csv / by_country.csv differ from the awk oracle"; diff "$T/oracle" "$T/got" | head -20 | sed 's/^/#   /'; fi
check_eq "every responsive target is attributed somewhere (AS)" 57 "$(awk -F, '$1=="AS"{s+=$6} END{print s}' "$T/got")"
check "AS unknown is a row, not dropped (203.0.113.12-15)" grep -q '^AS,zmap,4,80,unknown,4,' "$T/got"
check "multi-origin /30 counted under its first AS" grep -q '^AS,zmap,4,443,64502,2,0,0,0,0,0,0,2$' "$T/got"
check "AS set /32 (replaying middlebox) under its first AS" grep -q '^AS,lab,4,80,64504,1,1,0,1,1,0,0,1$' "$T/got"
check "mapped MMDB /31 beats the delegated /30 (FR)" grep -q '^CC,lab,4,80,FR,2,2,0,2,2,1,0$' "$T/got"
check "registered_country-only record wins at /32 (JP)" grep -q '^CC,zmap,4,80,JP,1,' "$T/got"
check "IPv6 country_code record (SE) and most specific delegated (KR over US)" \
	grep -q '^CC,lab,6,443,SE,1,1,0,1,1,1,0$' "$T/got"
check "no IPv6 target falls to the delegated /32 (US)" test "$(grep -c ',US,' "$T/got")" -eq 0

# totals per scan, family and port against summary.csv
for s in z l; do
	for f in 4 6; do
		for p in 80 443 8080; do
			want=$(awk -F, -v f=$f -v p=$p '$2=="targets.responsive" && $3==f && $4==p {print $5}' "$T/$s/summary.csv")
			[ -n "$want" ] || continue
			label=$(awk -F, 'NR==2{print $1}' "$T/$s/summary.csv")
			got=$(awk -F, -v l="$label" -v f=$f -v p=$p '$1=="AS" && $2==l && $3==f && $4==p {s+=$6} END{print s+0}' "$T/got")
			gotc=$(awk -F, -v l="$label" -v f=$f -v p=$p '$1=="CC" && $2==l && $3==f && $4==p {s+=$6} END{print s+0}' "$T/got")
			check_eq "$label v$f:$p responsive: sum over ASes and over countries = summary.csv" "$want $want" "$got $gotc"
			wantm=$(awk -F, -v f=$f -v p=$p '$2=="targets.mpcapable" && $3==f && $4==p {print $5}' "$T/$s/summary.csv")
			gotm=$(awk -F, -v l="$label" -v f=$f -v p=$p '$1=="AS" && $2==l && $3==f && $4==p {s+=$7} END{print s+0}' "$T/got")
			check_eq "$label v$f:$p MP_CAPABLE: sum over ASes = summary.csv" "${wantm:-0}" "$gotm"
		done
	done
done

# adoption = mptcp / responsive; names; top lists
check "adoption column is mptcp / responsive" python3 - "$T/a/by_as.csv" "$T/a/by_country.csv" <<'PY'
import csv, sys
for p in sys.argv[1:]:
    for r in csv.DictReader(open(p, newline="")):
        n, t = int(r["responsive"]), int(r["mptcp"])
        if (n == 0) != (r["adoption"] == "") or (n and abs(float(r["adoption"]) - t / n) > 1e-6 * max(1, t / n)):
            sys.exit(f"{p}: {r}")
PY
check "CSV name with a comma is quoted; as2org org name joined" \
	grep -q '^lab,4,80,64501,"Example Lab Net, Inc.",Lab Organisation One,2,1,1,0,0,0,0,0.5,0$' "$T/a/by_as.csv"
check "as2org aut_name and org_name" grep -q '^lab,6,80,64513,LAB-V6-MIDDLEBOX,Lab Organisation Two,' "$T/a/by_as.csv"
awk -F, '$1=="AS" && $5!="unknown" && $6>0 {print $2","$3","$4","$5","$6}' "$T/oracle" | sort -t, -k1,1 -k2,2n -k3,3n -k5,5nr -k4,4n |
	awk -F, '{g=$1","$2","$3; if (g!=last) {r=0; last=g} if (++r <= 3) print g","r","$4}' > "$T/top_want"
cols "$T/a/top_as.csv" scan family port rank asn > "$T/top_got"
sort -t, -k1,1 -k2,2n -k3,3n -k4,4n "$T/top_got" -o "$T/top_got"
sort -t, -k1,1 -k2,2n -k3,3n -k4,4n "$T/top_want" -o "$T/top_want"
if cmp -s "$T/top_want" "$T/top_got"; then ok "top_as.csv: responsive desc, then AS number asc, unknown not ranked"
else not_ok "top_as.csv differs"; diff "$T/top_want" "$T/top_got" | head | sed 's/^/#   /'; fi
check_eq "a tie (zmap v4:80: 64501 and 64507, 4 each) is broken by the smaller AS" "1,64501 2,64507" \
	"$(awk -F, '$1=="zmap" && $3==80 && $5<=2 {printf "%s%s,%s", sep, $5, $6; sep=" "}' "$T/a/top_as.csv")"
awk -F, '$1=="CC" && $5!="unknown" && $6>0 {print $2","$3","$4","$5","$6}' "$T/oracle" | sort -t, -k1,1 -k2,2n -k3,3n -k5,5nr -k4,4 |
	awk -F, '{g=$1","$2","$3; if (g!=last) {r=0; last=g} if (++r <= 3) print g","r","$4}' | sort > "$T/topc_want"
cols "$T/a/top_country.csv" scan family port rank country | sort > "$T/topc_got"
check "top_country.csv: responsive desc, then country code asc" cmp -s "$T/topc_want" "$T/topc_got"
check_eq "ranked_by column" "responsive" "$(cols "$T/a/top_as.csv" ranked_by | sort -u)"

# a config file gives the same tables
cat > "$T/attr.conf" <<EOF
# mpcap attribute configuration
asn $PWD/$D/lab-v4.pfx2as
asn $PWD/$D/lab-v6.pfx2as.gz
as-names $PWD/$D/lab-as-names.csv
as-names $PWD/$D/lab-as2org.txt
geo geo.mmdb
geo $PWD/$D/delegated-lab-apnic
geo $PWD/$D/delegated-lab-ripencc
top 3
rank-by responsive
output c
EOF
"$MPCAP" attribute -q --config "$T/attr.conf" "$T/l" "$T/z"
check_eq "--config exits 0" 0 $?
for f in by_as by_country top_as top_country; do
	check "--config: $f.csv identical (relative paths from the file's directory)" cmp -s "$T/a/$f.csv" "$T/c/$f.csv"
done

# compressed sources: bzip2 (RIR archives), xz, zstd read like the plain files
bzip2 -c $D/delegated-lab-ripencc > "$T/rip.bz2"; xz -c $D/lab-v4.pfx2as > "$T/v4.xz"; zstd -q -c $D/lab-as2org.txt > "$T/o.zst"
"$MPCAP" attribute -q -o "$T/x" --asn "$T/v4.xz" --asn $D/lab-v6.pfx2as.gz --as-names $D/lab-as-names.csv \
	--as-names "$T/o.zst" --geo "$T/geo.mmdb" --geo $D/delegated-lab-apnic --geo "$T/rip.bz2" --top 3 \
	--rank-by responsive "$T/z" "$T/l"
check "bzip2, xz and zstd sources give the same tables" cmp -s "$T/a/by_country.csv" "$T/x/by_country.csv"
check "  (by_as.csv too)" cmp -s "$T/a/by_as.csv" "$T/x/by_as.csv"

# errors: one line naming file and line, nothing written, earlier outputs kept
printf '203.0.113.0\t29\t64501\n203.0.113.8\t30\n' > "$T/bad.pfx2as"
cp "$T/a/by_as.csv" "$T/keep.csv"
"$MPCAP" attribute -q -o "$T/a" --asn "$T/bad.pfx2as" "$T/z" 2>"$T/err"; rc=$?
check_eq "malformed pfx2as: exit 1" 1 $rc
check "the error names file and line" grep -q "bad.pfx2as:2: malformed pfx2as line" "$T/err"
check_eq "the error is one line" 1 "$(wc -l < "$T/err")"
check "the earlier by_as.csv is kept" cmp -s "$T/keep.csv" "$T/a/by_as.csv"
check "no temporary file left" test -z "$(find "$T/a" -name '.*tmp*')"
printf 'apnic|AU|ipv4|203.0.113.0|16|20100101|allocated\napnic|AU|ipv4|203.0.113.16|16\n' > "$T/bad.delegated"
"$MPCAP" attribute -q -o "$T/b" --geo "$T/bad.delegated" "$T/z" 2>"$T/err"; rc=$?
check_eq "malformed delegated file: exit 1" 1 $rc
check "the error names file and line" grep -q "bad.delegated:2: malformed delegated line" "$T/err"
check "nothing written" test ! -e "$T/b/by_as.csv"
"$MPCAP" attribute -q -o "$T/b" "$T/z" "$T/z" 2>"$T/err"; rc=$?
check_eq "the same scan twice: exit 1" 1 $rc
check "says given twice" grep -q "given twice" "$T/err"
"$MPCAP" attribute -q -o "$T/b" "$T/nope" 2>"$T/err"; check_eq "a missing results directory: exit 1" 1 $?
"$MPCAP" attribute -q --top x "$T/z" 2>/dev/null; check_eq "--top x: usage error" 2 $?
"$MPCAP" attribute -q --rank-by nonsense "$T/z" 2>/dev/null; check_eq "--rank-by nonsense: usage error" 2 $?
"$MPCAP" attribute -q 2>/dev/null; check_eq "no results: usage error" 2 $?
"$MPCAP" attribute -o "$T/n" "$T/z" 2>"$T/err"
check "without sources: everything unknown, with a note" \
	sh -c "grep -q 'no --asn source' '$T/err' && test \"\$(cut -d, -f4 '$T/n/by_as.csv' | sort -u | tr '\n' ' ')\" = 'asn unknown '"

# the synthetic Internet's world/ (samples/tools/mpcap-gen.c), when built
GEN=$BUILD/samples/mpcap-gen
if [ -x "$GEN" ]; then
	"$GEN" --out "$T/g" --months 2020-07 --ports 80 --v6 --no-tracebox -q
	W=$T/g/world
	"$MPCAP" analyze -q --scan 2020-07 -o "$T/gr" "$T"/g/scan-2020-07-p80-v*.pcap
	geo=(); for f in "$W"/delegated-*; do geo+=(--geo "$f"); done
	"$MPCAP" attribute -o "$T/ga" --asn "$W/pfx2as-v4.txt" --asn "$W/pfx2as-v6.txt" --as-names "$W/as-names.csv" \
		"${geo[@]}" "$T/gr" 2>"$T/err"
	check_eq "mpcap-gen world: its pfx2as, as-names.csv and delegated files load" 0 $?
	check "mpcap-gen world: no unknown AS or country" grep -q "AS unknown for 0.0%, country unknown for 0.0%" "$T/err"
	check "mpcap-gen world: AS names found" test "$(cols "$T/ga/by_as.csv" as_name | grep -c .)" -gt 10
	# compare with the generator's truth; a prefix listed twice (ambiguous) is left out, with its ASes and countries
	awk -F'\t' 'c[$1"/"$2]++ {print $1"/"$2}' "$W/pfx2as-v4.txt" "$W/pfx2as-v6.txt" > "$T/dup"
	awk -F, 'NR==FNR {d[$1]=1; next} FNR==1 {next} ($18 in d) {split($16, a, /[_,]/); print "AS," a[1]; print "CC," $17}' \
		"$T/dup" "$T"/g/truth-2020-07-p80-v*.csv > "$T/ambiguous"
	awk -F'\t' 'NR==FNR {d[$1]=1; next} (($1"/"$2) in d) {split($3, a, /[_,]/); print "AS," a[1]}' \
		"$T/dup" "$W/pfx2as-v4.txt" "$W/pfx2as-v6.txt" >> "$T/ambiguous"
	awk -F'|' 'NR==FNR {d[$1]=1; next} $3=="ipv6" && (($4"/"$5) in d) {print "CC," $2}
		$3=="ipv4" {l=32; for (c=$5; c>1; c/=2) l--; if (($4"/"l) in d) print "CC," $2}' \
		"$T/dup" "$W"/delegated-* >> "$T/ambiguous"
	sort -u "$T/ambiguous" -o "$T/ambiguous"
	[ -s "$T/dup" ] && echo "# mpcap-gen world lists $(wc -l < "$T/dup") prefix(es) twice: $(tr '\n' ' ' < "$T/dup")- left out below with $(tr '\n' ' ' < "$T/ambiguous")"
	awk -F, 'FNR==1 {next} $8!="" {split($16, a, /[_,]/); print "AS," $4 "," $3 "," a[1]; print "CC," $4 "," $3 "," $17}' \
		"$T"/g/truth-2020-07-p80-v*.csv | sort | uniq -c | awk '{print $2","$1}' > "$T/truth"
	{ cols "$T/ga/by_as.csv" family port asn responsive | sed 's/^/AS,/'
	  cols "$T/ga/by_country.csv" family port country responsive | sed 's/^/CC,/'; } > "$T/gen_got"
	filt() { awk -F, 'NR==FNR {a[$1","$2]=1; next} !(($1","$4) in a)' "$T/ambiguous" "$1" | sort; }
	if [ "$(filt "$T/truth")" = "$(filt "$T/gen_got")" ]; then ok "mpcap-gen world: responsive per AS and country equal the generator's truth"
	else not_ok "mpcap-gen world: counts differ from the truth"; diff <(filt "$T/truth") <(filt "$T/gen_got") | head | sed 's/^/#   /'; fi
else
	ok "# SKIP mpcap-gen not built ($GEN)"
fi
finish
