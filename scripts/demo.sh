#!/usr/bin/env bash
# Render every sample into out/ and print the paths. A sample is a JSON file
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
echo "Rendered:"
for f in samples/*.json; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .json)
    tpl=$(template_for "$f")
    [ -n "$tpl" ] && [ -f "$tpl" ] || continue
    render "out/$name.pdf" "$f" "$tpl"
done
for f in samples/*.md; do
    [ -e "$f" ] || continue
    render "out/$(basename "$f" .md).pdf" "" "$f"
done
# agenda packs: every meeting in samples/meetings/, as the public pack and
# the full (members') pack
echo "Packs:"
for f in samples/meetings/*.json; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .json)
    for kind in public full; do
        flag=""; [ $kind = public ] && flag="--public"
        if "$QUIRE" pack "$f" -o "out/$name-$kind.pdf" $flag; then
            echo "  out/$name-$kind.pdf"
        else
            echo "  FAILED: out/$name-$kind.pdf" >&2; status=1
        fi
    done
done
exit $status
