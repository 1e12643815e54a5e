#!/usr/bin/env bash
# End-to-end: quire build over a manifest — skip when unchanged, rebuild
# when any input changes (data, template, partial, style, images, also in
# packs), byte-identical builds in two folders, a failing job among good
# ones, shards that partition the jobs, the plain log format and summary.
# Then the ways a build could leave a stale PDF that the state calls
# current — killed mid-build and inputs reverted, an input edited during the
# build, builds with other options or another quire binary into the same
# folder, outputs edited by hand, two builds at once — each ending with every
# PDF equal to a clean build; inputs that would hang a build (FIFOs,
# /dev/zero); names with newlines; temporary files of killed builds; the
# HTML copy beside each PDF ("html"), incremental and reproducible. Works
# on copies in a temporary folder; the repository's samples are never
# touched.
. "$(dirname "$0")/lib.sh"

Q="${QUIRE_WRAP:-} $BIN"
A=$TMP/a
mkdir -p $A/data
cp -r templates $A/templates
cp samples/cabinet-ofsted-working-group.json $A/data/p1.json
sed 's/"title": "Ofsted Working Group"/"title": "Ofsted Working Group Two"/' \
    samples/cabinet-ofsted-working-group.json >$A/data/p2.json
cp samples/harwood-action-plan-progress.md $A/notes.md
# an image beside the plain paper (1x1 PNGs, red and blue)
RED='\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90\x77\x53\xde\x00\x00\x00\x0c\x49\x44\x41\x54\x78\x9c\x63\x38\x21\x27\x07\x00\x02\xb6\x01\x05\x34\xa6\x75\xaa\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82'
BLUE='\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90\x77\x53\xde\x00\x00\x00\x0c\x49\x44\x41\x54\x78\x9c\x63\x90\x93\x3b\x01\x00\x01\x62\x01\x05\x11\x1b\xa3\x21\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82'
printf "$RED" >$A/swatch.png
printf '\n![A red swatch](swatch.png)\n' >>$A/notes.md
# the meeting's papers point at ../../templates and ../cabinet-ofsted…: keep
# the repository's layout
cp -r samples $A/samples
cat >$A/m.json <<'EOF'
{
  "defaults": { "template": "templates/cabinet-report.md",
                "style": "templates/styles/council.json", "out": "out" },
  "papers": [ { "template": "notes.md", "style": null, "output": "notes.pdf" } ],
  "globs": [ { "data": "data/p*.json", "output": "progress/{name}.pdf" } ],
  "packs": [ { "meeting": "samples/meetings/cabinet-2018-06-21.json",
               "output": "packs/cabinet.pdf", "public": "both" } ]
}
EOF
JOBS="notes.pdf progress/p1.pdf progress/p2.pdf packs/cabinet.pdf packs/cabinet-public.pdf"
NJOBS=5

# build DIR [ARGS...]: run quire build m.json in DIR; log in $TMP/log, rc in $RC
build() {
    local dir=$1; shift
    (cd "$dir" && $Q build m.json "$@") >$TMP/log 2>&1
    RC=$?
}
summary_is() { # NAME BUILT SKIPPED FAILED
    if grep -qE "^$2 built, $3 skipped, $4 failed in [0-9]+\.[0-9] s" $TMP/log; then ok "$1"
    else not_ok "$1" "expected $2 built, $3 skipped, $4 failed" "$(tail -4 $TMP/log)"; fi
}
built_set() { sed -n 's/^built out\/\([^ ]*\) (.*/\1/p' $TMP/log | sort | tr '\n' ' '; }
expect_built() { # NAME "sorted list of outputs"
    local got; got=$(built_set)
    if [ "$got" = "$2 " ] || { [ -z "$2" ] && [ -z "$got" ]; }; then ok "$1"
    else not_ok "$1" "expected built: $2" "got: $got"; fi
}

build $A
[ $RC = 0 ] && ok "first build exits 0" || not_ok "first build exits 0" "$(tail -20 $TMP/log)"
summary_is "first build builds every job" $NJOBS 0 0
for j in $JOBS; do
    if [ -s $A/out/$j ] && qpdf --check $A/out/$j >/dev/null 2>&1; then ok "built $j is a valid PDF"
    else not_ok "built $j is a valid PDF"; fi
done
if grep -vqE '^(built out/[^ ]+ \([0-9]+ ms\)|[0-9]+ built, [0-9]+ skipped, [0-9]+ failed in [0-9.]+ s)$' $TMP/log; then
    not_ok "plain log: one line per job and a summary" "$(grep -vE '^(built|[0-9]+ built)' $TMP/log | head -3)"
else ok "plain log: one line per job and a summary"; fi
[ "$(grep -c '^built ' $TMP/log)" = $NJOBS ] && ok "one line per job" || not_ok "one line per job" "$(cat $TMP/log)"
[ -s $A/out/.quire-state.json ] && ok "state file written" || not_ok "state file written"
contains "state file records the partials read" $A/out/.quire-state.json "templates/partials/author.md"
contains "state file records the font files read" $A/out/.quire-state.json ".ttf"
contains "state file records the images shown" $A/out/.quire-state.json "swatch.png"
pdftotext $A/out/progress/p2.pdf $TMP/p2.txt
contains "glob job rendered its own data" $TMP/p2.txt "Ofsted Working Group Two"

build $A
summary_is "unchanged inputs: every job skipped" 0 $NJOBS 0
[ "$(grep -c '^skipped out/.* (unchanged)$' $TMP/log)" = $NJOBS ] && ok "one 'skipped' line per job" || not_ok "one 'skipped' line per job" "$(cat $TMP/log)"

touch $A/templates/cabinet-report.md $A/data/p1.json
build $A
summary_is "touching files without changing them rebuilds nothing" 0 $NJOBS 0

echo "Extra line for the author partial." >>$A/templates/partials/author.md
build $A
expect_built "a changed partial rebuilds the papers and packs that use it" \
    "packs/cabinet-public.pdf packs/cabinet.pdf progress/p1.pdf progress/p2.pdf"
pdftotext $A/out/progress/p1.pdf $TMP/p1.txt
contains "the rebuilt paper has the partial's new text" $TMP/p1.txt "Extra line for the author partial."

sed -i 's/"body": 12,/"body": 11.5,/' $A/templates/styles/council.json
build $A
expect_built "a changed style rebuilds the papers that use it" "progress/p1.pdf progress/p2.pdf"

