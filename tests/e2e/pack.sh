#!/usr/bin/env bash
# End-to-end: agenda packs. Builds meetings into packs and reads
# them back: the agenda's page numbers against where each item starts
# (pdftotext per page), bookmarks and page labels (qpdf --json), links,
# exempt items withheld from the public pack down to the bytes of the file
# (a canary planted in every field), and broken items failing cleanly.
. "$(dirname "$0")/lib.sh"

CABINET=samples/meetings/cabinet-2018-06-21.json

# pack_check NAME PDF MEETING public|full: structural checks, one ok/not ok
# line each, done in Python over qpdf --json and pdftotext of every page.
pack_check() {
    python3 - "$@" <<'PY' || FAILS=$((FAILS + 1))
import json, os, re, subprocess, sys
name, pdf, meeting_path, mode = sys.argv[1:5]
public = mode == "public"
bad = 0
def ok(msg): print(f"ok - {name}: {msg}")
def not_ok(msg, *detail):
    global bad
    bad += 1
    print(f"not ok - {name}: {msg}")
    for d in detail: print(f"    {d}")
def norm(s): return re.sub(r"\s+", " ", s).strip()

meeting = json.load(open(meeting_path))
def long_date(iso):
    y, m, d = map(int, iso.split("-"))
    return f"{d} {['January','February','March','April','May','June','July','August','September','October','November','December'][m - 1]} {y}"
def gov_time(t):
    h, m = map(int, t.split(":"))
    if (h, m) == (12, 0): return "midday"
    if (h, m) == (0, 0): return "midnight"
    hh = h % 12 or 12
    return f"{hh}{'' if m == 0 else f':{m:02d}'}{'am' if h < 12 else 'pm'}"
items = meeting["items"]
def num(it): return str(it["number"])
# a paper published late is "to follow" in the pack: no pages of its own
papers = [it for it in items if "paper" in it and "published" not in it]
any_exempt = any("exempt" in it for it in items)
# a members' pack: an exempt item, or an exempt appendix published with its item
any_exempt = any_exempt or any("exempt" in x and "published" not in x
                               for it in papers for x in it.get("appendices", []))
appx = {}   # item number -> [(appendix, first page, last page)] the agenda gives
def size_of(f, k):
    """page k's width x height in points, as pdfinfo reads its MediaBox"""
    out = subprocess.run(["pdfinfo", "-f", str(k), "-l", str(k), f], capture_output=True, text=True).stdout
    m = re.search(r"Page\s+%d size:\s+([\d.]+) x ([\d.]+)" % k, out)
    return (m.group(1), m.group(2)) if m else None
j = json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True, check=True).stdout)
pages = j["pages"]
total = len(pages)
page_of = {p["object"]: p["pageposfrom1"] for p in pages}
text = [None] + [subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), pdf, "-"],
                                capture_output=True, check=True, text=True).stdout
                 for k in range(1, total + 1)]

# continuous page numbers in the footer, and matching page labels
missing = [k for k in range(1, total + 1) if f"Page {k} of {total}" not in text[k]]
if missing: not_ok("footer reads 'Page k of N' on every page", f"missing on pages {missing}")
else: ok(f"footer reads 'Page k of {total}' on all {total} pages")
labels = [p.get("label") for p in pages]
badl = [k + 1 for k, l in enumerate(labels) if not l or l.get("/S") != "/D" or l.get("/St") != k + 1]
if badl: not_ok("page labels run 1..N", f"wrong labels on pages {badl[:10]}: {labels[:3]}")
else: ok("page labels are decimal and run 1..N with the pages")

# the agenda: from its bookmark to the first paper's (or the end)
outl = j["outlines"]
def dest_page(o):
    d = o.get("dest")
    return page_of.get(d[0]) if isinstance(d, list) and d else o.get("destpageposfrom1")
starts = [dest_page(o) for o in outl]
ag = [o for o in outl if o["title"] == "Agenda"]
a0 = dest_page(ag[0]) if ag else 2
later = [p for p in starts if p and p > a0]
agenda_pages = list(range(a0, (min(later) if later else total + 1)))
# the page references printed for each paper, in order (not the footer)
agenda = norm(" ".join(text[k] for k in agenda_pages))
refs = re.findall(r"Pages? (\d+)(?: – (\d+))?(?! of)", agenda)
refs = [(int(a), int(b or a)) for a, b in refs]
if len(refs) != len(papers):
    not_ok("the agenda prints one page reference per paper", f"found {refs} for {len(papers)} papers")
