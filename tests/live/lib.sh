# lib.sh: helpers shared by the live network-namespace tests (sourced, not run).
#
# TAP-style reporting ("ok - ..." / "not ok - ..."), the root / namespace pre-flight (exit 77 with
# "SKIP: needs root" when not root; exit 1 when root but namespaces cannot be created), locating or
# building the lab tools, and flow tables extracted from a capture with tshark, the independent
# oracle (docs/testing.md). MP_CAPABLE per RFC 6824 (v0) and RFC 8684 (v1).
# shellcheck shell=bash

LIVE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC2034 # used by the scripts that source this file
LAB="$LIVE_ROOT/samples/netns/mptcp-lab.sh"
TAP_FAILED=0
TAP_COUNT=0

ok() {
	TAP_COUNT=$((TAP_COUNT + 1))
	echo "ok - $*"
}

not_ok() {
	TAP_COUNT=$((TAP_COUNT + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok - $*"
}

check() { # check DESCRIPTION CMD...: ok if CMD succeeds
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

check_eq() { # check_eq DESCRIPTION GOT WANT
	if [[ $2 == "$3" ]]; then ok "$1"; else not_ok "$1 (got '$2', want '$3')"; fi
}

tap_finish() {
	echo "1..$TAP_COUNT"
	if ((TAP_FAILED)); then
		echo "# $TAP_FAILED of $TAP_COUNT assertions failed"
		return 1
	fi
	return 0
}

live_preflight() { # live_preflight PREFIX: skip unless root; fail if namespaces are unusable
	local ns="$1-preflight" err
	if ((EUID != 0)); then
		echo "SKIP: needs root"
		exit 77
	fi
	for tool in ip tcpdump tshark iptables ip6tables; do
		if ! command -v "$tool" >/dev/null; then
			echo "not ok - $tool is not installed"
			exit 1
		fi
	done
	if ! err=$(ip netns add "$ns" 2>&1); then
		echo "not ok - cannot create network namespaces: ${err:-ip netns add failed}"
		exit 1
	fi
	ip netns del "$ns"
}

# Finds the lab tools: $MPTCP_LAB_BIN, else $BUILD/samples (make builds them there), else builds
# them with make, else compiles them directly (plain libc programs) into $1. Prints the directory.
live_tools() {
	local scratch=$1 bin=${MPTCP_LAB_BIN:-$LIVE_ROOT/${BUILD:-build}/samples} t missing=0
	for t in mpc-probe mptcp-listen mpc-mirror; do
		if [[ ! -x $bin/$t || $LIVE_ROOT/samples/tools/$t.c -nt $bin/$t ||
			$LIVE_ROOT/samples/tools/labnet.h -nt $bin/$t ]]; then
			missing=1
		fi
	done
	if ((missing)) && [[ -z ${MPTCP_LAB_BIN:-} ]]; then
		if make -s -C "$LIVE_ROOT" "${BUILD:-build}/samples/mpc-probe" "${BUILD:-build}/samples/mptcp-listen" \
			"${BUILD:-build}/samples/mpc-mirror" >"$scratch/make.log" 2>&1; then
			missing=0
		else
			bin="$scratch/bin"
			mkdir -p "$bin"
			for t in mpc-probe mptcp-listen mpc-mirror; do
				"${CC:-cc}" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$bin/$t" \
					"$LIVE_ROOT/samples/tools/$t.c" >>"$scratch/make.log" 2>&1 || {
					echo "not ok - cannot build $t: $(tail -5 "$scratch/make.log")" >&2
					return 1
				}
			done
		fi
	fi
	echo "$bin"
}

leftover_namespaces() { # leftover_namespaces PREFIX: names of namespaces starting with PREFIX-
	ip netns list 2>/dev/null | awk -v p="$1-" 'index($1, p) == 1 { print $1 }'
}

remove_namespaces() { # remove_namespaces PREFIX: last-resort cleanup after a killed lab
	local ns pid
	for ns in $(leftover_namespaces "$1"); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
}

# live_begin PREFIX NAME [--check PCAP]: the start every lab test shares. With --check PCAP the test
# asserts on an existing capture (e.g. a committed sample; needs neither root nor namespaces; its
# truth file lies beside it) and CHECK_ONLY names it; otherwise the root / namespace pre-flight runs.
# Sets PREFIX, CHECK_ONLY, TMP (a scratch folder) and LAB_PID, and traps EXIT/INT/TERM so that a
# running lab is stopped, its namespaces removed and TMP deleted however the test ends.
live_begin() {
	PREFIX=$1
	local name=$2
	shift 2
	CHECK_ONLY=""
	if [[ ${1:-} == --check ]]; then
		CHECK_ONLY=${2:?--check needs a capture}
		[[ -r $CHECK_ONLY ]] || {
			echo "not ok - cannot read $CHECK_ONLY"
			exit 1
		}
	else
		live_preflight "$PREFIX"
	fi
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/test-$name.XXXXXX")
	LAB_PID=""
	trap live_end EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

live_end() { # the EXIT trap of live_begin
	[[ -n $LAB_PID ]] && kill -TERM "$LAB_PID" 2>/dev/null && wait "$LAB_PID" 2>/dev/null
	remove_namespaces "$PREFIX"
	rm -rf "$TMP"
}

# live_capture MODE OUT.pcap [LAB ARGS...]: with --check, copies the given capture and its truth file
# to OUT.pcap and OUT.truth.csv; otherwise runs `mptcp-lab.sh MODE OUT.pcap LAB ARGS...` (log in
# TMP/lab.log) and asserts that it succeeded and left no namespace behind.
live_capture() {
	local mode=$1 out=$2 start rc secs
	shift 2
	if [[ -n $CHECK_ONLY ]]; then
		cp "$CHECK_ONLY" "$out"
		cp "${CHECK_ONLY%.pcap}.truth.csv" "${out%.pcap}.truth.csv"
		ok "checking $CHECK_ONLY"
		return 0
	fi
	BIN=$(live_tools "$TMP") || exit 1
	start=$EPOCHREALTIME
	set +e
	MPTCP_LAB_BIN=$BIN MPTCP_LAB_PREFIX=$PREFIX "$LAB" "$mode" "$out" "$@" >"$TMP/lab.log" 2>&1 &
	LAB_PID=$!
	wait "$LAB_PID"
	rc=$?
	LAB_PID=""
	set -e
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	if ((rc != 0)); then
		not_ok "lab run failed (exit $rc): $(tail -5 "$TMP/lab.log" | tr '\n' ' ')"
		tap_finish || exit 1
	fi
	ok "lab ran ($mode $*, ${secs}s)"
	check_eq "no namespace with prefix $PREFIX left after the lab" "$(leftover_namespaces "$PREFIX" | wc -l)" 0
}

# live_flows PCAP: one tab-separated line per probe SYN the scanner sent, with what came back, as
# tshark dissects it. Columns:
#   1 ip_version  2 dst  3 dport  4 sport  5 ttl  6 probe_mpc_version  7 probe_mpc_len  8 probe_key
#   9 synacks  10 synack_mpc_len  11 synack_mpc_version  12 synack_key  13 rsts
#   14 unreachables  15 unreachable_from  16 time_exceeded  17 te_from  18 te_quote_mpc_len
#   19 te_quote_key
# An option length of 0 means "no MP_CAPABLE"; keys are decimal as tshark prints them, "-" if none.
# A packet quoted in an ICMP error is dissected too: ip.src then lists the router and the quoted
# source, the tcp.* fields describe the quoted segment.
live_flows() {
	tshark -n -r "$1" -T fields -E separator=/t -E occurrence=a -E aggregator=';' \
		-e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e ip.ttl -e ipv6.hlim \
		-e tcp.srcport -e tcp.dstport -e tcp.flags -e icmp.type -e icmpv6.type \
		-e tcp.option_kind -e tcp.option_len -e tcp.options.mptcp.subtype \
		-e tcp.options.mptcp.version -e tcp.options.mptcp.sendkey 2>/dev/null |
		awk -F'\t' -v S4=192.0.2.2 -v S6=2001:db8:1::2 '
		function mpclen(kinds, lens,   nk, nl, k, l, i, j) {
			nk = split(kinds, k, ";"); nl = split(lens, l, ";"); j = 1
			for (i = 1; i <= nk; i++) {
				if (k[i] == "0" || k[i] == "1") continue
				if (k[i] == "30") return l[j]
				j++
			}
			return 0
		}
		function nth(s, n,   a) { split(s, a, ";"); return a[n] }
		{
			if ($1 != "") { v = 4; src = $1; dst = $2; ttl = $5; scan = S4 }
			else if ($3 != "") { v = 6; src = $3; dst = $4; ttl = $6; scan = S6 }
			else next
			if ($7 == "") next
			ml = mpclen($12, $13)
			ver = ml ? nth($15, 1) : "-"
			key = (ml && $16 != "") ? nth($16, 1) : "-"
			if ($10 != "" || $11 != "") {
				# ICMP error quoting a probe: outer src is the router, the quote is ours
				router = nth(src, 1); qdst = nth(dst, 2)
				id = qdst "|" $8 "|" $7
				if (!(id in seen)) next
				if ($10 == "11" || $11 == "3") {
					te[id]++; tefrom[id] = router; teml[id] = ml; tekey[id] = key
				} else if ($10 == "3" || $11 == "1") {
					un[id]++; unfrom[id] = router
				}
				next
			}
			if (src == scan) {
				if ($9 != "0x0002") next
				id = dst "|" $8 "|" $7
				if (!(id in seen)) { order[++n] = id; seen[id] = 1 }
				fam[id] = v; pdst[id] = dst; pdport[id] = $8; psport[id] = $7; pttl[id] = ttl
				pver[id] = ver; pml[id] = ml; pkey[id] = key
				next
			}
			id = src "|" $7 "|" $8
			if (!(id in seen)) next
			if ($9 == "0x0012") { sa[id]++; saml[id] = ml; saver[id] = ver; sakey[id] = key }
			else if ($9 == "0x0004" || $9 == "0x0014") rst[id]++
		}
		END {
			for (i = 1; i <= n; i++) {
				id = order[i]
				printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t", fam[id], pdst[id], pdport[id], psport[id], pttl[id], pver[id], pml[id], pkey[id]
				printf "%d\t%s\t%s\t%s\t%d\t", sa[id], (id in saml) ? saml[id] : "-", (id in saver) ? saver[id] : "-", (id in sakey) ? sakey[id] : "-", rst[id]
				printf "%d\t%s\t%d\t%s\t%s\t%s\n", un[id], (id in unfrom) ? unfrom[id] : "-", te[id], (id in tefrom) ? tefrom[id] : "-", (id in teml) ? teml[id] : "-", (id in tekey) ? tekey[id] : "-"
			}
		}'
}

# live_bad_probe_checksums PCAP: number of scanner SYNs whose IPv4 or TCP checksum tshark rejects.
live_bad_probe_checksums() {
	tshark -n -r "$1" -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE \
		-Y '(ip.src == 192.0.2.2 or ipv6.src == 2001:db8:1::2) and tcp.flags == 0x002 and not icmp and not icmpv6 and (tcp.checksum.status != 1 or ip.checksum.status == 0)' \
		-T fields -e frame.number 2>/dev/null | wc -l
}
