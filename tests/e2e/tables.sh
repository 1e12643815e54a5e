#!/usr/bin/env bash
# End-to-end checks of wide tables: the action-plan table of the sample
# progress paper and of a generated 40-action plan with long updates.
# Column widths: no word shorter than eight letters is hyphenated in a
# table cell, and no due date wraps. Split rows: a page before a table
# continues leaves at most 15% of its text area blank, the continued part
# of a row is marked "(continued)", and pdftotext -raw still reads every
# word of the expanded Markdown once, in order.
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

# ---- rows split across pages ----
for name in sample plan40; do
    data=samples/progress-harwood-action-plan.json
    [ $name = plan40 ] && data=$TMP/plan40.json
    if out=$(python3 - $TMP/$name.dump <<'PY'
import re, sys
# the default style: A4, margins of 25 mm top and bottom; each page's
# own height (the action table is on landscape pages)
top = 70.87
pages, cur = [], None
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("page "):
        bottom = float(line.split()[4]) - 70.87
        cur = {"bottom": top, "cont": False, "marker": False,
               "foot": bottom}
        pages.append(cur)
        continue
    t = line.split()
    if not t or cur is None:
        continue
    kind = t[0]
    nums = [float(x) for x in re.findall(r"(?<![\w\"])-?\d+\.\d+", line.split('"')[0])]
    if kind == "text":
        y = nums[1] + 0.25 * float(re.search(r" s(\S+)", line).group(1))
        if '"Ref"' in line and t[1] == "Artifact" and nums[1] < top + 30:
            cur["cont"] = True
        if "(continued)" in line:
            cur["marker"] = True
    elif kind == "line":
        y = max(nums[1], nums[3])
    elif kind == "rect":
        y = nums[1] + nums[3]
    else:
        continue
    if y <= cur["foot"] + 0.5:
        cur["bottom"] = max(cur["bottom"], y)
worst, conts, markers = 0.0, 0, 0
for a, b in zip(pages, pages[1:]):
    if b["cont"]:
        conts += 1
        worst = max(worst, (a["foot"] - a["bottom"]) / (a["foot"] - top))
    markers += b["marker"]
print("%d continuations, %d rows continued, worst blank %.1f%%" % (conts, markers, 100 * worst))
sys.exit(0 if worst <= 0.15 and conts > 0 and (markers > 0 or sys.argv[1].endswith("sample.dump")) else 1)
PY
); then ok "$name: pages before a table continues are at most 15% blank ($out)"
    else not_ok "$name: pages before a table continues are at most 15% blank" "$out"; fi

    $QUIRE render $data -t $TPL --dump=md >$TMP/$name.md 2>/dev/null
    $QUIRE render $data -t $TPL -o $TMP/$name.pdf 2>/dev/null
    pdftotext -raw $TMP/$name.pdf $TMP/$name.txt
    if out=$(python3 - $TMP/$name.md $TMP/$name.txt <<'PY'
import re, sys, difflib
src = open(sys.argv[1], encoding="utf-8").read()
# chart blocks are drawn, not read as their source: their words may
# appear as labels, anywhere
charts = set(" ".join(re.findall(r"(?ms)^```chart$.*?^```$", src)).split())
src = re.sub(r"(?ms)^```chart$.*?^```$", "", src)
src = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", src)     # links
words, headers = [], set()
lines = src.splitlines()
for i, line in enumerate(lines):
    if re.match(r"^\s*\|?\s*:?-{3,}", line):      # table delimiter row
        continue
    if re.fullmatch(r"\s*<!--.*-->\s*", line):      # a page directive
        continue
    if i + 1 < len(lines) and re.match(r"^\s*\|?\s*:?-{3,}", lines[i + 1]):
        headers.add(" ".join(line.replace("|", " ").split()))
    if re.match(r"^\s*#+\s+", line):
        line = re.sub(r"^\s*#+\s+", "", line)
    else:
        line = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line)
    line = line.replace("**", "").replace("|", " ")
    line = re.sub(r"(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)", "", line)
    words += line.split()
toks, seen = [], set()
for line in open(sys.argv[2], encoding="utf-8").read().splitlines():
    if re.fullmatch(r"\s*Page \d+ of \d+\s*", line):
        continue
    if re.search(r"\(continued\)$", line):          # the split-row marker
        continue
    key = " ".join(line.split())
    if key in headers:
        if key in seen:                               # a repeated header row
            continue
        seen.add(key)
    t = line.split()
    if toks and toks[-1].endswith("\u00ad") and t:
        toks[-1] = toks[-1][:-1] + t[0]              # inserted hyphen
        t = t[1:]
    elif toks and toks[-1].endswith(("-", "\u2013")) and t and \
            not toks[-1].endswith("--") and len(toks[-1]) > 1:
        toks[-1] = toks[-1] + t[0]                   # typed hyphen at a line end
        t = t[1:]
    toks += t
norm = lambda w: w.replace("-", "")
a = [norm(w) for w in words]
b = [norm(w) for w in toks]
# Every source word once, in order. A row split over a page is read a
# page at a time: the lines of its cells on the next page come after the
# lines of all its cells on this one, so there a run of a cell's words
# moves, whole and in order, a little later; nothing else may move. The
# PDF may add only what the source does not spell (list numbers, a
# chart's labels).
def diff(a, b):
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    dels, ins = [], []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag in ("delete", "replace"):
            dels.append((i1, j1, a[i1:i2]))
        if tag in ("insert", "replace"):
            ins.append((j1, b[j1:j2]))
    return dels, ins
# A moved run whose words also stand next to it (an action "… 24 newly
# qualified social workers" beside an update "24 newly qualified social
# workers in post") can mislead the alignment into matching the wrong
# copy. Such a run, found whole and in order a little later, is cut from
# both sides and the two compared again.
moved = 0
for _ in range(50):
    dels, ins = diff(a, b)
    cut = None
    for i, at, d in dels:
        if any(j >= at and j - at < 800 and w[:len(d)] == d for j, w in ins):
            continue
        for p in range(at, min(len(b) - len(d), at + 800) + 1):
            if b[p:p + len(d)] == d:
                cut = (i, p, len(d))
                break
        if cut:
            break
    if not cut:
        break
    i, p, n = cut
    a, b = a[:i] + a[i + n:], b[:p] + b[p + n:]
    moved += 1
extra = lambda w: re.fullmatch(r"[\d.%•◦–]+", w) or w in charts or \
    w.lower() in charts or w.lower() + ":" in charts
bad = []
for _, at, d in dels:
    # the moved words: the start of a later insertion, within a page or so
    for k, (j, w) in enumerate(ins):
        if j >= at and j - at < 800 and w[:len(d)] == d:
            ins[k] = (j, w[len(d):])
            moved += 1
            break
    else:
        bad.append(("lost or out of order", d[:8]))
for j, w in ins:
    if any(not extra(x) for x in w):
        bad.append(("added", [x for x in w if not extra(x)][:8]))
if bad or len(b) < len(a):
    for x in bad[:8]:
        print(*x)
    sys.exit(1)
print("%d words (%d runs moved by split rows)" % (len(a), moved))
PY
); then ok "$name: pdftotext -raw reads all $out in order"
    else not_ok "$name: pdftotext -raw reads every word in order" "$out"; fi
done

finish
