#!/usr/bin/env bash
# End-to-end: an inspection's judgements follow its own framework. A 2012
# inspection of arrangements for the protection of children prints
# Ofsted's 2012 names and grades ("Adequate"); a framework Quire does not
# know, described in the data, prints in its report's words with no
# warning; a grade the framework does not give is a located error with a
# did-you-mean hint, and so are judgements on an ungraded visit; a
# capitalised or spaced status, polarity or kind gets the same hint.
. "$(dirname "$0")/lib.sh"

TPL=templates/panel-update.md

# paper: the smallest panel paper; inspection: JSON for /inspection
paper() {
    cat <<JSON
{"paper": {"kind": "panel", "council": "Harwood Borough Council",
           "title": "Ofsted inspection of arrangements to protect children",
           "meeting": {"body": "Children's Services Scrutiny Panel", "date": "2013-05-14"}},
 "inspection": $1}
JSON
}

# ---- a 2012 protection-of-children inspection -------------------------------
paper '{"type": "protection_of_children", "dates": ["2013-03-11", "2013-03-20"],
        "judgements": [
          {"area": "overall_effectiveness", "grade": "adequate"},
          {"area": "help_and_protection", "grade": "adequate"},
          {"area": "quality_of_practice", "grade": "inadequate"},
          {"area": "leadership", "grade": "good"}]}' >$TMP/p2012.json
expect_exit "2012 inspection renders" 0 $QUIRE render $TMP/p2012.json -t $TPL -o $TMP/p2012.pdf
[ -s "$TMP/last.err" ] && not_ok "2012: no diagnostics" "$(head -5 $TMP/last.err)" || ok "2012: no diagnostics"
pdftotext $TMP/p2012.pdf - | tr '\n' ' ' | tr -s ' ' >$TMP/p2012.txt
for s in "Inspection of local authority arrangements for the protection of children" \
         "Adequate" "Quality of practice" "Leadership and governance" "Inadequate" \
         "11 to 20 March 2013"; do
    contains "2012: '$s'" $TMP/p2012.txt "$s"; done
lacks "2012: no ILACS wording" $TMP/p2012.txt "Requires improvement to be good"
lacks "2012: no raw code" $TMP/p2012.txt "quality_of_practice"

# ---- the same grade is not an ILACS grade -----------------------------------
sed 's/"protection_of_children"/"ILACS"/; s/"quality_of_practice"/"children_in_care"/' \
    $TMP/p2012.json >$TMP/ilacs-adequate.json
expect_exit "'adequate' under ILACS: exit 1" 1 $QUIRE render $TMP/ilacs-adequate.json -t $TPL -o $TMP/x.pdf
contains "'adequate' under ILACS: located at the grade" $TMP/last.err \
    "ilacs-adequate.json:6:54: error: /inspection/judgements/0/grade: 'adequate' is not a grade of the ILACS framework"
contains "… names the framework's grades" $TMP/last.err \
    "(expected one of: outstanding, good, requires_improvement, inadequate)"
[ -e $TMP/x.pdf ] && not_ok "no PDF after the error" || ok "no PDF after the error"

# ---- a near miss gets a hint --------------------------------------------------
sed 's/"grade": "good"/"grade": "Good"/' $TMP/p2012.json >$TMP/near.json
expect_exit "'Good' (capitalised): exit 1" 1 $QUIRE check $TMP/near.json -t $TPL
contains "'Good': did you mean 'good'?" $TMP/last.err \
    "near.json:9:43: error: /inspection/judgements/3/grade: 'Good' is not a grade of the protection_of_children framework: did you mean 'good'?"
sed 's/"quality_of_practice"/"children_in_care"/' $TMP/p2012.json >$TMP/area.json
expect_exit "an ILACS area in a 2012 inspection: exit 1" 1 $QUIRE check $TMP/area.json -t $TPL
contains "… names the 2012 areas" $TMP/last.err \
    "'children_in_care' is not a judgement area of the protection_of_children framework (expected one of: overall_effectiveness, help_and_protection, leadership, quality_of_practice)"

