#!/usr/bin/env bash
# bench/gen.sh — generates the inputs `make bench` times but the repository
# does not hold: expansion templates of a given size and pathological
# Markdown and templates. Deterministic (no randomness), plain POSIX tools.
#
# Usage:
#   bench/gen.sh template BYTES OUT.md     the cabinet template repeated to
#                                          about BYTES bytes (partials resolve
#                                          from OUT's directory)
#   bench/gen.sh patho KIND SCALE OUT      one pathological input, SCALE = 1
#                                          for the base size, 2 for
#                                          twice that (linearity check)
# KIND: lists quotes emphasis nospace table sections
set -eu
cd "$(dirname "$0")/.."

# repeat STRING COUNT: STRING written COUNT times, no separator.
repeat() {
    awk -v s="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'
}

gen_template() { # bytes out
    local want=$1 out=$2 body
    mkdir -p "$(dirname "$out")/partials"
    cp templates/partials/*.md "$(dirname "$out")/partials/"
    # The template without its leading comment, which names the file.
    body=$(awk 'skip && /}}/ { skip = 0; next } skip { next }
                NR == 1 && /^\{\{!/ { skip = !/}}/; next } { print }' \
               templates/cabinet-report.md)
    local one=$(( ${#body} + 1 ))
    local n=$(( (want + one / 2) / one ))
    [ "$n" -ge 1 ] || n=1
    : >"$out"
    # Doubling keeps this linear: append the file to itself.
    printf '%s\n' "$body" >"$out.one"
    local have=1
    cp "$out.one" "$out"
    while [ $((have * 2)) -le "$n" ]; do
        cat "$out" "$out" >"$out.tmp" && mv "$out.tmp" "$out"
        have=$((have * 2))
    done
    while [ "$have" -lt "$n" ]; do
        cat "$out.one" >>"$out"
        have=$((have + 1))
    done
    rm -f "$out.one"
}

gen_patho() { # kind scale out
    local kind=$1 k=$2 out=$3
    case "$kind" in
    lists)      # nested lists, 10,000 levels on one line ("- - - … x")
        { repeat '- ' $((10000 * k)); echo x; } >"$out" ;;
    quotes)     # nested block quotes, 10,000 levels
        { repeat '> ' $((10000 * k)); echo x; } >"$out" ;;
    emphasis)   # 10,000 emphasis openers that never close
        { echo '# Unclosed'; echo; repeat '*a _b ' $((5000 * k)); echo; } >"$out" ;;
    nospace)    # one paragraph of 1 MB with no space to break at
        { echo '# No spaces'; echo; repeat 'abcdefghij' $((104858 * k)); echo; } >"$out" ;;
    table)      # a 10,000-row, 5-column table
        { echo '# Table'; echo
          echo '| Ref | Action | Owner | Due | Status |'
          echo '| --- | --- | --- | --- | --- |'
          awk -v n=$((10000 * k)) 'BEGIN { for (i = 1; i <= n; i++)
              printf "| %d | Review case file %d | Team %d | 2024-%02d-01 | On track |\n",
                     i, i, i % 7, i % 12 + 1 }'
        } >"$out" ;;
    sections)   # 100,000 template sections (half over a present key)
        { echo '# Sections'; echo
          repeat '{{#paper.title}}T{{/paper.title}}{{#absent}}A{{/absent}} ' $((50000 * k))
          echo; } >"$out" ;;
    *) echo "gen.sh: unknown kind '$kind'" >&2; exit 2 ;;
    esac
}

case "${1:-}" in
template) gen_template "$2" "$3" ;;
patho) gen_patho "$2" "$3" "$4" ;;
*) echo "usage: bench/gen.sh template BYTES OUT | patho KIND SCALE OUT" >&2; exit 2 ;;
esac
