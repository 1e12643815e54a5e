/* Unit tests for an item's "appendices" in the meeting file
 * (pack_appendix.c): every malformed entry is an error at its JSON
 * pointer, a good list is read in order with paths resolved against the
 * meeting file's folder, and a public pack withholds an exempt appendix
 * without opening its file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/diag.h"
#include "quire/fonts.h"
#include "quire/load.h"
#include "quire/style.h"
#include "quire/util.h"
#include "../pipeline/pack_appendix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Check `json` (an "appendices" value) as item 3's; the diagnostics. */
static qr_diags *check(const char *json, int has_paper, qr_pack_appxs *a,
                       qr_data **data)
{
    qr_diags *d = qr_diags_new();
    char *text = qr_xasprintf("{\"appendices\": %s}", json);
    *data = qr_data_parse(text, strlen(text), "m.json", d);
    free(text);
    assert_non_null(*data);
    /* the pointers name item 3 of a meeting, not this little file: they
     * are checked as text */
    qr_pack_appx_check(a,
                       cJSON_GetObjectItemCaseSensitive(qr_data_root(*data),
                                                        "appendices"),
                       "/items/3", has_paper, *data, "meetings", d);
    return d;
}

static int has_error(const qr_diags *d, const char *pointer, const char *part)
{
    for (size_t i = 0; i < qr_diags_len(d); i++) {
        const qr_diag *g = qr_diags_get(d, i);
        if (g->severity == QR_ERROR && strstr(g->message, part) &&
            (!pointer || (g->path && strcmp(g->path, pointer) == 0)))
            return 1;
    }
    return 0;
}

static void expect_error(const char *json, int has_paper, const char *pointer,
                         const char *part)
{
    qr_pack_appxs a;
    qr_data *data;
    qr_diags *d = check(json, has_paper, &a, &data);
    if (!has_error(d, pointer, part)) {
        for (size_t i = 0; i < qr_diags_len(d); i++)
            fprintf(stderr, "got: %s: %s\n", qr_diags_get(d, i)->path,
                    qr_diags_get(d, i)->message);
        fail_msg("no error '%s' at %s", part, pointer);
    }
    qr_pack_appx_free(&a);
    qr_data_free(data);
    qr_diags_free(d);
}

static void test_good_list(void **state)
{
    (void)state;
    qr_pack_appxs a;
    qr_data *data;
    qr_diags *d = check(
        "[{\"letter\": \"A\", \"title\": \"Letter\", \"pdf\": \"a.pdf\"},"
        " {\"letter\": \"BC\", \"title\": \"Audit\", \"pdf\": \"/abs/b.pdf\","
        "  \"exempt\": {\"paragraph\": 2, \"reason\": \"A child.\"}}]",
        1, &a, &data);
    assert_int_equal(qr_diags_len(d), 0);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.v[0].letter, "A");
    assert_string_equal(a.v[0].pdf_path, "meetings/a.pdf");
    assert_int_equal(a.v[0].exempt, 0);
    assert_string_equal(a.v[1].pdf_path, "/abs/b.pdf");
    assert_int_equal(a.v[1].exempt, 2);
    assert_string_equal(a.v[1].reason, "A child.");
    assert_true(a.any_exempt);
    /* public: the exempt one is a notice, and its (absent) file is never
     * opened — no error although neither file exists; the open one is
     * opened and fails, naming the item and letter */
    assert_false(qr_pack_appx_prepare(&a, "3", "Visit", 0, 0, 1, "Cabinet", d));
    assert_true(a.v[1].withheld);
    assert_null(a.v[1].doc);
    assert_non_null(a.v[1].notice);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    assert_non_null(strstr(qr_diags_get(d, 0)->message,
                           "item 3 \xE2\x80\x98Visit\xE2\x80\x99, appendix A "
                           "(meetings/a.pdf): cannot read the file"));
    qr_pack_appx_free(&a);
    qr_data_free(data);
    qr_diags_free(d);
}

static void test_withheld_item_opens_nothing(void **state)
{
    (void)state;
    qr_pack_appxs a;
    qr_data *data;
    qr_diags *d = check("[{\"letter\": \"A\", \"title\": \"L\", "
                        "\"pdf\": \"absent.pdf\"}]", 1, &a, &data);
    assert_true(qr_pack_appx_prepare(&a, "3", "Visit", 4, 1, 1, "C", d));
    assert_null(a.v[0].doc);
    assert_null(a.v[0].notice);
    assert_int_equal(qr_diags_len(d), 0);
    qr_pack_appx_free(&a);
    qr_data_free(data);
    qr_diags_free(d);
}

/* A paper appendix: its paths resolved like a PDF's, nothing opened by
 * prepare (pack.c prepares it with its items' papers), and an exempt one
 * withheld as a notice in a public pack. */
