#!/usr/bin/env bash
# End-to-end typesetting checks on the benchmark report and small documents:
# every word of the source comes back in reading order (none lost or
# doubled), the 40-row action table repeats its header on every page it
# spans, style options (justify, greedy, numbering, logo) work, images
# resolve against the template, and a character no font has is a warning
# at the template line.
. "$(dirname "$0")/lib.sh"
REPORT=tests/data/bench/report.md
PDF=$TMP/report.pdf
expect_exit "report.md renders" 0 $QUIRE render -t $REPORT -o $PDF
pdftotext -raw $PDF $TMP/report.txt 2>$TMP/poppler.err
[ -s $TMP/poppler.err ] && not_ok "poppler silent on report" "$(head -3 $TMP/poppler.err)" || ok "poppler silent on report"

# words of the source, in order, against the words of the PDF
if out=$(python3 - $REPORT $TMP/report.txt <<'PY'
import re, sys, difflib
src = open(sys.argv[1], encoding="utf-8").read()
words = []
for line in src.splitlines():
    if re.match(r"^\s*\|?\s*:?-{3,}", line):      # table delimiter row
        continue
    line = re.sub(r"^\s*#+\s+", "", line)           # heading marks
    line = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line)  # list markers
    line = re.sub(r"\\$", "", line)                # hard line break
    line = line.replace("**", "").replace("|", " ")
    line = re.sub(r"(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)", "", line)   # emphasis
    words += line.split()
pdf = open(sys.argv[2], encoding="utf-8").read()
toks = []
seen_header = False
for line in pdf.splitlines():
    if re.fullmatch(r"\s*Page \d+ of \d+\s*", line):
        continue
    if re.fullmatch(r"\s*Ref\s+Action\s+Owner\s+Due\s+Status\s*", line):
        if seen_header:          # the header row repeated on a new page
            continue
        seen_header = True
    t = line.split()
    if t and len(t) > 1 and (t[0] in ("•", "◦", "–") or re.fullmatch(r"\d+[.)]", t[0])):
        t = t[1:]                # list markers
    if toks and toks[-1].endswith("\u00ad") and t:
        toks[-1] = toks[-1][:-1] + t[0]                  # inserted hyphen
        t = t[1:]
    elif toks and toks[-1].endswith("-") and t and not toks[-1].endswith("--"):
        toks[-1] = toks[-1] + "\x00" + t[0]             # typed hyphen at a line end
        t = t[1:]
    toks += t
norm = lambda w: w.replace("-", "").replace("\x00", "")
a = [norm(w) for w in words]
b = [norm(w) for w in toks]
sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
bad = [op for op in sm.get_opcodes() if op[0] != "equal"]
if bad:
    for tag, i1, i2, j1, j2 in bad[:8]:
        print(tag, a[i1:i2][:8], "->", b[j1:j2][:8])
    sys.exit(1)
print(len(a))
PY
); then ok "all $out words of report.md in reading order, none lost or doubled"
else not_ok "words of report.md in reading order" "$out"; fi

# the 40-row action table: every page with table rows starts with the header
pages=$(pdfinfo $PDF | sed -n 's/^Pages: *//p')
rows_pages=""; bad=""
for p in $(seq 1 "$pages"); do
    pdftotext -f $p -l $p -layout $PDF $TMP/p.txt
    # a row: its ref, then a due month ("Apr 2025") before the status
    if grep -qE '^\s*[0-9]+\.[0-9]+\s+\S.*[A-Z][a-z]+ 20[0-9][0-9]\s+(Green|Amber|Red)\s*$' $TMP/p.txt; then
        rows_pages="$rows_pages $p"
        grep -qE '^\s*Ref\s+Action\s+Owner\s+Due\s+Status' $TMP/p.txt || bad="$bad $p"
    fi
done
n=$(echo $rows_pages | wc -w)
[ "$n" -ge 2 ] && [ -z "$bad" ] && ok "action table spans pages$rows_pages with the header row on each" \
    || not_ok "action table header repeated" "pages with rows:$rows_pages; without header:$bad"

