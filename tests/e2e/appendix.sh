#!/usr/bin/env bash
# End-to-end: appendices that arrive as PDFs. A meeting whose item has three
# PDF appendices (a two-page letter with a landscape page, a plan carrying
# JavaScript, an /OpenAction, a Launch action and an embedded file, and an
# exempt case summary) is packed full and public and read back: qpdf
# --check, the imported pages' sizes (pdfinfo), their text on the pages the
# agenda gives for the item and for each appendix, and the agenda's links
# to them (pdftotext per page, pikepdf), the outline and page labels (qpdf
# --json), nothing active left in the decompressed file, the exempt
# appendix withheld from the public pack down to its bytes (the public pack
# is identical with the file deleted), and every kind of bad file refused
# with exit 1, a message naming the item and the file, and no pack.
. "$(dirname "$0")/lib.sh"

Q="${QUIRE_WRAP:-} $BIN"

# pikepdf writes the test PDFs
need_pikepdf

D=$TMP/m
mkdir -p "$D"
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
make("empty-src.pdf", [(595, 842, "x")])
pdf = Pdf.open(f"{d}/empty-src.pdf")
del pdf.pages[0]
pdf.save(f"{d}/nopages.pdf")
# a page tree libqpdf repairs (one page listed twice): damage, though
# every page reads
pdf = Pdf.open(f"{d}/letter.pdf")
kids = pdf.Root.Pages.Kids
kids.append(kids[0])
pdf.Root.Pages.Count = len(kids)
pdf.save(f"{d}/twice-listed.pdf")
PY
printf '# Ofsted monitoring visit\n\nThe letter is at appendix A.\n' >"$D/paper.md"

# meeting FILE APPENDICES-JSON: a meeting of one standing and one paper item
meeting() {
    cat >"$1" <<EOF
{"council": "Walsall Council", "committee": "Cabinet", "date": "2018-06-21",
 "time": "18:00", "venue": "Council House",
 "membership": {"members": ["Councillor Bird"]}, "contact": {"name": "Helen Owen"},
 "items": [
  {"number": 1, "title": "Apologies", "standing": {"text": "To receive apologies."}},
  {"number": 2, "title": "Ofsted monitoring visit", "paper": {"template": "paper.md"},
   "appendices": $2}]}
EOF
}
APPX='[{"letter": "A", "title": "Ofsted monitoring visit letter", "pdf": "letter.pdf"},
       {"letter": "B", "title": "Improvement plan", "pdf": "plan.pdf"},
       {"letter": "C", "title": "Case file summary", "pdf": "case.pdf",
        "exempt": {"paragraph": 1, "reason": "It names a child."}}]'
meeting "$D/m.json" "$APPX"

expect_exit "full pack with PDF appendices builds" 0 $Q pack "$D/m.json" -o "$TMP/full.pdf"
contains "an untagged appendix is named in a warning" "$TMP/last.err" \
    "warning: item 2 ‘Ofsted monitoring visit’, appendix A ($D/letter.pdf): the PDF is not tagged"
expect_exit "public pack builds" 0 $Q pack "$D/m.json" -o "$TMP/public.pdf" --public
check "qpdf --check: full pack" qpdf --check "$TMP/full.pdf"
check "qpdf --check: public pack" qpdf --check "$TMP/public.pdf"
# The imported pages are drawn while Quire writes the pack: the file is
# Quire's writer's (its header's binary marker), in one piece (one
# cross-reference section), never parsed back and rewritten by libqpdf.
marker=$(head -c 15 "$TMP/full.pdf" | od -An -tx1 | tr -d ' \n')
if [ "$marker" = 255044462d312e370a25b7beadaa0a ]; then
    ok "the pack with appendices is written by Quire's own writer"
else not_ok "the pack with appendices is written by Quire's own writer" "header $marker"; fi
n=$(grep -ac startxref "$TMP/full.pdf")
if [ "$n" = 1 ]; then ok "the pack with appendices has one cross-reference section"
else not_ok "the pack with appendices has one cross-reference section" "$n startxref"; fi

# per-page text, sizes, labels and outline, in one pass over each pack
"$PY" - "$TMP/full.pdf" "$TMP/public.pdf" <<'PY' || FAILS=$((FAILS + 1))
import json, re, subprocess, sys, pikepdf
full, public = sys.argv[1:3]
sys.path.insert(0, "tests/e2e")
from pdfcheck import ok, not_ok, expect, texts, outline, failed

