#!/usr/bin/env bash
# End-to-end: hostile and broken input. Every limit and bad-input
# case gives its message and exit code; pathological inputs finish (their
# time is measured by make bench, not here); images never crash the writer;
# output failures exit 3 and leave the previous PDF as it was.
. "$(dirname "$0")/lib.sh"

# expect NAME CODE TEXT COMMAND...: exit CODE and TEXT (fixed string) on stderr
expect() {
    local name=$1 code=$2 text=$3; shift 3
    expect_exit "$name: exit $code" "$code" "$@"
    if [ "$text" != - ]; then contains "$name: message" "$TMP/last.err" "$text"; fi
    if grep -q 'Sanitizer\|runtime error\|Segmentation\|Aborted' "$TMP/last.err"; then
        not_ok "$name: no crash report" "$(head -5 "$TMP/last.err")"
    fi
}

printf '# A paper\n\nSome text.\n' >$TMP/ok.md

# ---- limits -------------------------------------------------------------

truncate -s 65M $TMP/big.json
expect "data file over 64 MiB" 1 "big.json: error: file is larger than 64 MiB" \
    $QUIRE render $TMP/big.json -t $TMP/ok.md -o $TMP/x.pdf
truncate -s 17M $TMP/big.md
expect "template over 16 MiB" 1 "big.md: error: template is larger than 16777216 bytes" \
    $QUIRE render -t $TMP/big.md -o $TMP/x.pdf
printf '{{>big}}\n' >$TMP/incl-big.md
expect "partial over 16 MiB" 1 "incl-big.md:1:1: error: partial 'big'" \
    $QUIRE render -t $TMP/incl-big.md -o $TMP/x.pdf
truncate -s 2M $TMP/big-style.json
expect "style over 1 MiB" 1 "big-style.json: error: style file is larger than 1 MiB" \
    $QUIRE render -t $TMP/ok.md -s $TMP/big-style.json -o $TMP/x.pdf
rm -f $TMP/big.json $TMP/big.md $TMP/big-style.json

nest() { # nest N: a JSON object nested N deep
    awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "{\"a\":"; printf "1"; for (i = 0; i < n; i++) printf "}"; print "" }'
}
nest 64 >$TMP/deep64.json
expect "JSON nested 64 deep is accepted" 0 - $QUIRE check $TMP/deep64.json -t $TMP/ok.md
nest 65 >$TMP/deep65.json
expect "JSON nested 65 deep" 1 "deep65.json:1:321: error: nesting deeper than 64 levels" \
    $QUIRE check $TMP/deep65.json -t $TMP/ok.md

tpl_sections() { # tpl_sections N: N nested sections over a true value
    awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "{{#on}}"; printf "x"; for (i = 0; i < n; i++) printf "{{/on}}"; print "" }'
}
echo '{"on": true}' >$TMP/on.json
tpl_sections 256 >$TMP/sect256.md
expect "sections nested 256 deep are accepted" 0 - $QUIRE check $TMP/on.json -t $TMP/sect256.md
tpl_sections 257 >$TMP/sect257.md
expect "sections nested 257 deep" 1 "sect257.md:1:1793: error: sections nested deeper than 256" \
    $QUIRE check $TMP/on.json -t $TMP/sect257.md

echo 'again {{>self}}' >$TMP/self.md
expect "a partial that includes itself" 1 "self.md:1:7: error: partials nested deeper than 32: self > self" \
    $QUIRE check -t $TMP/self.md
mkdir -p $TMP/dbl
for i in $(seq 0 30); do printf '{{>dbl/q%d}}{{>dbl/q%d}}' $((i + 1)) $((i + 1)) >$TMP/dbl/q$i.md; done
echo "leaf" >$TMP/dbl/q31.md
echo '{{>dbl/q0}}' >$TMP/doubling.md
expect "partials that double 31 times" 1 "error: template expansion too large: more than 4000000" \
    $QUIRE check -t $TMP/doubling.md
