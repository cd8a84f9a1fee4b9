# lib.sh — TAP helpers for the shell tests (sourced).
: "${MPCAP:=build/mpcap}"
: "${CORPUS:=$(cd "$(dirname "$0")/../.." && pwd)/tests/corpus}"
TAP_N=0
TAP_FAIL=0
ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAIL=$((TAP_FAIL + 1)); echo "not ok $TAP_N - $*"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi; }
finish() { echo "1..$TAP_N"; [ "$TAP_FAIL" -eq 0 ]; }
need_corpus() {
	if [ ! -d "$CORPUS" ]; then
		echo "Bail out! corpus not found at $CORPUS (set CORPUS=...)"
		exit 1
	fi
}
# opened PID PATH: waits (up to 20 s) until PID has PATH open — past start-up,
# its signal handlers installed, reading input — then a little longer
opened() {
	local n=0 fd
	while [ $n -lt 200 ]; do
		for fd in /proc/"$1"/fd/*; do
			[ "$(readlink "$fd" 2>/dev/null)" = "$2" ] && n=200
		done
		n=$((n + 1))
		[ $n -le 200 ] && sleep 0.1
	done
	sleep 0.3
}
# stop_reading PID PATH FEEDER: SIGTERM to PID once it reads PATH; rc is its exit
# status; the FEEDER writing into PATH is ended
stop_reading() {
	opened "$1" "$2"
	kill -TERM "$1"
	wait "$1"
	rc=$?
	kill "$3" 2>/dev/null
	wait "$3" 2>/dev/null
}
