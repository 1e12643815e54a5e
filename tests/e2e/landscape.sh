#!/usr/bin/env bash
# End-to-end: landscape pages inside a paper. The sample progress report
# puts its action table section between <!-- landscape --> and
# <!-- portrait -->; read back page by page: each page's size (pdfinfo),
# the table's text on the landscape pages only, the footer's "Page k of N"
# running through, bookmarks and page labels, qpdf --check and the
# structure tree. The same paper without the switches is all portrait; a
# pack keeps the turned pages; the display list names them; a table too
# wide for a portrait page is a warning at its template line.
. "$(dirname "$0")/lib.sh"

DATA=samples/progress-harwood-action-plan.json
TPL=templates/progress-report.md
PDF=$TMP/progress.pdf

expect_exit "the progress report renders" 0 $QUIRE render $DATA -t $TPL -o $PDF
check "qpdf --check passes" qpdf --check $PDF

# page_report PDF: one line per page, "k W H landscape|portrait", from
# pdfinfo -f 1 -l N
page_report() {
    local n
    n=$(pdfinfo "$1" | awk '/^Pages:/ {print $2}')
    pdfinfo -f 1 -l "$n" "$1" | awk '/^Page +[0-9]+ size:/ {
        print $2, $4, $6, ($4 > $6 ? "landscape" : "portrait") }'
}
page_report $PDF >$TMP/sizes

# per-page checks, done in Python over the sizes and pdftotext of each page
if out=$(python3 - $PDF $TMP/sizes <<'PY'
import re, subprocess, sys
pdf, sizes = sys.argv[1:3]
pages = [l.split() for l in open(sizes)]
n = len(pages)
text = [subprocess.run(["pdftotext", "-layout", "-f", str(k), "-l", str(k), pdf, "-"],
                       capture_output=True, check=True, text=True).stdout
        for k in range(1, n + 1)]
bad = []
land = [k + 1 for k, p in enumerate(pages) if p[3] == "landscape"]
for k, p in enumerate(pages):
    w, h = float(p[1]), float(p[2])
    want = (841.89, 595.28) if p[3] == "landscape" else (595.28, 841.89)
    if abs(w - want[0]) > 0.01 or abs(h - want[1]) > 0.01:
        bad.append(f"page {k + 1} is {w} x {h}, not A4")
if not land:
    bad.append("no landscape page")
elif land != list(range(land[0], land[-1] + 1)):
    bad.append(f"landscape pages not one run: {land}")
# the switch starts a new page: section 4 opens the first landscape page,
# the last (section 5) is on the first portrait page after the run
def page_of(s):
    return [k + 1 for k in range(n) if re.search(s, text[k], re.M)]
# (a section number hangs in its gutter, spaces apart from the words)
if land and page_of(r"4\.\s+The action plan") != [land[0]]:
    bad.append(f"'4. The action plan' on {page_of('4. The action plan')}, landscape {land}")
if land and page_of(r"5\.\s+Performance indicators") != [land[-1] + 1]:
    bad.append(f"'5. Performance indicators' on {page_of('5. Performance indicators')}")
# every page with the action table's header row is landscape, and rows
# of Table 1 from the first to the last (refs with an owner) are on them
table = page_of(r"^\s*Ref\s+Action\s+Owner\s+Due\s+Status\s+Progress")
if not table or any(k not in land for k in table):
    bad.append(f"Table 1 on pages {table}, landscape {land}")
for ref in ("1.1", "5.4", "10.4"):
    on = page_of(r"^\s*" + re.escape(ref) + r"\s+\S.*\s(Head|Principal|Participation|HR)")
    if not on or any(k not in land for k in on):
        bad.append(f"row {ref} on pages {on}, landscape {land}")
# portrait text around it: the summary before, the indicators after
if land and (land[0] == 1 or pages[0][3] != "portrait" or pages[-1][3] != "portrait"):
    bad.append("the paper does not start and end portrait")
# the footer runs through the turned pages
miss = [k + 1 for k in range(n) if f"Page {k + 1} of {n}" not in text[k]]
if miss:
    bad.append(f"'Page k of {n}' missing on pages {miss}")
if bad:
    print("\n".join(bad))
    sys.exit(1)
print(f"{n} pages, landscape {land[0]}-{land[-1]}")
PY
); then ok "action table on landscape A4 (842 x 595), portrait around it, footers continuous: $out"
else not_ok "action table on landscape pages, portrait around it, footers continuous" "$out"; fi