static void test_paper_appendix(void **state)
{
    (void)state;
    qr_pack_appxs a;
    qr_data *data;
    qr_diags *d = check(
        "[{\"letter\": \"A\", \"title\": \"Plan\", \"paper\": "
        "  {\"template\": \"t.md\", \"data\": \"/abs/d.json\"}},"
        " {\"letter\": \"B\", \"title\": \"Costs\", \"paper\": "
        "  {\"template\": \"c.md\", \"style\": \"s.json\"},"
        "  \"exempt\": {\"paragraph\": 3, \"reason\": \"Prices.\"}}]",
        1, &a, &data);
    assert_int_equal(qr_diags_len(d), 0);
    assert_null(a.v[0].pdf_path);
    assert_string_equal(a.v[0].tpl_path, "meetings/t.md");
    assert_string_equal(a.v[0].data_path, "/abs/d.json");
    assert_null(a.v[0].style_path);
    assert_string_equal(a.v[0].ptr, "/items/3/appendices/0/paper");
    assert_string_equal(a.v[1].style_path, "meetings/s.json");
    /* none of the files exists: prepare opens none of them */
    assert_true(qr_pack_appx_prepare(&a, "3", "Visit", 0, 0, 1, "C", d));
    assert_true(qr_pack_appx_wants_paper(&a, 0));
    assert_false(qr_pack_appx_wants_paper(&a, 1));
    assert_true(a.v[1].withheld);
    assert_non_null(a.v[1].notice);
    assert_int_equal(qr_diags_len(d), 0);
    qr_pack_appx_free(&a);
    qr_data_free(data);
    qr_diags_free(d);
}

static void test_bad_entries(void **state)
{
    (void)state;
    expect_error("{}", 1, "/items/3/appendices", "must be an array");
    expect_error("[]", 0, "/items/3/appendices",
                 "only an item with a 'paper' can have appendices");
    expect_error("[7]", 1, "/items/3/appendices/0", "must be an object");
    expect_error("[{\"title\": \"T\", \"pdf\": \"a.pdf\"}]", 1,
                 "/items/3/appendices/0", "missing required field 'letter'");
    expect_error("[{\"letter\": \"a\", \"title\": \"T\", \"pdf\": \"a.pdf\"}]",
                 1, "/items/3/appendices/0/letter",
                 "must be one or two capital letters");
    expect_error("[{\"letter\": \"A\", \"title\": \"T\", \"pdf\": \"\"}]", 1,
                 "/items/3/appendices/0/pdf", "must be a non-empty string");
    expect_error("[{\"letter\": \"A\", \"title\": \"T\", \"pdf\": \"a.pdf\"},"
                 " {\"letter\": \"A\", \"title\": \"U\", \"pdf\": \"b.pdf\"}]",
                 1, "/items/3/appendices/1/letter", "named twice");
    expect_error("[{\"letter\": \"A\", \"title\": \"T\", \"pdf\": \"a.pdf\","
                 " \"Exempt\": {}}]", 1, "/items/3/appendices/0/Exempt",
                 "did you mean 'exempt'?");
    expect_error("[{\"letter\": \"A\", \"title\": \"T\", \"pdf\": \"a.pdf\","
                 " \"exempt\": {\"paragraph\": 8, \"reason\": \"r\"}}]", 1,
                 "/items/3/appendices/0/exempt", "whole number 1 to 7");
    expect_error("[{\"letter\": \"A\", \"title\": \"T\", \"pdf\": \"a.pdf\","
                 " \"exempt\": {\"paragraph\": 1}}]", 1,
                 "/items/3/appendices/0/exempt",
                 "missing required field 'reason'");
    expect_error("[{\"letter\": \"A\", \"title\": \"T\", \"pdf\": \"a.pdf\","
                 " \"paper\": {\"template\": \"t.md\"}}]", 1,
                 "/items/3/appendices/0/paper", "not both");
    expect_error("[{\"letter\": \"A\", \"title\": \"T\"}]", 1,
                 "/items/3/appendices/0", "needs a 'pdf'");
    expect_error("[{\"letter\": \"A\", \"title\": \"T\", \"paper\": 5}]", 1,
                 "/items/3/appendices/0/paper", "'paper' must be an object");
    expect_error("[{\"letter\": \"A\", \"title\": \"T\", \"paper\": {}}]", 1,
                 "/items/3/appendices/0/paper",
                 "missing required field 'template'");
    expect_error("[{\"letter\": \"A\", \"title\": \"T\", \"paper\": "
                 "{\"template\": \"t.md\", \"Data\": \"d.json\"}}]", 1,
                 "/items/3/appendices/0/paper/Data", "did you mean 'data'?");
    expect_error("[{\"letter\": \"A\", \"title\": \"T\", \"paper\": "
                 "{\"template\": \"t.md\", \"data\": \"\"}}]", 1,
                 "/items/3/appendices/0/paper/data", "must be a non-empty string");
}

