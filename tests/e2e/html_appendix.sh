#!/usr/bin/env bash
# End-to-end: appendices in the agenda pack as HTML pages (pack --html).
# A meeting whose item 2 has four appendices (A a two-page PDF letter with
# a landscape page, B a PDF plan carrying JavaScript, an /OpenAction, a
# Launch action, a link annotation and an embedded file, C an open Quire
# paper, D an exempt PDF, F a PDF published later on its own, whose file
# does not exist yet) and whose exempt item 3 has one (E) is packed as
# HTML, full and public, and read back: the item's page lists its
# appendices in order, each linked to a file that is there; a paper
# appendix is a page of its own with its paper's text, the pack's marks
# and the way back to its item; a PDF appendix is a copy made by the
# pack's own import and writer (qpdf --check, the source's page count and
# text, nothing active of the source, a tagged source's structure kept,
# never the source's bytes); the agenda lists them as the PDF agenda does;
# a public pack names an exempt appendix with the notice's words and no
# link, and never opens its file (the folder is identical with the file
# deleted); an exempt item's appendices are not listed in public at all.
# Every check fails on a Quire whose HTML pages leave appendices out.
. "$(dirname "$0")/lib.sh"

Q="${QUIRE_WRAP:-} $BIN"

# pikepdf writes the test PDFs and reads their structure
need_pikepdf

D=$TMP/m
mkdir -p "$D/open" "$D/exempt"
"$PY" - "$D" <<'PY'
import sys, pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String
d = sys.argv[1]
sys.path.insert(0, "tests/e2e")
from pdfmake import maker, active
make = maker(d)
make("letter.pdf", [(595, 842, "Ofsted letter qzxLetterOne"), (842, 595, "Landscape table qzxLandscape")])
make("plan.pdf", [(595, 842, "Improvement plan qzxPlan")], active)
make("case.pdf", [(595, 842, "Case summary qzxCaseCanary")])
make("exempt/contract.pdf", [(595, 842, "Contract terms qzxContractCanary")])
PY
printf '# Ofsted monitoring visit\n\nThe letter is at appendix A. qzxItemPaper\n' >"$D/paper.md"
printf '# Contract award\n\nThe terms are at appendix E. qzxExemptItem\n' >"$D/exempt/contract.md"
printf '# Monitoring visit findings\n\nLeaders know their services well. qzxFindingsCanary\n' >"$D/open/findings.md"
cat >"$D/m.json" <<'EOF'
{"council": "Walsall Council", "committee": "Cabinet", "date": "2018-06-21",
 "time": "18:00", "venue": "Council House",
 "membership": {"members": ["Councillor Bird"]}, "contact": {"name": "Helen Owen"},
 "items": [
  {"number": 1, "title": "Apologies", "standing": {"text": "To receive apologies."}},
  {"number": 2, "title": "Ofsted monitoring visit", "paper": {"template": "paper.md"},
   "appendices": [
    {"letter": "A", "title": "Ofsted monitoring visit letter", "pdf": "letter.pdf"},
    {"letter": "B", "title": "Improvement plan", "pdf": "plan.pdf"},
    {"letter": "C", "title": "Monitoring visit findings", "paper": {"template": "open/findings.md"}},
    {"letter": "D", "title": "Case file summary", "pdf": "case.pdf",
     "exempt": {"paragraph": 1, "reason": "It names a child."}},
    {"letter": "F", "title": "Action plan", "pdf": "late.pdf", "published": "2018-06-19"}]},
  {"number": 3, "title": "Contract award", "paper": {"template": "exempt/contract.md"},
   "exempt": {"paragraph": 3, "reason": "Commercially confidential."},
   "appendices": [
    {"letter": "E", "title": "Contract terms", "pdf": "exempt/contract.pdf"}]}]}
EOF