# the footer of a landscape page is centred on its own width
if out=$(python3 - $PDF $TMP/sizes <<'PY'
import re, subprocess, sys
pdf, sizes = sys.argv[1:3]
pages = [l.split() for l in open(sizes)]
k = next(i + 1 for i, p in enumerate(pages) if p[3] == "landscape")
html = subprocess.run(["pdftotext", "-bbox", "-f", str(k), "-l", str(k), pdf, "-"],
                      capture_output=True, check=True, text=True).stdout
words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', html)
foot = [w for w in words if float(w[1]) > 540]
x0 = min(float(w[0]) for w in foot); x1 = max(float(w[2]) for w in foot)
mid = (x0 + x1) / 2
print(f"page {k}: footer centre {mid:.1f}, page centre 420.9")
sys.exit(0 if abs(mid - 841.89 / 2) < 2 else 1)
PY
); then ok "landscape footer centred on the landscape page ($out)"
else not_ok "landscape footer centred on the landscape page" "$out"; fi

# bookmarks, page labels and the structure tree stay whole
if out=$(python3 - $PDF <<'PY'
import json, subprocess, sys
j = json.loads(subprocess.run(["qpdf", "--json", sys.argv[1]], capture_output=True, check=True).stdout)
pages = j["pages"]
page_of = {p["object"]: p["pageposfrom1"] for p in pages}
bad = []
def walk(os):
    for o in os:
        yield o
        yield from walk(o.get("kids", []))
outl = list(walk(j["outlines"]))
want = {"4. The action plan": None, "5. Performance indicators": None}
for o in outl:
    if o["title"] in want:
        d = o.get("dest")
        want[o["title"]] = page_of.get(d[0]) if isinstance(d, list) and d else o.get("destpageposfrom1")
text = lambda k: " ".join(subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), sys.argv[1], "-"],
                                         capture_output=True, check=True, text=True).stdout.split())
for t, k in want.items():
    if not k or t not in text(k):
        bad.append(f"bookmark '{t}' goes to page {k}")
print("; ".join(bad) or f"{len(outl)} bookmarks")
sys.exit(1 if bad else 0)
PY
); then ok "bookmarks go to the turned pages and back ($out)"
else not_ok "bookmarks go to the turned pages and back" "$out"; fi

PYTHON=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import pikepdf' 2>/dev/null; then PYTHON=$p; break; fi
done
if [ -n "$PYTHON" ]; then
    check "the structure tree passes tests/structure_check.py" "$PYTHON" tests/structure_check.py $PDF
else
    skip "the structure tree passes tests/structure_check.py" "pikepdf missing (python3-pikepdf)"
fi

# the display list names the turned pages, the same ones as the PDF
$QUIRE check $DATA -t $TPL --dump=pages >$TMP/pages.dump 2>$TMP/dump.err
grep '^page ' $TMP/pages.dump | awk '{print $2, ($NF == "landscape" ? "landscape" : "portrait")}' >$TMP/dump.orient
awk '{print $1, $4}' $TMP/sizes >$TMP/pdf.orient
if grep -q '^page [0-9]* 841.89 x 595.28 landscape$' $TMP/pages.dump &&
   diff -q $TMP/dump.orient $TMP/pdf.orient >/dev/null; then
    ok "check --dump=pages says 'landscape' on the pages the PDF turns"
else
    not_ok "check --dump=pages says 'landscape' on the pages the PDF turns" \
        "$(grep '^page ' $TMP/pages.dump | head -12)" "$(cat $TMP/pdf.orient)"
fi