/* A two-page PDF (A4 portrait, empty pages) at `path`. */
static void two_pages(const char *path)
{
    const char *obj[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"};
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    long off[4];
    fputs("%PDF-1.7\n", f);
    for (int i = 0; i < 4; i++) {
        off[i] = ftell(f);
        fprintf(f, "%d 0 obj\n%s\nendobj\n", i + 1, obj[i]);
    }
    long x = ftell(f);
    fputs("xref\n0 5\n0000000000 65535 f \n", f);
    for (int i = 0; i < 4; i++) fprintf(f, "%010ld 00000 n \n", off[i]);
    fprintf(f, "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n",
            x);
    fclose(f);
}

/* Placeholders are counted, not laid out, while the pack's total is
 * unknown (its first pass): a placeholder is one page whatever its
 * footer says. Their range is known all the same, and the pass that
 * knows the total lays them out, a page each. */
static void test_placeholders_wait_for_total(void **state)
{
    (void)state;
    char dir[] = "/tmp/quire-pack-appx-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *pdf = qr_xasprintf("%s/two.pdf", dir);
    two_pages(pdf);
    char *json = qr_xasprintf("[{\"letter\": \"A\", \"title\": \"Two\", "
                              "\"pdf\": \"%s\"}]", pdf);
    qr_pack_appxs a;
    qr_data *data;
    qr_diags *d = check(json, 1, &a, &data);
    assert_true(qr_pack_appx_prepare(&a, "3", "Visit", 0, 0, 0, "C", d));
    qr_style st;
    qr_style_default(&st);
    qr_fonts *fonts = qr_fonts_load(&st, d);
    assert_non_null(fonts);
    int n = 0, first = 0, last = 0;
    assert_true(qr_pack_appx_layout(&a, &st, qr_fonts_metrics(fonts), "C",
                                    "3", NULL, 5, 0, &n, d));
    assert_int_equal(n, 2);
    assert_null(a.v[0].pages);
    assert_true(qr_pack_appx_range(&a, 0, &first, &last));
    assert_int_equal(first, 5);
    assert_int_equal(last, 6);
    assert_true(qr_pack_appx_layout(&a, &st, qr_fonts_metrics(fonts), "C",
                                    "3", NULL, 5, 9, &n, d));
    assert_int_equal(n, 2);
    assert_non_null(a.v[0].pages);
    assert_int_equal(a.v[0].npages, 2);
    for (size_t k = 0; k < 2; k++)
        assert_int_equal(qr_pages_count(a.v[0].pages[k]), 1);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    qr_fonts_free(fonts);
    qr_pack_appx_free(&a);
    qr_data_free(data);
    qr_diags_free(d);
    unlink(pdf);
    rmdir(dir);
    free(pdf);
    free(json);
}

/* A draft pack stamps DRAFT on an imported page as on its other pages,
 * under everything: the turned word is the first item of each
 * placeholder, before the Figure the imported page is drawn into. */
static void test_draft_under_imported_page(void **state)
{
    (void)state;
    char dir[] = "/tmp/quire-pack-appx-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *pdf = qr_xasprintf("%s/two.pdf", dir);
    two_pages(pdf);
    char *json = qr_xasprintf("[{\"letter\": \"A\", \"title\": \"Two\", "
                              "\"pdf\": \"%s\"}]", pdf);
    qr_pack_appxs a;
    qr_data *data;
    qr_diags *d = check(json, 1, &a, &data);
    assert_true(qr_pack_appx_prepare(&a, "3", "Visit", 0, 0, 0, "C", d));
    a.draft = 1;
    qr_style st;
    qr_style_default(&st);
    qr_fonts *fonts = qr_fonts_load(&st, d);
    assert_non_null(fonts);
    int n = 0;
    assert_true(qr_pack_appx_layout(&a, &st, qr_fonts_metrics(fonts), "C",
                                    "3", NULL, 5, 9, &n, d));
    assert_int_equal(n, 2);
    qr_pages *all = qr_pages_new();
    qr_pack_appx_join(&a, all, -1, "item-3", NULL);
    assert_int_equal(qr_pages_count(all), 2);
    for (size_t k = 0; k < 2; k++) {
        const qr_page *pg = qr_pages_get(all, k);
        assert_true(pg->nitems >= 2);
        assert_int_equal(pg->items[0].kind, QR_ITEM_TEXT);
        assert_true(pg->items[0].angle != 0);
        assert_int_equal(pg->items[1].kind, QR_ITEM_RECT);
        assert_int_equal(pg->items[1].role, QR_ROLE_FIGURE);
    }
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    qr_pages_free(all);
    qr_fonts_free(fonts);
    qr_pack_appx_free(&a);
    qr_data_free(data);
    qr_diags_free(d);
    unlink(pdf);
    rmdir(dir);
    free(pdf);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_list),
        cmocka_unit_test(test_withheld_item_opens_nothing),
        cmocka_unit_test(test_paper_appendix),
        cmocka_unit_test(test_bad_entries),
        cmocka_unit_test(test_placeholders_wait_for_total),
        cmocka_unit_test(test_draft_under_imported_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
