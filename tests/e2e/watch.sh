#!/usr/bin/env bash
# End-to-end: quire watch re-renders after real file writes — an
# in-place write to a partial, an editor-style save (write a temporary,
# rename it over the template), a change to the data — prints a broken
# edit's error at file:line:col and keeps the last good PDF, stamps DRAFT,
# and stops cleanly on SIGTERM. Works on copies in a temporary folder.
. "$(dirname "$0")/lib.sh"

case $BUILD in /*) BIN=$BUILD/quire ;; *) BIN=$PWD/$BUILD/quire ;; esac
Q="${QUIRE_WRAP:-} $BIN"
W=$TMP/w
mkdir -p $W
cp -r templates $W/templates
cp samples/cabinet-ofsted-working-group.json $W/paper.json
LOG=$TMP/watch.log

# wait_for DESCRIPTION COMMAND...: poll (max ~10 s) until the command succeeds
wait_for() {
    local what=$1; shift
    for _ in $(seq 1 100); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "    timed out waiting for: $what"
    return 1
}
pdf_has() { pdftotext "$W/out.pdf" - 2>/dev/null | grep -qF -- "$1"; }
log_has() { grep -qE -- "$1" $LOG; }
renders() { grep -c '^rendered \|^not rendered' $LOG; }
renders_ge() { [ "$(renders)" -ge "$1" ]; }

(cd $W && exec $Q watch paper.json -t templates/cabinet-report.md \
    -s templates/styles/council.json -o out.pdf) >$LOG 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT

wait_for "first render" log_has '^rendered out.pdf' && ok "watch renders once at start" \
    || not_ok "watch renders once at start" "$(cat $LOG)"
pdftotext $W/out.pdf $TMP/first.txt
contains "the first PDF has the paper" $TMP/first.txt "Ofsted Working Group"
contains "draft by default: the build time is stamped" $TMP/first.txt "Draft built "
# the diagonal DRAFT is rotated text (pdftotext drops diagonal text): count
# the rotated text matrices, one per page
diag() { qpdf --qdf --object-streams=disable "$1" - 2>/dev/null |
         grep -a -cE '^0\.[0-9]+ 0\.[0-9]+ -0\.[0-9]+ 0\.[0-9]+ [0-9.]+ [0-9.]+ Tm$'; }
pages=$(pdfinfo $W/out.pdf | sed -n 's/^Pages: *//p')
[ "$(diag $W/out.pdf)" = "$pages" ] && ok "draft by default: a diagonal mark on each of the $pages pages" \
    || not_ok "draft by default: a diagonal mark on every page" "rotated: $(diag $W/out.pdf), pages: $pages"
log_has 'watching [0-9]+ files' && ok "watch says how many files it watches" || not_ok "watch says how many files it watches" "$(cat $LOG)"

# an in-place write to a partial
echo "Watch marker one." >>$W/templates/partials/author.md
wait_for "the partial's new text" pdf_has "Watch marker one." && ok "a write to a partial re-renders" \
    || not_ok "a write to a partial re-renders" "$(tail -5 $LOG)"

# a broken edit: the error at file:line:col, the last good PDF kept
wait_for "render count settles" renders_ge 2
n=$(renders)
cp $W/out.pdf $TMP/good.pdf
echo "{{#never_closed}}" >>$W/templates/cabinet-report.md
wait_for "the error" log_has 'templates/cabinet-report\.md:[0-9]+:[0-9]+: error: ' \
    && ok "a broken edit prints the error at file:line:col" || not_ok "a broken edit prints the error" "$(tail -5 $LOG)"
wait_for "the failed render is reported" renders_ge $((n + 1))
log_has '^not rendered: out.pdf left as it was' && ok "the failure says the PDF was kept" \
    || not_ok "the failure says the PDF was kept" "$(tail -3 $LOG)"
cmp -s $TMP/good.pdf $W/out.pdf && ok "the last good PDF is left in place" || not_ok "the last good PDF is left in place"
ls $W | grep -q '\.tmp\.' && not_ok "no temporary file left" "$(ls $W)" || ok "no temporary file left"

# an editor-style save: write a temporary, rename it over the template
sed -e '$d' $W/templates/cabinet-report.md >$W/templates/.cabinet-report.md.swp
echo "Watch marker two." >>$W/templates/.cabinet-report.md.swp
mv $W/templates/.cabinet-report.md.swp $W/templates/cabinet-report.md
wait_for "the renamed template's text" pdf_has "Watch marker two." && ok "a save by rename re-renders (and fixes the error)" \
    || not_ok "a save by rename re-renders" "$(tail -5 $LOG)"

# the data file, and the partial still watched after the template was replaced
sed -i 's/"title": "Ofsted Working Group"/"title": "Ofsted Working Group Revised"/' $W/paper.json
wait_for "the new title" pdf_has "Ofsted Working Group Revised" && ok "a change to the data re-renders" \
    || not_ok "a change to the data re-renders" "$(tail -5 $LOG)"
echo "Watch marker three." >>$W/templates/partials/author.md
wait_for "the partial's third text" pdf_has "Watch marker three." && ok "partials still watched after a rename" \
    || not_ok "partials still watched after a rename" "$(tail -5 $LOG)"

# a file it does not use changes: no render
sleep 0.3
n=$(renders)
echo "unrelated" >$W/templates/unrelated.md
sleep 0.5
[ "$(renders)" = "$n" ] && ok "an unrelated file in a watched folder causes no render" \
    || not_ok "an unrelated file causes no render" "$(tail -3 $LOG)"

kill -TERM $PID
wait $PID
rc=$?
[ $rc = 0 ] && ok "SIGTERM stops watch cleanly (exit 0)" || not_ok "SIGTERM stops watch cleanly" "rc=$rc"
log_has 'watch: stopped' && ok "watch says it stopped" || not_ok "watch says it stopped" "$(tail -2 $LOG)"

# --no-draft, and QUIRE_WATCH_MAX_RENDERS ends the loop by itself
(cd $W && QUIRE_WATCH_MAX_RENDERS=1 exec $Q watch paper.json -t templates/cabinet-report.md \
    -o plain.pdf --no-draft) >$TMP/once.log 2>&1
rc=$?
[ $rc = 0 ] && ok "QUIRE_WATCH_MAX_RENDERS=1 renders once and exits 0" || not_ok "max renders exits 0" "rc=$rc $(cat $TMP/once.log)"
pdftotext $W/plain.pdf $TMP/plain.txt
lacks "--no-draft: no draft stamp" $TMP/plain.txt "Draft built"
[ "$(diag $W/plain.pdf)" = 0 ] && ok "--no-draft: no diagonal mark" || not_ok "--no-draft: no diagonal mark"
expect_exit "watch without -o is a usage error" 2 $Q watch paper.json -t templates/cabinet-report.md

finish
