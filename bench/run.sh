#!/usr/bin/env bash
# bench/run.sh — `make bench`: times the whole quire process on the benchmark
# report, the x10 pack (and ReportLab beside Quire on both; their HTML
# copies too, which have no peer), every sample
# paper and meeting pack, the time a 100-page PDF appendix (untagged, and
# tagged with its structure tree kept) adds to a pack,
# a 100-paper build, template expansion from 1 KB
# to 10 MB and the pathological inputs (tests/pathological/). Prints tables;
# writes bench/results.json with the CPU model, the date and the commit.
#
# Every figure is the median wall time of several runs of the whole process
# (fork to exit, measured by bench/bench.c), with the process's peak RSS.
# Environment: BUILD (build), BENCH_RUNS (7), BENCH_BIG_RUNS (3, for the
# 100-paper build and the largest inputs), BENCH_REPORT
# (tests/data/bench/report.md), BENCH_RESULTS (bench/results.json),
# BENCH_QUICK=1 (skip the 10 MB template and the doubled pathological
# inputs), BENCH_PEER_RUNS (10 runs of each program beside ReportLab; 0
# skips it), BENCH_APPX_RUNS (15 alternate runs of the pack with and
# without the appendix), BENCH_PYTHON (/usr/bin/python3), BENCH_CALLGRIND=1
# (also count instructions of report.md and the x10 pack under callgrind: a
# figure that does not move with the load on a shared machine).
set -u
cd "$(dirname "$0")/.."
. scripts/samples.sh
BUILD=${BUILD:-build}
Q=$BUILD/quire
B=$BUILD/bench/bench
W=$BUILD/bench
RUNS=${BENCH_RUNS:-7}
BIG=${BENCH_BIG_RUNS:-3}
REPORT=${BENCH_REPORT:-tests/data/bench/report.md}
RESULTS=${BENCH_RESULTS:-bench/results.json}
QUICK=${BENCH_QUICK:-0}
LIMIT=120                                   # seconds per execution
SAMPLE=samples/cabinet-ofsted-working-group.json

# Performance targets (whole process, a 2-core machine): the project's. The
# ReportLab ratios are of this run's own medians, Quire and ReportLab timed
# alternately; the cold path is the report with the cache directory
# removed (a user's first run: the hyphenation image make ships beside
# build/quire is read) over the report with it warm.
T_REPORT_MS=20; T_PACK_MS=100; T_RSS_MB=30; T_BUILD_MS=500
T_PEER_REPORT=20; T_PEER_PACK=12; T_COLD=1.5

mkdir -p "$W/out" "$W/gen" "$W/papers"
# Quire's cache (compiled hyphenation dictionary, font resolution) in the
# bench's own directory: warmed by one render before timing, as on any
# machine after its first paper; "cache off" below times a run with
# nothing compiled ahead (QUIRE_NO_CACHE=1 reads no shipped image either).
case "$W" in /*) QUIRE_CACHE_DIR="$W/cache" ;; *) QUIRE_CACHE_DIR="$PWD/$W/cache" ;; esac
export QUIRE_CACHE_DIR
rm -rf "$QUIRE_CACHE_DIR"
log=$W/bench.log
: >"$log"
json=()                                     # one object per measurement

has_cmd() { "$Q" --help 2>/dev/null | grep -qE "^  $1 "; }
field() { # json key -> value
    sed -n "s/.*\"$2\": \([0-9.]*\).*/\1/p" <<<"$1"
}
pages_of() { pdfinfo "$1" 2>/dev/null | sed -n 's/^Pages: *//p'; }
bytes_of() { stat -c %s "$1" 2>/dev/null || echo 0; }

# measure GROUP NAME PDFS RUNS BENCH-ARGS... -- CMD...
# PDFS: the outputs to count pages and bytes in ("" when none); a glob.
measure() {
    local group=$1 name=$2 pdfs=$3 runs=$4
    shift 4
    local out
    out=$("$B" -n "$runs" -t "$LIMIT" "$@" 2>>"$log") || out=""
    if [ -z "$out" ]; then
        echo "  $name: bench driver failed (see $log)"
        return
    fi
    local ms rss ex pages=0 bytes=0 f p
    ms=$(field "$out" median_ms); rss=$(field "$out" peak_rss_kb)
    ex=$(field "$out" exit)
    if [ -n "$pdfs" ]; then
        for f in $pdfs; do
            [ -f "$f" ] || continue
            p=$(pages_of "$f"); pages=$((pages + ${p:-0}))
            bytes=$((bytes + $(bytes_of "$f")))
        done
    fi
    local pps
    pps=$(awk -v p="$pages" -v m="$ms" 'BEGIN { printf "%.0f", (m > 0 ? p / (m / 1000) : 0) }')
    printf '  %-44s %9.1f %7.1f %6d %10d %8s%s\n' "$name" "$ms" \
        "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" "$pages" "$bytes" \
        "$pps" "$([ "$ex" = 0 ] || echo "   exit $ex")"
    json+=("{\"group\": \"$group\", \"name\": \"$name\", \"pages\": $pages, \"bytes\": $bytes, \"pages_per_s\": $pps, ${out#\{}")
    last=$out
}

header() {
    echo
    echo "$1"
    printf '  %-44s %9s %7s %6s %10s %8s\n' "" "ms" "RSS MB" "pages" "bytes" "pages/s"
}

