/* fuzz_pipeline.c — libFuzzer target: the whole paper pipeline in memory,
 * from (data, template) to PDF bytes: load, validate, derive, expand
 * (Quire mode, strict), parse, layout with the real fonts, qr_pdf_render.
 *
 * Input: data JSON, FUZZ_SEP, template, optionally FUZZ_SEP and a JSON
 * object of in-memory partials (partials never come from files here).
 * Checked: no crash, hang or leak; every failure says why; a PDF starts
 * with "%PDF-" and ends with "%%EOF".
 */
#include "fuzz_common.h"

#include "quire/derive.h"
#include "quire/expand.h"
#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/load.h"
#include "quire/parse.h"
#include "quire/pdf.h"
#include "quire/style.h"
#include "quire/util.h"

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

static int must_say_why(qr_diags *d)
{
    if (qr_diags_count(d, QR_ERROR) == 0) abort();
    return 0;
}

static void run(const char **part, const size_t *len, size_t np,
                qr_diags *diags)
{
    qr_data *data = qr_data_parse(part[0], len[0], "fuzz.json", diags);
    if (!data) {
        must_say_why(diags);
        return;
    }
    qr_expansion *e = NULL;
    qr_doc *doc = NULL;
    qr_pages *pages = NULL;
    cJSON *partials = np == 3 ? cJSON_ParseWithLength(part[2], len[2]) : NULL;
    if (!cJSON_IsObject(partials)) {
        cJSON_Delete(partials);
        partials = cJSON_CreateObject();
    }
    if (!qr_data_validate(data, diags) || !qr_derive_run(data, diags)) {
        must_say_why(diags);
        goto done;
    }
    qr_expand_opts eo = {.spec = 0, .strict = 1, .partials = partials};
    e = qr_expand_string(part[1], len[1], "fuzz.md", qr_data_root(data), &eo,
                         diags);
    if (!e) {
        must_say_why(diags);
        goto done;
    }
    size_t mdlen;
    const char *md = qr_expansion_text(e, &mdlen);
    doc = qr_parse_markdown(md, mdlen, "(expanded markdown)", diags);
    if (!doc) {
        must_say_why(diags);
        goto done;
    }
    qr_layout_opts lo = {.title = "Fuzz", .meeting = "Cabinet", .item = "7",
                         .first_page = 1, .total_pages = 0};
    pages = qr_layout_run(doc, &style, qr_fonts_metrics(fonts), &lo,
                          "(expanded markdown)", diags);
    if (!pages) {
        must_say_why(diags);
        goto done;
    }
    qr_pdf_meta meta = {.title = "Fuzz", .author = "Quire", .subject = NULL,
                        .keywords = NULL, .lang = "en-GB", .epoch = 0};
    char *pdf = NULL;
    size_t pdflen = 0;
    if (!qr_pdf_render(pages, fonts, &meta, &pdf, &pdflen, diags)) {
        must_say_why(diags);
    } else {
        if (pdflen < 16 || memcmp(pdf, "%PDF-", 5) != 0 ||
            !memmem(pdf + pdflen - 16, 16, "%%EOF", 5))
            abort();
        free(pdf);
    }
done:
    qr_pages_free(pages);
    qr_doc_free(doc);
    qr_expansion_free(e);
    cJSON_Delete(partials);
    qr_data_free(data);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
    const char *part[3];
    size_t len[3];
    size_t np = fuzz_split(d, n, part, len, 3);
    if (np < 2) return 0;
    qr_diags *diags = qr_diags_new();
    run(part, len, np, diags);
    qr_diags_print(diags, devnull);
    qr_diags_free(diags);
    return 0;
}
