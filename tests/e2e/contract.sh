#!/usr/bin/env bash
# End-to-end: the data contract as councils' papers need it, read back from
# the PDF. An action plan with no owners and no due dates prints "Not set",
# never a blank and never an invented date; an action with no earlier
# status reads "not reported" rather than "New"; a target measure prints
# apart from progress with its unit closed up; a template lists just the
# Amber actions through a grouped view; contradictions are warnings.
. "$(dirname "$0")/lib.sh"

src=tests/data/paper_valid.json
tpl=templates/progress-report.md
epoch() { SOURCE_DATE_EPOCH=1700000000 "$@"; }

# no owner and no due date anywhere
# (the fixture's actions carry earlier statuses: give the plan its last
# report's date, so the paper reads as a later report)
jq '.action_plan.previous_as_at = "2026-10-01"' "$src" >"$TMP/src.json"
src=$TMP/src.json
jq '.action_plan.actions |= map(del(.owner, .due))' "$src" >"$TMP/noowner.json"
expect_exit "plan without owners or dues renders" 0 epoch $QUIRE render "$TMP/noowner.json" -t $tpl -o "$TMP/noowner.pdf"
pdftotext -layout "$TMP/noowner.pdf" "$TMP/noowner.txt"
n=$(jq '.action_plan.actions | length' "$src")
# each action row shows "Not set" for its owner and for its due date
rows=$(grep -c 'Not set.*Not set' "$TMP/noowner.txt")
if [ "$rows" -ge "$n" ]; then ok "every action row shows Not set for owner and due ($rows)"
else not_ok "every action row shows Not set for owner and due" "rows with two Not set: $rows of $n" "$(grep -n 'Not set' "$TMP/noowner.txt" | head)"; fi
for o in $(jq -r '.action_plan.actions[].owner | @base64' "$src"); do
    w=$(echo "$o" | base64 -d)
    lacks "no owner invented: $w" "$TMP/noowner.txt" "$w"
done
date_re='[0-9]{1,2} (Jan|Feb|Mar|Apr|May|June|July|Aug|Sept|Oct|Nov|Dec)'
if grep 'Not set' "$TMP/noowner.txt" | grep -qE "$date_re"; then
    not_ok "no due date printed in an action row" "$(grep 'Not set' "$TMP/noowner.txt" | grep -E "$date_re" | head -3)"
else ok "no due date printed in an action row"; fi
contains "nothing overdue without a due date" "$TMP/noowner.txt" "No action is past its due date."

# an action with no previous status and not marked new is not "New"
jq '.action_plan.actions[4] |= del(.new)' "$src" >"$TMP/notreported.json"
expect_exit "an unreported action renders" 0 epoch $QUIRE render "$TMP/notreported.json" -t $tpl -o "$TMP/nr.pdf"
pdftotext "$TMP/nr.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/nr.txt"
contains "unreported action says so" "$TMP/nr.txt" "Not reported on last time (no direction of travel) 1"
contains "no action is new" "$TMP/nr.txt" "New since the last report 0"
pdftotext "$TMP/noowner.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/new.txt"
contains "an action marked new is new" "$TMP/new.txt" "New since the last report 1"
lacks "a new action is not also unreported" "$TMP/new.txt" "not reported on last time"

# a measure: units closed up, apart from progress; Green with a missed
# target is a warning at its JSON pointer
jq '.action_plan.actions[2].measure = {"label": "Assessments in time", "baseline": 51, "latest": 82, "target": 90, "unit": "%"}' "$src" >"$TMP/measure.json"
cat >"$TMP/measure.md" <<'T'
# Measures