awk 'BEGIN { printf "{\"a\": ["; for (i = 0; i < 3000; i++) printf "%s%d", (i ? "," : ""), i; print "]}" }' >$TMP/arr.json
printf '{{#a}}{{#a}}{{.}}{{/a}}{{/a}}\n' >$TMP/square.md
expect "sections over 3000 x 3000 items" 1 "square.md:1:13: error: template expansion too large" \
    $QUIRE check $TMP/arr.json -t $TMP/square.md

{ echo "# Deep"; echo; awk 'BEGIN { for (i = 0; i < 100; i++) printf "> "; print "quoted" }'; } >$TMP/quotes.md
expect "quotes nested 100 deep render with a warning" 0 \
    "quotes.md:3:129: warning: lists and block quotes nested more than 64 deep are flattened" \
    $QUIRE render -t $TMP/quotes.md -o $TMP/quotes.pdf
pdftotext $TMP/quotes.pdf $TMP/quotes.txt 2>/dev/null
# tests/regress/layout/deep-quotes.md: deep nesting stops indenting before
# the text would leave the page
if grep -qF quoted $TMP/quotes.txt; then ok "deeply quoted text is kept"
else not_ok "deeply quoted text is kept" "$(head -5 $TMP/quotes.txt)"; fi

table() { # table COLS ROWS
    awk -v c="$1" -v r="$2" 'BEGIN { printf "|"; for (j = 0; j < c; j++) printf " h |"; print "";
        printf "|"; for (j = 0; j < c; j++) printf "-|"; print "";
        for (i = 0; i < r; i++) { printf "|"; for (j = 0; j < c; j++) printf " x |"; print "" } }'
}
table 100 2 >$TMP/t100.md
expect "a table of 100 columns is accepted" 0 - $QUIRE check -t $TMP/t100.md
table 101 2 >$TMP/t101.md
expect "a table of 101 columns" 1 "t101.md:2:1: error: table has 101 columns: more than the limit of 100" \
    $QUIRE check -t $TMP/t101.md
table 1 100000 >$TMP/trows.md
expect "a table of 100,001 rows" 1 "trows.md:2:1: error: table has 100001 rows of 1 columns: more than the limit of 100000 rows or 500000 cells" \
    $QUIRE check -t $TMP/trows.md
table 100 5000 >$TMP/tcells.md
expect "a table of 500,100 cells" 1 "error: table has 5001 rows of 100 columns" \
    $QUIRE check -t $TMP/tcells.md
# the cmark-gfm blow-up: a wide header over many one-cell rows
{ table 2000 0; awk 'BEGIN { for (i = 0; i < 20000; i++) print "x" }'; } >$TMP/twide.md
expect "a wide header over 20,000 short rows" 1 "error: table has 2000 columns" \
    $QUIRE check -t $TMP/twide.md
rm -f $TMP/t*.md

{ echo "# Pages"; for i in $(seq 1 10001); do echo; echo "Page $i"; echo; echo "<!-- pagebreak -->"; done; } >$TMP/pages.md
expect "more than 10,000 pages" 1 "pages.md: error: document would have more than 10000 pages" \
    $QUIRE render -t $TMP/pages.md -o $TMP/pages.pdf
[ ! -e $TMP/pages.pdf ] && ok "no PDF for a document over the page limit" || not_ok "no PDF for a document over the page limit"

# ---- invalid UTF-8 and characters outside the BMP -----------------------

printf '{"title": "bad \xc3\x28 byte"}\n' >$TMP/bad-utf8.json
expect "invalid UTF-8 in data" 1 "bad-utf8.json:1:16: error: invalid UTF-8 at byte 15" \
    $QUIRE check $TMP/bad-utf8.json -t $TMP/ok.md
printf '# Title\n\nBad \xff byte\n' >$TMP/bad-utf8.md
expect "invalid UTF-8 in a template" 1 "bad-utf8.md:3:5: error: template is not valid UTF-8 (byte offset 13)" \
    $QUIRE check -t $TMP/bad-utf8.md
printf 'Fine.\n\n{{>bad-part}}\n' >$TMP/with-part.md
printf 'x\xe2\x82\n' >$TMP/bad-part.md
expect "invalid UTF-8 in a partial" 1 "bad-part.md:1:2: error: template is not valid UTF-8 (byte offset 1)" \
    $QUIRE check -t $TMP/with-part.md
