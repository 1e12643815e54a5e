#!/usr/bin/env bash
# End-to-end: quire watch re-renders after real file writes — an in-place
# write to a partial, an editor-style save (write a temporary, rename it over
# the template), a change to the data, the whole template folder replaced —
# prints a broken edit's error at file:line:col and keeps the last good PDF,
# refuses inputs that are not regular files without hanging, stamps DRAFT,
# and stops within a second on SIGINT, SIGTERM and SIGHUP even while a render
# is blocked on a FIFO. Works on copies in a temporary folder.
#
# Every wait is for an observable event (a log line, the PDF's text, a
# process gone), polled in 20 ms steps for at most 10 s: fast when the
# watcher is quick, and not flaky when the machine is busy.
. "$(dirname "$0")/lib.sh"

Q="${QUIRE_WRAP:-} $BIN"
# how soon a signal must end watch; valgrind slows everything down
STOP_LIMIT_MS=1000
[ -n "${QUIRE_WRAP:-}" ] && STOP_LIMIT_MS=5000
W=$TMP/w
mkdir -p $W
cp -r templates $W/templates
cp samples/cabinet-ofsted-working-group.json $W/paper.json
LOG=$TMP/watch.log
PIDS=""
trap 'for p in $PIDS; do kill -KILL $p 2>/dev/null; done; rm -rf "$TMP"' EXIT

