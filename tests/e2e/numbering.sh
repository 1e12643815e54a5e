#!/usr/bin/env bash
# End-to-end: council numbering is the style's. Every top-level section of
# a paper is numbered (Implications, Background papers and Author too) or
# none is; numbers hang in a gutter, so a paragraph's wrapped lines align
# with its text, not under "1.1"; a heading numbered by hand while the style
# numbers sections is a warning at its template line and never prints
# "1. 1. Summary"; no built-in template numbers by hand.
. "$(dirname "$0")/lib.sh"
. scripts/samples.sh

cat >$TMP/hand.md <<'MD'
# Paper

## 1. Summary

1.1 Between 13 and 24 January 2025 Ofsted carried out an inspection of local authority children's services in Harwood, and this paragraph is long enough to wrap onto a second line.

## 2.3 Risk management

10 children were seen. This paragraph starts with a number that is not a paragraph number.

## Background papers

None
MD
expect_exit "hand-numbered headings render" 0 $QUIRE render -t $TMP/hand.md -o $TMP/hand.pdf
contains "hand number: a warning at the template line" $TMP/last.err \
    "hand.md:3:1: warning: heading '1. Summary…' is numbered by hand, and the style numbers sections: remove '1. ' from the template"
contains "… for '2.3 ' too" $TMP/last.err "hand.md:7:1: warning: heading '2.3 Risk management…'"
pdftotext -raw $TMP/hand.pdf $TMP/hand.txt
contains "style's number printed" $TMP/hand.txt "1. Summary"
lacks "never '1. 1. Summary'" $TMP/hand.txt "1. 1."
contains "second section is 2, not 2.3" $TMP/hand.txt "2. Risk management"
lacks "no hand number left" $TMP/hand.txt "2.3 Risk"
contains "third section numbered" $TMP/hand.txt "3. Background papers"

# geometry: the paragraph number sits at the margin, every line of its text
# (first and wrapped) starts at the same x, after the gutter
$QUIRE render -t $TMP/hand.md --dump=pages >$TMP/hand.pages 2>/dev/null
if python3 - $TMP/hand.pages <<'PY'
import re, sys
items = [l for l in open(sys.argv[1]) if l.startswith("  text P e3 ")]
xs = [float(l.split()[3]) for l in items]
num = [l for l in items if l.rstrip().endswith('"1.1 "')]
text = [x for l, x in zip(items, xs) if not l.rstrip().endswith('"1.1 "')]
assert len(num) == 1 and len(text) >= 2, items
assert all(abs(x - text[0]) < 0.01 for x in text), text
assert text[0] > xs[items.index(num[0])] + 20, (xs, text)
heads = [l for l in open(sys.argv[1]) if l.startswith("  text H2 ")]
assert float(heads[1].split()[3]) == text[0], heads   # "Summary" aligns too
PY
then ok "paragraph number hangs: wrapped lines align with the text"
else not_ok "paragraph number hangs: wrapped lines align with the text" "$(grep 'e3 ' $TMP/hand.pages)"; fi
# a sentence that starts with a number is not a paragraph number
grep -q '"10 children were seen' $TMP/hand.pages && ok "'10 children' stays in the text" \
    || not_ok "'10 children' stays in the text" "$(grep 'children' $TMP/hand.pages)"

# numbering off: no numbers and no warning, the hand numbers printed as typed
printf '{"numbering": {"sections": false}}\n' >$TMP/off.json
expect_exit "numbering off renders" 0 $QUIRE render -t $TMP/hand.md -s $TMP/off.json -o $TMP/off.pdf
[ -s $TMP/last.err ] && not_ok "numbering off: no warning" "$(head -3 $TMP/last.err)" || ok "numbering off: no warning"
pdftotext -raw $TMP/off.pdf $TMP/off.txt
contains "numbering off: the hand number as typed" $TMP/off.txt "1. Summary"
lacks "numbering off: background papers unnumbered" $TMP/off.txt "3. Background papers"

# no built-in template numbers a heading by hand
if grep -nE '^#{1,6} +([0-9]+\.|[0-9]+(\.[0-9]+)+ |\{\{[#^])' templates/*.md templates/partials/*.md >$TMP/hand.txt; then
    not_ok "built-in templates carry no hand numbers" "$(cat $TMP/hand.txt)"
else ok "built-in templates carry no hand numbers"; fi

# a real paper: every top-level section numbered, up to the author
f=samples/cabinet-ofsted-working-group.json
expect_exit "Cabinet sample renders" 0 $QUIRE render $f -t "$(template_for $f)" -o $TMP/cab.pdf
[ -s $TMP/last.err ] && not_ok "Cabinet sample: no warning" "$(head -3 $TMP/last.err)" || ok "Cabinet sample: no warning"
pdftotext -raw $TMP/cab.pdf $TMP/cab.txt
for s in "1. Summary" "6. Financial implications" "12. Consultation" "13. Background papers" "14. Author"; do
    contains "Cabinet: '$s'" $TMP/cab.txt "$s"; done
f=samples/scrutiny-walsall-deep-dive.json
expect_exit "scrutiny sample renders" 0 $QUIRE render $f -t "$(template_for $f)" -o $TMP/scr.pdf
pdftotext -raw $TMP/scr.pdf - | tr -d '\f' >$TMP/scr.txt
for s in "Findings and the service response" "Implications" "Background papers" "Author"; do
    grep -qE "^[0-9]+\. $s" $TMP/scr.txt && ok "scrutiny: '$s' numbered" \
        || not_ok "scrutiny: '$s' numbered" "$(grep -n "$s" $TMP/scr.txt | head -3)"; done
finish
