/* test_pack.c — the pack stage: joining display lists (qr_pages_append),
 * meeting-file validation and the files a pack is made from. The PDFs
 * themselves are read back in tests/e2e/pack.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/layout.h"
#include "quire/pack.h"
#include "quire/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static qr_item text_item(int elem, qr_role role, const char *s)
{
    qr_item it;
    memset(&it, 0, sizeof it);
    it.kind = QR_ITEM_TEXT;
    it.role = role;
    it.elem = elem;
    it.text = s;
    it.len = strlen(s);
    return it;
}

/* A paper-like list: Document > P, H1 with an anchor, a footer artifact. */
static qr_pages *paper_pages(void)
{
    qr_pages *p = qr_pages_new();
    int doc = qr_pages_add_elem(p, QR_ROLE_DOCUMENT, -1, NULL, NULL);
    int h1 = qr_pages_add_elem(p, QR_ROLE_H1, doc, NULL, NULL);
    int para = qr_pages_add_elem(p, QR_ROLE_P, doc, NULL, NULL);
    int fig = qr_pages_add_elem(p, QR_ROLE_FIGURE, para, "a chart", NULL);
    size_t pg = qr_pages_add_page(p, 595, 842);
    qr_item an;
    memset(&an, 0, sizeof an);
    an.kind = QR_ITEM_ANCHOR;
    an.role = QR_ROLE_H1;
    an.elem = h1;
    an.name = "h1";
    an.text = "Title";
    an.len = 5;
    an.level = 1;
    qr_pages_add_item(p, pg, &an);
    qr_item t = text_item(h1, QR_ROLE_H1, "Title");
    qr_pages_add_item(p, pg, &t);
    t = text_item(para, QR_ROLE_P, "Body");
    qr_pages_add_item(p, pg, &t);
    t = text_item(fig, QR_ROLE_FIGURE, "fig");
    qr_pages_add_item(p, pg, &t);
    pg = qr_pages_add_page(p, 595, 842);
    t = text_item(-1, QR_ROLE_ARTIFACT, "Page 2 of 2");
    qr_pages_add_item(p, pg, &t);
    t = text_item(doc, QR_ROLE_NONE, "root-owned");
    qr_pages_add_item(p, pg, &t);
    return p;
}

static void append_reindexes_elements(void **state)
{
    (void)state;
    qr_pages *dst = qr_pages_new();
    int root = qr_pages_add_elem(dst, QR_ROLE_DOCUMENT, -1, NULL, NULL);
    int front = qr_pages_add_elem(dst, QR_ROLE_SECT, root, NULL, NULL);
    size_t fp = qr_pages_add_page(dst, 595, 842);
    qr_item t = text_item(front, QR_ROLE_P, "front");
    qr_pages_add_item(dst, fp, &t);
    int sect = qr_pages_add_elem(dst, QR_ROLE_SECT, root, NULL, NULL);

    qr_pages *src = paper_pages();
    size_t first = qr_pages_append(dst, src, sect, NULL, NULL);
    assert_int_equal(first, 1);
    assert_int_equal(qr_pages_count(dst), 3);
    /* src's Document merged into the Sect: H1, P, Figure follow it */
    assert_int_equal(qr_pages_nelems(dst), 3 + 3);
    const qr_elem *h1 = qr_pages_elem(dst, 3);
    const qr_elem *p = qr_pages_elem(dst, 4);
    const qr_elem *fig = qr_pages_elem(dst, 5);
    assert_int_equal(h1->role, QR_ROLE_H1);
    assert_int_equal(h1->parent, sect);
    assert_int_equal(p->parent, sect);
    assert_int_equal(fig->parent, 4);
    assert_string_equal(fig->alt, "a chart");

    const qr_page *pg = qr_pages_get(dst, 1);
    assert_int_equal(pg->nitems, 4);
    assert_int_equal(pg->items[0].kind, QR_ITEM_ANCHOR);
    assert_int_equal(pg->items[0].elem, 3);
    assert_int_equal(pg->items[2].elem, 4);
    assert_int_equal(pg->items[3].elem, 5);
    pg = qr_pages_get(dst, 2);
    assert_int_equal(pg->items[0].elem, -1);            /* artifact */
    assert_int_equal(pg->items[1].elem, sect);          /* was the root */
    assert_int_equal((int)pg->width, 595);
    /* the copy owns its strings */
    qr_pages_free(src);
    assert_memory_equal(qr_pages_get(dst, 1)->items[1].text, "Title", 5);
    qr_pages_free(dst);
}