# wait_for DESCRIPTION COMMAND...: poll (20 ms steps, at most 10 s) until
# the command succeeds
wait_for() {
    local what=$1; shift
    for _ in $(seq 1 500); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.02
    done
    echo "    timed out waiting for: $what"
    return 1
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# a process has ended (gone, or a zombie waiting for its parent's wait)
gone() { [ ! -e /proc/$1 ] || [ "$(sed 's/^.*) \(.\).*/\1/' /proc/$1/stat 2>/dev/null)" = Z ]; }
# stop_and_time PID SIGNAL: send the signal and wait (at most 10 s, then
# SIGKILL) for the process to end; sets STOP_MS and STOP_RC
stop_and_time() {
    local t0
    t0=$(now_ms)
    kill -"$2" "$1"
    if ! wait_for "watch to end after SIG$2" gone "$1"; then kill -KILL "$1" 2>/dev/null; fi
    STOP_MS=$(( $(now_ms) - t0 ))
    wait "$1"
    STOP_RC=$?
}
# one line: a marker appended to a paragraph may wrap anywhere
pdf_has() { pdftotext "$W/out.pdf" - 2>/dev/null | tr -s '\n ' '  ' | grep -qF -- "$1"; }
log_has() { grep -qE -- "$1" $LOG; }
renders() { grep -c '^rendered \|^not rendered' $LOG; }
renders_ge() { [ "$(renders)" -ge "$1" ]; }
no_tmp() { ! ls -a "$1" | grep -q '\.tmp\.'; }

(cd $W && exec $Q watch paper.json -t templates/cabinet-report.md \
    -s templates/styles/council.json -o out.pdf) >$LOG 2>&1 &
PID=$!
PIDS="$PIDS $PID"

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
no_tmp $W && ok "no temporary file left" || not_ok "no temporary file left" "$(ls -a $W)"

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
n=$(renders)
echo "Watch marker three." >>$W/templates/partials/author.md
wait_for "the partial's third text" pdf_has "Watch marker three." && ok "partials still watched after a rename" \
    || not_ok "partials still watched after a rename" "$(tail -5 $LOG)"

# a file it does not use changes, then one it uses: the render that follows
# names only the file it uses (each render line says what changed). The
# PDF is in place just before its render line is printed: wait for both.
wait_for "the third text's render line" renders_ge $((n + 1))
mark=$(wc -l <$LOG)
new_lines() { tail -n +$((mark + 1)) $LOG; }
new_render() { new_lines | grep -q '^rendered '; }
echo "unrelated" >$W/templates/unrelated.md
echo "Watch marker four." >>$W/templates/partials/author.md
wait_for "the render after the fourth text" new_render
if new_lines | grep -q unrelated; then
    not_ok "an unrelated file in a watched folder causes no render" "$(new_lines)"
elif new_lines | grep -q '^rendered .* after a change to templates/partials/author\.md;'; then
    ok "an unrelated file in a watched folder causes no render"
else
    not_ok "an unrelated file in a watched folder causes no render" "$(new_lines)"
fi

# the whole template folder replaced, as a checkout or an editor's
# rename-on-save of a directory does: watch re-arms, says so once, and
# picks up an edit in the new folder
mv $W/templates $W/templates.old
mkdir $W/templates
cp -r $W/templates.old/. $W/templates/
wait_for "the re-arm line" log_has '^quire: watch: .*templates.* replaced; watching again' \
    && ok "a replaced folder is watched again, and watch says so" \
    || not_ok "a replaced folder is watched again, and watch says so" "$(tail -5 $LOG)"
# the re-arm line is printed as the render of the new folder starts
mark=$(grep -n 'replaced; watching again' $LOG | tail -1 | cut -d: -f1)
wait_for "the new folder's first render line" new_render
[ "$(grep -c 'replaced; watching again' $LOG)" = 1 ] && ok "one line for the replaced folders" \
    || not_ok "one line for the replaced folders" "$(grep 'replaced' $LOG)"
mark=$(wc -l <$LOG)
echo "Watch marker five." >>$W/templates/partials/author.md
wait_for "the new folder's partial text" pdf_has "Watch marker five." \
    && ok "an edit in the replaced folder re-renders" || not_ok "an edit in the replaced folder re-renders" "$(tail -5 $LOG)"
wait_for "the fifth text's render line" new_render
mark=$(wc -l <$LOG)
echo "Watch marker stale." >>$W/templates.old/partials/author.md
echo "Watch marker six." >>$W/templates/cabinet-report.md
wait_for "the new template's text" pdf_has "Watch marker six." \
    && ok "the template in the replaced folder is watched" || not_ok "the template in the replaced folder is watched" "$(tail -5 $LOG)"
wait_for "the render line" new_render
# an edit in the old folder would show as a change to the partial
if new_lines | grep -q '^rendered .* after a change to templates/cabinet-report\.md;'; then
    ok "the old folder is no longer watched"
else
    not_ok "the old folder is no longer watched" "$(new_lines)"
fi

# a partial that is a FIFO nobody writes: a render would wait for ever;
# the reader refuses it at once, at the template line that includes it, and
# watch keeps watching it for a fix
n=$(renders)
mkfifo $W/templates/partials/pipe.md
echo "{{>partials/pipe}}" >>$W/templates/cabinet-report.md
wait_for "the FIFO error" log_has 'error: .*templates/partials/pipe\.md.*FIFO' \
    && ok "a FIFO partial is refused with an error naming it" || not_ok "a FIFO partial is refused" "$(tail -5 $LOG)"
wait_for "the failed render is reported" renders_ge $((n + 1))
tail -1 $LOG | grep -q '^not rendered: out.pdf left as it was' && ok "the FIFO render is reported as not rendered" \
    || not_ok "the FIFO render is reported as not rendered" "$(tail -3 $LOG)"
rm $W/templates/partials/pipe.md
echo "Watch marker seven." >$W/templates/partials/pipe.md
wait_for "the fixed partial's text" pdf_has "Watch marker seven." \
    && ok "watch keeps watching and renders once the FIFO is replaced" || not_ok "watch renders once the FIFO is replaced" "$(tail -5 $LOG)"
no_tmp $W && ok "no temporary file left after the stopped render" || not_ok "no temporary file left after the stopped render" "$(ls -a $W)"

stop_and_time $PID TERM
[ $STOP_RC = 0 ] && ok "SIGTERM stops watch cleanly (exit 0)" || not_ok "SIGTERM stops watch cleanly" "rc=$STOP_RC"
log_has 'watch: stopped' && ok "watch says it stopped" || not_ok "watch says it stopped" "$(tail -2 $LOG)"

# SIGINT (Ctrl-C) and SIGTERM while a render is running (a paper of some
# 1,500 pages, so the render is still under way when the signal comes):
# watch ends at once, kills the render and leaves no temporary file
python3 -c "
print('# A long paper\n')
for i in range(30000):
    print('Paragraph %d with enough words to fill a line or two of a long paper.\n' % i)
" >$TMP/long.md
blocked_stop() { # SIGNAL
    local B=$TMP/running-$1 L=$TMP/running-$1.log
    mkdir -p $B
    cp $TMP/long.md $B/long.md
    (cd $B && exec $Q watch -t long.md -o out.pdf) >$L 2>&1 &
    local wpid=$!
    PIDS="$PIDS $wpid"
    wait_for "a render to be running" pgrep -P $wpid
    stop_and_time $wpid $1
    [ $STOP_MS -le $STOP_LIMIT_MS ] && [ $STOP_RC = 0 ] \
        && ok "SIG$1 ends watch in $STOP_MS ms (limit $STOP_LIMIT_MS), exit 0, while a render runs" \
        || not_ok "SIG$1 ends watch within $STOP_LIMIT_MS ms while a render runs" \
                  "took $STOP_MS ms, rc=$STOP_RC" "$(tail -3 $L)"
    grep -q 'watch: stopped' $L && ok "SIG$1: watch says it stopped" || not_ok "SIG$1: watch says it stopped" "$(tail -3 $L)"
    no_tmp $B && ok "SIG$1: no temporary file left" || not_ok "SIG$1: no temporary file left" "$(ls -a $B)"
    wait_for "no render left behind" eval "! pgrep -f 'watch -t long.md' >/dev/null" \
        && ok "SIG$1: no render left behind" || not_ok "SIG$1: no render left behind" "$(pgrep -af 'watch -t long.md')"
}
blocked_stop INT
blocked_stop TERM

# data that is a symlink to /dev/zero: refused at once with an error naming
# it, watch keeps running, and a fix is picked up; SIGHUP ends it
Z=$TMP/zero
ZLOG=$TMP/zero.log
mkdir -p $Z
cp -r templates $Z/templates
ln -s /dev/zero $Z/paper.json
(cd $Z && exec $Q watch paper.json -t templates/cabinet-report.md -o out.pdf) >$ZLOG 2>&1 &
ZPID=$!
PIDS="$PIDS $ZPID"
wait_for "the /dev/zero error" grep -qE '^paper\.json: error: .*not a regular file' $ZLOG \
    && ok "data that is a symlink to /dev/zero is refused, naming the file" \
    || not_ok "data that is a symlink to /dev/zero is refused" "$(tail -5 $ZLOG)"
grep -q '/dev/zero' $ZLOG && ok "the error names the symlink's target" || not_ok "the error names the symlink's target" "$(tail -3 $ZLOG)"
wait_for "the failed render is reported" grep -q '^not rendered: out.pdf' $ZLOG \
    && ok "the /dev/zero render is reported as not rendered" || not_ok "the /dev/zero render is reported" "$(tail -3 $ZLOG)"
gone $ZPID && not_ok "watch keeps running after refusing /dev/zero" "$(tail -3 $ZLOG)" \
    || ok "watch keeps running after refusing /dev/zero"
rm $Z/paper.json
cp samples/cabinet-ofsted-working-group.json $Z/paper.json
wait_for "the fixed data's render" grep -q '^rendered out.pdf' $ZLOG \
    && ok "replacing the symlink with real data renders" || not_ok "replacing the symlink with real data renders" "$(tail -5 $ZLOG)"
stop_and_time $ZPID HUP
[ $STOP_MS -le $STOP_LIMIT_MS ] && [ $STOP_RC = 0 ] && ok "SIGHUP ends watch in $STOP_MS ms, exit 0" \
    || not_ok "SIGHUP ends watch within $STOP_LIMIT_MS ms, exit 0" "took $STOP_MS ms, rc=$STOP_RC" "$(tail -3 $ZLOG)"

# a template folder that does not exist yet, with the data kept elsewhere
# (so no watched folder holds it): creating it is noticed
M=$TMP/missing
MLOG=$TMP/missing.log
mkdir -p $M/run
cp samples/cabinet-ofsted-working-group.json $M/data.json
(cd $M/run && exec $Q watch ../data.json -t drafts/cabinet-report.md -o out.pdf) >$MLOG 2>&1 &
MPID=$!
PIDS="$PIDS $MPID"
wait_for "the first render's failure" grep -q '^not rendered' $MLOG
cp -r templates $M/run/drafts
wait_for "the render once the folder exists" grep -q '^rendered out.pdf' $MLOG \
    && ok "a template folder created after watch started is picked up" \
    || not_ok "a template folder created after watch started is picked up" "$(tail -5 $MLOG)"
stop_and_time $MPID TERM

# a directory given as the data file: refused, no hang
mkdir $TMP/dir.json
(cd $W && QUIRE_WATCH_MAX_RENDERS=1 exec timeout -k 1 10 $Q watch $TMP/dir.json -t templates/cabinet-report.md \
    -o dir.pdf) >$TMP/dir.log 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'dir\.json: error: .*directory' $TMP/dir.log \
    && ok "a directory as the data file is refused (exit 1)" || not_ok "a directory as the data file is refused" "rc=$rc $(cat $TMP/dir.log)"

# a template that is a FIFO: refused without being opened (opening it
# would wait for a writer)
mkfifo $TMP/fifo.md
(cd $W && QUIRE_WATCH_MAX_RENDERS=1 exec timeout -k 1 10 $Q watch paper.json -t $TMP/fifo.md \
    -o fifo.pdf) >$TMP/fifo.log 2>&1
rc=$?
[ $rc = 1 ] && grep -q 'fifo\.md: error: a FIFO, not a regular file' $TMP/fifo.log \
    && ok "a FIFO as the template is refused at once (exit 1)" || not_ok "a FIFO as the template is refused" "rc=$rc $(cat $TMP/fifo.log)"

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
