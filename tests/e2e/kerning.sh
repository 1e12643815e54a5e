#!/usr/bin/env bash
# End-to-end checks of kerning: the font's kerning pairs ("AV", "To",
# "Wa") are drawn closer than their advances in headings and body (TJ
# arrays in the uncompressed content stream), and text extraction and the
# structure tree still read every word exactly.
. "$(dirname "$0")/lib.sh"
cat >$TMP/k.md <<'MD'
# AVAILABLE Today: Wales

To Wales, AVery Yearly Tour of Water and Vault; LTA and P.T. Jones.

| Ref | Action |
| --- | --- |
| To | Wales AV |
MD
expect_exit "kerning sample renders" 0 $QUIRE render -t $TMP/k.md -o $TMP/k.pdf
qpdf --qdf --object-streams=disable $TMP/k.pdf $TMP/kq.pdf >/dev/null 2>&1
if out=$(python3 - $TMP/kq.pdf <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().decode("latin-1")
# TJ arrays of hex two-byte CIDs (qpdf writes strings as <hex>)
pairs = {}
for arr in re.findall(r"\[([^\]]*)\]\s*TJ", data):
    parts = re.findall(r"<([0-9a-fA-F]*)>|(-?\d+(?:\.\d+)?)", arr)
    prev = None
    for hexs, num in parts:
        if hexs:
            cps = [int(hexs[i:i + 4], 16) for i in range(0, len(hexs), 4)]
            if prev and cps:
                pairs.setdefault(chr(prev[0]) + chr(cps[0]), []).append(prev[1])
            prev = (cps[-1], 0) if cps else prev
        elif prev:
            prev = (prev[0], float(num))
bad = [p for p in ("AV", "To", "Wa") if not any(k > 0 for k in pairs.get(p, []))]
if bad:
    print("not kerned:", bad, sorted(pairs)[:20]); sys.exit(1)
print(", ".join("%s %g" % (p, max(pairs[p])) for p in ("AV", "To", "Wa")))
PY
); then ok "kerning pairs drawn closer than their advances ($out)"
else not_ok "kerning pairs drawn closer than their advances" "$out"; fi
# a heading (bold) kerns too: "AV" of AVAILABLE is in the heading's text
if grep -a -q "BDC" $TMP/kq.pdf && python3 - $TMP/kq.pdf <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().decode("latin-1")
m = re.search(r"/H1 <</MCID \d+>> BDC(.*?)EMC", data, re.S)
sys.exit(0 if m and re.search(r"\] ?TJ", m.group(1)) else 1)
PY
then ok "the heading is kerned"; else not_ok "the heading is kerned"; fi
pdftotext -raw $TMP/k.pdf $TMP/k.txt
for s in "AVAILABLE Today: Wales" "To Wales, AVery Yearly Tour of Water and Vault; LTA and P.T. Jones." "To Wales AV"; do
    contains "pdftotext reads '$s'" $TMP/k.txt "$s"
done
pdfinfo -struct-text $TMP/k.pdf >$TMP/k.struct 2>&1
contains "structure tree reads the heading" $TMP/k.struct "AVAILABLE Today: Wales"
contains "structure tree reads the paragraph" $TMP/k.struct "To Wales, AVery Yearly Tour of Water and Vault; LTA and P.T. Jones."

