#!/usr/bin/env bash
# End-to-end: a character that neither the body face nor the fallback
# face (DejaVu Sans) has — rare CJK ideographs here — is a warning once per
# character per paper, at the template line that made it, wherever it is
# set: a heading, paragraphs, a table cell, a code block, a chart's labels
# (at the chart's fence) and the running header (named as such). The
# paper still renders, and the fallback's own symbols give no warning.
. "$(dirname "$0")/lib.sh"

mkdir -p $TMP/p
cat >$TMP/p/data.json <<'EOF'
{"a": "一", "b": "丁", "c": "丅", "d": "丏", "t": "丂"}
EOF
# line numbers matter: each check below names the template line
cat >$TMP/p/t.md <<'EOF'
# Report {{t}}

Para with {{a}} and {{a}} again; a phone ☎ from the fallback.

Second paragraph, {{a}} once more.

| A | B |
| --- | --- |
| {{b}} | {{a}} |

```
code {{c}} {{a}}
```

```chart
type: bar
title: Chart
bar: One {{d}} | 3
bar: Two | 4
```
EOF
printf '{"header": {"left": "Council \xe4\xb8\x90 {title}"}}\n' >$TMP/p/style.json

expect_exit "a paper with characters no font has renders" 0 \
    $QUIRE render $TMP/p/data.json -t $TMP/p/t.md -s $TMP/p/style.json -o $TMP/p/out.pdf
cp $TMP/last.err $TMP/err
contains "heading: at the template line" $TMP/err "t.md:1:1: warning: no font has a glyph for U+4E02 '丂'"
contains "paragraph: at its template line" $TMP/err "t.md:3:1: warning: no font has a glyph for U+4E00 '一'"
contains "table cell: at the row's template line" $TMP/err "t.md:9:1: warning: no font has a glyph for U+4E01 '丁'"
contains "code block: at its template line" $TMP/err "t.md:11:1: warning: no font has a glyph for U+4E05 '丅'"
contains "chart label: at the chart's fence, said to be in a chart" $TMP/err \
    "t.md:15:1: warning: no font has a glyph for U+4E0F '丏' in a chart"
contains "running header: said to be there" $TMP/err \
    "warning: no font has a glyph for U+4E10 '丐' in the running header or footer"
# once per character per paper, though 一 is in four paragraphs, a cell and code
for cp in 4E00 4E01 4E02 4E05 4E0F 4E10; do
    n=$(grep -c "U+$cp" $TMP/err)
    if [ "$n" = 1 ]; then ok "U+$cp warned once"; else not_ok "U+$cp warned once" "warned $n times" "$(cat $TMP/err)"; fi
done
lacks "the fallback's ☎ gives no warning" $TMP/err "U+260E"
n=$(grep -c "warning:" $TMP/err)
[ "$n" = 6 ] && ok "six warnings in all" || not_ok "six warnings in all" "$n" "$(cat $TMP/err)"
check "the PDF passes qpdf --check" qpdf --check $TMP/p/out.pdf
pdftotext $TMP/p/out.pdf - >$TMP/p/out.txt
contains "the text keeps the character" $TMP/p/out.txt "Para with 一"

# each pass of a paper with a table of contents is laid out again: still
# one warning per character
{ echo "<!-- contents -->"; echo; cat $TMP/p/t.md; } >$TMP/p/toc.md
expect_exit "with a contents it renders" 0 $QUIRE render $TMP/p/data.json -t $TMP/p/toc.md -o $TMP/p/toc.pdf
n=$(grep -c "U+4E00" $TMP/last.err)
[ "$n" = 1 ] && ok "with a contents, still once per character" || not_ok "with a contents, still once per character" "$(cat $TMP/last.err)"
contains "with a contents, the lines are still the template's" $TMP/last.err "toc.md:5:1: warning: no font has a glyph for U+4E00"

finish
