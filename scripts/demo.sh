#!/usr/bin/env bash
# Render every sample into out/ (each paper as PDF and HTML) and print the
# paths. A sample is a JSON file
# in samples/ whose "template" is given by its name's prefix:
#   cabinet-*  -> templates/cabinet-report.md
# plus every samples/*.md as plain Markdown, and every meeting's packs.
set -eu
QUIRE=${1:-build/quire}
cd "$(dirname "$0")/.."
. scripts/samples.sh
mkdir -p out
status=0
render() { # out data template
    if "$QUIRE" render $2 -t "$3" -o "$1"; then
        echo "  $1"
    else
        echo "  FAILED: $1" >&2; status=1
    fi
}
# a paper's PDF and, beside it, its HTML copy (README "The HTML copy")
paper() { # out-without-extension data template
    render "$1.pdf" "$2" "$3"
    render "$1.html" "$2" "$3"
}
echo "Rendered:"
for f in samples/*.json; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .json)
    tpl=$(template_for "$f")
    [ -n "$tpl" ] && [ -f "$tpl" ] || continue
    paper "out/$name" "$f" "$tpl"
done
# three consecutive months of one plan: each follows the one before
# (docs/data.md "History"), the third shows the changes
for f in samples/history/*.json; do
    [ -e "$f" ] || continue
    mkdir -p out/history
    render "out/history/$(basename "$f" .json).pdf" "$f" templates/progress-report.md
done
for f in samples/*.md; do
    [ -e "$f" ] || continue
    paper "out/$(basename "$f" .md)" "" "$f"
done
# agenda packs: every meeting in samples/meetings/, as the public pack and
# the full (members') pack; a full pack holding exempt items goes to
# out/exempt/, apart from what may be published (README "Security and
# confidentiality")
echo "Packs:"
for f in samples/meetings/*.json; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .json)
    for kind in public full; do
        flag=""; dir=out
        [ $kind = public ] && flag="--public"
        if [ $kind = full ] && grep -q '"exempt"' "$f"; then
            dir=out/exempt; mkdir -p -m 700 $dir
        fi
        if "$QUIRE" pack "$f" -o "$dir/$name-$kind.pdf" $flag; then
            echo "  $dir/$name-$kind.pdf"
        else
            echo "  FAILED: $dir/$name-$kind.pdf" >&2; status=1
        fi
        # each supplementary agenda of papers published late, beside
        # its pack
        for n in $(grep -o '"supplement": *[0-9]*' "$f" | grep -o '[0-9]*$' | sort -un); do
            out="$dir/$name-supplement-$n-$kind.pdf"
            if "$QUIRE" pack "$f" --supplement "$n" -o "$out" $flag; then
                echo "  $out"
            else
                echo "  FAILED: $out" >&2; status=1
            fi
        done
    done
done
# minutes of every meeting with proceedings (public, and full: the full
# minutes of a meeting with private items go to out/exempt/ too), and the
# record of decisions of an executive meeting
echo "Minutes and decisions:"
record() { # command out meeting [flag]
    if "$QUIRE" "$1" "$3" -o "$2" ${4:-}; then
        echo "  $2"
    else
        echo "  FAILED: $2" >&2; status=1
    fi
}
for f in samples/meetings/*.json; do
    grep -q '"proceedings"' "$f" || continue
    name=$(basename "$f" .json)
    dir=out
    if grep -q '"exempt"\|"private"' "$f"; then
        dir=out/exempt; mkdir -p -m 700 $dir
    fi
    record minutes "out/$name-minutes-public.pdf" "$f" --public
    record minutes "$dir/$name-minutes-full.pdf" "$f"
    if grep -q '"decisions_template"' "$f"; then
        record decisions "out/$name-decisions.pdf" "$f"
    fi
done
exit $status
