#!/usr/bin/env bash
# End-to-end checks of wide tables: the action-plan table of the sample
# progress paper and of a generated 40-action plan with long updates.
# Column widths: no word shorter than eight letters is hyphenated in a
# table cell, and no due date wraps.
. "$(dirname "$0")/lib.sh"
TPL=templates/progress-report.md
python3 tests/e2e/plan40.py $TMP/plan40.json

# cells NAME DUMP: every table cell's lines (from --dump=pages), one cell
# per line, lines joined by '\n' (a literal backslash-n)
cells_py='
import re, sys, collections
cells = collections.OrderedDict()
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"\s*text (TD|TH) e(\d+) \S+ \S+ .*?\"(.*)\"$", line)
    if m:
        cells.setdefault(m.group(2), []).append(m.group(3))
'

for name in sample plan40; do
    data=samples/progress-harwood-action-plan.json
    [ $name = plan40 ] && data=$TMP/plan40.json
    $QUIRE render $data -t $TPL --dump=pages >$TMP/$name.dump 2>$TMP/$name.err
    if out=$(python3 - $TMP/$name.dump <<PY
$cells_py
bad = []
for e, lines in cells.items():
    for a, b in zip(lines, lines[1:]):
        if a.endswith("\u00ad"):
            w = re.findall(r"[A-Za-z’']+$", a[:-1])
            w2 = re.findall(r"^[A-Za-z’']+", b)
            word = (w[0] if w else "") + (w2[0] if w2 else "")
            letters = sum(ch.isalpha() for ch in word)
            if letters < 8:
                bad.append(word)
if bad:
    print("hyphenated:", bad[:10]); sys.exit(1)
print(sum(len(v) for v in cells.values()))
PY
); then ok "$name: no word under 8 letters hyphenated in a table cell ($out cell lines)"
    else not_ok "$name: no word under 8 letters hyphenated in a table cell" "$out"; fi

    if out=$(python3 - $TMP/$name.dump <<PY
$cells_py
months = "Jan|Feb|Mar|Apr|May|June|July|Aug|Sept|Oct|Nov|Dec"
bad = []
n = 0
for e, lines in cells.items():
    for a, b in zip(lines, lines[1:]):
        if (re.search(r"(^|\s)\d{1,2}$", a) and re.match(r"(%s)\b" % months, b)) or \
           (re.search(r"(^|\s)(%s)$" % months, a) and re.match(r"\d{4}\b", b)):
            bad.append(a + " / " + b)
    n += sum(len(re.findall(r"\b\d{1,2} (?:%s) \d{4}\b" % months, l)) for l in lines)
if bad or n < 40:
    print(n, "dates; wrapped:", bad[:6]); sys.exit(1)
print(n)
PY
); then ok "$name: no date wraps in a table cell ($out whole dates)"
    else not_ok "$name: no date wraps in a table cell" "$out"; fi
done

# the mostly empty Progress column of the 40-action plan is header-wide
if out=$(python3 - $TMP/plan40.dump <<'PY'
import re, sys
th = {}
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r'\s*text TH e\d+ (\S+) \S+ w(\S+) .*"(Progress|Update)"$', line)
    if m and m.group(3) not in th:
        th[m.group(3)] = (float(m.group(1)), float(m.group(2)))
# right-aligned: the column ends one padding (4 pt) after the header text
gap = th["Update"][0] - (th["Progress"][0] + th["Progress"][1])
print("%.2f" % gap)
sys.exit(0 if abs(gap - 8) < 0.1 else 1)
PY
); then ok "plan40: the Progress column is as wide as its header"
else not_ok "plan40: the Progress column is as wide as its header" "gap $out"; fi

finish
