#!/usr/bin/env bash
# make bless: rewrite the golden display lists in tests/golden/ from the
# current build, after showing what would change.
#
# Every tests/golden/*.md is rendered with --dump=pages (with NAME.json as
# its data and the options in NAME.args when they exist); the diff against
# its .pages file is printed for each one that would change. Then:
#   BLESS=1 make bless        writes every changed .pages file;
#   make bless (a terminal)   asks before writing;
#   make bless (otherwise)    writes nothing and exits 1 if anything would
#                             change (0 when every golden file is current).
# A golden file that fails to render stops the run before anything is
# written. Review the result with git diff tests/golden before committing.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BLESS=${BLESS:-}
new=$(mktemp -d)
trap 'rm -rf "$new"' EXIT

changed=()
for md in tests/golden/*.md; do
    [ -e "$md" ] || { echo "bless: no tests/golden/*.md" >&2; exit 2; }
    want=${md%.md}.pages
    got=$new/$(basename "$want")
    # NAME.json beside it is the data, NAME.args more options (--draft)
    data=${md%.md}.json; args=${md%.md}.args
    [ -f "$data" ] || data=
    if ! "$BUILD/quire" render $data -t "$md" $([ -f "$args" ] && cat "$args") --dump=pages \
            >"$got" 2>"$got.err"; then
        echo "bless: $md does not render; nothing written:" >&2
        head -10 "$got.err" >&2
        exit 2
    fi
    if [ -f "$want" ] && cmp -s "$want" "$got"; then
        echo "unchanged $want"
        continue
    fi
    if [ -f "$want" ]; then
        diff -u --label "a/$want" --label "b/$want" "$want" "$got"
    else
        diff -u --label /dev/null --label "b/$want" /dev/null "$got"
    fi
    changed+=("$want")
done

if [ ${#changed[@]} = 0 ]; then
    echo "bless: every golden file is current; nothing to write"
    exit 0
fi
echo "bless: ${#changed[@]} golden file(s) would change: ${changed[*]}"
if [ "$BLESS" != 1 ]; then
    if [ -t 0 ] && [ -t 1 ]; then
        printf 'Write them? [y/N] '
        read -r answer || answer=
        case $answer in y|Y|yes|YES) ;; *) echo "bless: nothing written"; exit 1;; esac
    else
        echo "bless: nothing written (BLESS=1 make bless writes them)"
        exit 1
    fi
fi
for want in "${changed[@]}"; do
    cp "$new/$(basename "$want")" "$want"
    echo "blessed $want"
done