else:
    ok(f"the agenda prints a page reference for each of {len(papers)} papers")
    first_paper = agenda_pages[-1] + 1
    expect = first_paper
    for it, (a, b) in zip(papers, refs):
        label = f"item {num(it)}"
        if a != expect:
            not_ok(f"{label} starts right after the previous one", f"agenda says {a}, expected {expect}")
        # its PDF appendices (those published with it): the agenda's line
        # for each, "Appendix A – Title, pages X – Y" ((exempt) after the
        # title of an exempt one), read back against the pages themselves
        xs = [x for x in it.get("appendices", []) if "published" not in x]
        appx[num(it)] = []
        if public and "exempt" in it:
            if any(f"Appendix {x['letter']} – {norm(x['title'])}" in agenda for x in xs):
                not_ok(f"{label}: a withheld item's appendices are not listed")
            xs = []
        for x in xs:
            xl = f"{label}, appendix {x['letter']}"
            m = re.search(re.escape(f"Appendix {x['letter']} – {norm(x['title'])}")
                          + r"( \(exempt\))?, (?:pages (\d+) – (\d+)|page (\d+))", agenda)
            if not m:
                not_ok(f"{xl}: the agenda lists it with its pages", agenda[-400:])
                continue
            xa, xb = int(m.group(2) or m.group(4)), int(m.group(3) or m.group(4))
            if bool(m.group(1)) != ("exempt" in x):
                not_ok(f"{xl}: marked (exempt) on the agenda exactly when it is exempt", m.group(0))
            appx[num(it)].append((x, xa, xb))
            withheld_x = public and "exempt" in x
            if withheld_x:
                t = norm(text[xa]) if xa <= total else ""
                if xb == xa and f"Appendix {x['letter']}: {norm(x['title'])}" in t and "Not for publication" in t \
                        and f"paragraph {x['exempt']['paragraph']} of Part 1 of Schedule 12A" in t:
                    ok(f"{xl}: its page {xa} is a one-page notice quoting the paragraph")
                else:
                    not_ok(f"{xl}: its page {xa} is a one-page notice quoting the paragraph", t[:300])
                continue
            if "paper" in x:
                # a Quire paper: its first page opens with its title
                t = norm(text[xa]) if xa <= total else ""
                m = f"{xl}: its first page {xa} opens with 'Appendix {x['letter']}: Title'"
                if f"Appendix {x['letter']}: {norm(x['title'])}" in t: ok(m)
                else: not_ok(m, t[:300])
                continue
            # every page of the file, in order, at the pages the agenda
            # gives: its words there, and its size and orientation kept
            src = os.path.join(os.path.dirname(meeting_path), x["pdf"])
            n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", src], capture_output=True, text=True).stdout).group(1))
            wrong = []
            if xb - xa + 1 != n: wrong.append(f"the agenda gives {xb - xa + 1} pages, the file has {n}")
            for k in range(1, min(n, xb - xa + 1) + 1):
                # its longest line (the pack's marks sit among its header's)
                words = max((norm(l) for l in subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), src, "-"],
                                                             capture_output=True, text=True).stdout.splitlines()),
                            key=len, default="")
                at = xa + k - 1
                if at > total or not words or words not in norm(text[at]):
                    wrong.append(f"page {k} of the file is not pack page {at}: '{words}'")
                elif size_of(src, k) != size_of(pdf, at):
                    wrong.append(f"page {k} of the file is {size_of(src, k)}, pack page {at} is {size_of(pdf, at)}")
            if wrong: not_ok(f"{xl}: pages {xa}–{xb} are the file's pages, in order, each its own size", *wrong)
            else: ok(f"{xl}: pages {xa}–{xb} are the file's {n} pages, in order, each its own size")
        if appx[num(it)]:
            spans = [(xa, xb) for _, xa, xb in appx[num(it)]]
            chain = all(spans[i + 1][0] == spans[i][1] + 1 for i in range(len(spans) - 1))
            if a < spans[0][0] and chain and spans[-1][1] == b:
                ok(f"{label}: its appendices follow the paper, one after another, to the item's last page {b}")
            else:
                not_ok(f"{label}: its appendices follow the paper, one after another, to the item's last page", f"item {a}–{b}, appendices {spans}")
        exempt_x = {p for x, xa, xb in appx[num(it)] if "exempt" in x for p in range(xa, xb + 1)}
        title = norm(it["title"])
        start = norm(text[a]) if a <= total else ""
        if title in start or title.replace(" ", "") in start.replace(" ", "").replace("-", ""):
            ok(f"{label}: page {a} printed in the agenda is where it starts")
        else:
            not_ok(f"{label}: page {a} printed in the agenda is where it starts", f"title '{title}' not on page {a}: {start[:200]}")
        withheld = public and "exempt" in it
        # the paper's first page prints the item number the agenda gives it
        # (a house template prints the pack's committee, date and time too)
        house = "templates/" in it["paper"]["template"]
        if withheld or house:
            want = [f"Agenda item {num(it)}"]
            if house and not withheld:
                want += [norm(meeting["committee"]), f"{long_date(meeting['date'])} at {gov_time(meeting['time'])}"]
            missing = [w for w in want if w not in start]
            if missing: not_ok(f"{label}: its first page prints the pack's item, meeting, date and time", f"missing {missing} on page {a}: {start[:200]}")
            else: ok(f"{label}: its first page prints {' / '.join(want)}")
        if withheld:
            if b == a and "Not for publication" in text[a] and f"paragraph {it['exempt']['paragraph']} of Part 1 of Schedule 12A" in norm(text[a]):
                ok(f"{label}: a one-page notice quotes the Schedule 12A paragraph")
            else:
                not_ok(f"{label}: a one-page notice quotes the Schedule 12A paragraph", norm(text[a])[:300])
        if exempt_x and not public:
            # an exempt appendix of an open item is marked as an exempt paper
            wrong = [p for p in sorted(exempt_x) if "NOT FOR PUBLICATION" not in text[p]
                     or "NOT FOR PUBLICATION (members' pack)" in text[p]]
            if wrong: not_ok(f"{label}: its exempt appendices' pages are marked NOT FOR PUBLICATION", f"pages {wrong}")
            else: ok(f"{label}: its exempt appendices' pages {sorted(exempt_x)} are marked NOT FOR PUBLICATION")
        if "exempt" in it and not public:
            unmarked = [p for p in range(a, b + 1) if "NOT FOR PUBLICATION" not in text[p]]
            if unmarked: not_ok(f"{label}: every exempt page is marked NOT FOR PUBLICATION", f"unmarked: {unmarked}")
            else: ok(f"{label}: every exempt page ({a}–{b}) is marked NOT FOR PUBLICATION")
        if public:
            marked = [p for p in range(a, b + 1) if "NOT FOR PUBLICATION" in text[p]]
            if marked: not_ok(f"{label}: no NOT FOR PUBLICATION mark in the public pack", f"marked: {marked}")
        elif "exempt" not in it:
            # a members' pack holding exempt items is not for publication
            # as a whole: its open pages say so too, in their own words
            want = "NOT FOR PUBLICATION (members' pack)" if any_exempt else None
            wrong = [p for p in range(a, b + 1) if p not in exempt_x
                     and ((want and want not in text[p]) or (not want and "NOT FOR PUBLICATION" in text[p]))]
            if wrong: not_ok(f"{label}: open pages marked as the pack requires", f"pages {wrong}")
            else: ok(f"{label}: open pages marked as the pack requires")
        expect = b + 1
    if expect - 1 != total:
        not_ok("the last paper ends on the last page", f"ends {expect - 1}, pages {total}")
    else:
        ok("the papers run to the last page with no gap")

