#!/bin/bash
# fuzz-regress.sh — replays every fuzz seed and every saved crash input through
# the libFuzzer harnesses' entry points, without libFuzzer: tests/fuzz/
# replay_main.c linked with each harness, built by the normal compiler ($BUILD:
# plain in `make check`, ASan + UBSan in `make check SANITIZE=1`).  Inputs:
# tests/fuzz/seeds/NAME, tests/fuzz/regress/NAME (inputs that once crashed or
# broke an invariant; see docs/robustness.md) and, for the capture harnesses,
# tests/data/hostile.  TAP output; exit 1 on failure.
set -u
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
. tests/sweep/tools.sh
robust_build
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
for name in capture analyze dissect tcp icmp csv attribution prefix state; do
	seed=$name; [ $name = analyze ] && seed=capture
	dirs=()
	for d in tests/fuzz/seeds/$seed tests/fuzz/regress/$name; do [ -d "$d" ] && dirs+=("$d"); done
	[ $seed = capture ] && dirs+=(tests/data/hostile)
	n=$(find "${dirs[@]}" -type f | wc -l)
	if timeout 600 "$REPLAY/fuzz_$name" "${dirs[@]}" >"$T/out" 2>&1; then
		ok "fuzz_$name: $n seed and regression inputs replayed ($(cat "$T/out"))"
	else
		not_ok "fuzz_$name: replay failed"
		grep -E 'invariant|ERROR|runtime error|SUMMARY' "$T/out" | head -5 | sed 's/^/#   /'
	fi
done
# every saved regression input must still be there for a harness that exists
for d in tests/fuzz/regress/*/; do
	[ -d "$d" ] || continue
	n=$(basename "$d")
	check "regress/$n belongs to a harness" test -e "tests/fuzz/fuzz_$n.c"
done
finish