sed -i 's/Ofsted Working Group Two/Ofsted Working Group Three/' $A/data/p2.json
build $A
expect_built "changed data rebuilds only its paper" "progress/p2.pdf"

echo "One more paragraph." >>$A/notes.md
build $A
expect_built "a changed plain Markdown paper is rebuilt" "notes.pdf"

printf "$BLUE" >$A/swatch.png
build $A
expect_built "a changed image rebuilds the paper that shows it" "notes.pdf"

rm $A/out/progress/p1.pdf
build $A
expect_built "a missing output is rebuilt" "progress/p1.pdf"

build $A --force
summary_is "--force rebuilds everything" $NJOBS 0 0

# reproducible: a copy in another folder, built later, gives the same bytes
sleep 1
B=$TMP/elsewhere/b
mkdir -p $TMP/elsewhere
cp -r $A $B
rm -rf $B/out
build $B -j 1
summary_is "the copy builds" $NJOBS 0 0
same=1
for j in $JOBS; do
    if ! cmp -s $A/out/$j $B/out/$j; then same=0; echo "    differs: $j"; fi
done
[ $same = 1 ] && ok "two builds in different folders at different times are byte-identical" \
    || not_ok "two builds in different folders at different times are byte-identical"

# a failing job among good ones: exit 1, the others built, its old PDF kept
cp $A/out/progress/p2.pdf $TMP/p2-before.pdf
printf '{ "paper": {\n  "title": "Broken",\n  "kind": \n}\n' >$A/data/p2.json
rm -rf $A/out/progress/p1.pdf $A/out/notes.pdf
build $A
[ $RC = 1 ] && ok "a failed job makes the build exit 1" || not_ok "a failed job makes the build exit 1" "rc=$RC"
summary_is "the others are built, the failure counted" 2 2 1
grep -qE '^FAILED out/progress/p2\.pdf: .*data/p2\.json:4:1: error: ' $TMP/log \
    && ok "FAILED line names the output and the first error at file:line:col" \
    || not_ok "FAILED line names the output and the first error at file:line:col" "$(grep -A3 FAILED $TMP/log)"
[ "$(grep -c 'data/p2.json:4:1: error' $TMP/log)" = 2 ] \
    && ok "the failure's diagnostics are printed in full, once" \
    || not_ok "the failure's diagnostics are printed in full, once" "$(cat $TMP/log)"
cmp -s $TMP/p2-before.pdf $A/out/progress/p2.pdf && ok "the failed job's previous PDF is untouched" \
    || not_ok "the failed job's previous PDF is untouched"
ls $A/out/progress | grep -q tmp && not_ok "no temporary files left" || ok "no temporary files left"
build $A
summary_is "a failed job is retried next time, the rest skipped" 0 4 1

# shards partition the jobs exactly
cp $TMP/elsewhere/b/data/p2.json $A/data/p2.json
: >$TMP/shards
for k in 1 2 3; do
    rm -rf $A/out
    build $A --shard $k/3
    [ $RC = 0 ] || not_ok "shard $k/3 builds" "$(tail -5 $TMP/log)"
    built_set | tr ' ' '\n' | sed '/^$/d' >>$TMP/shards
    grep -q "(shard $k/3: " $TMP/log || not_ok "shard $k/3 named in the summary" "$(tail -1 $TMP/log)"
done
all=$(echo $JOBS | tr ' ' '\n' | sort | tr '\n' ' ')
got=$(sort $TMP/shards | tr '\n' ' ')
uniq=$(sort -u $TMP/shards | tr '\n' ' ')
[ "$got" = "$all" ] && [ "$uniq" = "$all" ] && ok "shards 1..3 partition the jobs exactly" \
    || not_ok "shards 1..3 partition the jobs exactly" "want: $all" "got:  $got"
rm -rf $A/out
build $A --shard 2/3
first=$(built_set)
rm -rf $A/out
build $A --shard 2/3
[ "$first" = "$(built_set)" ] && ok "a shard is stable from run to run" || not_ok "a shard is stable" "$first / $(built_set)"

# usage and manifest errors
expect_exit "--shard 4/3 is a usage error" 2 $Q build $A/m.json --shard 4/3
expect_exit "-j 0 is a usage error" 2 $Q build $A/m.json -j 0
printf '{"papers": [\n  {"data": "data/p1.json", "template": "notes.md", "output": "../x.pdf"}\n]}\n' >$A/bad.json
expect_exit "a bad manifest exits 1" 1 $Q build $A/bad.json
grep -qE 'bad\.json:2:[0-9]+: error: .*output' $TMP/last.err \
    && ok "manifest errors are located at line:col" || not_ok "manifest errors are located" "$(cat $TMP/last.err)"

# ---- a pack tracks the images its papers show ----
python3 - "$A" <<'PY'
import json, sys
a = sys.argv[1]
m = json.load(open(a + "/samples/meetings/cabinet-2018-06-21.json"))
m["items"].append({"number": 11, "title": "Notes",
                   "paper": {"template": "../../notes.md"}})
json.dump(m, open(a + "/samples/meetings/with-image.json", "w"), indent=1)
PY
cat >$A/mp.json <<'EOF2'
{ "packs": [ { "meeting": "samples/meetings/with-image.json", "output": "pk.pdf" } ] }
EOF2
(cd $A && $Q build mp.json --out outp) >$TMP/log 2>&1
summary_is "a pack with a paper that shows an image builds" 1 0 0
printf "$RED" >$A/swatch.png
(cd $A && $Q build mp.json --out outp) >$TMP/log 2>&1
summary_is "replacing the image a pack's paper shows rebuilds the pack" 1 0 0

