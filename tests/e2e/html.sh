#!/usr/bin/env bash
# End-to-end: the accessible HTML copy of a paper (quire render -o X.html).
# Every sample paper (as scripts/demo.sh renders them) is rendered to HTML
# and to PDF; each page must be valid HTML to tidy, have zero axe-core
# violations for WCAG 2.2 AA in headless Chromium, not scroll sideways at
# 320, 375 and 1280 px wide, show something at 375 and 1280 px, and say
# the words its PDF says in the same order (tests/e2e/html_words.py).
# Full and public minutes and a record of decisions as HTML, and the pages
# of agenda packs (an item with its list of appendices, a paper
# appendix's page) get the same browser checks; scripts/demo.sh writes
# each paper's HTML beside its PDF.
# Then the command line:
# --format, --lang, what is refused, exempt papers, errors.
. "$(dirname "$0")/lib.sh"
. scripts/samples.sh

SHOTS=${HTML_SHOTS:-$TMP/shots}
mkdir -p "$SHOTS"

# ---- render every sample to HTML, PDF and the display list ----
pages=()
papers() {   # prints "name data template" for every sample paper
    for f in samples/*.json; do
        tpl=$(template_for "$f")
        [ -n "$tpl" ] && [ -f "$tpl" ] && echo "$(basename "$f" .json) $f $tpl"
    done
    for f in samples/*.md; do echo "$(basename "$f" .md) - $f"; done
}
while read -r name data tpl; do
    [ "$data" = - ] && data=""
    expect_exit "renders to HTML: $name" 0 $QUIRE render $data -t "$tpl" -o "$TMP/$name.html"
    $QUIRE render $data -t "$tpl" -o "$TMP/$name.pdf" 2>/dev/null
    $QUIRE render $data -t "$tpl" --dump=pages >"$TMP/$name.pages" 2>/dev/null
    [ -f "$TMP/$name.html" ] && pages+=("$TMP/$name.html")
    # the title the PDF shows is the page's <title>
    want=$(pdfinfo "$TMP/$name.pdf" 2>/dev/null | sed -n 's/^Title: *//p')
    got=$(python3 -c 'import html,re,sys; m=re.search(r"<title>(.*?)</title>", open(sys.argv[1]).read()); print(html.unescape(m.group(1)) if m else "")' "$TMP/$name.html")
    [ -n "$want" ] && [ "$want" = "$got" ] && ok "  ... <title> is the PDF's title: $got" \
        || not_ok "  ... <title> is the PDF's title" "PDF: $want" "HTML: $got"
    contains "  ... <html lang> is the PDF's language" "$TMP/$name.html" '<html lang="en-GB">'
    lacks "  ... has no script" "$TMP/$name.html" "<script"
    # tidy: exit 2 means errors (1 is warnings only)
    if command -v tidy >/dev/null; then
        tidy -e -q "$TMP/$name.html" >"$TMP/tidy.out" 2>&1; rc=$?
        [ $rc -lt 2 ] && ok "  ... tidy finds no errors" \
            || not_ok "  ... tidy finds no errors" "$(grep -i error "$TMP/tidy.out" | head -5)"
    else
        not_ok "  ... tidy finds no errors" "tidy is not installed (scripts/deps.sh installs it)"
    fi
done < <(papers)

# a house style that numbers sections and paragraphs: the HTML numbers them
# as the PDF does (the words check below compares them)
echo '{"numbering": {"sections": true, "paragraphs": true}}' >"$TMP/numbered.json"
N=committee-numbered
printf '# Numbered paper\n\nIntro.\n\n## Purpose\n\nOne.\n\nTwo.\n\n- a list\n\n## Detail\n\nThree.\n' >"$TMP/$N.md"
expect_exit "a numbering style renders to HTML" 0 $QUIRE render -t "$TMP/$N.md" -s "$TMP/numbered.json" -o "$TMP/$N.html"
$QUIRE render -t "$TMP/$N.md" -s "$TMP/numbered.json" -o "$TMP/$N.pdf"
$QUIRE render -t "$TMP/$N.md" -s "$TMP/numbered.json" --dump=pages >"$TMP/$N.pages"
contains "  ... with the section number" "$TMP/$N.html" '<span class="snum">2.</span> Detail'
contains "  ... and the council paragraph number" "$TMP/$N.html" '<span class="pnum">1.2</span> Two.'
pages+=("$TMP/$N.html")
expect_exit "--dump=pages with HTML output is a usage error" 2 $QUIRE render -t "$TMP/$N.md" --dump=pages -o "$TMP/x.html"

# HTML structure a paper's template makes
P=$TMP/progress-harwood-action-plan.html
contains "a RAG status is its word with a swatch" "$P" '<td class="rag rag-1">Red</td>'
contains "a bold 'Table N:' before a table is its caption" "$P" '<caption id="t'
contains "header cells have a scope" "$P" '<th scope="col">Ref</th>'
contains "a chart is an SVG image with a title" "$P" '<svg role="img"'
contains "  ... and a description from the numbers" "$P" '<desc>Bar chart: Actions by status at 30 September 2025. Red 4'
contains "  ... and its numbers in a table" "$P" '<th scope="row">Red</th><td class="r">4</td>'
contains "the front sheet is a definition list" "$P" '<dt><strong>Wards:</strong></dt><dd> All</dd>'
contains "print styles for A4" "$P" '@page{size:A4;'
contains "mailto links stay links" "$P" '<a href="mailto:'

# ---- the agenda pack as HTML pages ----
M=samples/meetings/cabinet-2018-06-21.json
expect_exit "pack --html writes the public pack's pages" 0 $QUIRE pack $M --public --html "$TMP/packp"
expect_exit "pack --html writes the full pack's pages" 0 sh -c "umask 022 && $QUIRE pack $M --html $TMP/packf"
for f in index item-8 item-9 item-10; do
    [ -f "$TMP/packp/$f.html" ] && ok "  ... public: $f.html" || not_ok "  ... public: $f.html"
done
for l in $(grep -o 'href="item-[^"]*"' "$TMP/packp/index.html" | sed 's/href="//; s/"$//'); do
    [ -f "$TMP/packp/$l" ] && ok "  ... the agenda's link to $l has its page" || not_ok "  ... the agenda's link to $l has its page"
done
contains "  ... the exempt item's public page is the notice" "$TMP/packp/item-10.html" '<h2 id="h2">Not for publication</h2>'
contains "  ... the full pack's exempt page is marked" "$TMP/packf/item-10.html" 'data-furniture="">NOT FOR PUBLICATION</p>'
contains "  ... its other pages are the members'" "$TMP/packf/item-8.html" "NOT FOR PUBLICATION (members&#39; pack)</p>"
modes=$(stat -c %a "$TMP/packf" "$TMP/packf"/*.html | sort -u | tr '\n' ' ')
[ "$modes" = "600 700 " ] && ok "  ... the full pack is its owner's only (files 0600, folder 0700)" \
    || not_ok "  ... the full pack is its owner's only (files 0600, folder 0700)" "modes: $modes"
# the exempt paper's files are never opened for the public pack: a canary
# in its data never appears, and without the file the public pack still
# builds (the full one cannot)
cp -R samples/meetings "$TMP/m"
python3 - "$TMP/m/papers/residential-placement-contract.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["paper"]["summary"][0]["text"] += " qzkHtmlCanary5521"
json.dump(d, open(p, "w"), ensure_ascii=False)
PY
# the copy's paths outside papers/ lead back to the samples
python3 - "$TMP/m/cabinet-2018-06-21.json" "$PWD" <<'PY'
import json, os, sys
p, root = sys.argv[1], sys.argv[2]
d = json.load(open(p))
for it in d["items"]:
    for k in ("data", "template", "style"):
        v = (it.get("paper") or {}).get(k)
        if v and not v.startswith("papers/"):
            it["paper"][k] = os.path.normpath(os.path.join(root, "samples/meetings", v))
json.dump(d, open(p, "w"), ensure_ascii=False, indent=1)
PY
expect_exit "  ... a public HTML pack from a meeting with a canary" 0 $QUIRE pack "$TMP/m/cabinet-2018-06-21.json" --public --html "$TMP/canary"
if grep -rq qzkHtmlCanary5521 "$TMP/canary"; then not_ok "  ... has no canary in any page"; else ok "  ... has no canary in any page"; fi
expect_exit "  ... the full HTML pack has it (the canary is live)" 0 $QUIRE pack "$TMP/m/cabinet-2018-06-21.json" --html "$TMP/canaryf"
grep -rq qzkHtmlCanary5521 "$TMP/canaryf" && ok "  ... found in the full pack" || not_ok "  ... found in the full pack"
rm "$TMP/m/papers/residential-placement-contract.json"
expect_exit "  ... the public HTML pack builds without the exempt data file" 0 $QUIRE pack "$TMP/m/cabinet-2018-06-21.json" --public --html "$TMP/canary2"
expect_exit "  ... the full one cannot" 1 $QUIRE pack "$TMP/m/cabinet-2018-06-21.json" --html "$TMP/canary3"
expect_exit "pack takes -o or --html, not both" 2 $QUIRE pack $M -o "$TMP/p.pdf" --html "$TMP/both"
# appendices: the Cabinet's item 8 lists its Ofsted letter (a PDF copy
# beside the pages) and its exempt costs; the panel's item 4 has a paper
# appendix, a page of its own (tests/e2e/html_appendix.sh reads them all)
[ -f "$TMP/packp/item-8-appendix-A.pdf" ] && ok "  ... public: the PDF appendix's copy item-8-appendix-A.pdf" \
    || not_ok "  ... public: the PDF appendix's copy item-8-appendix-A.pdf"
expect_exit "pack --html writes the panel's pages" 0 $QUIRE pack samples/meetings/scrutiny-panel-2022-06-08.json --public --html "$TMP/packs"
contains "  ... its paper appendix is a page of its own" "$TMP/packs/item-4-appendix-A.html" "<title>Appendix A: Ofsted monitoring visit, March 2022: findings</title>"
pages+=("$TMP/packp/index.html" "$TMP/packp/item-10.html" "$TMP/packf/item-9.html" "$TMP/packp/item-8.html"
        "$TMP/packs/item-4-appendix-A.html")

# minutes and decisions as HTML: the same checks in the browser below
MP=samples/meetings/scrutiny-panel-2022-06-08.json
MC=samples/meetings/cabinet-2018-06-21.json
expect_exit "minutes -o X.html writes the HTML copy" 0 sh -c "umask 022 && $QUIRE minutes $MP -o $TMP/minutes-full.html"
expect_exit "  ... and the public minutes" 0 $QUIRE minutes $MP --public -o "$TMP/minutes-public.html"
expect_exit "  ... and a record of decisions" 0 $QUIRE decisions $MC -o "$TMP/decisions.html"
contains "  ... the minutes' vote" "$TMP/minutes-full.html" "Councillor Davison"
contains "  ... the public minutes withhold the private item" "$TMP/minutes-public.html" "Its minute is not published"
contains "  ... the decisions' call-in deadline" "$TMP/decisions.html" "Call-in deadline"
mode=$(stat -c %a "$TMP/minutes-full.html")
[ "$mode" = 600 ] && ok "  ... full minutes with a private item are mode 0600" || not_ok "  ... full minutes with a private item are mode 0600" "mode $mode"
for f in minutes-full minutes-public decisions; do
    lacks "  ... $f has no script" "$TMP/$f.html" "<script"
    if command -v tidy >/dev/null; then
        tidy -e -q "$TMP/$f.html" >"$TMP/tidy.out" 2>&1; rc=$?
        [ $rc -lt 2 ] && ok "  ... $f: tidy finds no errors" \
            || not_ok "  ... $f: tidy finds no errors" "$(grep -i error "$TMP/tidy.out" | head -5)"
    fi
    pages+=("$TMP/$f.html")
done

# ---- in the browser ----
if ! command -v chromium >/dev/null; then
    skip "pages in Chromium" "chromium is not installed (scripts/deps.sh installs it)"
elif ! command -v node >/dev/null || ! tests/browser/setup.sh >"$TMP/npm.out" 2>&1; then
    not_ok "browser test packages install (tests/browser/setup.sh)" "$(tail -5 "$TMP/npm.out" 2>/dev/null)"
else
    # a shared machine under heavy load can stall Chromium past any time
    # limit: one more try before that counts as a failure
    for try in 1 2; do
        node tests/browser/check.js "$SHOTS" "${pages[@]}" >"$TMP/browser.json" 2>"$TMP/browser.err"
        rc=$?
        [ $rc = 1 ] || break
        echo "# browser run $try failed: $(grep -v '^ *at ' "$TMP/browser.err" | head -3 | tr '\n' ' ')"
    done
    if [ $rc = 2 ]; then
        skip "pages in Chromium" "Chromium cannot start here: $(head -1 "$TMP/browser.err")"
    elif [ $rc != 0 ]; then
        not_ok "pages checked in Chromium" "$(grep -v '^ *at ' "$TMP/browser.err" | head -10)"
    else
        for page in "${pages[@]}"; do
            name=${page#$TMP/}; name=${name%.html}
            python3 - "$TMP/browser.json" "$page" >"$TMP/verdict" <<'PY'
import json, sys
r = next(x for x in json.load(open(sys.argv[1])) if x["file"] == sys.argv[2])
v = r["violations"]
print("axe|%s|%s" % ("ok" if not v else "bad",
      "; ".join("%s (%s): %s" % (x["id"], x["impact"], ", ".join(x["nodes"])) for x in v)))
for w, m in sorted(r["widths"].items(), key=lambda p: int(p[0])):
    print("scroll%s|%s|scrollWidth %d, innerWidth %d" % (w,
          "ok" if m["scrollWidth"] <= m["innerWidth"] else "bad", m["scrollWidth"], m["innerWidth"]))
    if "screenshot" in m:
        print("shot%s|%s|%d colours in %s" % (w, "ok" if m["colours"] > 2 else "bad", m["colours"], m["screenshot"]))
PY
            while IFS='|' read -r what verdict why; do
                case $what in
                    axe) label="$name: axe-core finds no WCAG 2.2 AA violations" ;;
                    scroll*) label="$name: no horizontal scroll at ${what#scroll} px" ;;
                    shot*) label="$name: screenshot at ${what#shot} px is not blank" ;;
                esac
                [ "$verdict" = ok ] && ok "$label" || not_ok "$label" "$why"
            done <"$TMP/verdict"
            [ -f "$TMP/$name.pdf" ] || continue   # pack pages have no PDF of their own
            if out=$(python3 tests/e2e/html_words.py "$TMP/$name.pdf" "$TMP/$name.pages" "$TMP/browser.json" "$page" 2>&1); then
                ok "$name: the HTML says the PDF's words in its order ($out)"
            else
                not_ok "$name: the HTML says the PDF's words in its order" "$out"
            fi
        done
    fi
fi

# ---- make demo: an HTML copy beside each sample paper's PDF ----
mkdir -p "$TMP/demo"
cp -R scripts samples templates "$TMP/demo/"
case $BUILD in /*) DEMOBIN=$BUILD/quire ;; *) DEMOBIN=$PWD/$BUILD/quire ;; esac
expect_exit "scripts/demo.sh renders the samples" 0 bash "$TMP/demo/scripts/demo.sh" "$DEMOBIN"
missing=""
while read -r name _; do
    head -c 15 "$TMP/demo/out/$name.html" 2>/dev/null | grep -q '<!DOCTYPE html>' || missing="$missing $name"
    [ -f "$TMP/demo/out/$name.pdf" ] || missing="$missing $name.pdf"
done < <(papers)
[ -z "$missing" ] && ok "  ... each sample paper as out/NAME.pdf and out/NAME.html" \
    || not_ok "  ... each sample paper as out/NAME.pdf and out/NAME.html" "missing:$missing"

# ---- the command line ----
S=samples/cabinet-ofsted-working-group.json
T=templates/cabinet-report.md
expect_exit "--format html writes HTML whatever the name" 0 $QUIRE render $S -t $T --format html -o "$TMP/paper.out"
head -c 15 "$TMP/paper.out" | grep -q '<!DOCTYPE html>' && ok "  ... it is HTML" || not_ok "  ... it is HTML" "$(head -c 40 "$TMP/paper.out")"
expect_exit "--format pdf writes a PDF to a .html name" 0 $QUIRE render $S -t $T --format=pdf -o "$TMP/really-pdf.html"
head -c 5 "$TMP/really-pdf.html" | grep -q '%PDF-' && ok "  ... it is a PDF" || not_ok "  ... it is a PDF"
expect_exit ".HTM in capitals is HTML too" 0 $QUIRE render $S -t $T -o "$TMP/PAPER.HTM"
contains "  ... it is HTML" "$TMP/PAPER.HTM" '<!DOCTYPE html>'
expect_exit "--format takes pdf or html only" 2 $QUIRE render $S -t $T --format=docx -o "$TMP/x.docx"
contains "  ... and says so" "$TMP/last.err" "--format takes pdf or html, not 'docx'"
expect_exit "--pdfa with HTML output is a usage error" 2 $QUIRE render $S -t $T --pdfa -o "$TMP/x.html"
expect_exit "--lang sets <html lang>" 0 $QUIRE render $S -t $T --lang=cy -o "$TMP/cy.html"
contains "  ... to cy" "$TMP/cy.html" '<html lang="cy">'
expect_exit "--draft marks the page" 0 $QUIRE render $S -t $T --draft -o "$TMP/draft.html"
contains "  ... DRAFT above the paper" "$TMP/draft.html" 'data-furniture="">DRAFT</p>'

# watch and build decide by the output's name as render does
QUIRE_WATCH_MAX_RENDERS=1 $QUIRE watch $S -t $T -o "$TMP/watch.html" >/dev/null 2>&1
contains "watch -o X.html writes the HTML copy, marked DRAFT" "$TMP/watch.html" 'data-furniture="">DRAFT</p>'
cat >"$TMP/manifest.json" <<EOF
{ "defaults": {"template": "$PWD/$T", "out": "$TMP/built"},
  "papers": [ { "data": "$PWD/$S", "output": "web/paper.html" },
              { "data": "$PWD/$S", "output": "print/paper.pdf" } ] }
EOF
expect_exit "build writes a manifest's .html output as HTML" 0 $QUIRE build "$TMP/manifest.json" -j 1
contains "  ... the HTML copy" "$TMP/built/web/paper.html" '<!DOCTYPE html>'
head -c 5 "$TMP/built/print/paper.pdf" | grep -q '%PDF-' && ok "  ... and the PDF beside it" || not_ok "  ... and the PDF beside it"
expect_exit "  ... and skips both when nothing changed" 0 $QUIRE build "$TMP/manifest.json" -j 1
contains "  ... (said so)" "$TMP/last.err" "0 built, 2 skipped, 0 failed"

# refused: the output is an input, a directory; nothing written
cp $T "$TMP/tpl.md"; cp -R templates/partials "$TMP/partials"
cp "$TMP/tpl.md" "$TMP/tpl.before"
expect_exit "an output that is the template is refused" 1 $QUIRE render $S -t "$TMP/tpl.md" --format html -o "$TMP/tpl.md"
cmp -s "$TMP/tpl.md" "$TMP/tpl.before" && ok "  ... and the template is untouched" || not_ok "  ... and the template is untouched"
mkdir -p "$TMP/adir"
expect_exit "an output that is a directory is refused" 1 $QUIRE render $S -t $T -o "$TMP/adir"
expect_exit "  ... also with --format html" 1 $QUIRE render $S -t $T --format html -o "$TMP/adir"

# a folder that cannot take the page: exit 3, nothing made (root too)
expect_exit "an output in a missing folder exits 3" 3 $QUIRE render $S -t $T -o "$TMP/nowhere/p.html"
[ ! -e "$TMP/nowhere" ] && ok "  ... and makes nothing" || not_ok "  ... and makes nothing"
# a failed render leaves the previous page as it was
echo previous >"$TMP/keep.html"
printf '# Chart\n\n```chart\ntype: pie\n```\n' >"$TMP/keep.md"
expect_exit "a failed render exits 1" 1 $QUIRE render -t "$TMP/keep.md" -o "$TMP/keep.html"
grep -qx previous "$TMP/keep.html" && ok "  ... and leaves the previous page as it was" \
    || not_ok "  ... and leaves the previous page as it was"
ls "$TMP"/keep.html.tmp.* >/dev/null 2>&1 && not_ok "  ... with no temporary left" || ok "  ... with no temporary left"

# an exempt paper: marked, not for search engines, readable by its owner
E=samples/meetings/papers/residential-placement-contract.json
expect_exit "an exempt paper renders to HTML" 0 sh -c "umask 022 && $QUIRE render $E -t $T -o $TMP/exempt.html"
contains "  ... marked NOT FOR PUBLICATION" "$TMP/exempt.html" 'NOT FOR PUBLICATION</p>'
contains "  ... and noindex" "$TMP/exempt.html" '<meta name="robots" content="noindex, nofollow">'
mode=$(stat -c %a "$TMP/exempt.html")
[ "$mode" = 600 ] && ok "  ... written mode 0600" || not_ok "  ... written mode 0600" "mode $mode"

# a bad chart: located at the template line, no page written
cat >"$TMP/badchart.md" <<'EOF'
# Chart

```chart
type: pie
```
EOF
rm -f "$TMP/bad.html"
expect_exit "a bad chart block fails the page" 1 $QUIRE render -t "$TMP/badchart.md" -o "$TMP/bad.html"
contains "  ... at its template line" "$TMP/last.err" "badchart.md:4:7: error: 'pie' is not a chart type"
[ ! -e "$TMP/bad.html" ] && ok "  ... and no page is written" || not_ok "  ... and no page is written"

# an image: embedded as a data: URI, read from the template's folder only
mkdir -p "$TMP/img"
cp tests/fuzz/seeds/image/rgb8.png "$TMP/img/logo.png"
printf '# Images\n\n![The council crest](logo.png)\n' >"$TMP/img/paper.md"
expect_exit "a paper with an image renders to HTML" 0 $QUIRE render -t "$TMP/img/paper.md" -o "$TMP/img.html"
contains "  ... the image is a data: URI" "$TMP/img.html" 'src="data:image/png;base64,'
contains "  ... with its alt text" "$TMP/img.html" 'alt="The council crest"'
python3 - "$TMP/img.html" tests/fuzz/seeds/image/rgb8.png <<'PY' && ok "  ... of the image's size" || not_ok "  ... of the image's size"
import base64, re, struct, sys
page = open(sys.argv[1]).read()
png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1))
orig = open(sys.argv[2], "rb").read()
size = lambda b: struct.unpack(">II", b[16:24])
sys.exit(0 if png[:8] == b"\x89PNG\r\n\x1a\n" and size(png) == size(orig) else 1)
PY
printf '# Images\n\n![x](../outside.png)\n' >"$TMP/img/out.md"
cp tests/fuzz/seeds/image/rgb8.png "$TMP/outside.png"
expect_exit "an image outside the template's folder is refused" 1 $QUIRE render -t "$TMP/img/out.md" -o "$TMP/out.html"
contains "  ... at its line" "$TMP/last.err" "out.md:3:1: error: image '../outside.png' is outside"

finish