# build NAME DIR ARGS...: exits 0 and writes the open PDF appendix's copy
build() {
    local name=$1 dir=$2; shift 2
    $Q pack "$D/m.json" --html "$dir" "$@" >"$TMP/last.out" 2>"$TMP/last.err"
    local rc=$?
    if [ $rc = 0 ] && [ -f "$dir/item-2-appendix-A.pdf" ]; then ok "$name"
    else not_ok "$name" "exit $rc; files: $(ls "$dir" 2>/dev/null | tr '\n' ' ')" "$(head -5 "$TMP/last.err")"; fi
}
build "public HTML pack with appendices builds, with the PDF appendix's copy" "$TMP/pub" --public
build "full HTML pack with appendices builds, with the PDF appendix's copy" "$TMP/full"

# listed FILE: the entries of the "Appendices" list of an item page, one a
# line: "text|href" (href empty when there is no link)
listed() {
    python3 - "$1" <<'PY'
import html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<h2[^>]*>Appendices</h2>\s*<ul>(.*?)</ul>', page, re.S)
for li in re.findall(r'<li>(.*?)</li>', m.group(1) if m else "", re.S):
    href = re.search(r'href="([^"]*)"', li)
    text = html.unescape(re.sub(r'<[^>]+>', '', li)).split("\n")[0].strip()
    print("%s|%s" % (text, href.group(1) if href else ""))
PY
}

# ---- the item's page ----
listed "$TMP/full/item-2.html" >"$TMP/full.list"
listed "$TMP/pub/item-2.html" >"$TMP/pub.list"
cat >"$TMP/full.want" <<'EOF'
Appendix A – Ofsted monitoring visit letter (PDF, 2 pages)|item-2-appendix-A.pdf
Appendix B – Improvement plan (PDF, 1 page)|item-2-appendix-B.pdf
Appendix C – Monitoring visit findings|item-2-appendix-C.html
Appendix D – Case file summary (exempt) (PDF, 1 page)|item-2-appendix-D.pdf
Appendix F – Action plan: to follow|
EOF
cat >"$TMP/pub.want" <<'EOF'
Appendix A – Ofsted monitoring visit letter (PDF, 2 pages)|item-2-appendix-A.pdf
Appendix B – Improvement plan (PDF, 1 page)|item-2-appendix-B.pdf
Appendix C – Monitoring visit findings|item-2-appendix-C.html
Appendix D – Case file summary (exempt): not for publication|
Appendix F – Action plan: to follow|
EOF
cmp -s "$TMP/full.list" "$TMP/full.want" && ok "full: the item's page lists its appendices in order, linked, PDFs with their pages, a late one to follow" \
    || not_ok "full: the item's page lists its appendices in order, linked, PDFs with their pages, a late one to follow" "got:" "$(cat "$TMP/full.list")"
cmp -s "$TMP/pub.list" "$TMP/pub.want" && ok "public: the same, the exempt one named without a link" \
    || not_ok "public: the same, the exempt one named without a link" "got:" "$(cat "$TMP/pub.list")"
for d in full pub; do
    missing=""; n=0
    for l in $(grep -o 'href="item-2-appendix-[^"]*"' "$TMP/$d/item-2.html" "$TMP/$d/index.html" | sed 's/.*href="//; s/"$//'); do
        n=$((n + 1)); [ -f "$TMP/$d/$l" ] || missing="$missing $l"
    done
    [ $n -gt 0 ] && [ -z "$missing" ] && ok "$d: each of the $n appendix links of the item page and agenda has its file" \
        || not_ok "$d: each appendix link of the item page and agenda has its file" "links: $n, missing:$missing"
done
contains "public: the exempt appendix gets the notice's words (Schedule 12A paragraph)" "$TMP/pub/item-2.html" \
    "This appendix is not for publication because it contains exempt information as defined in paragraph 1 of Part 1 of Schedule 12A to the Local Government Act 1972 (as amended)."
contains "  ... and its reason" "$TMP/pub/item-2.html" "<strong>Reason:</strong> It names a child."