# ---- the HTML copy beside each PDF ("html", docs/build.md) ----
# The manifest asks for it, one paper says no; a paper's copy is NAME.html,
# a pack's pages a folder named after its PDF. Each copy must be what
# render / pack --html make, exempt handling included.
W=$TMP/w
mkdir -p $W
cp -r $A/templates $A/samples $W/
cp samples/cabinet-ofsted-working-group.json $W/p1.json
cp samples/cabinet-ofsted-working-group.json $W/p2.json
cat >$W/m.json <<'EOF2'
{
  "defaults": { "template": "templates/cabinet-report.md", "out": "out",
                "html": true },
  "papers": [ { "data": "p1.json", "output": "p1.pdf" },
              { "data": "p2.json", "output": "p2.pdf", "html": false },
              { "data": "samples/meetings/papers/residential-placement-contract.json",
                "output": "exempt/contract.pdf" } ],
  "packs": [ { "meeting": "samples/meetings/cabinet-2018-06-21.json",
               "output": "packs/cabinet.pdf", "public": "both" } ]
}
EOF2
NW=5
wbuild() { (cd $W && $Q build m.json "$@") >$TMP/wlog 2>&1; WRC=$?; }
wsummary() { # NAME BUILT SKIPPED FAILED
    if grep -qE "^$2 built, $3 skipped, $4 failed in " $TMP/wlog; then ok "$1"
    else not_ok "$1" "expected $2 built, $3 skipped, $4 failed" "$(tail -4 $TMP/wlog)"; fi
}
# the jobs built, by PDF name, sorted
wbuilt() { sed -n 's/^built out\/\([^ ]*\.pdf\)[ (].*/\1/p' $TMP/wlog | sort | tr '\n' ' '; }
wexpect() { # NAME "sorted list of PDFs"
    local got; got=$(wbuilt)
    if [ "$got" = "$2 " ]; then ok "$1"; else not_ok "$1" "expected built: $2" "got: $got"; fi
}
wbuild
[ $WRC = 0 ] && ok "html: the first build exits 0" || not_ok "html: the first build exits 0" "$(tail -20 $TMP/wlog)"
wsummary "html: every job built" $NW 0 0
for f in p1.pdf p1.html p2.pdf exempt/contract.pdf exempt/contract.html \
         packs/cabinet.pdf packs/cabinet/index.html \
         packs/cabinet-public.pdf packs/cabinet-public/index.html; do
    [ -s $W/out/$f ] && ok "html: $f is written" || not_ok "html: $f is written"
done
[ ! -e $W/out/p2.html ] && ok "html: a job's \"html\": false wins over the manifest's true" \
    || not_ok "html: a job's \"html\": false wins over the manifest's true"
contains "html: the paper's copy is HTML" $W/out/p1.html '<!DOCTYPE html>'
grep -qxF 'built out/p1.pdf and out/p1.html' <(sed 's/ (.*//' $TMP/wlog) \
    && ok "html: the job's log line names both outputs" || not_ok "html: the job's log line names both outputs" "$(cat $TMP/wlog)"
grep -qxF 'built out/packs/cabinet-public.pdf and out/packs/cabinet-public/' <(sed 's/ (.*//' $TMP/wlog) \
    && ok "html: a pack's log line names its HTML folder" || not_ok "html: a pack's log line names its HTML folder" "$(cat $TMP/wlog)"
python3 -c 'import json, sys; j = json.load(open(sys.argv[1]))["jobs"]; assert len(j["p1.pdf"]["html"]) == 16 and len(j["packs/cabinet.pdf"]["html"]) == 16 and "html" not in j["p2.pdf"]' $W/out/.quire-state.json \
    && ok "html: the state records each HTML copy's hash" || not_ok "html: the state records each HTML copy's hash" "$(head -c 600 $W/out/.quire-state.json)"
# the same code paths as render and pack --html: the same bytes
(cd $W && $Q render p1.json -t templates/cabinet-report.md -o $TMP/w-render.html) 2>/dev/null
cmp -s $TMP/w-render.html $W/out/p1.html && ok "html: a paper's copy is the one quire render writes" \
    || not_ok "html: a paper's copy is the one quire render writes"
$Q pack $W/samples/meetings/cabinet-2018-06-21.json --public --html $TMP/w-public 2>/dev/null
$Q pack $W/samples/meetings/cabinet-2018-06-21.json --html $TMP/w-full 2>/dev/null
diff -r $TMP/w-public $W/out/packs/cabinet-public >/dev/null && ok "html: the public pack's pages are those of pack --public --html" \
    || not_ok "html: the public pack's pages are those of pack --public --html" "$(diff -rq $TMP/w-public $W/out/packs/cabinet-public | head -3)"
diff -r $TMP/w-full $W/out/packs/cabinet >/dev/null && ok "html: the full pack's pages are those of pack --html" \
    || not_ok "html: the full pack's pages are those of pack --html" "$(diff -rq $TMP/w-full $W/out/packs/cabinet | head -3)"
contains "html: the public pack's exempt item is its notice" $W/out/packs/cabinet-public/item-10.html '<h2 id="h2">Not for publication</h2>'
lacks "html: the public pack's exempt page has nothing of the paper" $W/out/packs/cabinet-public/item-10.html 'NOT FOR PUBLICATION</p>'
[ "$(stat -c %a $W/out/packs/cabinet)" = 700 ] && [ "$(stat -c %a $W/out/packs/cabinet/index.html)" = 600 ] \
    && ok "html: the full pack's folder and pages are its owner's only" \
    || not_ok "html: the full pack's folder and pages are its owner's only" "$(stat -c '%a %n' $W/out/packs/cabinet $W/out/packs/cabinet/index.html)"
[ "$(stat -c %a $W/out/exempt/contract.html)" = 600 ] && ok "html: an exempt paper's copy is mode 0600" \
    || not_ok "html: an exempt paper's copy is mode 0600" "$(stat -c %a $W/out/exempt/contract.html)"
contains "html: an exempt paper's copy is marked" $W/out/exempt/contract.html 'NOT FOR PUBLICATION</p>'

wbuild
wsummary "html: nothing changed: every job skipped" 0 $NW 0
[ "$(grep -c '^skipped out/.* (unchanged)$' $TMP/wlog)" = $NW ] && ok "html: one 'skipped' line per job" \
    || not_ok "html: one 'skipped' line per job" "$(cat $TMP/wlog)"

cp $W/out/p1.html $TMP/w-p1.html
rm $W/out/p1.html
wbuild
wexpect "html: deleting a paper's HTML copy rebuilds only that job" "p1.pdf"
cmp -s $TMP/w-p1.html $W/out/p1.html && ok "html: and writes the same copy again" || not_ok "html: and writes the same copy again"
page=$(cd $W/out/packs/cabinet-public && ls item-*.html | head -1)
rm $W/out/packs/cabinet-public/$page
wbuild
wexpect "html: deleting one page of a pack's HTML rebuilds only that pack" "packs/cabinet-public.pdf"
[ -s $W/out/packs/cabinet-public/$page ] && ok "html: the page is back" || not_ok "html: the page is back"
printf '<p>edited</p>' >>$W/out/packs/cabinet/index.html
wbuild
wexpect "html: a page edited by hand rebuilds its pack" "packs/cabinet.pdf"
copy=$(cd $W/out/packs/cabinet-public && ls item-*-appendix-*.pdf 2>/dev/null | head -1)
[ -n "$copy" ] && ok "html: the public pack's folder has an appendix's PDF copy ($copy)" \
    || not_ok "html: the public pack's folder has an appendix's PDF copy" "$(ls $W/out/packs/cabinet-public)"
