#!/usr/bin/env bash
# End-to-end: one committee paper from JSON + template to a real PDF, read
# back with qpdf, pdftotext, pdfinfo and pdffonts.
. "$(dirname "$0")/lib.sh"

SAMPLE=samples/cabinet-ofsted-working-group.json
TPL=templates/cabinet-report.md
PDF=$TMP/cabinet.pdf

expect_exit "sample renders" 0 $QUIRE render $SAMPLE -t $TPL -o $PDF
check "qpdf --check is clean" qpdf --check $PDF
pdffonts $PDF >$TMP/fonts.txt 2>&1
if awk 'NR>2 && $(NF-4)!="yes" {bad=1} END {exit bad}' $TMP/fonts.txt && [ "$(wc -l <$TMP/fonts.txt)" -gt 2 ]; then
    ok "every font embedded"; else not_ok "every font embedded" "$(cat $TMP/fonts.txt)"; fi
contains "fallback face present" $TMP/fonts.txt "DejaVuSans"
contains "body face is Liberation Sans (Arial metrics)" $TMP/fonts.txt "LiberationSans"

pdftotext $PDF $TMP/cabinet.txt 2>$TMP/poppler.err
if [ -s $TMP/poppler.err ]; then not_ok "poppler prints no warning" "$(head -3 $TMP/poppler.err)"; else ok "poppler prints no warning"; fi
for s in "Cabinet – 21 June 2018" "Ofsted Working Group" "Portfolio:" "Children’s Services" \
         "“deep dive”" "£8,500" "☎ 01922 652756" "✉ debbie.carter@walsall.gov.uk"; do
    contains "text: $s" $TMP/cabinet.txt "$s"
done
# headings and paragraphs in reading order
order_ok=1; prev=0
for s in "Ofsted Working Group" "1. Summary" "1.1 Following" "2. Recommendations" "2.1 That Cabinet" \
         "3. Report detail" "3.13" "4. Council plan priorities" "5. Risk management" \
         "6. Financial implications" "10. Staffing implications" "11. Reducing inequalities" \
         "12. Consultation" "Background papers" "Author" "Debbie Carter"; do
    # numbers hang in a gutter, so "1." and "Summary" are apart on the line
    n=$(tr -s '\n ' '  ' <$TMP/cabinet.txt | grep -bo -F -- "$s" | head -1 | cut -d: -f1)
    if [ -z "$n" ] || [ "$n" -lt "$prev" ]; then order_ok=0; echo "    out of order or missing: $s"; break; fi
    prev=$n
done
[ $order_ok = 1 ] && ok "headings and paragraphs in reading order" || not_ok "headings and paragraphs in reading order"
pdfinfo $PDF >$TMP/info.txt
contains "pdfinfo title from data" $TMP/info.txt "Ofsted Working Group"
contains "pdfinfo author from data" $TMP/info.txt "Debbie Carter"
pages=$(sed -n 's/^Pages: *//p' $TMP/info.txt)
contains "footer page X of Y" $TMP/cabinet.txt "Page 1 of $pages"

# the bench report as plain Markdown: middle dot and every word survive
expect_exit "plain Markdown renders with no data" 0 $QUIRE render -t samples/harwood-action-plan-progress.md -o $TMP/report.pdf
pdftotext $TMP/report.pdf $TMP/report.txt
contains "text: middle dot" $TMP/report.txt "Health and Wellbeing · Councillor"