# ---- the agenda ----
agenda() {   # the agenda's entries for appendices, "href|text", tags removed
    python3 - "$1" <<'PY'
import html, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
for li in re.findall(r'<li>(.*?)</li>', page, re.S):
    href = re.search(r'href="([^"]*)"', li)
    text = html.unescape(re.sub(r'<[^>]+>', '', li)).strip()
    if text.startswith("Appendix "):
        print("%s|%s" % (href.group(1) if href else "", text))
PY
}
agenda "$TMP/full/index.html" >"$TMP/full.agenda"
agenda "$TMP/pub/index.html" >"$TMP/pub.agenda"
cat >"$TMP/full.awant" <<'EOF'
item-2-appendix-A.pdf|Appendix A – Ofsted monitoring visit letter (PDF, 2 pages)
item-2-appendix-B.pdf|Appendix B – Improvement plan (PDF, 1 page)
item-2-appendix-C.html|Appendix C – Monitoring visit findings
item-2-appendix-D.pdf|Appendix D – Case file summary (exempt) (PDF, 1 page)
|Appendix F – Action plan: to follow
item-3-appendix-E.pdf|Appendix E – Contract terms (PDF, 1 page)
EOF
cat >"$TMP/pub.awant" <<'EOF'
item-2-appendix-A.pdf|Appendix A – Ofsted monitoring visit letter (PDF, 2 pages)
item-2-appendix-B.pdf|Appendix B – Improvement plan (PDF, 1 page)
item-2-appendix-C.html|Appendix C – Monitoring visit findings
|Appendix D – Case file summary (exempt): not for publication
|Appendix F – Action plan: to follow
EOF
cmp -s "$TMP/full.agenda" "$TMP/full.awant" && ok "full: the agenda lists every item's appendices, linked, without page numbers" \
    || not_ok "full: the agenda lists every item's appendices, linked, without page numbers" "got:" "$(cat "$TMP/full.agenda")"
cmp -s "$TMP/pub.agenda" "$TMP/pub.awant" && ok "public: the agenda names the exempt appendix without a link, and no appendix of the exempt item" \
    || not_ok "public: the agenda names the exempt appendix without a link, and no appendix of the exempt item" "got:" "$(cat "$TMP/pub.agenda")"

# ---- an exempt item's appendices ----
if [ -f "$TMP/full/item-3-appendix-E.pdf" ] && ! grep -q "Appendix E" "$TMP/pub/item-3.html" "$TMP/pub/index.html" \
   && ! ls "$TMP/pub"/item-3-appendix-* >/dev/null 2>&1 && ! grep -rq qzxContractCanary "$TMP/pub"; then
    ok "the exempt item's appendix is in the full pack, and not listed or copied in public"
else
    not_ok "the exempt item's appendix is in the full pack, and not listed or copied in public" "$(ls "$TMP/full" "$TMP/pub" | tr '\n' ' ')"
fi

# ---- a paper appendix's page ----
C=$TMP/full/item-2-appendix-C.html
contains "the paper appendix's page has its paper's text" "$C" "Leaders know their services well. qzxFindingsCanary"
contains "  ... and leads back to its item's page" "$C" 'Appendix C to <a href="item-2.html">item 2: Ofsted monitoring visit</a>'
contains "  ... with the item pages' furniture (the members' pack mark)" "$C" "NOT FOR PUBLICATION (members&#39; pack)</p>"
contains "  ... titled as the PDF pack's bookmark" "$C" "<title>Appendix C: Monitoring visit findings</title>"
lacks "  ... public: no mark" "$TMP/pub/item-2-appendix-C.html" 'class="mark"'
if command -v tidy >/dev/null; then
    bad=""
    for f in "$TMP/pub/item-2.html" "$TMP/pub/item-2-appendix-C.html" "$TMP/pub/index.html"; do
        [ -f "$f" ] || { bad="$bad $(basename "$f") (missing)"; continue; }
        tidy -e -q "$f" >"$TMP/tidy.out" 2>&1
        [ $? -lt 2 ] || bad="$bad $(basename "$f")"
    done
    [ -z "$bad" ] && ok "tidy finds no errors in the item page, the appendix page and the agenda" \
        || not_ok "tidy finds no errors in the item page, the appendix page and the agenda" "errors in:$bad"