rm -f $W/out/packs/cabinet-public/$copy
wbuild
wexpect "html: deleting an appendix's PDF copy rebuilds its pack" "packs/cabinet-public.pdf"
[ -n "$copy" ] && [ -s $W/out/packs/cabinet-public/$copy ] && ok "html: the copy is back" || not_ok "html: the copy is back"

sed -i 's/"html": false/"html": true/' $W/m.json
wbuild
wexpect "html: turning a job's \"html\" on rebuilds only that job" "p2.pdf"
[ -s $W/out/p2.html ] && ok "html: and writes its copy" || not_ok "html: and writes its copy"
wbuild
wsummary "html: then everything is skipped again" 0 $NW 0

sed -i 's/"title": "Ofsted Working Group"/"title": "Ofsted Working Group Renamed"/' $W/p1.json
wbuild
wexpect "html: changed data rebuilds its job" "p1.pdf"
contains "html: the copy has the new data" $W/out/p1.html "Ofsted Working Group Renamed"
pdftotext $W/out/p1.pdf $TMP/w-p1.txt
contains "html: so has the PDF" $TMP/w-p1.txt "Ofsted Working Group Renamed"

# an item withdrawn from the meeting: its page leaves the pack's folders
[ -s $W/out/packs/cabinet-public/item-9.html ] && ok "html: item 9 has a page before it is withdrawn" \
    || not_ok "html: item 9 has a page before it is withdrawn"
python3 - $W/samples/meetings/cabinet-2018-06-21.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["items"] = [i for i in m["items"] if i.get("number") != 9]
json.dump(m, open(sys.argv[1], "w"), indent=1)
PY
wbuild
wexpect "html: a withdrawn item rebuilds the packs" "packs/cabinet-public.pdf packs/cabinet.pdf"
[ ! -e $W/out/packs/cabinet-public/item-9.html ] && [ ! -e $W/out/packs/cabinet/item-9.html ] \
    && ok "html: the withdrawn item's page is removed from both folders" \
    || not_ok "html: the withdrawn item's page is removed from both folders" "$(ls $W/out/packs/cabinet-public)"
[ -s $W/out/packs/cabinet-public/item-8.html ] && [ -s $W/out/packs/cabinet-public/item-10.html ] \
    && ok "html: the other pages stay" || not_ok "html: the other pages stay" "$(ls $W/out/packs/cabinet-public)"

# a job that fails writes neither output and is not recorded
cp $W/out/p1.pdf $TMP/w-p1-before.pdf
cp $W/out/p1.html $TMP/w-p1-before.html
cp $W/p1.json $TMP/w-p1.json
printf '{ "paper": {\n  "title": "Broken",\n  "kind": \n}\n' >$W/p1.json
wbuild
[ $WRC = 1 ] && ok "html: a failed job: exit 1" || not_ok "html: a failed job: exit 1" "rc=$WRC"
grep -q '^FAILED out/p1.pdf and out/p1.html: ' $TMP/wlog && ok "html: the FAILED line names both outputs" \
    || not_ok "html: the FAILED line names both outputs" "$(grep FAILED $TMP/wlog)"
cmp -s $TMP/w-p1-before.pdf $W/out/p1.pdf && cmp -s $TMP/w-p1-before.html $W/out/p1.html \
    && ok "html: a failed job leaves its PDF and HTML as they were" \
    || not_ok "html: a failed job leaves its PDF and HTML as they were"
cp $TMP/w-p1.json $W/p1.json
wbuild
wexpect "html: the inputs as they were: the failed job is rebuilt, not skipped" "p1.pdf"
# the copy cannot be written (a folder in its place): the job fails after
# its PDF, and the state vouches for neither
rm $W/out/p2.html && mkdir $W/out/p2.html
sed -i 's/Ofsted Working Group/Ofsted Working Group Four/' $W/p2.json
wbuild
[ $WRC = 1 ] && grep -q '^FAILED out/p2.pdf and out/p2.html: .*p2.html' $TMP/wlog \
    && ok "html: a copy that cannot be written fails its job, by name" \
    || not_ok "html: a copy that cannot be written fails its job, by name" "rc=$WRC" "$(grep -A2 FAILED $TMP/wlog)"
wbuild
wsummary "html: and the job is not recorded: tried again" 0 4 1
rmdir $W/out/p2.html
wbuild
wexpect "html: once it can be written the job builds" "p2.pdf"

# temporary files of copies and pages left by a killed build are removed
touch $W/out/p1.html.tmp.AbC123 $W/out/packs/cabinet/item-8.html.tmp.AbC123 \
      $W/out/packs/cabinet/notes.txt.tmp.AbC123
wbuild
[ ! -e $W/out/p1.html.tmp.AbC123 ] && [ ! -e $W/out/packs/cabinet/item-8.html.tmp.AbC123 ] \
    && ok "html: stale temporary files of copies and pages are removed" \
    || not_ok "html: stale temporary files of copies and pages are removed" "$(find $W/out -name '*.tmp.*')"
[ -e $W/out/packs/cabinet/notes.txt.tmp.AbC123 ] && ok "html: other files in a pack's folder are left alone" \
    || not_ok "html: other files in a pack's folder are left alone"
wsummary "html: and nothing is rebuilt for them" 0 $NW 0

# reproducible: a copy built in another folder, later, has the same bytes
sleep 1
W2=$TMP/elsewhere/w2
cp -r $W $W2
rm -rf $W2/out
(cd $W2 && $Q build m.json -j 1) >$TMP/wlog 2>&1
wsummary "html: the copy in another folder builds" $NW 0 0
rm $W/out/packs/cabinet/notes.txt.tmp.AbC123
if diff -r -x .quire-state.json -x .quire-build.lock $W/out $W2/out >$TMP/wdiff 2>&1; then
    ok "html: two builds in different folders give identical PDFs and HTML"