# bookmarks: front sheet, agenda (one child per item), one per paper item
tops = [o["title"] for o in outl]
want = ["Front sheet", "Agenda"] + [f"Item {num(it)}: {it['title']}" for it in papers]
if tops == want: ok("top-level bookmarks: front sheet, agenda and one per paper, in order")
else: not_ok("top-level bookmarks: front sheet, agenda and one per paper, in order", f"got  {tops}", f"want {want}")
kids = [o["title"] for o in ag[0]["kids"]] if ag else []
wantk = [f"{num(it)}. {it['title']}" for it in items]
if kids == wantk: ok("the agenda bookmark lists every item")
else: not_ok("the agenda bookmark lists every item", f"got {kids}", f"want {wantk}")
if len(refs) == len(papers):
    for it, (a, b) in zip(papers, refs):
        bm = [o for o in outl if o["title"] == f"Item {num(it)}: {it['title']}"]
        if not bm: continue
        p = dest_page(bm[0])
        withheld = public and "exempt" in it
        if p != a: not_ok(f"bookmark of item {num(it)} goes to page {a}", f"goes to {p}")
        elif withheld and bm[0]["kids"]: not_ok(f"withheld item {num(it)} has no nested bookmarks", str([k["title"] for k in bm[0]["kids"]]))
        elif not withheld and not bm[0]["kids"]: not_ok(f"item {num(it)} has its paper's headings nested beneath it")
        else: ok(f"bookmark of item {num(it)} goes to page {a}" + ("" if withheld else " with the paper's headings nested"))
        xs = appx.get(num(it), [])
        if xs:
            kids = [(k["title"], dest_page(k)) for k in bm[0]["kids"]]
            wantx = [(f"Appendix {x['letter']}: {x['title']}", xa) for x, xa, _ in xs]
            if kids[-len(xs):] == wantx and len(kids) > len(xs):
                ok(f"item {num(it)}'s appendices are bookmarked beneath it, after its headings, at their first pages")
            else:
                not_ok(f"item {num(it)}'s appendices are bookmarked beneath it, after its headings, at their first pages", f"got  {kids}", f"want {wantx} last")

# agenda links: an internal link per paper, to its first page
objs = j["qpdf"][1]
def val(ref): return objs.get("obj:" + ref, {}).get("value", {})
links = []
for k in agenda_pages:
    for ref in val(pages[k - 1]["object"]).get("/Annots", []):
        a = val(ref) if isinstance(ref, str) else ref
        if a.get("/Subtype") != "/Link": continue
        d = a.get("/Dest") or a.get("/A", {}).get("/D")
        if isinstance(d, str): d = val(d)
        if isinstance(d, list): links.append(page_of.get(d[0]))
# (a paper's line, then a line per appendix)
want_links = [p for it, (a, _) in zip(papers, refs) for p in [a] + [xa for _, xa, _ in appx.get(num(it), [])]]
if links == want_links: ok(f"agenda page references link to pages {links}")
else: not_ok("agenda page references link to their pages", f"links go to {links}, want {want_links}, refs {refs}")
sys.exit(1 if bad else 0)
PY
}

# fonts_embedded NAME PDF
fonts_embedded() {
    pdffonts "$2" >$TMP/fonts.txt 2>&1
    if awk 'NR>2 && $(NF-4)!="yes" {bad=1} END {exit bad}' $TMP/fonts.txt && [ "$(wc -l <$TMP/fonts.txt)" -gt 2 ]; then
        ok "$1: every font embedded"; else not_ok "$1: every font embedded" "$(cat $TMP/fonts.txt)"; fi
}

# --- the Cabinet sample: full and public -----------------------------------
expect_exit "cabinet full pack builds" 0 $QUIRE pack $CABINET -o $TMP/full.pdf
expect_exit "cabinet public pack builds" 0 $QUIRE pack $CABINET -o $TMP/public.pdf --public
check "full pack: qpdf --check is clean" qpdf --check $TMP/full.pdf
check "public pack: qpdf --check is clean" qpdf --check $TMP/public.pdf
fonts_embedded "full pack" $TMP/full.pdf
fonts_embedded "public pack" $TMP/public.pdf
pack_check "cabinet full" $TMP/full.pdf $CABINET full
pack_check "cabinet public" $TMP/public.pdf $CABINET public
pdftotext -l 1 $TMP/public.pdf $TMP/front.txt
for s in "Walsall Council" "Thursday 21 June 2018 at 6pm" "Councillor Bird (Chair)" \
         "Helen Owen, Democratic Services Officer" "Members of the public"; do
    contains "front sheet: $s" $TMP/front.txt "$s"
done
pdftotext $TMP/public.pdf $TMP/public.txt
pdftotext $TMP/full.pdf $TMP/full.txt
pdftotext -l 1 $TMP/full.pdf $TMP/front-full.txt
# the front sheet names what is exempt: the item, and the open item's
# exempt appendix
tr '\n' ' ' < $TMP/front.txt > $TMP/front1.txt
tr '\n' ' ' < $TMP/front-full.txt > $TMP/front-full1.txt
contains "public front sheet: item 10 and appendix B are exempt" $TMP/front1.txt \
    "Item 10 and Appendix B to item 8 contain exempt information"
contains "full front sheet: the members' pack names both" $TMP/front-full1.txt \
    "not for publication (item 10; Appendix B to item 8)."
contains "public agenda keeps the exempt item's line" $TMP/public.txt "10. Award of contract"
contains "public agenda notes the item is exempt" $TMP/public.txt "Exempt – not for publication"
lacks "public pack lacks the exempt paper's text" $TMP/public.txt "Brookfield Care Homes"
contains "full pack has the exempt paper's text" $TMP/full.txt "Brookfield Care Homes"
lacks "public pack has no NOT FOR PUBLICATION mark" $TMP/public.txt "NOT FOR PUBLICATION"

# --- the Cabinet's PDF appendices (samples/meetings/appendices/) -----------
# Appendix A to item 8, the Ofsted letter: the agenda's page range is where
# the letter really is, from its heading to its annex, and the annex is the
# one landscape page
python3 - $TMP/full.pdf <<'PY2' && ok "appendix A: the agenda's range is the letter's pages, its annex alone landscape" || FAILS=$((FAILS + 1))
import re, subprocess, sys
pdf = sys.argv[1]
n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout).group(1))
def text(k): return re.sub(r"\s+", " ", subprocess.run(["pdftotext", "-f", str(k), "-l", str(k), pdf, "-"], capture_output=True, text=True).stdout)
def size(k): return re.search(r"size:\s+([\d.]+) x ([\d.]+)", subprocess.run(["pdfinfo", "-f", str(k), "-l", str(k), pdf], capture_output=True, text=True).stdout).groups()
pages = [text(k) for k in range(1, n + 1)]
first = [k for k in range(1, n + 1) if "Focused visit to Walsall children’s services" in pages[k - 1] and "Dear Sally" in pages[k - 1]]
last = [k for k in range(1, n + 1) if "Annex: evidence considered at the focused visit" in pages[k - 1]]
bad = []
if len(first) != 1 or len(last) != 1: bad.append(f"letter starts on {first}, annex on {last}")
else:
    x, y = first[0], last[0]
    line = f"Appendix A – Ofsted focused visit letter, pages {x} – {y}"
    if line not in pages[1] + pages[2]: bad.append(f"'{line}' not on the agenda")
    if size(y) != ("841.89", "595.28"): bad.append(f"annex page {y} is {size(y)}, not A4 landscape")
    turned = [k for k in range(x, y) if size(k) != ("595.28", "841.89")]
    if turned: bad.append(f"letter pages {turned} are not A4 portrait")
    if f"Page {y} of {n}" not in pages[y - 1]: bad.append(f"the annex lacks the pack's footer 'Page {y} of {n}'")