verdict() { # label value op target unit
    local ok
    ok=$(awk -v v="$2" -v t="$4" -v op="$3" 'BEGIN { print ((op == "<=" ? v <= t : v >= t) ? "met" : "MISSED") }')
    printf '  %-44s %9.2f %-3s %s %s  %s\n' "$1" "$2" "$3" "$4" "$5" "$ok"
}

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ "$commit" = unknown ] || git diff --quiet HEAD 2>/dev/null || commit="$commit-dirty"
when=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# The load other jobs put on the machine as the bench starts (1, 5 and 15
# minutes): a busy machine inflates every wall time here.
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
echo "quire benchmark: $(nproc) CPUs ($cpu_model), commit $commit, $when"
echo "load average $load; median of $RUNS runs (whole process)"
[ -x "$Q" ] || { echo "bench: $Q not built" >&2; exit 1; }

# ---- the benchmark report and the x10 pack -------------------------------
header "Benchmark documents (tests/data/bench, plain Markdown, no data)"
report_ms=""; pack_ms=""; report_rss=""; pack_rss=""; cold_ms=""; cold_warm_ms=""; build_rss=""
stages=""
if [ -f "$REPORT" ]; then
    cp "$REPORT" "$W/report.md"
    for i in $(seq 10); do cat "$REPORT"; echo; done >"$W/report-x10.md"
    "$Q" render -t "$W/report.md" -o "$W/out/report.pdf" 2>>"$log"   # warms the cache
    measure docs report.md "$W/out/report.pdf" "$RUNS" -T -- \
        "$Q" render -t "$W/report.md" -o "$W/out/report.pdf"
    report_ms=$(field "$last" median_ms); report_rss=$(field "$last" peak_rss_kb)
    stages=$(sed -n 's/.*"stages_ms": {\([^}]*\)}.*/\1/p' <<<"$last")
    measure docs report-x10.md "$W/out/report-x10.pdf" "$RUNS" -- \
        "$Q" render -t "$W/report-x10.md" -o "$W/out/report-x10.pdf"
    pack_ms=$(field "$last" median_ms); pack_rss=$(field "$last" peak_rss_kb)
    measure docs "report.md, cache off (QUIRE_NO_CACHE=1)" "$W/out/report-nc.pdf" "$RUNS" -- \
        env QUIRE_NO_CACHE=1 "$Q" render -t "$W/report.md" -o "$W/out/report-nc.pdf"
    # The HTML copy of each (render -o X.html: the same Markdown as an
    # accessible page, no type set), timed the same way. ReportLab makes
    # no HTML: these have no peer and no target, the PDF's times beside.
    "$Q" render -t "$W/report.md" -o "$W/out/report.html" 2>>"$log"
    measure docs "report.md, HTML copy" "$W/out/report.html" "$RUNS" -- \
        "$Q" render -t "$W/report.md" -o "$W/out/report.html"
    measure docs "report-x10.md, HTML copy" "$W/out/report-x10.html" "$RUNS" -- \
        "$Q" render -t "$W/report-x10.md" -o "$W/out/report-x10.html"
else
    echo "  (no $REPORT: skipped)"
fi