else not_ok "html: two builds in different folders give identical PDFs and HTML" "$(head -5 $TMP/wdiff)"; fi
n=$(cd $W2/out && find . -name '*.html' | wc -l)
[ "$n" -ge 8 ] && ok "html: ($n HTML files compared)" || not_ok "html: ($n HTML files compared)"

# a bad value is an error at its place in the manifest, and nothing is built
sed 's/"public": "both" }/"public": "both", "html": "yes" }/' $W/m.json >$W/bad.json
grep -q '"html": "yes"' $W/bad.json || not_ok "html: the bad manifest is made"
expect_exit "html: a bad \"html\" value exits 1" 1 $Q build $W/bad.json --out $TMP/w-bad
grep -qF "bad.json:9:73: error: /packs/0/html: 'html' must be true or false" $TMP/last.err \
    && ok "html: the bad value is located by line:col and JSON pointer" \
    || not_ok "html: the bad value is located by line:col and JSON pointer" "$(cat $TMP/last.err)"
[ ! -e $TMP/w-bad ] && ok "html: a bad manifest builds nothing" || not_ok "html: a bad manifest builds nothing"

# ---- stale outputs: many small papers sharing a partial ----
# Every scenario ends with every PDF compared to a clean (--force) build of
# the inputs as they are then, into another folder.
export SOURCE_DATE_EPOCH=1700000000
G=$TMP/g
mkdir -p $G/partials
# sixty papers; fewer under a slow wrapper (valgrind), still enough to kill
# a build mid-way
NP=60
[ -n "${QUIRE_WRAP:-}" ] && NP=20
printf 'Shared text, first version.\n' >$G/partials/shared.md
{
    printf '{"defaults": {"out": "out"}, "papers": [\n'
    for n in $(seq 1 $NP); do
        i=$(printf %03d $n)
        printf '# Paper %s\n\n{{>partials/shared}}\n\nBody of paper %s.\n' $i $i >$G/p$i.md
        [ $i = 001 ] || printf ',\n'
        printf '{"template": "p%s.md", "style": null}' $i
    done
    printf '\n]}\n'
} >$G/m.json
(cd $G && tar cf $TMP/g-orig.tar m.json partials p*.md)

# gbuild [QUIRE] [ARGS...]: build $G in the foreground; log $TMP/glog, rc GRC
gbuild() { (cd $G && $Q build m.json "$@") >$TMP/glog 2>&1; GRC=$?; }
# start_build [ARGS...]: build $G in the background; pid BPID, log $TMP/blog
start_build() { : >$TMP/blog; (cd $G && exec $Q build m.json "$@") >>$TMP/blog 2>&1 & BPID=$!; }
# wait_built N: until the background build has logged N jobs built (or ended)
wait_built() {
    while kill -0 $BPID 2>/dev/null && [ "$(grep -c '^built ' $TMP/blog)" -lt $1 ]; do
        sleep 0.01
    done
}
kill_build() { kill -9 $BPID 2>/dev/null; wait $BPID 2>/dev/null; }
g_built() { grep -c '^built ' $TMP/glog; }
# matches_clean NAME: every PDF in $G/out equals a clean build's (one clean
# build per state of the inputs, kept for the scenarios that end there)
matches_clean() {
    local sum clean bad=0 n=0 f
    sum=$(cat $G/m.json $G/partials/shared.md $G/p*.md | cksum | tr ' ' _)
    clean=$TMP/clean-$sum
    [ -d $clean ] || (cd $G && $Q build m.json --force --out $clean) >$TMP/clog 2>&1
    for f in $(cd $clean && find . -name '*.pdf' | sort); do
        n=$((n + 1))
        # a FIFO among the outputs must count as a difference, never block
        { [ -f $G/out/$f ] && cmp -s $clean/$f $G/out/$f; } || bad=$((bad + 1))
    done
    if [ $n = $NP ] && [ $bad = 0 ]; then ok "$1"
    else not_ok "$1" "$bad of $n PDFs differ from a clean build" "$(tail -3 $TMP/clog)"; fi
}
no_temps() {
    if [ -z "$(find $G/out -name '*.tmp.*')" ]; then ok "$1"
    else not_ok "$1" "$(find $G/out -name '*.tmp.*' | head -3)"; fi
}

gbuild
[ $GRC = 0 ] && [ "$(g_built)" = $NP ] && ok "$NP small papers build" \
    || not_ok "$NP small papers build" "$(tail -5 $TMP/glog)"

# (1) killed mid-build, inputs reverted (as a git checkout would)
printf 'Shared text, second version.\n' >$G/partials/shared.md
sed -i 's/Body of/Changed body of/' $G/p*.md
start_build -j 2
wait_built $((NP / 5))
kill_build
n=$(grep -c '^built ' $TMP/blog)
[ "$n" -ge 1 ] && [ "$n" -lt $NP ] && ok "the build was killed mid-way ($n of $NP built)" \
    || not_ok "the build was killed mid-way" "$n of $NP built"
(cd $G && tar xf $TMP/g-orig.tar)
gbuild
[ $GRC = 0 ] && ok "the build after a kill exits 0" || not_ok "the build after a kill exits 0" "$(tail -5 $TMP/glog)"
matches_clean "killed mid-build, inputs reverted: every PDF equals a clean build"
no_temps "temporary files of the killed build are removed"
gbuild
[ "$(g_built)" = 0 ] && ok "then everything is skipped" || not_ok "then everything is skipped" "$(tail -2 $TMP/glog)"

# (2) a partial that every paper reads, edited again and again while the
# build runs: jobs read one version and finish after the next is written
# (--force: the build hashes nothing before the workers read)
printf 'Shared text, third version.\n' >$G/partials/shared.md
start_build -j 2 --force
wait_built $((NP / 10))
k=0
while kill -0 $BPID 2>/dev/null && [ "$(grep -c '^built ' $TMP/blog)" -lt $((NP / 2)) ]; do
    k=$((k + 1))
    printf 'Shared text, edit %s.\n' $k >$G/partials/shared.md.new
    mv $G/partials/shared.md.new $G/partials/shared.md
    printf 'Shared text, edit %s, in place.\n' $k >$G/partials/shared.md
