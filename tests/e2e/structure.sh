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
find_pikepdf
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

# The agenda's links say where they go, in words (item 9a, to follow,
# makes the agenda two pages: item 8 starts on page 4, and its paper of
# three pages is followed by its appendices, the four-page letter A and the
# one-page exempt table B; tests/e2e/pack.sh reads those pages back). An
# appendix line restates its bookmark's title once, not twice.
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
        "Item 8: Children’s Services Improvement Plan: progress report, pages 4 to 11"
    contains "appendix link names its appendix and pages" $TMP/contents.txt \
        "Appendix A: Ofsted focused visit letter, pages 7 to 10"
    contains "exempt appendix link says so, with its page" $TMP/contents.txt \
        "Appendix B: Placement costs by provider (exempt), page 11"
    lacks "an appendix link does not repeat its title" $TMP/contents.txt "appendix A –"
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
# A paper whose Document holds more children than the PDF library's arrays
# take (8,191): 45,000 short paragraphs used to end in the PDF stage with
# exit 3. Their P elements are now grouped in Divs, every one still in the
# tree, in order, and the tree passes the checker.
python3 -c "
print('# Many paragraphs\n')
for i in range(45000): print('Paragraph %d.\n' % i)
" >$TMP/many.md
expect_exit "45,000 paragraphs: exit 0" 0 $QUIRE render -t $TMP/many.md -o $TMP/many.pdf
if [ -f $TMP/many.pdf ]; then
    structure "45,000 paragraphs" $TMP/many.pdf
    "$PY" - $TMP/many.pdf >$TMP/many.out 2>&1 <<'PY'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
ps, divs, widest = [], 0, 0
def walk(e):
    global divs, widest
    k = e.get("/K")
    kids = list(k) if isinstance(k, pikepdf.Array) else [k] if k is not None else []
    widest = max(widest, len(kids))
    s = str(e.get("/S", ""))
    if s == "/Div": divs += 1
    if s == "/P": ps.append(e)
    for c in kids:
        if isinstance(c, pikepdf.Dictionary) and "/S" in c: walk(c)
walk(pdf.Root.StructTreeRoot)
print(len(ps), divs, widest)
PY
    read -r np nd nw <$TMP/many.out
    [ "${np:-0}" = 45000 ] && ok "45,000 paragraphs: 45,000 P elements in the tree" || not_ok "45,000 paragraphs: 45,000 P elements in the tree" "$(cat $TMP/many.out | head -3)"
    [ "${nd:-0}" -ge 11 ] && [ "${nw:-99999}" -le 8191 ] && ok "45,000 paragraphs: grouped in Divs, no array over 8,191 ($nd Divs, widest $nw)" || not_ok "45,000 paragraphs: grouped in Divs" "$(cat $TMP/many.out | head -3)"
    last=$(pdfinfo $TMP/many.pdf | awk '/^Pages:/ { print $2 }')
    pdftotext -f "${last:-0}" -l "${last:-0}" $TMP/many.pdf - | grep -q "Paragraph 44999\." && ok "45,000 paragraphs: the last on the last page" || not_ok "45,000 paragraphs: the last on the last page"
fi
rm -f $TMP/many.md $TMP/many.pdf
# One Link element per link: two links to one address in a paragraph are
# two elements, each with its own annotation; a link broken across lines is
# one element holding an annotation for each line. Strikethrough is still
# drawn: the struck paragraph's page strokes one more line than the same
# paragraph without it.
cat >$TMP/links.md <<'EOF'
# Links

See [the report](https://example.org/r) and then [the same report again](https://example.org/r) today.

A long link: [this link text is deliberately long so that it has to break across two lines of the paragraph somewhere in the middle](https://example.org/long) and done.

Words with ~~old words~~ struck.
EOF
sed 's/~~//g' $TMP/links.md >$TMP/nostrike.md
expect_exit "links: renders" 0 $QUIRE render -t $TMP/links.md -o $TMP/links.pdf
expect_exit "links: renders without the strikethrough" 0 $QUIRE render -t $TMP/nostrike.md -o $TMP/nostrike.pdf
if "$PY" - "$TMP/links.pdf" "$TMP/nostrike.pdf" >$TMP/links.txt 2>&1 <<'PY'
import sys, pikepdf

def links(pdf):
    """The URIs of its OBJR annotations, for every Link element in order."""
    out = []
    def walk(e):
        if e.get("/S") == "/Link":
            k = e.K
            kids = list(k) if isinstance(k, pikepdf.Array) else [k]
            out.append([str(x.Obj.A.URI) for x in kids
                        if isinstance(x, pikepdf.Dictionary)
                        and x.get("/Type") == "/OBJR"])
        k = e.get("/K")
        for x in (k if isinstance(k, pikepdf.Array) else [k]):
            if isinstance(x, pikepdf.Dictionary) and "/S" in x:
                walk(x)
    walk(pdf.Root.StructTreeRoot)
    return out

def strokes(pdf):
    return sum(1 for _, op in pikepdf.parse_content_stream(pdf.pages[0])
               if str(op) == "S")

pdf = pikepdf.open(sys.argv[1])
for uris in links(pdf):
    print("link", len(uris), " ".join(uris))
print("strokes", strokes(pdf) - strokes(pikepdf.open(sys.argv[2])))
PY
then
    [ "$(grep -c '^link 1 https://example.org/r$' $TMP/links.txt)" = 2 ] \
        && ok "two links to one address: two Link elements, one annotation each" \
        || not_ok "two links to one address: two Link elements, one annotation each" "$(cat $TMP/links.txt)"
    contains "a link on two lines: one Link element, two annotations" \
        $TMP/links.txt "link 2 https://example.org/long https://example.org/long"
    [ "$(grep -c '^link ' $TMP/links.txt)" = 3 ] && ok "three Link elements in all" \
        || not_ok "three Link elements in all" "$(cat $TMP/links.txt)"
    contains "strikethrough drawn: one more stroked line" $TMP/links.txt "strokes 1"
else
    not_ok "read the links' structure" "$(head -5 $TMP/links.txt)"
fi
structure "links" "$TMP/links.pdf"
finish
