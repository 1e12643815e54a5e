#!/usr/bin/env bash
# The test plan's runner: every cmocka binary, the Mustache spec runner and
# every end-to-end script; prints one closing line
#     N passed, N failed, N skipped
# Usage: tests/run.sh [unit|e2e]   (default: both)
#
# A skip is counted as skipped, never as passed, and must say why; a skip
# without a reason counts as a failure:
#   cmocka   print_message("SKIP: reason\n"); skip();
#            (the "SKIP: " line between the test's RUN and SKIPPED lines)
#   Mustache "  SKIP name: reason", one per skipped test, from mustache_spec
#   e2e      "ok - name # SKIP reason" (tests/e2e/lib.sh: skip NAME REASON)
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
WRAP=${QUIRE_WRAP:-}
what=${1:-all}
passed=0; failed=0; skipped=0; failures=""
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
# unit tests keep Quire's cache out of the home directory too
export QUIRE_CACHE_DIR=${QUIRE_CACHE_DIR:-$log/.quire-cache}

# count_cmocka FILE: adds the counts of every group in a binary's output
# (one "[  PASSED  ] N test(s)." summary per group) and checks that each
# skipped test printed "SKIP: reason" while it ran. Sets c_p c_f c_s c_u
# (skips without a reason).
count_cmocka() {
    local out
    out=$(awk '
        /^\[==========\] Running /   { run = 1; next }
        /^\[==========\] [0-9]+ test\(s\) run\./ { run = 0; next }
        /^\[ RUN      \] /           { reason = ""; next }
        run && /^SKIP: *[^ ]/        { reason = $0; next }
        run && /^\[  SKIPPED \] /    { if (reason == "") { u++; print "skipped without a reason: " substr($0, 14) > "/dev/stderr" } next }
        !run && /^\[  PASSED  \] [0-9]+ test/         { p += $4 }
        !run && /^\[  FAILED  \] [0-9]+ test.*listed/ { f += $4 }
        !run && /^\[  SKIPPED \] [0-9]+ test.*listed/ { s += $4 }
        END { printf "%d %d %d %d\n", p, f, s, u }' "$1")
    read -r c_p c_f c_s c_u <<<"$out"
}

if [ "$what" = all ] || [ "$what" = unit ]; then
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] || continue
        n=$(basename "$t")
        if CMOCKA_MESSAGE_OUTPUT=stdout $WRAP "$t" >"$log/$n" 2>&1; then rc=0; else rc=$?; fi
        count_cmocka "$log/$n" 2>"$log/$n.noreason"
        # a skip without a reason is a failure, not a skip
        passed=$((passed + c_p)); failed=$((failed + c_f + c_u)); skipped=$((skipped + c_s - c_u))
        # a binary that ran no test at all tests nothing: a failure
        if [ $rc = 0 ] && [ $((c_p + c_f + c_s)) = 0 ]; then
            rc=1; echo "$n: ran no tests" >>"$log/$n"
        fi
        if [ $rc != 0 ] || [ "$c_u" != 0 ]; then
            failures="$failures $n"
            grep -E 'FAILED|ERROR|error|Assert|runtime error|Sanitizer' "$log/$n" | head -20
            sed 's/^/    /' "$log/$n.noreason"
            if [ $rc != 0 ] && ! grep -q 'FAILED  \]' "$log/$n"; then failed=$((failed + 1)); tail -20 "$log/$n"; fi
        fi
        echo "$n: $c_p passed, $c_f failed, $((c_s - c_u)) skipped$([ "$c_u" != 0 ] && echo ", $c_u skipped without a reason")"
    done
    if [ -x "$BUILD/tests/mustache_spec" ]; then
        if $WRAP "$BUILD/tests/mustache_spec" tests/spec/mustache >"$log/spec" 2>&1; then rc=0; else rc=$?; fi
        grep -v '^  SKIP ' "$log/spec"
        p=$(sed -n 's/^total: \([0-9]*\) passed.*/\1/p' "$log/spec")
        f=$(sed -n 's/^total: [0-9]* passed, \([0-9]*\) failed.*/\1/p' "$log/spec")
        s=$(sed -n 's/^total: [0-9]* passed, [0-9]* failed, \([0-9]*\) skipped.*/\1/p' "$log/spec")
        # every skipped spec test is listed with its reason
        why=$(grep -cE '^  SKIP [^:]+: *[^ ]' "$log/spec")
        s=${s:-0}; u=0
        [ "$why" -lt "$s" ] && { u=$((s - why)); echo "mustache_spec: $u skipped without a reason"; }
        passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + u)); skipped=$((skipped + s - u))
        [ "$s" -gt 0 ] && echo "mustache_spec: skipped: $(sed -n 's/^  SKIP [^:]*: *//p' "$log/spec" | sort | uniq -c | sed 's/^ *\([0-9]*\) /\1 × /' | paste -sd ';' -)"
        if [ $rc != 0 ] || [ $u != 0 ]; then failures="$failures mustache_spec"; [ -z "$f" ] && failed=$((failed + 1)); fi
    fi
fi

if [ "$what" = all ] || [ "$what" = e2e ]; then
    for t in tests/e2e/*.sh; do
        [ -e "$t" ] || continue
        [ "$(basename "$t")" = lib.sh ] && continue
        n=$(basename "$t" .sh)
        if BUILD="$BUILD" QUIRE_WRAP="$WRAP" bash "$t" >"$log/$n" 2>&1; then rc=0; else rc=$?; fi
        # TAP: "ok - name # SKIP reason" is a skip; "# SKIP" alone, a failure
        s=$(grep -ciE '^ok .*# SKIP[[:space:]]+[^[:space:]]' "$log/$n")
        u=$(grep -ciE '^ok .*# SKIP[[:space:]]*$' "$log/$n")
        p=$(($(grep -c '^ok ' "$log/$n") - s - u)); f=$(grep -c '^not ok ' "$log/$n")
        passed=$((passed + p)); failed=$((failed + f + u)); skipped=$((skipped + s))
        echo "e2e $n: $p passed, $f failed, $s skipped$([ "$u" != 0 ] && echo ", $u skipped without a reason")"
        grep -iE '^ok .*# SKIP' "$log/$n" | sed 's/^/    /'
        grep -A8 '^not ok ' "$log/$n" | head -60
        if [ $rc != 0 ] || [ "$u" != 0 ]; then
            failures="$failures e2e/$n"
            [ $rc != 0 ] && [ "$f" = 0 ] && { failed=$((failed + 1)); tail -20 "$log/$n"; }
        fi
    done
fi

[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ -z "$failures" ]