done
printf 'Shared text, fourth version.\n' >$G/partials/shared.md
wait $BPID
gbuild
[ $GRC = 0 ] && ok "the build after an edit during a build exits 0" || not_ok "the build after an edit during a build exits 0" "$(tail -5 $TMP/glog)"
matches_clean "an input edited during a build: the next build matches a clean build"

# (3) other options into the same folder: a draft build killed mid-way,
# then a whole draft build, each followed by a normal one
cp $G/m.json $TMP/m-normal.json
sed -i 's/"out": "out"/"out": "out", "draft": true/' $G/m.json
start_build -j 2
wait_built $((NP / 5))
kill_build
cp $TMP/m-normal.json $G/m.json
gbuild
matches_clean "a killed draft build, then a normal one: every PDF equals a clean build"
sed -i 's/"out": "out"/"out": "out", "draft": true/' $G/m.json
gbuild
[ "$(g_built)" = $NP ] && ok "a draft build after a normal one rebuilds everything" \
    || not_ok "a draft build after a normal one rebuilds everything" "$(tail -2 $TMP/glog)"
cp $TMP/m-normal.json $G/m.json
gbuild
[ "$(g_built)" = $NP ] && ok "a normal build after a draft one rebuilds everything" \
    || not_ok "a normal build after a draft one rebuilds everything" "$(tail -2 $TMP/glog)"
matches_clean "draft, then normal, into one folder: every PDF equals a clean build"
SOURCE_DATE_EPOCH=1800000000 gbuild
[ "$(g_built)" = $NP ] && ok "another SOURCE_DATE_EPOCH rebuilds everything" \
    || not_ok "another SOURCE_DATE_EPOCH rebuilds everything" "$(tail -2 $TMP/glog)"

# (4) another quire binary; outputs edited by hand
cp $BIN $TMP/quire-other
printf '\0' >>$TMP/quire-other
(cd $G && ${QUIRE_WRAP:-} $TMP/quire-other build m.json) >$TMP/glog 2>&1
[ "$(g_built)" = $NP ] && ok "a different quire binary rebuilds everything" \
    || not_ok "a different quire binary rebuilds everything" "$(tail -2 $TMP/glog)"
# the same binary with one shared library changed (a copy with a byte more)
mkdir -p $TMP/lib
cp -L "$(ldd $BIN | sed -n 's/.*libcjson[^ ]* => \([^ ]*\) .*/\1/p')" $TMP/lib/
printf '\0' >>$TMP/lib/libcjson.so.1
(cd $G && LD_LIBRARY_PATH=$TMP/lib ${QUIRE_WRAP:-} $TMP/quire-other build m.json) >$TMP/glog 2>&1
[ "$(g_built)" = $NP ] && ok "a changed shared library rebuilds everything" \
    || not_ok "a changed shared library rebuilds everything" "$(tail -2 $TMP/glog)"
gbuild
[ "$(g_built)" = $NP ] && ok "and going back to the first binary rebuilds everything again" \
    || not_ok "and going back to the first binary rebuilds everything again" "$(tail -2 $TMP/glog)"
# HarfBuzz is opened when fonts are first needed, not linked (fontlib.c):
# another HarfBuzz is another typesetter all the same
hb=$(ldconfig -p | sed -n 's/.*libharfbuzz\.so\.0 .*=> \(.*\)/\1/p' | head -1)
mkdir -p $TMP/hblib
cp -L "$hb" $TMP/hblib/libharfbuzz.so.0
printf '\0' >>$TMP/hblib/libharfbuzz.so.0
(cd $G && LD_LIBRARY_PATH=$TMP/hblib $Q build m.json) >$TMP/glog 2>&1
[ "$(g_built)" = $NP ] && ok "another HarfBuzz (opened, not linked) rebuilds everything" \
    || not_ok "another HarfBuzz (opened, not linked) rebuilds everything" "$(tail -2 $TMP/glog)"
gbuild
[ "$(g_built)" = $NP ] && ok "and going back to the first HarfBuzz rebuilds everything again" \
    || not_ok "and going back to the first HarfBuzz rebuilds everything again" "$(tail -2 $TMP/glog)"
printf 'x' >>$G/out/p001.pdf
: >$G/out/p002.pdf
printf 'Q' | dd of=$G/out/p003.pdf bs=1 seek=100 conv=notrunc 2>/dev/null
rm $G/out/p004.pdf && mkfifo $G/out/p004.pdf
(cd $G && timeout 10 $Q build m.json) >$TMP/glog 2>&1
rc=$?
# an existing output that is no regular file is never replaced: that job
# fails with a located error (exit 1), the build ends, the others rebuild
[ $rc = 1 ] && ok "outputs edited by hand (one now a FIFO): the build ends, exit 1" \
    || not_ok "outputs edited by hand (one now a FIFO): the build ends, exit 1" "rc=$rc" "$(tail -3 $TMP/glog)"
contains "a FIFO output is refused by name" $TMP/glog "p004.pdf"
[ -p $G/out/p004.pdf ] && ok "the FIFO output is left as it was" || not_ok "the FIFO output is left as it was"
got=$(sed -n 's/^built [^ ]*\/\(p[0-9]*\.pdf\) (.*/\1/p' $TMP/glog | sort | tr '\n' ' ')
[ "$got" = "p001.pdf p002.pdf p003.pdf " ] && ok "outputs appended to, truncated or changed by hand are rebuilt" \
    || not_ok "outputs appended to, truncated or changed by hand are rebuilt" "got: $got"
rm $G/out/p004.pdf
(cd $G && timeout 10 $Q build m.json) >$TMP/glog 2>&1
got=$(sed -n 's/^built [^ ]*\/\(p[0-9]*\.pdf\) (.*/\1/p' $TMP/glog | sort | tr '\n' ' ')
[ "$got" = "p004.pdf " ] && ok "the FIFO gone, its output is built" || not_ok "the FIFO gone, its output is built" "got: $got"
matches_clean "after outputs edited by hand: every PDF equals a clean build"

# (5) two builds into one folder: the second waits for the first
(cd $G && tar xf $TMP/g-orig.tar)
cp $G/out/p001.pdf $TMP/p001-before.pdf
cp $G/out/.quire-state.json $TMP/state-before.json
exec 9>$G/out/.quire-build.lock
flock 9
: >$TMP/blog
(cd $G && exec $Q build m.json) 9>&- >>$TMP/blog 2>&1 &
BPID=$!
while kill -0 $BPID 2>/dev/null && ! grep -q '^waiting for another build' $TMP/blog; do sleep 0.01; done
grep -q "^waiting for another build into out to finish" $TMP/blog \
    && ok "a build into a locked folder says it waits" || not_ok "a build into a locked folder says it waits" "$(cat $TMP/blog)"