static void append_without_root_keeps_roots(void **state)
{
    (void)state;
    qr_pages *dst = qr_pages_new();
    qr_pages *src = paper_pages();
    qr_pages_append(dst, src, -1, NULL, NULL);
    assert_int_equal(qr_pages_nelems(dst), 4);
    assert_int_equal(qr_pages_elem(dst, 0)->parent, -1);
    assert_int_equal(qr_pages_elem(dst, 0)->role, QR_ROLE_DOCUMENT);
    qr_pages_append(dst, src, -1, NULL, NULL);
    assert_int_equal(qr_pages_nelems(dst), 8);
    assert_int_equal(qr_pages_elem(dst, 7)->parent, 6);
    assert_int_equal(qr_pages_get(dst, 2)->items[1].elem, 5);
    qr_pages_free(src);
    qr_pages_free(dst);
}

typedef struct edit_ctx {
    int calls, inserted;
    char name[64];
} edit_ctx;

/* Renames anchors, drops artifacts, inserts one item before the first. */
static bool edit(void *ctx, qr_pages *dst, size_t dst_page, size_t src_page,
                 qr_item *it)
{
    edit_ctx *e = ctx;
    e->calls++;
    if (!e->inserted) {
        qr_item mark = text_item(-1, QR_ROLE_ARTIFACT, "inserted");
        qr_pages_add_item(dst, dst_page, &mark);
        e->inserted = 1;
    }
    if (it->kind == QR_ITEM_ANCHOR) {
        snprintf(e->name, sizeof e->name, "item-5-%s", it->name);
        it->name = e->name;
        it->level++;
    }
    (void)src_page;
    return it->role != QR_ROLE_ARTIFACT;
}

static void append_edit_renames_drops_inserts(void **state)
{
    (void)state;
    qr_pages *dst = qr_pages_new();
    qr_pages *src = paper_pages();
    edit_ctx e = {0};
    qr_pages_append(dst, src, -1, edit, &e);
    assert_int_equal(e.calls, 6);
    const qr_page *pg = qr_pages_get(dst, 0);
    assert_int_equal(pg->nitems, 5);
    assert_memory_equal(pg->items[0].text, "inserted", 8);
    assert_string_equal(pg->items[1].name, "item-5-h1");
    assert_int_equal(pg->items[1].level, 2);
    pg = qr_pages_get(dst, 1);
    assert_int_equal(pg->nitems, 1);                   /* footer dropped */
    assert_memory_equal(pg->items[0].text, "root-owned", 10);
    qr_pages_free(src);
    qr_pages_free(dst);
}

/* ---- qr_pack_build ---- */

static char dir[64];