# ---- Quire beside ReportLab ---------------------------------------------------
# The same Markdown typeset by ReportLab's Platypus (bench/reportlab_report.py:
# same page, margins, fonts and sizes; page numbers in the footer). The two
# programs run alternately, first one then the other leading, so that a
# change in the machine's load falls on both; the ratios are of the medians
# from this one run, of wall time and of CPU time.
# a ratio to three places: the verdicts compare it with the targets as it
# is (rounded to one place, 1.54 passed for "within 1.5x")
peer_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
median_of() { sort -n | awk '{ v[NR] = $1 }
    END { if (NR) printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
qpdf_check() { # PDF -> ok, warnings or errors (qpdf exits 0, 3 or 2)
    qpdf --check "$1" >>"$log" 2>&1
    case $? in 0) echo ok ;; 3) echo warnings ;; *) echo errors ;; esac
}
# The text a PDF holds, as non-space characters, less soft hyphens (Quire's
# hyphenation) and the status squares: the same count from both programs
# says they set the same content.
chars_of() {
    pdftotext "$1" - 2>/dev/null | sed 's/\xc2\xad//g; s/\xe2\x96\xa0//g' |
        tr -d ' \t\n\f' | wc -m
}
near() { # A B PERCENT: A and B both positive and within PERCENT of each other
    awk -v a="${1:-0}" -v b="${2:-0}" -v p="$3" \
        'BEGIN { exit !(a > 0 && b > 0 && (a > b ? a / b : b / a) <= 1 + p / 100) }'
}
list() { local IFS=,; echo "$*"; }          # ARGS -> a,b,c
once() { # CMD... -> "WALL_MS CPU_MS RSS_KB" of one run, or nothing when it failed
    local out
    out=$("$B" -n 1 -w 0 -t "$LIMIT" -- "$@" 2>>"$log") || return
    [ "$(field "$out" exit)" = 0 ] || return
    echo "$(field "$out" median_ms) $(field "$out" median_cpu_ms) $(field "$out" peak_rss_kb)"
}
peer_compare() { # DOC (in $W)
    local doc=$1 base=${1%.md} qt=() qc=() rt=() rc=() qrss=0 rrss=0 i a b ms cpu rss
    local qout=$W/out/$base.pdf rout=$W/out/$base-reportlab.pdf
    local qcmd=("$Q" render -t "$W/$doc" -o "$qout")
    local rcmd=("$PY" bench/reportlab_report.py "$W/$doc" "$rout" "${RL_FONTS[@]}")
    once "${rcmd[@]}" >/dev/null                # warms the page cache
    for i in $(seq "$PEER_RUNS"); do
        if [ $((i % 2)) = 1 ]; then a=$(once "${qcmd[@]}"); b=$(once "${rcmd[@]}")
        else b=$(once "${rcmd[@]}"); a=$(once "${qcmd[@]}"); fi
        if [ -z "$a" ] || [ -z "$b" ]; then
            echo "  $doc: a run failed (see $log)"
            return
        fi
        read -r ms cpu rss <<<"$a"; qt+=("$ms"); qc+=("$cpu")
        [ "$rss" -gt "$qrss" ] && qrss=$rss
        read -r ms cpu rss <<<"$b"; rt+=("$ms"); rc+=("$cpu")
        [ "$rss" -gt "$rrss" ] && rrss=$rss
    done
    local qm qcm rm rcm qp rp qx rx check ratio cratio
    qm=$(printf '%s\n' "${qt[@]}" | median_of); qcm=$(printf '%s\n' "${qc[@]}" | median_of)
    rm=$(printf '%s\n' "${rt[@]}" | median_of); rcm=$(printf '%s\n' "${rc[@]}" | median_of)
    ratio=$(peer_ratio "$rm" "$qm"); cratio=$(peer_ratio "$rcm" "$qcm")
    qp=$(pages_of "$qout"); rp=$(pages_of "$rout")
    qx=$(chars_of "$qout"); rx=$(chars_of "$rout")
    check="Quire $(qpdf_check "$qout"), ReportLab $(qpdf_check "$rout")"
    printf '  %-14s %9.1f %8.1f %5s %10.1f %8.1f %5s %6.1fx %6.1fx\n' "$doc" \
        "$qm" "$qcm" "${qp:-?}" "$rm" "$rcm" "${rp:-?}" "$ratio" "$cratio"
    printf '  %-14s qpdf --check: %s; text: %s and %s characters\n' "" "$check" "$qx" "$rx"
    near "$qp" "$rp" 20 ||
        echo "  $doc: page counts differ by more than 20%: the comparison is suspect"
    near "$qx" "$rx" 2 ||
        echo "  $doc: the text differs by more than 2%: the comparison is suspect"
    peer_wall[$doc]=$ratio; peer_cpu[$doc]=$cratio
    peer_json+=("{\"name\": \"$doc\", \"quire_median_ms\": $qm, \"reportlab_median_ms\": $rm, \"ratio\": $ratio, \"quire_median_cpu_ms\": $qcm, \"reportlab_median_cpu_ms\": $rcm, \"cpu_ratio\": $cratio, \"quire_pages\": ${qp:-0}, \"reportlab_pages\": ${rp:-0}, \"quire_text_chars\": $qx, \"reportlab_text_chars\": $rx, \"quire_peak_rss_kb\": $qrss, \"reportlab_peak_rss_kb\": $rrss, \"qpdf_check\": \"$check\", \"quire_ms\": [$(list "${qt[@]}")], \"reportlab_ms\": [$(list "${rt[@]}")], \"quire_cpu_ms\": [$(list "${qc[@]}")], \"reportlab_cpu_ms\": [$(list "${rc[@]}")]}")
}

# The cold path: the report on a machine's first run, the cache directory
# removed before each run (so the run also writes the cache, as a first
# run does), alternating with warm runs of the same report, so that both
# medians of the ratio see the same machine (a shared machine's speed
# moves within minutes: measured apart, one busy minute made 1.4x 2.8x).
# A third run in each round is a first run of a copy of quire with only
# the hyphenation image beside it, none of what `quire fonts` ships (the
# font resolution and kerning tables, which a first run by another user
# cannot take): printed beside, no target.
if [ -f "$W/report.md" ]; then
    cw=(); cc=(); ww=(); bw=()
    mkdir -p "$W/bare"
    cp "$Q" "$W/bare/quire"
    [ -f "$BUILD/hyph_en_GB.dic.image" ] && cp "$BUILD/hyph_en_GB.dic.image" "$W/bare/"
    for i in $(seq "$RUNS"); do
        r=$(once "$Q" render -t "$W/report.md" -o "$W/out/report-warm.pdf")
        rm -rf "$QUIRE_CACHE_DIR.cold"
        c=$(QUIRE_CACHE_DIR=$QUIRE_CACHE_DIR.cold once "$Q" render -t "$W/report.md" -o "$W/out/report-cold.pdf")
        rm -rf "$QUIRE_CACHE_DIR.cold"
        b=$(QUIRE_CACHE_DIR=$QUIRE_CACHE_DIR.cold once "$W/bare/quire" render -t "$W/report.md" -o "$W/out/report-bare.pdf")
        [ -n "$r" ] && [ -n "$c" ] || continue
        read -r ms _ _ <<<"$r"; ww+=("$ms")
        read -r ms cpu _ <<<"$c"; cw+=("$ms"); cc+=("$cpu")
        [ -n "$b" ] && { read -r ms _ _ <<<"$b"; bw+=("$ms"); }
    done
    rm -rf "$QUIRE_CACHE_DIR.cold"
    if [ "${#cw[@]}" -gt 0 ]; then
        cold_ms=$(printf '%s\n' "${cw[@]}" | median_of)
        cold_cpu=$(printf '%s\n' "${cc[@]}" | median_of)
        cold_warm_ms=$(printf '%s\n' "${ww[@]}" | median_of)
        printf '  %-44s %9.1f   (CPU %.1f ms; cache directory removed before each run;\n  %-44s %9s    warm runs between them: %.1f ms)\n' \
            "report.md, cold (first run)" "$cold_ms" "$cold_cpu" "" "" "$cold_warm_ms"
        json+=("{\"group\": \"docs\", \"name\": \"report.md, cold (cache directory removed)\", \"median_ms\": $cold_ms, \"median_cpu_ms\": $cold_cpu, \"warm_between_median_ms\": $cold_warm_ms, \"runs_ms\": [$(list "${cw[@]}")], \"warm_between_ms\": [$(list "${ww[@]}")]}")
        if [ "${#bw[@]}" -gt 0 ]; then
            bare_ms=$(printf '%s\n' "${bw[@]}" | median_of)
            printf '  %-44s %9.1f   (%s x the warm runs; nothing of quire fonts shipped)\n' \
                "report.md, cold, hyphenation image only" "$bare_ms" "$(peer_ratio "$bare_ms" "$cold_warm_ms")"
            json+=("{\"group\": \"docs\", \"name\": \"report.md, cold, hyphenation image only shipped\", \"median_ms\": $bare_ms, \"runs_ms\": [$(list "${bw[@]}")]}")
        fi
    fi