# the same paper without the switches: all portrait, the same words
mkdir -p $TMP/tpl
cp -r templates/partials $TMP/tpl/
grep -v -e '^<!-- landscape -->$' -e '^<!-- portrait -->$' $TPL >$TMP/tpl/portrait.md
expect_exit "the portrait-only version renders" 0 $QUIRE render $DATA -t $TMP/tpl/portrait.md -o $TMP/portrait.pdf
page_report $TMP/portrait.pdf >$TMP/psizes
if [ -s $TMP/psizes ] && ! grep -q landscape $TMP/psizes; then
    ok "the portrait-only version has only portrait pages ($(wc -l <$TMP/psizes) pages)"
else
    not_ok "the portrait-only version has only portrait pages" "$(cat $TMP/psizes)"
fi
# (less the footers and the "(continued)" bands of rows split over pages;
# the repeated header rows differ in number: each word once)
words() {
    pdftotext -raw "$1" - | python3 -c '
import re, sys
t = re.sub(r"\u00ad\n", "", sys.stdin.read())     # a hyphen inserted at a line end
t = re.sub(r"(?<=\w-)\n", "", t)                   # a typed one ("multi-agency")
lines = [l for l in t.splitlines()
         if not re.fullmatch(r"Page \d+ of \d+", l.strip()) and not l.endswith("(continued)")]
print("\n".join(sorted(set(" ".join(lines).split()))))'
}
words $PDF >$TMP/w1; words $TMP/portrait.pdf >$TMP/w2
if [ -s $TMP/w1 ] && cmp -s $TMP/w1 $TMP/w2; then ok "both versions hold the same words"
else not_ok "both versions hold the same words" "$(diff $TMP/w1 $TMP/w2 | head -8)"; fi

# a pack keeps each page's orientation
cat >$TMP/meeting.json <<EOF
{
  "council": "Harwood Borough Council",
  "committee": "Children's Services Improvement Board",
  "date": "2025-10-15",
  "time": "14:00",
  "venue": "Committee Room 1, Town Hall",
  "published": "2025-10-07",
  "membership": {"chair": "Councillor Ahmed", "members": [{"name": "Councillor Brown"}]},
  "contact": {"name": "Sam Lee", "role": "Democratic Services Officer", "phone": "01234 567890", "email": "sam.lee@harwood.gov.uk"},
  "issued_by": {"name": "Jo Smith", "role": "Chief Executive"},
  "items": [
    {"number": 1, "title": "Apologies", "standing": {"text": "To receive any apologies for absence."}},
    {"number": 2, "title": "Improvement plan progress", "lead": "Director of Children's Services",
     "paper": {"data": "$PWD/$DATA", "template": "$PWD/$TPL"}}
  ]
}
EOF
expect_exit "a pack holding the progress report builds" 0 $QUIRE pack $TMP/meeting.json -o $TMP/pack.pdf
if [ -f $TMP/pack.pdf ]; then
    page_report $TMP/pack.pdf >$TMP/packsizes
    np=$(wc -l <$TMP/packsizes)
    nl=$(grep -c landscape $TMP/packsizes)
    want=$(grep -c landscape $TMP/sizes)
    first=$(awk '$4 == "landscape" {print $1; exit}' $TMP/packsizes)
    if [ "$nl" = "$want" ] && [ -n "$first" ] &&
       pdftotext -f "$first" -l "$first" $TMP/pack.pdf - | tr -s ' \n' '  ' | grep -q "4\. The action plan" &&
       pdftotext -f "$first" -l "$first" $TMP/pack.pdf - | grep -q "Page $first of $np"; then
        ok "the pack keeps the paper's $nl landscape pages (from page $first of $np)"
    else
        not_ok "the pack keeps the paper's landscape pages" "pack: $nl landscape, paper: $want" "$(cat $TMP/packsizes)"
    fi
    check "the pack passes qpdf --check" qpdf --check $TMP/pack.pdf
    if out=$(python3 - $TMP/pack.pdf <<'PY'
import json, subprocess, sys
j = json.loads(subprocess.run(["qpdf", "--json", sys.argv[1]], capture_output=True, check=True).stdout)
labels = [p.get("label") for p in j["pages"]]
bad = [k + 1 for k, l in enumerate(labels) if not l or l.get("/St") != k + 1]
print(f"wrong on pages {bad}" if bad else f"{len(labels)} labels")
sys.exit(1 if bad else 0)
PY
    ); then ok "the pack's page labels run through the turned pages ($out)"
    else not_ok "the pack's page labels run through the turned pages" "$out"; fi
