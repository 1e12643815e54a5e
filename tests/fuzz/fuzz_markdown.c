/* fuzz_markdown.c — libFuzzer target: Markdown → parse → layout with the
 * real fonts of the default house style (loaded once).
 *
 * Input: Markdown text. Checked: no crash, hang or leak; a failed parse or
 * layout says why; the tree and display list dump; every text item is
 * valid UTF-8 and every item's box is a finite number.
 */
#include "fuzz_common.h"

#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/parse.h"
#include "quire/style.h"
#include "quire/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static qr_style style;
static qr_fonts *fonts;
static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fonts = fuzz_default_fonts(&style);
    devnull = fopen("/dev/null", "w");
    if (!devnull) abort();
    return 0;
}

static void check_pages(const qr_pages *pages)
{
    for (size_t p = 0; p < qr_pages_count(pages); p++) {
        const qr_page *pg = qr_pages_get(pages, p);
        for (size_t i = 0; i < pg->nitems; i++) {
            const qr_item *it = &pg->items[i];
            if (!isfinite(it->x) || !isfinite(it->y) || !isfinite(it->w) ||
                !isfinite(it->h)) {
                fprintf(stderr, "page %zu item %zu: non-finite box\n", p, i);
                abort();
            }
            if (it->kind == QR_ITEM_TEXT && it->text &&
                qr_utf8_check(it->text, it->len) != (size_t)-1) {
                fprintf(stderr, "page %zu item %zu: invalid UTF-8\n", p, i);
                abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    qr_diags *diags = qr_diags_new();
    qr_doc *doc = qr_parse_markdown((const char *)d, n, "fuzz.md", diags);
    if (!doc) {
        if (qr_diags_count(diags, QR_ERROR) == 0) abort();
    } else {
        qr_doc_dump(doc, devnull);
        qr_layout_opts o = {.title = "Fuzz", .meeting = "Cabinet",
                            .item = "7", .first_page = 1, .total_pages = 0};
        qr_pages *pages = qr_layout_run(doc, &style, qr_fonts_metrics(fonts),
                                        &o, "fuzz.md", diags);
        if (!pages) {
            if (qr_diags_count(diags, QR_ERROR) == 0) abort();
        } else {
            check_pages(pages);
            qr_pages_dump(pages, devnull);
        }
        qr_pages_free(pages);
    }
    qr_diags_print(diags, devnull);
    qr_doc_free(doc);
    qr_diags_free(diags);
    return 0;
}
