#!/usr/bin/env bash
# End-to-end: quire watch --serve previews the HTML copy on 127.0.0.1 —
# the render at /, a `reload` event on /events soon after each render, the
# located error above the last good render when an edit breaks the
# template, 405 for other methods and 404 for other paths, listening on
# 127.0.0.1 only, and stopping within a second on SIGTERM with a stream
# open. All traffic goes to 127.0.0.1, every curl has a time limit, and
# every wait is bounded (20 ms steps, at most 10 s).
. "$(dirname "$0")/lib.sh"

Q="${QUIRE_WRAP:-} $BIN"
STOP_LIMIT_MS=1000
# an edit is on screen within 200 ms (50 ms of quiet, then a
# render of a few tens of ms); valgrind and the sanitizers run quire many
# times slower, so there the bound only says the event comes at all
EDIT_LIMIT_MS=200
[ -n "${QUIRE_WRAP:-}" ] && STOP_LIMIT_MS=5000 && EDIT_LIMIT_MS=5000
case $BUILD in *asan*) EDIT_LIMIT_MS=2000 ;; esac
if ! command -v curl >/dev/null; then skip "serve" "curl is not installed (scripts/deps.sh)"; exit 0; fi
W=$TMP/w
mkdir -p $W
cp -r templates $W/templates
cp samples/progress-harwood-action-plan.json $W/paper.json
LOG=$TMP/serve.log
EV=$TMP/events.log
PIDS=""
trap 'for p in $PIDS; do kill -KILL $p 2>/dev/null; done; rm -rf "$TMP"' EXIT

wait_for() {
    local what=$1; shift
    for _ in $(seq 1 500); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.02
    done
    echo "    timed out waiting for: $what"
    return 1
}
gone() { [ ! -e /proc/$1 ] || [ "$(sed 's/^.*) \(.\).*/\1/' /proc/$1/stat 2>/dev/null)" = Z ]; }
# each line of stdin, prefixed by the time it was read (seconds.micro)
stamp() { while IFS= read -r l; do echo "$EPOCHREALTIME $l"; done; }
log_has() { grep -qE -- "$1" $LOG; }
events() { grep -c 'event: reload' $EV; }
events_ge() { [ "$(events)" -ge "$1" ]; }
# milliseconds from one stamp to another
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 1000 }'; }
get() { curl -s --max-time 5 "$@"; }

# usage: --serve wants an HTML output, a real port, and --port wants --serve
expect_exit "--serve with a PDF output is a usage error" 2 \
    $BIN watch $W/paper.json -t $W/templates/progress-report.md -o $W/x.pdf --serve
expect_exit "--port out of range is a usage error" 2 \
    $BIN watch $W/paper.json -t $W/templates/progress-report.md -o $W/x.html --serve --port 70000
expect_exit "--port without --serve is a usage error" 2 \
    $BIN watch $W/paper.json -t $W/templates/progress-report.md -o $W/x.html --port 0

# --open with --serve opens the URL: a stand-in xdg-open notes what it got
mkdir -p $TMP/bin
printf '#!/bin/sh\necho "$1" >%s/opened\n' "$TMP" >$TMP/bin/xdg-open
chmod +x $TMP/bin/xdg-open
(cd $W && echo $BASHPID >$TMP/pid && PATH=$TMP/bin:$PATH exec $Q watch paper.json -t templates/progress-report.md \
    -o draft.html --serve --port 0 --open) 2>&1 | stamp >$LOG &
PIPE=$!
wait_for "the URL" log_has 'serving draft.html at http://127\.0\.0\.1:[0-9]+/'
URL=$(grep -oE 'http://127\.0\.0\.1:[0-9]+/' $LOG | head -1)
PORT=$(echo "$URL" | grep -oE '[0-9]+/$' | tr -d /)
PID=$(cat $TMP/pid)
PIDS="$PIDS $PID $PIPE"
[ -n "$URL" ] && ok "--port 0 picks a free port and prints the URL ($URL)" || not_ok "--port 0 prints the URL" "$(cat $LOG)"
wait_for "first render" log_has 'rendered draft.html'
wait_for "the opener" test -s $TMP/opened
[ "$(cat $TMP/opened 2>/dev/null)" = "$URL" ] && ok "--open opens the URL when serving" \
    || not_ok "--open opens the URL when serving" "opened: $(cat $TMP/opened 2>/dev/null)"

get -o $TMP/page.html "$URL"
contains "GET / has the paper" $TMP/page.html "Harwood"
grep -q "new EventSource('/events')" $TMP/page.html && ok "the served page has the reload script" \
    || not_ok "the served page has the reload script"
! grep -q EventSource $W/draft.html && ok "the written file has no script" \
    || not_ok "the written file has no script"
[ "$(get -o /dev/null -w '%{http_code}' -X POST -d x=1 "$URL")" = 405 ] && ok "POST / is 405" || not_ok "POST / is 405"
[ "$(get -o /dev/null -w '%{http_code}' -X DELETE "${URL}events")" = 405 ] && ok "DELETE /events is 405" || not_ok "DELETE /events is 405"
[ "$(get -o /dev/null -w '%{http_code}' "${URL}etc/passwd")" = 404 ] && ok "another path is 404" || not_ok "another path is 404"
[ "$(get -o /dev/null -w '%{http_code}' -I "$URL")" = 200 ] && ok "HEAD / is 200" || not_ok "HEAD / is 200"