# style options
cat >$TMP/long.md <<'MD'
# Options

## Summary

The Council’s post-inspection Action Plan sets out forty actions under the ten recommendations, each with a named owner, a completion date and a measure of impact, and the Improvement Board reviews it every month.

The Department for Education has appointed an improvement adviser, who attends the Improvement Board and meets the Executive Director each month to review progress.

## Recommendations

That Cabinet notes the progress made in delivering the post-inspection Action Plan.
MD
printf '{"paragraph": {"align": "justify"}, "numbering": {"sections": true, "paragraphs": true}}\n' >$TMP/justify.json
expect_exit "justified, numbered style renders" 0 $QUIRE render -t $TMP/long.md -s $TMP/justify.json -o $TMP/j.pdf
pdftotext -raw $TMP/j.pdf $TMP/j.txt
contains "section numbers from the style" $TMP/j.txt "1. Summary"
contains "paragraph numbers from the style" $TMP/j.txt "1.2"
contains "second section numbered" $TMP/j.txt "2. Recommendations"
$QUIRE render -t $TMP/long.md -s $TMP/justify.json --dump=pages >$TMP/j.pages
# justified: the first line of the first paragraph ends at the right margin
if python3 - $TMP/j.pages <<'PY'
import re, sys
ends = {}
for line in open(sys.argv[1]):
    m = re.match(r"\s+text P e(\d+) ([\d.]+) ([\d.]+) w([\d.]+)", line)
    if m:
        key = (m.group(1), m.group(3))
        ends[key] = max(ends.get(key, 0), float(m.group(2)) + float(m.group(4)))
right = 595.28 - 56.69
lines = sorted(ends.items(), key=lambda kv: float(kv[0][1]))
full = [e for (k, e) in lines if abs(e - right) < 0.05]
sys.exit(0 if len(full) >= 2 else 1)
PY
then ok "justified lines end at the right margin"; else not_ok "justified lines end at the right margin" "$(grep 'text P' $TMP/j.pages | head -5)"; fi
printf '{"paragraph": {"breaking": "greedy"}}\n' >$TMP/greedy.json
expect_exit "greedy breaking renders" 0 $QUIRE render -t $TMP/long.md -s $TMP/greedy.json -o $TMP/g.pdf

