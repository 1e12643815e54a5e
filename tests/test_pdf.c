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
#include <time.h>
#include <unistd.h>

#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/pdf.h"
#include "quire/util.h"

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
        assert_int_equal(qr_pdf_render(p, fonts, &sample_meta,
                                       i ? &b : &a, i ? &blen : &alen, d),
                         0);
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
    assert_int_equal(qr_pdf_render(p, fonts, &sample_meta, &c, &clen, d), 0);
    char *idc = memmem(c, clen, "/ID [ <", 7);
    assert_non_null(idc);
    assert_memory_not_equal(ida, idc, 7 + 32);
    free(c);
    qr_diags_free(d);
    qr_pages_free(p);
    free(a);
    free(b);
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
    assert_int_equal(qr_pdf_render(q, fonts, &sample_meta, &buf, &len, d), -1);
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

static void test_jpeg(void **state)
{
    (void)state;
    char *jpg = qr_xasprintf("%s/photo.jpg", tmpdir);
    assert_int_equal(qr_write_atomic(jpg, tiny_jpeg, TINY_JPEG_LEN), 0);
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
    assert_int_equal(qr_pdf_render(p, NULL, NULL, &buf, &len, d), 0);
    assert_true(len > 100);
    assert_memory_equal(buf, "%PDF-", 5);
    free(buf);
    /* A link to an anchor that does not exist is dropped with a warning. */
    add_link(p, 0, 72, 100, "#nowhere");
    assert_int_equal(qr_pdf_render(p, NULL, NULL, &buf, &len, d), 0);
    free(buf);
    assert_int_equal(qr_diags_count(d, QR_WARNING), 1);
    assert_non_null(strstr(qr_diags_get(d, 0)->message, "'#nowhere'"));
    /* Text outside the BMP is refused rather than silently blanked. */
    add_text(p, 0, 72, 72, QR_FONT_REGULAR, 12, "emoji \xF0\x9F\x98\x80");
    assert_int_equal(qr_pdf_render(p, fonts, NULL, &buf, &len, d), -1);
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
    assert_int_equal(qr_pdf_render(p, fonts, &sample_meta, &buf, &len, d), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    fprintf(stderr, "  11 pages: %zu bytes in %.1f ms\n", len, ms);
    /* Subset fonts keep a text paper small. */
    assert_true(len < 80 * 1024);
    char *path = qr_xasprintf("%s/eleven.pdf", tmpdir);
    assert_int_equal(qr_write_atomic(path, buf, len), 0);
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
        cmocka_unit_test(test_images),
        cmocka_unit_test(test_jpeg),
        cmocka_unit_test(test_empty_and_fontless),
        cmocka_unit_test(test_eleven_pages),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
