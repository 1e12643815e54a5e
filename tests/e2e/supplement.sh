#!/usr/bin/env bash
# End-to-end: supplementary agendas. The Cabinet sample's item 9a is
# published late for supplement 1: the pack's agenda must print it "to
# follow" with no pages and leave its paper out; `--supplement 1` must
# build a front sheet listing it with the reason for lateness, then its
# paper, numbered on from the pack's last page (the default; "separate"
# numbers S1, S2 …) with matching page labels and bookmarks (pdftotext per page, qpdf --json, qpdf --check). A small
# meeting with a late exempt item checks that the public supplement holds
# nothing of it (its files removed, a canary searched in the text and the
# decompressed bytes), and the located errors.
. "$(dirname "$0")/lib.sh"

M=samples/meetings/cabinet-2018-06-21.json
for kind in full public; do
    flag=""; [ $kind = public ] && flag=--public
    expect_exit "$kind pack builds" 0 $QUIRE pack $M -o "$TMP/pack-$kind.pdf" $flag
    expect_exit "$kind supplement 1 builds" 0 \
        $QUIRE pack $M --supplement 1 -o "$TMP/supp-$kind.pdf" $flag
    check "qpdf --check: $kind supplement" qpdf --check "$TMP/supp-$kind.pdf"
done

python3 - "$TMP" <<'PY' || FAILS=$((FAILS + 1))
import json, re, subprocess, sys
tmp = sys.argv[1]
sys.path.insert(0, "tests/e2e")
from pdfcheck import expect, qjson, texts, failed
LATE = "national minimum fostering allowances"
REASON = ("Reason for lateness: The Department for Education published the national "
          "minimum fostering allowances for 2018/19 on 15 June 2018")
for kind in ("full", "public"):
    pj, sj = qjson(f"{tmp}/pack-{kind}.pdf"), qjson(f"{tmp}/supp-{kind}.pdf")
    pn, sn = len(pj["pages"]), len(sj["pages"])
    pt, st = texts(f"{tmp}/pack-{kind}.pdf", pn, squash=True), texts(f"{tmp}/supp-{kind}.pdf", sn, squash=True)
    agenda = " ".join(pt[2:4])
    m = re.search(r"9a\. Foster carer allowances 2018/19 (.*?) 10\. ", agenda)
    # a page reference, not the footer's "Page 2 of 12"
    expect(m and "Report to follow" in m[1] and not re.search(r"\bPages? \d+(?: – \d+)?\b(?! of)", m[1]),
           f"{kind} pack: the agenda prints item 9a 'Report to follow', with no pages",
           m[1] if m else agenda)
    expect(not any(LATE in t for t in pt[1:]),
           f"{kind} pack: the late paper is not in the pack")
    tops = [o["title"] for o in pj["outlines"]]
    expect(not any("9a" in t for t in tops), f"{kind} pack: no bookmark for the late paper", tops)
    # the supplement: its front sheet, numbered on from the pack
    first = pn + 1
    expect("Cabinet – Supplementary agenda 1" in st[1] and "Thursday 21 June 2018 at 6pm" in st[1],
           f"{kind} supplement: front sheet 'Supplementary agenda 1' names the meeting", st[1][:300])
    expect("9a. Foster carer allowances 2018/19" in st[1] and REASON in st[1],
           f"{kind} supplement: it lists item 9a with the reason for lateness", st[1])
    expect("published on 13 June 2018" in st[1] and "Date of publication: 19 June 2018" in st[1],
           f"{kind} supplement: the agenda's and its own dates of publication", st[1])
    last = pn + sn
    expect(all(f"Page {pn + k} of {last}" in st[k] for k in range(1, sn + 1)),
           f"{kind} supplement: footers run Page {first} … {last} of {last}, on from the pack's {pn}",
           [re.findall(r"Page \d+ of \d+", t) for t in st[1:]])
    labels = [(p.get("label") or {}).get("/St") for p in sj["pages"]]
    expect(labels == list(range(first, last + 1)),
           f"{kind} supplement: page labels {first}..{last} match the printed numbers", labels)
    # the paper starts on the page after the front sheet and runs to the end
    m = re.search(r"Pages (\d+) – (\d+)", st[1])
    where = [k for k in range(2, sn + 1) if "Foster carer allowances 2018/19" in st[k]]
    expect(m and where[:1] == [2] and (int(m[1]), int(m[2])) == (pn + 2, last),
           f"{kind} supplement: the front sheet's page range is where the paper is", m and m[0], where)
    expect("Agenda item 9a" in st[2], f"{kind} supplement: the paper prints its item, 9a", st[2][:200])
    ol = [(o["title"], o.get("destpageposfrom1"), [k["title"] for k in o["kids"]]) for o in sj["outlines"]]
    expect(len(ol) == 2 and ol[0][:2] == ("Supplementary agenda 1", 1)
           and ol[0][2] == ["9a. Foster carer allowances 2018/19"]
           and ol[1][:2] == ("Item 9a: Foster carer allowances 2018/19", 2),
           f"{kind} supplement: bookmarks 'Supplementary agenda 1' (with 9a) and 'Item 9a'", ol)