for name, pdf in (("full", full), ("public", public)):
    j = json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True, check=True).stdout)
    n = len(j["pages"])
    t = texts(pdf, n)
    expect(n == 7, f"{name}: 2 front pages + 1 paper page + 4 appendix pages", f"{n} pages")
    m = re.search(r"Pages (\d+) – (\d+)", t[2])
    expect(m and (int(m[1]), int(m[2])) == (3, 7),
           f"{name}: the agenda's range for item 2 covers its appendices (3 – 7)", t[2][:400])
    # each appendix on the agenda with its own range, which must be the
    # pages its own text is found on
    agenda = re.sub(r"\s+", " ", t[2])
    got = {a: (int(f), int(l or f)) for a, f, l in re.findall(
        r"Appendix ([A-Z]+) – [^,]*, pages? (\d+)(?: – (\d+))?", agenda)}
    found = lambda s: [k for k in range(1, n + 1) if s in t[k]]
    c_text = "qzxCaseCanary" if name == "full" else "It names a child."
    where = {"A": (found("qzxLetterOne")[0], found("qzxLandscape")[-1]),
             "B": (found("qzxPlan")[0],) * 2, "C": (found(c_text)[0],) * 2}
    expect(got == where == {"A": (4, 5), "B": (6, 6), "C": (7, 7)},
           f"{name}: the agenda gives each appendix the pages it is on", got, where, agenda[-400:])
    expect("Appendix A – Ofsted monitoring visit letter, pages 4 – 5" in agenda
           and "Appendix B – Improvement plan, page 6" in agenda
           and "Appendix C – Case file summary (exempt), page 7" in agenda,
           f"{name}: the appendix lines read 'Appendix A – Title, pages 4 – 5'", agenda[-400:])
    doc = pikepdf.open(pdf)
    links = [doc.pages.index(pikepdf.Page(a.Dest[0])) + 1
             for a in doc.pages[1].get("/Annots", []) if "/Dest" in a]
    expect(links == [3, 4, 6, 7],
           f"{name}: the agenda links the item and each appendix to its first page", links)
    expect(all(f"Page {k} of {n}" in t[k] for k in range(1, n + 1)),
           f"{name}: every page, placeholders too, has its 'Page k of {n}' footer")
    labels = [p.get("label") or {} for p in j["pages"]]
    expect([l.get("/St") for l in labels] == list(range(1, n + 1)),
           f"{name}: page labels run 1..{n} over the appendices", labels)
    expect("qzxLetterOne" in t[4] and "qzxLandscape" in t[5] and "qzxPlan" in t[6],
           f"{name}: appendices A and B show their own text on pages 4, 5 and 6",
           t[4][:80], t[5][:80], t[6][:80])
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(n), pdf], capture_output=True,
                          check=True, text=True).stdout
    expect("Page    5 size:  842 x 595 pts" in info and "Page    4 size:  595 x 842 pts" in info,
           f"{name}: imported pages keep their MediaBox (page 5 landscape)",
           *[l for l in info.splitlines() if "size" in l])
    ol = outline(j)
    want = [(1, "Appendix A: Ofsted monitoring visit letter", 4),
            (1, "Appendix B: Improvement plan", 6), (1, "Appendix C: Case file summary", 7)]
    expect(all(w in ol for w in want) and (0, "Item 2: Ofsted monitoring visit", 3) in ol,
           f"{name}: bookmarks 'Appendix X: Title' under the item, at their pages", ol)
    # the front sheet names the exempt appendix of the open item, as it
    # names exempt items: to the public, and as what makes a members' pack
    front = " ".join(t[1].split())
    expect("Appendix C to item 2 contains exempt information as defined in "
           "Schedule 12A" in front and "while it is considered, and it is not "
           "published" in front,
           f"{name}: the front sheet says Appendix C to item 2 is exempt", front[-500:])
    members = "Members’ pack: it contains exempt information that is not for " \
              "publication (Appendix C to item 2)."
    expect((members in front) == (name == "full"),
           f"{name}: the front sheet's members' pack line, in the full pack only",
           front[:400])
    if name == "full":
        expect("qzxCaseCanary" in t[7] and "NOT FOR PUBLICATION" in t[7]
               and "members" not in t[7].split("NOT FOR PUBLICATION")[1][:20],
               "full: the exempt appendix is shown, marked NOT FOR PUBLICATION", t[7][:200])
        expect("NOT FOR PUBLICATION (members" in t[4],
               "full: the other pages are marked as the members' pack", t[4][:200])
    else:
        expect("qzxCaseCanary" not in t[7] and "paragraph 1 of Part 1 of Schedule 12A" in t[7]
               and "It names a child." in t[7],
               "public: the exempt appendix is a notice quoting paragraph and reason", t[7][:300])
