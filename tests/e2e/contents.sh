#!/usr/bin/env bash
# End-to-end: the table of contents a template asks for with a line
# holding only <!-- contents -->. Read back: every entry's page number is
# the page pdftotext finds its heading on, each entry is a link to that
# page, and a contents long enough to push the headings after it onto
# later pages still gets their numbers right (layout repeats until they
# settle).
. "$(dirname "$0")/lib.sh"

DATA=samples/progress-harwood-action-plan.json
mkdir -p $TMP/tpl
cp -r templates/partials $TMP/tpl/
sed 's/^{{>partials\/heading}}$/{{>partials\/heading}}\n\n<!-- contents -->\n/' \
    templates/progress-report.md >$TMP/tpl/toc.md

# toc_check NAME PDF MIN: every entry of the contents (title, leader dots,
# page) against the page the heading is on, and the entry's link
toc_check() {
    python3 - "$@" <<'PY'
import json, re, subprocess, sys
name, pdf, least = sys.argv[1], sys.argv[2], int(sys.argv[3])
j = json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True, check=True).stdout)
objs = j["qpdf"][1]
pages = [p["object"] for p in j["pages"]]
n = len(pages)
text = [subprocess.run(["pdftotext", "-layout", "-f", str(k), "-l", str(k), pdf, "-"],
                       capture_output=True, check=True, text=True).stdout
        for k in range(1, n + 1)]
entry = re.compile(r"^\s*(\S.*?)\s+(?:\.\s*){2,}(\d+)\s*$")
toc, toc_pages = [], set()
for k in range(n):
    lines = text[k].splitlines()
    for i, line in enumerate(lines):
        m = entry.match(line)
        if not m:
            continue
        title = m.group(1)
        # a title wrapped over lines: the lines above it with no dots
        # (the dots line up after its last line)
        while i > 0 and lines[i - 1].strip() and not entry.match(lines[i - 1]) \
                and lines[i - 1].startswith(line[:len(line) - len(line.lstrip())]) \
                and len(lines[i - 1].strip()) > 40:
            i -= 1
            title = lines[i].strip() + " " + title
        toc.append((title, int(m.group(2)), k + 1))
        toc_pages.add(k + 1)
bad = []
if len(toc) < least:
    bad.append(f"{len(toc)} entries, expected at least {least}")
norm = lambda s: " ".join(s.split())
for title, page, on in toc:
    where = [k + 1 for k in range(n)
             if any(norm(l) == norm(title) and not entry.match(l)
                    for l in text[k].splitlines())]
    if not where or where[0] != page:
        bad.append(f"'{title}': contents says page {page}, heading on {where}")
# each entry's link goes to the page its number says
links = {}
for k in sorted(toc_pages):
    for a in objs["obj:" + pages[k - 1]]["value"].get("/Annots", []):
        v = objs["obj:" + a]["value"]
        d = v.get("/Dest")
        if isinstance(d, list) and d:
            links.setdefault(norm(v.get("/Contents", "")[2:]), set()).add(pages.index(d[0]) + 1)
for title, page, on in toc:
    got = links.get(norm(title))
    if got != {page}:
        bad.append(f"'{title}': links go to {got}, contents says {page}")
for b in bad[:10]:
    print(b)
if not bad:
    print(f"{len(toc)} entries on page(s) {sorted(toc_pages)}, numbers and links match")
sys.exit(1 if bad else 0)
PY
}

expect_exit "the progress report with a contents renders" 0 \
    $QUIRE render $DATA -t $TMP/tpl/toc.md -o $TMP/toc.pdf
if out=$(toc_check progress $TMP/toc.pdf 9); then ok "progress report: $out"
else not_ok "progress report: contents numbers and links" "$out"; fi
check "qpdf --check passes" qpdf --check $TMP/toc.pdf
if [ -f $TMP/last.err ] && [ ! -s $TMP/last.err ]; then ok "no diagnostics: the contents settled"
else not_ok "no diagnostics: the contents settled" "$(head -5 $TMP/last.err)"; fi

PYTHON=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import pikepdf' 2>/dev/null; then PYTHON=$p; break; fi
done
if [ -n "$PYTHON" ]; then
    check "the structure tree passes tests/structure_check.py" "$PYTHON" tests/structure_check.py $TMP/toc.pdf
    if out=$("$PYTHON" - $TMP/toc.pdf <<'PY'
import pikepdf, sys
pdf = pikepdf.open(sys.argv[1])
def walk(e, depth=0):
    s = e.get("/S")
    yield str(s) if s is not None else "", e
    k = e.get("/K")
    if isinstance(k, pikepdf.Array):
        for c in k:
            if isinstance(c, pikepdf.Dictionary): yield from walk(c)
    elif isinstance(k, pikepdf.Dictionary):
        yield from walk(k)
root = pdf.Root.StructTreeRoot
kinds = [s for s, _ in walk(root)]
print(f"TOC {kinds.count('/TOC')}, TOCI {kinds.count('/TOCI')}")
sys.exit(0 if kinds.count("/TOC") == 1 and kinds.count("/TOCI") >= 9 else 1)
PY
    ); then ok "the contents is tagged TOC with a TOCI per entry ($out)"
    else not_ok "the contents is tagged TOC with a TOCI per entry" "$out"; fi
else
    skip "the structure tree passes tests/structure_check.py" "pikepdf missing (python3-pikepdf)"
fi

# a contents of 80 sections runs over two pages, which moves every
# heading after it: the numbers are the pages they land on
{
    echo "# A long paper"; echo; echo "<!-- contents -->"; echo
    for i in $(seq 1 80); do
        echo "## Section $i"; echo
        echo "Text of section $i. The quick brown fox jumps over the lazy dog, and the council notes the report."
        echo
        [ $((i % 7)) = 0 ] && { echo "### Detail $i"; echo; echo "More."; echo; }
        [ $((i % 20)) = 0 ] && { echo "<!-- landscape -->"; echo; echo "## Wide appendix $i"; echo; echo "Wide."; echo; echo "<!-- portrait -->"; echo; }
    done
} >$TMP/long.md
expect_exit "an 80-section paper with a contents renders" 0 $QUIRE render -t $TMP/long.md -o $TMP/long.pdf
if out=$(toc_check long $TMP/long.pdf 84); then ok "long paper: $out"
else not_ok "long paper: contents numbers and links" "$out"; fi

# in a pack the numbers are the pack's pages, as the footers are
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
     "paper": {"data": "$PWD/$DATA", "template": "$TMP/tpl/toc.md"}}
  ]
}
EOF
expect_exit "a pack holding the paper with a contents builds" 0 $QUIRE pack $TMP/meeting.json -o $TMP/pack.pdf
if out=$(toc_check pack $TMP/pack.pdf 9); then ok "pack: $out"
else not_ok "pack: contents numbers and links" "$out"; fi

# the directive in the document tree, and no contents without it
$QUIRE check -t $TMP/long.md --dump=doc >$TMP/long.doc 2>&1
contains "--dump=doc shows the contents directive" $TMP/long.doc "contents line=3"
expect_exit "the progress report without the directive renders" 0 \
    $QUIRE render $DATA -t templates/progress-report.md -o $TMP/plain.pdf
if pdftotext -layout $TMP/plain.pdf - | grep -qE '(\. ){5,}'; then
    not_ok "no contents without the directive" "leader dots found"
else ok "no contents without the directive"; fi

finish
