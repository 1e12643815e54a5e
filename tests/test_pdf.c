/* test_pdf.c — the pdf stage, checked by reading its PDFs back with qpdf and
 * poppler (qpdf --check, --json; pdffonts; pdftotext; pdfinfo).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <png.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/image.h"
#include "quire/pdf.h"
#include "quire/util.h"
#include "../pipeline/fontlib.h"
#include "../pipeline/pdf_pack.h"

#define A4_W 595.28f
#define A4_H 841.89f
#define EPOCH 1782000000LL

static char tmpdir[256];
static qr_fonts *fonts;

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_pdf.XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    qr_style s;
    memset(&s, 0, sizeof s);
    strcpy(s.body_family, "Arial");
    strcpy(s.mono_family, "Liberation Mono");
    strcpy(s.fallback_family, "DejaVu Sans");
    qr_diags *d = qr_diags_new();
    fonts = qr_fonts_load(&s, d);
    qr_diags_free(d);
    return fonts ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    qr_fonts_free(fonts);
    if (getenv("QR_TEST_KEEP")) {
        fprintf(stderr, "  kept %s\n", tmpdir);
        return 0;
    }
    char *cmd = qr_xasprintf("rm -rf '%s'", tmpdir);
    int rc = system(cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}

/* Run a shell command; stdout and stderr into new strings (caller frees). */
static int run(const char *cmd, char **out, char **err)
{
    char *errfile = qr_xasprintf("%s/stderr.txt", tmpdir);
    char *full = qr_xasprintf("%s 2>'%s'", cmd, errfile);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    qr_buf b;
    qr_buf_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) qr_buf_append(&b, chunk, n);
    int status = pclose(p);
    qr_buf_putc(&b, '\0');
    *out = qr_buf_detach(&b, &n);
    size_t elen;
    char *e = qr_read_file(errfile, &elen, 0);
    if (err)
        *err = e ? e : qr_xstrdup("");
    else
        free(e);
    free(full);
    free(errfile);
    return status;
}

static void add_text(qr_pages *p, size_t page, float x, float y,
                     qr_font_slot font, float size, const char *s)
{
    qr_item it = {0};
    it.kind = QR_ITEM_TEXT;
    it.role = QR_ROLE_P;
    it.x = x;
    it.y = y;
    it.font = font;
    it.size = size;
    it.text = s;
    it.len = strlen(s);
    it.color = (qr_rgb){0, 0, 0};
    qr_pages_add_item(p, page, &it);
}

static void add_anchor(qr_pages *p, size_t page, float y, const char *name,
                       int level, const char *title)
{
    qr_item it = {0};
    it.kind = QR_ITEM_ANCHOR;
    it.x = 72;
    it.y = y;
    it.name = name;
    it.level = level;
    it.text = title;
    it.len = title ? strlen(title) : 0;
    qr_pages_add_item(p, page, &it);
}

static void add_link(qr_pages *p, size_t page, float x, float y,
                     const char *uri)
{
    qr_item it = {0};
    it.kind = QR_ITEM_LINK;
    it.x = x;
    it.y = y;
    it.w = 100;
    it.h = 14;
    it.uri = uri;
    qr_pages_add_item(p, page, &it);
}

#define LINE1 "Children’s services: “requires improvement” – 2024/25 · £1,234"
#define LINE2 "Ofsted inspection of Dorset"

static qr_pages *sample_doc(void)
{
    qr_pages *p = qr_pages_new();
    size_t a = qr_pages_add_page(p, A4_W, A4_H);
    add_anchor(p, a, 72, "intro", 1, "1. Introduction – “Ofsted”");
    add_text(p, a, 72, 90, QR_FONT_BOLD, 16, LINE2);
    add_text(p, a, 72, 120, QR_FONT_REGULAR, 12, LINE1);
    add_text(p, a, 72, 140, QR_FONT_REGULAR, 12, "Phone ");
    add_text(p, a, 110, 140, QR_FONT_FALLBACK, 12, "☎");
    add_text(p, a, 130, 140, QR_FONT_REGULAR, 12, " Email ");
    add_text(p, a, 170, 140, QR_FONT_FALLBACK, 12, "✉");
    add_text(p, a, 72, 160, QR_FONT_MONO, 10, "code_sample()");
    add_text(p, a, 72, 180, QR_FONT_ITALIC, 12, "Italic words");
    add_anchor(p, a, 200, "scope", 2, "1.1 Scope");

    qr_item it = {0};
    it.kind = QR_ITEM_LINE;
    it.role = QR_ROLE_ARTIFACT;
    it.x = 72;
    it.y = 200;
    it.x2 = 520;
    it.y2 = 200;
    it.line_width = 0.5f;
    it.color = (qr_rgb){0.2f, 0.2f, 0.2f};
    qr_pages_add_item(p, a, &it);

    memset(&it, 0, sizeof it);
    it.kind = QR_ITEM_RECT;
    it.x = 72;
    it.y = 220;
    it.w = 100;
    it.h = 20;
    it.has_fill = 1;
    it.fill = (qr_rgb){1, 0.75f, 0};
    it.has_stroke = 1;
    it.line_width = 1;
    qr_pages_add_item(p, a, &it);

    static const float pts[] = {72, 300, 120, 260, 170, 280, 220, 250};
    memset(&it, 0, sizeof it);
    it.kind = QR_ITEM_PATH;
    it.pts = pts;
    it.npts = 4;
    it.has_stroke = 1;
    it.line_width = 1.5f;
    it.color = (qr_rgb){0, 0.3f, 0.6f};
    qr_pages_add_item(p, a, &it);

    add_link(p, a, 72, 330, "https://www.gov.uk/ofsted");
    add_link(p, a, 72, 350, "#later");

    size_t b = qr_pages_add_page(p, A4_W, A4_H);
    add_anchor(p, b, 72, "later", 1, "2. Recommendations");
    add_text(p, b, 72, 90, QR_FONT_BOLD, 14, "Recommendations");
    add_text(p, b, 72, 110, QR_FONT_FALLBACK_BOLD, 12, "✓ done");
    return p;
}

static const qr_pdf_meta sample_meta = {
    .title = "Ofsted ILACS – Cabinet report",
    .author = "Director of Children’s Services",
    .subject = "Inspection",
    .keywords = "Ofsted, ILACS",
    .lang = "en-GB",
    .epoch = EPOCH,
};

static char *write_sample(const char *name)
{
    char *path = qr_xasprintf("%s/%s", tmpdir, name);
    qr_pages *p = sample_doc();
    qr_diags *d = qr_diags_new();
    int rc = qr_pdf_write(p, fonts, &sample_meta, path, d);
    if (rc != QR_OK) qr_diags_print(d, stderr);
    assert_int_equal(rc, QR_OK);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    qr_diags_free(d);
    qr_pages_free(p);
    return path;
}

static void test_qpdf_check(void **state)
{
    (void)state;
    char *path = write_sample("check.pdf");
    char *cmd = qr_xasprintf("qpdf --check '%s'", path);
    char *out, *err;
    int st = run(cmd, &out, &err);
    assert_int_equal(st, 0);
    assert_non_null(strstr(out, "No syntax or stream encoding errors"));
    assert_string_equal(err, "");
    free(out);
    free(err);
    free(cmd);
    free(path);
}

static void test_fonts_embedded(void **state)
{
    (void)state;
    char *path = write_sample("fonts.pdf");
    char *cmd = qr_xasprintf("pdffonts '%s'", path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    assert_string_equal(err, "");
    assert_null(strstr(out, "Type 3"));
    int rows = 0;
    char *save = NULL;
    for (char *line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "name", 4) == 0 || line[0] == '-') continue;
        rows++;
        /* name type encoding emb sub uni object ID */
        assert_non_null(strstr(line, "CID TrueType"));
        assert_non_null(strstr(line, "Identity-H"));
        assert_non_null(strstr(line, " yes yes yes "));
    }
    /* Liberation Sans regular, bold, italic, mono; DejaVu Sans and Bold */
    assert_int_equal(rows, 6);
    free(out);
    free(err);
    free(cmd);
    free(path);
}