sys.exit(1 if failed() else 0)
PY

# --- a late exempt item: withheld from the public supplement -------------
D=$TMP/m
mkdir -p "$D/secret"
printf '# Late open report\n\nThe open late report qzxOpenLate.\n' >"$D/open.md"
printf '# Late exempt report\n\nBidder prices qzxLateCanary.\n' >"$D/secret/exempt.md"
meeting() { # FILE PUBLISHED EXTRA
    cat >"$1" <<EOF
{"council": "Walsall Council", "committee": "Cabinet", "date": "2018-06-21",
 "time": "18:00", "venue": "Council House", "published": "2018-06-13",
 "membership": {"members": ["Councillor Bird"]}, "contact": {"name": "Helen Owen"},
 "items": [
  {"number": 1, "title": "Apologies", "standing": {"text": "To receive apologies."}},
  {"number": 2, "title": "Late open report", "paper": {"template": "open.md"},
   "published": "$2", "late_reason": "The figures arrived on 18 June."},
  {"number": 3, "title": "Late contract award",
   "paper": {"template": "secret/exempt.md"},
   "published": "2018-06-19", "supplement": 1,
   "exempt": {"paragraph": 3, "reason": "It holds bidders' prices."}}$3]}
EOF
}
meeting "$D/m.json" 2018-06-18 ""
expect_exit "full supplement with a late exempt item builds" 0 \
    $QUIRE pack "$D/m.json" --supplement 1 -o "$TMP/s-full.pdf"
pdftotext "$TMP/s-full.pdf" "$TMP/s-full.txt"
contains "full supplement has the exempt paper" "$TMP/s-full.txt" "qzxLateCanary"
contains "full supplement is a members' pack" "$TMP/s-full.txt" "NOT FOR PUBLICATION (members"
mode=$(stat -c %a "$TMP/s-full.pdf")
[ "$mode" = 600 ] && ok "full supplement with an exempt item is mode 0600" \
    || not_ok "full supplement with an exempt item is mode 0600" "mode $mode"
mv "$D/secret" "$D/secret-away"
expect_exit "public supplement builds without the exempt item's files" 0 \
    $QUIRE pack "$D/m.json" --supplement 1 -o "$TMP/s-public.pdf" --public
pdftotext "$TMP/s-public.pdf" "$TMP/s-public.txt"
contains "public supplement has the open late paper" "$TMP/s-public.txt" "qzxOpenLate"
contains "public supplement quotes the exempt item's reason" "$TMP/s-public.txt" "It holds bidders' prices."
lacks "public supplement: no canary in the text" "$TMP/s-public.txt" "qzxLateCanary"
qpdf --qdf --object-streams=disable "$TMP/s-public.pdf" "$TMP/s-public-qdf.pdf" 2>/dev/null
if raw_has "$TMP/s-public-qdf.pdf" qzxLateCanary; then
    not_ok "public supplement: no canary in the decompressed bytes"
else ok "public supplement: no canary in the decompressed bytes"; fi
expect_exit "public pack builds without the late exempt item's files" 0 \
    $QUIRE pack "$D/m.json" -o "$TMP/p-public.pdf" --public
