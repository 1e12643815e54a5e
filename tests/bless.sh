#!/usr/bin/env bash
# Rewrite the golden display lists in tests/golden/ from the current build.
# Review the diff (git diff tests/golden) before committing it.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
for md in tests/golden/*.md; do
    "$BUILD/quire" render -t "$md" --dump=pages >"${md%.md}.pages"
    echo "blessed ${md%.md}.pages"
done
