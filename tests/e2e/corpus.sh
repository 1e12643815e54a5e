#!/usr/bin/env bash
# Every example of the CommonMark and GFM specs renders to a PDF without a
# crash (tests/corpus renders them in one process, which make asan runs under
# the sanitizers) and its text survives: every non-space character of the
# document's text appears, in order, in pdftotext's output. (-raw: content
# order; plain pdftotext would join a line ending in '-' with the next.)
. "$(dirname "$0")/lib.sh"
SPECS=tests/spec/commonmark
for spec in commonmark-spec gfm-spec gfm-extensions gfm-regression; do
    mkdir -p "$TMP/$spec"
    if ${QUIRE_WRAP:-} "$BUILD/tests/corpus" "$SPECS/$spec.txt" "$TMP/$spec" >"$TMP/$spec.log" 2>&1; then
        ok "$spec: $(tail -1 "$TMP/$spec.log")"
    else
        not_ok "$spec renders every example" "$(tail -15 "$TMP/$spec.log")"
    fi
    npdf=0
    for pdf in "$TMP/$spec"/*.pdf; do
        [ -e "$pdf" ] || continue
        npdf=$((npdf + 1))
        pdftotext -raw -enc UTF-8 "$pdf" "${pdf%.pdf}.got" 2>>"$TMP/$spec.poppler"
    done
    if out=$(python3 - "$TMP/$spec" <<'PY'
import os, sys
d = sys.argv[1]
ws = " \t\r\n\f\u00a0"
lost, n = [], 0
for f in sorted(os.listdir(d)):
    if not f.endswith(".want"):
        continue
    n += 1
    want = "".join(c for c in open(os.path.join(d, f), encoding="utf-8").read() if c not in ws)
    got = "".join(c for c in open(os.path.join(d, f[:-5] + ".got"), encoding="utf-8").read() if c not in ws)
    i = 0
    for ch in got:
        if i < len(want) and ch == want[i]:
            i += 1
    if i != len(want):
        lost.append("%s (lost from %r)" % (f[:-5], want[i:i + 20]))
if n == 0:
    print("no PDF rendered"); sys.exit(1)
if lost:
    print("\n".join(lost)); sys.exit(1)
print(n)
PY
    ); then ok "$spec: text of all $out examples survives into the PDF"
    else not_ok "$spec: text of every example survives into the PDF" "$out"; fi
    # silence over no PDF at all proves nothing
    if [ "$npdf" = 0 ]; then not_ok "$spec: poppler prints no warning" "no PDF was made in $TMP/$spec"
    elif [ -s "$TMP/$spec.poppler" ]; then not_ok "$spec: poppler prints no warning" "$(sort -u "$TMP/$spec.poppler" | head -5)"
    else ok "$spec: poppler prints no warning ($npdf PDFs)"; fi
done
finish
