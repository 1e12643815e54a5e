#!/usr/bin/env bash
# The test machinery fails when it should. Each check below plants the
# fault a helper or runner exists to catch — a missing file, no PDF, a skip
# without a reason, a second cmocka group, a lost spec file, an empty fuzz
# corpus, a golden file that would change — and expects a failure, in
# copies of the scripts set up in a scratch tree (nothing in the repository
# is touched).
. "$(dirname "$0")/lib.sh"
ROOT=$PWD
# the nested runs print "ok"/"not ok" lines of their own: indent every line
# shown, so the runner counts only this script's checks
shown() { sed 's/^/  | /' | head -${1:-10}; }
case $BUILD in /*) ABS_BUILD=$BUILD ;; *) ABS_BUILD=$ROOT/$BUILD ;; esac

# ---- lib.sh: lacks and skip -------------------------------------------------
out=$( (lacks "x" "$TMP/no-such-file" "anything") )
case $out in "not ok - x"*) ok "lacks fails on a missing file" ;;
    *) not_ok "lacks fails on a missing file" "got: $out" ;; esac
printf 'alpha\n' >"$TMP/present"
out=$( (lacks "x" "$TMP/present" "beta") )
[ "$out" = "ok - x" ] && ok "lacks passes when the file lacks the string" || not_ok "lacks passes when the file lacks the string" "got: $out"
out=$( (lacks "x" "$TMP/present" "alpha") )
case $out in "not ok - x"*) ok "lacks fails when the string is there" ;;
    *) not_ok "lacks fails when the string is there" "got: $out" ;; esac
out=$( (skip "x" "no tmpfs here") )
[ "$out" = "ok - x # SKIP no tmpfs here" ] && ok "skip prints a TAP skip with its reason" || not_ok "skip prints a TAP skip with its reason" "got: $out"
out=$( (skip "x") )
case $out in "not ok - x"*) ok "skip without a reason is a failure" ;;
    *) not_ok "skip without a reason is a failure" "got: $out" ;; esac

# ---- tests/run.sh: counting -------------------------------------------------
# fake binaries and scripts in a copy of the runner's tree
fake=$TMP/fake
mkdir -p "$fake/tests/e2e" "$fake/build/tests"
cp tests/run.sh "$fake/tests/run.sh"
cmocka_group() { # PASSED [lines...]: one cmocka group's output
    local p=$1; shift
    echo "[==========] Running $# test(s)."
    for l in "$@"; do echo "$l"; done
    echo "[==========] $# test(s) run."
    echo "[  PASSED  ] $p test(s)."
}
{
    echo '#!/bin/sh'
    echo 'cat <<EOF'
    cmocka_group 2 "[ RUN      ] a" "[       OK ] a" "[ RUN      ] b" "[       OK ] b"
    cmocka_group 3 "[ RUN      ] c" "[       OK ] c" "[ RUN      ] d" "[       OK ] d" "[ RUN      ] e" "[       OK ] e"
    echo 'EOF'
} >"$fake/build/tests/test_groups"
{
    echo '#!/bin/sh'
    echo 'cat <<EOF'
    cmocka_group 1 "[ RUN      ] a" "[       OK ] a" \
        "[ RUN      ] why" "SKIP: needs a tmpfs" "[  SKIPPED ] why" \
        "[ RUN      ] nowhy" "[  SKIPPED ] nowhy"
    echo "[  SKIPPED ] 2 test(s), listed below:"
    echo "[  SKIPPED ] why"
    echo "[  SKIPPED ] nowhy"
    echo 'EOF'
} >"$fake/build/tests/test_skips"
printf '#!/bin/sh\necho "[==========] Running 0 test(s)."\necho "[==========] 0 test(s) run."\necho "[  PASSED  ] 0 test(s)."\n' \
    >"$fake/build/tests/test_none"
cat >"$fake/build/tests/mustache_spec" <<'EOF'
#!/bin/sh
echo "  SKIP lambda one: lambdas cannot run in C"
echo "total: 3 passed, 0 failed, 2 skipped"
EOF
cat >"$fake/tests/e2e/fake.sh" <<'EOF'
echo "ok - a"
echo "ok - b # SKIP no tmpfs here"
echo "ok - c # SKIP"
echo "not ok - d"
exit 1
EOF
chmod +x "$fake/build/tests/"*
# test_groups 5 passed; test_skips 1 passed, 1 skipped, 1 failed (no
# reason); test_none 1 failed (no test ran); mustache 3 passed, 1 skipped,
# 1 failed (no reason); fake.sh 1 passed, 1 skipped, 2 failed
env -u QUIRE_WRAP BUILD=build bash "$fake/tests/run.sh" >"$TMP/run.out" 2>&1
rc=$?
last=$(tail -1 "$TMP/run.out")
[ "$last" = "10 passed, 5 failed, 3 skipped" ] && ok "run.sh counts every cmocka group, skips, reasonless skips and empty binaries" \
    || not_ok "run.sh counts every cmocka group, skips, reasonless skips and empty binaries" "want: 10 passed, 5 failed, 3 skipped" "got: $last" "$(shown 30 <"$TMP/run.out")"
[ $rc != 0 ] && ok "run.sh exits non-zero on a failure" || not_ok "run.sh exits non-zero on a failure"
grep -q '^test_groups: 5 passed, 0 failed, 0 skipped$' "$TMP/run.out" && ok "run.sh adds the last and earlier cmocka groups" \
    || not_ok "run.sh adds the last and earlier cmocka groups" "$(grep test_groups "$TMP/run.out" | shown)"
rm "$fake/build/tests/test_skips" "$fake/build/tests/test_none" "$fake/build/tests/mustache_spec" "$fake/tests/e2e/fake.sh"
env -u QUIRE_WRAP BUILD=build bash "$fake/tests/run.sh" >"$TMP/run.out" 2>&1
rc=$?
[ $rc = 0 ] && [ "$(tail -1 "$TMP/run.out")" = "5 passed, 0 failed, 0 skipped" ] && ok "run.sh passes a clean run: 5 passed, 0 failed, 0 skipped" \
    || not_ok "run.sh passes a clean run" "exit $rc" "$(tail -5 "$TMP/run.out" | shown)"

# ---- the Mustache runner: a spec file gone is a failure, not fewer tests --
if [ -x "$ABS_BUILD/tests/mustache_spec" ]; then
    mkdir -p "$TMP/mustache"
    cp tests/spec/mustache/*.json "$TMP/mustache/"
    rm "$TMP/mustache/sections.json"
    ${QUIRE_WRAP:-} "$ABS_BUILD/tests/mustache_spec" "$TMP/mustache" >"$TMP/mustache.out" 2>&1
    rc=$?
    [ $rc != 0 ] && grep -q '^sections.json: missing from' "$TMP/mustache.out" && ok "mustache_spec fails when a spec file is missing" \
        || not_ok "mustache_spec fails when a spec file is missing" "exit $rc" "$(tail -3 "$TMP/mustache.out" | shown)"
else
    not_ok "mustache_spec is built" "no $ABS_BUILD/tests/mustache_spec"
fi

# ---- corpus.sh without its corpus: no PDF is not "no warning" ---------------
lone=$TMP/lone
mkdir -p "$lone/tests/e2e"
cp tests/e2e/lib.sh tests/e2e/corpus.sh "$lone/tests/e2e/"
BUILD=$ABS_BUILD bash "$lone/tests/e2e/corpus.sh" >"$TMP/corpus.out" 2>&1
rc=$?
n=$(grep -c '^not ok - .*: poppler prints no warning$' "$TMP/corpus.out")
[ "$n" = 4 ] && ok "corpus: poppler check fails for each spec when no PDF was made" \
    || not_ok "corpus: poppler check fails for each spec when no PDF was made" "$(grep poppler "$TMP/corpus.out" | shown)"
[ $rc != 0 ] && ok "corpus.sh without its corpus exits non-zero" || not_ok "corpus.sh without its corpus exits non-zero"

# ---- fuzz replay: an empty or missing corpus fails --------------------------
replay=$ABS_BUILD/tests/test_fuzz_image
if [ -x "$replay" ]; then
    mkdir -p "$TMP/nocorpus" "$TMP/emptycorpus/tests/fuzz/seeds/image"
    (cd "$TMP/nocorpus" && ${QUIRE_WRAP:-} "$replay") >"$TMP/replay1.out" 2>&1
    rc=$?
    [ $rc != 0 ] && grep -q 'FAILED  \] 1 test' "$TMP/replay1.out" && ok "fuzz replay fails when its corpus folder is missing" \
        || not_ok "fuzz replay fails when its corpus folder is missing" "exit $rc" "$(tail -5 "$TMP/replay1.out" | shown)"
    (cd "$TMP/emptycorpus" && ${QUIRE_WRAP:-} "$replay") >"$TMP/replay2.out" 2>&1
    rc=$?
    [ $rc != 0 ] && grep -q 'holds no input' "$TMP/replay2.out" && ok "fuzz replay fails when its corpus folder is empty" \
        || not_ok "fuzz replay fails when its corpus folder is empty" "exit $rc" "$(tail -5 "$TMP/replay2.out" | shown)"
else
    not_ok "fuzz replay is built" "no $replay"
fi

# ---- bless: shows the diff, writes only with BLESS=1 ------------------------
bl=$TMP/bless
mkdir -p "$bl/tests/golden"
cp tests/bless.sh "$bl/tests/bless.sh"
printf '# Golden\n\nA paragraph.\n' >"$bl/tests/golden/g.md"
echo stale >"$bl/tests/golden/g.pages"
BUILD=$ABS_BUILD BLESS= bash "$bl/tests/bless.sh" </dev/null >"$TMP/bless1.out" 2>&1
rc=$?
[ $rc = 1 ] && ok "bless without BLESS=1 off a terminal exits 1" || not_ok "bless without BLESS=1 off a terminal exits 1" "exit $rc" "$(tail -5 "$TMP/bless1.out" | shown)"
grep -q '^-stale$' "$TMP/bless1.out" && grep -q '^+.*"Golden"' "$TMP/bless1.out" && ok "bless shows the diff of the golden file it would change" \
    || not_ok "bless shows the diff of the golden file it would change" "$(shown 10 <"$TMP/bless1.out")"
[ "$(cat "$bl/tests/golden/g.pages")" = stale ] && ok "bless without BLESS=1 writes nothing" || not_ok "bless without BLESS=1 writes nothing"
BUILD=$ABS_BUILD BLESS=1 bash "$bl/tests/bless.sh" </dev/null >"$TMP/bless2.out" 2>&1
rc=$?
$QUIRE render -t "$bl/tests/golden/g.md" --dump=pages >"$TMP/g.pages" 2>/dev/null
[ $rc = 0 ] && cmp -s "$bl/tests/golden/g.pages" "$TMP/g.pages" && ok "BLESS=1 writes the new display list" \
    || not_ok "BLESS=1 writes the new display list" "exit $rc" "$(tail -5 "$TMP/bless2.out" | shown)"
BUILD=$ABS_BUILD BLESS= bash "$bl/tests/bless.sh" </dev/null >"$TMP/bless3.out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'nothing to write' "$TMP/bless3.out" && ok "bless with nothing to change exits 0" \
    || not_ok "bless with nothing to change exits 0" "exit $rc" "$(tail -5 "$TMP/bless3.out" | shown)"
finish