printf '{"body_size": "\xed\xa0\x80"}\n' >$TMP/bad-style.json
expect "invalid UTF-8 (a surrogate) in a style" 1 "bad-style.json:1:16: error: invalid UTF-8 at byte 15" \
    $QUIRE render -t $TMP/ok.md -s $TMP/bad-style.json -o $TMP/x.pdf
printf '{"title": "over\xc0\xaflong"}\n' >$TMP/overlong.json
expect "an overlong encoding in data" 1 "overlong.json:1:16: error: invalid UTF-8 at byte 15" \
    $QUIRE check $TMP/overlong.json -t $TMP/ok.md

printf '{"who": "ab\\u0000cd"}\n' >$TMP/nul.json
expect "a NUL escape in data (cJSON would cut the string)" 1 \
    'nul.json:1:12: error: \u0000 (a NUL character) cannot appear in a string' \
    $QUIRE check $TMP/nul.json -t $TMP/ok.md
printf '# T\n\nab\0cd\n' >$TMP/nul.md
expect "a NUL byte in a template" 1 "nul.md:3:3: error: template holds a NUL byte (byte offset 7)" \
    $QUIRE check -t $TMP/nul.md

printf '# Emoji\n\nA smile \xf0\x9f\x98\x80 here.\n' >$TMP/emoji.md
expect "an emoji in a template" 1 "emoji.md:3:9: error: character U+1F600 '"$'\xf0\x9f\x98\x80'"' is outside the Basic Multilingual Plane" \
    $QUIRE render -t $TMP/emoji.md -o $TMP/emoji.pdf
printf '{"who": "Ann \xf0\x9f\x9a\x80"}\n' >$TMP/emoji.json
printf '# Note\n\nBy {{who}}.\n' >$TMP/who.md
expect "an emoji in data points at the tag" 1 "who.md:3:4: error: character U+1F680" \
    $QUIRE render $TMP/emoji.json -t $TMP/who.md -o $TMP/emoji.pdf
# a BMP symbol the body face lacks comes from the fallback face, not a box
printf '# Symbols\n\nTick \xe2\x9c\x93 and phone \xe2\x98\x8e.\n' >$TMP/symbols.md
expect "BMP symbols render" 0 - $QUIRE render -t $TMP/symbols.md -o $TMP/symbols.pdf
pdftotext $TMP/symbols.pdf $TMP/symbols.txt 2>/dev/null
contains "BMP symbols are in the text" $TMP/symbols.txt "Tick ✓ and phone ☎."

# ---- images -------------------------------------------------------------

