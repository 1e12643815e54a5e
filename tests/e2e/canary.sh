#!/usr/bin/env bash
# End-to-end: nothing of an exempt paper reaches a public pack, even when an
# open item tries to read the exempt paper's files. A unique canary string
# is planted in every exempt item's data, template, partial and image alt
# text (and the image has a size no other image has); each attack — an open
# item including the exempt partial or template, reading the exempt data
# (directly, through a symlink, through a hard link), showing the exempt
# image — must either be refused (exit 1, no pack) or give a pack in which
# no canary appears, in pdftotext's text or anywhere in the uncompressed
# file. The same exempt paper as an exempt paper appendix of an open item
# is withheld as well. The sample meeting gets the same treatment with
# canaries planted in a copy of its exempt paper.
. "$(dirname "$0")/lib.sh"

Q="${QUIRE_WRAP:-} $BIN"

CANARIES="qzkData1187 qzkTpl2298 qzkPartial3309 qzkAlt4410"

# png FILE W H: a small RGB PNG of that size
png() {
    python3 - "$@" <<'PY'
import struct, sys, zlib
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def chunk(k, d):
    return struct.pack(">I", len(d)) + k + d + struct.pack(">I", zlib.crc32(k + d) & 0xFFFFFFFF)
raw = b"".join(b"\0" + bytes((x * 7 + y * 3) % 256 for x in range(w) for _ in range(3)) for y in range(h))
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                       + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
}


# no_canary NAME PDF: no canary in the text nor in the uncompressed bytes,
# and no image of the exempt image's size (37 x 23)
no_canary() {
    local name=$1 pdf=$2 leaks="" w
    pdftotext "$pdf" "$pdf.txt"
    qpdf --qdf --object-streams=disable "$pdf" "$pdf.qdf"
    for w in $CANARIES; do
        grep -qF "$w" "$pdf.txt" && leaks="$leaks text:$w"
        raw_has "$pdf.qdf" "$w" && leaks="$leaks bytes:$w"
    done
    pdfimages -list "$pdf" 2>/dev/null | awk 'NR>2 && $4==37 && $5==23 {f=1} END {exit !f}' \
        && leaks="$leaks image:37x23"
    [ -z "$leaks" ] && ok "$name: no canary in the public pack" || not_ok "$name: no canary in the public pack" "leaked:$leaks"
}

# refused NAME MEETING WHAT...: the public pack is refused with exit 1, no
# file is written, and the message names the open item, the exempt item
# and each WHAT (the file)
refused() {
    local name=$1 meeting=$2; shift 2
    rm -f $T/out/public.pdf
    expect_exit "$name: public pack refused (exit 1)" 1 $Q pack $meeting -o $T/out/public.pdf --public
    contains "$name: names the open item" $TMP/last.err "item 2 ‘Open report’"
    contains "$name: names the exempt item" $TMP/last.err "exempt item 3 ‘Contract award’"
    local w leaks=""
    for w in "$@"; do contains "$name: names $w" $TMP/last.err "$w"; done
    # messages quote source lines: none may quote an exempt file
    for w in $CANARIES; do grep -qF "$w" $TMP/last.err && leaks="$leaks $w"; done
    [ -z "$leaks" ] && ok "$name: no canary in the messages" || not_ok "$name: no canary in the messages" "leaked:$leaks"
    if [ -z "$(ls -A $T/out)" ]; then ok "$name: no pack and no temporary file written"
    else not_ok "$name: no pack and no temporary file written" "$(ls -A $T/out)"; [ -f $T/out/public.pdf ] && no_canary "$name" $T/out/public.pdf; fi
}

# --- a meeting whose exempt paper has its own folder -------------------------
T=$TMP/m
mkdir -p $T/exempt/parts $T/open $T/out
cat >$T/exempt/contract.json <<'EOF'
{"paper": {"kind": "cabinet", "council": "Harwood Borough Council",
  "title": "Contract award",
  "meeting": {"body": "Cabinet", "date": "2025-10-15", "item": 3},
  "summary": [{"ref": "1.1", "text": "The preferred bidder is qzkData1187 at £3,850 a week."}]}}
