/* Unit tests for PDF appendices (appendix.c): every kind of bad file is
 * refused with a message naming the appendix and the file; a good file's
 * pages, sizes, rotation and tagging are read; and the pack's render draws an
 * imported page onto a placeholder while nothing active of the appendix
 * (JavaScript, /OpenAction, /AA, annotations, embedded files) reaches the
 * result. The PDFs are written here, object by object, with a computed
 * cross-reference table; the encrypted one is made with the qpdf tool. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/appendix.h"
#include "quire/diag.h"
#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/pdf.h"
#include "quire/style.h"
#include "quire/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char dir[] = "/tmp/quire-appendix-XXXXXX";
static qr_fonts *fonts;
static const char WHO[] = "item 8, appendix A";

/* ---- writing PDFs ---- */

typedef struct objs {
    char *o[2100];
    size_t n;
} objs;

static void add(objs *os, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add(objs *os, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    assert_true(vasprintf(&s, fmt, ap) >= 0);
    va_end(ap);
    os->o[os->n++] = s;
}

static void add_stream(objs *os, const char *dict, const char *data)
{
    add(os, "<< %s /Length %zu >>\nstream\n%s\nendstream", dict,
        strlen(data), data);
}

/* Objects 1..n in order, object 1 the catalogue; the file's bytes. */
static char *pdf_bytes(objs *os, size_t *len)
{
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b, "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
    size_t *off = calloc(os->n, sizeof *off);
    for (size_t i = 0; i < os->n; i++) {
        off[i] = b.len;
        qr_buf_printf(&b, "%zu 0 obj\n%s\nendobj\n", i + 1, os->o[i]);
        free(os->o[i]);
    }
    size_t xref = b.len;
    qr_buf_printf(&b, "xref\n0 %zu\n0000000000 65535 f \n", os->n + 1);
    for (size_t i = 0; i < os->n; i++)
        qr_buf_printf(&b, "%010zu 00000 n \n", off[i]);
    qr_buf_printf(&b, "trailer\n<< /Size %zu /Root 1 0 R >>\nstartxref\n%zu\n"
                      "%%%%EOF\n", os->n + 1, xref);
    free(off);
    os->n = 0;
    return qr_buf_detach(&b, len);
}

static char *put(const char *name, const char *data, size_t len)
{
    char *p = qr_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
    return p;
}

/* A one-font page showing `text` at 72,100, with the given MediaBox and
 * extra page keys. */
static void text_page(objs *os, size_t parent, const char *box,
                      const char *extra, const char *text, size_t *page)
{
    char content[256];
    snprintf(content, sizeof content,
             "BT /F1 18 Tf 72 100 Td (%s) Tj ET", text);
    add_stream(os, "", content);
    size_t c = os->n;
    add(os, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    size_t f = os->n;
    add(os, "<< /Type /Page /Parent %zu 0 R /MediaBox %s /Contents %zu 0 R "
            "/Resources << /Font << /F1 %zu 0 R >> >> %s >>",
        parent, box, c, f, extra);
    *page = os->n;
}

/* A good two-page appendix: page 1 A4 portrait, page 2 A4 landscape; the
 * catalogue carries `root_extra` (tagging, actions, files). */
static char *good_pdf(const char *name, const char *root_extra,
                      const char *page_extra)
{
    objs os = {.n = 0};
    add(&os, "<< /Type /Catalog /Pages 2 0 R %s >>", root_extra);
    add(&os, "PLACEHOLDER");
    size_t p1, p2;
    text_page(&os, 2, "[0 0 595 842]", page_extra, "Ofsted letter qzxPortrait",
              &p1);
    text_page(&os, 2, "[0 0 842 595]", "", "Ofsted table qzxLandscape", &p2);
    free(os.o[1]);
    os.o[1] = qr_xasprintf("<< /Type /Pages /Kids [%zu 0 R %zu 0 R] /Count 2 >>",
                           p1, p2);
    size_t len;
    char *pdf = pdf_bytes(&os, &len);
    char *p = put(name, pdf, len);
    free(pdf);
    return p;
}

/* ---- checking messages ---- */

static int has_diag(const qr_diags *d, qr_severity sev, const char *part)
{
    for (size_t i = 0; i < qr_diags_len(d); i++) {
        const qr_diag *g = qr_diags_get(d, i);
        if (g->severity == sev && strstr(g->message, part) &&
            strstr(g->message, WHO))
            return 1;
    }
    return 0;
}

/* Opening `path` fails with an error naming the appendix, the file and
 * `part`. */
static void refused(const char *path, const char *part)
{
    qr_diags *d = qr_diags_new();
    qr_appendix *a = qr_appendix_open(path, WHO, d);
    assert_null(a);
    if (!has_diag(d, QR_ERROR, part)) {
        for (size_t i = 0; i < qr_diags_len(d); i++)
            fprintf(stderr, "got: %s\n", qr_diags_get(d, i)->message);
        fail_msg("no error with '%s' for %s", part, path);
    }
    assert_true(has_diag(d, QR_ERROR, path));
    qr_diags_free(d);
}

/* ---- the tests ---- */

static void test_good_file_described(void **state)
{
    (void)state;
    char *p = good_pdf("good.pdf", "/MarkInfo << /Marked true >> "
                                   "/StructTreeRoot << /Type /StructTreeRoot >>",
                       "/Rotate 90");
    qr_diags *d = qr_diags_new();
    qr_appendix *a = qr_appendix_open(p, WHO, d);
    assert_non_null(a);
    /* tagged, but a tree with no elements has nothing to keep: its pages
     * stay figures, with a warning */
    assert_int_equal(qr_diags_len(d), 1);
    assert_true(has_diag(d, QR_WARNING, "its structure tree cannot be kept "
                                        "(it has no elements)"));
    assert_int_equal(qr_appendix_npages(a), 2);
    assert_true(qr_appendix_tagged(a));
    const qr_appendix_page *p1 = qr_appendix_page_at(a, 0);
    assert_int_equal(p1->rotate, 90);
    double w, h;
    /* turned a quarter: shown landscape */
    qr_appendix_page_size(a, 0, &w, &h);
    assert_true(w == 842 && h == 595);
    qr_appendix_page_size(a, 1, &w, &h);
    assert_true(w == 842 && h == 595);
    assert_int_equal(qr_appendix_page_at(a, 1)->rotate, 0);
    assert_null(qr_appendix_page_at(a, 2));
    qr_appendix_free(a);
    qr_diags_free(d);
    free(p);
}

static void test_untagged_warns(void **state)
{
    (void)state;
    char *p = good_pdf("untagged.pdf", "", "");
    qr_diags *d = qr_diags_new();
    qr_appendix *a = qr_appendix_open(p, WHO, d);
    assert_non_null(a);
    assert_false(qr_appendix_tagged(a));
    assert_true(has_diag(d, QR_WARNING, "not tagged"));
    assert_true(has_diag(d, QR_WARNING, p));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    qr_appendix_free(a);
    qr_diags_free(d);
    free(p);
}

static void test_not_a_pdf(void **state)
{
    (void)state;
    char *p = put("letter.pdf", "Dear Director,\n", 15);
    refused(p, "not a PDF");
    free(p);
    char *e = put("empty.pdf", "", 0);
    refused(e, "not a PDF");
    free(e);
    char *missing = qr_xasprintf("%s/absent.pdf", dir);
    refused(missing, "cannot read the file");
    free(missing);
    refused(dir, "cannot read the file: is a directory");
}

static void test_truncated_is_damaged(void **state)
{
    (void)state;
    char *good = good_pdf("whole.pdf", "", "");
    size_t len;
    char *bytes = qr_read_file(good, &len, 0);
    assert_non_null(bytes);
    /* cut inside the second page: the cross-reference table is lost and
     * a repair would silently drop what followed */
    char *p = put("truncated.pdf", bytes, len * 2 / 3);
    refused(p, "damaged");
    free(p);
    /* a corrupt content stream: the page would draw half its text */
    char *bad = put("badstream.pdf", bytes, len);
    free(bytes);
    objs os = {.n = 0};
    add(&os, "<< /Type /Catalog /Pages 2 0 R >>");
    add(&os, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    add(&os, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
             "/Contents 4 0 R >>");
    add_stream(&os, "/Filter /FlateDecode", "this is not deflate data");
    char *b2 = pdf_bytes(&os, &len);
    free(bad);
    bad = put("badstream.pdf", b2, len);
    free(b2);
    refused(bad, "damaged");
    free(bad);
    free(good);
}

static void test_encrypted(void **state)
{
    (void)state;
    char *plain = good_pdf("plain.pdf", "", "");
    char *user = qr_xasprintf("%s/user.pdf", dir);
    char *owner = qr_xasprintf("%s/owner.pdf", dir);
    char *cmd = qr_xasprintf("qpdf --encrypt secret secret 256 -- %s %s && "
                             "qpdf --encrypt '' owneronly 256 -- %s %s",
                             plain, user, plain, owner);
    assert_int_equal(system(cmd), 0);
    refused(user, "encrypted with a password");
    refused(owner, "encrypted (it opens without a password");
    free(cmd);
    free(user);
    free(owner);
    free(plain);
}

static void test_no_pages(void **state)
{
    (void)state;
    objs os = {.n = 0};
    add(&os, "<< /Type /Catalog /Pages 2 0 R >>");
    add(&os, "<< /Type /Pages /Kids [] /Count 0 >>");
    size_t len;
    char *b = pdf_bytes(&os, &len);
    char *p = put("nopages.pdf", b, len);
    free(b);
    refused(p, "no pages");
    free(p);
}

static void test_too_many_pages(void **state)
{
    (void)state;
    objs os = {.n = 0};
    add(&os, "<< /Type /Catalog /Pages 2 0 R >>");
    add(&os, "PLACEHOLDER");
    qr_buf kids;
    qr_buf_init(&kids);
    for (int i = 0; i < QR_APPENDIX_MAX_PAGES + 1; i++) {
        add(&os, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>");
        qr_buf_printf(&kids, "%zu 0 R ", os.n);
    }
    free(os.o[1]);
    os.o[1] = qr_xasprintf("<< /Type /Pages /Kids [%s] /Count %d >>",
                           kids.data, QR_APPENDIX_MAX_PAGES + 1);
    qr_buf_free(&kids);
    size_t len;
    char *b = pdf_bytes(&os, &len);
    char *p = put("many.pdf", b, len);
    free(b);
    refused(p, "2001 pages; an appendix may have at most 2000");
    free(p);
}

static void test_too_large(void **state)
{
    (void)state;
    /* sparse: no 200 MB are written, and none is read */
    char *p = put("huge.pdf", "%PDF-1.7\n", 9);
    assert_int_equal(truncate(p, (off_t)QR_APPENDIX_MAX_BYTES + 1), 0);
    refused(p, "larger than 200 MB");
    free(p);
}

/* zlib data of `n` zero bytes, made in 1 MB steps. */
static char *zeros_deflated(size_t n, size_t *len)
{
    static unsigned char mb[1 << 20];
    unsigned char out[1 << 16];
    qr_buf b;
    qr_buf_init(&b);
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit(&z, 9), Z_OK);
    int rc;
    do {
        size_t step = n < sizeof mb ? n : sizeof mb;
        n -= step;
        z.next_in = mb;
        z.avail_in = (uInt)step;
        do {
            z.next_out = out;
            z.avail_out = sizeof out;
            rc = deflate(&z, n ? Z_NO_FLUSH : Z_FINISH);
            qr_buf_append(&b, out, sizeof out - z.avail_out);
        } while (z.avail_out == 0);
    } while (n);
    assert_int_equal(rc, Z_STREAM_END);
    deflateEnd(&z);
    return qr_buf_detach(&b, len);
}

/* A one-page PDF whose content is one Flate stream of `zlen` bytes. */
static char *flate_page_pdf(const char *name, const char *z, size_t zlen)
{
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b, "%PDF-1.7\n");
    size_t o1 = b.len;
    qr_buf_puts(&b, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    size_t o2 = b.len;
    qr_buf_puts(&b, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\n"
                    "endobj\n");
    size_t o3 = b.len;
    qr_buf_puts(&b, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox "
                    "[0 0 595 842] /Contents 4 0 R >>\nendobj\n");
    size_t o4 = b.len;
    qr_buf_printf(&b, "4 0 obj\n<< /Filter /FlateDecode /Length %zu >>\n"
                      "stream\n", zlen);
    qr_buf_append(&b, z, zlen);
    qr_buf_puts(&b, "\nendstream\nendobj\n");
    size_t xref = b.len;
    qr_buf_printf(&b, "xref\n0 5\n0000000000 65535 f \n%010zu 00000 n \n"
                      "%010zu 00000 n \n%010zu 00000 n \n%010zu 00000 n \n"
                      "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%zu\n"
                      "%%%%EOF\n", o1, o2, o3, o4, xref);
    char *p = put(name, b.data, b.len);
    qr_buf_free(&b);
    return p;
}

static void test_decompression_bomb(void **state)
{
    (void)state;
    size_t zlen;
    char *z = zeros_deflated((size_t)QR_APPENDIX_MAX_CONTENT + 4096, &zlen);
    char *p = flate_page_pdf("bomb.pdf", z, zlen);
    free(z);
    refused(p, "page 1's content is larger than 256 MB once decompressed");
    free(p);
}

/* A Flate content stream that zlib reads to its end is not decoded again
 * by libqpdf; one cut short is, and is damage. */
static void test_flate_content_checked(void **state)
{
    (void)state;
    size_t zlen;
    char *z = zeros_deflated(200000, &zlen);
    char *good = flate_page_pdf("flate-whole.pdf", z, zlen);
    qr_diags *d = qr_diags_new();
    qr_appendix *a = qr_appendix_open(good, WHO, d);
    assert_non_null(a);
    assert_int_equal(qr_appendix_npages(a), 1);
    qr_appendix_free(a);
    qr_diags_free(d);
    char *cut = flate_page_pdf("flate-cut.pdf", z, zlen / 2);
    refused(cut, "damaged");
    free(cut);
    /* whole, but its checksum wrong: libdeflate's one call refuses it,
     * zlib's count then too, and libqpdf, decoding it whole, finds every
     * byte of content and no damage: taken, as before the quick count */
    z[zlen - 1] ^= 0x5A;
    char *sum = flate_page_pdf("flate-sum.pdf", z, zlen);
    d = qr_diags_new();
    a = qr_appendix_open(sum, WHO, d);
    assert_non_null(a);
    qr_appendix_free(a);
    qr_diags_free(d);
    free(sum);
    free(good);
    free(z);
    /* more than libdeflate's one call takes (1 MB): counted by zlib */
    z = zeros_deflated(3 * 1024 * 1024, &zlen);
    good = flate_page_pdf("flate-big.pdf", z, zlen);
    d = qr_diags_new();
    a = qr_appendix_open(good, WHO, d);
    assert_non_null(a);
    qr_appendix_free(a);
    qr_diags_free(d);
    free(good);
    free(z);
}

static void test_bad_page_box(void **state)
{
    (void)state;
    objs os = {.n = 0};
    add(&os, "<< /Type /Catalog /Pages 2 0 R >>");
    add(&os, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    add(&os, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 0 842] >>");
    size_t len;
    char *b = pdf_bytes(&os, &len);
    char *p = put("flat.pdf", b, len);
    free(b);
    refused(p, "page 1 has no usable MediaBox");
    free(p);
}

/* A pack of two placeholder pages (landscape), each with a footer; the
 * second is marked as the pack marks them: an empty Figure first, where
 * the imported page is to be drawn. */
static qr_pages *pack_pages(void)
{
    qr_pages *p = qr_pages_new();
    for (int k = 0; k < 2; k++) {
        size_t pg = qr_pages_add_page(p, 842, 595);
        if (k == 1) {
            qr_item fig = {0};
            fig.kind = QR_ITEM_RECT;
            fig.role = QR_ROLE_FIGURE;
            fig.elem = qr_pages_add_elem(p, QR_ROLE_FIGURE, -1,
                                         "Appendix A, page 2", NULL);
            fig.w = 842;
            fig.h = 595;
            qr_pages_add_item(p, pg, &fig);
        }
        qr_item t = {0};
        t.kind = QR_ITEM_TEXT;
        t.role = QR_ROLE_ARTIFACT;
        t.x = 72;
        t.y = 560;
        t.font = QR_FONT_REGULAR;
        t.size = 10;
        t.text = k ? "Page 3 of 3 qzxFooter" : "Page 2 of 3 qzxFooter";
        t.len = strlen(t.text);
        qr_pages_add_item(p, pg, &t);
    }
    return p;
}

/* The pack of pack_pages with the imported pages of pl drawn on it, as
 * pack_appendix.c writes it; NULL after an error. */
static char *merge(const qr_appendix_place *pl, size_t npl, size_t *len,
                   qr_diags *d)
{
    qr_pages *pages = pack_pages();
    qr_pdf_meta meta = {.title = "Pack", .epoch = 1782000000LL};
    char *out = NULL;
    *len = 0;
    qr_appendix_imports *im = qr_appendix_imports_new(pl, npl, "pack.pdf", d);
    if (im && !qr_pdf_render_imports(pages, fonts, &meta,
                                     qr_appendix_imports_pdf(im), &out, len,
                                     d))
        assert_null(out);
    qr_appendix_imports_free(im);
    qr_pages_free(pages);
    return out;
}

static char *run(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    qr_buf b;
    qr_buf_init(&b);
    char line[512];
    while (fgets(line, sizeof line, f)) qr_buf_puts(&b, line);
    pclose(f);
    size_t n;
    return qr_buf_detach(&b, &n);
}

/* A page whose content is split over two streams is decoded and
 * concatenated for its form, which the pack pass deflates; a single
 * Flate stream is kept as stored (appendix.sh reads such pages back). */
static void test_merge_split_content(void **state)
{
    (void)state;
    objs os = {.n = 0};
    add(&os, "<< /Type /Catalog /Pages 2 0 R >>");
    add(&os, "<< /Type /Pages /Kids [6 0 R] /Count 1 >>");
    add_stream(&os, "", "BT /F1 18 Tf 72 100 Td (qzxSplitOne) Tj");
    /* long enough (over 1 KB) that the pack pass deflates it */
    char two[2048] = "( qzxSplitTwo) Tj ET\n%";
    while (strlen(two) < 1500) strcat(two, " padding");
    add_stream(&os, "", two);
    add(&os, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    add(&os, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] "
             "/Contents [3 0 R 4 0 R] /Resources << /Font << /F1 5 0 R >> "
             ">> >>");
    size_t len, outlen;
    char *bytes = pdf_bytes(&os, &len);
    char *p = put("split.pdf", bytes, len);
    free(bytes);
    qr_diags *d = qr_diags_new();
    qr_appendix *a = qr_appendix_open(p, WHO, d);
    assert_non_null(a);
    qr_appendix_place pl[1] = {{0, a, 0}};
    char *out = merge(pl, 1, &outlen, d);
    assert_non_null(out);
    char *o = put("merged-split.pdf", out, outlen);
    char *cmd = qr_xasprintf("pdftotext -f 1 -l 1 %s -", o);
    char *text = run(cmd);
    /* both parts, in order */
    const char *one = strstr(text, "qzxSplitOne");
    assert_non_null(one);
    assert_non_null(strstr(one, "qzxSplitTwo"));
    free(text);
    free(cmd);
    cmd = qr_xasprintf(
        "qpdf --json=2 --json-key=qpdf %s | python3 -c 'import json, sys; "
        "o = json.load(sys.stdin)[\"qpdf\"][1]; "
        "f = [v[\"stream\"][\"dict\"] for v in o.values() if "
        "isinstance(v, dict) and \"stream\" in v and "
        "v[\"stream\"][\"dict\"].get(\"/Subtype\") == \"/Form\"]; "
        "print(\"forms\", len(f), [x.get(\"/Filter\") for x in f])'", o);
    char *forms = run(cmd);
    assert_non_null(strstr(forms, "forms 1 ['/FlateDecode']"));
    free(forms);
    free(cmd);
    free(o);
    free(out);
    qr_appendix_free(a);
    qr_diags_free(d);
    free(p);
}

static void test_merge_draws_and_strips(void **state)
{
    (void)state;
    /* everything active a PDF can carry, at the catalogue and the page */
    char *p = good_pdf(
        "active.pdf",
        "/OpenAction << /S /JavaScript /JS (app.alert\\('qzxOpenJS'\\)) >> "
        "/Names << /JavaScript << /Names [(x) << /S /JavaScript /JS "
        "(qzxNamedJS) >>] >> /EmbeddedFiles << /Names [(f.exe) << /Type "
        "/Filespec /F (qzxEmbedded.exe) >>] >> >>",
        "/Rotate 90 /AA << /O << /S /Launch /F (qzxLaunch.exe) >> >> "
        "/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A "
        "<< /S /JavaScript /JS (qzxAnnotJS) >> >>]");
    qr_diags *d = qr_diags_new();
    qr_appendix *a = qr_appendix_open(p, WHO, d);
    assert_non_null(a);
    size_t outlen;
    qr_appendix_place pl[2] = {{0, a, 0}, {1, a, 1}};
    char *out = merge(pl, 2, &outlen, d);
    assert_non_null(out);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    char *o = put("merged.pdf", out, outlen);
    char *cmd = qr_xasprintf("qpdf --check %s 2>&1", o);
    char *check = run(cmd);
    assert_non_null(strstr(check, "No syntax or stream encoding errors"));
    free(cmd);
    free(check);
    /* each placeholder shows its imported page and keeps its footer */
    for (int pg = 1; pg <= 2; pg++) {
        cmd = qr_xasprintf("pdftotext -f %d -l %d %s -", pg, pg, o);
        char *text = run(cmd);
        assert_non_null(strstr(text, pg == 1 ? "qzxPortrait" : "qzxLandscape"));
        assert_non_null(strstr(text, "qzxFooter"));
        free(text);
        free(cmd);
    }
    /* the rotated page is drawn upright: the placeholder has no /Rotate */
    cmd = qr_xasprintf("pdfinfo -f 1 -l 2 %s", o);
    char *info = run(cmd);
    assert_null(strstr(info, "rot:   90"));
    assert_non_null(strstr(info, "Page    1 size:  842 x 595"));
    free(info);
    free(cmd);
    /* nothing active survives, in any object, decompressed */
    cmd = qr_xasprintf("qpdf --qdf --object-streams=disable %s -", o);
    char *all = run(cmd);
    const char *gone[] = {"qzxOpenJS", "qzxNamedJS", "qzxEmbedded", "qzxLaunch",
                          "qzxAnnotJS", "/JavaScript", "/OpenAction", "/AA",
                          "/EmbeddedFiles", "/Annots", "/Launch"};
    for (size_t k = 0; k < sizeof gone / sizeof *gone; k++)
        if (strstr(all, gone[k])) fail_msg("'%s' reached the pack", gone[k]);
    /* unmarked: drawn first; marked: inside the Figure's sequence */
    assert_non_null(strstr(all, "stream\nq 0 -1 1 0 0 595 cm 1 0 0 1 -0.0000 "
                                "-0.0000 cm /X1 Do Q"));
    assert_non_null(strstr(all, "/Figure <</MCID 0>> BDC\nq 1 0 0 1 0 0 cm "
                                "1 0 0 1 -0.0000 -0.0000 cm /X1 Do Q"));
    free(all);
    free(cmd);
    /* identical input, identical bytes */
    size_t againlen;
    char *again = merge(pl, 2, &againlen, d);
    assert_non_null(again);
    assert_int_equal(againlen, outlen);
    assert_memory_equal(again, out, outlen);
    free(again);
    /* a placeholder that is not in the pack fails */
    qr_appendix_place bad = {5, a, 0};
    assert_null(merge(&bad, 1, &againlen, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    /* an appendix page it does not have fails, naming the output */
    qr_appendix_place none = {0, a, 7};
    assert_null(merge(&none, 1, &againlen, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 2);
    free(o);
    free(out);
    qr_appendix_free(a);
    qr_diags_free(d);
    free(p);
}

/* What the resources of an imported page refer to is copied, but never a
 * page, the catalogue or an action: a font that points back at the
 * catalogue must not bring its /OpenAction into the pack. */
static void test_merge_walk_refuses(void **state)
{
    (void)state;
    objs os = {.n = 0};
    add(&os, "<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript "
             "/JS (qzxOpenJS) >> >>");
    add(&os, "<< /Type /Pages /Kids [5 0 R] /Count 1 >>");
    add_stream(&os, "", "BT /F1 18 Tf 72 100 Td (qzxWalk) Tj ET");
    add(&os, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
             "/QzxBack 1 0 R /QzxPage 5 0 R /QzxName /A#20B "
             "/QzxAct << /S /JavaScript /JS (qzxResJS) >> "
             "/QzxKept [1 2.5 (qzxString) true null] /QzxData 6 0 R >>");
    add(&os, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] "
             "/Contents 3 0 R /Resources << /Font << /F1 4 0 R >> "
             "/ExtGState << /G 1 0 R >> >> >>");
    /* a stream whose data would come from another file */
    add_stream(&os, "/F (qzxOutside.bin) /FFilter /FlateDecode", "qzxInside");
    size_t len, outlen;
    char *bytes = pdf_bytes(&os, &len);
    char *p = put("walk.pdf", bytes, len);
    free(bytes);
    qr_diags *d = qr_diags_new();
    qr_appendix *a = qr_appendix_open(p, WHO, d);
    assert_non_null(a);
    qr_appendix_place pl[1] = {{0, a, 0}};
    char *out = merge(pl, 1, &outlen, d);
    assert_non_null(out);
    char *o = put("merged-walk.pdf", out, outlen);
    char *cmd = qr_xasprintf("qpdf --check %s 2>&1", o);
    char *check = run(cmd);
    assert_non_null(strstr(check, "No syntax or stream encoding errors"));
    free(check);
    free(cmd);
    cmd = qr_xasprintf("pdftotext %s -", o);
    char *text = run(cmd);
    assert_non_null(strstr(text, "qzxWalk"));
    free(text);
    free(cmd);
    cmd = qr_xasprintf("qpdf --qdf --object-streams=disable %s -", o);
    char *all = run(cmd);
    assert_null(strstr(all, "qzxOpenJS"));
    assert_null(strstr(all, "qzxResJS"));
    assert_null(strstr(all, "/JavaScript"));
    assert_null(strstr(all, "qzxOutside"));
    assert_null(strstr(all, "/FFilter"));
    assert_non_null(strstr(all, "qzxInside"));
    /* written as null, which drops the keys */
    assert_null(strstr(all, "/QzxBack"));
    assert_null(strstr(all, "/QzxPage"));
    assert_null(strstr(all, "/QzxAct"));
    const char *cat = strstr(all, "/Type /Catalog");
    assert_non_null(cat);
    assert_null(strstr(cat + 1, "/Type /Catalog"));     /* the pack's only */
    /* everything else as it was: names re-escaped, strings, numbers */
    assert_non_null(strstr(all, "/QzxName /A#20B"));
    assert_non_null(strstr(all, "/QzxKept [\n"));
    assert_non_null(strstr(all, "(qzxString)"));
    free(all);
    free(cmd);
    free(o);
    free(out);
    qr_appendix_free(a);
    qr_diags_free(d);
    free(p);
}

/* The pack's /ID takes in the appendix's bytes: two appendices that
 * differ only inside their pages give two IDs (the display list is the
 * same for both). */
static void test_merge_id_from_appendix(void **state)
{
    (void)state;
    char *ids[2];
    for (int k = 0; k < 2; k++) {
        char *name = qr_xasprintf("id%d.pdf", k);
        char *p = good_pdf(name, "", k ? "/QzxOther 1" : "");
        qr_diags *d = qr_diags_new();
        qr_appendix *a = qr_appendix_open(p, WHO, d);
        assert_non_null(a);
        qr_appendix_place pl[1] = {{0, a, 0}};
        size_t outlen;
        char *out = merge(pl, 1, &outlen, d);
        assert_non_null(out);
        char *o = put(name, out, outlen);
        char *cmd = qr_xasprintf("qpdf --show-object=trailer %s", o);
        ids[k] = run(cmd);
        assert_non_null(strstr(ids[k], "/ID"));
        free(cmd);
        free(o);
        free(out);
        qr_appendix_free(a);
        qr_diags_free(d);
        free(p);
        free(name);
    }
    assert_string_not_equal(ids[0], ids[1]);
    free(ids[0]);
    free(ids[1]);
}

static int setup(void **state)
{
    (void)state;
    qr_style st;
    qr_style_default(&st);
    qr_diags *d = qr_diags_new();
    fonts = qr_fonts_load(&st, d);
    qr_diags_free(d);
    return fonts && mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    qr_fonts_free(fonts);
    char *cmd = qr_xasprintf(getenv("QR_TEST_KEEP") ? "true %s" : "rm -rf %s", dir);
    int rc = system(cmd);
    free(cmd);
    return rc;
}

/* A one-page tagged appendix: content with two marked sequences (MCIDs 0
 * and 1), a string and inline image data that hold "/MCID n BDC" as bytes
 * (not marked content: the scan must skip them), and a tree Document > P
 * (MCID 0), Span (kid `span_kid`). */
static char *tagged_pdf(const char *name, const char *span_kid)
{
    objs os = {.n = 0};
    add(&os, "<< /Type /Catalog /Pages 2 0 R /MarkInfo << /Marked true >> "
             "/StructTreeRoot 6 0 R >>");
    add(&os, "<< /Type /Pages /Kids [5 0 R] /Count 1 >>");
    add_stream(&os, "",
               "/P <</MCID 0>> BDC BT /F1 18 Tf 72 100 Td "
               "(not /MCID 7 BDC \\) either) Tj ET EMC\n"
               "BI /W 11 /H 1 /BPC 8 /CS /G ID /MCID 9 BDC EI\n"
               "/Span <</MCID 1 /Q true>> BDC BT /F1 18 Tf 72 50 Td (s) Tj "
               "ET EMC");
    add(&os, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    add(&os, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
             "/Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>");
    add(&os, "<< /Type /StructTreeRoot /K 7 0 R /RoleMap << /Para /P >> "
             "/ClassMap << /Cls << /O /Layout /TextAlign /Center >> >> >>");
    add(&os, "<< /Type /StructElem /S /Document /P 6 0 R /K [8 0 R 9 0 R] >>");
    add(&os, "<< /Type /StructElem /S /Para /P 7 0 R /Pg 5 0 R /K 0 "
             "/Alt (x) /A << /O /Layout /SpaceAfter 6 /BBox [0 0 10.5 20] "
             "/Nested << /X 1 >> >> /C /Cls >>");
    add(&os, "<< /Type /StructElem /S /Span /P 7 0 R /Pg 5 0 R /K %s >>",
        span_kid);
    size_t len;
    char *pdf = pdf_bytes(&os, &len);
    char *p = put(name, pdf, len);
    free(pdf);
    return p;
}

static void test_tagged_tree_kept(void **state)
{
    (void)state;
    char *p = tagged_pdf("tagged.pdf", "1");
    qr_diags *d = qr_diags_new();
    qr_appendix *a = qr_appendix_open(p, WHO, d);
    assert_non_null(a);
    for (size_t i = 0; i < qr_diags_len(d); i++)
        fprintf(stderr, "got: %s\n", qr_diags_get(d, i)->message);
    assert_int_equal(qr_diags_len(d), 0);
    qr_appendix_place pl = {0, a, 0};
    qr_appendix_imports *x = qr_appendix_imports_new(&pl, 1, "pack.pdf", d);
    assert_non_null(x);
    const qr_pdf_graft *g = qr_appendix_imports_pdf(x)->v[0].graft;
    assert_non_null(g);
    /* Document nested in the pack is a Part; /Para reaches P by the
     * RoleMap; the P's MCID 0 and the Span's 1 are on import 0 */
    assert_int_equal(g->nelems, 3);
    assert_string_equal(g->elems[0].type, "Part");
    assert_string_equal(g->elems[1].type, "P");
    assert_string_equal(g->elems[2].type, "Span");
    assert_int_equal(g->elems[1].parent, 0);
    assert_int_equal(g->elems[1].text[QR_GRAFT_ALT].len, 1);
    /* its attributes: /A's plain entries (not /Nested), then its class's
     * object from the /ClassMap */
    const qr_pdf_graft_elem *pe = &g->elems[1];
    assert_int_equal(pe->nattrs, 9);
    size_t found = 0;
    for (size_t i = 0; i < pe->nattrs; i++) {
        const qr_pdf_attr *at = &pe->attrs[i];
        if (!at->key) continue;
        assert_true(strcmp(at->key, "Nested") != 0);
        if (strcmp(at->key, "BBox") == 0) {
            assert_int_equal(at->type, '[');
            assert_int_equal(at->n, 4);
            assert_true(pe->attrs[i + 3].num == 10.5);
            found++;
        } else if (strcmp(at->key, "SpaceAfter") == 0) {
            assert_true(at->type == 'r' && at->num == 6 && at->obj == 0);
            found++;
        } else if (strcmp(at->key, "TextAlign") == 0) {
            assert_true(at->type == 'n' && at->obj == 1);
            assert_string_equal(at->str.s, "Center");
            found++;
        }
    }
    assert_int_equal(found, 3);
    const qr_pdf_graft_kid *k = &g->kids[g->elems[2].kid];
    assert_int_equal(g->elems[2].nkids, 1);
    assert_int_equal(k->elem, -1);
    assert_int_equal(k->import, 0);
    assert_int_equal(k->mcid, 1);
    qr_appendix_imports_free(x);
    qr_appendix_free(a);
    qr_diags_free(d);
    free(p);
}

/* The tree names the MCID that only a string of the content holds, or
 * leaves a marked sequence unowned, or reaches an element twice: a
 * warning naming the fault, and the file is used as an untagged one. */
static void test_tagged_tree_refused(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"7", "the tree names MCID 7 on page 1, which its content does "
              "not have"},
        {"[]", "marked content MCID 1 on page 1 belongs to no element"},
        {"[1 7 0 R]", "is reached twice: a cycle"},
        {"<< /Type /MCR /MCID 1 /Pg 4 0 R >>",
         "a marked-content reference's /Pg is not one of its pages"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = tagged_pdf("tagged-bad.pdf", cases[i][0]);
        qr_diags *d = qr_diags_new();
        qr_appendix *a = qr_appendix_open(p, WHO, d);
        assert_non_null(a);
        if (!has_diag(d, QR_WARNING, cases[i][1]) ||
            !has_diag(d, QR_WARNING, "item 8, appendix A"))
            fail_msg("no warning '%s' for span kid %s", cases[i][1],
                     cases[i][0]);
        qr_appendix_place pl = {0, a, 0};
        qr_appendix_imports *x = qr_appendix_imports_new(&pl, 1, "pack.pdf",
                                                         d);
        assert_null(qr_appendix_imports_pdf(x)->v[0].graft);
        qr_appendix_imports_free(x);
        qr_appendix_free(a);
        qr_diags_free(d);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_file_described),
        cmocka_unit_test(test_untagged_warns),
        cmocka_unit_test(test_not_a_pdf),
        cmocka_unit_test(test_truncated_is_damaged),
        cmocka_unit_test(test_encrypted),
        cmocka_unit_test(test_no_pages),
        cmocka_unit_test(test_too_many_pages),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_bad_page_box),
        cmocka_unit_test(test_decompression_bomb),
        cmocka_unit_test(test_flate_content_checked),
        cmocka_unit_test(test_merge_draws_and_strips),
        cmocka_unit_test(test_merge_split_content),
        cmocka_unit_test(test_merge_walk_refuses),
        cmocka_unit_test(test_merge_id_from_appendix),
        cmocka_unit_test(test_tagged_tree_kept),
        cmocka_unit_test(test_tagged_tree_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
