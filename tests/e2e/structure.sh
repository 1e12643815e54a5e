#!/usr/bin/env bash
# End-to-end: the structure tree as an independent reader (pikepdf) sees it.
# Every sample paper (rendered with its template, scripts/samples.sh) and
# every sample meeting pack, full and --public, goes through
# tests/structure_check.py: MCIDs owned once, ParentTree consistent, links
# described and tied to Link elements, Figures and Links with /Alt, outline
# destinations direct, /ParentTreeNextKey, Info dates as PDF/UA readers
# expect them.
. "$(dirname "$0")/lib.sh"
. scripts/samples.sh

# pikepdf comes from Debian (python3-pikepdf, scripts/deps.sh): a python3
# earlier on PATH (pyenv, a virtualenv) may not see it.
PY=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import pikepdf' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
    not_ok "pikepdf available (Debian package python3-pikepdf; make deps)"
    finish
fi

# structure NAME FILE: forward the checker's ok/not ok lines
structure() {
    local out rc
    out=$("$PY" tests/structure_check.py "$2" 2>&1); rc=$?
    echo "$out"
    if [ $rc != 0 ]; then
        FAILS=$((FAILS + 1))
        echo "$out" | grep -q '^not ok' || echo "not ok - structure of $1 (exit $rc)"
    fi
}

n=0
for f in samples/*.json; do
    name=$(basename "$f" .json)
    tpl=$(template_for "$f")
    [ -n "$tpl" ] && [ -f "$tpl" ] || continue
    expect_exit "renders: $name" 0 $QUIRE render "$f" -t "$tpl" -o "$TMP/$name.pdf"
    [ -f "$TMP/$name.pdf" ] && structure "$name" "$TMP/$name.pdf" && n=$((n + 1))
done
[ $n -ge 5 ] && ok "checked $n sample papers" || not_ok "checked $n sample papers (expected at least 5)"

p=0
for f in samples/meetings/*.json; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .json)
    expect_exit "pack renders: $name" 0 $QUIRE pack "$f" -o "$TMP/pack-$name.pdf"
    [ -f "$TMP/pack-$name.pdf" ] && structure "pack-$name" "$TMP/pack-$name.pdf"
    expect_exit "public pack renders: $name" 0 $QUIRE pack "$f" --public -o "$TMP/public-$name.pdf"
    [ -f "$TMP/public-$name.pdf" ] && structure "public-$name" "$TMP/public-$name.pdf"
    if grep -q '"proceedings"' "$f"; then
        expect_exit "minutes render: $name" 0 $QUIRE minutes "$f" -o "$TMP/minutes-$name.pdf"
        [ -f "$TMP/minutes-$name.pdf" ] && structure "minutes-$name" "$TMP/minutes-$name.pdf"
    fi
    p=$((p + 1))
done
[ $p -ge 1 ] && ok "checked $p meetings' packs" || not_ok "no sample meeting found"

# The agenda's links say where they go, in words.
if "$PY" - "$TMP/pack-cabinet-2018-06-21.pdf" >$TMP/contents.txt 2>&1 <<'PY'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
for page in pdf.pages:
    for a in page.obj.get("/Annots", []):
        if "/Contents" in a:
            print(str(a.Contents))
PY
then
    contains "agenda link names its item and pages" $TMP/contents.txt \
        "Item 8: Children’s Services Improvement Plan: progress report, pages 3 to 5"
    contains "mail link names its address" $TMP/contents.txt "mailto:"
else
    not_ok "read the pack's link descriptions" "$(head -5 $TMP/contents.txt)"
fi

# The checker finds what it is for: a PDF with an indirect outline
# destination, an outline /Type, a link without /Contents and no
# ParentTreeNextKey fails.
if "$PY" - "$TMP/pack-cabinet-2018-06-21.pdf" "$TMP/broken.pdf" 2>$TMP/broken.err <<'PY'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
first = pdf.Root.Outlines.First
first.Type = pikepdf.Name.Outlines
first.Dest = pdf.make_indirect(pikepdf.Array(list(first.Dest)))
for page in pdf.pages:
    for a in page.obj.get("/Annots", []):
        if "/Contents" in a:
            del a["/Contents"]
if "/ParentTreeNextKey" in pdf.Root.StructTreeRoot:
    del pdf.Root.StructTreeRoot["/ParentTreeNextKey"]
pdf.save(sys.argv[2])
PY
then
    "$PY" tests/structure_check.py $TMP/broken.pdf >$TMP/broken.out 2>&1
    rc=$?
    if [ $rc = 1 ] && [ "$(grep -c '^not ok' $TMP/broken.out)" -ge 3 ]; then
        ok "checker rejects a PDF with the faults it looks for"
    else
        not_ok "checker rejects a PDF with the faults it looks for" "exit $rc" "$(head -10 $TMP/broken.out)"
    fi
else
    not_ok "make a broken PDF for the checker" "$(head -5 $TMP/broken.err)"
fi
finish