{{#action_plan.actions}}
{{#measure}}
- {{ref}} {{label}}: {{text}}; {{status_label}}, {{progress_text}} done.
{{/measure}}
{{/action_plan.actions}}
T
expect_exit "measure renders with a warning" 0 epoch $QUIRE render "$TMP/measure.json" -t "$TMP/measure.md" -o "$TMP/measure.pdf"
contains "Green measure short of target warns at its pointer" "$TMP/last.err" "/action_plan/actions/2/status"
contains "warning names the target" "$TMP/last.err" "has not reached its target (90%)"
pdftotext "$TMP/measure.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/measure.txt"
contains "measure printed with its unit" "$TMP/measure.txt" "Assessments in time: 51% to 82% (target 90%); Green, 80% done."
if grep -qE '[0-9] %' "$TMP/measure.txt"; then not_ok "measure: no spaced percent"; else ok "measure: no spaced percent"; fi

# just the Amber actions
cat >"$TMP/amber.md" <<'T'
# Amber actions

{{#action_plan.actions_by_status.amber}}
- {{ref}} {{status_label}} due {{due_long}}
{{/action_plan.actions_by_status.amber}}
{{^action_plan.actions_by_status.red}}
No action is Red.
{{/action_plan.actions_by_status.red}}
T
expect_exit "grouped view renders" 0 epoch $QUIRE render "$src" -t "$TMP/amber.md" -o "$TMP/amber.pdf"
pdftotext "$TMP/amber.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/amber.txt"
for ref in $(jq -r '.action_plan.actions[] | select(.status == "amber") | .ref' "$src"); do
    contains "amber action $ref listed" "$TMP/amber.txt" "$ref Amber due"
done
for ref in $(jq -r '.action_plan.actions[] | select(.status != "amber") | .ref' "$src"); do
    lacks "non-amber action $ref not listed" "$TMP/amber.txt" "$ref "
done
lacks "a Red action exists, so no 'No action is Red'" "$TMP/amber.txt" "No action is Red"

# new and previous_status together is an error at the pointer
jq '.action_plan.actions[4].previous_status = "red"' "$src" >"$TMP/both.json"
expect_exit "new with a previous status is an error" 1 $QUIRE check "$TMP/both.json" -t $tpl
contains "error located at new" "$TMP/last.err" "/action_plan/actions/4/new"

# every built-in template renders with only its documented required fields;
# optional parts are skipped or read "Not set", never an error
cat >"$TMP/min.json" <<'J'
{"paper": {"kind": "cabinet", "council": "Harwood Borough Council",
  "title": "Minimal paper", "meeting": {"body": "Cabinet", "date": "2026-11-24"}}}
J
for t in cabinet-report panel-update scrutiny-review committee-report progress-report; do
    data=$TMP/min.json
    if [ $t = progress-report ]; then
        # a progress report is about a plan: the plan is required
        jq '.action_plan = {"as_at": "2026-11-01", "actions": []}' "$TMP/min.json" >"$TMP/minp.json"
        data=$TMP/minp.json
    fi
    expect_exit "$t renders with minimal data" 0 epoch $QUIRE render "$data" -t templates/$t.md -o "$TMP/$t.pdf"
    [ -s "$TMP/last.err" ] && not_ok "$t: no diagnostics with minimal data" "$(head -5 "$TMP/last.err")" || ok "$t: no diagnostics with minimal data"
    pdftotext -f 1 -l 1 "$TMP/$t.pdf" "$TMP/$t.p1"
    contains "$t: council named on the first page" "$TMP/$t.p1" "Harwood Borough Council"
    pdftotext "$TMP/$t.pdf" "$TMP/$t.txt"
    lacks "$t: no JSON printed" "$TMP/$t.txt" '["'
done
contains "cabinet front sheet: wards not set" "$TMP/cabinet-report.txt" "Wards: Not set"
contains "cabinet: an absent section reads Not set" "$TMP/cabinet-report.txt" "Not set"

# paragraphs given as one string, or as strings, print (the contract allows
# both); lists of wards read as a GOV.UK list
jq '.paper.kind = "committee" | .paper.purpose = "A purpose in one string." |
    .paper.recommendations = ["That the committee notes the report.", "That it asks for a further report."] |
    .paper.wards = ["Birchills", "Leamore", "Pelsall"] |
    .paper.sections = [{"heading": "Background", "text": ["First point.", "Second point."]}]' "$TMP/min.json" >"$TMP/strings.json"
expect_exit "string paragraphs render" 0 epoch $QUIRE render "$TMP/strings.json" -t templates/committee-report.md -o "$TMP/strings.pdf"
pdftotext "$TMP/strings.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/strings.txt"
contains "purpose as one string printed" "$TMP/strings.txt" "Purpose of the report A purpose in one string."
contains "recommendations as strings printed" "$TMP/strings.txt" "That the committee notes the report. That it asks for a further report."
contains "wards as a list" "$TMP/strings.txt" "Wards: Birchills, Leamore and Pelsall"
contains "free sections printed" "$TMP/strings.txt" "Background First point. Second point."
expect_exit "panel with string purpose renders" 0 epoch $QUIRE render "$TMP/strings.json" -t templates/panel-update.md -o "$TMP/panel-strings.pdf"
pdftotext "$TMP/panel-strings.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/panel-strings.txt"
contains "panel: string purpose printed" "$TMP/panel-strings.txt" "Purpose of the report A purpose in one string."
contains "panel: no inspection reads Not set" "$TMP/panel-strings.txt" "Inspection: Not set"

# a field missing from a later element is never taken from the first one
# (a section over `K.0` used to push the first element as context)
jq '.paper.kind = "panel" | .paper.figures = [
      {"label": "Children looked after", "value": 513, "previous": 702, "note": "previous figure is the all-time high"},
      {"label": "Children in external residential provision", "value": 49}]' "$TMP/min.json" >"$TMP/figs.json"
expect_exit "figures render" 0 epoch $QUIRE render "$TMP/figs.json" -t templates/panel-update.md -o "$TMP/figs.pdf"
pdftotext -layout "$TMP/figs.pdf" "$TMP/figs.txt"
if grep 'external residential' "$TMP/figs.txt" | grep -q 'all-time high\|702'; then
    not_ok "second figure has no note or previous of its own" "$(grep 'external residential' "$TMP/figs.txt")"
else ok "second figure has no note or previous of its own"; fi
contains "first figure keeps its note" "$TMP/figs.txt" "(previous figure is the all-time high)"

# KPI figures carry their unit as GOV.UK writes it; a definition prints
# under its own indicator only
jq '.kpis[1].description = "CANARY-DEF: plans reviewed in the last six months." | .kpis[0] |= del(.description)' "$src" >"$TMP/kpi.json"
expect_exit "KPIs render" 0 epoch $QUIRE render "$TMP/kpi.json" -t $tpl -o "$TMP/kpi.pdf"
pdftotext "$TMP/kpi.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/kpi.txt"
if grep -qE '[0-9] %' "$TMP/kpi.txt"; then not_ok "no space between a figure and its percent sign" "$(grep -oE '.{20}[0-9] %.{10}' "$TMP/kpi.txt" | head -3)"
else ok "no space between a figure and its percent sign"; fi
n=$(grep -o 'CANARY-DEF' "$TMP/kpi.txt" | wc -l)
[ "$n" = 1 ] && ok "a KPI definition prints once, under its own indicator" || not_ok "a KPI definition prints once, under its own indicator" "printed $n times"
contains "definition follows its label" "$TMP/kpi.txt" "$(jq -r '.kpis[1].label' "$src"): CANARY-DEF"

# periods as councils report them: quarters and financial years, with
# GOV.UK labels; a chart spaces points by real time and leaves a gap where
# a period is missing
jq '.kpis = [{"id": "q", "label": "Timely assessments", "unit": "%", "target": 90,
      "polarity": "higher_is_better",
      "series": [{"period": "2025-Q1", "value": 71}, {"period": "2025-Q2", "value": 76},
                 {"period": "2025-Q4", "value": 82}]},
     {"id": "fy", "label": "Care leavers in education, employment or training", "unit": "%",
      "polarity": "higher_is_better",
      "series": [{"period": "2022/23", "value": 48}, {"period": "2023/24", "value": 53}]},
     {"id": "ay", "label": "Persistent absence of children in care", "unit": "%", "year": "academic",
      "polarity": "lower_is_better",
      "series": [{"period": "2023/24", "value": 19}, {"period": "2024/25", "value": 17}]}]' "$src" >"$TMP/periods.json"
expect_exit "quarterly and yearly KPIs render" 0 epoch $QUIRE render "$TMP/periods.json" -t $tpl -o "$TMP/periods.pdf"
pdftotext "$TMP/periods.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/periods.txt"
contains "quarter in GOV.UK words" "$TMP/periods.txt" "(October to December 2025)"
contains "financial year in GOV.UK words" "$TMP/periods.txt" "(financial year 2023 to 2024)"
contains "academic year in GOV.UK words" "$TMP/periods.txt" "(academic year 2024 to 2025)"
contains "quarter on the chart axis" "$TMP/periods.txt" "Q2 2025"
contains "year on the chart axis" "$TMP/periods.txt" "2022/23"
epoch $QUIRE render "$TMP/periods.json" -t $tpl -o "$TMP/periods2.pdf" --dump=pages >"$TMP/periods.pages" 2>/dev/null
# the axis labels of the quarterly chart: Q2 to Q4 is twice Q1 to Q2
python3 - "$TMP/periods.pages" >"$TMP/gap.out" <<'PY'
import re, sys
x = {}
for line in open(sys.argv[1]):
    m = re.match(r'\s*text Figure e\d+ ([\d.]+) [\d.]+ w([\d.]+) .*"(Q[124] 2025)"', line)
    if m and m.group(3) not in x:
        x[m.group(3)] = float(m.group(1)) + float(m.group(2)) / 2
a, b, c = x["Q1 2025"], x["Q2 2025"], x["Q4 2025"]
print("ok" if abs((c - b) - 2 * (b - a)) < 1.0 else "bad %r" % x)
PY
contains "a missing quarter keeps its space on the axis" "$TMP/gap.out" "ok"
jq '.kpis[0].series[1].period = "2025-06"' "$TMP/periods.json" >"$TMP/mixed.json"
expect_exit "months and quarters in one series is an error" 1 $QUIRE check "$TMP/mixed.json" -t $tpl
contains "mixed periods located" "$TMP/last.err" "/kpis/0/series/1/period"
jq '.kpis[1].series[0].period = "2022/24"' "$TMP/periods.json" >"$TMP/badyear.json"
expect_exit "a year whose halves do not follow is an error" 1 $QUIRE check "$TMP/badyear.json" -t $tpl
contains "bad year message" "$TMP/last.err" "'2022/24' is not a valid period"

# a council's RAG policy: three colours with complete counted as green,
# shares of recommendations; the table, the chart and the sentence agree
python3 - "$TMP/min.json" >"$TMP/policy.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["paper"]["kind"] = "progress"
d["inspection"] = {"type": "ILACS", "dates": ["2013-01-14", "2013-01-25"],
                   "recommendations": [{"id": i, "text": "Recommendation %d." % i} for i in range(1, 16)]}
acts = []
for i in range(1, 16):
    # recommendations 1-8 have an amber action beside a complete one; 9-15
    # are complete, which this council counts as green
    acts.append({"ref": "%d.1" % i, "recommendation": i, "action": "Action %d.1" % i, "status": "complete"})
    if i <= 8:
        acts.append({"ref": "%d.2" % i, "recommendation": i, "action": "Action %d.2" % i, "status": "amber"})
d["action_plan"] = {"as_at": "2014-06-30", "rag_policy": {"colours": 3, "count": "recommendations"}, "actions": acts}
json.dump(d, sys.stdout)
PY
expect_exit "three-colour policy by recommendation renders" 0 epoch $QUIRE render "$TMP/policy.json" -t $tpl -o "$TMP/policy.pdf"
pdftotext "$TMP/policy.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/policy.txt"
contains "sentence counts recommendations" "$TMP/policy.txt" "the plan has 15 recommendations. Their status is:"
contains "actions still counted as actions" "$TMP/policy.txt" "its 23 actions are reported for the first time"
contains "table: amber share of recommendations" "$TMP/policy.txt" "Amber 8 53%"
contains "table: complete counted as green" "$TMP/policy.txt" "Green 7 47%"
lacks "no Complete row under three colours" "$TMP/policy.txt" "Complete 0"
epoch $QUIRE render "$TMP/policy.json" -t $tpl -o "$TMP/policy2.pdf" --dump=pages 2>/dev/null | grep -o 'alt="Bar chart[^"]*"' >"$TMP/policy.alt"
contains "chart: the same numbers" "$TMP/policy.alt" "Red 0, Amber 8, Green 7 (15 recommendations)"
jq '.action_plan.actions[0].status = "not_started"' "$TMP/policy.json" >"$TMP/policy-ns.json"
expect_exit "not started under three colours is an error" 1 $QUIRE check "$TMP/policy-ns.json" -t $tpl
contains "located at the action's status" "$TMP/last.err" "/action_plan/actions/0/status: 'not_started' is not one of this plan's three colours"


# a pound unit reads the same in the table and on the chart: "£3m"
jq '.kpis = [{"id": "spend", "label": "Agency spend", "unit": "£m", "target": 3,
      "polarity": "lower_is_better",
      "series": [{"period": "2025-Q1", "value": 3.4}, {"period": "2025-Q2", "value": 3.1}]}]' "$src" >"$TMP/pound.json"
expect_exit "a pound unit renders" 0 epoch $QUIRE render "$TMP/pound.json" -t $tpl -o "$TMP/pound.pdf"
pdftotext "$TMP/pound.pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/pound.txt"
contains "pound unit in the table" "$TMP/pound.txt" "£3.1m"
contains "pound unit on the chart's target line" "$TMP/pound.txt" "Target £3m"
finish
