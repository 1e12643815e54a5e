#!/usr/bin/env bash
# End-to-end: every sample paper renders with the template its name picks
# (cabinet-*, panel-*, scrutiny-*, progress-*), reads back cleanly, and its
# key facts are in the PDF text: Ofsted's exact grade wording, GOV.UK dates
# and never an ISO date, every action ref exactly once in the action table
# with its RAG word beside it.
. "$(dirname "$0")/lib.sh"

. scripts/samples.sh

n=0
for f in samples/*.json; do
    tpl=$(template_for "$f")
    [ -n "$tpl" ] || continue
    name=$(basename "$f" .json)
    n=$((n + 1))
    pdf=$TMP/$name.pdf
    expect_exit "$name renders" 0 $QUIRE render "$f" -t "$tpl" -o "$pdf"
    [ -s "$TMP/last.err" ] && not_ok "$name: no diagnostics" "$(head -5 $TMP/last.err)" || ok "$name: no diagnostics"
    check "$name: qpdf --check" qpdf --check "$pdf"
    pdffonts "$pdf" >$TMP/fonts.txt 2>&1
    if awk 'NR>2 && $(NF-4)!="yes" {bad=1} END {exit bad}' $TMP/fonts.txt && [ "$(wc -l <$TMP/fonts.txt)" -gt 2 ]; then
        ok "$name: every font embedded"; else not_ok "$name: every font embedded" "$(cat $TMP/fonts.txt)"; fi
    # one line: table cells and paragraphs wrap anywhere
    pdftotext "$pdf" - | tr '\n' ' ' | tr -s ' ' >"$TMP/$name.txt"
    pdftotext -layout "$pdf" "$TMP/$name.layout"
    # the title and meeting from the data
    contains "$name: title" "$TMP/$name.txt" "$(jq -r .paper.title "$f" | cut -c1-40)"
    if grep -qE '(^|[^0-9])[0-9]{4}-[0-9]{2}-[0-9]{2}([^0-9]|$)' "$TMP/$name.txt"; then
        not_ok "$name: no ISO date in the text" "$(grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}' "$TMP/$name.txt" | head -3)"
    else ok "$name: no ISO date in the text"; fi
    # every grade in its framework's wording (docs/data.md, "Inspection
    # frameworks"), never the data's code
    typ=$(jq -r '.inspection.type // ""' "$f")
    for g in $(jq -r '.inspection.judgements[]?.grade' "$f"); do
        case $typ:$g in
            *:outstanding) w="Outstanding" ;; *:good) w="Good" ;;
            SIF:requires_improvement) w="Requires improvement" ;;
            *:requires_improvement) w="Requires improvement to be good" ;;
            *:adequate) w="Adequate" ;; *:inadequate) w="Inadequate" ;;
        esac
        contains "$name: grade '$w'" "$TMP/$name.txt" "$w"
    done
    lacks "$name: no raw grade enum" "$TMP/$name.txt" "requires_improvement"
done
[ $n -ge 7 ] && ok "at least seven samples ($n)" || not_ok "at least seven samples" "found $n"

# ---- facts of each paper -------------------------------------------------

t=$TMP/panel-middlesbrough-monitoring-visit.txt
for s in "Monitoring visit" "29 to 30 March 2022" "Matching, placement and decision-making" \
         "Children looked after" "513" "702" "Next steps" "mid-July"; do
    contains "Middlesbrough: $s" $t "$s"; done
t=$TMP/panel-reading-care-leavers-visit.txt
for s in "31 July to 1 August 2018" "12 social housing flats" "Areas requiring further work"; do
    contains "Reading: $s" $t "$s"; done
t=$TMP/panel-slough-care-leavers-visit.txt
for s in "21 to 22 February 2017" "35%" "15 to 16 June 2017"; do contains "Slough: $s" $t "$s"; done
t=$TMP/panel-durham-ilacs-response.txt
for s in "Inspection of local authority children’s services (ILACS)" "7 to 18 October 2019" \
         "The experiences and progress of children in care"; do contains "Durham: $s" $t "$s"; done
t=$TMP/scrutiny-walsall-deep-dive.txt
for s in "Ofsted recommendation 1" "Ofsted recommendation 2" \
         "“Ensure that thresholds of need are understood and applied at every stage of the child’s journey.”" \
         "4.13" "Response:" "13 June to 6 July 2017" "(SIF)"; do
    contains "Walsall review: $s" $t "$s"; done
[ "$(grep -o 'Response:' $t | wc -l)" = 11 ] && ok "Walsall review: a response under each of 11 findings" \
    || not_ok "Walsall review: a response under each finding" "found $(grep -o 'Response:' $t | wc -l)"

# ---- the progress paper --------------------------------------------------

P=samples/progress-harwood-action-plan.json
t=$TMP/progress-harwood-action-plan.txt
L=$TMP/progress-harwood-action-plan.layout
[ "$(jq '.action_plan.actions | length' $P)" = 40 ] && ok "progress: 40 actions" || not_ok "progress: 40 actions"
[ "$(jq '[.action_plan.actions[].recommendation] | unique | length' $P)" = 10 ] \
    && ok "progress: over 10 recommendations" || not_ok "progress: over 10 recommendations"
[ "$(jq '[.kpis[] | select((.series | length) == 12)] | length' $P)" = 4 ] \
    && ok "progress: 4 KPIs over 12 months" || not_ok "progress: 4 KPIs over 12 months"
for s in "Red" "Amber" "Green" "Complete" "Not started" "Direction of travel since the last report" \
         "Changes since the last report" "31 August 2025" "Overdue actions" "Table 1" \
         "Average caseload, assessment teams" "Improving" "Worsening" "Target met"; do
    contains "progress: $s" $t "$s"; done
# the table: from its caption to the next numbered section
# one line per table row: a row starts with its ref, cells wrap below it
sed -n '/^ *Table 1: Action plan/,/^ *5\. Performance indicators/p' $L |
    awk '/^ *[0-9]+\.[0-9]+ +[A-Z]/ {if (row) print row; row=$0; next}
         /^ *$/ || /Page [0-9]+ of/ {next}
         row {row=row " " $0} END {if (row) print row}' >$TMP/table.txt
bad=""
while IFS=$'\t' read -r ref label overdue; do
    rows=$(grep -cE "^ *${ref//./\\.} +[A-Z]" $TMP/table.txt)
    [ "$rows" = 1 ] || bad="$bad ref $ref appears $rows times;"
    row=$(grep -E "^ *${ref//./\\.} +[A-Z]" $TMP/table.txt | head -1)
    word=${label%% *}   # "Not started" may wrap after "Not"
    case "$row" in *" $word"*) ;; *) bad="$bad $ref lacks '$label';";; esac
    if [ "$overdue" = true ]; then
        case "$row" in *Overdue*) ;; *) bad="$bad $ref not marked Overdue;";; esac
    else
        case "$row" in *Overdue*) bad="$bad $ref wrongly marked Overdue;";; esac
    fi
done < <(jq -r '.action_plan as $p | $p.actions[] |
    [.ref, ({"red":"Red","amber":"Amber","green":"Green","complete":"Complete","not_started":"Not started"}[.status]),
     ((.due < $p.as_at) and (.status != "complete"))] | @tsv' $P)
[ -z "$bad" ] && ok "progress: every action ref exactly once in Table 1, its status word and overdue mark beside it" \
    || not_ok "progress: every action ref exactly once in Table 1 with its status word" "$bad"
[ "$(grep -c Overdue $TMP/table.txt)" = "$(jq '[.action_plan as $p | $p.actions[] | select(.due < $p.as_at and .status != "complete")] | length' $P)" ] \
    && ok "progress: Overdue only on overdue actions" || not_ok "progress: Overdue only on overdue actions" "$(grep Overdue $TMP/table.txt)"
# the RAG summary adds up: counts from the data, in the table
for st in red amber green complete not_started; do
    c=$(jq "[.action_plan.actions[] | select(.status == \"$st\")] | length" $P)
    lab=$(echo $st | sed 's/not_started/Not started/; s/^r/R/; s/^a/A/; s/^g/G/; s/^c/C/')
    grep -qE "^ *$lab +$c +[0-9]+%" $L && ok "progress: RAG summary $lab $c" || not_ok "progress: RAG summary $lab $c" "$(grep -E "^ *$lab " $L | head -2)"
done

# ---- charts --------------------------------------------------------------
# The template writes the numbers into ```chart blocks; check the expansion.
# Layout draws them as vector figures whose alt text comes from the numbers.
$QUIRE expand $P -t templates/progress-report.md >$TMP/progress.md 2>$TMP/expand.err
contains "chart: RAG bars carry the counts" $TMP/progress.md "bar: Red | $(jq '[.action_plan.actions[] | select(.status=="red")] | length' $P) | red"
[ "$(grep -c '^```chart' $TMP/progress.md)" = 5 ] && ok "chart: one RAG chart and one per KPI" \
    || not_ok "chart: one RAG chart and one per KPI" "$(grep -c '^```chart' $TMP/progress.md)"
[ "$(grep -c '^point: ' $TMP/progress.md)" = 48 ] && ok "chart: 12 points for each of 4 KPIs" \
    || not_ok "chart: 12 points for each KPI" "$(grep -c '^point: ' $TMP/progress.md)"
contains "chart: target line" $TMP/progress.md "target: 18"
$QUIRE render $P -t templates/progress-report.md --dump=pages >$TMP/progress.pages 2>/dev/null
red=$(jq '[.action_plan.actions[] | select(.status=="red")] | length' $P)
amber=$(jq '[.action_plan.actions[] | select(.status=="amber")] | length' $P)
grep -E '^elem [0-9]+ Figure .*alt="Bar chart: Actions by status' $TMP/progress.pages >$TMP/bar.alt
contains "chart: the RAG bar chart is a figure with alt text" $TMP/bar.alt "Red $red, Amber $amber"
[ "$(grep -cE '^elem [0-9]+ Figure .*alt="Line chart: ' $TMP/progress.pages)" = 4 ] \
    && ok "chart: four KPI line charts are figures with alt text" \
    || not_ok "chart: four KPI line charts with alt text" "$(grep -c 'Line chart' $TMP/progress.pages)"
n=$(grep -cE '^  (rect|path) Figure ' $TMP/progress.pages)
[ "$n" -ge 20 ] && ok "chart: bars and lines drawn as vector items ($n)" || not_ok "chart: drawn as vector items" "found $n"

# ---- invalid variants fail with located messages --------------------------
for f in tests/data/papers/invalid_*.json; do
    name=$(basename "$f" .json)
    case $name in invalid_figure_unknown_field) code=0 ;; *) code=1 ;; esac
    expect_exit "$name exits $code" $code $QUIRE check "$f" -t templates/panel-update.md
    if grep -qE "^$f:[0-9]+:[0-9]+: (error|warning): /" $TMP/last.err; then ok "$name: file:line:col and JSON pointer"
    else not_ok "$name: file:line:col and JSON pointer" "$(head -3 $TMP/last.err)"; fi
done
finish