pdftotext "$TMP/p-public.pdf" "$TMP/p-public.txt"
lacks "public pack: the late open paper is not in it" "$TMP/p-public.txt" "qzxOpenLate"
contains "public pack: it is to follow" "$TMP/p-public.txt" "Report to follow"
mv "$D/secret-away" "$D/secret"

# --- "supplement_numbering": "separate": S1, S2 … ------------------------
sed 's/"published": "2018-06-13",/"published": "2018-06-13", "supplement_numbering": "separate",/' \
    "$D/m.json" >"$D/sep.json"
expect_exit "a separately numbered supplement builds" 0 \
    $QUIRE pack "$D/sep.json" --supplement 1 -o "$TMP/sep.pdf" --public
check "qpdf --check: separately numbered supplement" qpdf --check "$TMP/sep.pdf"
python3 - "$TMP/sep.pdf" <<'PY' || FAILS=$((FAILS + 1))
import json, re, subprocess, sys
pdf = sys.argv[1]
j = json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True, check=True).stdout)
n = len(j["pages"])
t = [None] + [subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), pdf, "-"], capture_output=True,
              check=True, text=True).stdout for k in range(1, n + 1)]
sys.path.insert(0, "tests/e2e")
from pdfcheck import expect, failed
expect(all(f"Page S{k} of S{n}" in t[k] for k in range(1, n + 1)),
       f"separate: footers read Page S1 … S{n} of S{n}", [re.findall(r"Page \S+ of \S+", x) for x in t[1:]])
labels = [(p.get("label") or {}) for p in j["pages"]]
expect([(l.get("/P"), l.get("/St")) for l in labels] == [("u:S", k) for k in range(1, n + 1)],
       "separate: page labels S1, S2 … match", labels)
refs = re.findall(r"Pages? (S\d+)(?: – (S\d+))?(?! of)", t[1])
expect(refs == [("S2", ""), ("S3", "")] and "Late open report" in t[2],
       "separate: the front sheet gives each late paper's pages as S2, S3", refs)
sys.exit(1 if failed() else 0)
PY
sed 's/"published": "2018-06-13",/"published": "2018-06-13", "supplement_numbering": "S",/' \
    "$D/m.json" >"$D/badnum.json"
expect_exit "an unknown supplement_numbering fails" 1 \
    $QUIRE pack "$D/badnum.json" --supplement 1 -o "$TMP/badnum.pdf"
contains "it is located" "$TMP/last.err" "/supplement_numbering: 'S' is not a way of numbering a supplement"

# --- appendices published late on their own ------------------------------
# Item 2's paper and appendix A are in the pack; its appendix B (open) and
# C (exempt) are published in supplement 1; exempt item 3's paper is in
# the pack and its appendix A in the supplement. The pack's agenda lists
# them "to follow" and never opens their files; the supplement carries
# them alone under their items, the front sheet giving each its pages.
find_pikepdf
L=$TMP/late
mkdir -p "$L/secret"
if [ -z "$PY" ]; then
    not_ok "pikepdf available (Debian package python3-pikepdf; make deps)"
else
"$PY" - "$L" <<'PY'
import sys, pikepdf
from pikepdf import Dictionary, Name, Pdf
d = sys.argv[1]
def make(path, pages):
    pdf = Pdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for w, h, text in pages:
        content = pdf.make_stream(f"BT /F1 20 Tf 72 {h - 120} Td ({text}) Tj ET".encode())
        pdf.pages.append(pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=[0, 0, w, h], Contents=content,
            Resources=Dictionary(Font=Dictionary(F1=font)))))
    pdf.save(f"{d}/{path}")