fi

PEER_RUNS=${BENCH_PEER_RUNS:-10}
PY=${BENCH_PYTHON:-/usr/bin/python3}        # Debian's, which sees python3-reportlab
peer_json=(); peer=""; peer_why=""
declare -A peer_wall=() peer_cpu=()         # doc -> ReportLab/Quire of this run
if [ "$PEER_RUNS" = 0 ]; then
    peer_why="skipped (BENCH_PEER_RUNS=0)"
elif [ ! -f "$W/report.md" ]; then
    peer_why="no $REPORT"
elif [ ! -x "$PY" ]; then
    peer_why="no $PY"
elif ! peer=$("$PY" -c 'import reportlab; print(reportlab.Version)' 2>&1); then
    peer_why="$PY cannot import reportlab ($(tail -1 <<<"$peer")); scripts/deps.sh installs python3-reportlab"
    peer=""
elif ! command -v qpdf >/dev/null; then
    peer_why="no qpdf to check the PDFs"
else
    # fc-match once, as Quire's warmed cache spares it the font look-up
    mapfile -t RL_FONTS < <("$PY" bench/reportlab_report.py --fonts 2>>"$log")
    [ "${#RL_FONTS[@]}" = 5 ] || peer_why="fc-match did not find Liberation Sans and DejaVu Sans"
fi
echo
if [ -n "$peer_why" ]; then
    echo "Quire beside ReportLab: not measured: $peer_why"
else
    echo "Quire beside ReportLab $peer (alternate runs, median of $PEER_RUNS each, whole process;"
    echo "CPU = user + system time, which a busy machine inflates less than wall time)"
    printf '  %-14s %24s %25s %15s\n' "" "------- Quire -------" "----- ReportLab -----" "ReportLab/Quire"
    printf '  %-14s %9s %8s %5s %10s %8s %5s %7s %7s\n' "" "wall ms" "CPU ms" "pages" \
        "wall ms" "CPU ms" "pages" "wall" "CPU"
    peer_compare report.md
    peer_compare report-x10.md
fi

if [ "${BENCH_CALLGRIND:-0}" = 1 ] && [ -f "$W/report.md" ] && command -v valgrind >/dev/null; then
    echo
    echo "Instructions (valgrind --tool=callgrind, whole process, both threads)"
    for doc in report.md report-x10.md; do
        ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$Q" render \
                 -t "$W/$doc" -o "$W/out/cg.pdf" 2>&1 | sed -n 's/.*refs: *//p' | tr -d ,)
        printf '  %-44s %14s\n' "$doc" "$ir"
        json+=("{\"group\": \"callgrind\", \"name\": \"$doc\", \"instructions\": ${ir:-0}}")
    done
fi