kill -0 $BPID 2>/dev/null && ok "and waits" || not_ok "and waits"
cmp -s $TMP/p001-before.pdf $G/out/p001.pdf && cmp -s $TMP/state-before.json $G/out/.quire-state.json \
    && ok "a waiting build touches neither outputs nor state" || not_ok "a waiting build touches neither outputs nor state"
exec 9>&-
wait $BPID
[ $? = 0 ] && ok "once the lock is free it builds" || not_ok "once the lock is free it builds" "$(tail -3 $TMP/blog)"
matches_clean "the build that waited: every PDF equals a clean build"
printf 'Shared text, fourth version.\n' >$G/partials/shared.md
(cd $G && exec $Q build m.json -j 1) >$TMP/blog1 2>&1 &
P1=$!
(cd $G && exec $Q build m.json -j 1) >$TMP/blog2 2>&1 &
P2=$!
wait $P1; R1=$?
wait $P2; R2=$?
[ $R1 = 0 ] && [ $R2 = 0 ] && ok "two builds started at once both succeed" || not_ok "two builds started at once both succeed" "$R1 $R2"
b1=$(grep -c '^built ' $TMP/blog1); b2=$(grep -c '^built ' $TMP/blog2)
[ $((b1 + b2)) = $NP ] && ok "between them each job is built once" || not_ok "between them each job is built once" "$b1 + $b2"
matches_clean "two builds at once: every PDF equals a clean build"
rm $G/out/.quire-build.lock && mkfifo $G/out/.quire-build.lock
expect_exit "a lock file that is a FIFO: exit 3, no hang" 3 timeout 10 $Q build $G/m.json
grep -q 'quire-build.lock: error: cannot lock the output folder' $TMP/last.err \
    && ok "the lock error names the file" || not_ok "the lock error names the file" "$(cat $TMP/last.err)"
rm $G/out/.quire-build.lock

# temporary files: a killed build's of our outputs go, anything else stays
touch $G/out/p001.pdf.tmp.AbC123 $G/out/.quire-state.json.tmp.x1Y2z3 \
      $G/out/notes.txt.tmp.AbC123 $G/out/p002.pdf.tmp.short
gbuild
[ ! -e $G/out/p001.pdf.tmp.AbC123 ] && [ ! -e $G/out/.quire-state.json.tmp.x1Y2z3 ] \
    && ok "stale temporary files of outputs and state are removed" \
    || not_ok "stale temporary files of outputs and state are removed" "$(ls -a $G/out | grep tmp)"
[ -e $G/out/notes.txt.tmp.AbC123 ] && [ -e $G/out/p002.pdf.tmp.short ] \
    && ok "other files that look temporary are left alone" || not_ok "other files that look temporary are left alone"
grep -q '^removed 2 temporary files left by an interrupted build$' $TMP/glog \
    && ok "the removal is logged" || not_ok "the removal is logged" "$(head -3 $TMP/glog)"

# (6) inputs that would block: FIFOs and links to /dev/zero, never a hang
H=$TMP/h
mkdir -p $H/partials $H/data
cp $A/templates/cabinet-report.md $H/
cp -r $A/templates/partials $H/
cp samples/cabinet-ofsted-working-group.json $H/data/good.json
printf 'Fine.\n' >$H/partials/ok.md
printf "$RED" >$H/ok.png
printf '# Plain\n\n{{>partials/ok}}\n\n![A swatch](ok.png)\n' >$H/plain.md
cat >$H/m.json <<'EOF2'
{ "defaults": { "template": "cabinet-report.md", "out": "out" },
  "papers": [ { "template": "plain.md", "style": null } ],
  "globs": [ { "data": "data/*.json" } ] }
EOF2
(cd $H && $Q build m.json) >$TMP/hlog 2>&1
[ $? = 0 ] && ok "the hang fixture builds" || not_ok "the hang fixture builds" "$(tail -5 $TMP/hlog)"
# hang_case NAME FILE KIND: FILE (relative to $H) becomes a FIFO or a link to
# /dev/zero; the build must end within 10 s with exit 1 and a message at FILE
hang_case() {
    local name=$1 file=$2 kind=$3
    cp -p $H/$file $TMP/hang-saved
    rm $H/$file
    if [ $kind = fifo ]; then mkfifo $H/$file; else ln -s /dev/zero $H/$file; fi
    (cd $H && timeout 10 $Q build m.json) >$TMP/hlog 2>&1
    local rc=$?
    if [ $rc = 1 ] && grep -F "$file" $TMP/hlog | grep -q "error: .*\(not a regular file\|/dev/zero\)"; then
        ok "$name: a located error, no hang"
    else not_ok "$name: a located error, no hang" "rc=$rc" "$(grep -m3 error $TMP/hlog)"; fi
    rm $H/$file
    cp -p $TMP/hang-saved $H/$file
}
hang_case "a data file that is a FIFO" data/good.json fifo
hang_case "a data file linked to /dev/zero" data/good.json zero
hang_case "a template that is a FIFO" plain.md fifo
hang_case "a template linked to /dev/zero" plain.md zero
hang_case "a partial that is a FIFO" partials/ok.md fifo
hang_case "a partial linked to /dev/zero" partials/ok.md zero
hang_case "an image that is a FIFO" ok.png fifo
hang_case "an image linked to /dev/zero" ok.png zero
mkfifo $H/data/extra.json
(cd $H && timeout 10 $Q build m.json) >$TMP/hlog 2>&1
rc=$?
[ $rc = 1 ] && grep -q '^FAILED out/extra.pdf: data/extra.json: error: .*not a regular file' $TMP/hlog \
    && ok "a FIFO matched by a glob: a located error, no hang" \
    || not_ok "a FIFO matched by a glob: a located error, no hang" "rc=$rc" "$(head -3 $TMP/hlog)"
rm $H/data/extra.json
mv $H/out/.quire-state.json $TMP/hstate
mkfifo $H/out/.quire-state.json
expect_exit "a state file that is a FIFO: exit 3, no hang" 3 timeout 10 $Q build $H/m.json
grep -q 'quire-state.json: error: cannot read the build state: it is not a regular file' $TMP/last.err \
    && ok "the state error names the file" || not_ok "the state error names the file" "$(cat $TMP/last.err)"
