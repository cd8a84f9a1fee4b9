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