# listening on 127.0.0.1 only: every listening socket of the process
if command -v ss >/dev/null; then
    socks=$(ss -Hltnp | grep "pid=$PID," | awk '{print $4}')
    [ "$socks" = "127.0.0.1:$PORT" ] && ok "listens on 127.0.0.1:$PORT only" \
        || not_ok "listens on 127.0.0.1 only" "sockets: $socks"
else
    skip "listens on 127.0.0.1 only" "ss is not installed"
fi
# a second server on the same port cannot bind: an output failure
expect_exit "a port in use is exit 3" 3 \
    timeout 5 $BIN watch $W/paper.json -t $W/templates/progress-report.md -o $W/y.html --serve --port $PORT

# the stream: a reload after an edit of the data
(curl -sN --max-time 20 "${URL}events" | stamp >$EV) &
STREAM=$!
PIDS="$PIDS $STREAM"
wait_for "the stream to open" grep -q ': quire watch' $EV
t_write=$EPOCHREALTIME
sed -i 's/"title": "\([^"]*\)"/"title": "\1 Served"/' $W/paper.json
if wait_for "a reload event" events_ge 1; then
    t_event=$(grep -m1 'event: reload' $EV | cut -d' ' -f1)
    t_render=$(grep 'rendered draft.html' $LOG | tail -1 | cut -d' ' -f1)
    write_ms=$(ms_between $t_write $t_event)
    render_ms=$(ms_between $t_render $t_event)
    echo "    latency: write to event ${write_ms} ms, render line to event ${render_ms} ms"
    [ "$write_ms" -lt "$EDIT_LIMIT_MS" ] && ok "event: reload within $EDIT_LIMIT_MS ms of the write (${write_ms} ms)" \
        || not_ok "event: reload within $EDIT_LIMIT_MS ms of the write" "${write_ms} ms"
    [ "$render_ms" -lt 200 ] && ok "event: reload within 200 ms of the render (${render_ms} ms)" \
        || not_ok "event: reload within 200 ms of the render" "${render_ms} ms"
else
    not_ok "event: reload after an edit" "$(cat $EV)" "$(tail -3 $LOG)"
fi
get -o $TMP/page2.html "$URL"
contains "GET / has the new render" $TMP/page2.html "Served"

# a broken template: the located error (escaped) above the last good render
echo '{{#<b>never_closed}}' >>$W/templates/progress-report.md
wait_for "the failure" log_has 'not rendered: draft.html'
wait_for "its event" events_ge 2
get -o $TMP/page3.html "$URL"
grep -qE 'templates/progress-report\.md:[0-9]+:[0-9]+: error' $TMP/page3.html \
    && ok "GET / shows the located error" || not_ok "GET / shows the located error" "$(grep -m3 error $TMP/page3.html)"
grep -q '&lt;b&gt;never_closed' $TMP/page3.html && ! grep -q '<b>never_closed' $TMP/page3.html \
    && ok "the error is escaped" || not_ok "the error is escaped" "$(grep -m3 never_closed $TMP/page3.html)"
contains "below it, the last good render" $TMP/page3.html "Served"

# at most 16 connections: with 16 streams open, a 17th is turned away
for i in $(seq 2 16); do
    curl -sN --max-time 20 "${URL}events" >$TMP/stream.$i 2>/dev/null &
    PIDS="$PIDS $!"
done
opened() { [ "$(cat $TMP/stream.* 2>/dev/null | grep -c ': quire watch')" -ge 15 ]; }
wait_for "15 more streams" opened
code=$(get -o /dev/null -w '%{http_code}' "$URL")
[ "$code" != 200 ] && ok "a 17th connection is refused (HTTP $code)" \
    || not_ok "a 17th connection is refused" "it was answered"

# SIGTERM with 16 streams open: ends within a second, and so do the streams
t0=$(date +%s%N)
kill -TERM "$PID"
wait_for "watch to end" gone "$PID" || kill -KILL "$PID" 2>/dev/null
stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$stop_ms" -le "$STOP_LIMIT_MS" ] && ok "SIGTERM ends watch --serve (${stop_ms} ms)" \
    || not_ok "SIGTERM ends watch --serve within ${STOP_LIMIT_MS} ms" "${stop_ms} ms"
wait_for "the stream to end" gone $STREAM \
    && ok "the open stream ends with the server" || not_ok "the open stream ends with the server"
wait $PIPE
log_has 'quire: watch: stopped' && ok "watch says it stopped" || not_ok "watch says it stopped" "$(tail -3 $LOG)"

# libmicrohttpd (and the GnuTLS it brings) is opened when a server starts,
# not linked: every other run of quire would load it for nothing
needed=$(objdump -p "$BUILD/quire" | awk '$1 == "NEEDED" { print $2 }')
if printf '%s\n' "$needed" | grep -q 'libmicrohttpd\|libgnutls'; then
    not_ok "quire does not link libmicrohttpd (opened on first use)" "$needed"
else
    ok "quire does not link libmicrohttpd (opened on first use)"
fi

exit $((FAILS > 0))