make("a.pdf", [(595, 842, "Action plan qzxAppxA")])
make("b.pdf", [(595, 842, "Ofsted letter qzxAppxB1"), (842, 595, "Landscape table qzxAppxB2")])
make("secret/c.pdf", [(595, 842, "Case summary qzxAppxC")])
make("secret/d.pdf", [(595, 842, "Bid prices qzxAppxD")])
PY
fi
printf '# Improvement plan\n\nThe plan qzxPaperTwo.\n' >"$L/open.md"
printf '# Contract award\n\nBidder prices qzxPaperThree.\n' >"$L/secret/exempt.md"
late_meeting() { # FILE B's-EXTRA ITEM-2-EXTRA
    cat >"$1" <<EOF
{"council": "Walsall Council", "committee": "Cabinet", "date": "2018-06-21",
 "time": "18:00", "venue": "Council House", "published": "2018-06-13",
 "membership": {"members": ["Councillor Bird"]}, "contact": {"name": "Helen Owen"},
 "items": [
  {"number": 1, "title": "Apologies", "standing": {"text": "To receive apologies."}},
  {"number": 2, "title": "Improvement plan", "paper": {"template": "open.md"}$3,
   "appendices": [
    {"letter": "A", "title": "Action plan", "pdf": "a.pdf"},
    {"letter": "B", "title": "Ofsted monitoring letter", "pdf": "b.pdf"$2},
    {"letter": "C", "title": "Case summary", "pdf": "secret/c.pdf",
     "exempt": {"paragraph": 1, "reason": "It names a child."},
     "published": "2018-06-19", "supplement": 1}]},
  {"number": 3, "title": "Contract award", "paper": {"template": "secret/exempt.md"},
   "exempt": {"paragraph": 3, "reason": "It holds bidders' prices."},
   "appendices": [
    {"letter": "A", "title": "Evaluation scores", "pdf": "secret/d.pdf",
     "published": "2018-06-19", "late_reason": "Moderation ended on 18 June."}]}]}
EOF
}
LATE_B=', "published": "2018-06-18", "late_reason": "Ofsted'"'"'s letter arrived on 15 June."'
late_meeting "$L/m.json" "$LATE_B" ""
for kind in full public; do
    flag=""; [ $kind = public ] && flag=--public
    expect_exit "late appendices: $kind pack builds" 0 \
        $QUIRE pack "$L/m.json" -o "$TMP/lp-$kind.pdf" $flag
    expect_exit "late appendices: $kind supplement 1 builds" 0 \
        $QUIRE pack "$L/m.json" --supplement 1 -o "$TMP/ls-$kind.pdf" $flag
    check "qpdf --check: $kind supplement with late appendices" qpdf --check "$TMP/ls-$kind.pdf"
done
python3 - "$TMP" <<'PY' || FAILS=$((FAILS + 1))
import json, re, subprocess, sys
tmp = sys.argv[1]
sys.path.insert(0, "tests/e2e")
from pdfcheck import expect, qjson, texts, failed
def outline(j):
    return [(o["title"], o.get("destpageposfrom1"),
             [(k["title"], k.get("destpageposfrom1")) for k in o["kids"]]) for o in j["outlines"]]
def pages_with(t, word):
    return [k for k in range(1, len(t)) if word in t[k]]
