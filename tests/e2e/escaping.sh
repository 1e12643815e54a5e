#!/usr/bin/env bash
# Property test of Markdown-safe escaping: 10,000 random strings built from
# Markdown's special characters go through {{x}} into a real PDF, and
# pdftotext must give each string back exactly, whitespace aside. Also every
# error path of the template stage, with its message and exit code.
. "$(dirname "$0")/lib.sh"
N=${ESCAPE_CASES:-10000}
python3 - "$TMP" "$N" <<'PY'
import json, random, sys
tmp, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(20261124)
atoms = ["*", "_", "#", "1.", "2)", "-", "+", ">", "[a](b)", "[", "]", "(", ")",
         "<b>", "</b>", "`", "``", "|", "&amp;", "&", ";", "\\", "!", "~", "~~",
         "=", ":", "http://x.y/z", "www.a.b", "a@b.co", "---", "***", "\n",
         "\n\n", " ", "  ", "\t", "word", "Ofsted", "£5", "’", "“", "”", "–",
         "{", "}", "%", "^", "$", "'", '"', "<!-- c -->", "&#42;", "&nbsp;"]
cases = []
for i in range(n):
    k = rnd.randint(1, 8)
    s = "".join(rnd.choice(atoms) for _ in range(k))
    cases.append(s)
json.dump({"xs": [{"i": i, "x": s} for i, s in enumerate(cases)]},
          open(tmp + "/cases.json", "w"), ensure_ascii=False)
PY
printf '{{#xs}}\nZQSTARTQZ{{i}} {{x}} ZQENDQZ\n\n{{/xs}}\n' >$TMP/escape.md
expect_exit "$N hostile values render" 0 $QUIRE render $TMP/cases.json -t $TMP/escape.md -o $TMP/escape.pdf
pdftotext -raw -enc UTF-8 $TMP/escape.pdf $TMP/escape.txt 2>$TMP/escape.err
if out=$(python3 - $TMP/cases.json $TMP/escape.txt <<'PY'
import json, re, sys
cases = json.load(open(sys.argv[1], encoding="utf-8"))["xs"]
text = open(sys.argv[2], encoding="utf-8").read()
text = re.sub(r"Page \d+ of \d+", "", text)
got = {}
for m in re.finditer(r"ZQSTARTQZ(\d+)(.*?)ZQENDQZ", text, re.S):
    got[int(m.group(1))] = m.group(2)
ws = re.compile(r"[\s\u00a0]+")
bad = []
for c in cases:
    want = ws.sub("", c["x"])
    have = ws.sub("", got.get(c["i"], "<missing>"))
    if want != have:
        bad.append("%d: %r -> %r" % (c["i"], c["x"], got.get(c["i"])))
if bad:
    print("%d of %d differ" % (len(bad), len(cases)))
    print("\n".join(bad[:10]))
    sys.exit(1)
print(len(cases))
PY
); then ok "all $out values come back from the PDF exactly (whitespace aside)"
else not_ok "values come back from the PDF exactly" "$out"; fi

# error paths of the template stage: message, place and exit code
mkdir -p $TMP/t/partials
printf '{"action_plan": {"as_at": "2026-11-01", "actions": []}}\n' >$TMP/d.json
printf '# Plan\n\nPosition at {{action_plan.as_at_long}}; owner {{action_plan.owner}}.\n' >$TMP/t/missing.md
expect_exit "missing name exits 1" 1 $QUIRE render $TMP/d.json -t $TMP/t/missing.md -o $TMP/x.pdf
contains "missing name: file:line:col and message" $TMP/last.err "missing.md:3:47: error: no value for 'action_plan.owner'"
contains "missing name: caret under the tag" $TMP/last.err "^"
lacks "found names are not reported" $TMP/last.err "as_at_long'"
[ ! -e $TMP/x.pdf ] && ok "no PDF after a template error" || not_ok "no PDF after a template error"
printf 'Optional: {{#paper.exempt}}exempt {{paper.exempt.reason}}{{/paper.exempt}}done\n' >$TMP/t/optional.md
expect_exit "section over an absent key is not an error" 0 $QUIRE check $TMP/d.json -t $TMP/t/optional.md --dump=md
contains "section over an absent key renders nothing" $TMP/last.out "Optional: done"
printf '{{#a}}open\n' >$TMP/t/unclosed.md
expect_exit "unclosed section exits 1" 1 $QUIRE check $TMP/d.json -t $TMP/t/unclosed.md
contains "unclosed section located" $TMP/last.err "unclosed.md:1:1: error:"
printf 'x {{>../escape}}\n' >$TMP/t/dotdot.md
expect_exit "partial escaping the tree exits 1" 1 $QUIRE check $TMP/d.json -t $TMP/t/dotdot.md
contains "partial escape located" $TMP/last.err "dotdot.md:1:3: error:"
printf 'x {{>nope}}\n' >$TMP/t/nopartial.md
expect_exit "missing partial exits 1" 1 $QUIRE check $TMP/d.json -t $TMP/t/nopartial.md
contains "missing partial names what was looked for" $TMP/last.err "nope.md"
ln -sf /etc/passwd $TMP/t/partials/evil.md
printf 'x {{>partials/evil}}\n' >$TMP/t/symlink.md
expect_exit "symlink out of the tree exits 1" 1 $QUIRE check $TMP/d.json -t $TMP/t/symlink.md
contains "symlink escape located" $TMP/last.err "symlink.md:1:3: error:"
printf 'again {{>loop}}\n' >$TMP/t/loop.md
expect_exit "partial recursion is capped" 1 $QUIRE check $TMP/d.json -t $TMP/t/loop.md
contains "partial recursion message" $TMP/last.err "nested deeper than"
printf '{"paper": {"kind": "cabinet", "council": "C", "title": "T", "meeting": {"body": "Cabinet", "date": "2026-02-30"}}}\n' >$TMP/baddate.json
expect_exit "invalid date exits 1" 1 $QUIRE check $TMP/baddate.json -t $TMP/t/optional.md
contains "invalid date names JSON path and place" $TMP/last.err "baddate.json:1:"
contains "invalid date JSON path" $TMP/last.err "/paper/meeting/date"
printf 'bad \xff byte\n' >$TMP/t/utf8.md
expect_exit "invalid UTF-8 template exits 1" 1 $QUIRE check -t $TMP/t/utf8.md
contains "invalid UTF-8 byte offset" $TMP/last.err "byte offset 4"
# --spec follows the spec exactly: HTML escaping, missing names empty
printf '{"x": "<b>&"}\n' >$TMP/s.json
printf '[{{x}}][{{missing}}][{{{x}}}]\n' >$TMP/s.mustache
expect_exit "expand --spec" 0 $QUIRE expand $TMP/s.json -t $TMP/s.mustache --spec
contains "spec mode HTML-escapes and leaves missing names empty" $TMP/last.out "[&lt;b&gt;&amp;][][<b>&]"
finish
