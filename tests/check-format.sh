#!/bin/sh
# check-format.sh — every C file follows the repository's .clang-format.
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find analyzer report plots samples tests -name '*.[ch]')
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files
echo "ok - $(echo "$files" | wc -w) C files formatted"
