#!/usr/bin/env bash
# gen.sh OUTDIR — write the pathological inputs: each must finish
# in time linear in its size (timed by `make bench`; tests/e2e/hardening.sh
# runs each once and checks the outcome, never the time).
#
# Writes OUTDIR/<case>.md (a template, or plain Markdown) and, for cases
# that need data, OUTDIR/<case>.json; and OUTDIR/cases.txt, one line per
# case:  NAME EXIT EXPECT   (EXIT: quire's exit status; EXPECT: text its
# stderr must contain, "-" for none). Run each as
#   quire render [OUTDIR/NAME.json] -t OUTDIR/NAME.md -o NAME.pdf
# Sizes scale with N (default 1; N=10 for a bench's large variant).
set -eu
out=${1:?usage: gen.sh OUTDIR [N]}
n=${2:-1}
mkdir -p "$out"
: >"$out/cases.txt"

rep() { # rep COUNT STRING: STRING COUNT times, no newline
    awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}
case_() { echo "$1 $2 $3" >>"$out/cases.txt"; }

# lists nested 10,000 deep on one line ("- - - x"): kept to 64 levels,
# deeper content flattened into the deepest with a warning
{ echo "# Nested lists"; echo; rep $((10000 * n)) "- "; echo "deepest item"; } >"$out/nested-lists.md"
case_ nested-lists 0 "nested more than 64 deep are flattened"

# block quotes nested 10,000 deep
{ echo "# Nested quotes"; echo; rep $((10000 * n)) "> "; echo "deepest quote"; } >"$out/nested-quotes.md"
case_ nested-quotes 0 "nested more than 64 deep are flattened"

# lists and quotes alternating, 5,000 of each
{ echo "# Lists in quotes"; echo; rep $((5000 * n)) "> - "; echo "deep"; } >"$out/nested-mixed.md"
case_ nested-mixed 0 "nested more than 64 deep are flattened"

# 10,000 unclosed emphasis markers of each kind (cmark's worst cases)
{ echo "# Emphasis"; echo; rep $((10000 * n)) "*a "; echo; echo
  rep $((10000 * n)) "_a "; echo; echo
  rep $((10000 * n)) "**a "; echo; echo
  rep $((5000 * n)) "*a _b "; echo; echo
  rep $((10000 * n)) "~~a "; echo; } >"$out/emphasis.md"
case_ emphasis 0 -

# 10,000 unclosed brackets and link openers
{ echo "# Brackets"; echo; rep $((10000 * n)) "["; echo; echo
  rep $((10000 * n)) "[a]("; echo; echo
  rep $((10000 * n)) "![a"; echo; echo
  rep $((10000 * n)) "<a "; echo; } >"$out/brackets.md"
case_ brackets 0 -

# nested brackets and emphasis, 5,000 deep, closed
{ echo "# Nested inlines"; echo; rep $((5000 * n)) "[*"; echo -n x; rep $((5000 * n)) "*](#u)"; echo; } >"$out/nested-inlines.md"
case_ nested-inlines 0 -

# a 1 MB paragraph with no spaces: broken anywhere, over many pages
{ echo "# One long word"; echo; rep $((100000 * n)) "abcdefghij"; echo; } >"$out/long-word.md"
case_ long-word 0 -

# a 1 MB paragraph of words with no line breaks in the source
{ echo "# One long paragraph"; echo; rep $((100000 * n)) "word word "; echo; } >"$out/long-paragraph.md"
case_ long-paragraph 0 -

# a 10,000-row table (rows split across pages, header repeated)
{ echo "# Big table"; echo; echo "| Ref | Action | Owner | Status |"; echo "| --- | --- | --- | --- |"
  awk -v n=$((10000 * n)) 'BEGIN { for (i = 1; i <= n; i++) printf "| %d.%d | Review the plan for item %d | Head of Service | Green |\n", i / 10, i % 10, i }'; } >"$out/table-rows.md"
case_ table-rows 0 -

# a table wider than the limit: an error, before cmark pads its rows
{ echo "# Wide table"; echo; echo -n "|"; rep 2000 " a |"; echo; echo -n "|"; rep 2000 "-|"; echo; rep $((20000 * n)) "x\n" | sed 's/\\n/\n/g'; } >"$out/table-wide.md"
case_ table-wide 1 "table has 2000 columns: more than the limit of 100"

# 100,000 template sections over a true value, and over a 1,000-item array
{ echo "# Sections"; echo; rep $((100000 * n)) '{{#on}}x {{/on}}'; echo; } >"$out/sections.md"
echo '{"on": true}' >"$out/sections.json"
case_ sections 0 -
{ echo "# Section over a list"; echo; echo '{{#items}}'; echo '- {{name}} is item {{n}}'; echo '{{/items}}'; } >"$out/section-array.md"
awk -v n=$((10000 * n)) 'BEGIN { printf "{\"items\": ["; for (i = 0; i < n; i++) printf "%s{\"name\": \"Item %d\", \"n\": %d}", (i ? "," : ""), i, i; print "]}" }' >"$out/section-array.json"
case_ section-array 0 -

# sections nested past the limit (256)
{ rep 300 '{{#on}}'; echo x; rep 300 '{{/on}}'; echo; } >"$out/sections-deep.md"
echo '{"on": true}' >"$out/sections-deep.json"
case_ sections-deep 1 "nested deeper than 256"

# partials that include each other twice: 2^31 expansions unless stopped
mkdir -p "$out/p"
for i in $(seq 0 30); do printf '{{>p/q%d}}{{>p/q%d}}' $((i + 1)) $((i + 1)) >"$out/p/q$i.md"; done
echo "leaf " >"$out/p/q31.md"
echo '{{>p/q0}}' >"$out/partials-doubling.md"
case_ partials-doubling 1 "template expansion too large"

# a partial that includes itself
echo 'again {{>self}}' >"$out/self.md"
case_ self 1 "partials nested deeper than 32"

# JSON nested 10,000 deep (the limit is 64)
{ rep $((10000 * n)) '{"a":'; echo -n 1; rep $((10000 * n)) '}'; echo; } >"$out/json-deep.json"
echo '# Deep data' >"$out/json-deep.md"
case_ json-deep 1 "nesting deeper than 64 levels"