python3 tests/pathological/mkpng.py $TMP/img
img() { # img NAME: a paper showing image NAME from $TMP/img
    printf '# Figure\n\n![Figure %s](%s)\n\nAfter the figure.\n' "$1" "$1" >$TMP/img/paper.md
}
for f in rgb8 rgba8 gray8 gray-alpha8 palette gray16 rgb16 rgba16 interlaced \
         interlaced-alpha interlaced16-alpha one-pixel tall-thin; do
    img $f.png
    expect "image $f.png renders" 0 - $QUIRE render -t $TMP/img/paper.md -o $TMP/img/$f.pdf
    pdfimages -list $TMP/img/$f.pdf 2>/dev/null | awk 'NR > 2 && $3 == "image" { print $4 "x" $5 }' >$TMP/img/dims
    want=$(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(); print('%dx%d' % struct.unpack('>II', d[16:24]))" $TMP/img/$f.png)
    if [ "$(head -1 $TMP/img/dims)" = "$want" ]; then ok "image $f.png embedded at $want"; else not_ok "image $f.png embedded at $want" "pdfimages: $(cat $TMP/img/dims)"; fi
done
for f in rgba8 interlaced-alpha interlaced16-alpha gray-alpha8; do
    pdfimages -list $TMP/img/$f.pdf 2>/dev/null | grep -q ' smask ' && ok "image $f.png keeps its alpha as a soft mask" \
        || not_ok "image $f.png keeps its alpha as a soft mask" "$(pdfimages -list $TMP/img/$f.pdf 2>&1 | head -5)"
done
bad_image() { # bad_image FILE MESSAGE
    img "$1"
    expect "image $1" 1 "$2" $QUIRE render -t $TMP/img/paper.md -o $TMP/img/bad.pdf
}
bad_image truncated.png "error: cannot decode PNG image"
bad_image header-only.png "error: cannot read PNG image"
bad_image bad-crc.png "CRC error"
bad_image corrupt-zlib.png "error: cannot decode PNG image"
bad_image short-data.png "Not enough image data"
bad_image zero-width.png "error: cannot read PNG image"
bad_image huge.png "is 20000 x 20000 pixels: more than the limit of 50 megapixels"
bad_image huge-wide.png "is 1000000 x 100 pixels: more than the limit of 50 megapixels"
bad_image huge.jpg "is 60000 x 60000 pixels: more than the limit of 50 megapixels"
bad_image truncated.jpg "no frame header (truncated or damaged file)"
bad_image garbage.jpg "error: cannot read JPEG image"
bad_image not-an-image.png "is neither JPEG nor PNG"
bad_image empty.png "is neither JPEG nor PNG"
bad_image missing.png "cannot read image"
mkdir -p $TMP/img/dir.png
bad_image dir.png "paper.md:3:1: error: image '$TMP/img/dir.png' is a directory"
[ ! -e $TMP/img/bad.pdf ] && ok "no PDF written for a bad image" || not_ok "no PDF written for a bad image"
# A FIFO must not block the render. (The layout stage opens an image to
# read its size before the PDF stage checks it is a regular file.)
mkfifo $TMP/img/fifo.png
img fifo.png
timeout 20 $QUIRE render -t $TMP/img/paper.md -o $TMP/img/fifo.pdf >$TMP/last.out 2>$TMP/last.err
rc=$?
if [ $rc = 1 ] && grep -q "is not a regular file" $TMP/last.err; then ok "image that is a FIFO: exit 1, not a regular file"
else not_ok "image that is a FIFO" "exit $rc" "$(head -3 $TMP/last.err)"; fi

# ---- pathological input: finishes (bench times it) ----------------------

tests/pathological/gen.sh $TMP/patho
while read -r name code text; do
    data=; [ -f $TMP/patho/$name.json ] && data=$TMP/patho/$name.json
    expect "pathological $name" "$code" "$text" \
        $QUIRE render $data -t $TMP/patho/$name.md -o $TMP/patho/$name.pdf
done <$TMP/patho/cases.txt
pdftotext $TMP/patho/long-word.pdf - 2>/dev/null | tr -d '\n' | grep -o abcdefghij | wc -l >$TMP/nlong
[ "$(cat $TMP/nlong)" -ge 99000 ] && ok "the 1 MB word survives, broken across lines" \
    || not_ok "the 1 MB word survives" "found $(cat $TMP/nlong) of 100000 pieces"
rm -rf $TMP/patho

# ---- the previous PDF survives every failure ----------------------------

OUT=$TMP/out/paper.pdf
mkdir -p $TMP/out
expect "a good render" 0 - $QUIRE render -t $TMP/ok.md -o $OUT
cp $OUT $TMP/prev.pdf
expect "bad input after a good render" 1 - $QUIRE render -t $TMP/bad-utf8.md -o $OUT
cmp -s $OUT $TMP/prev.pdf && ok "bad input leaves the previous PDF intact" || not_ok "bad input leaves the previous PDF intact"
img huge.png
expect "a bad image after a good render" 1 - $QUIRE render -t $TMP/img/paper.md -o $OUT
cmp -s $OUT $TMP/prev.pdf && ok "a bad image leaves the previous PDF intact" || not_ok "a bad image leaves the previous PDF intact"

expect "output in a missing directory" 3 "error: cannot write" \
    $QUIRE render -t $TMP/ok.md -o $TMP/no/such/dir/paper.pdf
mkdir -p $TMP/isdir.pdf
# a directory is no place for a PDF: a usage mistake, refused before writing
expect "output path is a directory" 1 "is a directory: refusing to write" \
    $QUIRE render -t $TMP/ok.md -o $TMP/isdir.pdf

# disk full: a 200 KB tmpfs holding the previous PDF (needs root and mount)
big_paper() {
    { echo "# Big paper"; for i in $(seq 1 400); do echo; echo "Paragraph $i sets out the progress of the improvement plan in detail, with a long sentence that fills the line and more."; done; } >$TMP/bigpaper.md
}
big_paper
FULL=$TMP/full
ro=$TMP/ro
mkdir -p $FULL $ro
trap 'umount $FULL $ro 2>/dev/null; rm -rf "$TMP"' EXIT
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=200k tmpfs $FULL 2>/dev/null; then
    expect "render onto a small tmpfs" 0 - $QUIRE render -t $TMP/ok.md -o $FULL/paper.pdf
    cp $FULL/paper.pdf $TMP/prev.pdf
    # fill the disk but for a little room
    dd if=/dev/zero of=$FULL/filler bs=1k count=1000 2>/dev/null
    expect "disk full" 3 "paper.pdf: error: cannot write" \
        $QUIRE render -t $TMP/bigpaper.md -o $FULL/paper.pdf
    contains "disk full: the reason is given" $TMP/last.err "No space left on device"
    cmp -s $FULL/paper.pdf $TMP/prev.pdf && ok "disk full leaves the previous PDF intact" || not_ok "disk full leaves the previous PDF intact"
    [ "$(ls $FULL | grep -cv '^paper.pdf$\|^filler$')" = 0 ] && ok "disk full leaves no temporary file" || not_ok "disk full leaves no temporary file" "$(ls -la $FULL)"
    umount $FULL
    if mount -t tmpfs -o ro,size=100k tmpfs $ro 2>/dev/null; then
        expect "read-only directory" 3 "error: cannot write" $QUIRE render -t $TMP/ok.md -o $ro/paper.pdf
        contains "read-only directory: the reason is given" $TMP/last.err "Read-only file system"
        umount $ro
    fi
else
    skip "disk full on a small tmpfs" "mount not permitted here"
fi
# a file-size limit stands in for a full disk anywhere (SIGXFSZ ignored)
expect "render before the size limit" 0 - $QUIRE render -t $TMP/ok.md -o $TMP/out/limited.pdf
cp $TMP/out/limited.pdf $TMP/prev.pdf
(trap '' XFSZ; ulimit -f 12; exec $QUIRE render -t $TMP/bigpaper.md -o $TMP/out/limited.pdf) >$TMP/last.out 2>$TMP/last.err
rc=$?
[ $rc = 3 ] && ok "file size limit: exit 3" || not_ok "file size limit: exit 3" "exit $rc" "$(head -3 $TMP/last.err)"
contains "file size limit: the reason is given" $TMP/last.err "error: cannot write"
cmp -s $TMP/out/limited.pdf $TMP/prev.pdf && ok "file size limit leaves the previous PDF intact" || not_ok "file size limit leaves the previous PDF intact"

# ---- regression inputs found by fuzzing, through the command line --------

for f in tests/regress/pipeline/*; do
    [ -f "$f" ] || continue
    python3 - "$f" $TMP/rg <<'PY'
import os, sys
d = open(sys.argv[1], 'rb').read().split(b"\n@@@@\n")
os.makedirs(sys.argv[2], exist_ok=True)
open(os.path.join(sys.argv[2], 'data.json'), 'wb').write(d[0])
open(os.path.join(sys.argv[2], 'tpl.md'), 'wb').write(d[1] if len(d) > 1 else b"")
PY
    timeout 120 $QUIRE render $TMP/rg/data.json -t $TMP/rg/tpl.md -o $TMP/rg/out.pdf >$TMP/last.out 2>$TMP/last.err
    rc=$?
    case $rc in 0|1) ok "regression $(basename $f): exit $rc";; *) not_ok "regression $(basename $f)" "exit $rc" "$(head -5 $TMP/last.err)";; esac
done

# ---- the PDF stage fails closed -----------------------------------------

# Out of memory: one line and exit 3 at any point it strikes, never a
# signal or abort(); the previous PDF stays. A sanitizer's shadow memory or
# valgrind cannot run under a small address-space limit: skipped there.
{ printf '# Big table\n\n| a | b | c |\n|---|---|---|\n'; for i in $(seq 1 10000); do echo "| row $i | value $i | more text $i |"; done; } >$TMP/rows.md
if [ -n "${QUIRE_WRAP:-}" ] || nm "$BUILD/quire" 2>/dev/null | grep -q __asan_init; then
    echo "ok - out of memory under ulimit -v # SKIP sanitizer or valgrind build"
else
    expect "a good render before the memory limit" 0 - $QUIRE render -t $TMP/ok.md -o $TMP/out/mem.pdf
    cp $TMP/out/mem.pdf $TMP/prev.pdf
    ooms=0
    for kb in 30000 60000 100000; do
        (ulimit -v $kb; exec $QUIRE render -t $TMP/rows.md -o $TMP/out/mem.pdf) >$TMP/last.out 2>$TMP/last.err
        rc=$?
        name="10,000-row table under ulimit -v $kb"
        if [ $rc = 3 ]; then
            ooms=$((ooms + 1))
            if [ "$(wc -l <$TMP/last.err)" = 1 ] && grep -qE '^quire: error: out of memory \([0-9]+ bytes\)$' $TMP/last.err; then
                ok "$name: exit 3, one line"
            else
                not_ok "$name: exit 3, one line" "$(head -3 $TMP/last.err)"
            fi
            cmp -s $TMP/out/mem.pdf $TMP/prev.pdf && ok "$name: previous PDF intact" || not_ok "$name: previous PDF intact"
        elif [ $rc = 0 ]; then
            ok "$name: fits (exit 0)"
            cp $TMP/out/mem.pdf $TMP/prev.pdf
        else
            not_ok "$name: exit 3 or 0" "exit $rc" "$(head -3 $TMP/last.err)"
        fi
    done
    [ $ooms -ge 1 ] && ok "the memory limit was reached ($ooms of 3)" || not_ok "the memory limit was reached (0 of 3)"
fi

# Strings over libharu's 64 KB limit: a chart of 6 series x 1000 points
# (within docs/charts.md's limits) has about 90 KB of alt text; a heading
# of 70 KB is the PDF's title and an outline entry.
python3 - $TMP/chart.md $TMP/longhead.md <<'PY'
import sys
lines = ["# Six series", "", "```chart", "type: line", "title: Six series of a thousand points", "unit: cases"]
for s in range(6):
    lines.append("line: Series %d" % (s + 1))
    lines += ["point: P%d | %d" % (i + 1, (i * 7 + s * 13) % 97) for i in range(1000)]
open(sys.argv[1], "w").write("\n".join(lines + ["```", ""]))
open(sys.argv[2], "w").write("# " + " ".join("heading%05d" % i for i in range(6000)) + "\n\nText.\n")
PY
expect "chart of 6 x 1000 points" 0 - $QUIRE render -t $TMP/chart.md -o $TMP/chart.pdf
expect "heading of 70 KB" 0 - $QUIRE render -t $TMP/longhead.md -o $TMP/longhead.pdf
longest() { # longest FILE KEY: the longest value of /KEY in qpdf's JSON
    qpdf --json "$1" 2>/dev/null | python3 -c '
import json, sys
key = sys.argv[1]
best = 0
def walk(o):
    global best
    if isinstance(o, dict):
        for k, v in o.items():
            if k == key and isinstance(v, str): best = max(best, len(v))
            walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
walk(json.load(sys.stdin))
print(best)' "$2"
}
n=$(longest $TMP/chart.pdf /Alt)
[ "${n:-0}" -gt 65536 ] && ok "the chart's alt text is whole ($n characters)" || not_ok "the chart's alt text is whole" "longest /Alt: ${n:-none}"
n=$(longest $TMP/longhead.pdf /Title)
[ "${n:-0}" -gt 65536 ] && ok "a 70 KB title and outline entry are whole ($n characters)" || not_ok "a 70 KB title is whole" "longest /Title: ${n:-none}"

# A long committee name is never cut, least of all inside a character:
# three-byte characters after 0, 1 and 2 letters of padding would put any
# fixed-size cut inside a character at least once.
for pad in 0 1 2; do
    python3 - $pad $TMP/long$pad.json <<'PY'
import json, os, sys
m = json.load(open("samples/meetings/scrutiny-panel-2022-06-08.json"))
m["committee"] = "Pwyllgor" + "x" * int(sys.argv[1]) + " \u2013 " + "\u20ac\u2713" * 60
for it in m["items"]:
    # the item's paper and its paper appendices
    for p in [it.get("paper", {})] + [a.get("paper", {}) for a in it.get("appendices", [])]:
        for k in ("data", "template"):
            if k in p:
                p[k] = os.path.abspath(os.path.join("samples/meetings", p[k]))
json.dump(m, open(sys.argv[2], "w"), ensure_ascii=False)
PY
    expect "pack with a long committee name ($pad)" 0 - $QUIRE pack $TMP/long$pad.json -o $TMP/long$pad.pdf
    if pdfinfo $TMP/long$pad.pdf 2>/dev/null | sed -n 's/^Title: *//p' | python3 -c '
import sys
t = sys.stdin.buffer.read().decode("utf-8").strip()
ok = t.endswith("\u20ac\u2713 \u2013 8 June 2022: agenda pack") and "\ufffd" not in t and t.count("\u20ac\u2713") == 60
sys.exit(0 if ok else 1)'; then
        ok "long committee name ($pad): the title holds the whole name"
    else
        not_ok "long committee name ($pad): the title holds the whole name" "$(pdfinfo $TMP/long$pad.pdf 2>&1 | grep Title | tail -c 60)"
    fi
done

# SOURCE_DATE_EPOCH that no PDF date can state is ignored with a warning;
# the date then comes from the data, and is never malformed.
info_dates() { # info_dates FILE: the raw Info dates, one a line
    pdfinfo -rawdates "$1" 2>/dev/null | sed -n 's/^\(CreationDate\|ModDate\): *//p'
}
CAB=samples/cabinet-ofsted-working-group.json
for bad in -1 abc 12abc ' 12' 99999999999999999999 253402300800; do
    SOURCE_DATE_EPOCH="$bad" $QUIRE render $CAB -t templates/cabinet-report.md -o $TMP/epoch.pdf >$TMP/last.out 2>$TMP/last.err
    rc=$?
    name="SOURCE_DATE_EPOCH='$bad'"
    [ $rc = 0 ] && ok "$name: renders" || not_ok "$name: renders" "exit $rc" "$(head -3 $TMP/last.err)"
    contains "$name: warning" $TMP/last.err "warning: SOURCE_DATE_EPOCH '$bad"
    dates=$(info_dates $TMP/epoch.pdf | sort -u)
    [ "$dates" = "D:20180621000000Z" ] && ok "$name: the data's date, well formed" || not_ok "$name: the data's date, well formed" "got: $dates"
done
SOURCE_DATE_EPOCH=253402300799 $QUIRE render -t $TMP/ok.md -o $TMP/epoch.pdf 2>$TMP/last.err
dates=$(info_dates $TMP/epoch.pdf | sort -u)
[ "$dates" = "D:99991231235959Z" ] && ok "SOURCE_DATE_EPOCH at the end of 9999 is kept" || not_ok "SOURCE_DATE_EPOCH at the end of 9999 is kept" "got: $dates"
SOURCE_DATE_EPOCH=253402300800 $QUIRE pack samples/meetings/cabinet-2018-06-21.json -o $TMP/epoch-pack.pdf 2>$TMP/last.err
contains "pack: SOURCE_DATE_EPOCH beyond 9999 warned" $TMP/last.err "warning: SOURCE_DATE_EPOCH '253402300800'"
dates=$(info_dates $TMP/epoch-pack.pdf | sort -u)
[ "$dates" = "D:20180621000000Z" ] && ok "pack: the meeting's date instead" || not_ok "pack: the meeting's date instead" "got: $dates"

finish
