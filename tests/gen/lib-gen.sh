# shellcheck shell=bash
# lib-gen.sh — shared set-up of the generator tests (sourced after tests/e2e/lib.sh).
# GEN is the generator (default $BUILD/samples/mpcap-gen); T a temporary directory removed on exit.
: "${BUILD:=build}"
: "${GEN:=$BUILD/samples/mpcap-gen}"
if [ ! -x "$GEN" ]; then
	echo "Bail out! $GEN not built (make $GEN, or set GEN=...)"
	exit 1
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