# ---- samples --------------------------------------------------------------
header "Sample papers (samples/)"
for f in samples/*.json; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .json)
    tpl=$(template_for "$f")
    [ -n "$tpl" ] && [ -f "$tpl" ] || continue
    measure sample "$name" "$W/out/$name.pdf" "$RUNS" -- \
        "$Q" render "$f" -t "$tpl" -o "$W/out/$name.pdf"
done
for f in samples/*.md; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .md)
    measure sample "$name" "$W/out/$name.pdf" "$RUNS" -- \
        "$Q" render -t "$f" -o "$W/out/$name.pdf"
done

header "Meeting packs (samples/meetings/)"
if has_cmd pack; then
    for f in samples/meetings/*.json; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .json)
        measure pack "$name (full)" "$W/out/pack-$name.pdf" "$RUNS" -- \
            "$Q" pack "$f" -o "$W/out/pack-$name.pdf"
        measure pack "$name (public)" "$W/out/pack-$name-public.pdf" "$RUNS" -- \
            "$Q" pack "$f" --public -o "$W/out/pack-$name-public.pdf"
    done
else
    echo "  (quire pack not available yet: skipped)"
fi

# time_appendix WITH.json NAME: the Cabinet pack with an appendix (the
# meeting file WITH.json, written to NAME.pdf) and without it, alternately,
# each leading in turn so that the machine's load falls on both, after a
# warm-up. Sets wi wc and wo oc (every run's wall and CPU ms, with and
# without), am acm om ocm (their medians), added_ms added_cpu (the
# differences) and ap op (pages); false when a run failed.
time_appendix() {
    local i a b ms cpu rss
    local acmd=("$Q" pack "$1" -o "$W/out/$2.pdf")
    local ocmd=("$Q" pack "$W/gen/appx-without.json" -o "$W/out/appx-without.pdf")
    wo=(); wi=(); wc=(); oc=()
    once "${acmd[@]}" >/dev/null; once "${ocmd[@]}" >/dev/null      # warm up
    for i in $(seq "$APPX_RUNS"); do
        if [ $((i % 2)) = 1 ]; then a=$(once "${acmd[@]}"); b=$(once "${ocmd[@]}")
        else b=$(once "${ocmd[@]}"); a=$(once "${acmd[@]}"); fi
        if [ -z "$a" ] || [ -z "$b" ]; then return 1; fi
        read -r ms cpu rss <<<"$a"; wi+=("$ms"); wc+=("$cpu")
        read -r ms cpu rss <<<"$b"; wo+=("$ms"); oc+=("$cpu")
    done
    am=$(printf '%s\n' "${wi[@]}" | median_of); om=$(printf '%s\n' "${wo[@]}" | median_of)
    acm=$(printf '%s\n' "${wc[@]}" | median_of); ocm=$(printf '%s\n' "${oc[@]}" | median_of)
    added_ms=$(awk -v a="$am" -v b="$om" 'BEGIN { printf "%.1f", a - b }')
    added_cpu=$(awk -v a="$acm" -v b="$ocm" 'BEGIN { printf "%.1f", a - b }')
    ap=$(pages_of "$W/out/$2.pdf"); op=$(pages_of "$W/out/appx-without.pdf")
}

# print_appendix LABEL: time_appendix's medians as a table
print_appendix() {
    printf '  %-44s %9s %8s %6s\n' "" "wall ms" "CPU ms" "pages"
    printf '  %-44s %9.1f %8.1f %6s\n' "pack without the appendix" "$om" "$ocm" "${op:-?}"
    printf '  %-44s %9.1f %8.1f %6s\n' "pack with it" "$am" "$acm" "${ap:-?}"
    printf '  %-44s %9.1f %8.1f\n' "$1" "$added_ms" "$added_cpu"
}

# ---- a 100-page PDF appendix ---------------------------------------------------
# The target: "a 100-page appendix adds under 50 ms to a pack build". The
# Cabinet sample's pack (full) is built from a copy of its meeting file
# (paths made absolute) with and without a PDF appendix to its first open
# paper: 100 pages Quire typeset itself (the x10 report, pages 1-100 taken
# by qpdf, which leaves them untagged: a warning in the log). The two run
# alternately, each leading in turn, so that the machine's load falls on
# both; the added time is the difference of the medians.
APPX_RUNS=${BENCH_APPX_RUNS:-15}
T_APPX_MS=50
appx_ms=""; appx_why=""
MEETING=samples/meetings/cabinet-2018-06-21.json
if ! has_cmd pack; then
    appx_why="quire pack not available"
elif ! command -v qpdf >/dev/null; then
    appx_why="no qpdf to cut the appendix to 100 pages"
elif [ ! -f "$W/report-x10.md" ]; then
    appx_why="no $REPORT to typeset the appendix from"
elif ! "$Q" render -t "$W/report-x10.md" -o "$W/gen/appx-src.pdf" 2>>"$log"; then
    appx_why="the appendix's source did not render (see $log)"
else
    # enough copies of the source's pages for 100
    n=$(pages_of "$W/gen/appx-src.pdf"); src=()
    for i in $(seq $(( (100 + ${n:-1} - 1) / ${n:-1} ))); do src+=("$W/gen/appx-src.pdf" 1-z); done
    qpdf --empty --pages "${src[@]}" -- "$W/gen/appx-all.pdf" 2>>"$log" &&
        qpdf --empty --pages "$W/gen/appx-all.pdf" 1-100 -- "$W/gen/appx-100.pdf" 2>>"$log" ||
        appx_why="qpdf could not cut the appendix (see $log)"
    [ -n "$appx_why" ] || [ "$(pages_of "$W/gen/appx-100.pdf")" = 100 ] ||
        appx_why="the appendix does not have 100 pages"
    [ -n "$appx_why" ] || python3 - "$MEETING" "$W/gen" "$(cd "$W/gen" && pwd)/appx-100.pdf" <<'PY' 2>>"$log" ||
import json, os, sys
src, out, pdf = sys.argv[1], sys.argv[2], sys.argv[3]
base = os.path.dirname(os.path.abspath(src))
def ab(p): return p if os.path.isabs(p) else os.path.normpath(os.path.join(base, p))
m = json.load(open(src, encoding="utf-8"))
for k in ("style", "templates"):
    if k in m: m[k] = ab(m[k])
open_item = None
for it in m["items"]:
    for a in it.get("appendices", []): a["pdf"] = ab(a["pdf"])
    p = it.get("paper")
    if not p: continue
    for k in ("data", "template", "style"):
        if k in p: p[k] = ab(p[k])
    if open_item is None and not it.get("exempt") and "published" not in it: open_item = it
json.dump(m, open(f"{out}/appx-without.json", "w", encoding="utf-8"), ensure_ascii=False)
letters = {a["letter"] for a in open_item.get("appendices", [])}
open_item.setdefault("appendices", []).append(
    {"letter": next(c for c in "ZYXW" if c not in letters), "title": "A hundred pages", "pdf": pdf})
json.dump(m, open(f"{out}/appx-with.json", "w", encoding="utf-8"), ensure_ascii=False)
PY
        appx_why="the meeting files could not be written (see $log)"
fi
echo
if [ -n "$appx_why" ]; then
    echo "A 100-page PDF appendix: not measured: $appx_why"
else
    if ! time_appendix "$W/gen/appx-with.json" appx-with; then
        echo "A 100-page PDF appendix: not measured: a run failed (see $log)"
    else
        appx_ms=$added_ms; appx_cpu=$added_cpu
        echo "A 100-page PDF appendix in the Cabinet pack (alternate runs, median of $APPX_RUNS each)"
        print_appendix "added by the appendix"
        json+=("{\"group\": \"appendix\", \"name\": \"100-page PDF appendix (Cabinet pack, full)\", \"added_ms\": $appx_ms, \"added_cpu_ms\": $appx_cpu, \"with_median_ms\": $am, \"without_median_ms\": $om, \"with_median_cpu_ms\": $acm, \"without_median_cpu_ms\": $ocm, \"with_pages\": ${ap:-0}, \"without_pages\": ${op:-0}, \"runs\": $APPX_RUNS, \"with_ms\": [$(list "${wi[@]}")], \"without_ms\": [$(list "${wo[@]}")]}")
    fi
fi

# ---- a 100-page tagged PDF appendix ------------------------------------------
# The appendix above is untagged (qpdf drops the structure tree when it cuts
# pages), but a real one, an Ofsted letter, is tagged, and its tree is kept:
# walked, checked against each page's marked content and grafted under the
# item's Sect, which costs more than the pages. So the same pack is timed
# with a tagged appendix too: Quire's own render of the report nine times
# (99 pages) and one short page more (a <!-- portrait --> page break), 100
# pages with its tree. The added time is against the same pack without it.
tappx_ms=""; tappx_why=""
if [ -n "$appx_why" ] || [ ! -f "$W/gen/appx-with.json" ]; then
    tappx_why="the untagged appendix's meeting files are missing${appx_why:+ ($appx_why)}"
else
    { for i in $(seq 9); do cat "$REPORT"; echo; done
      printf '\n<!-- portrait -->\n\nThe end of the hundred pages.\n'; } >"$W/gen/appx-tagged.md"
    if ! "$Q" render -t "$W/gen/appx-tagged.md" -o "$W/gen/appx-tagged.pdf" 2>>"$log"; then
        tappx_why="the tagged appendix did not render (see $log)"
    elif [ "$(pages_of "$W/gen/appx-tagged.pdf")" != 100 ]; then
        tappx_why="the tagged appendix has $(pages_of "$W/gen/appx-tagged.pdf") pages, not 100"
    elif ! python3 - "$W/gen/appx-with.json" "$(cd "$W/gen" && pwd)/appx-tagged.pdf" "$W/gen/appx-tagged.json" <<'PY' 2>>"$log"; then
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
for it in m["items"]:
    for a in it.get("appendices", []):
        if a["pdf"].endswith("/appx-100.pdf"): a["pdf"], a["title"] = sys.argv[2], "A hundred tagged pages"
json.dump(m, open(sys.argv[3], "w", encoding="utf-8"), ensure_ascii=False)
PY
        tappx_why="the meeting file could not be written (see $log)"
    fi
fi
echo
if [ -n "$tappx_why" ]; then
    echo "A 100-page tagged PDF appendix: not measured: $tappx_why"
else
    # a tree that could not be kept would leave the pages figures: say so
    kept=yes
    "$Q" pack "$W/gen/appx-tagged.json" -o "$W/out/appx-tagged.pdf" 2>&1 |
        grep -q "structure tree cannot be kept" && kept=no
    if ! time_appendix "$W/gen/appx-tagged.json" appx-tagged; then
        echo "A 100-page tagged PDF appendix: not measured: a run failed (see $log)"
    else
        tappx_ms=$added_ms; tappx_cpu=$added_cpu
        echo "A 100-page tagged PDF appendix in the Cabinet pack, its tree kept: $kept (alternate runs, median of $APPX_RUNS each)"
        print_appendix "added by the tagged appendix"
        # the floor: libqpdf alone reading every object of the same file
        floor_ms=""; floor_cpu=""; fl=(); flc=()
        if [ -x "$BUILD/bench/qpdf_read" ]; then
            for i in $(seq "$APPX_RUNS"); do
                r=$(once "$BUILD/bench/qpdf_read" "$W/gen/appx-tagged.pdf") || break
                [ -n "$r" ] || break
                read -r ms cpu rss <<<"$r"; fl+=("$ms"); flc+=("$cpu")
            done
        fi
        if [ "${#fl[@]}" = "$APPX_RUNS" ]; then
            floor_ms=$(printf '%s\n' "${fl[@]}" | median_of)
            floor_cpu=$(printf '%s\n' "${flc[@]}" | median_of)
            printf '  %-44s %9.1f %8.1f\n' "libqpdf alone reading its objects (floor)" "$floor_ms" "$floor_cpu"
        else
            echo "  (libqpdf's own reading not measured: $BUILD/bench/qpdf_read missing or failed)"
        fi
        json+=("{\"group\": \"appendix\", \"name\": \"100-page tagged PDF appendix (Cabinet pack, full)\", \"tree_kept\": $([ $kept = yes ] && echo true || echo false), \"added_ms\": $tappx_ms, \"added_cpu_ms\": $tappx_cpu, \"with_median_ms\": $am, \"without_median_ms\": $om, \"with_median_cpu_ms\": $acm, \"without_median_cpu_ms\": $ocm, \"with_pages\": ${ap:-0}, \"without_pages\": ${op:-0}, \"libqpdf_reading_ms\": ${floor_ms:-null}, \"libqpdf_reading_cpu_ms\": ${floor_cpu:-null}, \"runs\": $APPX_RUNS, \"with_ms\": [$(list "${wi[@]}")], \"without_ms\": [$(list "${wo[@]}")]}")
    fi
fi

# ---- 100 papers -------------------------------------------------------------
header "100 papers (copies of $SAMPLE, titles numbered)"
rm -f "$W/papers/"*.json
for i in $(seq 0 99); do
    sed "0,/\"title\": \"/s//\"title\": \"Paper $i: /" "$SAMPLE" >"$W/papers/paper-$i.json"
done
build_ms=""
if has_cmd build; then
    cat >"$W/manifest.json" <<EOF
{
  "defaults": { "template": "$PWD/templates/cabinet-report.md" },
  "globs": [ { "data": "papers/*.json", "output": "{name}.pdf" } ]
}
EOF
    measure build "quire build -j2 --force (100 papers)" "$W/out/build/*.pdf" "$BIG" -- \
        "$Q" build "$W/manifest.json" -j 2 --force --out "$W/out/build"
    build_ms=$(field "$last" median_ms); build_rss=$(field "$last" peak_rss_kb)
    [ "$(field "$last" exit)" = 0 ] || build_ms=""
fi
if [ -z "$build_ms" ]; then
    echo "  (quire build unavailable or failed: interim figures from separate renders)"
fi
measure build "100 renders, sequential (interim)" "$W/out/paper-*.pdf" "$BIG" -r 100 -- \
    "$Q" render "$W/papers/paper-{}.json" -t templates/cabinet-report.md -o "$W/out/paper-{}.pdf"
measure build "100 renders, 2 at a time (interim)" "$W/out/paper-*.pdf" "$BIG" -r 100 -j 2 -- \
    "$Q" render "$W/papers/paper-{}.json" -t templates/cabinet-report.md -o "$W/out/paper-{}.pdf"
[ -n "$build_ms" ] || { build_ms=$(field "$last" median_ms); build_rss=$(field "$last" peak_rss_kb); }

# ---- stage breakdown --------------------------------------------------------
if [ -n "$stages" ]; then
    echo
    echo "Stages of report.md (QUIRE_TIMING=1, median ms; 'total' is in-process)"
    tr ',' '\n' <<<"$stages" | sed 's/"//g; s/^ *//' |
        awk -F': ' '{ printf "  %-10s %8.2f\n", $1, $2 }'