# what layout measured is what the PDF draws: every one-word text item of
# the sample progress paper ends where pdftotext finds the word's end
S=samples/progress-harwood-action-plan.json
$QUIRE render $S -t templates/progress-report.md --dump=pages >$TMP/s.dump 2>/dev/null
$QUIRE render $S -t templates/progress-report.md -o $TMP/s.pdf 2>/dev/null
pdftotext -bbox $TMP/s.pdf $TMP/s.html
if out=$(python3 - $TMP/s.dump $TMP/s.html <<'PY'
import re, sys, html
items, page = {}, -1
for l in open(sys.argv[1], encoding="utf-8"):
    if l.startswith("page "):
        page += 1
        continue
    m = re.match(r'\s*text \S+ e-?\d+ (\S+) \S+ w(\S+) f\d+ s\S+ "(.*)"$', l)
    if m and m.group(3) and not re.search(r"[ \u00ad]", m.group(3)):
        items.setdefault((page, m.group(3)), []).append((float(m.group(1)), float(m.group(2))))
page, n, bad = -1, 0, []
for l in open(sys.argv[2], encoding="utf-8"):
    if "<page " in l:
        page += 1
        continue
    m = re.search(r'<word xMin="(\S+)" yMin="\S+" xMax="(\S+)" yMax="\S+">(.*)</word>', l)
    if not m:
        continue
    w = html.unescape(m.group(3))
    for x, ww in items.get((page, w), []):
        if abs(x - float(m.group(1))) < 0.05:
            n += 1
            if abs(float(m.group(2)) - (x + ww)) > 0.05:
                bad.append((w, round(float(m.group(2)) - x - ww, 3)))
if bad or n < 500:
    print(n, "words;", bad[:10]); sys.exit(1)
print(n)
PY
); then ok "kerned widths: $out words end where layout measured them (0.05 pt)"
else not_ok "kerned widths: words end where layout measured them" "$out"; fi
# The kerning tables `quire fonts` ships beside the executable (make,
# make install): a first run, its cache empty, reads them and shapes none
# of the common pairs, so it learns nothing to write back; the paper is the
# same as one whose pairs were shaped as met (the tables absent, or the
# cache off). A copy of quire in a folder of its own holds only what each
# check puts there.
mkdir -p $TMP/bin
cp $BUILD/quire $TMP/bin/quire
[ -f $BUILD/hyph_en_GB.dic.image ] && cp $BUILD/hyph_en_GB.dic.image $TMP/bin/
KQ="${QUIRE_WRAP:-} $TMP/bin/quire"
expect_exit "a first run without the tables renders" 0 env QUIRE_CACHE_DIR=$TMP/c0 $KQ render -t $TMP/k.md -o $TMP/k0.pdf
if ls $TMP/c0/kern-* >/dev/null 2>&1; then ok "  ... and learns its pairs into the cache"
else not_ok "  ... and learns its pairs into the cache" "$(ls $TMP/c0)"; fi
if ls $TMP/c0/metrics-* >/dev/null 2>&1; then ok "  ... and its faces' advances"
else not_ok "  ... and its faces' advances" "$(ls $TMP/c0)"; fi
expect_exit "quire fonts writes the tables" 0 env QUIRE_NO_CACHE=1 $KQ fonts --out $TMP/bin
n=$(ls $TMP/bin/kern-* 2>/dev/null | wc -l)
if [ "$n" -ge 4 ]; then ok "  ... one per kerned face of the house style ($n)"
else not_ok "  ... one per kerned face of the house style" "$(ls $TMP/bin)"; fi
n=$(ls $TMP/bin/metrics-* 2>/dev/null | wc -l)
if [ "$n" = 1 ]; then ok "  ... and the set's metrics"
else not_ok "  ... and the set's metrics" "$(ls $TMP/bin)"; fi
check "  ... and HarfBuzz's identity they are keyed by" test -s $TMP/bin/harfbuzz
expect_exit "a first run with the tables renders" 0 env QUIRE_CACHE_DIR=$TMP/c1 $KQ render -t $TMP/k.md -o $TMP/k1.pdf
if ls $TMP/c1/kern-* >/dev/null 2>&1; then not_ok "  ... and shapes no pair: nothing learned, no entry" "$(ls $TMP/c1)"
else ok "  ... and shapes no pair: nothing learned, no entry"; fi
if ls $TMP/c1/metrics-* >/dev/null 2>&1; then not_ok "  ... and measures no advance: no metrics entry" "$(ls $TMP/c1)"
else ok "  ... and measures no advance: no metrics entry"; fi
check "  ... and takes HarfBuzz's identity into its cache" cmp $TMP/bin/harfbuzz $TMP/c1/harfbuzz
check "  ... the same paper as without the tables" cmp $TMP/k0.pdf $TMP/k1.pdf
expect_exit "the cache off renders" 0 env QUIRE_NO_CACHE=1 $KQ render -t $TMP/k.md -o $TMP/k2.pdf
check "  ... the same paper as the cache off (which reads no table)" cmp $TMP/k0.pdf $TMP/k2.pdf
# a damaged table is read past: the run shapes its pairs as before
for f in $TMP/bin/kern-* $TMP/bin/metrics-*; do
    python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-100]^=0x55; open(p,"wb").write(b)' $f
done
expect_exit "a first run with damaged tables renders" 0 env QUIRE_CACHE_DIR=$TMP/c3 $KQ render -t $TMP/k.md -o $TMP/k3.pdf
if ls $TMP/c3/kern-* >/dev/null 2>&1; then ok "  ... reads past them and learns its pairs"
else not_ok "  ... reads past them and learns its pairs" "$(ls $TMP/c3)"; fi
if ls $TMP/c3/metrics-* >/dev/null 2>&1; then ok "  ... and measures its advances"
else not_ok "  ... and measures its advances" "$(ls $TMP/c3)"; fi
check "  ... the same paper" cmp $TMP/k0.pdf $TMP/k3.pdf
expect_exit "fonts without --out is a usage error" 2 $KQ fonts
finish
