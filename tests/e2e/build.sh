#!/usr/bin/env bash
# End-to-end: quire build over a manifest — skip when unchanged,
# rebuild when any input changes (data, template, partial, style), byte-
# identical builds in two folders, a failing job among good ones, shards
# that partition the jobs, the plain log format and summary. Works on copies
# in a temporary folder; the repository's samples are never touched.
. "$(dirname "$0")/lib.sh"

case $BUILD in /*) BIN=$BUILD/quire ;; *) BIN=$PWD/$BUILD/quire ;; esac
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

# the shipped sample manifest builds (into a temporary folder)
expect_exit "samples/monthly.json builds" 0 $Q build samples/monthly.json --out $TMP/monthly
grep -qE '^[0-9]+ built, 0 skipped, 0 failed' $TMP/last.err && ok "sample manifest: every job built" \
    || not_ok "sample manifest: every job built" "$(tail -5 $TMP/last.err)"

finish
