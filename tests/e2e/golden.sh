#!/usr/bin/env bash
# Golden display lists: `quire render --dump=pages` of each tests/golden/*.md
# must equal the reviewed .pages file beside it (`make bless` rewrites them).
. "$(dirname "$0")/lib.sh"
for md in tests/golden/*.md; do
    want=${md%.md}.pages
    name=$(basename "$md" .md)
    # NAME.json beside it is the data, NAME.args more options (--draft)
    data=${md%.md}.json; args=${md%.md}.args
    [ -f "$data" ] || data=
    if ! $QUIRE render $data -t "$md" $([ -f "$args" ] && cat "$args") --dump=pages \
            >"$TMP/$name.pages" 2>"$TMP/$name.err"; then
        not_ok "golden $name renders" "$(head -5 "$TMP/$name.err")"; continue
    fi
    if [ ! -f "$want" ]; then not_ok "golden $name has a blessed .pages file"; continue; fi
    if diff -u "$want" "$TMP/$name.pages" >"$TMP/$name.diff"; then ok "golden $name display list unchanged"
    else not_ok "golden $name display list unchanged (make bless, then review git diff)" "$(head -20 "$TMP/$name.diff")"; fi
done
finish