static void put(const char *name, const char *text)
{
    char *p = qr_xasprintf("%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static int has_message(const qr_diags *d, const char *needle)
{
    for (size_t i = 0; i < qr_diags_len(d); i++)
        if (strstr(qr_diags_get(d, i)->message, needle)) return 1;
    return 0;
}

static const char MEETING_HEAD[] =
    "{\"council\": \"Harwood Borough Council\", \"committee\": \"Cabinet\",\n"
    " \"date\": \"2025-10-15\", \"time\": \"18:00\", \"venue\": \"Civic Centre\",\n"
    " \"membership\": {\"members\": [\"Councillor Adeyemi\"]},\n"
    " \"contact\": {\"name\": \"Jo Price\"},\n";

static void validation_reports_every_problem(void **state)
{
    (void)state;
    char *m = qr_xasprintf(
        "%s \"items\": [\n"
        "  {\"number\": 0, \"title\": \"Zero\", \"standing\": {\"text\": \"x\"}},\n"
        "  {\"number\": 2, \"title\": \"Both\", \"standing\": {\"text\": \"x\"},"
        " \"paper\": {\"template\": \"a.md\"}},\n"
        "  {\"number\": 3, \"title\": \"Neither\"},\n"
        "  {\"number\": 4, \"title\": \"Ex\", \"standing\": {\"text\": \"x\"},"
        " \"exempt\": {\"paragraph\": 8}}]}\n",
        MEETING_HEAD);
    put("invalid.json", m);
    free(m);
    char *path = qr_xasprintf("%s/invalid.json", dir);
    char *out = qr_xasprintf("%s/invalid.pdf", dir);
    qr_pack_req req = {.meeting_path = path, .out_path = out};
    qr_diags *d = qr_diags_new();
    char **files = NULL;
    assert_int_equal(qr_pack_build(&req, d, &files), QR_EINPUT);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 5);
    assert_true(has_message(d, "whole number from 1"));
    assert_true(has_message(d, "either 'paper' or 'standing', not both"));
    assert_true(has_message(d, "needs a 'paper'"));
    assert_true(has_message(d, "paragraph 8 does not exist"));
    assert_true(has_message(d, "missing required field 'reason'"));
    /* located in the meeting file */
    const qr_diag *g = qr_diags_get(d, 0);
    assert_string_equal(g->file, path);
    assert_int_equal(g->line, 6);
    assert_int_equal(access(out, F_OK), -1);
    assert_non_null(files);
    assert_string_equal(files[0], path);
    qr_pack_files_free(files);
    qr_diags_free(d);
    free(path);
    free(out);
}

static void public_pack_never_lists_exempt_files(void **state)
{
    (void)state;
    put("open.md", "# Open\n\nAn open report.\n");
    char *m = qr_xasprintf(
        "%s \"items\": [\n"
        "  {\"number\": 1, \"title\": \"Open\", \"paper\": {\"template\": \"open.md\"}},\n"
        "  {\"number\": 2, \"title\": \"Closed\", \"paper\": {\"data\": \"nowhere.json\","
        " \"template\": \"nowhere.md\"}, \"exempt\": {\"paragraph\": 2, \"reason\": \"r\"}}]}\n",
        MEETING_HEAD);
    put("m.json", m);
    free(m);
    char *path = qr_xasprintf("%s/m.json", dir);
    char *out = qr_xasprintf("%s/m.pdf", dir);
    qr_pack_req req = {.meeting_path = path, .out_path = out, .public_pack = 1};
    qr_diags *d = qr_diags_new();
    char **files = NULL;
    assert_int_equal(qr_pack_build(&req, d, &files), QR_OK);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    assert_int_equal(access(out, F_OK), 0);
    int n = 0, open_md = 0, faces = 0;
    for (char **f = files; *f; f++) {
        assert_null(strstr(*f, "nowhere"));
        if (strstr(*f, "open.md")) open_md = 1;
        size_t fl = strlen(*f);
        if (fl > 4 && (strcmp(*f + fl - 4, ".ttf") == 0 ||
                       strcmp(*f + fl - 4, ".ttc") == 0))
            faces++;   /* the embedded fonts are inputs as well */
        else
            n++;
    }
    assert_true(open_md);
    assert_int_equal(n, 2);   /* the meeting file and open.md only */
    assert_true(faces >= 2);
    qr_pack_files_free(files);
    qr_diags_free(d);

    /* the full pack needs the paper: an error naming item 2 and its file */
    unlink(out);
    req.public_pack = 0;
    d = qr_diags_new();
    assert_int_equal(qr_pack_build(&req, d, NULL), QR_EINPUT);
    assert_true(has_message(d, "item 2"));
    assert_true(has_message(d, "nowhere.json"));
    assert_int_equal(access(out, F_OK), -1);
    qr_diags_free(d);
    free(path);
    free(out);
}

/* In a meeting file a misspelt or repeated key is an error, never a
 * warning: either could turn an exempt item public. Nothing is built and
 * the exempt paper is never opened. */
static void misspelt_or_repeated_keys_fail(void **state)
{
    (void)state;
    put("open.md", "# Open\n\nAn open report.\n");
    static const char *const exempts[] = {
        /* the misspelling, and the same in another case */
        "\"exmept\": {\"paragraph\": 2, \"reason\": \"r\"}",
        "\"Exempt\": {\"paragraph\": 2, \"reason\": \"r\"}",
        /* the repeat cJSON would read as null */
        "\"exempt\": null, \"exempt\": {\"paragraph\": 2, \"reason\": \"r\"}",
    };
    static const char *const want[] = {
        "unknown field 'exmept': did you mean 'exempt'? (known: number, "
        "title, lead, paper, standing, exempt, appendices, published, "
        "supplement, late_reason)",
        "unknown field 'Exempt': did you mean 'exempt'? (known: number, "
        "title, lead, paper, standing, exempt, appendices, published, "
        "supplement, late_reason)",
        "duplicate key \"exempt\" in /items/1 (first at 7:97)",
    };
    static const int want_col[] = {107, 107, 113};
    char *path = qr_xasprintf("%s/m.json", dir);
    char *out = qr_xasprintf("%s/m.pdf", dir);
    for (size_t i = 0; i < 3; i++) {
        char *m = qr_xasprintf(
            "%s \"items\": [\n"
            "  {\"number\": 1, \"title\": \"Open\", \"paper\": {\"template\": \"open.md\"}},\n"
            "  {\"number\": 2, \"title\": \"Closed\", \"paper\": {\"data\": \"nowhere.json\","
            " \"template\": \"nowhere.md\"}, %s}]}\n",
            MEETING_HEAD, exempts[i]);
        put("m.json", m);
        free(m);
        qr_pack_req req = {.meeting_path = path, .out_path = out,
                           .public_pack = 1};
        qr_diags *d = qr_diags_new();
        char **files = NULL;
        assert_int_equal(qr_pack_build(&req, d, &files), QR_EINPUT);
        assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
        const qr_diag *g = qr_diags_get(d, 0);
        assert_string_equal(g->message, want[i]);
        assert_string_equal(g->file, path);
        assert_int_equal(g->line, 7);
        assert_int_equal(g->col, want_col[i]);
        assert_int_equal(access(out, F_OK), -1);
        for (char **f = files; f && *f; f++) assert_null(strstr(*f, "nowhere"));
        qr_pack_files_free(files);
        qr_diags_free(d);
    }

    /* every object of the file is checked, members' too; a key that is
     * near nothing gets the list alone */
    char *m = qr_xasprintf(
        "{\"council\": \"Harwood Borough Council\", \"committee\": \"Cabinet\",\n"
        " \"date\": \"2025-10-15\", \"time\": \"18:00\", \"venue\": \"Civic Centre\",\n"
        " \"membership\": {\"members\": [{\"name\": \"Cllr A\", \"rol\": \"Chair\"}]},\n"
        " \"contact\": {\"name\": \"Jo Price\", \"colour\": \"red\"},\n"
        " \"items\": [{\"number\": 1, \"title\": \"Open\", \"paper\": "
        "{\"template\": \"open.md\", \"Style\": \"s.json\"}}]}\n");
    put("m.json", m);
    free(m);
    qr_pack_req req = {.meeting_path = path, .out_path = out};
    qr_diags *d = qr_diags_new();
    assert_int_equal(qr_pack_build(&req, d, NULL), QR_EINPUT);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 3);
    assert_int_equal(qr_diags_count(d, QR_WARNING), 0);
    assert_true(has_message(d, "unknown field 'rol': did you mean 'role'? "
                               "(known: name, role)"));
    assert_true(has_message(d, "unknown field 'colour' (known: name, role, "
                               "phone, email)"));
    assert_true(has_message(d, "unknown field 'Style': did you mean "
                               "'style'? (known: data, template, style)"));
    for (size_t i = 0; i < qr_diags_len(d); i++)
        assert_int_not_equal(qr_diags_get(d, i)->line, 0);
    assert_int_equal(access(out, F_OK), -1);
    qr_diags_free(d);
    free(path);
    free(out);
}

