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
finish