if bad: print("not ok - appendix A: the agenda's range is the letter's pages, its annex alone landscape")
for b in bad: print("    " + b)
sys.exit(1 if bad else 0)
PY2
# the annex keeps its landscape MediaBox in the page object itself
y=$(grep -n "Annex: evidence considered" <(for k in $(seq 1 $(pdfinfo $TMP/full.pdf | sed -n 's/^Pages: *//p')); do pdftotext -f $k -l $k $TMP/full.pdf - | tr '\n' ' '; echo; done) | cut -d: -f1)
qpdf --json --json-key=pages --json-key=qpdf $TMP/full.pdf >$TMP/full.json 2>/dev/null
python3 - $TMP/full.json "${y:-0}" <<'PY2' && ok "appendix A: the annex (page $y) has the MediaBox [0 0 841.89 595.28] and no /Rotate" || not_ok "appendix A: the annex keeps its landscape MediaBox" "page ${y:-?}"
import json, sys
j = json.load(open(sys.argv[1])); k = int(sys.argv[2])
if k < 1: sys.exit(1)
o = j["qpdf"][1]["obj:" + j["pages"][k - 1]["object"]]["value"]
box = [round(float(v), 2) for v in o.get("/MediaBox", [])]
sys.exit(0 if box == [0, 0, 841.89, 595.28] and o.get("/Rotate", 0) == 0 else 1)
PY2
# Appendix B, exempt under paragraph 3: the full pack has its prices, the
# public pack neither in its text nor in its bytes (ASCII, UTF-16BE, hex)
qpdf --qdf --object-streams=disable $TMP/public.pdf $TMP/public.qdf
qpdf --qdf --object-streams=disable $TMP/full.pdf $TMP/full.qdf
for w in "£7,350" "Hollybank Homes LLP" "£6,237,190"; do
    contains "full pack has appendix B's '$w'" $TMP/full.txt "$w"
    raw_has $TMP/full.qdf "$w" && ok "full pack's bytes hold '$w'" || not_ok "full pack's bytes hold '$w'"
    lacks "public pack text lacks appendix B's '$w'" $TMP/public.txt "$w"
    raw_has $TMP/public.qdf "$w" && not_ok "public pack's bytes lack '$w'" || ok "public pack's bytes lack '$w'"
done
contains "public agenda lists appendix B as exempt on its notice's page" $TMP/public.txt "Appendix B – Placement costs by provider (exempt), page"
contains "public notice quotes appendix B's reason" $TMP/public.txt "commercially confidential"
# the public pack never opens the exempt appendix: it builds the same,
# byte for byte, with the file gone
mkdir -p $TMP/gone && cp -R samples/meetings/. $TMP/gone/
python3 - $TMP/gone/cabinet-2018-06-21.json "$PWD" <<'PY2'
import json, os, sys
p, root = sys.argv[1], sys.argv[2]
m = json.load(open(p))
for it in m["items"]:
    for k in ("data", "template", "style"):
        v = it.get("paper", {}).get(k)
        if v and "templates/" in v: it["paper"][k] = os.path.normpath(os.path.join(root, "samples/meetings", v))
        elif v and v.startswith("../"): it["paper"][k] = os.path.normpath(os.path.join(root, "samples/meetings", v))
json.dump(m, open(p, "w"), ensure_ascii=False)
PY2
SOURCE_DATE_EPOCH=1529000000 $QUIRE pack $TMP/gone/cabinet-2018-06-21.json -o $TMP/gone-with.pdf --public 2>/dev/null
rm -f $TMP/gone/appendices/placement-costs.pdf
expect_exit "public pack builds without appendix B's file" 0 env SOURCE_DATE_EPOCH=1529000000 $QUIRE pack $TMP/gone/cabinet-2018-06-21.json -o $TMP/gone-without.pdf --public
check "public pack: the same bytes with appendix B's file gone" cmp $TMP/gone-with.pdf $TMP/gone-without.pdf
expect_exit "full pack fails without appendix B's file" 1 $QUIRE pack $TMP/gone/cabinet-2018-06-21.json -o $TMP/gone-full.pdf
SOURCE_DATE_EPOCH=1529000000 $QUIRE pack $CABINET -o $TMP/a.pdf --public 2>/dev/null
SOURCE_DATE_EPOCH=1529000000 $QUIRE pack $CABINET -o $TMP/b.pdf --public 2>/dev/null
check "identical input gives identical bytes" cmp $TMP/a.pdf $TMP/b.pdf
# --draft: the stamp is laid out on every page of every part, under the
# content (the first thing drawn), like the running furniture
expect_exit "draft pack builds" 0 $QUIRE pack $CABINET -o $TMP/draft.pdf --draft
qpdf --qdf --object-streams=disable $TMP/draft.pdf $TMP/draft.qdf
turned=$(grep -a -cE '^0\.[0-9]+ 0\.[0-9]+ -0\.[0-9]+ 0\.[0-9]+ [0-9.]+ [0-9.]+ Tm$' $TMP/draft.qdf)
npages=$(pdfinfo $TMP/draft.pdf | sed -n 's/^Pages: *//p')
[ "$turned" = "$npages" ] && ok "draft pack: a diagonal DRAFT on each of the $npages pages" \
    || not_ok "draft pack: a diagonal DRAFT on every page" "turned: $turned, pages: $npages"
