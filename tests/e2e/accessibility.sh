#!/usr/bin/env bash
# End-to-end: accessible and archival PDFs Every sample paper
# (rendered as scripts/demo.sh does) and every sample meeting pack passes
# tests/pdfcheck.sh; PDF/A-2b output passes it with --pdfa and is
# byte-identical across runs; the benchmark report stays small, and its
# structure tree reads in logical order.
. "$(dirname "$0")/lib.sh"

# pdfcheck FILE [--pdfa]: forward the checker's ok/not ok lines
pdfcheck() {
    local out rc
    out=$(tests/pdfcheck.sh "$@" 2>&1); rc=$?
    echo "$out"
    if [ $rc != 0 ]; then
        FAILS=$((FAILS + 1))
        echo "$out" | grep -q '^not ok' || echo "not ok - pdfcheck $1 (exit $rc)"
    fi
}

. scripts/samples.sh

n=0
for f in samples/*.json; do
    name=$(basename "$f" .json)
    tpl=$(template_for "$name")
    [ -n "$tpl" ] && [ -f "$tpl" ] || continue
    expect_exit "renders: $name" 0 $QUIRE render "$f" -t "$tpl" -o "$TMP/$name.pdf"
    [ -f "$TMP/$name.pdf" ] && pdfcheck "$TMP/$name.pdf" && n=$((n + 1))
done
for f in samples/*.md; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .md)
    expect_exit "renders: $name" 0 $QUIRE render -t "$f" -o "$TMP/$name.pdf"
    [ -f "$TMP/$name.pdf" ] && pdfcheck "$TMP/$name.pdf" && n=$((n + 1))
done
for f in samples/meetings/*.json; do
    [ -e "$f" ] || continue
    name=pack-$(basename "$f" .json)
    expect_exit "pack renders: $name" 0 $QUIRE pack "$f" -o "$TMP/$name.pdf"
    [ -f "$TMP/$name.pdf" ] && pdfcheck "$TMP/$name.pdf"
    grep -q '"proceedings"' "$f" || continue
    name=minutes-$(basename "$f" .json)
    expect_exit "minutes render: $name" 0 $QUIRE minutes "$f" -o "$TMP/$name.pdf"
    [ -f "$TMP/$name.pdf" ] && pdfcheck "$TMP/$name.pdf"
done
[ $n -ge 2 ] && ok "checked $n sample papers" || not_ok "checked $n sample papers (expected at least 2)"

# The benchmark report: size target and reading order of the tree.
BENCH=samples/harwood-action-plan-progress.md
expect_exit "bench report renders" 0 $QUIRE render -t $BENCH -o $TMP/bench.pdf
size=$(wc -c <$TMP/bench.pdf)
[ "$size" -le 76800 ] && ok "bench report is $size bytes (<= 75 KB)" || not_ok "bench report is $size bytes (> 75 KB)"
pdfinfo -struct-text $TMP/bench.pdf >$TMP/bench.struct 2>&1
order_ok=1; prev=0
for s in '"1. Summary"' '"1.1 Between' '"2. Recommendations"' 'L (block)' 'LI (block)' 'Lbl (block)' \
         'LBody (block)' 'Table (block)' 'TH:' '/Scope /Column' 'TD' '"4. ' ; do
    at=$(grep -n -F -- "$s" $TMP/bench.struct | head -1 | cut -d: -f1)
    if [ -z "$at" ] || [ "$at" -lt "$prev" ]; then order_ok=0; echo "    out of order or missing: $s"; break; fi
    prev=$at
done
[ $order_ok = 1 ] && ok "bench structure tree in logical order" || not_ok "bench structure tree in logical order"
lacks "running footer is an artifact, not in the tree" $TMP/bench.struct "Page 1 of"

# PDF/A-2b: the checker with --pdfa, and byte-identical output.
CAB=samples/cabinet-ofsted-working-group.json
for i in 1 2; do
    expect_exit "PDF/A renders ($i)" 0 $QUIRE render $CAB -t templates/cabinet-report.md --pdfa -o $TMP/pdfa$i.pdf
done
pdfcheck $TMP/pdfa1.pdf --pdfa
check "PDF/A output byte-identical across runs" cmp $TMP/pdfa1.pdf $TMP/pdfa2.pdf
expect_exit "PDF/A of plain Markdown renders" 0 $QUIRE render -t $BENCH --pdfa --lang=en-GB -o $TMP/bench-a.pdf
pdfcheck $TMP/bench-a.pdf --pdfa
# Dates: Info and XMP from the same epoch.
SOURCE_DATE_EPOCH=1760486400 $QUIRE render -t $BENCH --pdfa -o $TMP/dated.pdf 2>/dev/null
pdfinfo -meta $TMP/dated.pdf >$TMP/dated.xmp 2>&1
pdfinfo $TMP/dated.pdf >$TMP/dated.info 2>&1
contains "XMP CreateDate from SOURCE_DATE_EPOCH" $TMP/dated.xmp "<xmp:CreateDate>2025-10-15T00:00:00Z</xmp:CreateDate>"
contains "Info CreationDate the same" $TMP/dated.info "Wed Oct 15 00:00:00 2025 UTC"

# A draft: the stamp is furniture, the paper still passes.
expect_exit "draft renders" 0 $QUIRE render -t $BENCH --draft -o $TMP/draft.pdf
pdfcheck $TMP/draft.pdf
pdfinfo -struct-text $TMP/draft.pdf >$TMP/draft.struct 2>&1
lacks "DRAFT stamp is not in the structure tree" $TMP/draft.struct "DRAFT"

# The checker itself fails an untagged PDF.
printf '%%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n' >$TMP/raw.pdf
qpdf $TMP/raw.pdf $TMP/untagged.pdf >/dev/null 2>&1
if tests/pdfcheck.sh $TMP/untagged.pdf >$TMP/untagged.out 2>&1; then
    not_ok "checker rejects an untagged PDF" "$(head -5 $TMP/untagged.out)"
else
    contains "checker rejects an untagged PDF" $TMP/untagged.out "not ok - untagged.pdf: tagged"
fi

# --lang reaches /Lang.
expect_exit "--lang renders" 0 $QUIRE render -t $BENCH --lang=cy -o $TMP/cy.pdf
qpdf --json $TMP/cy.pdf >$TMP/cy.json 2>&1
contains "--lang=cy sets /Lang" $TMP/cy.json '"/Lang": "u:cy"'
finish