fi

# ---- expansion scaling --------------------------------------------------------
echo
echo "Template expansion (quire expand $SAMPLE -t T; T = the cabinet template repeated)"
printf '  %10s %10s %10s %12s %14s\n' "template" "bytes" "ms" "us/KB" "marginal us/KB"
prev_ms=""; prev_b=""
sizes="1024 10240 102400 1048576 10485760"
[ "$QUICK" = 1 ] && sizes="1024 10240 102400 1048576"
for s in $sizes; do
    t=$W/gen/expand-$s.md
    bench/gen.sh template "$s" "$t"
    b=$(bytes_of "$t")
    runs=$RUNS; [ "$s" -ge 1048576 ] && runs=$BIG
    out=$("$B" -n "$runs" -t "$LIMIT" -- "$Q" expand "$SAMPLE" -t "$t" 2>>"$log")
    ms=$(field "$out" median_ms)
    label=$(awk -v s="$s" 'BEGIN { print (s >= 1048576 ? s / 1048576 " MB" : s / 1024 " KB") }')
    awk -v l="$label" -v b="$b" -v m="$ms" -v pb="$prev_b" -v pm="$prev_ms" 'BEGIN {
        marg = pb == "" ? "" : sprintf("%.1f", (m - pm) * 1000 / ((b - pb) / 1024))
        printf "  %10s %10d %10.2f %12.1f %14s\n", l, b, m, m * 1000 / (b / 1024), marg }'
    json+=("{\"group\": \"expand\", \"name\": \"expand $label\", \"template_bytes\": $b, ${out#\{}")
    prev_ms=$ms; prev_b=$b
