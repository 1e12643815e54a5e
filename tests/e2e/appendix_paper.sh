#!/usr/bin/env bash
# End-to-end: appendices that are Quire papers ("paper": {template, data,
# style}) beside a PDF appendix. An item's paper has three appendices: A a
# PDF letter, B an open two-page paper (plain Markdown), C an exempt paper
# (data, template, partial and style in a folder of its own). Its packs are
# read back: qpdf --check; the agenda's range for each appendix against the
# pages its own text is on (pdftotext per page); the outline nesting and
# page labels (qpdf --json); B's headings as elements of the item's Sect
# (pikepdf) and tests/structure_check.py; the marks of the full pack and
# the DRAFT stamp; the public pack, which replaces C by its notice, never
# opens C's files (byte-identical with their folder deleted, no canary of
# C in its text or decompressed bytes); the rule for files shared with a
# withheld paper; and the meeting file's errors, located, exit 1, no pack.
. "$(dirname "$0")/lib.sh"

Q="${QUIRE_WRAP:-} $BIN"

# pikepdf (Debian's python3-pikepdf) writes the PDF appendix and reads the
# structure tree; it is installed for Debian's python3, which may not be
# the first on PATH
need_pikepdf

D=$TMP/m
mkdir -p "$D/exempt-c" "$D/open"
"$PY" - "$D" <<'PY'
import sys, pikepdf
from pikepdf import Dictionary, Name, Pdf
pdf = Pdf.new()
font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
content = pdf.make_stream(b"BT /F1 20 Tf 72 700 Td (Ofsted letter qzxLetterA) Tj ET")
pdf.pages.append(pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=[0, 0, 595, 842],
    Contents=content, Resources=Dictionary(Font=Dictionary(F1=font)))))
pdf.save(f"{sys.argv[1]}/letter.pdf")
PY
printf '# Ofsted monitoring visit\n\nThe findings are at appendix B. qzxItemPaper\n' >"$D/paper.md"
# B: plain Markdown long enough for two pages, a canary at each end
{
    printf '# Improvement plan: actions\n\nqzxPlanFirst\n\n## Actions due this quarter\n\n'
    for i in $(seq 1 40); do
        printf 'Action %d: the team manager reviews every plan for children in care and records the review on the child’s file.\n\n' "$i"
    done
    printf '## RAG status\n\nqzxPlanLast\n'
} >"$D/open/plan.md"
# C: an exempt paper whose every file holds a canary
cat >"$D/exempt-c/costs.json" <<'EOF'
{"paper": {"kind": "cabinet", "council": "Walsall Council",
           "title": "Placement costs qzxExemptTitle",
           "meeting": {"body": "Cabinet", "date": "2018-06-21", "item": 2},
           "exempt": {"paragraph": 3, "reason": "qzxExemptDataReason"}},
 "costs": [{"provider": "qzxProviderName", "weekly": "£3,412"}]}
EOF
cat >"$D/exempt-c/costs.md" <<'EOF'
# {{paper.title}}

qzxExemptTemplate

