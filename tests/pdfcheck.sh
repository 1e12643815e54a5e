#!/usr/bin/env bash
# pdfcheck.sh FILE.pdf [--pdfa] — read a Quire PDF back and check what
# accessibility (PSBAR 2018 / WCAG 2.2 AA via PDF/UA practice) and, with
# --pdfa, archiving (PDF/A-2b) need, using only poppler and qpdf:
#   pdfinfo: Tagged yes, a Title, no warning; pdfinfo -struct-text: a
#   Document root with headings and paragraphs; qpdf --json: /MarkInfo
#   Marked, /Lang, DisplayDocTitle, StructTreeRoot with ParentTree, every TH
#   with a /Scope, every Figure with /Alt, every annotation printable;
#   pdffonts: every font embedded; pdftotext: no warning.
#   --pdfa: XMP metadata with pdfaid part 2, /Subtype /XML, an sRGB
#   /OutputIntents entry with /S /GTS_PDFA1, a trailer /ID, no encryption.
# Prints "ok - NAME: check" / "not ok - NAME: check" lines (TAP-like, as
# tests/e2e/lib.sh) and exits 1 when any check fails.
set -u
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
    echo "usage: tests/pdfcheck.sh FILE.pdf [--pdfa]" >&2
    exit 2
fi
PDF=$1
PDFA=0
[ "${2:-}" = --pdfa ] && PDFA=1
NAME=$(basename "$PDF")
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FAILS=0
ok()     { echo "ok - $NAME: $1"; }
not_ok() { echo "not ok - $NAME: $1"; shift; for l in "$@"; do echo "    $l"; done; FAILS=$((FAILS + 1)); }
# has CHECK FILE PATTERN (fixed string)
has()    { if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1" "'$3' not found"; fi; }
quiet()  { if [ -s "$2" ]; then not_ok "$1" "$(head -3 "$2")"; else ok "$1"; fi; }

pdfinfo "$PDF" >"$T/info" 2>"$T/info.err"
quiet "pdfinfo prints no warning" "$T/info.err"
if grep -qE '^Tagged: +yes' "$T/info"; then ok "tagged"; else not_ok "tagged" "$(grep Tagged "$T/info")"; fi
if grep -qE '^Title: +[^ ]' "$T/info"; then ok "has a title"; else not_ok "has a title"; fi

pdfinfo -struct-text "$PDF" >"$T/struct" 2>"$T/struct.err"
quiet "pdfinfo -struct-text prints no warning" "$T/struct.err"
if [ "$(head -1 "$T/struct")" = Document ]; then ok "structure tree has a Document root"
else not_ok "structure tree has a Document root" "$(head -3 "$T/struct")"; fi
if grep -qE '^ +H[1-6]( |$)' "$T/struct"; then ok "structure has headings"; else not_ok "structure has headings"; fi
if grep -qE '^ +P( |$)' "$T/struct"; then ok "structure has paragraphs"; else not_ok "structure has paragraphs"; fi
if grep -qE '^ +"[^"]+' "$T/struct"; then ok "structure carries the text"; else not_ok "structure carries the text"; fi

qpdf --json "$PDF" >"$T/json" 2>"$T/json.err"
quiet "qpdf reads it without warning" "$T/json.err"
has "/MarkInfo /Marked true" "$T/json" '"/Marked": true'
has "/Lang set" "$T/json" '"/Lang": "u:'
has "/DisplayDocTitle true" "$T/json" '"/DisplayDocTitle": true'
has "/StructTreeRoot" "$T/json" '"/StructTreeRoot": "'
has "/ParentTree" "$T/json" '"/ParentTree": "'
# Per object (qpdf sorts keys, so /A, /Alt and /F come before /S and /Type):
# every TH has a Scope attribute, every Figure alt text, every annotation
# the print flag.
awk '
    /^ *"obj:[0-9]+ [0-9]+ R": \{/ { alt = 0; scope = 0; f4 = 0; obj = $1 }
    /"\/Alt": "u:./                { alt = 1 }
    /"\/Scope": "\//               { scope = 1 }
    /"\/F": 4,?$/                  { f4 = 1 }
    /"\/S": "\/Figure"/  { figs++; if (!alt) { print "Figure without /Alt: " obj; bad++ } }
    /"\/S": "\/TH"/      { ths++; if (!scope) { print "TH without /Scope: " obj; bad++ } }
    /"\/Type": "\/Annot"/ { if (!f4) { print "annotation without /F 4: " obj; bad++ } }
    END { printf "%d figures, %d header cells\n", figs, ths; exit bad > 0 }
' "$T/json" >"$T/objs"
if [ $? = 0 ]; then ok "figures have alt text, TH cells a scope, annotations print ($(tail -1 "$T/objs"))"
else not_ok "figures have alt text, TH cells a scope, annotations print" "$(head -5 "$T/objs")"; fi

pdffonts "$PDF" >"$T/fonts" 2>"$T/fonts.err"
quiet "pdffonts prints no warning" "$T/fonts.err"
if [ "$(wc -l <"$T/fonts")" -le 2 ]; then
    not_ok "every font embedded" "no fonts"
elif awk 'NR > 2 && $(NF-4) != "yes" { bad = 1 } END { exit bad }' "$T/fonts"; then
    ok "every font embedded"
else
    not_ok "every font embedded" "$(cat "$T/fonts")"
fi

pdftotext "$PDF" "$T/text" 2>"$T/text.err"
quiet "pdftotext prints no warning" "$T/text.err"
if [ -s "$T/text" ]; then ok "text extracts"; else not_ok "text extracts"; fi

if [ $PDFA = 1 ]; then
    has "PDF/A: metadata stream" "$T/info" "Metadata Stream: yes"
    pdfinfo -meta "$PDF" >"$T/xmp" 2>"$T/xmp.err"
    quiet "PDF/A: XMP reads without warning" "$T/xmp.err"
    has "PDF/A: pdfaid:part 2" "$T/xmp" "<pdfaid:part>2</pdfaid:part>"
    has "PDF/A: pdfaid:conformance B" "$T/xmp" "<pdfaid:conformance>B</pdfaid:conformance>"
    has "PDF/A: dc:title" "$T/xmp" "<dc:title>"
    has "PDF/A: metadata /Subtype /XML" "$T/json" '"/Subtype": "/XML"'
    if grep -qF '"/SubType"' "$T/json"; then not_ok "PDF/A: no misspelt /SubType"; else ok "PDF/A: no misspelt /SubType"; fi
    has "PDF/A: /OutputIntents" "$T/json" '"/OutputIntents": ['
    has "PDF/A: /S /GTS_PDFA1" "$T/json" '"/S": "/GTS_PDFA1"'
    has "PDF/A: ICC profile" "$T/json" '"/DestOutputProfile": "'
    # The trailer (or cross-reference stream dictionary) carries /ID.
    if awk '/"trailer": \{/ { t = 1 } t && /"\/ID": \[/ { found = 1 } END { exit !found }' "$T/json"
    then ok "PDF/A: trailer /ID"; else not_ok "PDF/A: trailer /ID"; fi
    has "PDF/A: not encrypted" "$T/info" "Encrypted:       no"
fi

rm -rf "$T"
exit $((FAILS > 0))