done

# ---- pathological inputs --------------------------------------------------------
echo
echo "Pathological inputs (bench/gen.sh; x2 = twice the size: linear time doubles)"
printf '  %-34s %10s %10s %10s %8s %s\n' "input" "bytes" "ms" "ms/MB" "x2/x1" "exit"
scales="1 2"; [ "$QUICK" = 1 ] && scales=1
for kind in lists quotes emphasis nospace table sections; do
    t1=""
    for k in $scales; do
        f=$W/gen/patho-$kind-$k.md
        bench/gen.sh patho "$kind" "$k" "$f"
        b=$(bytes_of "$f")
        if [ "$kind" = sections ]; then
            out=$("$B" -n "$BIG" -t "$LIMIT" -- "$Q" expand "$SAMPLE" -t "$f" 2>>"$log")
            what="expand"
        else
            out=$("$B" -n "$BIG" -t "$LIMIT" -- "$Q" render -t "$f" -o "$W/out/patho-$kind-$k.pdf" 2>>"$log")
            what="render"
        fi
        ms=$(field "$out" median_ms); ex=$(field "$out" exit)
        ratio=""; [ -n "$t1" ] && ratio=$(awk -v a="$ms" -v b="$t1" 'BEGIN { printf "%.2f", a / b }')
        [ "$k" = 1 ] && t1=$ms
        printf '  %-34s %10d %10.1f %10.1f %8s %s\n' "$kind x$k ($what)" "$b" "$ms" \
            "$(awk -v m="$ms" -v b="$b" 'BEGIN { print m / (b / 1048576) }')" "$ratio" "$ex"
        json+=("{\"group\": \"pathological\", \"name\": \"$kind x$k\", \"input_bytes\": $b, ${out#\{}")
    done
