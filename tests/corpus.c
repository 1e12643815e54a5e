/* corpus — renders every example of a CommonMark/GFM spec file through
 * parse → layout → pdf, in one process (so ASan/UBSan watch every example),
 * and writes for example N the PDF (N.pdf) and the characters its text must
 * keep (N.want: every non-space character of the document tree's text, in
 * order). tests/e2e/corpus.sh reads each PDF back with pdftotext.
 *
 * usage: corpus SPEC.txt OUTDIR
 * Prints "examples: N rendered, N failed-cleanly" and exits non-zero only
 * on an unexpected failure (an error that is not a missing image).
 */
#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/parse.h"
#include "quire/pdf.h"
#include "quire/style.h"
#include "quire/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_nospace(qr_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            qr_buf_putc(b, s[i]);
}

/* The text a reader must find in the PDF; images are drawn, not written,
 * so their alt text is left out. Returns 1 if the document has images. */
static int doc_text(const qr_doc *doc, qr_buf *out)
{
    int images = 0;
    const qr_block *b = qr_doc_root(doc);
    while (b) {
        if (b->kind == QR_BLK_CODE) put_nospace(out, b->literal, b->literal_len);
        for (size_t i = 0; i < b->nruns; i++) {
            if (b->runs[i].kind == QR_RUN_IMAGE) images = 1;
            else put_nospace(out, b->runs[i].text, b->runs[i].len);
        }
        if (b->first_child) {
            b = b->first_child;
            continue;
        }
        while (b && !b->next) b = b->parent;
        if (b) b = b->next;
    }
    return images;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: corpus SPEC.txt OUTDIR\n");
        return 2;
    }
    size_t len;
    char *spec = qr_read_file(argv[1], &len, 0);
    if (!spec) {
        perror(argv[1]);
        return 2;
    }
    qr_style style;
    qr_style_default(&style);
    qr_diags *fd = qr_diags_new();
    qr_fonts *fonts = qr_fonts_load(&style, fd);
    if (!fonts) {
        qr_diags_print(fd, stderr);
        return 2;
    }
    static const char fence[] = "```````````````````````````````` example";
    int n = 0, clean_fail = 0, bad = 0;
    qr_buf md, want;
    qr_buf_init(&md);
    qr_buf_init(&want);
    for (char *p = spec; (p = strstr(p, fence)) != NULL;) {
        if (p != spec && p[-1] != '\n') {
            p++;
            continue;
        }
        p = strchr(p, '\n');
        if (!p) break;
        p++;
        md.len = 0;
        while (*p && !(p[0] == '.' && (p[1] == '\n' || p[1] == '\0'))) {
            if (strncmp(p, "\xe2\x86\x92", 3) == 0) {   /* → stands for a tab */
                qr_buf_putc(&md, '\t');
                p += 3;
            } else {
                qr_buf_putc(&md, *p++);
            }
        }
        qr_buf_putc(&md, '\0');
        md.len--;
        n++;
        qr_diags *d = qr_diags_new();
        qr_doc *doc = qr_parse_markdown(md.data, md.len, "example", d);
        want.len = 0;
        int images = doc ? doc_text(doc, &want) : 0;
        qr_layout_opts lo = {.title = "", .meeting = "", .item = "",
                             .first_page = 1, .total_pages = 0};
        qr_pages *pages = doc ? qr_layout_run(doc, &style, qr_fonts_metrics(fonts),
                                              &lo, "example", d)
                              : NULL;
        char *pdf = NULL;
        size_t pdflen = 0;
        qr_pdf_meta meta = {.title = "example", .lang = "en-GB", .epoch = -1};
        bool rendered = pages && qr_pdf_render(pages, fonts, &meta, &pdf, &pdflen, d);
        if (rendered) {
            char *path = qr_xasprintf("%s/%d.pdf", argv[2], n);
            if (!qr_write_atomic(path, pdf, pdflen)) bad++;
            free(path);
            path = qr_xasprintf("%s/%d.want", argv[2], n);
            if (!qr_write_atomic(path, want.data ? want.data : "", want.len)) bad++;
            free(path);
        } else if (images) {
            clean_fail++;   /* an image file that does not exist: an error */
        } else {
            bad++;
            fprintf(stderr, "example %d failed:\n", n);
            qr_diags_print(d, stderr);
        }
        free(pdf);
        qr_pages_free(pages);
        qr_doc_free(doc);
        qr_diags_free(d);
    }
    printf("examples: %d, %d rendered, %d failed cleanly (missing images), %d failed\n",
           n, n - clean_fail - bad, clean_fail, bad);
    qr_buf_free(&md);
    qr_buf_free(&want);
    qr_fonts_free(fonts);
    qr_diags_free(fd);
    free(spec);
    return bad ? 1 : 0;
}