rm $H/out/.quire-state.json
ln -s /dev/zero $H/out/.quire-state.json
expect_exit "a state file linked to /dev/zero: exit 3, no hang" 3 timeout 10 $Q build $H/m.json
rm $H/out/.quire-state.json

# a font installed where fontconfig looks may change which file a family
# resolves to, though no recorded font file changed: everything is rebuilt
mkdir -p $TMP/fc/extra
cat >$TMP/fc/fonts.conf <<EOF2
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>$TMP/fc/extra</dir>
  <cachedir>$TMP/fc/cache</cachedir>
</fontconfig>
EOF2
(cd $H && FONTCONFIG_FILE=$TMP/fc/fonts.conf $Q build m.json) >$TMP/hlog 2>&1
(cd $H && FONTCONFIG_FILE=$TMP/fc/fonts.conf $Q build m.json) >$TMP/hlog 2>&1
grep -q '^0 built, 2 skipped, 0 failed' $TMP/hlog && ok "with a font configuration of its own, an unchanged build skips" \
    || not_ok "with a font configuration of its own, an unchanged build skips" "$(tail -2 $TMP/hlog)"
cp "$(fc-match -f '%{file}' sans)" $TMP/fc/extra/extra.ttf
(cd $H && FONTCONFIG_FILE=$TMP/fc/fonts.conf $Q build m.json) >$TMP/hlog 2>&1
grep -q '^2 built, 0 skipped, 0 failed' $TMP/hlog && ok "a font installed where fontconfig looks rebuilds everything" \
    || not_ok "a font installed where fontconfig looks rebuilds everything" "$(tail -2 $TMP/hlog)"

# (7) control characters in file names: escaped in the log, kept in the state
N=$TMP/n
mkdir -p $N/data
cp -r $A/templates $N/
cp samples/cabinet-ofsted-working-group.json "$N/data/a
b.json"
printf '{ "paper": {\n' >"$N/data/bad
built forged.pdf (1 ms).json"
cat >$N/m.json <<'EOF2'
{ "defaults": { "template": "templates/cabinet-report.md", "out": "out" },
  "globs": [ { "data": "data/*.json" } ] }
EOF2
(cd $N && $Q build m.json) >$TMP/nlog 2>&1
grep -qxF 'built out/a\nb.pdf' <(sed 's/ (.*//' $TMP/nlog) \
    && ok "a newline in a name is shown as \\n in the log" || not_ok "a newline in a name is shown as \\n in the log" "$(cat $TMP/nlog)"
grep -qF 'FAILED out/bad\nbuilt forged.pdf (1 ms).pdf: data/bad\nbuilt forged.pdf (1 ms).json:' $TMP/nlog \
    && ok "the FAILED line escapes the name too" || not_ok "the FAILED line escapes the name too" "$(cat $TMP/nlog)"
if grep -q '^b\.pdf\|^b\.json\|^built forged' $TMP/nlog; then not_ok "no name forges a log line" "$(cat $TMP/nlog)"
else ok "no name forges a log line"; fi
[ -f "$N/out/a
b.pdf" ] && ok "the paper is written under its own name" || not_ok "the paper is written under its own name"
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); assert "a\nb.pdf" in s["jobs"]' $N/out/.quire-state.json \
    && ok "the state is valid JSON and keeps the name" || not_ok "the state is valid JSON and keeps the name"
(cd $N && $Q build m.json) >$TMP/nlog 2>&1
grep -qxF 'skipped out/a\nb.pdf (unchanged)' $TMP/nlog \
    && ok "and the next build skips it" || not_ok "and the next build skips it" "$(cat $TMP/nlog)"
unset SOURCE_DATE_EPOCH

# the shipped sample manifest builds (into a temporary folder)
expect_exit "samples/monthly.json builds" 0 $Q build samples/monthly.json --out $TMP/monthly
grep -qE '^[0-9]+ built, 0 skipped, 0 failed' $TMP/last.err && ok "sample manifest: every job built" \
    || not_ok "sample manifest: every job built" "$(tail -5 $TMP/last.err)"

# With the cache remembering a paper's words (hyph-memo), a render never
# loads the hyphenation dictionary; a build loads it once before forking,
# so that workers whose papers have new words inherit it rather than each
# reading its image. strace shows which processes opened it.
if strace_can "a build reads the hyphenation image once"; then
    H=$TMP/hy
    mkdir -p $H/data
    cp -r templates $H/templates
    for k in 1 2 3; do
        # new words in each paper, none of them in the memo
        sed "s/\"title\": \"Ofsted Working Group\"/\"title\": \"Reorganisation $k\"/; s/Ofsted produced/Ofsted, uncharacteristically $k, produced/" \
            samples/cabinet-ofsted-working-group.json >$H/data/p$k.json
    done
    cat >$H/m.json <<'EOF2'
{ "defaults": { "template": "templates/cabinet-report.md", "out": "out" },
  "globs": [ { "data": "data/*.json" } ] }
EOF2
    # the memo holds the sample's words, not the papers' new ones
    expect_exit "memo of the sample's words" 0 env QUIRE_CACHE_DIR=$H/cache \
        $Q render samples/cabinet-ofsted-working-group.json -t templates/cabinet-report.md -o $H/s.pdf
    (cd $H && env QUIRE_CACHE_DIR=$H/cache ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -ff -qq -e trace=openat -o $H/log $BIN build m.json -j 3) >$H/out.log 2>&1
    check "  ... a build of three papers with new words" grep -qE '^3 built, 0 skipped, 0 failed' $H/out.log
    # -ff: a file per process and thread, LOG.ID, each open on one line
    n=$(grep -l '\.dic\.image", O_RDONLY.*) = [0-9]' $H/log.* | wc -l)
    [ "$n" = 1 ] && ok "  ... the image was read once, before forking" \
        || not_ok "  ... the image was read once, before forking" "read by $n processes" "$(grep -h '\.dic\.image"' $H/log.*)"
    expect_exit "  ... the papers the same as with the cache off" 0 \
        env QUIRE_NO_CACHE=1 $Q render $H/data/p2.json -t templates/cabinet-report.md -o $H/p2.pdf
    check "  ... byte-identical" cmp $H/p2.pdf $H/out/p2.pdf
fi

finish