else
    skip "tidy checks of the appendix pages" "tidy is not installed (scripts/deps.sh installs it)"
fi

# ---- a PDF appendix's copy ----
for x in A:letter B:plan; do
    l=${x%%:*}; src=$D/${x#*:}.pdf; cp=$TMP/pub/item-2-appendix-$l.pdf
    if [ -f "$cp" ] && qpdf --check "$cp" >"$TMP/check.out" 2>&1; then ok "public: appendix $l's copy passes qpdf --check"
    else not_ok "public: appendix $l's copy passes qpdf --check" "$(tail -3 "$TMP/check.out" 2>/dev/null)"; fi
    want=$(pdfinfo "$src" | sed -n 's/^Pages: *//p'); got=$(pdfinfo "$cp" 2>/dev/null | sed -n 's/^Pages: *//p')
    [ "$want" = "$got" ] && ok "  ... has the source's $want page(s)" || not_ok "  ... has the source's page count" "source $want, copy $got"
    pdftotext "$src" "$TMP/src.txt"; pdftotext "$cp" "$TMP/cp.txt" 2>/dev/null
    cmp -s "$TMP/src.txt" "$TMP/cp.txt" && ok "  ... and the source's text, nothing added" \
        || not_ok "  ... and the source's text, nothing added" "$(diff "$TMP/src.txt" "$TMP/cp.txt" | head -5)"
    cmp -s "$src" "$cp" && not_ok "  ... is not the source's bytes" || { [ -f "$cp" ] && ok "  ... is not the source's bytes" || not_ok "  ... is not the source's bytes" "no copy"; }
done
got=$(pdfinfo -f 2 -l 2 "$TMP/pub/item-2-appendix-A.pdf" 2>/dev/null | sed -n 's/^Page *2 size: *//p')
case $got in *"842 x 595"*) ok "  ... the landscape page stays landscape" ;; *) not_ok "  ... the landscape page stays landscape" "got: $got" ;; esac

# nothing active of plan.pdf reaches its copy, though the source has it all
B=$TMP/pub/item-2-appendix-B.pdf
qpdf --qdf --object-streams=disable "$D/plan.pdf" "$TMP/plan.qdf"
qpdf --qdf --object-streams=disable "$B" "$TMP/copy.qdf" 2>/dev/null
leaks=""; live=""
for w in qzxOpenJS qzxNamedJS qzxAnnotJS qzxLaunch qzxTool qzxEmbeddedBody /OpenAction /JavaScript \
         /EmbeddedFile /Launch /AA /Annots; do
    grep -aqF -- "$w" "$TMP/plan.qdf" || live="$live $w"
    grep -aqF -- "$w" "$TMP/copy.qdf" && leaks="$leaks $w"
done
if [ -f "$TMP/copy.qdf" ] && [ -z "$leaks" ] && [ -z "$live" ]; then
    ok "the copy of a PDF carrying JavaScript, Launch, /AA, an annotation and an embedded file has none of them"
else
    not_ok "the copy of a PDF carrying JavaScript, Launch, /AA, an annotation and an embedded file has none of them" \
        "in the copy:$leaks" "missing from the source (the test is dead):$live"
fi

# the full pack's exempt appendix: copied, marked as the PDF pack marks it
DX=$TMP/full/item-2-appendix-D.pdf
pdftotext "$DX" "$TMP/d.txt" 2>/dev/null
if grep -q qzxCaseCanary "$TMP/d.txt" && grep -qx "NOT FOR PUBLICATION" "$TMP/d.txt"; then
    ok "full: the exempt appendix's copy is marked NOT FOR PUBLICATION"