# the public draft pack too: its notice pages (item 10, item 8's
# appendix B) are stamped like the papers and imported pages
expect_exit "public draft pack builds" 0 $QUIRE pack $CABINET -o $TMP/draftp.pdf --draft --public
qpdf --qdf --object-streams=disable $TMP/draftp.pdf $TMP/draftp.qdf
turned=$(grep -a -cE '^0\.[0-9]+ 0\.[0-9]+ -0\.[0-9]+ 0\.[0-9]+ [0-9.]+ [0-9.]+ Tm$' $TMP/draftp.qdf)
npages=$(pdfinfo $TMP/draftp.pdf | sed -n 's/^Pages: *//p')
[ "$turned" = "$npages" ] && ok "public draft pack: a diagonal DRAFT on each of the $npages pages" \
    || not_ok "public draft pack: a diagonal DRAFT on every page" "turned: $turned, pages: $npages"
npages=$(pdfinfo $TMP/draft.pdf | sed -n 's/^Pages: *//p')
pdftotext $TMP/draft.pdf $TMP/draft.txt
[ "$(grep -cF "NOT FOR PUBLICATION" $TMP/draft.txt)" = "$npages" ] \
    && ok "draft pack: still one NOT FOR PUBLICATION mark a page" \
    || not_ok "draft pack: still one NOT FOR PUBLICATION mark a page"

# --- the marks are on the display list (--dump=pages) ----------------------
# every page of the full pack holds exactly one mark as an artifact: NOT FOR
# PUBLICATION on the exempt paper's pages, the members' pack wording on all
# others; with --draft, a turned DRAFT is the first thing drawn on each
# page (anchors draw nothing). Without
# -o nothing is written.
$QUIRE pack $CABINET --dump=pages --draft >$TMP/dump.pages 2>$TMP/dump.err \
    && ok "pack --dump=pages without -o succeeds" || not_ok "pack --dump=pages without -o succeeds" "$(head -5 $TMP/dump.err)"
python3 - $TMP/dump.pages $TMP/full.pdf <<'PY' && ok "dump: the marks and DRAFT are display-list items on every page" || FAILS=$((FAILS + 1))
import re, subprocess, sys
pages, cur = [], None
for line in open(sys.argv[1]):
    if line.startswith("page "): cur = []; pages.append(cur)
    elif line.startswith("  ") and cur is not None: cur.append(line.strip())
n = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", sys.argv[2]], capture_output=True, text=True).stdout).group(1))
# the exempt pages, as the full pack's agenda (pages 2 and 3, read back
# against the pages by pack_check above) gives them: item 10's paper, and
# item 8's exempt appendix B
agenda = re.sub(r"\s+", " ", subprocess.run(["pdftotext", "-f", "2", "-l", "3", sys.argv[2], "-"],
                                            capture_output=True, text=True).stdout)
spans = re.findall(r"Exempt – not for publication\..*?Pages? (\d+)(?: – (\d+))?", agenda) \
      + re.findall(r"\(exempt\), pages? (\d+)(?: – (\d+))?", agenda)
exempt_pages = {p for a, b in spans for p in range(int(a), int(b or a) + 1)}
bad = [] if len(spans) == 2 else [f"the agenda gives {len(spans)} exempt ranges, not 2: {spans}"]
if len(pages) != n: bad.append(f"{len(pages)} pages dumped, the pack has {n}")
for k, items in enumerate(pages, 1):
    marks = [i for i in items if i.startswith("text Artifact") and "NOT FOR PUBLICATION" in i]
    exempt = k in exempt_pages
    want = '"NOT FOR PUBLICATION"' if exempt else '"NOT FOR PUBLICATION (members\' pack)"'
    if len(marks) != 1 or not marks[0].endswith(want): bad.append(f"page {k}: marks {marks}")
    drawn = [i for i in items if not i.startswith("anchor ")]
    if not (drawn and re.match(r'text Artifact e-1 .* a\d+\.\d+ "DRAFT"$', drawn[0])): bad.append(f"page {k}: first item drawn {drawn[:1]}")
if bad: print("not ok - dump: the marks and DRAFT are display-list items on every page")
for b in bad: print("    " + b)
sys.exit(1 if bad else 0)
PY
$QUIRE pack $CABINET --dump=pages --public >$TMP/dump-public.pages 2>/dev/null
if grep -q "NOT FOR PUBLICATION" $TMP/dump-public.pages; then not_ok "dump: no mark in the public pack"; else ok "dump: no mark in the public pack"; fi
expect_exit "pack --dump=md is a usage error" 2 $QUIRE pack $CABINET --dump=md

# --- a paper whose data names another meeting prints the pack's -----------
# (the paper carried over from a meeting in October, as item 5); one warning
python3 - $TMP/moved <<'PY'
import json, os, sys
d = sys.argv[1]; os.makedirs(d, exist_ok=True)
m = json.load(open("samples/meetings/cabinet-2018-06-21.json"))
for it in m["items"]:
    if "paper" in it:
        for k in ("data", "template", "style"):
            if k in it["paper"]:
                it["paper"][k] = os.path.abspath("samples/meetings/" + it["paper"][k])
        for x in it.get("appendices", []):
            x["pdf"] = os.path.abspath("samples/meetings/" + x["pdf"])
p = json.load(open("samples/meetings/papers/improvement-plan-progress.json"))
p["paper"]["meeting"].update({"date": "2018-10-10", "time": "19:30", "item": 5})
json.dump(p, open(d + "/moved.json", "w"), ensure_ascii=False)
m["style"] = os.path.abspath("samples/meetings/" + m["style"]) if "style" in m else None
if m["style"] is None: del m["style"]
for it in m["items"]:
    if it["number"] == 8: it["paper"]["data"] = "moved.json"
json.dump(m, open(d + "/meeting.json", "w"), ensure_ascii=False)
PY
expect_exit "moved paper: the pack builds" 0 $QUIRE pack $TMP/moved/meeting.json -o $TMP/moved/pack.pdf
n=$(grep -c "warning: .*item 8: the paper's" $TMP/last.err)
[ "$n" = 1 ] && ok "moved paper: one warning" || not_ok "moved paper: one warning" "$n: $(cat $TMP/last.err)"
contains "moved paper: the warning names the paper's and the pack's meeting" $TMP/last.err \
    "meeting 10 October 2018 differs from the pack's 21 June 2018; time 7:30pm differs from the pack's 6pm; item 5 differs from the pack's 8"