for kind in ("full", "public"):
    pj, sj = qjson(f"{tmp}/lp-{kind}.pdf"), qjson(f"{tmp}/ls-{kind}.pdf")
    pn, sn = len(pj["pages"]), len(sj["pages"])
    pt, st = texts(f"{tmp}/lp-{kind}.pdf", pn, squash=True), texts(f"{tmp}/ls-{kind}.pdf", sn, squash=True)
    # the pack: item 2's paper and appendix A, B and C to follow
    m = re.search(r"2\. Improvement plan (.*?) 3\. Contract award (.*?) Page \d+ of", pt[2])
    a = pages_with(pt, "qzxAppxA")
    expect(m and f"Appendix A – Action plan, page {a[0] if a else '?'}" in m[1]
           and "Appendix B – Ofsted monitoring letter: to follow" in m[1]
           and "Appendix C – Case summary (exempt): to follow" in m[1],
           f"{kind} pack: the agenda lists appendix A's page and B and C to follow", m and m[1], a)
    # an exempt item's own notice stands for its appendices in public
    expect(m and (("Appendix A – Evaluation scores: to follow" in m[2]) == (kind == "full")),
           f"{kind} pack: item 3's late appendix is {'to follow' if kind == 'full' else 'not listed under its notice'}",
           m and m[2])
    expect(not any(w in t for t in pt[1:] for w in ("qzxAppxB", "qzxAppxC", "qzxAppxD")),
           f"{kind} pack: no late appendix's page is in it")
    ol = outline(pj)
    item2 = [o for o in ol if o[0] == "Item 2: Improvement plan"]
    expect(item2 and [k[0] for k in item2[0][2]] == ["Improvement plan", "Appendix A: Action plan"],
           f"{kind} pack: item 2's bookmarks hold appendix A only", ol)
    # the supplement: numbered on from the pack
    first, last = pn + 1, pn + sn
    labels = [(p.get("label") or {}).get("/St") for p in sj["pages"]]
    expect(labels == list(range(first, last + 1)),
           f"{kind} supplement: page labels {first}..{last} run on from the pack's {pn}", labels)
    expect(all(f"Page {pn + k} of {last}" in st[k] for k in range(1, sn + 1)),
           f"{kind} supplement: footers run Page {first} … {last} of {last}",
           [re.findall(r"Page \d+ of \d+", t) for t in st[1:]])
    expect("The following papers were not available" in st[1]
           and "Reason for lateness: Ofsted's letter arrived on 15 June." in st[1]
           and "Reason for lateness: Moderation ended on 18 June." in st[1],
           f"{kind} supplement: the front sheet says papers, with each reason for lateness", st[1])
    refs = {r[0]: (int(r[1]), int(r[2] or r[1])) for r in re.findall(
        r"(Appendix \w to item \d – [^,]*?), pages? (\d+)(?: – (\d+))?", st[1])}
    B = refs.get("Appendix B to item 2 – Ofsted monitoring letter")
    C = refs.get("Appendix C to item 2 – Case summary (exempt)")
    D = refs.get("Appendix A to item 3 – Evaluation scores")
    expect(B and C and D and len(refs) == 3, f"{kind} supplement: the front sheet lists the three late appendices under their items", refs)
    if not (B and C and D):
        continue
    b = [pn + k for k in pages_with(st, "qzxAppxB")]
    expect(B == (first + 1, first + 2) and b == [first + 1, first + 2],
           f"{kind} supplement: appendix B's pages {B} are where its pages are", b)
    c, d = [pn + k for k in pages_with(st, "qzxAppxC")], [pn + k for k in pages_with(st, "qzxAppxD")]
    if kind == "full":
        expect(C == (B[1] + 1,) * 2 and c == [C[0]], f"full supplement: appendix C's page {C} holds it", c)
        expect(D == (C[1] + 1,) * 2 and d == [D[0]], f"full supplement: item 3's appendix A's page {D} holds it", d)
    else:
        cn, dn = st[C[0] - pn], st[D[0] - pn] if D[0] - pn <= sn else ""
        expect(not c and "Appendix C: Case summary" in cn and "paragraph 1 of Part 1" in cn
               and "It names a child." in cn, f"public supplement: appendix C is a notice, page {C}", cn)
        expect(not d and "Agenda item 3, appendix A" in dn and "paragraph 3 of Part 1" in dn
               and "It holds bidders' prices." in dn,
               f"public supplement: item 3's appendix A is a notice quoting the item's exemption, page {D}", dn)
    expect(not any(w in t for t in st[1:] for w in ("qzxPaperTwo", "qzxPaperThree", "qzxAppxA")),
           f"{kind} supplement: neither paper nor appendix A published with it is in it")
    ol = outline(sj)
    want = [("Supplementary agenda 1", 1, [("2. Improvement plan", 1), ("3. Contract award", 1)]),
            ("Item 2: Improvement plan", B[0] - pn, [("Appendix B: Ofsted monitoring letter", B[0] - pn),
                                                    ("Appendix C: Case summary", C[0] - pn)]),
            ("Item 3: Contract award", D[0] - pn, [("Appendix A: Evaluation scores", D[0] - pn)])]
    expect(ol == want, f"{kind} supplement: bookmarks name each item with its late appendices beneath", ol)
sys.exit(1 if failed() else 0)
PY
for f in ls-full ls-public; do
    if [ -n "$PY" ] && out=$("$PY" tests/structure_check.py "$TMP/$f.pdf" 2>&1); then
        ok "$f: structure tree consistent (tests/structure_check.py)"
    else not_ok "$f: structure tree consistent (tests/structure_check.py)" "$out"; fi
done
mode=$(stat -c %a "$TMP/ls-full.pdf")
[ "$mode" = 600 ] && ok "full supplement with an exempt late appendix is mode 0600" \
    || not_ok "full supplement with an exempt late appendix is mode 0600" "mode $mode"