{{>costs-table}}
EOF
cat >"$D/exempt-c/costs-table.md" <<'EOF'
| Provider | Weekly price |
| --- | --: |
{{#costs}}
| {{provider}} qzxExemptPartial | {{weekly}} |
{{/costs}}
EOF
cp templates/styles/council.json "$D/exempt-c/style.json"

# meeting FILE APPENDICES-JSON [EXTRA-ITEM]: a standing item and a paper item
meeting() {
    cat >"$1" <<EOF
{"council": "Walsall Council", "committee": "Cabinet", "date": "2018-06-21",
 "time": "18:00", "venue": "Council House",
 "membership": {"members": ["Councillor Bird"]}, "contact": {"name": "Helen Owen"},
 "items": [
  {"number": 1, "title": "Apologies", "standing": {"text": "To receive apologies."}},
  {"number": 2, "title": "Ofsted monitoring visit", "paper": {"template": "paper.md"},
   "appendices": $2}${3:-}]}
EOF
}
APPX='[{"letter": "A", "title": "Ofsted monitoring visit letter", "pdf": "letter.pdf"},
       {"letter": "B", "title": "Improvement plan actions", "paper": {"template": "open/plan.md"}},
       {"letter": "C", "title": "Placement costs", "exempt": {"paragraph": 3, "reason": "It gives the prices of named providers."},
        "paper": {"data": "exempt-c/costs.json", "template": "exempt-c/costs.md", "style": "exempt-c/style.json"}}]'
meeting "$D/m.json" "$APPX"

expect_exit "full pack with paper appendices builds" 0 $Q pack "$D/m.json" -o "$TMP/full.pdf"
expect_exit "public pack builds" 0 $Q pack "$D/m.json" -o "$TMP/public.pdf" --public
expect_exit "draft full pack builds" 0 $Q pack "$D/m.json" -o "$TMP/draft.pdf" --draft
for f in full public draft; do check "qpdf --check: $f pack" qpdf --check "$TMP/$f.pdf"; done

# per-page text, ranges, labels and outline, read back from each pack
"$PY" - "$TMP/full.pdf" "$TMP/public.pdf" "$TMP/draft.pdf" <<'PY' || FAILS=$((FAILS + 1))
import json, re, subprocess, sys, pikepdf
full, public, draft = sys.argv[1:4]
sys.path.insert(0, "tests/e2e")
from pdfcheck import ok, not_ok, expect, texts, outline, failed

for name, pdf in (("full", full), ("public", public), ("draft", draft)):
    j = json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True, check=True).stdout)
    n = len(j["pages"])
    t = texts(pdf, n)
    found = lambda s: [k for k in range(1, n + 1) if s in t[k]]
    agenda = re.sub(r"\s+", " ", t[2])
    m = re.search(r"Pages (\d+) – (\d+)", agenda)
    item = (int(m[1]), int(m[2])) if m else None
    got = {a: (int(f), int(l or f)) for a, f, l in re.findall(
        r"Appendix ([A-Z]+) – [^,]*, pages? (\d+)(?: – (\d+))?", agenda)}
    c_text = "qzxExemptTemplate" if name != "public" else "It gives the prices of named providers."
    where = {"A": (found("qzxLetterA")[0],) * 2 if found("qzxLetterA") else None,
             "B": (found("qzxPlanFirst")[0], found("qzxPlanLast")[-1]) if found("qzxPlanLast") else None,
             "C": (found(c_text)[0], n) if found(c_text) else None}
    expect(got == where and where["B"][1] > where["B"][0] and where["A"][1] < where["B"][0] < where["C"][0],
           f"{name}: the agenda gives each appendix the pages its text is on, in the array's order",
           got, where, agenda[-500:])
    expect(item == (found("qzxItemPaper")[0], n),
           f"{name}: the item's range covers its paper and every appendix", item, n)
    expect(f"Appendix B – Improvement plan actions, pages {where['B'][0]} – {where['B'][1]}" in agenda
           and "Appendix C – Placement costs (exempt), page" in agenda,
           f"{name}: the agenda line reads 'Appendix B – Title, pages X – Y'", agenda[-400:])
    doc = pikepdf.open(pdf)
    links = [doc.pages.index(pikepdf.Page(a.Dest[0])) + 1
             for a in doc.pages[1].get("/Annots", []) if "/Dest" in a]
    expect(links == [item[0], where["A"][0], where["B"][0], where["C"][0]],
           f"{name}: the agenda links the item and each appendix to its first page", links)
    expect(all(f"Page {k} of {n}" in t[k] for k in range(1, n + 1)),
           f"{name}: every page has the pack's footer 'Page k of {n}'")
    labels = [p.get("label") or {} for p in j["pages"]]
    expect([l.get("/St") for l in labels] == list(range(1, n + 1)),
           f"{name}: page labels run 1..{n}", labels)
    ol = outline(j)
    b = where["B"][0]
    k = ol.index((1, "Appendix B: Improvement plan actions", b)) if (1, "Appendix B: Improvement plan actions", b) in ol else -1
    # the house style numbers a paper's sections, an appendix's too
    expect(k > 0 and ol[k + 1] == (2, "Improvement plan: actions", b)
           and (3, "1. Actions due this quarter", b) in ol[k + 2:]
           and (3, "2. RAG status", where["B"][1]) in ol[k + 2:]
           and (0, "Item 2: Ofsted monitoring visit", item[0]) in ol[:k],
           f"{name}: bookmark 'Appendix B: Title' under the item, the paper's headings under it", ol)
    if name == "public":
        expect((1, "Appendix C: Placement costs", where["C"][0]) in ol
               and not any("qzx" in o[1] for o in ol),
               "public: C's bookmark is its notice's, nothing of its paper", ol)
        expect("paragraph 3 of Part 1 of Schedule 12A" in t[where["C"][0]],
               "public: C is the notice quoting paragraph and reason", t[where["C"][0]][:300])
        expect(not any("qzx" in x and "qzxLetterA" not in x and "qzxPlan" not in x and "qzxItemPaper" not in x
                       for x in t[1:]), "public: no canary of C in the pack's text")
    else:
        c = t[where["C"][0]]
        expect("qzxProviderName qzxExemptPartial" in c and "NOT FOR PUBLICATION" in c
               and "members" not in c.split("NOT FOR PUBLICATION")[1][:20],
               f"{name}: C is shown, its partial's table too, marked NOT FOR PUBLICATION", c[:300])
        expect(all("NOT FOR PUBLICATION (members" in t[p] for p in range(where["B"][0], where["B"][1] + 1)),
               f"{name}: B's pages are marked as the members' pack", t[b][:200])
    # B's headings are elements of the item's Sect, on B's pages
    sects = [e for e in doc.Root.StructTreeRoot.K.K if e.get("/S") == "/Sect"]
    heads = []
    def walk(e):
        if e.get("/S") in ("/H1", "/H2") and "/Pg" in e:
            heads.append((str(e.S), doc.pages.index(pikepdf.Page(e.Pg)) + 1))
        kk = e.get("/K")
        for c in (kk if isinstance(kk, pikepdf.Array) else [kk] if kk is not None else []):
            if isinstance(c, pikepdf.Dictionary) and "/S" in c: walk(c)
    walk(sects[1])
    expect(len(sects) == 2 and ("/H1", b) in heads and ("/H2", b) in heads
           and ("/H2", where["B"][1]) in heads,
           f"{name}: B's headings are in the item's Sect of the structure tree, on its pages", heads)