/* An object of 100,000 unknown keys: ten are shown, the rest counted in one
 * more error, so reporting stays linear (each located message is a pass
 * over the file). */
static void many_unknown_keys_are_counted(void **state)
{
    (void)state;
    enum { N = 100000 };
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b, MEETING_HEAD);
    for (int i = 0; i < N; i++) qr_buf_printf(&b, " \"k%d\": %d,\n", i, i);
    qr_buf_puts(&b, " \"items\": [{\"number\": 1, \"title\": \"T\", "
                    "\"standing\": {\"text\": \"x\"}}]}\n");
    put("m.json", b.data);
    qr_buf_free(&b);
    char *path = qr_xasprintf("%s/m.json", dir);
    char *out = qr_xasprintf("%s/m.pdf", dir);
    qr_pack_req req = {.meeting_path = path, .out_path = out};
    qr_diags *d = qr_diags_new();
    /* minutes when every key was reported; now eleven messages */
    assert_int_equal(qr_pack_build(&req, d, NULL), QR_EINPUT);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 11);
    assert_int_equal(qr_diags_get(d, 0)->line, 5);
    assert_true(has_message(d, "unknown field 'k9' (known: "));
    assert_false(has_message(d, "unknown field 'k10' "));
    assert_true(has_message(d, "99990 more unknown fields not shown"));
    assert_int_equal(access(out, F_OK), -1);
    qr_diags_free(d);
    free(path);
    free(out);
}