static void test_text_extracts(void **state)
{
    (void)state;
    char *path = write_sample("text.pdf");
    char *cmd = qr_xasprintf("pdftotext -raw '%s' -", path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    /* No "Invalid 'begincidrange' operator" or any other complaint. */
    assert_string_equal(err, "");
    assert_non_null(strstr(out, LINE1));
    assert_non_null(strstr(out, LINE2));
    assert_non_null(strstr(out, "☎"));
    assert_non_null(strstr(out, "✉"));
    assert_non_null(strstr(out, "✓ done"));
    assert_non_null(strstr(out, "code_sample()"));
    free(out);
    free(err);
    free(cmd);
    free(path);
}

static void test_info(void **state)
{
    (void)state;
    char *path = write_sample("info.pdf");
    char *cmd = qr_xasprintf("pdfinfo '%s'", path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    assert_string_equal(err, "");
    assert_non_null(strstr(out, "Title:           Ofsted ILACS – Cabinet report"));
    assert_non_null(strstr(out, "Author:          Director of Children’s Services"));
    assert_non_null(strstr(out, "Creator:         Quire"));
    assert_non_null(strstr(out, "Pages:           2"));
    assert_non_null(strstr(out, "Page size:       595.28 x 841.89 pts (A4)"));
    free(out);
    free(err);
    free(cmd);
    free(path);
}

static void test_outlines_links_catalog(void **state)
{
    (void)state;
    char *path = write_sample("nav.pdf");
    char *cmd = qr_xasprintf("qpdf --json --json-key=outlines '%s'", path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    assert_non_null(strstr(out, "\"title\": \"1. Introduction – “Ofsted”\""));
    assert_non_null(strstr(out, "\"title\": \"1.1 Scope\""));
    assert_non_null(strstr(out, "\"title\": \"2. Recommendations\""));
    /* 1.1 is a child of 1: qpdf prints an entry's kids before its title. */
    char *intro = strstr(out, "1. Introduction");
    char *scope = strstr(out, "1.1 Scope");
    char *recs = strstr(out, "2. Recommendations");
    assert_true(scope < intro && intro < recs);
    assert_non_null(strstr(out, "\"kids\": [\n        {"));
    assert_non_null(strstr(out, "\"/XYZ\""));
    free(out);
    free(err);
    free(cmd);

    cmd = qr_xasprintf("qpdf --qdf --object-streams=disable '%s' -", path);
    assert_int_equal(run(cmd, &out, &err), 0);
    assert_non_null(strstr(out, "/URI (https://www.gov.uk/ofsted)"));
    assert_non_null(strstr(out, "/Subtype /Link"));
    assert_non_null(strstr(out, "/Border ["));
    assert_non_null(strstr(out, "/DisplayDocTitle true"));
    assert_non_null(strstr(out, "/Lang (en-GB)"));
    assert_non_null(strstr(out, "/PageMode /UseOutlines"));
    assert_non_null(strstr(out, "/CMapType 2"));
    assert_null(strstr(out, "begincidrange"));
    assert_non_null(strstr(out, "/CreationDate (D:20260621000000Z"));
    /* Internal link: a GoTo-style /Dest, not a URI. */
    assert_non_null(strstr(out, "/Dest "));
    free(out);
    free(err);
    free(cmd);
    free(path);
}

static void test_deterministic(void **state)
{
    (void)state;
    char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    for (int i = 0; i < 2; i++) {
        qr_pages *p = sample_doc();
        qr_diags *d = qr_diags_new();
        assert_true(qr_pdf_render(p, fonts, &sample_meta,
                                  i ? &b : &a, i ? &blen : &alen, d));
        qr_diags_free(d);
        qr_pages_free(p);
    }
    assert_true(alen > 1000);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
    assert_null(memmem(a, alen, "/ModDate (D:2025", 16));
    /* A deterministic /ID, different for a different paper. */
    char *ida = memmem(a, alen, "/ID [ <", 7);
    assert_non_null(ida);
    qr_pages *p = sample_doc();
    add_text(p, 1, 72, 300, QR_FONT_REGULAR, 12, "one more line");
    qr_diags *d = qr_diags_new();
    char *c;
    size_t clen;
    assert_true(qr_pdf_render(p, fonts, &sample_meta, &c, &clen, d));
    char *idc = memmem(c, clen, "/ID [ <", 7);
    assert_non_null(idc);
    assert_memory_not_equal(ida, idc, 7 + 32);
    free(c);
    qr_diags_free(d);
    qr_pages_free(p);
    free(a);
    free(b);
}

/* The pack pass writes the page contents and font programs into libharu's
 * file: when it fails, libharu's file is a PDF of blank pages. The stage
 * must fail (output error), never hand that file on, and the previous PDF
 * must stay as it was. The pass is made to fail through its seam. */
static bool failing_pack(const char *in, size_t n, const qr_pdf_subst *subst,
                         size_t nsubst, const qr_pdf_extra *extra,
                         int threads, char **out, size_t *outlen)
{
    (void)in, (void)n, (void)subst, (void)nsubst, (void)threads, (void)extra;
    (void)out, (void)outlen;
    return false;
}

static void test_pack_failure_fails_closed(void **state)
{
    (void)state;
    qr_pages *p = sample_doc();
    char *path = qr_xasprintf("%s/packfail.pdf", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("previous", f);
    fclose(f);
    qr_pdf_pack_func real = qr_pdf_pack_fn;
    qr_pdf_pack_fn = failing_pack;
    qr_diags *d = qr_diags_new();
    int rc = qr_pdf_write(p, fonts, &sample_meta, path, d);
    qr_diags *d2 = qr_diags_new();
    char *buf = (char *)"untouched";
    size_t len = 1;
    bool ok2 = qr_pdf_render(p, fonts, &sample_meta, &buf, &len, d2);
    qr_pdf_pack_fn = real;
    assert_int_equal(rc, QR_EOUTPUT);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    assert_int_equal(qr_diags_count(d, QR_WARNING), 0);
    assert_non_null(strstr(qr_diags_get(d, 0)->message, "object-stream pass"));
    assert_false(ok2);
    assert_null(buf);
    assert_int_equal(len, 0);
    size_t blen;
    char *back = qr_read_file(path, &blen, 0);
    assert_non_null(back);
    assert_string_equal(back, "previous");
    free(back);
    /* and with the real pass the same pages write */
    qr_diags *d3 = qr_diags_new();
    assert_int_equal(qr_pdf_write(p, fonts, &sample_meta, path, d3), QR_OK);
    back = qr_read_file(path, &blen, 0);
    assert_true(blen > 1000 && memcmp(back, "%PDF-1.7", 8) == 0);
    free(back);
    qr_diags_free(d);
    qr_diags_free(d2);
    qr_diags_free(d3);
    free(path);
    qr_pages_free(p);
}

/* libharu's saved file, as the stage hands it to the pass: captured
 * through the seam, then packed for real. */
static char *captured;
static size_t captured_len;

static bool capturing_pack(const char *in, size_t n, const qr_pdf_subst *subst,
                           size_t nsubst, const qr_pdf_extra *extra,
                           int threads, char **out, size_t *outlen)
{
    free(captured);
    captured = qr_xmalloc(n);
    memcpy(captured, in, n);
    captured_len = n;
    return qr_pdf_pack(in, n, subst, nsubst, extra, threads, out, outlen);
}

/* libharu's file with its first "1 0 obj\n" written as another libharu
 * might (a CR line end: same length, so every offset still holds). */
static bool other_libharu_pack(const char *in, size_t n,
                               const qr_pdf_subst *subst, size_t nsubst,
                               const qr_pdf_extra *extra, int threads,
                               char **out, size_t *outlen)
{
    char *copy = qr_xmalloc(n);
    memcpy(copy, in, n);
    char *h = memmem(copy, n, "\n1 0 obj\n", 9);
    if (h) h[8] = '\r';
    bool ok = qr_pdf_pack(copy, n, subst, nsubst, extra, threads, out,
                          outlen);
    free(copy);
    return ok;
}

/* Replace the first `from` in a copy of the captured file (same length). */
static char *captured_with(const char *from, const char *to)
{
    char *c = qr_xmalloc(captured_len);
    memcpy(c, captured, captured_len);
    char *at = memmem(c, captured_len, from, strlen(from));
    assert_non_null(at);
    assert_int_equal(strlen(from), strlen(to));
    memcpy(at, to, strlen(to));
    return c;
}

/* pdf_pack.c reads the exact bytes libharu 2.3 saves (pdf_pack.h stops a
 * build against another version). Should libharu's output change anyway
 * (a patched package), the pass must refuse it, never write a garbled or
 * blank PDF: every change of shape below is refused, and through the
 * stage the refusal is an output error, exit 3. */
static void test_pack_refuses_other_shapes(void **state)
{
    (void)state;
    qr_pages *p = sample_doc();
    qr_pdf_pack_func real = qr_pdf_pack_fn;
    qr_pdf_pack_fn = capturing_pack;
    qr_diags *d = qr_diags_new();
    char *buf = NULL;
    size_t len = 0;
    bool ok = qr_pdf_render(p, fonts, &sample_meta, &buf, &len, d);
    qr_pdf_pack_fn = real;
    assert_true(ok);
    assert_non_null(captured);
    free(buf);
    static const char *const change[][2] = {
        {"\n1 0 obj\n", "\n1 0 obj\r"},       /* another line end */
        {"endobj\n", "endobj\r"},
        {"xref\n0 ", "xref\r0 "},
        {"trailer\n<<\n", "trailer\r<<\n"},
        {"startxref\n", "startxref\r"},
        {" 00000 n\r\n", " 00000 f\r\n"},    /* an object marked free */
    };
    char *out = NULL;
    size_t outlen = 0;
    assert_true(qr_pdf_pack(captured, captured_len, NULL, 0, NULL, 1, &out,
                            &outlen));
    free(out);
    for (size_t i = 0; i < sizeof change / sizeof change[0]; i++) {
        char *c = captured_with(change[i][0], change[i][1]);
        out = NULL;
        assert_false(qr_pdf_pack(c, captured_len, NULL, 0, NULL, 1, &out, &outlen));
        assert_null(out);
        free(c);
    }
    /* cut short, and not a PDF at all */
    assert_false(qr_pdf_pack(captured, captured_len / 2, NULL, 0, NULL, 1, &out,
                             &outlen));
    assert_false(qr_pdf_pack("", 0, NULL, 0, NULL, 1, &out, &outlen));
    /* the stage: an output error naming the pass, the old file kept */
    char *path = qr_xasprintf("%s/otherharu.pdf", tmpdir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("previous", f);
    fclose(f);
    qr_pdf_pack_fn = other_libharu_pack;
    qr_diags *d2 = qr_diags_new();
    int rc = qr_pdf_write(p, fonts, &sample_meta, path, d2);
    qr_pdf_pack_fn = real;
    assert_int_equal(rc, QR_EOUTPUT);
    assert_int_equal(qr_diags_count(d2, QR_ERROR), 1);
    assert_non_null(strstr(qr_diags_get(d2, 0)->message,
                           "object-stream pass"));
    size_t blen;
    char *back = qr_read_file(path, &blen, 0);
    assert_non_null(back);
    assert_string_equal(back, "previous");
    free(back);
    free(path);
    free(captured);
    captured = NULL;
    qr_diags_free(d);
    qr_diags_free(d2);
    qr_pages_free(p);
}

/* What layout measures is where the PDF puts glyphs: word boxes from
 * pdftotext -bbox match the advances from the metrics interface. */
static void test_widths_as_drawn(void **state)
{
    (void)state;
    const qr_metrics *m = qr_fonts_metrics(fonts);
    const char *line = "Ofsted inspection of Dorset";
    float size = 16;
    float x = 72, w = 0;
    for (const char *c = line; *c; c++) w += m->advance(m->ctx, QR_FONT_BOLD, (uint32_t)*c);
    float end = x + w * size / 1000;
    char *path = write_sample("bbox.pdf");
    char *cmd = qr_xasprintf("pdftotext -bbox -f 1 -l 1 '%s' - | grep -F '>Dorset<'", path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    char *xmax = strstr(out, "xMax=\"");
    assert_non_null(xmax);
    float got = strtof(xmax + 6, NULL);
    assert_true(got > end - 0.01f && got < end + 0.01f);
    free(out);
    free(err);
    free(cmd);
    free(path);
}

static int count_tmp_files(const char *dir)
{
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)))
        if (strstr(e->d_name, ".tmp.")) n++;
    closedir(dp);
    return n;
}

static void test_unwritable(void **state)
{
    (void)state;
    qr_pages *p = sample_doc();

    /* A directory that does not exist. */
    char *path = qr_xasprintf("%s/no/such/dir/out.pdf", tmpdir);
    qr_diags *d = qr_diags_new();
    assert_int_equal(qr_pdf_write(p, fonts, &sample_meta, path, d),
                     QR_EOUTPUT);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    char *msg = qr_xasprintf("cannot write '%s': No such file or directory",
                             path);
    assert_string_equal(qr_diags_get(d, 0)->message, msg);
    free(msg);
    qr_diags_free(d);
    free(path);

    /* A write that fails half way (file size limit): the previous file
     * stays as it was and no temporary is left behind. */
    char *dir = qr_xasprintf("%s/keep", tmpdir);
    assert_int_equal(mkdir(dir, 0755), 0);
    path = qr_xasprintf("%s/out.pdf", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("previous", f);
    fclose(f);
    struct rlimit old, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 512;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    d = qr_diags_new();
    int rc = qr_pdf_write(p, fonts, &sample_meta, path, d);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, QR_EOUTPUT);
    assert_non_null(strstr(qr_diags_get(d, 0)->message, "cannot write '"));
    qr_diags_free(d);
    size_t len;
    char *back = qr_read_file(path, &len, 0);
    assert_non_null(back);
    assert_string_equal(back, "previous");
    free(back);
    assert_int_equal(count_tmp_files(dir), 0);

    /* The target is a directory: rename fails, nothing is left over. */
    char *sub = qr_xasprintf("%s/adir", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    d = qr_diags_new();
    assert_int_equal(qr_pdf_write(p, fonts, &sample_meta, sub, d), QR_EOUTPUT);
    qr_diags_free(d);
    assert_int_equal(count_tmp_files(dir), 0);

    free(sub);
    free(path);
    free(dir);
    qr_pages_free(p);
}

/* A PNG with alpha, written with libpng's simplified API. */
static char *make_png(const char *name)
{
    enum { W = 16, H = 8 };
    uint8_t px[W * H * 4];
    for (int i = 0; i < W * H; i++) {
        px[4 * i] = (uint8_t)(i * 3);
        px[4 * i + 1] = 0x80;
        px[4 * i + 2] = 0x20;
        px[4 * i + 3] = (uint8_t)(i % W * 16);
    }
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    im.width = W;
    im.height = H;
    im.format = PNG_FORMAT_RGBA;
    char *path = qr_xasprintf("%s/%s", tmpdir, name);
    assert_true(png_image_write_to_file(&im, path, 0, px, 0, NULL));
    return path;
}

static void test_images(void **state)
{
    (void)state;
    char *png = make_png("logo.png");
    qr_pages *p = qr_pages_new();
    size_t pg = qr_pages_add_page(p, A4_W, A4_H);
    qr_item it = {0};
    it.kind = QR_ITEM_IMAGE;
    it.role = QR_ROLE_FIGURE;
    it.x = 72;
    it.y = 72;
    it.w = 160;
    it.h = 80;
    it.uri = png;
    it.alt = "Council logo";
    qr_pages_add_item(p, pg, &it);
    it.y = 200;
    qr_pages_add_item(p, pg, &it);       /* same file: one XObject */
    char *path = qr_xasprintf("%s/image.pdf", tmpdir);
    qr_diags *d = qr_diags_new();
    assert_int_equal(qr_pdf_write(p, fonts, &sample_meta, path, d), QR_OK);
    qr_diags_free(d);
    char *cmd = qr_xasprintf("qpdf --check '%s' && pdfimages -list '%s'",
                             path, path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    assert_string_equal(err, "");
    assert_non_null(strstr(out, "smask"));
    /* image + its soft mask, drawn twice from one object */
    int images = 0, masks = 0;
    char *save = NULL;
    for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        int page, num, obj;
        char type[16];
        if (sscanf(l, "%d %d %15s %*d %*d %*s %*d %*d %*s %*s %d", &page, &num,
                   type, &obj) != 4)
            continue;
        images += strcmp(type, "image") == 0;
        masks += strcmp(type, "smask") == 0;
    }
    assert_int_equal(images, 2);
    assert_int_equal(masks, 2);
    free(out);
    free(err);
    free(cmd);

    /* A missing image is an input error naming the file. */
    char *missing = qr_xasprintf("%s/nope.png", tmpdir);
    it.uri = missing;
    qr_pages_add_item(p, pg, &it);
    d = qr_diags_new();
    assert_int_equal(qr_pdf_write(p, fonts, &sample_meta, path, d),
                     QR_EINPUT);
    assert_non_null(strstr(qr_diags_get(d, 0)->message, missing));
    qr_diags_free(d);

    /* A corrupt one too. */
    char *bad = qr_xasprintf("%s/bad.png", tmpdir);
    FILE *f = fopen(bad, "wb");
    fwrite("\x89PNG\r\n\x1a\n garbage", 1, 17, f);
    fclose(f);
    qr_pages *q = qr_pages_new();
    pg = qr_pages_add_page(q, A4_W, A4_H);
    it.uri = bad;
    qr_pages_add_item(q, pg, &it);
    char *buf;
    size_t len;
    d = qr_diags_new();
    assert_false(qr_pdf_render(q, fonts, &sample_meta, &buf, &len, d));
    assert_non_null(strstr(qr_diags_get(d, 0)->message, bad));
    qr_diags_free(d);
    qr_pages_free(q);

    free(bad);
    free(missing);
    free(path);
    free(png);
    qr_pages_free(p);
}

/* A 4x2 baseline JPEG (libjpeg, quality 30), for the JPEG path. */
static const unsigned char tiny_jpeg[] = {
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01,
  0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xdb, 0x00, 0x43,
  0x00, 0x1b, 0x12, 0x14, 0x17, 0x14, 0x11, 0x1b, 0x17, 0x16, 0x17, 0x1e,
  0x1c, 0x1b, 0x20, 0x28, 0x42, 0x2b, 0x28, 0x25, 0x25, 0x28, 0x51, 0x3a,
  0x3d, 0x30, 0x42, 0x60, 0x55, 0x65, 0x64, 0x5f, 0x55, 0x5d, 0x5b, 0x6a,
  0x78, 0x99, 0x81, 0x6a, 0x71, 0x90, 0x73, 0x5b, 0x5d, 0x85, 0xb5, 0x86,
  0x90, 0x9e, 0xa3, 0xab, 0xad, 0xab, 0x67, 0x80, 0xbc, 0xc9, 0xba, 0xa6,
  0xc7, 0x99, 0xa8, 0xab, 0xa4, 0xff, 0xdb, 0x00, 0x43, 0x01, 0x1c, 0x1e,
  0x1e, 0x28, 0x23, 0x28, 0x4e, 0x2b, 0x2b, 0x4e, 0xa4, 0x6e, 0x5d, 0x6e,
  0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4,
  0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4,
  0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4,
  0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4, 0xa4,
  0xa4, 0xa4, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x02, 0x00, 0x04, 0x03,
  0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xc4, 0x00,
  0x15, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xff, 0xc4, 0x00, 0x14,
  0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xc4, 0x00, 0x14, 0x01, 0x01,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x04, 0xff, 0xc4, 0x00, 0x14, 0x11, 0x01, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03,
  0x11, 0x00, 0x3f, 0x00, 0x88, 0x03, 0x04, 0x7f, 0xff, 0xd9
};
enum { TINY_JPEG_LEN = 286 };

/* The PDF stage embeds the image layout read (the item's image), from
 * memory: it never opens the file again, so it cannot embed another file
 * than the one that was measured. */
static void test_image_from_layout(void **state)
{
    (void)state;
    char *png = make_png("once.png");
    char *err = NULL;
    qr_image *im = qr_image_load(png, &err);
    assert_non_null(im);
    /* the file is gone (or replaced) after layout read it */
    assert_int_equal(unlink(png), 0);
    qr_pages *p = qr_pages_new();
    size_t pg = qr_pages_add_page(p, A4_W, A4_H);
    qr_item it = {0};
    it.kind = QR_ITEM_IMAGE;
    it.x = 72;
    it.y = 72;
    it.w = 80;
    it.h = 40;
    it.uri = png;
    it.image = im;
    qr_pages_add_item(p, pg, &it);
    qr_image_unref(im);          /* the display list holds it now */
    char *buf = NULL;
    size_t len = 0;
    qr_diags *d = qr_diags_new();
    assert_true(qr_pdf_render(p, fonts, &sample_meta, &buf, &len, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    assert_non_null(memmem(buf, len, "/Subtype /Image", 15));
    free(buf);
    qr_diags_free(d);
    qr_pages_free(p);
    free(png);
}

static void test_jpeg(void **state)
{
    (void)state;
    char *jpg = qr_xasprintf("%s/photo.jpg", tmpdir);
    assert_true(qr_write_atomic(jpg, tiny_jpeg, TINY_JPEG_LEN));
    qr_pages *p = qr_pages_new();
    size_t pg = qr_pages_add_page(p, A4_W, A4_H);
    qr_item it = {0};
    it.kind = QR_ITEM_IMAGE;
    it.x = 72;
    it.y = 72;
    it.w = 80;
    it.h = 40;
    it.uri = jpg;
    qr_pages_add_item(p, pg, &it);
    char *path = qr_xasprintf("%s/jpeg.pdf", tmpdir);
    qr_diags *d = qr_diags_new();
    assert_int_equal(qr_pdf_write(p, fonts, &sample_meta, path, d), QR_OK);
    qr_diags_free(d);
    char *cmd = qr_xasprintf("pdfimages -list '%s'", path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    assert_string_equal(err, "");
    assert_non_null(strstr(out, " jpeg "));
    assert_non_null(strstr(out, "     4     2  rgb "));
    free(out);
    free(err);
    free(cmd);
    free(path);
    free(jpg);
    qr_pages_free(p);
}

static void test_empty_and_fontless(void **state)
{
    (void)state;
    /* Pages with no text need no fonts. */
    qr_pages *p = qr_pages_new();
    qr_pages_add_page(p, A4_W, A4_H);
    char *buf;
    size_t len;
    qr_diags *d = qr_diags_new();
    assert_true(qr_pdf_render(p, NULL, NULL, &buf, &len, d));
    assert_true(len > 100);
    assert_memory_equal(buf, "%PDF-", 5);
    free(buf);
    /* A link to an anchor that does not exist is dropped with a warning. */
    add_link(p, 0, 72, 100, "#nowhere");
    assert_true(qr_pdf_render(p, NULL, NULL, &buf, &len, d));
    free(buf);
    assert_int_equal(qr_diags_count(d, QR_WARNING), 1);
    assert_non_null(strstr(qr_diags_get(d, 0)->message, "'#nowhere'"));
    /* Text outside the BMP is refused rather than silently blanked. */
    add_text(p, 0, 72, 72, QR_FONT_REGULAR, 12, "emoji \xF0\x9F\x98\x80");
    assert_false(qr_pdf_render(p, fonts, NULL, &buf, &len, d));
    assert_non_null(strstr(qr_diags_get(d, 1)->message, "U+1F600"));
    qr_diags_free(d);
    qr_pages_free(p);
}

/* Eleven pages of body text: size and time of the whole render. */
static void test_eleven_pages(void **state)
{
    (void)state;
    static const char *words[] = {
        "The", "local", "authority", "has", "made", "progress", "since",
        "the", "last", "inspection;", "leaders", "understand", "their",
        "services", "well", "–", "but", "caseloads", "remain", "high", "in",
        "the", "assessment", "teams.", "£2.4m", "“invest", "to", "save”"};
    qr_pages *p = qr_pages_new();
    for (int pg = 0; pg < 11; pg++) {
        size_t k = qr_pages_add_page(p, A4_W, A4_H);
        char title[64];
        snprintf(title, sizeof title, "%d. Section %d", pg + 1, pg + 1);
        add_anchor(p, k, 72, "s", 1, title);
        add_text(p, k, 72, 90, QR_FONT_BOLD, 14, title);
        for (int line = 0; line < 45; line++) {
            char buf[256] = "";
            for (int w = 0; w < 12; w++) {
                strcat(buf, words[(pg * 7 + line * 5 + w * 3) % 28]);
                strcat(buf, " ");
            }
            add_text(p, k, 72, 110 + 15 * (float)line,
                     line % 9 == 0 ? QR_FONT_ITALIC : QR_FONT_REGULAR, 11, buf);
        }
        add_text(p, k, 280, 810, QR_FONT_REGULAR, 9, "Page 1 of 11");
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char *buf;
    size_t len;
    qr_diags *d = qr_diags_new();
    assert_true(qr_pdf_render(p, fonts, &sample_meta, &buf, &len, d));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    fprintf(stderr, "  11 pages: %zu bytes in %.1f ms\n", len, ms);
    /* Subset fonts keep a text paper small. */
    assert_true(len < 80 * 1024);
    char *path = qr_xasprintf("%s/eleven.pdf", tmpdir);
    assert_true(qr_write_atomic(path, buf, len));
    char *cmd = qr_xasprintf("pdftotext '%s' - | grep -c 'caseloads'", path);
    char *out, *err;
    run(cmd, &out, &err);
    assert_true(atoi(out) > 11);
    assert_string_equal(err, "");
    free(out);
    free(err);
    free(cmd);
    free(path);
    free(buf);
    qr_diags_free(d);
    qr_pages_free(p);
}

/* ---- tagging, PDF/A, page labels, draft ---- */

static qr_item *add_tagged(qr_pages *p, size_t page, int elem, qr_role role,
                           float y, qr_font_slot font, const char *s)
{
    qr_item it = {0};
    it.kind = QR_ITEM_TEXT;
    it.role = role;
    it.elem = elem;
    it.x = 72;
    it.y = y;
    it.font = font;
    it.size = 11;
    it.text = s;
    it.len = strlen(s);
    return qr_pages_add_item(p, page, &it);
}

/* A small paper with every structure the writer tags: heading, a paragraph
 * over two lines and two pages with a link, a list, a table with a header
 * row, a figure (chart path) with alt text, and a running footer. */
static qr_pages *tagged_doc(void)
{
    qr_pages *p = qr_pages_new();
    int doc = qr_pages_add_elem(p, QR_ROLE_DOCUMENT, -1, NULL, NULL);
    int h1 = qr_pages_add_elem(p, QR_ROLE_H1, doc, NULL, NULL);
    int para = qr_pages_add_elem(p, QR_ROLE_P, doc, NULL, NULL);
    int link = qr_pages_add_elem(p, QR_ROLE_LINK, para, NULL, NULL);
    int list = qr_pages_add_elem(p, QR_ROLE_L, doc, NULL, NULL);
    int li = qr_pages_add_elem(p, QR_ROLE_LI, list, NULL, NULL);
    int lbl = qr_pages_add_elem(p, QR_ROLE_LBL, li, NULL, NULL);
    int lbody = qr_pages_add_elem(p, QR_ROLE_LBODY, li, NULL, NULL);
    int table = qr_pages_add_elem(p, QR_ROLE_TABLE, doc, NULL, NULL);
    int tr1 = qr_pages_add_elem(p, QR_ROLE_TR, table, NULL, NULL);
    int th = qr_pages_add_elem(p, QR_ROLE_TH, tr1, NULL, "Column");
    int tr2 = qr_pages_add_elem(p, QR_ROLE_TR, table, NULL, NULL);
    int td = qr_pages_add_elem(p, QR_ROLE_TD, tr2, NULL, NULL);
    int fig = qr_pages_add_elem(p, QR_ROLE_FIGURE, doc, "Caseloads fell from 23 to 19", NULL);
    int quote = qr_pages_add_elem(p, QR_ROLE_BLOCKQUOTE, doc, NULL, NULL);
    int unused = qr_pages_add_elem(p, QR_ROLE_P, doc, NULL, NULL);
    (void)unused;

    size_t a = qr_pages_add_page(p, A4_W, A4_H);
    add_tagged(p, a, doc, QR_ROLE_ARTIFACT, 40, QR_FONT_REGULAR, "Running head");
    add_tagged(p, a, h1, QR_ROLE_H1, 90, QR_FONT_BOLD, "Ofsted report");
    add_tagged(p, a, para, QR_ROLE_P, 120, QR_FONT_REGULAR, "First line of");
    add_tagged(p, a, para, QR_ROLE_P, 135, QR_FONT_REGULAR, "the paragraph, see");
    add_tagged(p, a, link, QR_ROLE_LINK, 150, QR_FONT_REGULAR, "gov.uk");
    qr_item lk = {0};
    lk.kind = QR_ITEM_LINK;
    lk.role = QR_ROLE_LINK;
    lk.elem = link;
    lk.x = 72;
    lk.y = 140;
    lk.w = 40;
    lk.h = 12;
    lk.uri = "https://www.gov.uk/";
    qr_pages_add_item(p, a, &lk);
    add_tagged(p, a, -1, QR_ROLE_ARTIFACT, 800, QR_FONT_REGULAR, "Page 1 of 2");

    size_t b = qr_pages_add_page(p, A4_W, A4_H);
    add_tagged(p, b, para, QR_ROLE_P, 80, QR_FONT_REGULAR, "continued overleaf.");
    add_tagged(p, b, lbl, QR_ROLE_LBL, 100, QR_FONT_REGULAR, "1.");
    add_tagged(p, b, lbody, QR_ROLE_LBODY, 100, QR_FONT_REGULAR, "List item body");
    add_tagged(p, b, th, QR_ROLE_TH, 130, QR_FONT_BOLD, "Action");
    add_tagged(p, b, td, QR_ROLE_TD, 150, QR_FONT_REGULAR, "Recruit staff");
    static const float pts[] = {72, 300, 120, 260, 170, 280};
    qr_item it = {0};
    it.kind = QR_ITEM_PATH;
    it.role = QR_ROLE_FIGURE;
    it.elem = fig;
    it.pts = pts;
    it.npts = 3;
    it.has_stroke = 1;
    it.line_width = 1;
    qr_pages_add_item(p, b, &it);
    it.kind = QR_ITEM_LINE;            /* a table rule: furniture */
    it.role = QR_ROLE_TD;
    it.elem = td;
    it.x = 72;
    it.y = 160;
    it.x2 = 300;
    it.y2 = 160;
    qr_pages_add_item(p, b, &it);
    add_tagged(p, b, quote, QR_ROLE_BLOCKQUOTE, 340, QR_FONT_ITALIC, "A quoted line");
    add_tagged(p, b, -1, QR_ROLE_ARTIFACT, 800, QR_FONT_REGULAR, "Page 2 of 2");
    return p;
}

static char *render_to(qr_pages *p, const qr_pdf_meta *m, const char *name)
{
    char *path = qr_xasprintf("%s/%s", tmpdir, name);
    qr_diags *d = qr_diags_new();
    int rc = qr_pdf_write(p, fonts, m, path, d);
    if (rc != QR_OK || qr_diags_count(d, QR_WARNING) > 0) qr_diags_print(d, stderr);
    assert_int_equal(rc, QR_OK);
    assert_int_equal(qr_diags_count(d, QR_WARNING), 0);
    qr_diags_free(d);
    return path;
}

/* Text of the structure tree (pdfinfo -struct-text), stderr must be empty. */
static char *struct_text(const char *path)
{
    char *cmd = qr_xasprintf("pdfinfo -struct-text '%s'", path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    assert_string_equal(err, "");
    free(err);
    free(cmd);
    return out;
}

static char *qdf(const char *path)
{
    /* NULs in binary streams would end the string early for strstr. */
    char *cmd = qr_xasprintf("qpdf --qdf --object-streams=disable '%s' - "
                             "| tr '\\000' '\\001'", path);
    char *out;
    assert_int_equal(run(cmd, &out, NULL), 0);
    free(cmd);
    return out;
}

/* strstr that also asserts the order: the next needle after `from`. */
static const char *after(const char *from, const char *needle)
{
    const char *p = strstr(from, needle);
    if (!p) fprintf(stderr, "missing (in order): %s\n", needle);
    assert_non_null(p);
    return p + strlen(needle);
}

static void test_tagged_structure(void **state)
{
    (void)state;
    qr_pages *p = tagged_doc();
    char *path = render_to(p, &sample_meta, "tagged.pdf");
    char *s = struct_text(path);
    /* Logical order; the paragraph spans both pages, its lines joined with
     * a space; furniture is not in the tree. */
    const char *c = after(s, "Document\n");
    c = after(c, "H1 (block)\n    \"Ofsted report\"");
    c = after(c, "P (block)\n    \"First line of the paragraph, see \"");
    c = after(c, "Link (inline)\n      \"gov.uk\"");
    c = after(c, "Object ");
    c = after(c, "\"continued overleaf.\"");
    c = after(c, "L (block)\n    LI (block)\n      Lbl (block)\n        \"1.\"");
    c = after(c, "LBody (block)\n        \"List item body\"");
    c = after(c, "Table (block)\n    TR\n      TH:\n         /Scope /Column\n"
                 "        \"Action\"");
    c = after(c, "TD\n        \"Recruit staff\"");
    c = after(c, "Figure\n");
    c = after(c, "BlockQuote\n    \"A quoted line\"");
    assert_null(strstr(s, "Running head"));
    assert_null(strstr(s, "Page 1 of 2"));
    free(s);

    char *cmd = qr_xasprintf("pdfinfo '%s'", path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    assert_string_equal(err, "");
    assert_non_null(strstr(out, "Tagged:          yes"));
    free(out);
    free(err);
    free(cmd);

    char *q = qdf(path);
    assert_non_null(strstr(q, "/MarkInfo <<\n    /Marked true"));
    assert_non_null(strstr(q, "/Type /StructTreeRoot"));
    assert_non_null(strstr(q, "/ParentTree "));
    assert_non_null(strstr(q, "/ParentTreeNextKey 3"));   /* 2 pages + 1 link */
    assert_non_null(strstr(q, "/StructParents 0"));
    assert_non_null(strstr(q, "/StructParents 1"));
    assert_non_null(strstr(q, "/StructParent 2"));
    assert_non_null(strstr(q, "/Type /OBJR"));
    assert_non_null(strstr(q, "/Type /MCR"));      /* P continues on page 2 */
    assert_non_null(strstr(q, "/O /Table"));
    assert_non_null(strstr(q, "/Scope /Column"));
    assert_non_null(strstr(q, "/S /BlockQuote"));
    assert_non_null(strstr(q, "/F 4"));
    assert_non_null(strstr(q, "/Tabs /S"));
    /* Marked content in the page streams: artifacts and MCIDs. */
    assert_non_null(strstr(q, "/Artifact BMC"));
    assert_non_null(strstr(q, "/H1 <</MCID 0>> BDC"));
    assert_non_null(strstr(q, "/Figure <</MCID"));
    free(q);
    /* Strings decoded: alt text (written as UTF-16), language. */
    cmd = qr_xasprintf("qpdf --json '%s'", path);
    assert_int_equal(run(cmd, &q, NULL), 0);
    free(cmd);
    assert_non_null(strstr(q, "\"/Alt\": \"u:Caseloads fell from 23 to 19\""));
    assert_non_null(strstr(q, "\"/Lang\": \"u:en-GB\""));
    free(q);
    q = qdf(path);
    /* The unused element is left out of the tree: 15 used + the root. */
    int elems = 0;
    for (const char *x = q; (x = strstr(x, "\n  /S /")); x++) elems++;
    assert_int_equal(elems, 15);
    free(q);
    free(path);
    qr_pages_free(p);
}

/* Display lists joined without a single Document root (a pack): the writer
 * makes the Document, inner Documents become Parts, Sect stays Sect. */
static void test_tagged_pack_roots(void **state)
{
    (void)state;
    qr_pages *p = qr_pages_new();
    int s1 = qr_pages_add_elem(p, QR_ROLE_SECT, -1, NULL, NULL);
    int d1 = qr_pages_add_elem(p, QR_ROLE_DOCUMENT, s1, NULL, NULL);
    int h = qr_pages_add_elem(p, QR_ROLE_H1, d1, NULL, NULL);
    int s2 = qr_pages_add_elem(p, QR_ROLE_SECT, -1, NULL, NULL);
    int para = qr_pages_add_elem(p, QR_ROLE_P, s2, NULL, NULL);
    size_t a = qr_pages_add_page(p, A4_W, A4_H);
    add_tagged(p, a, h, QR_ROLE_H1, 90, QR_FONT_BOLD, "Item one");
    add_tagged(p, a, para, QR_ROLE_P, 120, QR_FONT_REGULAR, "Item two text");
    char *path = render_to(p, &sample_meta, "pack.pdf");
    char *s = struct_text(path);
    const char *c = after(s, "Document\n  Sect\n    Part\n"
                             "      H1 (block)\n        \"Item one\"");
    after(c, "Sect\n    P (block)\n      \"Item two text\"");
    free(s);
    free(path);
    qr_pages_free(p);
}

static void test_object_streams(void **state)
{
    (void)state;
    qr_pages *p = tagged_doc();
    char *buf;
    size_t len;
    qr_diags *d = qr_diags_new();
    assert_true(qr_pdf_render(p, fonts, &sample_meta, &buf, &len, d));
    assert_int_equal(qr_diags_count(d, QR_WARNING), 0);
    assert_memory_equal(buf, "%PDF-1.7\n", 9);
    assert_non_null(memmem(buf, len, "/Type /ObjStm", 13));
    assert_non_null(memmem(buf, len, "/Type /XRef", 11));
    assert_null(memmem(buf, len, "\ntrailer", 8));
    /* No structure element is left as a plain object. */
    assert_null(memmem(buf, len, "/StructTreeRoot", 15));
    char *path = qr_xasprintf("%s/objstm.pdf", tmpdir);
    assert_true(qr_write_atomic(path, buf, len));
    char *cmd = qr_xasprintf("qpdf --check '%s'", path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    assert_non_null(strstr(out, "No syntax or stream encoding errors"));
    assert_string_equal(err, "");
    free(out);
    free(err);
    free(cmd);
    free(path);
    free(buf);
    qr_diags_free(d);
    qr_pages_free(p);
}

/* The font programs as the pass is handed them, counted through its seam:
 * each program (an sfnt, by its version tag), whether it came deflated
 * already, and whether those bytes are the ones the pass makes itself.
 * Deflating ahead is off while it counts: the queue's streams come to the
 * pass deflated too. */
static size_t prog_n, prog_zdone, prog_zsame;

static bool counting_pack(const char *in, size_t n, const qr_pdf_subst *subst,
                          size_t nsubst, const qr_pdf_extra *extra,
                          int threads, char **out, size_t *outlen)
{
    prog_n = prog_zdone = prog_zsame = 0;
    for (size_t k = 0; k < nsubst; k++) {
        const qr_pdf_subst *s = &subst[k];
        if (s->len < 4 || (memcmp(s->data, "\0\1\0\0", 4) != 0 &&
                           memcmp(s->data, "true", 4) != 0))
            continue;
        prog_n++;
        if (!s->zdone) continue;
        prog_zdone++;
        char *z;
        size_t zlen;
        assert_true(qr_pdf_deflate(s->data, s->len, &z, &zlen));
        if (!z ? !s->z : s->z && zlen == s->zlen && memcmp(z, s->z, zlen) == 0)
            prog_zsame++;
        free(z);
    }
    return qr_pdf_pack(in, n, subst, nsubst, extra, threads, out, outlen);
}

/* Every subset entry in dir, read into e[] (names into name[]); the count. */
static size_t subset_entries(const char *dir, char *name[], char *e[],
                             size_t elen[], size_t max)
{
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    size_t n = 0;
    for (struct dirent *de; (de = readdir(dp));) {
        if (strncmp(de->d_name, "subset-", 7) != 0) continue;
        assert_true(n < max);
        name[n] = qr_xasprintf("%s/%s", dir, de->d_name);
        e[n] = qr_read_file(name[n], &elen[n], 0);
        assert_non_null(e[n]);
        n++;
    }
    closedir(dp);
    return n;
}

#define MAXE 16                     /* subset entries a test reads */

/* The subset entries in dir are the ne entries name[], e[] (elen[]). */
static void same_entries(const char *dir, char *const name[], char *const e[],
                         const size_t elen[], size_t ne)
{
    char *n2[MAXE], *e2[MAXE];
    size_t e2len[MAXE];
    assert_int_equal(subset_entries(dir, n2, e2, e2len, MAXE), ne);
    for (size_t i = 0; i < ne; i++) {
        size_t j = 0;
        while (j < ne && strcmp(n2[j], name[i]) != 0) j++;
        assert_true(j < ne);
        assert_int_equal(e2len[j], elen[i]);
        assert_memory_equal(e2[j], e[i], elen[i]);
    }
    for (size_t i = 0; i < ne; i++) {
        free(n2[i]);
        free(e2[i]);
    }
}

/* The fields of a subset entry (pdf.c's format 5: the key's length, the
 * key, a checksum of the rest, the face's facts (a 112-byte record: nine
 * floats, three flags, a 64-byte name), .notdef's advance (4 bytes), the
 * number of glyph records (8 bytes), the records (12 bytes each: code
 * point, glyph, found), the program's length (8 bytes), the program, the
 * deflated program's length (8 bytes), the deflated program) that
 * entry_lie changes. */
enum entry_field { F_NAME, F_NGLYPHS, F_CP, F_FOUND, F_PLEN, F_ZLEN };
#define FACTS_LEN (112 + 4)
#define NAME_AT 48                  /* in the facts record */
#define GLYPH_LEN 12

/* The 8-byte number at d[at] of an entry of n bytes. */
static size_t entry_len(const char *d, size_t n, size_t at)
{
    uint64_t v;
    assert_true(at + 8 <= n);
    memcpy(&v, d + at, 8);
    assert_true(v <= n);
    return (size_t)v;
}

/* Where field f of entry d (n bytes) lies; *size its bytes. */
static size_t entry_at(const char *d, size_t n, enum entry_field f,
                       size_t *size)
{
    size_t facts = 8 + entry_len(d, n, 0) + 8, ngat = facts + FACTS_LEN;
    size_t pat = ngat + 8 + entry_len(d, n, ngat) * GLYPH_LEN;
    size_t at, zat = pat + 8 + entry_len(d, n, pat);
    *size = f == F_NAME ? 64 : f == F_CP || f == F_FOUND ? 4 : 8;
    switch (f) {
    case F_NAME: at = facts + NAME_AT; break;
    case F_NGLYPHS: at = ngat; break;
    case F_CP: at = ngat + 8; break;
    case F_FOUND: at = ngat + 8 + 8; break;
    case F_PLEN: at = pat; break;
    default: at = zat; break;
    }
    assert_true(at + *size <= n);
    return at;
}

/* Entry d with field f changed: a number by delta, the name to 64 letters
 * without its end; and the checksum made again to match: an entry that
 * lies, otherwise whole. */
static void entry_lie(char *d, size_t n, enum entry_field f, uint64_t delta)
{
    size_t size, at = entry_at(d, n, f, &size);
    if (f == F_NAME) {
        memset(d + at, 'A', size);
    } else if (size == 4) {
        uint32_t v;
        memcpy(&v, d + at, 4);
        v += (uint32_t)delta;
        memcpy(d + at, &v, 4);
    } else {
        uint64_t v;
        memcpy(&v, d + at, 8);
        v += delta;
        memcpy(d + at, &v, 8);
    }
    uint64_t klen;
    memcpy(&klen, d, 8);
    size_t sum_end = 8 + (size_t)klen + 8;
    uint64_t sum = qr_filehash_of(d + sum_end, n - sum_end);
    memcpy(d + sum_end - 8, &sum, 8);
}

/* QUIRE_CACHE_DIR set to tmpdir/sub (the caller frees the path); *keep
 * what it was, for cache_dir_restore. */
static char *cache_dir_set(const char *sub, char **keep)
{
    const char *was = getenv("QUIRE_CACHE_DIR");
    *keep = was ? qr_xstrdup(was) : NULL;
    char *dir = qr_xasprintf("%s/%s", tmpdir, sub);
    setenv("QUIRE_CACHE_DIR", dir, 1);
    assert_null(getenv("QUIRE_NO_CACHE"));
    return dir;
}

static void cache_dir_restore(char *keep)
{
    if (keep) setenv("QUIRE_CACHE_DIR", keep, 1);
    else unsetenv("QUIRE_CACHE_DIR");
    free(keep);
}

/* One render through the counting seam: every program came deflated (or,
 * with want_zdone false, none did), as the pass would deflate it, and the
 * PDF is byte for byte `same` (NULL: the first). */
static void render_counted(const char *same, size_t same_len, bool want_zdone,
                           char **buf, size_t *len)
{
    qr_pages *p = sample_doc();
    qr_diags *d = qr_diags_new();
    qr_pdf_pack_func real = qr_pdf_pack_fn;
    qr_pdf_pack_fn = counting_pack;
    bool ok = qr_pdf_render(p, fonts, &sample_meta, buf, len, d);
    qr_pdf_pack_fn = real;
    assert_true(ok);
    assert_true(prog_n >= 4);       /* regular, bold, italic, mono, ... */
    assert_int_equal(prog_zdone, want_zdone ? prog_n : 0);
    assert_int_equal(prog_zsame, prog_zdone);
    if (same) {
        assert_int_equal(*len, same_len);
        assert_memory_equal(*buf, same, same_len);
    }
    qr_diags_free(d);
    qr_pages_free(p);
}

/* A subset entry in the cache keeps its program deflated, as the pass
 * would: a cold render deflates each program once, for the entry and the
 * PDF; a warm one takes the deflated bytes from the entry; a damaged or
 * short entry is not used, and is made again. The PDF is the same bytes
 * each time, with no cache (when the pass deflates the programs), and when
 * the subsets are made on two threads. */
static void test_subset_deflated_cached(void **state)
{
    (void)state;
    char *keep, *dir = cache_dir_set("zcache", &keep);
    qr_pdf_set_deflate_ahead(false);
    char *cold, *warm, *again, *off;
    size_t cold_len, warm_len, again_len, off_len;
    render_counted(NULL, 0, true, &cold, &cold_len);
    char *name[MAXE], *e[MAXE];
    size_t elen[MAXE];
    size_t ne = subset_entries(dir, name, e, elen, MAXE);
    assert_int_equal(ne, prog_n);
    render_counted(cold, cold_len, true, &warm, &warm_len);
    /* damaged where the deflated program lies (its last byte); cut short
     * by a byte; under a checksum that matches, saying the deflated
     * program is a byte shorter, the program longer than the entry, a
     * glyph record more or less than the used code points, a record for
     * another code point, a glyph neither found nor not, or a name without
     * its end: each time not used, and made again as it was */
    for (int how = 0; how < 9; how++) {
        for (size_t i = 0; i < ne; i++) {
            char *d = qr_xmalloc(elen[i]);
            memcpy(d, e[i], elen[i]);
            size_t dlen = elen[i];
            if (how == 0) d[dlen - 1] ^= 0x55;
            if (how == 1) dlen--;
            if (how == 2) entry_lie(d, dlen, F_ZLEN, (uint64_t)-1);
            if (how == 3) entry_lie(d, dlen, F_PLEN, dlen);
            if (how == 4) entry_lie(d, dlen, F_NGLYPHS, 1);
            if (how == 5) entry_lie(d, dlen, F_NGLYPHS, (uint64_t)-1);
            if (how == 6) entry_lie(d, dlen, F_CP, 1);
            if (how == 7) entry_lie(d, dlen, F_FOUND, 2);
            if (how == 8) entry_lie(d, dlen, F_NAME, 0);
            assert_true(qr_write_atomic(name[i], d, dlen));
            free(d);
        }
        render_counted(cold, cold_len, true, &again, &again_len);
        free(again);
        same_entries(dir, name, e, elen, ne);
    }
    setenv("QUIRE_NO_CACHE", "1", 1);
    render_counted(cold, cold_len, false, &off, &off_len);
    unsetenv("QUIRE_NO_CACHE");
    /* cold again with a second processor allowed: the subsets made on two
     * threads (load_fonts), the same entries and the same PDF */
    qr_pdf_set_deflate_ahead(true);
    for (size_t i = 0; i < ne; i++) assert_int_equal(unlink(name[i]), 0);
    qr_pages *p = sample_doc();
    qr_diags *d = qr_diags_new();
    char *two;
    size_t two_len;
    assert_true(qr_pdf_render(p, fonts, &sample_meta, &two, &two_len, d));
    assert_int_equal(two_len, cold_len);
    assert_memory_equal(two, cold, cold_len);
    same_entries(dir, name, e, elen, ne);
    free(two);
    qr_diags_free(d);
    qr_pages_free(p);
    for (size_t i = 0; i < ne; i++) {
        free(name[i]);
        free(e[i]);
    }
    cache_dir_restore(keep);
    free(dir);
    free(cold);
    free(warm);
    free(off);
}

/* Each of HarfBuzz's function pointers (fontlib.h), to be cleared. */
#define HB_SLOT(f) {(void *)&qr_dl_##f, sizeof qr_dl_##f},
static const struct hb_slot {
    void *p;
    size_t n;
} hb_slots[] = {QR_HB_FUNCS(HB_SLOT) QR_HB_SUBSET_FUNCS(HB_SLOT)};
#undef HB_SLOT
#define HB_NSLOTS (sizeof hb_slots / sizeof *hb_slots)

/* A warm render, every subset in the cache, calls no HarfBuzz function:
 * rendered again in a child with every one of HarfBuzz's pointers cleared
 * (a call crashes the child, not the tests after this one), it gives the
 * same bytes as the render that made the entries. The fonts were loaded
 * before, and the metrics already asked for: this is the PDF stage's part
 * only. */
static void test_warm_render_no_harfbuzz(void **state)
{
    (void)state;
    char *keep, *dir = cache_dir_set("hbcache", &keep);
    qr_pages *p = sample_doc();
    qr_diags *d = qr_diags_new();
    char *cold;
    size_t cold_len;
    assert_true(qr_pdf_render(p, fonts, &sample_meta, &cold, &cold_len, d));
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        /* cmocka's handlers would go on with the other tests here */
        int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
        for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
            signal(sigs[i], SIG_DFL);
        for (size_t i = 0; i < HB_NSLOTS; i++)
            memset(hb_slots[i].p, 0, hb_slots[i].n);
        char *warm;
        size_t warm_len;
        bool same = qr_pdf_render(p, fonts, &sample_meta, &warm, &warm_len, d) &&
                    warm_len == cold_len && memcmp(warm, cold, cold_len) == 0;
        _exit(same ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    free(cold);
    qr_diags_free(d);
    qr_pages_free(p);
    cache_dir_restore(keep);
    free(dir);
}

/* A character its face has no glyph for is drawn with .notdef at
 * .notdef's own width (750 in Liberation Sans), not at one layout measured:
 * the same whether the glyphs came from the face's cmap (cold, no cache)
 * or from the cache entry's records (warm), byte for byte. */
static void test_missing_glyph_cached(void **state)
{
    (void)state;
    char *keep, *dir = cache_dir_set("notdef", &keep);
    qr_pages *p = qr_pages_new();
    size_t a = qr_pages_add_page(p, A4_W, A4_H);
    add_text(p, a, 72, 90, QR_FONT_REGULAR, 12, "A\xE2\x98\x8E");  /* U+260E */
    const char *name[] = {"notdef-cold.pdf", "notdef-warm.pdf", "notdef-off.pdf"};
    char *path[3], *pdf[3];
    size_t len[3];
    for (int i = 0; i < 3; i++) {
        if (i == 2) setenv("QUIRE_NO_CACHE", "1", 1);
        path[i] = render_to(p, &sample_meta, name[i]);
        pdf[i] = qr_read_file(path[i], &len[i], 0);
        assert_non_null(pdf[i]);
        if (i == 0) {
            char *en[MAXE], *e[MAXE];
            size_t elen[MAXE];
            assert_int_equal(subset_entries(dir, en, e, elen, MAXE), 1);
            free(en[0]);
            free(e[0]);
        }
    }
    unsetenv("QUIRE_NO_CACHE");
    for (int i = 1; i < 3; i++) {
        assert_int_equal(len[i], len[0]);
        assert_memory_equal(pdf[i], pdf[0], len[0]);
    }
    char *q = qdf(path[1]);
    assert_non_null(strstr(q, "\n    9742\n    [\n      750\n    ]\n"));
    free(q);
    for (int i = 0; i < 3; i++) {
        free(path[i]);
        free(pdf[i]);
    }
    qr_pages_free(p);
    cache_dir_restore(keep);
    free(dir);
}

static void test_pdfa(void **state)
{
    (void)state;
    qr_pdf_meta m = sample_meta;
    m.pdfa = 1;
    m.title = "Q&A: <caseloads> \"quoted\"";
    char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    for (int i = 0; i < 2; i++) {
        qr_pages *p = tagged_doc();
        qr_diags *d = qr_diags_new();
        assert_true(qr_pdf_render(p, fonts, &m, i ? &b : &a,
                                  i ? &blen : &alen, d));
        qr_diags_free(d);
        qr_pages_free(p);
    }
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);
    /* The XMP is readable in the file, escaped, and mirrors Info. */
    assert_non_null(memmem(a, alen, "<pdfaid:part>2</pdfaid:part>", 28));
    assert_non_null(memmem(a, alen, "<pdfaid:conformance>B</pdfaid:conformance>", 42));
    const char *t = "Q&amp;A: &lt;caseloads&gt; &quot;quoted&quot;";
    assert_non_null(memmem(a, alen, t, strlen(t)));
    const char *cd = "<xmp:CreateDate>2026-06-21T00:00:00Z</xmp:CreateDate>";
    assert_non_null(memmem(a, alen, cd, strlen(cd)));
    assert_non_null(memmem(a, alen, "<dc:creator><rdf:Seq><rdf:li>Director", 37));
    assert_non_null(memmem(a, alen, "/ID [ <", 7));
    char *path = qr_xasprintf("%s/pdfa.pdf", tmpdir);
    assert_true(qr_write_atomic(path, a, alen));
    char *q = qdf(path);
    assert_non_null(strstr(q, "/Subtype /XML"));
    assert_non_null(strstr(q, "/Type /Metadata"));
    assert_null(strstr(q, "/SubType"));
    assert_non_null(strstr(q, "/S /GTS_PDFA1"));
    assert_non_null(strstr(q, "/DestOutputProfile"));
    assert_non_null(strstr(q, "/OutputConditionIdentifier (sRGB IEC61966-2.1)"));
    assert_non_null(strstr(q, "/CreationDate (D:20260621000000Z"));
    assert_non_null(strstr(q, "/F 4"));
    free(q);
    char *cmd = qr_xasprintf("pdfinfo '%s'; pdfinfo -meta '%s'", path, path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    assert_string_equal(err, "");
    assert_non_null(strstr(out, "Metadata Stream: yes"));
    assert_non_null(strstr(out, "Tagged:          yes"));
    assert_non_null(strstr(out, "<pdfaid:part>2</pdfaid:part>"));
    free(out);
    free(err);
    free(cmd);
    free(path);
    free(a);
    free(b);
}

static void test_page_labels(void **state)
{
    (void)state;
    qr_pdf_meta m = sample_meta;
    m.page_label_start = 17;
    qr_pages *p = tagged_doc();
    char *path = render_to(p, &m, "labels.pdf");
    char *cmd = qr_xasprintf("qpdf --json --json-key=pagelabels '%s'", path);
    char *out;
    assert_int_equal(run(cmd, &out, NULL), 0);
    assert_non_null(strstr(out, "\"/S\": \"/D\""));
    assert_non_null(strstr(out, "\"/St\": 17"));
    free(out);
    free(cmd);
    free(path);
    /* Off by default. */
    path = render_to(p, &sample_meta, "nolabels.pdf");
    char *q = qdf(path);
    assert_null(strstr(q, "/PageLabels"));
    free(q);
    free(path);
    qr_pages_free(p);
}

/* The DRAFT stamp is text layout turned along the diagonal (test_layout):
 * the PDF stage draws a turned text item with a turned text matrix, as an
 * artifact, and has nothing of its own for drafts. */
static void test_turned_text(void **state)
{
    (void)state;
    qr_pages *p = tagged_doc();
    qr_item it = {0};
    it.kind = QR_ITEM_TEXT;
    it.role = QR_ROLE_ARTIFACT;
    it.elem = -1;
    it.x = 150;
    it.y = 600;
    it.font = QR_FONT_BOLD;
    it.size = 90;
    it.text = "DRAFT";
    it.len = 5;
    it.color = (qr_rgb){0.85f, 0.85f, 0.85f};
    it.angle = 30;
    qr_pages_add_item(p, 1, &it);
    char *path = render_to(p, &sample_meta, "turned.pdf");
    char *q = qdf(path);
    /* cos 30 = 0.866, sin 30 = 0.5; y flipped: 841.89 - 600 */
    assert_non_null(strstr(q, "0.866 0.5 -0.5 0.866 150 241.89 Tm"));
    free(q);
    char *cmd = qr_xasprintf("pdftotext -raw -f 2 -l 2 '%s' - | tr -d '\\n'",
                             path);
    char *out, *err;
    assert_int_equal(run(cmd, &out, &err), 0);
    assert_string_equal(err, "");
    assert_non_null(strstr(out, "DRAFT"));
    free(out);
    free(err);
    free(cmd);
    /* Furniture: not in the structure tree. */
    char *st = struct_text(path);
    assert_null(strstr(st, "DRAFT"));
    assert_non_null(strstr(st, "Ofsted report"));
    free(st);
    free(path);
    qr_pages_free(p);
}

/* How text runs are written (show_text): a run with no kerned pair as a
 * string shown with Tj, one whose first kerned pair comes after other
 * characters as an array opened before all of them and shown with TJ, the
 * bytes a literal string must escape escaped (qpdf reads the codes back
 * and writes them in hex), and an upright run's matrix starting 1 0 0 1. */
static void test_text_runs(void **state)
{
    (void)state;
    const qr_metrics *m = qr_fonts_metrics(fonts);
    /* a pair the regular face kerns, if it kerns any of these */
    static const char *const pairs[] = {"AV", "To", "Va", "Yo", "AT", "LT"};
    const char *kp = NULL;
    for (size_t i = 0; m->kern && !kp && i < sizeof pairs / sizeof *pairs; i++)
        if (m->kern(m->ctx, QR_FONT_REGULAR, (uint32_t)pairs[i][0],
                    (uint32_t)pairs[i][1]) != 0)
            kp = pairs[i];
    qr_pages *p = qr_pages_new();
    size_t a = qr_pages_add_page(p, A4_W, A4_H);
    add_text(p, a, 72, 100, QR_FONT_REGULAR, 12, "a(b)c\\d");
    char kerned[16] = "xx";
    if (kp) strcat(kerned, kp);
    add_text(p, a, 72, 130, QR_FONT_REGULAR, 12, kerned);
    char *path = render_to(p, NULL, "runs.pdf");
    char *q = qdf(path);
    assert_non_null(strstr(q, "1 0 0 1 72 741.89 Tm\n"
                              "<00610028006200290063005c0064> Tj\n"));
    if (kp) {
        char want[64];
        snprintf(want, sizeof want, "1 0 0 1 72 711.89 Tm\n"
                 "[<0078007800%02x> ", (unsigned)kp[0]);
        assert_non_null(strstr(q, want));
        snprintf(want, sizeof want, " <00%02x>] TJ\n", (unsigned)kp[1]);
        assert_non_null(strstr(q, want));
    } else {
        assert_non_null(strstr(q, "<00780078> Tj\n"));
    }
    free(q);
    free(path);
    qr_pages_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qpdf_check),
        cmocka_unit_test(test_fonts_embedded),
        cmocka_unit_test(test_text_extracts),
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_outlines_links_catalog),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_widths_as_drawn),
        cmocka_unit_test(test_unwritable),
        cmocka_unit_test(test_pack_failure_fails_closed),
        cmocka_unit_test(test_pack_refuses_other_shapes),
        cmocka_unit_test(test_images),
        cmocka_unit_test(test_jpeg),
        cmocka_unit_test(test_image_from_layout),
        cmocka_unit_test(test_empty_and_fontless),
        cmocka_unit_test(test_eleven_pages),
        cmocka_unit_test(test_tagged_structure),
        cmocka_unit_test(test_tagged_pack_roots),
        cmocka_unit_test(test_object_streams),
        cmocka_unit_test(test_subset_deflated_cached),
        cmocka_unit_test(test_warm_render_no_harfbuzz),
        cmocka_unit_test(test_missing_glyph_cached),
        cmocka_unit_test(test_pdfa),
        cmocka_unit_test(test_page_labels),
        cmocka_unit_test(test_turned_text),
        cmocka_unit_test(test_text_runs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
