/* fuzz_image.c — libFuzzer target: image files, through layout (which reads
 * an image's size from its header) and the PDF writer (which decodes PNG
 * with libpng and hands JPEG to libharu).
 *
 * Input: the bytes of an image file (PNG or JPEG, or anything else). They
 * are written to a private temporary file that a one-line Markdown
 * document shows as ![figure](file). Checked: no crash, hang or leak, and
 * a failure says why.
 */
#include "fuzz_common.h"

#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/parse.h"
#include "quire/pdf.h"
#include "quire/style.h"
#include "quire/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static qr_style style;
static qr_fonts *fonts;
static char img_path[64];
static char *md;

static void remove_image(void)
{
    unlink(img_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fonts = fuzz_default_fonts(&style);
    snprintf(img_path, sizeof img_path, "/tmp/quire-fuzz-image-%ld.img",
             (long)getpid());
    /* images are files beside the template: the name, under /tmp */
    md = qr_xasprintf("# Image\n\n![A figure](%s)\n\nAfter the figure.\n",
                      img_path + strlen("/tmp/"));
    atexit(remove_image);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    FILE *f = fopen(img_path, "wb");
    if (!f) abort();
    if (n && fwrite(d, 1, n, f) != n) abort();
    fclose(f);
    qr_diags *diags = qr_diags_new();
    qr_doc *doc = qr_parse_markdown(md, strlen(md), "fuzz.md", diags);
    if (!doc) abort();
    qr_layout_opts lo = {.title = "Fuzz", .meeting = "", .item = "",
                         .first_page = 1, .total_pages = 0,
                         .base_dir = "/tmp"};
    qr_pages *pages = qr_layout_run(doc, &style, qr_fonts_metrics(fonts), &lo,
                                    "fuzz.md", diags);
    if (!pages) {
        if (qr_diags_count(diags, QR_ERROR) == 0) abort();
    } else {
        qr_pdf_meta meta = {.title = "Fuzz", .lang = "en-GB", .epoch = 0};
        char *pdf = NULL;
        size_t len = 0;
        if (!qr_pdf_render(pages, fonts, &meta, &pdf, &len, diags)) {
            if (qr_diags_count(diags, QR_ERROR) == 0) abort();
        }
        free(pdf);
    }
    qr_pages_free(pages);
    qr_doc_free(doc);
    qr_diags_free(diags);
    return 0;
}