sys.exit(1 if failed() else 0)
PY

# the packs stay well tagged: each imported page is a Figure of its item,
# with alternative text naming the appendix and page
for f in full public; do
    out=$("$PY" tests/structure_check.py "$TMP/$f.pdf" 2>&1)
    if [ $? = 0 ]; then ok "$f pack: structure tree consistent (tests/structure_check.py)"
    else not_ok "$f pack: structure tree consistent (tests/structure_check.py)" "$out"; fi
done
"$PY" - "$TMP/full.pdf" <<'PY' || FAILS=$((FAILS + 1))
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
figs = []
def walk(e):
    k = e.get("/K")
    if isinstance(e, pikepdf.Dictionary) and e.get("/S") == "/Figure":
        figs.append((pdf.pages.index(pikepdf.Page(e.Pg)) + 1, str(e.Alt)))
    for c in (k if isinstance(k, pikepdf.Array) else [k] if k is not None else []):
        if isinstance(c, pikepdf.Dictionary) and "/S" in c: walk(c)
walk(pdf.Root.StructTreeRoot)
want = [(4, "Appendix A: Ofsted monitoring visit letter, page 1 of 2 (a page of a PDF document)"),
        (5, "Appendix A: Ofsted monitoring visit letter, page 2 of 2 (a page of a PDF document)"),
        (6, "Appendix B: Improvement plan, page 1 of 1 (a page of a PDF document)"),
        (7, "Appendix C: Case file summary, page 1 of 1 (a page of a PDF document)")]
if figs == want: print("ok - full pack: each imported page is a Figure with its alternative text")
else:
    print("not ok - full pack: each imported page is a Figure with its alternative text")
    print(f"    {figs}")
    sys.exit(1)
PY

# nothing active of plan.pdf reached the pack, in any object
qpdf --qdf --object-streams=disable "$TMP/full.pdf" "$TMP/full.qdf"
leaks=""
for w in qzxOpenJS qzxNamedJS qzxAnnotJS qzxLaunch qzxTool qzxEmbeddedBody /OpenAction /JavaScript \
         /EmbeddedFile /Launch /AA; do
    grep -aqF -- "$w" "$TMP/full.qdf" && leaks="$leaks $w"
done
if [ -z "$leaks" ]; then ok "no JavaScript, OpenAction, Launch, /AA or embedded file in the pack"
else not_ok "no JavaScript, OpenAction, Launch, /AA or embedded file in the pack" "found:$leaks"; fi
pdfinfo "$TMP/full.pdf" >"$TMP/full.info"
contains "pdfinfo sees no JavaScript" "$TMP/full.info" "JavaScript:      no"

# the exempt appendix is never opened by a public pack
qpdf --qdf --object-streams=disable "$TMP/public.pdf" "$TMP/public.qdf"
lacks "public pack: no text of the exempt appendix in its bytes" "$TMP/public.qdf" "qzxCaseCanary"
mv "$D/case.pdf" "$D/case.away"
expect_exit "public pack builds with the exempt appendix deleted" 0 $Q pack "$D/m.json" -o "$TMP/public2.pdf" --public
check "public pack is byte-identical without the exempt file" cmp "$TMP/public.pdf" "$TMP/public2.pdf"
expect_exit "full pack fails without the exempt appendix" 1 $Q pack "$D/m.json" -o "$TMP/full2.pdf"
contains "the missing file is named with its item and letter" "$TMP/last.err" \
    "error: item 2 ‘Ofsted monitoring visit’, appendix C ($D/case.pdf): cannot read the file"
mv "$D/case.away" "$D/case.pdf"

# an open appendix may not be a withheld one under another name
ln "$D/case.pdf" "$D/case-link.pdf"
meeting "$D/shared.json" '[{"letter": "A", "title": "Letter", "pdf": "case-link.pdf"},
    {"letter": "C", "title": "Case file summary", "pdf": "case.pdf", "exempt": {"paragraph": 1, "reason": "r"}}]'
