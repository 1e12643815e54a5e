#!/usr/bin/env bash
# Regenerate the PDF appendices of the Cabinet sample meeting
# (samples/meetings/cabinet-2018-06-21.json, item 8) from their Markdown
# sources in samples/meetings/appendices/, with Quire itself:
#   ofsted-letter.md   + letter-style.json -> ofsted-letter.pdf   (Appendix A:
#                        a four-page letter whose last page, the annex, is
#                        A4 landscape: <!-- landscape --> in the Markdown)
#   placement-costs.md + costs-style.json  -> placement-costs.pdf (Appendix B,
#                        exempt under paragraph 3: one landscape page)
# The PDFs are committed beside their sources so that a clone can build the
# pack without building them first; run this after editing a source:
#   scripts/sample-appendices.sh [path/to/quire]     (make sample-appendices)
# then rerun the end-to-end tests that read the Cabinet pack (docs/meeting.md,
# "PDF appendices"). SOURCE_DATE_EPOCH fixes the PDFs' dates, so an unchanged
# source gives the same bytes.
set -eu
QUIRE=${1:-build/quire}
cd "$(dirname "$0")/.."
A=samples/meetings/appendices
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1528329600}   # 7 June 2018
"$QUIRE" render -t $A/ofsted-letter.md -s $A/letter-style.json -o $A/ofsted-letter.pdf
"$QUIRE" render -t $A/placement-costs.md -s $A/costs-style.json -o $A/placement-costs.pdf
echo "  $A/ofsted-letter.pdf"
echo "  $A/placement-costs.pdf"
