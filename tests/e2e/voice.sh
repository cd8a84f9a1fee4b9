#!/bin/bash
# voice.sh — the command line speaks with one voice (issue 14, point 5): every
# error as "mpcap SUBCOMMAND: [FILE: ]reason", "did you mean" for a mistyped
# subcommand or long option, the same words from every reader of results for a
# directory that holds none, a closing line that says where the files went
# (none with -q), and plurals that agree with their numbers.
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
need_corpus
MPCAP=$(realpath "$MPCAP")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cp "$CORPUS/mptcp-v1.pcap" "$T/v1.pcap"
cd "$T" || exit 1

# --- did you mean
out=$("$MPCAP" anlyze 2>&1)
check_eq "a mistyped subcommand: exit 2" 2 "$?"
check_eq "and the closest one is named" "mpcap: 'anlyze' is not a subcommand; did you mean 'analyze'? (see 'mpcap --help')" "$out"
check "help with a mistyped subcommand too" grep -q "did you mean 'merge'" <<<"$("$MPCAP" help mrge 2>&1)"
check "nothing close: no guess" grep -qv "did you mean" <<<"$("$MPCAP" zzzzzz 2>&1)"
out=$("$MPCAP" analyze --fitler tcp v1.pcap 2>&1)
check_eq "a mistyped long option: exit 2" 2 "$?"
check "getopt's message begins 'mpcap analyze:'" grep -qx "mpcap analyze: unrecognized option '--fitler'" <<<"$out"
check "and the closest option is named" grep -qx "mpcap analyze: did you mean '--filter'?" <<<"$out"
check "a transposition is one edit" grep -qx "mpcap analyze: did you mean '--scan'?" <<<"$("$MPCAP" analyze --scna x v1.pcap 2>&1)"
for c in stats report join attribute merge trace dump verify; do
	out=$("$MPCAP" $c --outptu x 2>&1)
	check "$c: a mistyped option says 'mpcap $c: ...'" grep -q "^mpcap $c: unrecognized option '--outptu'" <<<"$out"
done
check "stats: --outptu -> --output" grep -qx "mpcap stats: did you mean '--output'?" <<<"$("$MPCAP" stats --outptu x 2>&1)"
check "a missing argument says 'mpcap analyze:'" grep -qx "mpcap analyze: option '--scan' requires an argument" \
	<<<"$("$MPCAP" analyze --scan 2>&1)"

# --- errors: mpcap SUBCOMMAND: FILE: reason
echo "not a capture" >bad.pcap
check_eq "analyze: an unreadable capture" "mpcap analyze: bad.pcap: not a capture file (starts with 6e 6f 74 20)" \
	"$("$MPCAP" analyze -o a bad.pcap 2>&1)"
check_eq "trace: the same" "mpcap trace: bad.pcap: not a capture file (starts with 6e 6f 74 20)" \
	"$("$MPCAP" trace -o t bad.pcap 2>&1)"
# a capture cut inside a record: analysed up to the damage, the warning names the subcommand
head -c $(($(stat -c %s v1.pcap) - 7)) v1.pcap >cut.pcap
for c in "analyze -o w1" "trace -o w2" "dump -o w3.csv"; do
	check "${c%% *}: a damaged capture's warning begins 'mpcap ${c%% *}: warning: cut.pcap:'" \
		grep -q "^mpcap ${c%% *}: warning: cut.pcap: " <<<"$("$MPCAP" $c cut.pcap 2>&1)"
done

# --- a directory that holds no results: the same words from every reader
mkdir empty
want="empty: not a results directory (want the DIR of 'mpcap analyze -o DIR': targets.csv, summary.csv, targets.sets)"
for c in stats report join attribute merge; do
	out=$("$MPCAP" $c -o "out-$c" empty 2>&1 | grep -v ': note: ')
	check_eq "$c on a directory without results" "mpcap $c: $want" "$out"
done
check_eq "trace --targets on one" "mpcap trace: $want" "$("$MPCAP" trace -o t --targets empty v1.pcap 2>&1)"

# --- closing lines say where the files went; -q silences them
"$MPCAP" analyze -o res v1.pcap 2>err >/dev/null
check "analyze: the closing line names the directory" grep -q '^mpcap analyze: scan 2020-01: .* -> res/ (' err
"$MPCAP" merge -o mrg res 2>err >/dev/null
check "merge: names it" grep -q '^mpcap merge: merged 1 result of scan 2020-01 -> mrg/$' err
"$MPCAP" stats -o st res 2>err >/dev/null
check "stats: names it and its files" grep -q '^mpcap stats: 1 key -> st/ (chisquare.csv, ' err
out=$("$MPCAP" join -o jn res 2>&1)
check "join: names its files, and '1 scan', '1 MP_CAPABLE host'" grep -q '^1 scan (2020-01 .. 2020-01), 1 MP_CAPABLE host, .* -> jn/hosts.csv, jn/monthly.csv$' <<<"$out"
"$MPCAP" attribute -o at res 2>err >/dev/null
check "attribute: names it, '1 scan'" grep -q '^mpcap attribute: 1 scan: .* -> at/ (by_as.csv' err
"$MPCAP" trace -o tr "$CORPUS/tracebox-v4-mpcapable.pcap" 2>err >/dev/null
check "trace: names it" grep -q '^mpcap trace: .* -> tr/.*hops.csv' err
for c in "analyze -o q1 v1.pcap" "stats -o q2 res" "merge -o q3 res" "attribute -o q4 res" "trace -o q5 v1.pcap"; do
	check_eq "$c -q: nothing on stderr" "" "$("$MPCAP" $c -q 2>&1 >/dev/null | grep -v ': note: ')"
done
finish
