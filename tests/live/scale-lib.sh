# scale-lib.sh: helpers shared by the many-machines live tests (sourced, not run).
#
# The recipes of docs/scale.md taken from the doc itself (the indented block after a
# "<!-- recipe: NAME -->" line), a generated scan capture split into compressed rotation files,
# results directories compared byte for byte, and stopping what a test started (by PID, then
# whatever is left in the test's own network namespaces). Pcap per libpcap's file format; the
# shards and `mpcap merge` as docs/scale.md describes them.
# shellcheck shell=bash
# shellcheck source=tests/live/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCALE_DOC="$LIVE_ROOT/docs/scale.md"
: "${MPCAP:=${BUILD:-build}/mpcap}"
[[ $MPCAP == /* ]] || MPCAP="$LIVE_ROOT/$MPCAP"
SCALE_GEN="$LIVE_ROOT/${BUILD:-build}/bench/scangen"

scale_need() { # scale_need PROGRAM...: fail (not skip) when one is missing
	local p
	for p in "$@"; do
		if ! command -v "$p" >/dev/null; then
			echo "not ok - $p is not installed (scripts/install-deps.sh installs it)"
			exit 1
		fi
	done
	for p in "$MPCAP" "$SCALE_GEN"; do
		if [[ ! -x $p ]]; then
			echo "not ok - $p missing (make builds it)"
			exit 1
		fi
	done
}

fail_setup() { # fail_setup WHAT LOG...: the test cannot run (no cluster, no sshd...): say why, fail
	local f
	echo "not ok - $1"
	shift
	for f in "$@"; do sed 's/^/# /' "$f" 2>/dev/null | tail -n 20; done
	tap_finish
	exit 1
}

# scale_recipe NAME: prints the command block of docs/scale.md marked NAME, unindented; fails
# unless the marker is there exactly once with a block under it.
scale_recipe() {
	awk -v m="<!-- recipe: $1 -->" '
		$0 == m { n++; f = 1; next }
		f == 1 && $0 == "" { next }
		f == 1 && /^    / { f = 2 }
		f == 2 && /^    / { print substr($0, 5); lines++; next }
		{ f = 0 }
		END { exit !(n == 1 && lines > 0) }' "$SCALE_DOC"
}

# scale_doc_all_run: every command block of the "GNU parallel over ssh" and "Slurm job array"
# sections has a recipe marker, and every marker of the doc is taken by a test-scale-*.sh.
scale_doc_all_run() {
	local unmarked name
	unmarked=$(awk '
		/^### GNU parallel over ssh/ { s = 1 }
		/^## / { s = 0 }
		!s || $0 == "" { next }
		/^    / {
			if (!inb && last !~ /^<!-- recipe: [a-z-]+ -->$/) print NR ": " $0
			inb = 1; last = $0; next
		}
		{ inb = 0; last = $0 }' "$SCALE_DOC")
	check_eq "docs/scale.md: every command block of the ssh and Slurm sections has a recipe marker" \
		"$unmarked" ""
	while read -r name; do
		check "docs/scale.md: recipe '$name' is run by a test" \
			grep -Eq "(scale|run)_recipe $name\b" "$LIVE_ROOT"/tests/live/test-scale-*.sh
	done < <(sed -n 's/^<!-- recipe: \([a-z-]*\) -->$/\1/p' "$SCALE_DOC")
}

# scale_capture DIR: a generated scan ending in a tail of late answers (tests/bench/scangen, as
# tests/e2e/merge.sh) as DIR/cap.pcap, and split with editcap -c into zstd-compressed rotation
# files DIR/scan-2020-07/rot_*.pcap.zst. Prints the number of rotation files.
scale_capture() {
	local d=$1
	"$SCALE_GEN" -n 200000 -s 7 --drain "$d/cap.pcap" >/dev/null || return 1
	mkdir -p "$d/scan-2020-07"
	editcap -c 45000 "$d/cap.pcap" "$d/scan-2020-07/rot.pcap" || return 1
	zstd -q --rm "$d"/scan-2020-07/rot_*.pcap || return 1
	find "$d/scan-2020-07" -name 'rot_*.pcap.zst' | wc -l
}

# scale_same DESCRIPTION DIR_A DIR_B [FILE...]: the results files are equal byte for byte
# (default: all four that analyze and merge write)
scale_same() {
	local d=$1 a=$2 b=$3 f bad=""
	shift 3
	local files=${*:-targets.csv summary.csv targets.sets scan.state}
	for f in $files; do cmp -s "$a/$f" "$b/$f" || bad="$bad $f"; done
	if [[ -z $bad ]]; then ok "$d"; else not_ok "$d (differs or missing:$bad)"; fi
}

# scale_by_file_same DIR WHAT: DIR/2020-07, merged from the rotation files of scale_capture, equals
# one analyze of those files (DIR/single) in every file, and one of DIR/cap.pcap (DIR/whole) in
# all but scan.state, which names the files read
scale_by_file_same() {
	local d=$1
	# shellcheck disable=SC2012,SC2046 # as the recipes list them: capture order, no spaces
	(cd "$d" && "$MPCAP" analyze -q -o single $(ls scan-2020-07/rot*.pcap.zst | sort -V))
	scale_same "$2: the merge equals one analyze of the rotation files" "$d/single" "$d/2020-07"
	"$MPCAP" analyze -q -o "$d/whole" "$d/cap.pcap"
	scale_same "and one analyze of the uncompressed capture (scan.state names other files)" \
		"$d/whole" "$d/2020-07" targets.csv summary.csv targets.sets
	check "the single run has MP_CAPABLE rows to compare" test "$(wc -l <"$d/single/targets.csv")" -ge 20
}

# scale_total DIR: packets.total of a results directory
scale_total() {
	awk -F, '$2 == "packets.total" { print $5 }' "$1/summary.csv" 2>/dev/null
}

# scale_stop PID...: SIGTERM, up to 15 s to exit, then SIGKILL; reaps the test's own children
scale_stop() {
	local pid i left
	for pid in "$@"; do kill -TERM "$pid" 2>/dev/null; done
	for ((i = 0; i < 150; i++)); do
		left=0
		for pid in "$@"; do kill -0 "$pid" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] && left=1; done
		((left)) || break
		sleep 0.1
	done
	for pid in "$@"; do kill -KILL "$pid" 2>/dev/null; done
	for pid in "$@"; do wait "$pid" 2>/dev/null; done
	return 0
}

# scale_ns_procs NS...: the processes still running in the test's namespaces
scale_ns_procs() {
	local ns
	for ns in "$@"; do ip netns pids "$ns" 2>/dev/null; done | tr '\n' ' ' | sed 's/ $//'
}