pdftotext "$TMP/ls-full.pdf" "$TMP/ls-full.txt"
contains "full supplement is a members' pack" "$TMP/ls-full.txt" "NOT FOR PUBLICATION (members"
# files never opened: the documents are the same without them
mv "$L/b.pdf" "$L/b-away.pdf"
expect_exit "late appendices: full pack builds without the late appendix's file" 0 \
    $QUIRE pack "$L/m.json" -o "$TMP/lp-full-2.pdf"
check "late appendices: and is identical" cmp "$TMP/lp-full.pdf" "$TMP/lp-full-2.pdf"
mv "$L/secret" "$L/secret-away"
expect_exit "late appendices: public pack builds without the late and exempt files" 0 \
    $QUIRE pack "$L/m.json" -o "$TMP/lp-public-2.pdf" --public
check "late appendices: and is identical" cmp "$TMP/lp-public.pdf" "$TMP/lp-public-2.pdf"
mv "$L/b-away.pdf" "$L/b.pdf"
expect_exit "late appendices: public supplement builds without the exempt files" 0 \
    $QUIRE pack "$L/m.json" --supplement 1 -o "$TMP/ls-public-2.pdf" --public
check "late appendices: and is identical" cmp "$TMP/ls-public.pdf" "$TMP/ls-public-2.pdf"
mv "$L/secret-away" "$L/secret"
qpdf --qdf --object-streams=disable "$TMP/ls-public.pdf" "$TMP/ls-public-qdf.pdf" 2>/dev/null
for w in qzxAppxC qzxAppxD qzxPaperThree; do
    if raw_has "$TMP/ls-public-qdf.pdf" $w; then not_ok "public supplement: no $w in the decompressed bytes"
    else ok "public supplement: no $w in the decompressed bytes"; fi
done
# the pack does not open the late appendix, but will not overwrite it
cp "$L/b.pdf" "$TMP/b-before.pdf"
expect_exit "late appendices: the pack's output may not be a late appendix" 1 \
    $QUIRE pack "$L/m.json" -o "$L/b.pdf"
contains "it names the appendix" "$TMP/last.err" "appendix B of item 2: refusing to overwrite an input"
check "and the appendix is untouched" cmp "$L/b.pdf" "$TMP/b-before.pdf"
# located errors
late_meeting "$L/early.json" ', "published": "2018-06-10"' ""
expect_exit "an appendix published before the agenda fails" 1 \
    $QUIRE pack "$L/early.json" -o "$TMP/early.pdf"
contains "it is located at the appendix's date" "$TMP/last.err" \
    "/items/1/appendices/1/published: item 2, appendix B is published late on 10 June 2018, before the agenda (13 June 2018)"
late_meeting "$L/both.json" "$LATE_B" ', "published": "2018-06-18"'
expect_exit "a late appendix of a late item fails" 1 \
    $QUIRE pack "$L/both.json" -o "$TMP/both.pdf"
contains "it is located at the appendix's date" "$TMP/last.err" \
    "/items/1/appendices/1/published: item 2, appendix B: the item is published late, and its appendices with it"
late_meeting "$L/nodate.json" ', "supplement": 2, "late_reason": "x"' ""
expect_exit "an appendix's supplement without a date fails" 1 \
    $QUIRE pack "$L/nodate.json" -o "$TMP/nodate.pdf"
contains "it is located" "$TMP/last.err" \
    "/items/1/appendices/1/supplement: 'supplement' needs the date the appendix is published"
contains "and the reason without a date" "$TMP/last.err" \
    "/items/1/appendices/1: 'late_reason' needs the date the appendix is published late"
late_meeting "$L/s2.json" ', "published": "2018-06-20", "supplement": 2' ""
expect_exit "a supplement of late appendices alone builds" 0 \
    $QUIRE pack "$L/s2.json" --supplement 2 -o "$TMP/ls2.pdf"
