#!/bin/bash
# run-fuzz.sh SECONDS NAME... — runs each libFuzzer harness build/fuzz/fuzz_NAME
# for SECONDS seconds (called by `make fuzz FUZZ_SECONDS=N`; docs/robustness.md).
#
# The working corpus is $FUZZ_BUILD/corpus/NAME (kept between runs, so longer
# local runs build on earlier ones); the committed seeds tests/fuzz/seeds/NAME,
# the saved crash inputs tests/fuzz/regress/NAME and, for capture, the hostile
# files tests/data/hostile/ are read as extra seed directories and never
# written.  A crash, a failed invariant, a leak, a >10 s input or a >2 GB RSS
# is a failure: the input is saved under $FUZZ_BUILD/crashes/NAME/ — minimise
# it (fuzz_NAME -minimize_crash=1 -runs=10000 FILE), fix the bug, and commit
# the input under tests/fuzz/regress/NAME/ so that `make check` replays it.
# TAP output; exit 1 when any harness failed.
set -u
cd "$(dirname "$0")/../.."
B=${FUZZ_BUILD:-build/fuzz}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp}
secs=${1:?usage: run-fuzz.sh SECONDS NAME...}
shift
n=0 fail=0
for name in "$@"; do
	n=$((n + 1))
	bin=$B/fuzz_$name
	corpus=$B/corpus/$name crashes=$B/crashes/$name log=$B/fuzz_$name.log
	mkdir -p "$corpus" "$crashes"
	seeds=()
	seed=$name; [ "$name" = analyze ] && seed=capture
	for d in tests/fuzz/seeds/$seed tests/fuzz/regress/$name; do [ -d "$d" ] && seeds+=("$d"); done
	[ "$seed" = capture ] && [ -d tests/data/hostile ] && seeds+=(tests/data/hostile)
	max_len=4096
	[ "$seed" = capture ] && max_len=65536
	if [ ! -x "$bin" ]; then
		echo "not ok $n - fuzz_$name: $bin not built (make fuzz-build)"
		fail=1
		continue
	fi
	# -jobs/-workers stay at 1: CI has 2 CPUs, and the budget is wall time.
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=$max_len \
		-artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1)
	size=$(find "$corpus" -type f | wc -l)
	if [ $rc -eq 0 ]; then
		echo "ok $n - fuzz_$name: ${runs:-?} inputs in ${secs} s, ${cov:-cov: ?}, corpus $size files, no finding"
	else
		fail=1
		echo "not ok $n - fuzz_$name: exit $rc after ${runs:-?} inputs; input saved in $crashes/"
		grep -E 'ERROR|invariant|runtime error|Test unit written' "$log" | head -5 | sed 's/^/#   /'
	fi
done
echo "1..$n"
exit $fail