expect_exit "public pack: an open appendix hard-linked to an exempt one fails" 1 \
    $Q pack "$D/shared.json" -o "$TMP/shared.pdf" --public
contains "both appendices are named" "$TMP/last.err" \
    "item 2, appendix A ($D/case-link.pdf) is the file of withheld appendix C of item 2 ($D/case.pdf)"
if [ -e "$TMP/shared.pdf" ]; then not_ok "and no pack was written"; else ok "and no pack was written"; fi
cp "$D/case.pdf" "$TMP/case-before.pdf"
expect_exit "public pack: the output may not be a withheld appendix" 1 \
    $Q pack "$D/m.json" -o "$D/case.pdf" --public
check "the withheld appendix is untouched" cmp "$D/case.pdf" "$TMP/case-before.pdf"

$Q pack "$D/m.json" -o "$TMP/full3.pdf" 2>/dev/null
check "identical input gives identical bytes" cmp "$TMP/full.pdf" "$TMP/full3.pdf"
mode=$(stat -c %a "$TMP/full.pdf")
if [ "$mode" = 600 ]; then ok "a full pack with an exempt appendix is mode 0600"
else not_ok "a full pack with an exempt appendix is mode 0600" "mode $mode"; fi

# bad appendices: exit 1, the item and the file named, no pack written
printf 'Dear Director,\n' >"$D/text.pdf"
head -c 700 "$D/letter.pdf" >"$D/truncated.pdf"
qpdf --encrypt secret secret 256 -- "$D/letter.pdf" "$D/locked.pdf"
qpdf --encrypt '' owner 256 -- "$D/letter.pdf" "$D/restricted.pdf"
for case in "text.pdf:the file is not a PDF" "truncated.pdf:the PDF is damaged" \
            "locked.pdf:the PDF is encrypted with a password" "restricted.pdf:the PDF is encrypted" \
            "nopages.pdf:the PDF has no pages" \
            "twice-listed.pdf:the PDF's page tree is damaged (kid 2 (from 0) appears more than once in the pages tree"; do
    f=${case%%:*} msg=${case#*:}
    meeting "$D/bad.json" "[{\"letter\": \"A\", \"title\": \"Letter\", \"pdf\": \"$f\"}]"
    expect_exit "$f is refused" 1 $Q pack "$D/bad.json" -o "$TMP/bad.pdf"
    contains "$f: message names item, appendix, file and fault" "$TMP/last.err" \
        "error: item 2 ‘Ofsted monitoring visit’, appendix A ($D/$f): $msg"
    if [ -e "$TMP/bad.pdf" ]; then not_ok "$f: no pack written"; rm -f "$TMP/bad.pdf"; else ok "$f: no pack written"; fi
done

# the meeting file's appendices are closed objects, located
meeting "$D/typo.json" '[{"letter": "A", "title": "Letter", "pdf": "letter.pdf", "exmept": null}]'
expect_exit "a misspelt appendix key fails the pack" 1 $Q pack "$D/typo.json" -o "$TMP/typo.pdf"
contains "it is located with a hint" "$TMP/last.err" \
    "/items/1/appendices/0/exmept: unknown field 'exmept': did you mean 'exempt'?"
meeting "$D/twice.json" '[{"letter": "A", "title": "L", "pdf": "letter.pdf"}, {"letter": "A", "title": "M", "pdf": "plan.pdf"}]'
expect_exit "a letter used twice fails the pack" 1 $Q pack "$D/twice.json" -o "$TMP/twice.pdf"
contains "the repeated letter is named" "$TMP/last.err" "appendix A is named twice in this item"

# libqpdf (C++, with a dozen more shared objects) is opened only when a
# pack imports a PDF: linked in, it made every run of quire 4 ms slower.
# The program's own NEEDED entries are what we link; under ASan the
# sanitizer runtime brings libstdc++ itself, which ldd would report.
needed=$(objdump -p "$BUILD/quire" | awk '$1 == "NEEDED" { print $2 }')
if printf '%s\n' "$needed" | grep -q 'libqpdf\|libstdc++'; then
    not_ok "quire does not link libqpdf or libstdc++ (opened on first use)" "$needed"
else
    ok "quire does not link libqpdf or libstdc++ (opened on first use)"
fi
exit $((FAILS > 0))
