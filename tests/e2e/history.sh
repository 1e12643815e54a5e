#!/usr/bin/env bash
# End-to-end: monthly history. Three consecutive months of the Harwood plan
# (samples/history), each holding only what an officer types that month,
# are built by a manifest; the third month's paper, read back from the PDF,
# shows every status change, added and closed action, re-dated, re-worded
# and newly overdue action against the second month's file, and its KPI
# charts run over all three files. Removing the second month's file makes
# the third a located error; the build records the earlier file as an
# input, rebuilds month three when month two's file changes, and skips it
# when nothing changed. Works on copies; the repository's samples are
# never touched.
. "$(dirname "$0")/lib.sh"

Q="${QUIRE_WRAP:-} $BIN"
A=$TMP/a
mkdir -p $A
cp -r templates $A/templates
cp -r samples/history $A/history
cat >$A/m.json <<'EOF'
{
  "defaults": { "template": "templates/progress-report.md",
                "style": "templates/styles/council.json", "out": "out" },
  "globs": [ { "data": "history/harwood-*.json", "output": "{name}.pdf" } ]
}
EOF
build() { (cd $A && $Q build m.json "$@") >$TMP/log 2>&1; RC=$?; }
built_set() { sed -n 's/^built out\/\([^ ]*\) (.*/\1/p' $TMP/log | sort | tr '\n' ' '; }
expect_built() { # NAME "sorted list of outputs"
    local got; got=$(built_set)
    if [ "$got" = "$2 " ] || { [ -z "$2" ] && [ -z "$got" ]; }; then ok "$1"
    else not_ok "$1" "expected built: $2" "got: $got" "$(tail -5 $TMP/log)"; fi
}

build
[ $RC = 0 ] && ok "the three months build" || not_ok "the three months build" "$(cat $TMP/log)"
expect_built "every month is built" "harwood-2026-08.pdf harwood-2026-09.pdf harwood-2026-10.pdf"
if grep -q 'warning' $TMP/log; then not_ok "the samples build without warnings" "$(grep -A2 warning $TMP/log | head)"
else ok "the samples build without warnings"; fi

# the third month, one line of text per table row
pdftotext -layout $A/out/harwood-2026-10.pdf $TMP/oct.txt
tr '\n' ' ' <$TMP/oct.txt | tr -s ' ' >$TMP/oct.flat
contains "changes are dated by the last report" $TMP/oct.flat \
    "What has changed since 30 September 2026, the date of the last report"
contains "the direction of travel is against the last report" $TMP/oct.flat \
    "against its status at the last report on 30 September 2026"
contains "the direction of travel counts the changes" $TMP/oct.flat \
    "Improved 5 Deteriorated 2 No change 31 New since the last report 1"
# every status change: ref, was, now, direction on one row
for row in "1.3 Amber Green Improved" "3.3 Amber Complete Improved" \
           "4.2 Amber Red Deteriorated" "4.4 Green Amber Deteriorated" \
           "6.3 Red Amber Improved" "9.3 Green Complete Improved" \
           "10.4 Not started Amber Improved"; do
    set -- $row
    ref=$1; shift
    if grep -E "^ *$ref +" $TMP/oct.txt | tr -s ' ' | grep -qF "$*"; then ok "status change $ref: $*"
    else not_ok "status change $ref: $*" "$(grep -E "^ *$ref +" $TMP/oct.txt)"; fi
done
contains "the added action" $TMP/oct.flat "Actions added to the plan"
contains "the added action's row" $TMP/oct.flat "5.5 Commission two more paediatric sessions"
contains "the closed actions" $TMP/oct.flat "Actions closed: no longer in the plan"
contains "closed action 1.1" $TMP/oct.flat "1.1 Launch the revised multi-agency Threshold Document"
contains "closed action 2.1" $TMP/oct.flat "2.1 Implement a new assessment template"
contains "the re-dated action with old and new dates" $TMP/oct.flat \
    "31 December 2026 30 September 2027"
contains "the re-worded action's old wording" $TMP/oct.flat \
    "Agree a ring-fenced allocation of 20 social"
awk '/Newly overdue/,/Overdue actions/' $TMP/oct.txt >$TMP/overdue.txt
for ref in 4.4 5.2 7.3; do
    if grep -qE "^ *$ref " $TMP/overdue.txt; then ok "newly overdue $ref"
    else not_ok "newly overdue $ref" "$(cat $TMP/overdue.txt)"; fi