contains "moved paper: the warning says the pack's is printed" $TMP/last.err "the pack's is printed"
[ -f $TMP/moved/pack.pdf ] && pack_check "moved paper" $TMP/moved/pack.pdf $TMP/moved/meeting.json full
pdftotext $TMP/moved/pack.pdf $TMP/moved/pack.txt
contains "moved paper: prints the pack's date, time and item" $TMP/moved/pack.txt "21 June 2018 at 6pm – Agenda item 8"
lacks "moved paper: never the paper's date" $TMP/moved/pack.txt "10 October 2018"
lacks "moved paper: never the paper's item" $TMP/moved/pack.txt "Agenda item 5"
# on its own the paper prints its own data, as before
expect_exit "moved paper renders on its own" 0 $QUIRE render $TMP/moved/moved.json -t templates/cabinet-report.md -o $TMP/moved/own.pdf
pdftotext -l 1 $TMP/moved/own.pdf $TMP/moved/own.txt
contains "on its own: the paper's meeting and date" $TMP/moved/own.txt "Cabinet – 10 October 2018"
contains "on its own: the paper's item" $TMP/moved/own.txt "Agenda item 5"
lacks "on its own: no warning" $TMP/last.err "warning"

# --- the scrutiny panel sample ----------------------------------------------
for m in samples/meetings/*.json; do
    [ "$m" = $CABINET ] && continue
    n=$(basename $m .json)
    expect_exit "$n: full pack builds" 0 $QUIRE pack $m -o $TMP/$n-full.pdf
    expect_exit "$n: public pack builds" 0 $QUIRE pack $m -o $TMP/$n-public.pdf --public
    [ -f $TMP/$n-full.pdf ] && pack_check "$n full" $TMP/$n-full.pdf $m full
    [ -f $TMP/$n-public.pdf ] && pack_check "$n public" $TMP/$n-public.pdf $m public
done

# --- a long agenda: its own length moves the page numbers (fixed point) -----
W=$TMP/long
mkdir -p $W
for i in 1 2 3; do
    { echo "# Paper $i"; echo; for k in $(seq 1 $((i * 40))); do echo "Paragraph $k of paper $i about the improvement plan and its actions."; echo; done; } >$W/paper$i.md
done
{
    echo '{"council": "Harwood Borough Council", "committee": "Corporate Parenting Board",'
    echo ' "date": "2025-11-04", "time": "10:30", "venue": "Committee Room 2, Civic Centre",'
    echo ' "membership": {"chair": "Councillor Sandhu", "members": ["Councillor Adeyemi"]},'
    echo ' "contact": {"name": "Jo Price", "email": "jo.price@harwood.gov.uk"}, "items": ['
    for i in $(seq 1 40); do
        echo "{\"number\": $i, \"title\": \"Standing item $i\", \"standing\": {\"text\": \"To note the position on matter $i, which is reported to every meeting of the Board under its terms of reference.\"}},"
    done
    echo '{"number": 41, "title": "Paper 1", "paper": {"template": "paper1.md"}},'
    echo '{"number": 42, "title": "Paper 2", "paper": {"template": "paper2.md"}},'
    echo '{"number": "42a", "title": "Paper 3", "paper": {"template": "paper3.md"}}]}'
} >$W/meeting.json
expect_exit "long agenda pack builds" 0 $QUIRE pack $W/meeting.json -o $W/pack.pdf
if [ -f $W/pack.pdf ]; then
    pdftotext -f 2 -l 2 $W/pack.pdf - | grep -q "^Agenda" && pdftotext -f 3 -l 3 $W/pack.pdf - | grep -q "^[0-9]*\. Standing item" \
        && ok "the agenda spans several pages" || not_ok "the agenda spans several pages"
    pack_check "long agenda" $W/pack.pdf $W/meeting.json full
fi

# --- canary: nothing of an exempt paper reaches the public pack -------------
C=$TMP/canary
mkdir -p $C
cat >$C/secret.md <<'EOF'
**{{paper.meeting.body}}**

# {{paper.title}}

Template text qzcTplText4417 with a [link](https://example.org/qzcUrl5521).

## Heading qzcTplHead8830

{{#paper.summary}}
{{ref}} {{text}}

{{/paper.summary}}
{{#paper.detail}}
### {{heading}}

{{text}}

{{/paper.detail}}
Portfolio: {{paper.portfolio}}. Service: {{paper.service}}.

{{#paper.background_papers}}
- {{.}}
{{/paper.background_papers}}

{{#paper.exempt}}
Exempt because {{reason}}.
{{/paper.exempt}}

## Author

{{paper.author.name}}, {{paper.author.role}}, {{paper.author.email}}, {{paper.author.phone}}
EOF
cat >$C/secret.json <<'EOF'
{"paper": {"kind": "cabinet", "council": "Harwood Borough Council",
  "title": "Title qzcTitle1093",
  "meeting": {"body": "Cabinet", "date": "2025-10-15", "item": 3},
  "portfolio": "qzcPortfolio2284", "service": "qzcService3375",
  "exempt": {"paragraph": 1, "reason": "qzcReason4466"},
  "summary": [{"ref": "1.1", "text": "Summary qzcSummary5557 about a named child."}],
  "detail": [{"heading": "Detail heading qzcDetailHead6648", "text": "Detail qzcDetail7739"}],
  "background_papers": ["qzcBackground8820"],
  "author": {"name": "qzcAuthor9911", "role": "qzcRole1202", "email": "qzcEmail1313@harwood.gov.uk", "phone": "qzcPhone1424"}}}
EOF
cat >$C/open.md <<'EOF'
# Open report

An open report that the public may read.
EOF
cat >$C/meeting.json <<'EOF'
{"council": "Harwood Borough Council", "committee": "Cabinet", "date": "2025-10-15",
 "time": "18:00", "venue": "Council Chamber, Civic Centre, Harwood",
 "membership": {"chair": "Councillor Sandhu", "vice_chair": "Councillor O’Connor", "members": ["Councillor Adeyemi"]},
 "contact": {"name": "Jo Price", "role": "Democratic Services Officer", "email": "jo.price@harwood.gov.uk"},
 "items": [
  {"number": 1, "title": "Apologies", "standing": {"text": "To receive apologies for absence."}},
  {"number": 2, "title": "Open report", "paper": {"template": "open.md"}},
  {"number": 3, "title": "A child’s placement", "paper": {"data": "secret.json", "template": "secret.md"},
   "exempt": {"paragraph": 1, "reason": "The report names a child in care."}},
  {"number": 4, "title": "Urgent business", "standing": {"text": "To consider any urgent business."}}]}
EOF
CANARIES="qzcTplText4417 qzcTplHead8830 qzcTitle1093 qzcPortfolio2284 qzcService3375
qzcReason4466 qzcSummary5557 qzcDetailHead6648 qzcDetail7739 qzcBackground8820 qzcAuthor9911
qzcRole1202 qzcEmail1313 qzcPhone1424"
expect_exit "canary: public pack builds" 0 $QUIRE pack $C/meeting.json -o $C/public.pdf --public
expect_exit "canary: full pack builds" 0 $QUIRE pack $C/meeting.json -o $C/full.pdf
pdftotext $C/public.pdf $C/public.txt
pdftotext $C/full.pdf $C/full.txt
qpdf --qdf --object-streams=disable $C/public.pdf $C/public.qdf
qpdf --qdf --object-streams=disable $C/full.pdf $C/full.qdf
leaks=""; rawleaks=""; missing=""
for w in $CANARIES; do
    grep -qF "$w" $C/public.txt && leaks="$leaks $w"
    raw_has $C/public.qdf "$w" && rawleaks="$rawleaks $w"
    grep -qF "$w" $C/full.txt || missing="$missing $w"
done
# the link target is not text, only in the file
raw_has $C/public.qdf qzcUrl5521 && rawleaks="$rawleaks qzcUrl5521"
[ -z "$leaks" ] && ok "canary: no exempt string in the public pack's text" || not_ok "canary: no exempt string in the public pack's text" "leaked:$leaks"
[ -z "$rawleaks" ] && ok "canary: no exempt string anywhere in the uncompressed public file" || not_ok "canary: no exempt string in the uncompressed public file" "leaked:$rawleaks"
[ -z "$missing" ] && ok "canary: the full pack carries every planted string" || not_ok "canary: the full pack carries every planted string" "missing:$missing"
raw_has $C/full.qdf qzcTplHead8830 && ok "canary: the raw search finds a bookmark title in the full pack" || not_ok "canary: the raw search finds a bookmark title in the full pack"
raw_has $C/full.qdf qzcUrl5521 && ok "canary: the raw search finds a link in the full pack" || not_ok "canary: the raw search finds a link in the full pack"
contains "canary: the public notice gives the reason from the meeting file" $C/public.txt "The report names a child in care."
contains "canary: the public notice quotes paragraph 1" $C/public.txt "Information relating to any individual."
# the public pack never opens the exempt paper: it builds without its files
mkdir -p $C/gone
sed 's/"secret.json"/"gone\/none.json"/; s/"secret.md"/"gone\/none.md"/' $C/meeting.json >$C/gone.json
expect_exit "public pack builds without the exempt paper's files (never read)" 0 $QUIRE pack $C/gone.json -o $C/gone.pdf --public
expect_exit "full pack needs the exempt paper's files" 1 $QUIRE pack $C/gone.json -o $C/gone-full.pdf
contains "full pack error names item 3" $TMP/last.err "item 3"

# --- broken items fail, naming the item and its file, with no pack ----------
B=$TMP/broken
mkdir -p $B/out
cp $C/open.md $B/
sed 's/"template": "open.md"/"template": "missing-template.md"/' $C/meeting.json | sed 's/"data": "secret.json", //; s/"template": "secret.md"/"template": "open.md"/' >$B/missing.json
expect_exit "missing template: exit 1" 1 $QUIRE pack $B/missing.json -o $B/out/pack.pdf
contains "missing template: names item 2" $TMP/last.err "item 2"
contains "missing template: names the file" $TMP/last.err "missing-template.md"
printf '{"paper": {"kind": "cabinet", "title": "x",}}' >$B/bad.json
sed 's/"template": "secret.md"/"template": "open.md"/; s/"secret.json"/"bad.json"/' $C/meeting.json >$B/baddata.json
expect_exit "bad data: exit 1" 1 $QUIRE pack $B/baddata.json -o $B/out/pack.pdf
contains "bad data: names item 3" $TMP/last.err "item 3"
contains "bad data: names the file at line:col" $TMP/last.err "bad.json:1:"
if [ -z "$(ls -A $B/out)" ]; then ok "broken items leave no pack and no temporary file"; else not_ok "broken items leave no pack and no temporary file" "$(ls -A $B/out)"; fi
echo "previous pack" >$B/out/pack.pdf
$QUIRE pack $B/baddata.json -o $B/out/pack.pdf 2>/dev/null
[ "$(cat $B/out/pack.pdf)" = "previous pack" ] && [ "$(ls -A $B/out)" = pack.pdf ] \
    && ok "a failed pack leaves the previous file untouched" || not_ok "a failed pack leaves the previous file untouched"

# --- the meeting file is validated with located errors ----------------------
cat >$B/invalid.json <<'EOF'
{"council": "Harwood Borough Council", "committee": "Cabinet", "date": "2025-02-30",
 "time": "6pm", "venue": "Civic Centre",
 "membership": {"members": ["Councillor Adeyemi"]},
 "contact": {"name": "Jo Price"},
 "items": [
  {"number": 1, "title": "Apologies", "standing": {"text": "To receive apologies."}},
  {"number": 1, "title": "Twice", "standing": {"text": "Again."}},
  {"number": 2, "standing": {"text": "No title."}},
  {"number": 3, "title": "Secret", "paper": {"template": "open.md"}, "exempt": {"paragraph": 9, "reason": "x"}}]}
EOF
expect_exit "invalid meeting: exit 1" 1 $QUIRE pack $B/invalid.json -o $B/out/x.pdf
contains "invalid meeting: bad date located" $TMP/last.err "invalid.json:1:"
contains "invalid meeting: bad date" $TMP/last.err "'2025-02-30' is not a valid date"
contains "invalid meeting: bad time" $TMP/last.err "'6pm' is not a time"
contains "invalid meeting: duplicate number" $TMP/last.err "item number 1 is used twice"
contains "invalid meeting: missing title" $TMP/last.err "missing required field 'title'"
contains "invalid meeting: paragraph 9" $TMP/last.err "paragraph 9 does not exist"
contains "invalid meeting: JSON pointer" $TMP/last.err "/items/3/exempt/paragraph"

# a paper whose own data says exempt must be exempt in the meeting file
python3 -c "
import json,sys; m=json.load(open('$C/meeting.json')); del m['items'][2]['exempt']; print(json.dumps(m))" >$C/notexempt.json
expect_exit "paper exempt in its data but not in the meeting: exit 1" 1 $QUIRE pack $C/notexempt.json -o $B/out/x.pdf --public
contains "exempt mismatch: names item 3" $TMP/last.err "item 3"
contains "exempt mismatch: says why" $TMP/last.err "marks it exempt"

# one pack, one set of fonts
echo '{"fonts": {"body": "DejaVu Serif"}}' >$C/serif.json
python3 -c "
import json; m=json.load(open('$C/meeting.json')); m['items'][1]['paper']['style']='serif.json'; print(json.dumps(m))" >$C/serif-meeting.json
expect_exit "a paper in other fonts: exit 1" 1 $QUIRE pack $C/serif-meeting.json -o $B/out/x.pdf
contains "font mismatch: names item 2" $TMP/last.err "item 2"
[ -z "$(ls -A $B/out | grep -v '^pack.pdf$')" ] && ok "failed packs wrote nothing" || not_ok "failed packs wrote nothing" "$(ls -A $B/out)"

# --- a council's own pack templates -----------------------------------------
# The meeting file names a folder; a template there replaces the built-in
# one of the same name (the others stay built in), with partials from the
# folder.
O=$TMP/own
mkdir -p $O/pack-templates
cp $C/open.md $O/
sed 's/^# Agenda$/# Order of business\n\n{{>partials\/notice}}/' templates/pack/agenda.md >$O/pack-templates/agenda.md
mkdir -p $O/pack-templates/partials
echo 'Harwood agenda qzoOwnAgenda3131 for {{committee}}.' >$O/pack-templates/partials/notice.md
python3 -c "
import json; m=json.load(open('$C/meeting.json')); m['items']=[m['items'][0], m['items'][1], m['items'][3]]
m['templates']='pack-templates'; print(json.dumps(m))" >$O/meeting.json
expect_exit "own templates: the pack builds" 0 $QUIRE pack $O/meeting.json -o $O/pack.pdf
pdftotext -f 2 -l 2 $O/pack.pdf $O/agenda.txt
contains "own templates: the council's agenda.md is used" $O/agenda.txt "Order of business"
contains "own templates: with its partial" $O/agenda.txt "qzoOwnAgenda3131 for Cabinet"
grep -qx "Agenda" $O/agenda.txt && not_ok "own templates: the built-in agenda heading is gone" \
    || ok "own templates: the built-in agenda heading is gone"
contains "own templates: page numbers still printed" $O/agenda.txt "Page 3"
pdftotext -f 1 -l 1 $O/pack.pdf $O/front.txt
contains "own templates: the front sheet stays built in" $O/front.txt "Notice of meeting"
qpdf --json $O/pack.pdf | python3 -c "
import json,sys; o=[x['title'] for x in json.load(sys.stdin)['outlines']]
sys.exit(0 if o[:2]==['Front sheet','Agenda'] else 1)" \
    && ok "own templates: the agenda's first heading is still the Agenda bookmark" \
    || not_ok "own templates: the agenda's first heading is still the Agenda bookmark"
sed 's/"pack-templates"/"nothing-here"/' $O/meeting.json >$O/none.json
mkdir -p $O/nothing-here
expect_exit "own templates: a folder with none of them is an error" 1 $QUIRE pack $O/none.json -o $O/x.pdf
contains "own templates: the error says so" $TMP/last.err "holds none of the pack's templates"
echo '{{no_such_name}}' >$O/pack-templates/front-sheet.md
expect_exit "own templates: a template error fails the pack" 1 $QUIRE pack $O/meeting.json -o $O/x.pdf
contains "own templates: the error is located in the council's file" $TMP/last.err "front-sheet.md:1:"
[ ! -e $O/x.pdf ] && ok "own templates: failures write nothing" || not_ok "own templates: failures write nothing"
# the notice standing for a withheld paper can be the council's too
mkdir -p $O/notice-templates
printf '# {{item.title}}\n\nWithheld qzoNotice7171 under paragraph {{item.exempt.paragraph}}: {{item.exempt.reason}}\n' \
    >$O/notice-templates/exempt-notice.md
python3 -c "
import json; m=json.load(open('$C/meeting.json')); m['templates']='../own/notice-templates'; print(json.dumps(m))" >$C/own-notice.json
expect_exit "own templates: a public pack with the council's notice builds" 0 $QUIRE pack $C/own-notice.json -o $O/notice.pdf --public
pdftotext $O/notice.pdf $O/notice.txt
contains "own templates: the council's exempt-notice.md stands for the paper" $O/notice.txt \
    "Withheld qzoNotice7171 under paragraph 1: The report names a child in care."
# a public pack publishes its own templates: none may come from an exempt
# paper's folder
mkdir -p $C/exempt-tpl
cp templates/pack/agenda.md $C/exempt-tpl/
python3 -c "
import json; m=json.load(open('$C/meeting.json')); m['templates']='exempt-tpl'
m['items'][2]['paper']={'data':'exempt-tpl/secret.json','template':'exempt-tpl/secret.md'}; print(json.dumps(m))" >$C/tplshare.json
cp $C/secret.json $C/secret.md $C/exempt-tpl/
expect_exit "own templates: a public pack refuses templates in an exempt paper's folder" 1 $QUIRE pack $C/tplshare.json -o $O/x.pdf --public
contains "own templates: the refusal names the folder rule" $TMP/last.err "the pack's templates folder reads"

# usage
expect_exit "pack without -o: usage error" 2 $QUIRE pack $CABINET

# a long committee name (multi-byte letters) is printed whole on the front
# sheet, never cut at a fixed buffer's length
python3 - $TMP/long.json <<'PY'
import json, os, sys
m = json.load(open("samples/meetings/cabinet-2018-06-21.json"))
m["committee"] = "Children’s Services Scrutiny Panel " + "ŵŷ" * 80 + " End"
for it in m["items"]:
    if "paper" in it:
        for k in ("data", "template", "style"):
            if k in it["paper"]:
                it["paper"][k] = os.path.abspath("samples/meetings/" + it["paper"][k])
        for x in it.get("appendices", []):
            x["pdf"] = os.path.abspath("samples/meetings/" + x["pdf"])
json.dump(m, open(sys.argv[1], "w"), ensure_ascii=False)
PY
expect_exit "a long committee name: the public pack builds" 0 $QUIRE pack $TMP/long.json -o $TMP/long.pdf --public
pdftotext $TMP/long.pdf - | tr -d '\n' >$TMP/long.txt
contains "a long committee name is printed whole with its date" $TMP/long.txt "ŵŷ End – 21 June 2018"
finish
