#!/usr/bin/env bash
# End-to-end: strict JSON keys. An exempt item must never be published
# because of how its key was written: a repeated "exempt" (cJSON reads the
# first, a null) or a misspelt one ("Exempt") fails the pack with a located
# error, writes no PDF, and nothing of the exempt paper (a canary planted in
# its data and template) reaches any file. Repeated keys are errors in every
# JSON input — data, meeting, manifest, style — located at the repeat.
. "$(dirname "$0")/lib.sh"

S=$TMP/strict
mkdir -p $S


# The exempt paper. Its data does not mark itself exempt (paper.exempt):
# only the meeting file says so, which is what the attack goes through.
cat >$S/secret.md <<'EOF'
# {{paper.title}}

Template text qzsTpl3141.

{{#paper.summary}}
{{ref}} {{text}}

{{/paper.summary}}
EOF
cat >$S/secret.json <<'EOF'
{"paper": {"kind": "cabinet", "council": "Harwood Borough Council",
  "title": "Title qzsTitle2718",
  "meeting": {"body": "Cabinet", "date": "2025-10-15", "item": 2},
  "summary": [{"ref": "1.1", "text": "Summary qzsSummary1618 naming a bidder."}]}}
EOF
cat >$S/open.md <<'EOF'
# Open report

An open report that the public may read.
EOF
CANARIES="qzsTpl3141 qzsTitle2718 qzsSummary1618"

# meeting EXEMPT_MEMBERS: a meeting file whose item 2 (line 8) carries the
# given members after its paper; item 2's paper is the secret one.
meeting() {
    cat <<EOF
{"council": "Harwood Borough Council", "committee": "Cabinet", "date": "2025-10-15",
 "time": "18:00", "venue": "Council Chamber, Civic Centre, Harwood",
 "membership": {"members": ["Councillor Adeyemi"]},
 "contact": {"name": "Jo Price"},
 "items": [
  {"number": 1, "title": "Open report", "paper": {"template": "open.md"}},
  {"number": 2, "title": "Award of contract",
   "paper": {"data": "secret.json", "template": "secret.md"}, $1}]}
EOF
}

# no_canary NAME: no PDF in $S (or the build's out/), no canary in any PDF
# there (text and uncompressed bytes) nor in what quire printed, and no
# temporary file left behind
no_canary() {
    local name=$1 leaks="" pdfs=""
    for f in $S/*.pdf $S/out/*.pdf $S/out/*/*.pdf; do
        [ -e "$f" ] || continue
        pdfs="$pdfs ${f#$S/}"
        pdftotext "$f" "$f.txt" 2>/dev/null
        qpdf --qdf --object-streams=disable "$f" "$f.qdf" 2>/dev/null
        for w in $CANARIES; do
            grep -qF "$w" "$f.txt" 2>/dev/null && leaks="$leaks $w(text)"
            [ -e "$f.qdf" ] && raw_has "$f.qdf" "$w" && leaks="$leaks $w(bytes)"
        done
    done
    for w in $CANARIES; do
        grep -qF "$w" $TMP/last.out $TMP/last.err && leaks="$leaks $w(output)"
    done
    [ -z "$pdfs" ] && ok "$name: no PDF written" || not_ok "$name: no PDF written" "found:$pdfs"
    [ -z "$leaks" ] && ok "$name: the canary is nowhere" || not_ok "$name: the canary is nowhere" "leaked:$leaks"
    # qr_write_atomic's temporary is OUT.tmp.XXXXXX beside the output
    local tmps
    tmps=$(find $S -name '*.tmp.*')
    [ -z "$tmps" ] && ok "$name: no temporary file left" || not_ok "$name: no temporary file left" "$tmps"
    rm -rf $S/*.pdf* $S/out
}

# the sanity case: written correctly, the public pack withholds the paper
meeting '"exempt": {"paragraph": 3, "reason": "Prices of named bidders."}' >$S/good.json
expect_exit "correct exempt item: public pack builds" 0 $QUIRE pack $S/good.json -o $S/good.pdf --public
pdftotext $S/good.pdf $S/good.txt
contains "correct exempt item: the notice quotes paragraph 3" $S/good.txt "Information relating to the financial or business affairs"
no_leak=""
for w in $CANARIES; do grep -qF "$w" $S/good.txt && no_leak="$no_leak $w"; done
[ -z "$no_leak" ] && ok "correct exempt item: no canary in the public pack" || not_ok "correct exempt item: no canary in the public pack" "leaked:$no_leak"
rm -f $S/good.pdf $S/good.txt

# (a) the repeated key: "exempt": null first, the real block second
meeting '"exempt": null, "exempt": {"paragraph": 3, "reason": "Prices of named bidders."}' >$S/dup.json
expect_exit "repeated exempt: public pack fails with exit 1" 1 $QUIRE pack $S/dup.json -o $S/dup.pdf --public
contains "repeated exempt: error at the second key with the item's pointer" $TMP/last.err \
    "$S/dup.json:8:79: error: duplicate key \"exempt\" in /items/1 (first at 8:63)"
no_canary "repeated exempt, public pack"
# the same the other way round, and in the full pack: any repeat fails
meeting '"exempt": {"paragraph": 3, "reason": "Prices of named bidders."}, "exempt": null' >$S/dup2.json
expect_exit "repeated exempt (block first): public pack fails with exit 1" 1 $QUIRE pack $S/dup2.json -o $S/dup2.pdf --public
contains "repeated exempt (block first): located at the second key" $TMP/last.err \
    "$S/dup2.json:8:129: error: duplicate key \"exempt\" in /items/1 (first at 8:63)"
no_canary "repeated exempt (block first), public pack"
expect_exit "repeated exempt: full pack fails too" 1 $QUIRE pack $S/dup.json -o $S/dup-full.pdf
no_canary "repeated exempt, full pack"

# ... and through a monthly build: the job fails, the build exits 1
cat >$S/manifest.json <<'EOF'
{"packs": [{"meeting": "dup.json", "output": "agenda.pdf", "public": true}]}
EOF
expect_exit "repeated exempt: quire build fails with exit 1" 1 $QUIRE build $S/manifest.json --out $S/out
contains "repeated exempt: quire build names the repeat" $TMP/last.err \
    "duplicate key \"exempt\" in /items/1 (first at 8:63)"
no_canary "repeated exempt, quire build"

# (b) a misspelt key: an error with a hint, never a warning
for key in Exempt EXEMPT exmept; do
    meeting "\"$key\": {\"paragraph\": 3, \"reason\": \"Prices of named bidders.\"}" >$S/miss.json
    expect_exit "misspelt '$key': public pack fails with exit 1" 1 $QUIRE pack $S/miss.json -o $S/miss.pdf --public
    contains "misspelt '$key': located error naming 'exempt'" $TMP/last.err \
        "$S/miss.json:8:73: error: /items/1/$key: unknown field '$key': did you mean 'exempt'?"
    lacks "misspelt '$key': not a warning" $TMP/last.err "warning:"
    no_canary "misspelt '$key', public pack"
done

# (c) a repeated key in every other JSON input, each located at the repeat
cat >$S/data.json <<'EOF'
{"paper": {"kind": "cabinet", "council": "Harwood Borough Council",
  "title": "Draft",
  "meeting": {"body": "Cabinet", "date": "2025-10-15"},
  "title": "Final"}}
EOF
expect_exit "repeated key in data: render fails with exit 1" 1 $QUIRE render $S/data.json -t $S/open.md -o $S/data.pdf
contains "repeated key in data: located, with the object's pointer" $TMP/last.err \
    "$S/data.json:4:3: error: duplicate key \"title\" in /paper (first at 2:3)"
[ -e $S/data.pdf ] && not_ok "repeated key in data: no PDF written" || ok "repeated key in data: no PDF written"
expect_exit "repeated key in data: check fails too" 1 $QUIRE check $S/data.json -t $S/open.md
# a plain data file (no "paper") is checked all the same
printf '{"rows": [{"a": 1}, {"a": 2, "b": 3,\n  "a": 4}]}\n' >$S/plain.json
expect_exit "repeated key in plain data: render fails with exit 1" 1 $QUIRE render $S/plain.json -t $S/open.md -o $S/plain.pdf
contains "repeated key in plain data: located inside the array" $TMP/last.err \
    "$S/plain.json:2:3: error: duplicate key \"a\" in /rows/1 (first at 1:22)"
# an item's paper data in a pack: the item fails, naming its file
cp $S/data.json $S/item.json
cat >$S/itemdup.json <<'EOF'
{"council": "Harwood Borough Council", "committee": "Cabinet", "date": "2025-10-15",
 "time": "18:00", "venue": "Civic Centre", "membership": {"members": ["Councillor Adeyemi"]},
 "contact": {"name": "Jo Price"},
 "items": [{"number": 1, "title": "Report", "paper": {"data": "item.json", "template": "open.md"}}]}
EOF
expect_exit "repeated key in an item's data: pack fails with exit 1" 1 $QUIRE pack $S/itemdup.json -o $S/itemdup.pdf
contains "repeated key in an item's data: located in the paper's file" $TMP/last.err \
    "$S/item.json:4:3: error: duplicate key \"title\" in /paper (first at 2:3)"
[ -e $S/itemdup.pdf ] && not_ok "repeated key in an item's data: no PDF written" || ok "repeated key in an item's data: no PDF written"

cat >$S/m2.json <<'EOF'
{"defaults": {"template": "open.md"},
 "papers": [{"output": "a.pdf",
             "draft": false, "draft": true}]}
EOF
expect_exit "repeated key in a manifest: build fails with exit 1" 1 $QUIRE build $S/m2.json --out $S/out
contains "repeated key in a manifest: located" $TMP/last.err \
    "$S/m2.json:3:30: error: duplicate key \"draft\" in /papers/0 (first at 3:14)"
[ -e $S/out/a.pdf ] && not_ok "repeated key in a manifest: nothing built" || ok "repeated key in a manifest: nothing built"
cat >$S/m3.json <<'EOF'
{"packs": [{"meeting": "good.json", "pubilc": true}]}
EOF
expect_exit "misspelt key in a manifest: build fails with exit 1" 1 $QUIRE build $S/m3.json --out $S/out
contains "misspelt key in a manifest: located, with a hint" $TMP/last.err \
    "$S/m3.json:1:47: error: /packs/0/pubilc: unknown key 'pubilc': did you mean 'public'?"
[ -e $S/out/good.pdf ] && not_ok "misspelt key in a manifest: nothing built" || ok "misspelt key in a manifest: nothing built"
rm -rf $S/out

cat >$S/style.json <<'EOF'
{"fonts": {"body": "Liberation Serif"},
 "page": {"margins": {"top": "20mm", "bottom": "20mm",
                      "top": "2mm"}}}
EOF
expect_exit "repeated key in a style: render fails with exit 1" 1 $QUIRE render -t $S/open.md -s $S/style.json -o $S/style.pdf
contains "repeated key in a style: located" $TMP/last.err \
    "$S/style.json:3:23: error: duplicate key \"top\" in /page/margins (first at 2:23)"
[ -e $S/style.pdf ] && not_ok "repeated key in a style: no PDF written" || ok "repeated key in a style: no PDF written"
# a meeting's style is a style too
meeting '"exempt": null' | sed 's|"items"|"style": "style.json", "items"|' >$S/styled.json
expect_exit "repeated key in a meeting's style: pack fails with exit 1" 1 $QUIRE pack $S/styled.json -o $S/styled.pdf
contains "repeated key in a meeting's style: located" $TMP/last.err \
    "$S/style.json:3:23: error: duplicate key \"top\" in /page/margins (first at 2:23)"

# A style is read by the data reader: the same broken text is the same
# message at the same place in either kind of file (only the name differs),
# and a bad value is located at the value with its JSON pointer.
printf '{\n  "lang": "en-GB",\n  "leading": 1.2,\n}\n' >$S/comma.json
cp $S/comma.json $S/comma-style.json
expect_exit "trailing comma in data: exit 1" 1 $QUIRE check $S/comma.json -t $S/open.md
sed "s|^$S/comma.json:|FILE:|" $TMP/last.err >$S/comma-data.err
expect_exit "trailing comma in a style: exit 1" 1 $QUIRE render -t $S/open.md -s $S/comma-style.json -o $S/comma.pdf
sed "s|^$S/comma-style.json:|FILE:|" $TMP/last.err >$S/comma-style.err
contains "trailing comma in a style: located at the comma" $S/comma-style.err \
    "FILE:3:17: error: trailing comma before '}'"
if cmp -s $S/comma-data.err $S/comma-style.err; then ok "trailing comma: the same message for data and style"
else not_ok "trailing comma: the same message for data and style" "$(diff $S/comma-data.err $S/comma-style.err)"; fi
[ -e $S/comma.pdf ] && not_ok "trailing comma in a style: no PDF" || ok "trailing comma in a style: no PDF"
printf '{"fonts": {"body": "Liberation Serif"},\n "page": {"margins": {"top": "25 mm"}}}\n' >$S/badlen.json
expect_exit "bad length in a style: exit 1" 1 $QUIRE render -t $S/open.md -s $S/badlen.json -o $S/badlen.pdf
contains "bad length in a style: at the value, with its JSON pointer" $TMP/last.err \
    "$S/badlen.json:2:30: error: /page/margins/top: '25 mm' is not a length"

# the paper's own data misspells its exemption and the meeting file does
# not mark the item: read as a typo the paper would be published, so a near
# miss of "exempt" is an error, not a warning
jq '.paper.Exempt = {"paragraph": 3, "reason": "Contract terms"}' $S/secret.json >$S/secret-typo.json
meeting '"exempt": null' | sed 's|secret.json|secret-typo.json|' >$S/typo-data.json
rm -f $S/*.pdf
expect_exit "misspelt exemption in a paper's data: public pack fails with exit 1" 1 $QUIRE pack $S/typo-data.json -o $S/typo-data.pdf --public
contains "misspelt exemption in a paper's data: located, with a hint" $TMP/last.err \
    "/paper/Exempt: unknown field 'Exempt': did you mean 'exempt'?"
no_canary "misspelt exemption in a paper's data, public pack"
expect_exit "misspelt exemption in a paper's data: render fails with exit 1" 1 $QUIRE render $S/secret-typo.json -t $S/secret.md -o $S/typo-render.pdf
[ -e $S/typo-render.pdf ] && not_ok "misspelt exemption: no PDF rendered" || ok "misspelt exemption: no PDF rendered"

finish