done
if grep -qE "^ *4\.3 " $TMP/overdue.txt; then not_ok "an action overdue last month is not newly overdue" "$(cat $TMP/overdue.txt)"
else ok "an action overdue last month is not newly overdue"; fi
# KPIs: October from this file, September from the last, the year before
# from the first month's
contains "the KPI table takes the latest from this month" $TMP/oct.flat "20.5 children"
contains "and the previous from last month's file" $TMP/oct.flat "(October 2026) 86%"
contains "the KPI chart runs from the first month's file" $TMP/oct.flat "Oct 25"

# the first month is a first report, said so, never "New" everywhere
pdftotext $A/out/harwood-2026-08.pdf - | tr '\n' ' ' | tr -s ' ' >$TMP/aug.flat
contains "the first month says it is the first report" $TMP/aug.flat \
    "This is the first report on the plan: its 39 actions are reported for the first time."
lacks "the first month has no changes section" $TMP/aug.flat "Changes since the last report"
lacks "the first month calls no action new" $TMP/aug.flat "New"

# the earlier file is one of the job's inputs
python3 - $A/out/.quire-state.json <<'PY' && ok "the state records the earlier file month three was compared with" || not_ok "the state records the earlier file month three was compared with" "$(head -c 600 $A/out/.quire-state.json)"
import json, sys
jobs = json.load(open(sys.argv[1]))["jobs"]
files = jobs["harwood-2026-10.pdf"]["files"]
assert any(f.endswith("history/harwood-2026-09.json") for f in files), files
PY

build
expect_built "nothing changed: nothing rebuilt" ""
grep -q "^0 built, 3 skipped, 0 failed" $TMP/log && ok "every month skipped" || not_ok "every month skipped" "$(tail -3 $TMP/log)"

# a changed status in month two rebuilds month three, which prints it
sed -i '0,/"status": "red",/s//"status": "amber",/' $A/history/harwood-2026-09.json
build
expect_built "a change to month two rebuilds months two and three" "harwood-2026-09.pdf harwood-2026-10.pdf"
pdftotext -layout $A/out/harwood-2026-10.pdf - | tr -s ' ' >$TMP/oct2.txt
if grep -E '^ ?5\.2 ' $TMP/oct2.txt | grep -q 'Amber Red Deteriorated'; then
    ok "the rebuilt month three compares with the changed month two"
else not_ok "the rebuilt month three compares with the changed month two" "$(grep -E '^ ?5\.2 ' $TMP/oct2.txt)"; fi

# month two's file removed: month three fails at its follows, the old PDF stays
cp $A/out/harwood-2026-10.pdf $TMP/before.pdf
mv $A/history/harwood-2026-09.json $TMP/
build
[ $RC = 1 ] && ok "a missing earlier file fails the build" || not_ok "a missing earlier file fails the build" "$(tail -5 $TMP/log)"
if grep -qE 'history/harwood-2026-10\.json:2:14: error: /follows: the earlier report this paper follows cannot be read: .*harwood-2026-09\.json' $TMP/log; then
    ok "the error is located at month three's follows"
else not_ok "the error is located at month three's follows" "$(cat $TMP/log)"; fi
cmp -s $TMP/before.pdf $A/out/harwood-2026-10.pdf && ok "the failed month keeps its previous PDF" \
    || not_ok "the failed month keeps its previous PDF"
(cd $A && $Q render history/harwood-2026-10.json -t templates/progress-report.md -o $TMP/x.pdf) >$TMP/render.log 2>&1
rc=$?
[ $rc = 1 ] && [ ! -e $TMP/x.pdf ] && ok "render: exit 1 and no PDF" || not_ok "render: exit 1 and no PDF" "rc=$rc"
contains "render names the place to fix" $TMP/render.log '"follows": "harwood-2026-09.json"'
mv $TMP/harwood-2026-09.json $A/history/

# month two dated after month three: a located error at as_at
sed -i 's/"as_at": "2026-09-30"/"as_at": "2026-11-30"/' $A/history/harwood-2026-09.json
(cd $A && $Q check history/harwood-2026-10.json -t templates/progress-report.md) >$TMP/late.log 2>&1
contains "an earlier report dated later is an error at as_at" $TMP/late.log \
    "error: /action_plan/as_at: this report is at 2026-10-31 but the earlier report it follows ('harwood-2026-09.json') is at 2026-11-30"
sed -i 's/"as_at": "2026-11-30"/"as_at": "2026-09-30"/' $A/history/harwood-2026-09.json

finish
