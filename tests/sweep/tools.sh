# tools.sh — sourced by the robustness tests in tests/e2e/: builds (when stale)
# and locates the helper programs of `make fuzz-replay` in $BUILD: the sweep
# driver ($SWEEP) and the fuzz harness replayers ($REPLAY/fuzz_NAME).
# $BUILD/build-san means the sanitizer build (SANITIZE=1), as in the Makefile.
# shellcheck shell=bash
: "${BUILD:=build}"
if [ -z "${SANITIZE:-}" ]; then
	case "$(basename "$BUILD")" in build-san) SANITIZE=1 ;; *) SANITIZE=0 ;; esac
fi
# shellcheck disable=SC2034 # used by the scripts that source this file
SWEEP=$BUILD/sweep
# shellcheck disable=SC2034
REPLAY=$BUILD/fuzz-replay
# Sanitizer reports end a program with status 66, as under `make check SANITIZE=1`.
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=66:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-exitcode=66:print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0}
robust_build() {
	local log
	log=$(mktemp)
	if ! make -s --no-print-directory BUILD="$BUILD" SANITIZE="$SANITIZE" fuzz-replay >"$log" 2>&1; then
		echo "Bail out! cannot build the robustness helpers (make fuzz-replay):"
		sed 's/^/#   /' "$log" | tail -20
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
}