pdftotext "$TMP/ls2.pdf" "$TMP/ls2.txt"
contains "it says 'paper', singular" "$TMP/ls2.txt" "The following paper was not available"
contains "and is dated by its appendix" "$TMP/ls2.txt" "Date of publication: 20 June 2018"
lacks "and holds only supplement 2's appendix" "$TMP/ls2.txt" "Case summary"
sed 's/"published": "2018-06-13",/"published": "2018-06-13", "supplement_numbering": "separate",/' \
    "$L/m.json" >"$L/sep.json"
expect_exit "late appendices: a separately numbered supplement builds" 0 \
    $QUIRE pack "$L/sep.json" --supplement 1 -o "$TMP/ls-sep.pdf" --public
pdftotext -layout -f 1 -l 1 "$TMP/ls-sep.pdf" "$TMP/ls-sep1.txt"
contains "it gives appendix B's pages as S2 – S3" "$TMP/ls-sep1.txt" \
    "Appendix B to item 2 – Ofsted monitoring letter, pages S2 – S3"
contains "and item 3's appendix A's as S5" "$TMP/ls-sep1.txt" \
    "Appendix A to item 3 – Evaluation scores, page S5"
pdftotext -f 3 -l 3 "$TMP/ls-sep.pdf" "$TMP/ls-sep3.txt"
contains "an appendix page's footer reads Page S3 of S5" "$TMP/ls-sep3.txt" "Page S3 of S5"

# A paper appendix published late on its own, as a PDF one: "to follow" in
# the pack, which does not open its files; in the supplement under its
# item, on the pages the front sheet gives; an exempt one a notice in the
# public supplement, its files never opened.
mkdir -p "$L/late-e" "$L/secret-f"
printf '# Revised action plan\n\nqzxLatePaperE first.\n\n## Actions\n\nqzxLatePaperE last.\n' >"$L/late-e/plan.md"
printf '# Case audit\n\nqzxLatePaperF\n' >"$L/secret-f/audit.md"
cat >"$L/paper.json" <<'EOF'
{"council": "Walsall Council", "committee": "Cabinet", "date": "2018-06-21",
 "time": "18:00", "venue": "Council House", "published": "2018-06-13",
 "membership": {"members": ["Councillor Bird"]}, "contact": {"name": "Helen Owen"},
 "items": [
  {"number": 2, "title": "Improvement plan", "paper": {"template": "open.md"},
   "appendices": [
    {"letter": "E", "title": "Revised action plan", "paper": {"template": "late-e/plan.md"},
     "published": "2018-06-18", "late_reason": "The Improvement Board met on 15 June."},
    {"letter": "F", "title": "Case audit", "paper": {"template": "secret-f/audit.md"},
     "exempt": {"paragraph": 2, "reason": "It could identify a child."},
     "published": "2018-06-18"}]}]}
EOF
expect_exit "late paper appendix: the pack builds" 0 $QUIRE pack "$L/paper.json" -o "$TMP/pp.pdf"
pdftotext "$TMP/pp.pdf" "$TMP/pp.txt"
contains "  ... its agenda lists it to follow" "$TMP/pp.txt" "Appendix E – Revised action plan: to follow"
lacks "  ... without its text" "$TMP/pp.txt" "qzxLatePaperE"
mv "$L/late-e" "$L/late-e-away"
expect_exit "  ... and builds without its files" 0 $QUIRE pack "$L/paper.json" -o "$TMP/pp2.pdf"
check "  ... identical" cmp "$TMP/pp.pdf" "$TMP/pp2.pdf"
mv "$L/late-e-away" "$L/late-e"
for kind in full public; do
    flag=""; [ $kind = public ] && flag=--public
    expect_exit "late paper appendix: $kind supplement 1 builds" 0 \
        $QUIRE pack "$L/paper.json" --supplement 1 -o "$TMP/ps-$kind.pdf" $flag
    check "qpdf --check: $kind supplement with a late paper appendix" qpdf --check "$TMP/ps-$kind.pdf"