done

# ---- targets -----------------------------------------------------------------------
echo
echo "Targets"
[ -n "$report_ms" ] && verdict "report.md, ms" "$report_ms" "<=" $T_REPORT_MS ms
[ -n "$pack_ms" ] && verdict "x10 pack, ms" "$pack_ms" "<=" $T_PACK_MS ms
mb() { awk -v k="$1" 'BEGIN { print k / 1024 }'; }
[ -n "$report_rss" ] && verdict "report.md peak RSS, MB" "$(mb "$report_rss")" "<=" $T_RSS_MB MB
[ -n "$pack_rss" ] && verdict "x10 pack peak RSS, MB" "$(mb "$pack_rss")" "<=" $T_RSS_MB MB
[ -n "$build_ms" ] && verdict "100 papers with 2 workers, ms" "$build_ms" "<=" $T_BUILD_MS ms
[ -n "$appx_ms" ] && verdict "100-page PDF appendix added, ms" "$appx_ms" "<=" $T_APPX_MS ms
if [ -n "$tappx_ms" ]; then
    verdict "100-page tagged PDF appendix added, ms" "$tappx_ms" "<=" $T_APPX_MS ms
    [ -n "${floor_ms:-}" ] && printf '  %-44s %9.2f ms: libqpdf alone reading the tagged file\n' "  (its floor)" "$floor_ms"
fi
[ -n "$build_rss" ] && verdict "100 papers, peak RSS of a process, MB" "$(mb "$build_rss")" "<=" $T_RSS_MB MB
cold=""
if [ -n "$cold_ms" ] && [ -n "${cold_warm_ms:-}" ]; then
    cold=$(peer_ratio "$cold_ms" "$cold_warm_ms")
    verdict "cold path (no cache dir) / warm, report" "$cold" "<=" $T_COLD x
fi
for doc in report.md report-x10.md; do
    [ -n "${peer_wall[$doc]:-}" ] || continue
    t=$T_PEER_REPORT; [ "$doc" = report-x10.md ] && t=$T_PEER_PACK
    label=report; [ "$doc" = report-x10.md ] && label="x10 pack"
    verdict "ReportLab/Quire, $label, wall (same run)" "${peer_wall[$doc]}" ">=" "$t" x
    verdict "ReportLab/Quire, $label, CPU (same run)" "${peer_cpu[$doc]}" ">=" "$t" x
done
if [ -n "$report_ms" ] && [ -n "$pack_ms" ]; then
    p1=$(pages_of "$W/out/report.pdf"); p10=$(pages_of "$W/out/report-x10.pdf")
    awk -v a="$report_ms" -v b="$pack_ms" -v p="$p1" -v q="$p10" 'BEGIN {
        printf "  %-44s %9.2f ms/page (report) vs %.2f (x10): x10 costs %.1fx the time for %.1fx the pages\n",
               "time per page", a / p, b / q, b / a, q / p }'
fi

# ---- results file ------------------------------------------------------------------
jstr() { local s=${1//\\/\\\\}; printf '%s' "${s//\"/\\\"}"; }
{
    echo "{"
    echo "  \"machine\": {\"cpus\": $(nproc), \"cpu_model\": \"$(jstr "$cpu_model")\", \"load_average\": \"$load\", \"runs\": $RUNS},"
    echo "  \"date\": \"$when\","
    echo "  \"commit\": \"$commit\","
    echo "  \"reportlab\": {\"version\": \"$(jstr "$peer")\", \"runs\": $PEER_RUNS, \"not_measured\": \"$(jstr "$peer_why")\","
    echo "    \"comparisons\": [$(IFS=,; echo "${peer_json[*]}")]},"
    echo "  \"targets\": {\"report_ms\": ${report_ms:-null}, \"pack_ms\": ${pack_ms:-null}, \"report_rss_kb\": ${report_rss:-null}, \"pack_rss_kb\": ${pack_rss:-null}, \"build_ms\": ${build_ms:-null}, \"build_rss_kb\": ${build_rss:-null}, \"appendix_added_ms\": ${appx_ms:-null}, \"tagged_appendix_added_ms\": ${tappx_ms:-null}, \"cold_over_warm\": ${cold:-null}, \"reportlab_over_quire_report\": ${peer_wall[report.md]:-null}, \"reportlab_over_quire_pack\": ${peer_wall[report-x10.md]:-null}, \"reportlab_over_quire_report_cpu\": ${peer_cpu[report.md]:-null}, \"reportlab_over_quire_pack_cpu\": ${peer_cpu[report-x10.md]:-null}},"
    echo "  \"quire\": \"$("$Q" --version 2>/dev/null | head -1 | sed 's/"//g')\","
    echo "  \"results\": ["
    n=${#json[@]}
    for i in "${!json[@]}"; do
        sep=,; [ "$i" -eq $((n - 1)) ] && sep=
        echo "    ${json[$i]}$sep"
    done
    echo "  ]"
    echo "}"
} >"$RESULTS"
echo
echo "wrote $RESULTS"