else not_ok "full: the exempt appendix's copy is marked NOT FOR PUBLICATION" "$(head -5 "$TMP/d.txt" 2>/dev/null)"; fi
pdftotext "$TMP/full/item-2-appendix-A.pdf" "$TMP/a.txt" 2>/dev/null
grep -q "NOT FOR PUBLICATION (members' pack)" "$TMP/a.txt" && ok "  ... and an open one's, as the full pack's pages, the members' pack's" \
    || not_ok "  ... and an open one's, as the full pack's pages, the members' pack's"
modes=$(stat -c %a "$TMP/full"/* | sort -u | tr '\n' ' ')
[ "$modes" = "600 " ] && [ -f "$DX" ] && ok "  ... every file of the full pack, copies too, mode 0600" \
    || not_ok "  ... every file of the full pack, copies too, mode 0600" "modes: $modes"

# ---- public: the exempt appendix's file is never opened ----
if ! ls "$TMP/pub"/item-2-appendix-D.* >/dev/null 2>&1 && ! grep -rq qzxCaseCanary "$TMP/pub" \
   && [ -f "$TMP/pub/item-2-appendix-B.pdf" ]; then
    ok "public: no file of the exempt appendix and none of its text, the open ones copied"
else not_ok "public: no file of the exempt appendix and none of its text, the open ones copied" "$(ls "$TMP/pub" | tr '\n' ' ')"; fi
mv "$D/case.pdf" "$D/case.away"; mv "$D/exempt" "$D/exempt.away"
$Q pack "$D/m.json" --public --html "$TMP/pub2" >/dev/null 2>"$TMP/pub2.err"; rc=$?
if [ $rc = 0 ] && diff -r "$TMP/pub" "$TMP/pub2" >/dev/null && [ -f "$TMP/pub2/item-2-appendix-A.pdf" ]; then
    ok "public: the same folder, byte for byte, with the exempt appendices' and item's files deleted"
else
    not_ok "public: the same folder, byte for byte, with the exempt appendices' and item's files deleted" "exit $rc" "$(diff -rq "$TMP/pub" "$TMP/pub2" 2>&1 | head -3)" "$(head -3 "$TMP/pub2.err")"
fi
mv "$D/case.away" "$D/case.pdf"; mv "$D/exempt.away" "$D/exempt"

# ---- a tagged PDF keeps its structure in its copy, as in the pack ----
M=samples/meetings/cabinet-2018-06-21.json
$Q pack $M --public --html "$TMP/cab" >/dev/null 2>&1
"$PY" - samples/meetings/appendices/ofsted-letter.pdf "$TMP/cab/item-8-appendix-A.pdf" <<'PY' && ok "a tagged appendix's copy keeps its structure (headings, paragraphs, lists, tables)" || not_ok "a tagged appendix's copy keeps its structure (headings, paragraphs, lists, tables)"
import sys, pikepdf
def roles(path):
    pdf = pikepdf.open(path)
    out = []
    def walk(e, depth=0):
        if depth > 80: return
        if isinstance(e, pikepdf.Array):
            for k in e: walk(k, depth + 1)
        elif isinstance(e, pikepdf.Dictionary):
            if "/S" in e: out.append(str(e.S))
            if "/K" in e: walk(e.K, depth + 1)
    walk(pdf.Root.StructTreeRoot.get("/K"))
    return out
try:
    src, cp = roles(sys.argv[1]), roles(sys.argv[2])
except Exception as e:
    print("    " + str(e)); sys.exit(1)
# links become their text (Span), as in the pack
want = {r for r in src if r not in ("/Document", "/Link")}
got = set(cp)
print("    source %d elements, copy %d" % (len(src), len(cp)))
sys.exit(0 if want <= got and len(cp) >= len(src) - src.count("/Link") else 1)
PY
pdftotext samples/meetings/appendices/ofsted-letter.pdf "$TMP/ofsted.txt"
pdftotext "$TMP/cab/item-8-appendix-A.pdf" "$TMP/ofsted-copy.txt" 2>/dev/null
cmp -s "$TMP/ofsted.txt" "$TMP/ofsted-copy.txt" && ok "  ... and its text" || not_ok "  ... and its text"

# ---- --draft: the copy is stamped as the pack's pages are ----
# (the diagonal stamp, the one turned text, on each page)
$Q pack "$D/m.json" --public --draft --html "$TMP/draft" >/dev/null 2>&1
qpdf --qdf --object-streams=disable "$TMP/draft/item-2-appendix-A.pdf" "$TMP/draft.qdf" 2>/dev/null
turned=$(grep -a -cE '^0\.[0-9]+ 0\.[0-9]+ -0\.[0-9]+ 0\.[0-9]+ [0-9.]+ [0-9.]+ Tm$' "$TMP/draft.qdf" 2>/dev/null)
[ "$turned" = 2 ] && ok "--draft stamps each page of the PDF appendix's copy" \
    || not_ok "--draft stamps each page of the PDF appendix's copy" "turned texts: ${turned:-none}"

# ---- a file the pack no longer makes does not stay published ----
# Appendix B made exempt and item 3 withdrawn after a public pack was
# written to the folder: the next public pack into the same folder
# removes B's copy and item 3's page, and leaves a file of another kind.
cp -r "$TMP/pub" "$TMP/again"
echo "the clerk's note" >"$TMP/again/notes.txt"
cp "$D/letter.pdf" "$TMP/again/cabinet.pdf"          # the user's own, beside
echo '<p>about</p>' >"$TMP/again/about.html"
"$PY" - "$D/m.json" "$D/m2.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
m["items"] = [it for it in m["items"] if it["number"] != 3]
for a in m["items"][1]["appendices"]:
    if a["letter"] == "B": a["exempt"] = {"paragraph": 3, "reason": "Prices."}
json.dump(m, open(sys.argv[2], "w", encoding="utf-8"))
PY
[ -f "$TMP/again/item-2-appendix-B.pdf" ] && [ -f "$TMP/again/item-3.html" ] \
    && ok "before: the folder has B's copy and item 3's page" \
    || not_ok "before: the folder has B's copy and item 3's page" "$(ls "$TMP/again" | tr '\n' ' ')"
$Q pack "$D/m2.json" --public --html "$TMP/again" >/dev/null 2>"$TMP/again.err"
rc=$?
[ $rc = 0 ] && [ ! -e "$TMP/again/item-2-appendix-B.pdf" ] \
    && ok "an appendix made exempt: its old copy is removed from the public folder" \
    || not_ok "an appendix made exempt: its old copy is removed from the public folder" "exit $rc; $(ls "$TMP/again" | tr '\n' ' ')" "$(head -3 "$TMP/again.err")"
[ ! -e "$TMP/again/item-3.html" ] && ok "an item withdrawn: its old page is removed" \
    || not_ok "an item withdrawn: its old page is removed" "$(ls "$TMP/again" | tr '\n' ' ')"
[ -f "$TMP/again/item-2-appendix-A.pdf" ] && [ -f "$TMP/again/index.html" ] \
    && ok "  ... the current files are there" \
    || not_ok "  ... the current files are there" "$(ls "$TMP/again" | tr '\n' ' ')"
[ -f "$TMP/again/notes.txt" ] && [ -f "$TMP/again/cabinet.pdf" ] && [ -f "$TMP/again/about.html" ] \
    && ok "  ... and files the pack does not make (a note, a PDF and a page of the user's) are left alone" \
    || not_ok "  ... and files the pack does not make (a note, a PDF and a page of the user's) are left alone" "$(ls "$TMP/again" | tr '\n' ' ')"

finish
