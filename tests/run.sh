#!/usr/bin/env bash
# The test plan's runner: every cmocka binary, the Mustache spec runner and
# every end-to-end script; prints one closing line "N passed, N failed".
# Usage: tests/run.sh [unit|e2e]   (default: both)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
WRAP=${QUIRE_WRAP:-}
what=${1:-all}
passed=0; failed=0; failures=""
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
# unit tests keep Quire's cache out of the home directory too
export QUIRE_CACHE_DIR=${QUIRE_CACHE_DIR:-$log/.quire-cache}

count_cmocka() { # file name
    local p f
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}

if [ "$what" = all ] || [ "$what" = unit ]; then
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        n=$(basename "$t")
        if CMOCKA_MESSAGE_OUTPUT=stdout $WRAP "$t" >"$log/$n" 2>&1; then rc=0; else rc=$?; fi
        count_cmocka "$log/$n"
        if [ $rc != 0 ]; then
            failures="$failures $n"
            grep -E 'FAILED|ERROR|error|Assert|runtime error|Sanitizer' "$log/$n" | head -20
            if ! grep -q 'FAILED  \]' "$log/$n"; then failed=$((failed + 1)); tail -20 "$log/$n"; fi
        fi
        sed -n 's/^\[  PASSED  \] \(.*\)/'"$n"': \1 passed/p' "$log/$n"
    done
    if [ -x "$BUILD/tests/mustache_spec" ]; then
        if $WRAP "$BUILD/tests/mustache_spec" tests/spec/mustache >"$log/spec" 2>&1; then rc=0; else rc=$?; fi
        cat "$log/spec"
        p=$(sed -n 's/^total: \([0-9]*\) passed.*/\1/p' "$log/spec")
        f=$(sed -n 's/^total: [0-9]* passed, \([0-9]*\) failed.*/\1/p' "$log/spec")
        passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
        if [ $rc != 0 ]; then failures="$failures mustache_spec"; [ -z "$f" ] && failed=$((failed + 1)); fi
    fi
fi

if [ "$what" = all ] || [ "$what" = e2e ]; then
    for t in tests/e2e/*.sh; do
        [ "$(basename "$t")" = lib.sh ] && continue
        n=$(basename "$t" .sh)
        if BUILD="$BUILD" QUIRE_WRAP="$WRAP" bash "$t" >"$log/$n" 2>&1; then rc=0; else rc=$?; fi
        p=$(grep -c '^ok ' "$log/$n"); f=$(grep -c '^not ok ' "$log/$n")
        passed=$((passed + p)); failed=$((failed + f))
        echo "e2e $n: $p passed, $f failed"
        grep -A8 '^not ok ' "$log/$n" | head -60
        if [ $rc != 0 ]; then
            failures="$failures e2e/$n"
            [ "$f" = 0 ] && { failed=$((failed + 1)); tail -20 "$log/$n"; }
        fi
    done
fi

[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ -z "$failures" ]
