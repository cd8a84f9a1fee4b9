#!/usr/bin/env bash
# test-lab-cleanup.sh: live test that samples/netns/mptcp-lab.sh leaves nothing behind.
#
# Runs the lab with injected failures (MPTCP_LAB_FAIL_AT=topology|servers|capture|probes, in the
# foundation and verdicts set-ups) and interrupts it with SIGTERM and SIGINT mid-run, then asserts:
# the lab exits non-zero, no network namespace with the run's prefix remains, every process the lab
# reported starting is gone, and its scratch directory is removed. TAP-style output.
# Not root: "SKIP: needs root", exit 77. Root without namespaces: exit 1 with the reason.
# shellcheck source=tests/live/lib.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PREFIX="mpltest$$c"
live_preflight "$PREFIX"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/test-cleanup.XXXXXX")
LAB_PID=""
finish_cleanup() {
	[[ -n $LAB_PID ]] && kill -TERM "$LAB_PID" 2>/dev/null && wait "$LAB_PID" 2>/dev/null
	remove_namespaces "$PREFIX"
	[[ -n ${KEEP_TMP:-} ]] || rm -rf "$TMP"
}
trap finish_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

BIN=$(live_tools "$TMP") || exit 1

pid_alive() { # a process we saw start is alive if it exists, is no zombie and runs the same program
	local pid=$1 st
	[[ -r /proc/$pid/stat ]] || return 1
	st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
	[[ $st != Z ]]
}

# assert_clean NAME LOG SCRATCH RC: the checks shared by every case
assert_clean() {
	local name=$1 logf=$2 scratch=$3 rc=$4 pid alive=()
	if ((rc != 0)); then ok "$name: lab exits non-zero ($rc)"; else not_ok "$name: lab exited 0"; fi
	check_eq "$name: no namespace with the prefix remains" "$(leftover_namespaces "$PREFIX" | tr '\n' ' ')" ""
	while read -r pid; do
		pid_alive "$pid" && alive+=("$pid")
	done < <(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' "$logf")
	check_eq "$name: every process the lab started is gone" "${alive[*]:-}" ""
	check_eq "$name: scratch directory removed" "$(find "$scratch" -mindepth 1 | wc -l)" 0
}

run_case() { # run_case NAME FAIL_AT MODE [EXPECT_IN_LOG]
	local name=$1 fail=$2 mode=$3 expect=${4:-} scratch="$TMP/$1" rc
	mkdir -p "$scratch/tmp"
	set +e
	TMPDIR="$scratch/tmp" MPTCP_LAB_BIN=$BIN MPTCP_LAB_PREFIX=$PREFIX MPTCP_LAB_FAIL_AT=$fail \
		"$LAB" "$mode" "$scratch/out.pcap" --probes 1 >"$scratch/lab.log" 2>&1 &
	LAB_PID=$!
	wait "$LAB_PID"
	rc=$?
	LAB_PID=""
	set -e
	check "$name: the failure was injected at '$fail'" grep -q "injected failure at '$fail'" "$scratch/lab.log"
	[[ -z $expect ]] || check "$name: it got as far as '$expect'" grep -q -- "$expect" "$scratch/lab.log"
	assert_clean "$name" "$scratch/lab.log" "$scratch/tmp" "$rc"
	check "$name: no capture handed over" test ! -e "$scratch/out.pcap"
}

run_signal() { # run_signal NAME SIGNAL WANT_RC: interrupt a verdicts run once it is probing
	local name=$1 sig=$2 want=$3 scratch="$TMP/$1" rc i
	mkdir -p "$scratch/tmp"
	set +e
	set -m # own process group: background jobs keep SIGINT (bash ignores it for async jobs otherwise)
	TMPDIR="$scratch/tmp" MPTCP_LAB_BIN=$BIN MPTCP_LAB_PREFIX=$PREFIX \
		"$LAB" verdicts "$scratch/out.pcap" --probes 1 >"$scratch/lab.log" 2>&1 &
	LAB_PID=$!
	set +m
	for ((i = 0; i < 200; i++)); do
		grep -q 'running mpc-probe' "$scratch/lab.log" && break
		sleep 0.05
	done
	kill "-$sig" "$LAB_PID"
	wait "$LAB_PID"
	rc=$?
	LAB_PID=""
	set -e
	check "$name: the lab was probing when signalled" grep -q 'running mpc-probe' "$scratch/lab.log"
	check_eq "$name: exit status" "$rc" "$want"
	assert_clean "$name" "$scratch/lab.log" "$scratch/tmp" "$rc"
}

start=$EPOCHREALTIME
run_case fail-topology topology foundation
run_case fail-servers servers foundation 'started plain-listen'
run_case fail-capture capture verdicts 'started tcpdump-scanner'
run_case fail-probes probes verdicts 'running mpc-probe'
run_signal sigterm TERM 143
run_signal sigint INT 130
echo "# $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"
tap_finish
