#!/bin/bash
# run-all.sh — every test of mpcap, called by `make check` (and so by CI).
#
# Runs each test program, prints its output, and ends with a table of
# passed / failed / skipped.  A test that exits 77 is "skipped" — allowed only
# when not running as root: as root (CI) a skip counts as a failure, because
# the namespace tests must really run there.
set -u
cd "$(dirname "$0")/.."
: "${MPCAP:=build/mpcap}"
: "${BUILD:=build}"
export MPCAP BUILD
export CORPUS="${CORPUS:-$PWD/tests/corpus}"

pass=0; fail=0; skip=0; failed=()
# Each test's output is also kept in $LOGDIR, so that a failure's reason can be
# repeated at the end, where a CI log's tail shows it.
LOGDIR="$BUILD/test-logs"
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"
# Under the sanitizers (SANITIZE=1) the tests that do not run mpcap's code —
# formatting, docs, the generator's tshark oracle, the lab's cleanup — were
# already run by the plain pass and are not repeated.
NOT_UNDER_SAN=" format layers docs gen/tshark-oracle gen/determinism live/test-lab-cleanup "
run() { # name command...
	local name=$1; shift
	if [ "${SANITIZE:-0}" = 1 ] && [ "${NOT_UNDER_SAN#* $name }" != "$NOT_UNDER_SAN" ]; then
		echo "=== not repeated under sanitizers: $name"
		return
	fi
	echo "=== $name"
	local start=$SECONDS
	local log="$LOGDIR/${name//\//_}.log"
	"$@" >"$log" 2>&1
	local rc=$?
	cat "$log"
	local dt=$((SECONDS - start))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); echo "=== PASS $name (${dt}s)"
	elif [ $rc -eq 77 ] && [ "$(id -u)" -ne 0 ]; then
		skip=$((skip + 1)); echo "=== SKIP $name (needs root)"
	else
		fail=$((fail + 1)); failed+=("$name"); echo "=== FAIL $name (exit $rc, ${dt}s)"
	fi
}

run format tests/check-format.sh
run layers sh -c '/usr/bin/python3 tests/check-layers.py --self-test && /usr/bin/python3 tests/check-layers.py "$BUILD"'
run unit "$BUILD/unit-tests" --jobs 2
run golden tests/e2e/run-testlist.sh
for t in tests/e2e/*.sh; do
	case "$(basename "$t")" in lib.sh|run-testlist.sh) continue;; esac
	run "e2e/$(basename "$t" .sh)" "$t"
done
for t in tests/gen/*.sh; do
	case "$(basename "$t")" in lib-gen.sh) continue;; esac
	run "gen/$(basename "$t" .sh)" "$t"
done
run tshark-oracle /usr/bin/python3 tests/oracle/tshark_dump_compare.py "$MPCAP" \
	"$CORPUS"/*.pcap "$CORPUS"/*.pcapng samples/captures/*.pcap
run docs tests/check-docs.sh
for t in tests/live/test-*.sh; do
	[ -e "$t" ] || continue
	run "live/$(basename "$t" .sh)" "$t"
done

echo
echo "passed: $pass  failed: $fail  skipped: $skip"
if [ $fail -gt 0 ]; then
	for name in "${failed[@]}"; do
		echo "--- why $name failed (its failure lines, then its last lines; whole output in $LOGDIR):"
		log="$LOGDIR/${name//\//_}.log"
		grep -E -m 40 '\[FAIL\]|^not ok|FAIL|[Ee]rror|Sanitizer|Assertion|[Tt]imed out|[Cc]rash' "$log"
		echo "..."
		tail -n 15 "$log"
	done
	printf 'FAILED: %s\n' "${failed[@]}"
	exit 1
fi
[ $skip -gt 0 ] && echo "NOTE: $skip test(s) skipped (not root); they did not pass, they did not run."
exit 0