sys.exit(1 if failed() else 0)
PY

# --draft: the diagonal stamp (the one turned text) on every page, the
# paper appendices' too
qpdf --qdf --object-streams=disable "$TMP/draft.pdf" "$TMP/draft.qdf"
turned=$(grep -a -cE '^0\.[0-9]+ 0\.[0-9]+ -0\.[0-9]+ 0\.[0-9]+ [0-9.]+ [0-9.]+ Tm$' "$TMP/draft.qdf")
npages=$(pdfinfo "$TMP/draft.pdf" | sed -n 's/^Pages: *//p')
[ "$turned" = "$npages" ] && ok "draft pack: a diagonal DRAFT on each of the $npages pages" \
    || not_ok "draft pack: a diagonal DRAFT on every page" "turned: $turned, pages: $npages"

for f in full public; do
    out=$("$PY" tests/structure_check.py "$TMP/$f.pdf" 2>&1)
    if [ $? = 0 ]; then ok "$f pack: structure tree consistent (tests/structure_check.py)"
    else not_ok "$f pack: structure tree consistent (tests/structure_check.py)" "$out"; fi
done
mode=$(stat -c %a "$TMP/full.pdf")
if [ "$mode" = 600 ]; then ok "a full pack with an exempt paper appendix is mode 0600"
else not_ok "a full pack with an exempt paper appendix is mode 0600" "mode $mode"; fi
$Q pack "$D/m.json" -o "$TMP/full2.pdf" 2>/dev/null
check "identical input gives identical bytes" cmp "$TMP/full.pdf" "$TMP/full2.pdf"

# the public pack never opens C's files: none of its canaries in the
# decompressed bytes, and the same pack without the folder
qpdf --qdf --object-streams=disable "$TMP/public.pdf" "$TMP/public.qdf"
for w in qzxExemptTitle qzxExemptDataReason qzxProviderName qzxExemptTemplate qzxExemptPartial; do
    if raw_has "$TMP/public.qdf" "$w"; then not_ok "public pack: no '$w' of the exempt paper appendix in its bytes"
    else ok "public pack: no '$w' of the exempt paper appendix in its bytes"; fi
done
mv "$D/exempt-c" "$D/exempt-c.away"
expect_exit "public pack builds with the exempt appendix's folder deleted" 0 \
    $Q pack "$D/m.json" -o "$TMP/public2.pdf" --public
check "  ... byte-identical" cmp "$TMP/public.pdf" "$TMP/public2.pdf"
expect_exit "full pack fails without the exempt appendix's files" 1 $Q pack "$D/m.json" -o "$TMP/gone.pdf"
contains "  ... naming the item, the appendix and its file" "$TMP/last.err" \
    "error: /items/1/appendices/2/paper: item 2 ‘Ofsted monitoring visit’, appendix C cannot be built: its paper $D/exempt-c/costs.json has errors"