# a paragraph longer than a page flows across pages; nothing past the margin
{
    echo "# Long paragraph"; echo
    for i in $(seq 1 900); do printf 'word%d councillors scrutinise the improvement plan ' "$i"; done; echo
} >$TMP/long.md
expect_exit "long paragraph renders" 0 $QUIRE render -t $TMP/long.md -o $TMP/long.pdf
lp=$(pdfinfo $TMP/long.pdf | sed -n 's/^Pages: *//p')
[ "${lp:-0}" -ge 2 ] && ok "long paragraph spans $lp pages" || not_ok "long paragraph spans pages" "pages=$lp"
pdftotext $TMP/long.pdf - | tr -s ' \n' '\n\n' | grep -c '^word[0-9]*$' >$TMP/nwords || true
[ "$(cat $TMP/nwords)" = 900 ] && ok "every word of the long paragraph survives" || not_ok "every word survives" "found $(cat $TMP/nwords) of 900"
pdftotext -bbox $TMP/long.pdf $TMP/long.html
awk -F'"' '/<page /{w=$2} /<word /{ if ($6+0 > w - 56.69 + 0.5) {print "past margin: " $0; bad=1} } END{exit bad}' $TMP/long.html >$TMP/margin.txt \
    && ok "no text past the right margin" || not_ok "no text past the right margin" "$(head -3 $TMP/margin.txt)"

# a heading is never the last thing on a page
{
    for i in $(seq 1 40); do
        echo "## Heading number $i"; echo
        for j in $(seq 1 $((i % 4 + 1))); do printf 'Sentence %d of section %d sets out the progress made by the service in the period. ' "$j" "$i"; done
        echo; echo
    done
} >$TMP/heads.md
expect_exit "headings document renders" 0 $QUIRE render -t $TMP/heads.md -o $TMP/heads.pdf
hp=$(pdfinfo $TMP/heads.pdf | sed -n 's/^Pages: *//p')
bad=""
for p in $(seq 1 "$hp"); do
    last=$(pdftotext -f $p -l $p -layout $TMP/heads.pdf - | grep -v '^\s*$' | grep -v 'Page [0-9]* of' | tail -1)
    case "$last" in *"Heading number"*) bad="$bad page $p: $last";; esac
done
[ -z "$bad" ] && ok "no heading at the foot of a page ($hp pages)" || not_ok "no heading at the foot of a page" "$bad"

# bad input
printf '{\n  "paper": {\n    "title": "x",\n  }\n}\n' >$TMP/bad.json
expect_exit "malformed JSON exits 1" 1 $QUIRE render $TMP/bad.json -t $TPL -o $TMP/bad.pdf
if grep -qE "bad.json:[0-9]+:[0-9]+: error" $TMP/last.err; then ok "malformed JSON gives file:line:col"; else not_ok "malformed JSON gives file:line:col" "$(cat $TMP/last.err)"; fi
[ ! -e $TMP/bad.pdf ] && ok "no PDF after bad input" || not_ok "no PDF after bad input"
expect_exit "missing template exits 1" 1 $QUIRE render $SAMPLE -t $TMP/nope.md -o $TMP/x.pdf
contains "missing template is named" $TMP/last.err "$TMP/nope.md"
expect_exit "usage error exits 2" 2 $QUIRE render $SAMPLE -o $TMP/x.pdf
expect_exit "unknown command exits 2" 2 $QUIRE frobnicate

mkdir -p $TMP/ro && cp $PDF $TMP/ro/paper.pdf && chmod 555 $TMP/ro
before=$(md5sum <$TMP/ro/paper.pdf)
if [ "$(id -u)" = 0 ]; then
    # root ignores directory permissions: use a path under a regular file
    expect_exit "unwritable output exits 3" 3 $QUIRE render $SAMPLE -t $TPL -o $TMP/ro/paper.pdf/sub.pdf
else
    expect_exit "unwritable output exits 3" 3 $QUIRE render $SAMPLE -t $TPL -o $TMP/ro/paper.pdf
fi
contains "unwritable output is named" $TMP/last.err "$TMP/ro/paper.pdf"
[ "$(md5sum <$TMP/ro/paper.pdf)" = "$before" ] && ok "previous PDF untouched" || not_ok "previous PDF untouched"
[ -z "$(ls $TMP/ro | grep -v '^paper.pdf$')" ] && ok "no temporary file left" || not_ok "no temporary file left" "$(ls $TMP/ro)"
chmod 755 $TMP/ro

# --help
expect_exit "--help exits 0" 0 $QUIRE --help
contains "--help lists render" $TMP/last.out "render [DATA.json] -t TEMPLATE.md"
finish