done
python3 - "$TMP" <<'PY' || FAILS=$((FAILS + 1))
import json, re, subprocess, sys
tmp = sys.argv[1]
sys.path.insert(0, "tests/e2e")
from pdfcheck import expect, failed
for kind in ("full", "public"):
    pdf = f"{tmp}/ps-{kind}.pdf"
    j = json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True, check=True).stdout)
    n = len(j["pages"])
    t = [None] + [re.sub(r"\s+", " ", subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), pdf, "-"],
         capture_output=True, check=True, text=True).stdout) for k in range(1, n + 1)]
    m = re.search(r"Appendix E to item 2 – Revised action plan, pages? (\d+)(?: – (\d+))?", t[1])
    e = [k for k in range(1, n + 1) if "qzxLatePaperE" in t[k]]
    # numbered on from the pack: the printed number is the footer's
    printed = [int(re.search(r"Page (\d+) of", t[k])[1]) for k in e]
    expect(m and e and (int(m[1]), int(m[2] or m[1])) == (printed[0], printed[-1]),
           f"{kind} supplement: the front sheet gives appendix E the pages its text is on", m and m[0], e, printed)
    ol = [(o["title"], o.get("destpageposfrom1"), [k["title"] for k in o["kids"]]) for o in j["outlines"]]
    item = [o for o in ol if o[0] == "Item 2: Improvement plan"]
    expect(item and item[0][1] == (e[0] if e else None)
           and item[0][2][:2] == ["Appendix E: Revised action plan", "Appendix F: Case audit"],
           f"{kind} supplement: appendix E's and F's bookmarks under item 2's", ol)
    f = [k for k in range(1, n + 1) if "qzxLatePaperF" in t[k]]
    notice = [k for k in range(1, n + 1) if "It could identify a child." in t[k] and "Schedule 12A" in t[k]]
    expect((f and not notice) if kind == "full" else (notice and not f),
           f"{kind} supplement: appendix F is {'shown' if kind == 'full' else 'a notice'}", f, notice)
sys.exit(1 if failed() else 0)
PY
mv "$L/secret-f" "$L/secret-f-away"
expect_exit "late paper appendix: the public supplement builds without the exempt one's files" 0 \
    $QUIRE pack "$L/paper.json" --supplement 1 -o "$TMP/ps-public-2.pdf" --public
check "  ... identical" cmp "$TMP/ps-public.pdf" "$TMP/ps-public-2.pdf"
mv "$L/secret-f-away" "$L/secret-f"

# --- located errors ------------------------------------------------------
expect_exit "a supplement with no items fails" 1 \
    $QUIRE pack "$D/m.json" --supplement 2 -o "$TMP/s2.pdf"
contains "it is located at /items" "$TMP/last.err" \
    "error: /items: no item or appendix is published late in supplement 2"
[ ! -e "$TMP/s2.pdf" ] && ok "no supplement 2 written" || not_ok "no supplement 2 written"
meeting "$D/early.json" 2018-06-10 ""
expect_exit "a late item published before the agenda fails" 1 \
    $QUIRE pack "$D/early.json" -o "$TMP/early.pdf"
contains "it is located at the item's date" "$TMP/last.err" \
    "/items/1/published: item 2 is published late on 10 June 2018, before the agenda (13 June 2018)"
meeting "$D/bad.json" 2018-06-18 ',
  {"number": 4, "title": "Any other business", "standing": {"text": "x"},
   "published": "2018-06-19"}'
expect_exit "a standing item published late fails" 1 \
    $QUIRE pack "$D/bad.json" -o "$TMP/bad.pdf"
contains "it is located" "$TMP/last.err" "/items/3/published: only a paper can be published late"
meeting "$D/broken.json" 2018-06-18 ',
  {"number": 4, "title": "Broken report", "paper": {"template": "missing.md"}}'
expect_exit "a supplement numbered on from a broken pack fails" 1 \
    $QUIRE pack "$D/broken.json" --supplement 1 -o "$TMP/broken.pdf"
contains "it names the broken item" "$TMP/last.err" "item 4 ‘Broken report’ cannot be built"
contains "and why the supplement needs it" "$TMP/last.err" \
    "supplement 1 cannot be numbered on from the agenda pack, which has errors"
[ ! -e "$TMP/broken.pdf" ] && ok "no supplement written" || not_ok "no supplement written"
expect_exit "--supplement takes a number" 2 \
    $QUIRE pack "$D/m.json" --supplement x -o "$TMP/x.pdf"
expect_exit "--supplement is not for --html" 2 \
    $QUIRE pack "$D/m.json" --supplement 1 --html "$TMP/h"
finish