fi

# a table too wide for a portrait page: a warning at its template line
# naming the switch; on landscape pages it fits, and says nothing
# (8 columns of "Responsibilities": 694 pt, more than portrait's 482 and
# less than landscape's 728; 10 are too wide for either)
row() { local s="|"; for i in $(seq 1 ${2:-8}); do s="$s $1$i |"; done; echo "$s"; }
rule() { local s="|"; for i in $(seq 1 ${1:-8}); do s="$s---|"; done; echo "$s"; }
{
    echo "# Wide"; echo; echo "Some text."; echo
    row Head; rule; row Responsibilities
} >$TMP/wide.md
expect_exit "a table too wide for portrait still renders" 0 $QUIRE render -t $TMP/wide.md -o $TMP/wide.pdf
contains "the warning is at the table's template line and names the switch" $TMP/last.err \
    "wide.md:5:1: warning: table is too wide for a portrait page"
contains "the warning names <!-- landscape -->" $TMP/last.err "<!-- landscape -->"
{
    echo "# Wide"; echo; echo "Some text."; echo; echo "<!-- landscape -->"; echo
    row Head; rule; row Responsibilities
    echo; echo "<!-- portrait -->"; echo; echo "After."
} >$TMP/wide2.md
expect_exit "the wide table on a landscape page renders" 0 $QUIRE render -t $TMP/wide2.md -o $TMP/wide2.pdf
lacks "on a landscape page the wide table is not warned about" $TMP/last.err "too wide"
page_report $TMP/wide2.pdf | awk '{print $4}' | tr '\n' ' ' >$TMP/w2o
if [ "$(cat $TMP/w2o)" = "portrait landscape portrait " ]; then ok "portrait, landscape, portrait pages"
else not_ok "portrait, landscape, portrait pages" "$(cat $TMP/w2o)"; fi

printf '# Wider\n\n%s\n%s\n%s\n' "$(row Head 10)" "$(rule 10)" "$(row Responsibilities 10)" >$TMP/wider.md
expect_exit "a table too wide for either orientation renders" 0 $QUIRE render -t $TMP/wider.md -o $TMP/wider.pdf
contains "a table too wide even for landscape says so at its line" $TMP/last.err \
    "wider.md:3:1: warning: table is too wide for a portrait page, and for a landscape one"

# a switch inside a list only breaks the page, with a warning at its line
printf '# List\n\n- one\n\n  <!-- landscape -->\n\n- two\n' >$TMP/nested.md
expect_exit "a switch inside a list renders" 0 $QUIRE render -t $TMP/nested.md -o $TMP/nested.pdf
contains "a switch inside a list is a warning at its line" $TMP/last.err \
    "nested.md:5:1: warning: <!-- landscape --> inside a list or quote"
if [ "$(page_report $TMP/nested.pdf | awk '{print $4}' | tr '\n' ' ')" = "portrait portrait " ]; then
    ok "a switch inside a list breaks the page without turning it"
else not_ok "a switch inside a list breaks the page without turning it" "$(page_report $TMP/nested.pdf)"; fi

# a landscape house style: <!-- portrait --> turns pages upright, and back
printf '{ "page": { "orientation": "landscape" } }\n' >$TMP/land.json
printf '# Wide\n\nA.\n\n<!-- portrait -->\n\nB.\n\n<!-- landscape -->\n\nC.\n' >$TMP/flip.md
expect_exit "a landscape style with a portrait section renders" 0 \
    $QUIRE render -t $TMP/flip.md -s $TMP/land.json -o $TMP/flip.pdf
if [ "$(page_report $TMP/flip.pdf | awk '{print $2 "x" $3}' | tr '\n' ' ')" = \
     "841.89x595.28 595.28x841.89 841.89x595.28 " ]; then
    ok "a landscape style: landscape, portrait, landscape pages"
else not_ok "a landscape style: landscape, portrait, landscape pages" "$(page_report $TMP/flip.pdf)"; fi

finish
