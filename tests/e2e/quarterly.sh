#!/usr/bin/env bash
# End-to-end: the quarterly performance sample (a children's services
# performance report to a scrutiny committee) renders with the committee
# template: quarterly and financial-year periods printed as GOV.UK writes
# them, figures with their units closed up in the table ("90%", "196
# plans", "£2.4m", never "90 %"), a chart per indicator spaced by time,
# and `make demo` and the sample manifest build it.
. "$(dirname "$0")/lib.sh"
. scripts/samples.sh

f=samples/committee-darlington-performance-indicators.json
tpl=$(template_for $f)
[ "$tpl" = templates/committee-report.md ] && ok "committee-* samples use the committee template" \
    || not_ok "committee-* samples use the committee template" "got '$tpl'"
expect_exit "quarterly sample renders" 0 $QUIRE render $f -t $tpl -o $TMP/q.pdf
[ -s $TMP/last.err ] && not_ok "quarterly sample: no diagnostics" "$(head -5 $TMP/last.err)" \
    || ok "quarterly sample: no diagnostics"
check "quarterly sample: qpdf --check" qpdf --check $TMP/q.pdf
pages=$(pdfinfo $TMP/q.pdf | sed -n 's/^Pages: *//p')
[ "${pages:-0}" -ge 2 ] && ok "quarterly sample: $pages pages" || not_ok "quarterly sample: at least 2 pages" "$pages"
pdftotext $TMP/q.pdf - | tr '\n' ' ' | tr -s ' ' >$TMP/q.txt
pdftotext -layout $TMP/q.pdf $TMP/q.layout
for s in "Darlington Borough Council" "Children and Young People Scrutiny Committee – 1 September 2025" \
         "5. Performance indicators" "April to June 2024" "July to September 2022" \
         "financial year 2024 to 2025" "12.9%" "23.1%" "140 plans" "196 plans" \
         "Q2 2019" "2024/25" "Target 90%" "Not met"; do
    contains "quarterly: '$s'" $TMP/q.txt "$s"; done
# units closed up in the table: "81%" and "90%", never with a space
grep -E '^ *Referrals screened and +90% +81%' $TMP/q.layout >/dev/null \
    && ok "quarterly table: target 90% and latest 81% in the row" \
    || not_ok "quarterly table: target 90% and latest 81% in the row" "$(grep -n 'Referrals screened' $TMP/q.layout)"
grep -qE '[0-9] %' $TMP/q.txt && not_ok "no space between a figure and its per cent sign" "$(grep -oE '.{20}[0-9] %' $TMP/q.txt | head -3)" \
    || ok "no space between a figure and its per cent sign"
lacks "no ISO period left" $TMP/q.txt "2024-Q2"
# what the report does not give is "Not set", never an invented "None"
contains "no background papers given: Not set" $TMP/q.txt "6. Background papers Not set 7. Author Not set"
# one chart per indicator, each a Figure with its text alternative
pdfinfo -struct-text $TMP/q.pdf >$TMP/q.struct 2>&1
n=$(grep -c "Figure" $TMP/q.struct)
[ "$n" -ge 4 ] && ok "four charts tagged as figures ($n)" || not_ok "four charts tagged as figures" "found $n"

# money closes up too: £2.4m, not "2.4 £m" or "£ 2.4m"
jq '.kpis = [{"id": "spend", "label": "Placement overspend", "unit": "£m", "target": 1.5,
              "polarity": "lower_is_better",
              "series": [{"period": "2024/25", "value": 2.9}, {"period": "2025/26", "value": 2.4}]}]' \
    $f >$TMP/money.json
expect_exit "money indicator renders" 0 $QUIRE render $TMP/money.json -t $tpl -o $TMP/m.pdf
pdftotext -layout $TMP/m.pdf $TMP/m.layout
grep -E '^ *Placement overspend +£1\.5m +£2\.4m .*£2\.9m' $TMP/m.layout >/dev/null \
    && ok "money: £1.5m target, £2.4m latest, £2.9m previous in the row" \
    || not_ok "money: £ figures closed up in the row" "$(grep -n 'overspend' $TMP/m.layout)"

# the demo and the sample manifest build it
if grep -q 'template_for' scripts/demo.sh; then ok "demo renders samples by template_for"; else not_ok "demo renders samples by template_for"; fi
expect_exit "sample manifest builds" 0 $QUIRE build samples/monthly.json --out $TMP/monthly
[ -s $TMP/monthly/committee/committee-darlington-performance-indicators.pdf ] \
    && ok "manifest: committee/committee-darlington-performance-indicators.pdf" \
    || not_ok "manifest builds the quarterly sample" "$(ls -R $TMP/monthly | head -20)"
finish