mv "$D/exempt-c.away" "$D/exempt-c"

# files shared with a withheld paper appendix fail the public pack
meeting "$D/share-data.json" "$APPX" ',
  {"number": 3, "title": "Open report", "paper": {"data": "exempt-c/costs.json", "template": "open/plan.md"}}'
expect_exit "public pack: an open item reading a withheld appendix's data fails" 1 \
    $Q pack "$D/share-data.json" -o "$TMP/share.pdf" --public
contains "  ... naming both" "$TMP/last.err" \
    "error: /items/2/paper: item 3 ‘Open report’ reads $D/exempt-c/costs.json as its data file, and it is the data file of withheld appendix C of item 2 ‘Ofsted monitoring visit’"
SHARE='[{"letter": "A", "title": "Summary", "paper": {"data": "exempt-c/costs.json", "template": "open/plan.md"}},
        {"letter": "C", "title": "Placement costs", "exempt": {"paragraph": 3, "reason": "r"},
         "paper": {"data": "exempt-c/costs.json", "template": "exempt-c/costs.md"}}]'
meeting "$D/share-tpl.json" "$SHARE"
expect_exit "public pack: an open appendix reading a withheld appendix's data fails" 1 \
    $Q pack "$D/share-tpl.json" -o "$TMP/share.pdf" --public
contains "  ... located at the open appendix" "$TMP/last.err" \
    "error: /items/1/appendices/0/paper: item 2 ‘Ofsted monitoring visit’, appendix A reads $D/exempt-c/costs.json as its data file, and it is the data file of withheld appendix C of item 2 ‘Ofsted monitoring visit’"
if [ -e "$TMP/share.pdf" ]; then not_ok "  ... and no pack was written"; else ok "  ... and no pack was written"; fi

# a paper whose own data says exempt must be exempt in the meeting file
meeting "$D/says.json" '[{"letter": "C", "title": "Placement costs",
    "paper": {"data": "exempt-c/costs.json", "template": "exempt-c/costs.md"}}]'
expect_exit "an appendix whose data marks it exempt, open in the meeting file, fails" 1 \
    $Q pack "$D/says.json" -o "$TMP/says.pdf"
contains "  ... located, naming the data" "$TMP/last.err" \
    "error: /items/1/appendices/0/paper: item 2, appendix C: the paper's data ($D/exempt-c/costs.json) marks it exempt (paper.exempt) but the meeting file does not"

# the meeting file's errors: located, exit 1, nothing written
bad_case() { # bad_case NAME APPENDICES EXPECTED-MESSAGE
    meeting "$D/bad.json" "$2"
    expect_exit "$1: exit 1" 1 $Q pack "$D/bad.json" -o "$TMP/bad.pdf"
    contains "  ... $3" "$TMP/last.err" "$3"
    if [ -e "$TMP/bad.pdf" ]; then not_ok "  ... and no pack was written"; rm -f "$TMP/bad.pdf"
    else ok "  ... and no pack was written"; fi
}
bad_case "both pdf and paper" '[{"letter": "A", "title": "T", "pdf": "letter.pdf", "paper": {"template": "open/plan.md"}}]' \
    "/items/1/appendices/0/paper: an appendix is either a PDF file ('pdf') or a Quire paper ('paper'), not both"
bad_case "neither pdf nor paper" '[{"letter": "A", "title": "T"}]' \
    "/items/1/appendices/0: an appendix needs a 'pdf' (a PDF file) or a 'paper' {\"template\", \"data\"} (a Quire paper)"
bad_case "a paper without a template" '[{"letter": "A", "title": "T", "paper": {"data": "exempt-c/costs.json"}}]' \
    "/items/1/appendices/0/paper: missing required field 'template'"
bad_case "a misspelt key of the paper" '[{"letter": "A", "title": "T", "paper": {"template": "open/plan.md", "dta": "x.json"}}]' \
    "/items/1/appendices/0/paper/dta: unknown field 'dta': did you mean 'data'?"
bad_case "a misspelt 'paper'" '[{"letter": "A", "title": "T", "papr": {"template": "open/plan.md"}}]' \
    "/items/1/appendices/0/papr: unknown field 'papr': did you mean 'paper'?"
bad_case "a missing template file" '[{"letter": "B", "title": "T", "paper": {"template": "open/none.md"}}]' \
    "/items/1/appendices/0/paper: item 2 ‘Ofsted monitoring visit’, appendix B cannot be built: its paper $D/open/none.md has errors"

finish