# images resolve against the template's directory; the style's logo
mkdir -p $TMP/tpl
python3 - $TMP/tpl/chart.png $TMP/tpl/logo.png <<'PY'
import struct, sys, zlib
def png(path, w, h):
    row = b"\0" + b"".join(bytes([30, 90 + x * 120 // w, 140]) for x in range(w))
    raw = row * h
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
png(sys.argv[1], 400, 200)
png(sys.argv[2], 300, 100)
PY
printf '# Figures\n\nCaseloads fell this year.\n\n![Average caseload by month](chart.png)\n' >$TMP/tpl/fig.md
printf '{"logo": {"file": "logo.png", "width": "40mm"}}\n' >$TMP/tpl/style.json
here=$PWD
(cd / && ${QUIRE_WRAP:-} "$here/$BUILD/quire" render -t $TMP/tpl/fig.md -s $TMP/tpl/style.json -o $TMP/fig.pdf) >$TMP/fig.err 2>&1 \
    && ok "image beside the template renders from another directory" || not_ok "image beside the template renders" "$(cat $TMP/fig.err)"
n=$(pdfimages -list $TMP/fig.pdf 2>/dev/null | grep -c ' image ')
[ "$n" = 2 ] && ok "figure and logo embedded" || not_ok "figure and logo embedded" "images: $n"
$QUIRE render -t $TMP/tpl/fig.md -s $TMP/tpl/style.json --dump=pages >$TMP/fig.pages
contains "figure carries its alt text" $TMP/fig.pages 'alt="Average caseload by month"'

# a character no font has: a warning at the template line, text kept
printf '# Glyphs\n\nA Thai letter \xe0\xb8\x81 has no face here.\n\nPhone \xe2\x98\x8e and mail \xe2\x9c\x89 use the fallback.\n' >$TMP/glyph.md
expect_exit "missing glyph still renders" 0 $QUIRE render -t $TMP/glyph.md -o $TMP/glyph.pdf
contains "missing glyph warning names the template line" $TMP/last.err "glyph.md:3:"
contains "missing glyph warning names the character" $TMP/last.err "U+0E01"
lacks "fallback glyphs give no warning" $TMP/last.err "U+260E"
pdffonts $TMP/glyph.pdf >$TMP/glyph.fonts
contains "fallback face embedded for ☎" $TMP/glyph.fonts "DejaVuSans"

# RAG status: a swatch of the style's colour beside the word, never instead
count_swatches() { grep -cE '^  rect Artifact e-1 [0-9.]+ [0-9.]+ 7\.56 x 7\.56 fill' "$1"; }
$QUIRE render -t tests/golden/table.md --dump=pages >$TMP/marks.pages
[ "$(count_swatches $TMP/marks.pages)" = 3 ] && ok "a status swatch beside each RAG word" \
    || not_ok "a status swatch beside each RAG word" "found $(count_swatches $TMP/marks.pages)"
grep -q '"Amber"' $TMP/marks.pages && ok "the status word stays beside its swatch" || not_ok "the status word stays"
printf '{"status": {"marks": false}}\n' >$TMP/nomarks.json
$QUIRE render -t tests/golden/table.md -s $TMP/nomarks.json --dump=pages >$TMP/nomarks.pages
[ "$(count_swatches $TMP/nomarks.pages)" = 0 ] && ok "status.marks false draws no swatches" || not_ok "status.marks false draws no swatches"

# a heading family of its own, resolved through fontconfig like the body's
printf '{"fonts": {"heading": "DejaVu Serif"}}\n' >$TMP/serif.json
expect_exit "style with a heading family renders" 0 $QUIRE render -t $TMP/long.md -s $TMP/serif.json -o $TMP/serif.pdf
pdffonts $TMP/serif.pdf >$TMP/serif.fonts
contains "headings in the heading family" $TMP/serif.fonts "DejaVuSerif-Bold"
contains "body still in the body family" $TMP/serif.fonts "LiberationSans"

# libharu 2.3.0 failed to save a font whose rebuilt data ended exactly on a
# 4096-byte chunk after an empty table; Quire now embeds font programs
# itself, and this paper (which hit that case) must still render
expect_exit "font data ending on a libharu chunk boundary still renders" 0 \
    $QUIRE render -t tests/data/libharu-seek-at-chunk-end.md -o $TMP/seek.pdf
check "that PDF passes qpdf --check" qpdf --check $TMP/seek.pdf

# an error in a later stage (a bad chart line) points at the template and
# writes no PDF
printf '# Chart\n\n```chart\ntype: bar\nbar: Red | four | red\n```\n' >$TMP/badchart.md
expect_exit "bad chart block exits 1" 1 $QUIRE render -t $TMP/badchart.md -o $TMP/badchart.pdf
contains "bad chart names the template line" $TMP/last.err "badchart.md:5:"
[ ! -e $TMP/badchart.pdf ] && ok "no PDF after a chart error" || not_ok "no PDF after a chart error"
# a hyphen layout inserts is U+00AD in the text: the structure tree (what a
# screen reader reads) has each broken word whole, the page shows a hyphen
pdfinfo -struct-text $PDF >$TMP/struct.txt 2>/dev/null
if out=$(python3 - $TMP/report.txt $TMP/struct.txt <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read().split("\n")
tree = open(sys.argv[2], encoding="utf-8").read()
broken = [(a.split()[-1][:-1], b.split()[0]) for a, b in zip(page, page[1:])
          if a.endswith("\u00ad") and a.split() and b.split()]
if len(broken) < 5:
    print("only %d hyphenated line ends" % len(broken)); sys.exit(1)
for a, b in broken:
    if re.search(r"\w", b[:1]) is None: continue
    head, tail = re.sub(r"^\W+", "", a), re.sub(r"\W+$", "", b)
    if head + "\u00ad" + tail not in tree and head + tail not in tree:
        print("not whole in the structure tree:", head, tail); sys.exit(1)
    if head + "-" + tail in tree:
        print("hyphen kept in the structure tree:", head, tail); sys.exit(1)
print(len(broken))
PY
); then ok "$out words broken at line ends read whole in the structure tree"
else not_ok "inserted hyphens are soft in the text" "$out"; fi


# symbols the body face lacks, in a chart's title and labels, come from the
# fallback face as in paragraphs (they were drawn as nothing)
printf '# Chart\n\n```chart\ntype: bar\ntitle: Done \xe2\x9c\x93 and phone \xe2\x98\x8e\nbar: Done \xe2\x9c\x93 | 3 | green\nbar: Open | 2 | amber\n```\n' >$TMP/symbols.md
expect_exit "a chart with symbols renders" 0 $QUIRE render -t $TMP/symbols.md -o $TMP/symbols.pdf
pdffonts $TMP/symbols.pdf >$TMP/symbols.fonts 2>&1
contains "the chart's symbols come from the fallback face" $TMP/symbols.fonts "DejaVuSans"
contains "the chart's bold title symbols from the bold fallback" $TMP/symbols.fonts "DejaVuSans-Bold"
# HarfBuzz, its subsetter and fontconfig (with GLib, FreeType and six more
# shared objects) are opened when a paper is first typeset, on render's
# warm-up thread: linked in, they were loaded before main on every run
# (0.6 ms of a 9 ms render). The program's own NEEDED entries are what we
# link; a PDF render still finds them (above: every paper's fonts).
needed=$(objdump -p "$BUILD/quire" | awk '$1 == "NEEDED" { print $2 }')
if printf '%s\n' "$needed" | grep -q 'libharfbuzz\|libfontconfig\|libglib'; then
    not_ok "quire does not link HarfBuzz or fontconfig (opened on first use)" "$needed"
else
    ok "quire does not link HarfBuzz or fontconfig (opened on first use)"
fi
printf '# Plain\n\nA paragraph.\n' >$TMP/plain.md
LD_DEBUG=files $BUILD/quire render -t $TMP/plain.md -o $TMP/plain.html 2>$TMP/plain.ld
if grep -q 'file=libharfbuzz' $TMP/plain.ld; then
    not_ok "an HTML copy, which sets no type, never loads HarfBuzz"
else
    ok "an HTML copy, which sets no type, never loads HarfBuzz"
fi
QUIRE_CACHE_DIR=$TMP/hb-fresh LD_DEBUG=files $BUILD/quire render -t $TMP/plain.md -o $TMP/plain.pdf 2>$TMP/plain-pdf.ld
contains "a PDF render with an empty cache opens HarfBuzz itself" $TMP/plain-pdf.ld "file=libharfbuzz.so"
# a warm run takes its font resolution from the cache: fontconfig is never
# loaded (a first run of a quire with no resolution shipped beside it loads
# it to guess and to check its fonts)
QUIRE_CACHE_DIR=$TMP/fl-cache $BUILD/quire render -t $TMP/plain.md -o $TMP/plain.pdf 2>/dev/null
QUIRE_CACHE_DIR=$TMP/fl-cache LD_DEBUG=files $BUILD/quire render -t $TMP/plain.md -o $TMP/plain.pdf 2>$TMP/warm.ld
if grep -q 'file=libfontconfig' $TMP/warm.ld; then
    not_ok "a warm render never loads fontconfig"
else
    ok "a warm render never loads fontconfig"
fi
# A warm render takes every measure from the cache (each face's metrics
# and kerning, each subset with what the PDF says of it, under HarfBuzz's
# identity): HarfBuzz is never loaded, and the PDF is the one the cache off
# gives. Whatever the cache lacks loads it again, and the answer is the same.
hb_loads() {  # NAME CACHE PDF ARGS...: whether the render loaded HarfBuzz
    local name=$1 cache=$2 pdf=$3; shift 3
    QUIRE_CACHE_DIR=$cache LD_DEBUG=files $BUILD/quire render "$@" -o $pdf 2>$TMP/hb.ld
    QUIRE_NO_CACHE=1 $BUILD/quire render "$@" -o $TMP/hb-off.pdf 2>/dev/null
    if cmp -s $pdf $TMP/hb-off.pdf; then ok "$name: the PDF the cache off gives"
    else not_ok "$name: the PDF the cache off gives" "$pdf differs"; fi
    grep -q 'file=libharfbuzz\.so' $TMP/hb.ld
}
WC=$TMP/hb-warm
QUIRE_CACHE_DIR=$WC $BUILD/quire render -t $REPORT -o $TMP/hb1.pdf 2>/dev/null
if hb_loads "warm report" $WC $TMP/hb2.pdf -t $REPORT; then
    not_ok "a warm render of the report never loads HarfBuzz"
else
    ok "a warm render of the report never loads HarfBuzz"
fi
# Greek and Cyrillic (advances and pairs outside the common ones), and
# names with accents (pairs of Latin letters outside the common table)
printf '# Others\n\nThe words \316\221\316\270\316\256\316\275\316\261 and \320\234\320\276\321\201\320\272\320\262\320\260; Mr M\303\274ller met \305\201ukasz and Zo\303\253.\n' >$TMP/greek.md
if hb_loads "new letters" $WC $TMP/hb3.pdf -t $TMP/greek.md; then
    ok "letters the cache has not measured load HarfBuzz"
else
    not_ok "letters the cache has not measured load HarfBuzz"
fi
if hb_loads "new letters again" $WC $TMP/hb4.pdf -t $TMP/greek.md; then
    not_ok "measured once, they are in the cache: no HarfBuzz the next time"
else
    ok "measured once, they are in the cache: no HarfBuzz the next time"
fi
# a damaged metrics entry is read past, and written again
for m in $WC/metrics-*; do
    python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-20]^=0x55; open(p,"wb").write(b)' $m
done
if hb_loads "damaged metrics" $WC $TMP/hb5.pdf -t $REPORT; then
    ok "a damaged metrics entry is read past (HarfBuzz loaded to measure again)"
else
    not_ok "a damaged metrics entry is read past (HarfBuzz loaded to measure again)"
fi
# HarfBuzz is known by its libraries' paths and stamps: under
# LD_LIBRARY_PATH another copy is another HarfBuzz, and a copy whose stamp
# changed (an upgrade in place) is too
hb=$(ldconfig -p | sed -n 's/.*libharfbuzz\.so\.0 .*=> \(.*\)/\1/p' | head -1)
hbs=$(ldconfig -p | sed -n 's/.*libharfbuzz-subset\.so\.0 .*=> \(.*\)/\1/p' | head -1)
if [ -z "$hb" ] || [ -z "$hbs" ]; then
    skip "HarfBuzz's identity (ldconfig does not list libharfbuzz)"
else
    mkdir -p $TMP/hblib
    cp -L "$hb" $TMP/hblib/libharfbuzz.so.0
    cp -L "$hbs" $TMP/hblib/libharfbuzz-subset.so.0
    export LD_LIBRARY_PATH=$TMP/hblib
    if hb_loads "another HarfBuzz" $WC $TMP/hb6.pdf -t $REPORT &&
        grep -q "file=$TMP/hblib/libharfbuzz.so.0" $TMP/hb.ld; then
        ok "HarfBuzz from another folder is another HarfBuzz: loaded, from there"
    else
        not_ok "HarfBuzz from another folder is another HarfBuzz: loaded, from there"
    fi
    if hb_loads "another HarfBuzz, warm" $WC $TMP/hb7.pdf -t $REPORT; then
        not_ok "that HarfBuzz's own warm render loads none"
    else
        ok "that HarfBuzz's own warm render loads none"
    fi
    # HarfBuzz that will not load (a dependency broken) after the cache
    # was made: a warm render needs none; a paper needing a measure or a
    # subset the cache lacks fails closed, with no PDF
    printf 'not a library\n' >$TMP/hblib/libglib-2.0.so.0
    expect_exit "HarfBuzz broken: a warm render needs none" 0 \
        env QUIRE_CACHE_DIR=$WC $BUILD/quire render -t $REPORT -o $TMP/hb-broken.pdf
    check "  ... and gives the same PDF" cmp -s $TMP/hb-broken.pdf $TMP/hb7.pdf
    printf '# Plain\n\nA paper of other letters: Zyx.\n' >$TMP/other.md
    expect_exit "HarfBuzz broken: a paper the cache lacks a subset for fails" 3 \
        env QUIRE_CACHE_DIR=$WC $BUILD/quire render -t $TMP/other.md -o $TMP/hb-other.pdf
    contains "  ... naming HarfBuzz and why" $TMP/last.err "cannot load libharfbuzz.so.0"
    check "  ... and writes no PDF" test ! -e $TMP/hb-other.pdf
    printf '# Greek\n\n\316\251 \317\210.\n' >$TMP/omega.md
    expect_exit "HarfBuzz broken: a paper of letters not measured fails" 3 \
        env QUIRE_CACHE_DIR=$WC $BUILD/quire render -t $TMP/omega.md -o $TMP/hb-omega.pdf
    check "  ... and writes no PDF" test ! -e $TMP/hb-omega.pdf
    # the same letters as a paper the cache holds (its subset a hit) in
    # pairs it does not: the kerning unknown, the PDF is refused
    printf '# Z\n\nZo\303\253 Zo\303\253.\n' >$TMP/zoe1.md
    printf '# Z\n\nZ\303\253o Zo\303\253.\n' >$TMP/zoe2.md
    rm $TMP/hblib/libglib-2.0.so.0
    QUIRE_CACHE_DIR=$WC $BUILD/quire render -t $TMP/zoe1.md -o $TMP/zoe1.pdf 2>/dev/null
    printf 'not a library\n' >$TMP/hblib/libglib-2.0.so.0
    expect_exit "HarfBuzz broken: new pairs of letters the cache holds fail" 3 \
        env QUIRE_CACHE_DIR=$WC $BUILD/quire render -t $TMP/zoe2.md -o $TMP/hb-zoe2.pdf
    contains "  ... the paper's type cannot be set" $TMP/last.err "cannot set the paper's type"
    check "  ... and writes no PDF" test ! -e $TMP/hb-zoe2.pdf
    rm $TMP/hblib/libglib-2.0.so.0
    touch -d '2001-02-03 04:05:06' $TMP/hblib/libharfbuzz-subset.so.0
    if hb_loads "HarfBuzz's stamp changed" $WC $TMP/hb8.pdf -t $REPORT; then
        ok "a HarfBuzz library whose stamp changed is another HarfBuzz"
    else
        not_ok "a HarfBuzz library whose stamp changed is another HarfBuzz"
    fi
    unset LD_LIBRARY_PATH
fi
rm -rf $TMP/fl-cache
mkdir -p $TMP/bare && cp $BUILD/quire $TMP/bare/quire
QUIRE_CACHE_DIR=$TMP/fl-cache LD_DEBUG=files $TMP/bare/quire render -t $TMP/plain.md -o $TMP/plain.pdf 2>$TMP/first.ld
contains "a first run with nothing shipped loads fontconfig" $TMP/first.ld "file=libfontconfig.so"
finish