/* A 1x1 RGB PNG. */
static const unsigned char PNG1[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
    0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00,
    0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x38, 0x21, 0x27, 0x07,
    0x00, 0x02, 0xb6, 0x01, 0x05, 0x34, 0xa6, 0x75, 0xaa, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

/* The images a pack shows are among the files it lists (build rebuilds the
 * pack when one changes), found beside the paper's template whatever the
 * current folder; and the pack refuses to write over its own meeting file. */
static void pack_lists_images_and_refuses_its_inputs(void **state)
{
    (void)state;
    char *img = qr_xasprintf("%s/dot.png", dir);
    FILE *f = fopen(img, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(PNG1, 1, sizeof PNG1, f), sizeof PNG1);
    fclose(f);
    put("open.md", "# Open\n\n![A dot](dot.png)\n");
    char *m = qr_xasprintf(
        "%s \"items\": [\n"
        "  {\"number\": 1, \"title\": \"Open\", \"paper\": {\"template\": \"open.md\"}}]}\n",
        MEETING_HEAD);
    put("m.json", m);
    free(m);
    char *path = qr_xasprintf("%s/m.json", dir);
    char *out = qr_xasprintf("%s/m.pdf", dir);
    qr_pack_req req = {.meeting_path = path, .out_path = out};
    qr_diags *d = qr_diags_new();
    char **files = NULL;
    assert_int_equal(qr_pack_build(&req, d, &files), QR_OK);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    int image = 0;
    for (char **fl = files; *fl; fl++)
        if (strcmp(*fl, img) == 0) image = 1;
    assert_true(image);
    qr_pack_files_free(files);
    qr_diags_free(d);

    /* -o the meeting file: refused, the meeting file as it was */
    req.out_path = path;
    d = qr_diags_new();
    assert_int_equal(qr_pack_build(&req, d, NULL), QR_EINPUT);
    assert_true(has_message(d, "refusing to overwrite an input"));
    size_t len;
    char *text = qr_read_file(path, &len, 0);
    assert_non_null(text);
    assert_non_null(strstr(text, "\"items\""));
    free(text);
    qr_diags_free(d);
    unlink(img);
    unlink(out);
    free(img);
    free(path);
    free(out);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/quire-test-pack-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"invalid.json", "open.md", "m.json", "m.pdf"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *p = qr_xasprintf("%s/%s", dir, names[i]);
        unlink(p);
        free(p);
    }
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_reindexes_elements),
        cmocka_unit_test(append_without_root_keeps_roots),
        cmocka_unit_test(append_edit_renames_drops_inserts),
        cmocka_unit_test(validation_reports_every_problem),
        cmocka_unit_test(public_pack_never_lists_exempt_files),
        cmocka_unit_test(misspelt_or_repeated_keys_fail),
        cmocka_unit_test(many_unknown_keys_are_counted),
        cmocka_unit_test(pack_lists_images_and_refuses_its_inputs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