EOF
cat >$T/exempt/contract.md <<'EOF'
# {{paper.title}} (qzkTpl2298)

Bespoke exempt wording qzkTpl2298.

{{#paper.summary}}
{{ref}} {{text}}

{{/paper.summary}}
{{>parts/scores}}

![Evaluation scores qzkAlt4410](scores.png)
EOF
echo 'Evaluation scores by bidder: qzkPartial3309.' >$T/exempt/parts/scores.md
png $T/exempt/scores.png 37 23
cat >$T/open/open.md <<'EOF'
# Open report

An open report that the public may read.
EOF
# meeting ITEM2_PAPER: the meeting, with item 2's paper object
meeting() {
    cat <<EOF
{"council": "Harwood Borough Council", "committee": "Cabinet", "date": "2025-10-15",
 "time": "18:00", "venue": "Council Chamber, Civic Centre, Harwood",
 "membership": {"members": ["Councillor Adeyemi"]},
 "contact": {"name": "Jo Price", "email": "jo.price@harwood.gov.uk"},
 "items": [
  {"number": 1, "title": "Apologies", "standing": {"text": "To receive apologies for absence."}},
  {"number": 2, "title": "Open report", "paper": $1},
  {"number": 3, "title": "Contract award", "paper": {"data": "exempt/contract.json", "template": "exempt/contract.md"},
   "exempt": {"paragraph": 3, "reason": "Bidders’ prices before the award."}}]}
EOF
}
meeting '{"template": "open/open.md"}' >$T/meeting.json
expect_exit "baseline: public pack builds" 0 $Q pack $T/meeting.json -o $T/public.pdf --public
[ -f $T/public.pdf ] && no_canary "baseline" $T/public.pdf
expect_exit "baseline: full pack builds" 0 $Q pack $T/meeting.json -o $T/full.pdf
if [ -f $T/full.pdf ]; then
    pdftotext $T/full.pdf $T/full.txt
    qpdf --qdf --object-streams=disable $T/full.pdf $T/full.qdf
    missing=""
    for w in $CANARIES; do raw_has $T/full.qdf $w || grep -qF $w $T/full.txt || missing="$missing $w"; done
    [ -z "$missing" ] && ok "baseline: every canary is in the full pack (the search works)" \
        || not_ok "baseline: every canary is in the full pack (the search works)" "missing:$missing"
    pdfimages -list $T/full.pdf | awk 'NR>2 && $4==37 && $5==23 {f=1} END {exit !f}' \
        && ok "baseline: the full pack shows the exempt image" || not_ok "baseline: the full pack shows the exempt image"
fi

# --- attack 1: an open template includes the exempt partial or template ------
cat >$T/evil-partial.md <<'EOF'
# Open report

{{>exempt/parts/scores}}
EOF
meeting '{"template": "evil-partial.md"}' >$T/attack-partial.json
refused "shared partial" $T/attack-partial.json "exempt/parts/scores.md"
# (the exempt template's own partial resolves from the open template's
# folder here: give it an innocent one so the expansion succeeds)
mkdir -p $T/parts
echo 'Innocent text.' >$T/parts/scores.md
cat >$T/evil-template.md <<'EOF'
# Open report

{{>exempt/contract}}
EOF
cat >$T/open/data.json <<'EOF'
{"paper": {"kind": "cabinet", "council": "Harwood Borough Council",
  "title": "Open report",
  "meeting": {"body": "Cabinet", "date": "2025-10-15", "item": 2},
  "summary": [{"ref": "1.1", "text": "An open summary."}]}}
EOF
meeting '{"data": "open/data.json", "template": "evil-template.md"}' >$T/attack-template.json
refused "exempt template as a partial" $T/attack-template.json "exempt/contract.md" "is the template of exempt item"

# the same with no data: expanding the exempt template fails, and its error
# would quote the exempt line
meeting '{"template": "evil-template.md"}' >$T/attack-template2.json
refused "exempt template as a partial, failing" $T/attack-template2.json "exempt/contract.md"

# --- attack 2: an open item reads the exempt data ----------------------------
cat >$T/open/summary.md <<'EOF'
# Open report

{{#paper.summary}}
{{text}}

{{/paper.summary}}
EOF
meeting '{"data": "exempt/contract.json", "template": "open/summary.md"}' >$T/attack-data.json
refused "shared data file" $T/attack-data.json "exempt/contract.json" "is the data file of exempt item"
ln -s ../exempt/contract.json $T/open/alias.json
meeting '{"data": "open/alias.json", "template": "open/summary.md"}' >$T/attack-symlink.json
refused "data through a symlink" $T/attack-symlink.json "open/alias.json"
if ln $T/exempt/contract.json $T/open/hard.json 2>/dev/null; then
    meeting '{"data": "open/hard.json", "template": "open/summary.md"}' >$T/attack-hardlink.json
    refused "data through a hard link" $T/attack-hardlink.json "open/hard.json"
fi

# --- attack 3: an open item shows the exempt image ---------------------------
cat >$T/open/image.md <<'EOF'
# Open report

![A chart](../exempt/scores.png)
EOF
meeting '{"template": "open/image.md"}' >$T/attack-image.json
# outside the open template's folder: refused before any pack rule, as any
# paper's image outside its template's tree is (in full packs too)
refused_outside() {
    local name=$1 meeting=$2 what=$3
    rm -f $T/out/public.pdf
    expect_exit "$name: public pack refused (exit 1)" 1 $Q pack $meeting -o $T/out/public.pdf --public
    contains "$name: names the image" $TMP/last.err "$what"
    contains "$name: says it is outside the template's folder" $TMP/last.err "is outside the directory"
    local w leaks=""
    for w in $CANARIES; do grep -qF "$w" $TMP/last.err && leaks="$leaks $w"; done
    [ -z "$leaks" ] && ok "$name: no canary in the messages" || not_ok "$name: no canary in the messages" "leaked:$leaks"
    [ -z "$(ls -A $T/out)" ] && ok "$name: no pack and no temporary file written" \
        || not_ok "$name: no pack and no temporary file written" "$(ls -A $T/out)"
}
refused_outside "image outside the open folder" $T/attack-image.json "../exempt/scores.png"
# the same image through a symlink in the open folder
ln -s ../exempt/scores.png $T/open/chart.png
printf '# Open report\n\n![A chart](chart.png)\n' >$T/open/image2.md
meeting '{"template": "open/image2.md"}' >$T/attack-image2.json
refused_outside "image through a symlink" $T/attack-image2.json "exempt/scores.png"
# inside the open template's tree, but in the exempt item's folder: the
# pack's shared-file rule refuses it
printf '# Open report\n\n![A chart](exempt/scores.png)\n' >$T/image3.md
meeting '{"template": "image3.md"}' >$T/attack-image3.json
refused "shared image" $T/attack-image3.json "exempt/scores.png"

# the refusals are for public packs: the members' pack may share files
expect_exit "the full pack may share the exempt image" 0 $Q pack $T/attack-image3.json -o $T/full2.pdf

# --- the exempt paper as an exempt paper appendix of an open item -----------
# The same files, now appendix C of open item 2: the public pack shows its
# notice and nothing of it, and an open appendix reading its partial is
# refused as an open item would be.
appx_meeting() { # appx_meeting EXTRA-APPENDICES
    cat <<EOF
{"council": "Harwood Borough Council", "committee": "Cabinet", "date": "2025-10-15",
 "time": "18:00", "venue": "Council Chamber, Civic Centre, Harwood",
 "membership": {"members": ["Councillor Adeyemi"]},
 "contact": {"name": "Jo Price", "email": "jo.price@harwood.gov.uk"},
 "items": [
  {"number": 1, "title": "Apologies", "standing": {"text": "To receive apologies for absence."}},
  {"number": 2, "title": "Open report", "paper": {"template": "open/open.md"},
   "appendices": [
    {"letter": "C", "title": "Contract award", "paper": {"data": "exempt/contract.json", "template": "exempt/contract.md"},
     "exempt": {"paragraph": 3, "reason": "Bidders’ prices before the award."}}$1]}]}
EOF
}
appx_meeting "" >$T/appx.json
expect_exit "exempt paper appendix: public pack builds" 0 $Q pack $T/appx.json -o $T/appx-public.pdf --public
[ -f $T/appx-public.pdf ] && no_canary "exempt paper appendix" $T/appx-public.pdf
pdftotext $T/appx-public.pdf $T/appx-public.txt
contains "exempt paper appendix: the public pack shows its notice" $T/appx-public.txt "Bidders’ prices before the award."
expect_exit "exempt paper appendix: full pack builds" 0 $Q pack $T/appx.json -o $T/appx-full.pdf
if [ -f $T/appx-full.pdf ]; then
    pdftotext $T/appx-full.pdf $T/appx-full.txt
    qpdf --qdf --object-streams=disable $T/appx-full.pdf $T/appx-full.qdf
    missing=""
    for w in $CANARIES; do raw_has $T/appx-full.qdf $w || grep -qF $w $T/appx-full.txt || missing="$missing $w"; done
    [ -z "$missing" ] && ok "exempt paper appendix: every canary is in the full pack (the search works)" \
        || not_ok "exempt paper appendix: every canary is in the full pack (the search works)" "missing:$missing"
fi
mv $T/exempt $T/exempt.away
expect_exit "exempt paper appendix: public pack builds without its files" 0 \
    $Q pack $T/appx.json -o $T/appx-public2.pdf --public
check "exempt paper appendix: and is byte-identical" cmp $T/appx-public.pdf $T/appx-public2.pdf
mv $T/exempt.away $T/exempt
appx_meeting ', {"letter": "D", "title": "Summary", "paper": {"template": "evil-partial.md"}}' >$T/appx-attack.json
rm -f $T/out/public.pdf
expect_exit "open appendix including the exempt appendix's partial: public pack refused (exit 1)" 1 \
    $Q pack $T/appx-attack.json -o $T/out/public.pdf --public
contains "  ... names the open appendix, the withheld one and the file" $TMP/last.err \
    "item 2 ‘Open report’, appendix D reads $T/exempt/parts/scores.md (its partial) from $T/exempt, the folder of the data file of withheld appendix C of item 2 ‘Open report’"
leaks=""
for w in $CANARIES; do grep -qF "$w" $TMP/last.err && leaks="$leaks $w"; done
[ -z "$leaks" ] && ok "  ... no canary in the messages" || not_ok "  ... no canary in the messages" "leaked:$leaks"
[ -z "$(ls -A $T/out)" ] && ok "  ... no pack and no temporary file written" \
    || not_ok "  ... no pack and no temporary file written" "$(ls -A $T/out)"

# --- the sample meeting, with canaries planted in its exempt paper -----------
S=$TMP/s
mkdir -p $S
cp -r samples $S/samples
cp -r templates $S/templates
python3 - $S/samples/meetings/papers/residential-placement-contract.json <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["paper"]["summary"][0]["text"] += " qzkData1187"
d["paper"]["title"] += " qzkData1187"
json.dump(d, open(p, "w"), ensure_ascii=False)
PY
SM=$S/samples/meetings/cabinet-2018-06-21.json
expect_exit "sample meeting: public pack builds" 0 $Q pack $SM -o $S/public.pdf --public
[ -f $S/public.pdf ] && no_canary "sample meeting" $S/public.pdf
expect_exit "sample meeting: full pack builds" 0 $Q pack $SM -o $S/full.pdf
[ -f $S/full.pdf ] && { pdftotext $S/full.pdf - | grep -qF qzkData1187 \
    && ok "sample meeting: the canary is in the full pack" || not_ok "sample meeting: the canary is in the full pack"; }
finish