# ---- SIF: its own names, adoption graded within children looked after --------
paper '{"type": "SIF", "dates": ["2015-03-03", "2015-03-25"],
        "judgements": [
          {"area": "overall_effectiveness", "grade": "requires_improvement"},
          {"area": "children_in_care", "grade": "requires_improvement"},
          {"area": "adoption", "grade": "good"},
          {"area": "leadership", "grade": "requires_improvement"}]}' >$TMP/sif.json
expect_exit "SIF renders" 0 $QUIRE render $TMP/sif.json -t $TPL -o $TMP/sif.pdf
pdftotext $TMP/sif.pdf - | tr '\n' ' ' | tr -s ' ' >$TMP/sif.txt
for s in "Children looked after and achieving permanence" "Adoption performance" \
         "Leadership, management and governance" "Requires improvement"; do
    contains "SIF: '$s'" $TMP/sif.txt "$s"; done
lacks "SIF: not ILACS's 'to be good'" $TMP/sif.txt "Requires improvement to be good"

# ---- a framework Quire does not know ----------------------------------------
paper '{"type": "other", "dates": ["2008-11-10", "2008-11-21"],
        "framework": {"name": "Joint area review", "grades": ["1", "2", "3", "4"]},
        "judgements": [{"area": "Safeguarding", "grade": "2"},
                       {"area": "Looked after children", "grade": "3"}]}' >$TMP/other.json
expect_exit "unknown framework renders" 0 $QUIRE render $TMP/other.json -t $TPL -o $TMP/other.pdf
[ -s "$TMP/last.err" ] && not_ok "unknown framework: no warning" "$(head -5 $TMP/last.err)" \
    || ok "unknown framework: no warning"
pdftotext $TMP/other.pdf - | tr '\n' ' ' | tr -s ' ' >$TMP/other.txt
for s in "Inspection: Joint area review" "Looked after children"; do
    contains "unknown framework: '$s'" $TMP/other.txt "$s"; done
sed 's/"grade": "3"/"grade": "5"/' $TMP/other.json >$TMP/other5.json
expect_exit "unknown framework, grade not in its list: exit 1" 1 $QUIRE check $TMP/other5.json -t $TPL
contains "… names the data's grades" $TMP/last.err \
    "'5' is not a grade of Joint area review (expected one of: 1, 2, 3, 4)"
sed 's/"framework": {[^}]*},//' $TMP/other.json >$TMP/other-bare.json
expect_exit "type other without a framework: exit 1" 1 $QUIRE check $TMP/other-bare.json -t $TPL
contains "… asks for the framework" $TMP/last.err "an inspection of type 'other' needs its framework"

# ---- visits are not graded ------------------------------------------------------
paper '{"type": "monitoring_visit", "dates": ["2022-03-29"],
        "judgements": [{"area": "overall_effectiveness", "grade": "good"}]}' >$TMP/visit.json
expect_exit "graded monitoring visit: exit 1" 1 $QUIRE check $TMP/visit.json -t $TPL
contains "… is not graded" $TMP/last.err \
    "error: /inspection/judgements: an inspection of type 'monitoring_visit' (Monitoring visit) is not graded: remove its judgements"

# ---- near misses of other codes get the same hint --------------------------
jq '.action_plan.actions[0].status = "Green" | .action_plan.actions[1].status = "Not Started" |
    .kpis[0].polarity = "Higher_is_better" | .paper.kind = "Committee"' \
    samples/progress-harwood-action-plan.json >$TMP/near-codes.json
expect_exit "near-miss codes: exit 1" 1 $QUIRE check $TMP/near-codes.json -t templates/progress-report.md
for s in "/action_plan/actions/0/status: 'Green' is not a status: did you mean 'green'?" \
         "/action_plan/actions/1/status: 'Not Started' is not a status: did you mean 'not_started'?" \
         "/kpis/0/polarity: 'Higher_is_better' is not a polarity: did you mean 'higher_is_better'?" \
         "/paper/kind: 'Committee' is not a paper kind: did you mean 'committee'?"; do
    contains "hint: ${s%%:*}" $TMP/last.err "$s"; done

finish
