/* test_style.c — the house style: defaults, loading, units, colours, and the
 * messages a council officer sees for a bad style file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quire/load.h"
#include "quire/style.h"
#include "quire/util.h"

static char tmpdir[] = "/tmp/quire_style_XXXXXX";

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = qr_xasprintf("rm -rf '%s'", tmpdir);
    int rc = system(cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}

/* Writes text to tmpdir/name; returns the path (caller frees). */
static char *write_style(const char *name, const char *text)
{
    char *path = qr_xasprintf("%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads text over the defaults; returns qr_style_load's result. */
static bool load(const char *text, qr_style *s, qr_diags *d)
{
    qr_style_default(s);
    char *path = write_style("s.json", text);
    bool ok = qr_style_load(path, s, d);
    free(path);
    return ok;
}

static const qr_diag *only_diag(const qr_diags *d, qr_severity sev)
{
    assert_int_equal(qr_diags_len(d), 1);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_int_equal(g->severity, sev);
    return g;
}

#define assert_close(a, b) assert_true(fabs((double)(a) - (double)(b)) < 0.01)

static void test_defaults(void **state)
{
    (void)state;
    qr_style s;
    qr_style_default(&s);
    assert_close(s.page_width, 595.28);
    assert_close(s.page_height, 841.89);
    assert_close(s.margin_top, 70.87);      /* 25 mm */
    assert_close(s.margin_bottom, 70.87);
    assert_close(s.margin_left, 56.69);     /* 20 mm */
    assert_close(s.margin_right, 56.69);
    assert_string_equal(s.body_family, "Arial");
    assert_string_equal(s.heading_family, "");
    assert_string_equal(s.mono_family, "Liberation Mono");
    assert_string_equal(s.fallback_family, "DejaVu Sans");
    assert_close(s.body_size, 12);
    assert_close(s.leading, 1.25);
    assert_close(s.heading_size[0], 18);
    assert_close(s.heading_size[1], 14);
    assert_close(s.heading_size[2], 12.5);
    assert_close(s.heading_size[5], 12);
    assert_close(s.heading_space_before, 1.0);
    assert_close(s.heading_space_after, 0.4);
    assert_close(s.paragraph_space, 6);
    assert_close(s.code_size, 10);
    assert_close(s.small_size, 9);
    assert_close(s.table_size, 10.5);
    assert_close(s.list_indent, 18);
    assert_close(s.rule_width, 0.5);
    assert_close(s.link_color.r, 0x1d / 255.0);
    assert_close(s.link_color.g, 0x70 / 255.0);
    assert_close(s.link_color.b, 0xb8 / 255.0);
    assert_close(s.text_color.r, 0x1a / 255.0);
    assert_close(s.code_fill.r, 0xf3 / 255.0);
    assert_int_equal(s.align, QR_ALIGN_LEFT);
    assert_int_equal(s.breaking, QR_BREAK_TOTAL_FIT);
    assert_int_equal(s.hyphenate, 1);
    assert_int_equal(s.widows, 2);
    assert_int_equal(s.orphans, 2);
    assert_int_equal(s.number_sections, 1);
    assert_int_equal(s.number_paragraphs, 0);
    assert_string_equal(s.header_left, "");
    assert_string_equal(s.footer_center, "Page {page} of {pages}");
    assert_string_equal(s.logo, "");
    assert_close(s.logo_width, 120);
    assert_string_equal(s.lang, "en-GB");
}

static void test_council_json_is_the_default(void **state)
{
    (void)state;
    qr_style def, s;
    qr_style_default(&def);
    /* start from something else, so every key must really be read */
    memset(&s, 0x5a, sizeof s);
    s.logo[0] = '\0';
    qr_diags *d = qr_diags_new();
    const char *path = "templates/styles/council.json";
    if (access(path, R_OK) != 0) path = "../templates/styles/council.json";
    bool ok = qr_style_load(path, &s, d);
    assert_true(ok);
    assert_int_equal(qr_diags_len(d), 0);
    assert_memory_equal(&s, &def, sizeof s);
    qr_diags_free(d);
}

static void test_units(void **state)
{
    (void)state;
    qr_style s;
    qr_diags *d = qr_diags_new();
    bool ok = load("{\"page\": {\"margins\": {\"top\": \"1in\", \"right\": \"2.5cm\","
                  " \"bottom\": 30, \"left\": \"12.5pt\"}},"
                  " \"sizes\": {\"body\": \"11pt\", \"h1\": 20},"
                  " \"spacing\": {\"paragraph\": \"3mm\", \"list_indent\": \".5in\"},"
                  " \"logo\": {\"width\": \"40mm\"}}", &s, d);
    assert_true(ok);
    assert_int_equal(qr_diags_len(d), 0);
    assert_close(s.margin_top, 72);
    assert_close(s.margin_right, 70.87);
    assert_close(s.margin_bottom, 30);
    assert_close(s.margin_left, 12.5);
    assert_close(s.body_size, 11);
    assert_close(s.heading_size[0], 20);
    assert_close(s.heading_size[1], 14);     /* untouched keys keep defaults */
    assert_close(s.paragraph_space, 8.50);
    assert_close(s.list_indent, 36);
    assert_close(s.logo_width, 113.39);
    qr_diags_free(d);
}

static void test_page_sizes(void **state)
{
    (void)state;
    qr_style s;
    qr_diags *d = qr_diags_new();
    assert_true(load("{\"page\": {\"size\": \"Letter\"}}", &s, d));
    assert_close(s.page_width, 612);
    assert_close(s.page_height, 792);
    assert_true(load("{\"page\": {\"orientation\": \"landscape\", "
                     "\"size\": \"a4\"}}", &s, d));
    assert_close(s.page_width, 841.89);
    assert_close(s.page_height, 595.28);
    assert_true(load("{\"page\": {\"size\": [\"148mm\", 595]}}", &s, d));
    assert_close(s.page_width, 419.53);
    assert_close(s.page_height, 595);
    assert_int_equal(qr_diags_len(d), 0);

    assert_false(load("{\"page\": {\"size\": \"B5\"}}", &s, d));
    const qr_diag *g = only_diag(d, QR_ERROR);
    assert_non_null(strstr(g->message, "'B5' is not a page size"));
    assert_string_equal(g->path, "/page/size");
    assert_close(s.page_width, 595.28);   /* unchanged on error */
    qr_diags_free(d);

    d = qr_diags_new();
    assert_false(load("{\"page\": {\"margins\": {\"left\": \"10cm\", "
                      "\"right\": \"10cm\"}}}", &s, d));
    g = only_diag(d, QR_ERROR);
    assert_non_null(strstr(g->message, "left and right margins"));
    assert_string_equal(g->path, "/page/margins");
    assert_int_equal(g->line, 1);
    assert_int_equal(g->col, 22);      /* at the margins' value */
    qr_diags_free(d);

    /* each side of [width, height] is located at its own pointer */
    d = qr_diags_new();
    assert_false(load("{\"page\": {\"size\": [\"210mm\", \"1cm\"]}}",
                          &s, d));
    g = only_diag(d, QR_ERROR);
    assert_string_equal(g->message, "'1cm' is out of range (expected 72 to "
                                    "14400 points)");
    assert_string_equal(g->path, "/page/size/1");
    assert_int_equal(g->col, 29);
    qr_diags_free(d);
}

static void test_colours(void **state)
{
    (void)state;
    qr_style s;
    qr_diags *d = qr_diags_new();
    assert_true(load("{\"colors\": {\"link\": \"#FFF\"}, "
                     "\"colours\": {\"heading\": \"#1D3557\"}}", &s, d));
    assert_close(s.link_color.r, 1.0);
    assert_close(s.link_color.b, 1.0);
    assert_close(s.heading_color.r, 0x1d / 255.0);
    assert_close(s.heading_color.g, 0x35 / 255.0);
    assert_close(s.heading_color.b, 0x57 / 255.0);
    assert_int_equal(qr_diags_len(d), 0);

    assert_false(load("{\"colours\": {\"rule\": \"grey\"}}", &s, d));
    const qr_diag *g = only_diag(d, QR_ERROR);
    assert_string_equal(g->message,
                        "'grey' is not a colour (expected "
                        "\"#rrggbb\", e.g. \"#1d70b8\")");
    assert_string_equal(g->path, "/colours/rule");
    qr_diags_free(d);
}

static void test_bad_length_message(void **state)
{
    (void)state;
    qr_style s;
    qr_diags *d = qr_diags_new();
    bool ok = load("{\n  \"page\": {\n    \"margins\": {\n"
                  "      \"top\": \"25 mm\"\n    }\n  }\n}\n", &s, d);
    assert_false(ok);
    const qr_diag *g = only_diag(d, QR_ERROR);
    assert_string_equal(g->message,
                        "'25 mm' is not a length (expected "
                        "e.g. \"25mm\", \"2.5cm\", \"1in\" or a number of points)");
    assert_non_null(strstr(g->file, "s.json"));
    assert_string_equal(g->path, "/page/margins/top");
    assert_int_equal(g->line, 4);
    assert_int_equal(g->col, 14);
    assert_string_equal(g->source, "      \"top\": \"25 mm\"");
    assert_close(s.margin_top, 70.87);
    qr_diags_free(d);
}

static void test_every_bad_value_reported(void **state)
{
    (void)state;
    qr_style s;
    qr_diags *d = qr_diags_new();
    bool ok = load("{\"paragraph\": {\"align\": \"centre\", \"hyphenate\": \"yes\","
                  " \"widows\": 0, \"breaking\": \"fast\"},"
                  " \"sizes\": {\"body\": -3},"
                  " \"leading\": 12,"
                  " \"fonts\": {\"body\": \"\"},"
                  " \"header\": {\"left\": \"{council} report\"},"
                  " \"lang\": \"en GB\","
                  " \"numbering\": {\"sections\": true}}", &s, d);
    assert_false(ok);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 9);
    const char *want[][2] = {
        {"/paragraph/align", "'centre' is not an alignment (expected \"left\" or \"justify\")"},
        {"/paragraph/hyphenate", "'yes' is not true or false"},
        {"/paragraph/widows", "0 is not a whole number from 1 to 10"},
        {"/paragraph/breaking", "'fast' is not a line-breaking method"},
        {"/sizes/body", "-3 is out of range (expected 4 to 200 points)"},
        {"/leading", "12 is not a number from 0.8 to 3"},
        {"/fonts/body", "the value must not be empty"},
        {"/header/left", "unknown field '{council}'"},
        {"/lang", "'en GB' is not a language tag"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const qr_diag *g = qr_diags_get(d, i);
        if (strstr(g->message, want[i][1]) == NULL)
            fail_msg("diag %zu: got \"%s\", want \"%s\"", i, g->message,
                     want[i][1]);
        assert_string_equal(g->path, want[i][0]);
        assert_int_equal(g->line, 1);
        assert_true(g->col > 1);
    }
    /* nothing applied, not even the good key */
    assert_int_equal(s.number_sections, 1); /* the default (true, as the good key) */
    assert_int_equal(s.align, QR_ALIGN_LEFT);
    qr_diags_free(d);
}

static void test_unknown_key_warning(void **state)
{
    (void)state;
    qr_style s;
    qr_diags *d = qr_diags_new();
    bool ok = load("{\n  \"fonts\": {\"body\": \"Verdana\", \"bdy\": \"X\"},\n"
                  "  \"footer\": {\"centre\": \"{page}\"},\n  \"colour\": 1\n}\n",
                  &s, d);
    assert_true(ok);
    assert_int_equal(qr_diags_count(d, QR_WARNING), 2);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_non_null(strstr(g->message, "unknown key 'bdy' is ignored: "
                                       "did you mean 'body'?"));
    assert_non_null(strstr(g->message, "body, heading, mono, fallback"));
    assert_string_equal(g->path, "/fonts/bdy");
    assert_int_equal(g->line, 2);
    assert_int_equal(g->col, 39);      /* at the value, as in data files */
    g = qr_diags_get(d, 1);
    assert_non_null(strstr(g->message, "unknown key 'colour' is ignored: "
                                       "did you mean 'colours'?"));
    assert_string_equal(g->path, "/colour");
    assert_int_equal(g->line, 4);
    assert_int_equal(g->col, 13);
    assert_string_equal(s.body_family, "Verdana");   /* the rest applies */
    assert_string_equal(s.footer_center, "{page}");
    qr_diags_free(d);

    /* many unknown keys in one object: ten shown, the rest counted */
    d = qr_diags_new();
    ok = load("{\"fonts\": {\"a0\": 1, \"a1\": 1, \"a2\": 1, \"a3\": 1, "
              "\"a4\": 1, \"a5\": 1, \"a6\": 1, \"a7\": 1, \"a8\": 1, "
              "\"a9\": 1, \"a10\": 1, \"a11\": 1, \"body\": \"Verdana\"}}",
              &s, d);
    assert_true(ok);
    assert_int_equal(qr_diags_count(d, QR_WARNING), 11);
    g = qr_diags_get(d, 10);
    assert_string_equal(g->message, "2 more unknown keys are ignored (not "
                                    "shown)");
    assert_string_equal(g->path, "/fonts");
    assert_int_equal(g->col, 11);  /* at the object "fonts" holds */
    qr_diags_free(d);

    /* at the top level the pointer is "", the whole file: the message is
     * located at its first byte and names no pointer */
    d = qr_diags_new();
    assert_true(load("{\"k0\": 1, \"k1\": 1, \"k2\": 1, \"k3\": 1, \"k4\": 1, "
                     "\"k5\": 1, \"k6\": 1, \"k7\": 1, \"k8\": 1, \"k9\": 1, "
                     "\"k10\": 1}", &s, d));
    g = qr_diags_get(d, 10);
    assert_int_equal(g->line, 1);
    assert_int_equal(g->col, 1);
    char *line = qr_diag_format(g);
    assert_non_null(strstr(line, "s.json:1:1: warning: 1 more unknown keys "
                                 "are ignored (not shown)"));
    free(line);
    qr_diags_free(d);
}

/* A style file gets the check every JSON input gets: a repeated key is an
 * error at the repeat, at any depth, and nothing of the file applies. */
static void test_duplicate_key(void **state)
{
    (void)state;
    qr_style s;
    qr_style_default(&s);
    qr_diags *d = qr_diags_new();
    char *path = write_style("dup.json",
                             "{\"fonts\": {\"body\": \"Verdana\"},\n"
                             " \"page\": {\"margins\": {\"top\": \"20mm\",\n"
                             "   \"top\": \"1mm\"}}}\n");
    assert_false(qr_style_load(path, &s, d));
    assert_int_equal(qr_diags_len(d), 1);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_int_equal(g->severity, QR_ERROR);
    assert_string_equal(g->file, path);
    assert_int_equal(g->line, 3);
    assert_int_equal(g->col, 4);
    assert_string_equal(g->message, "duplicate key \"top\" in /page/margins "
                                    "(first at 2:23)");
    assert_string_not_equal(s.body_family, "Verdana");
    unlink(path);
    free(path);
    qr_diags_free(d);
}

static void test_syntax_error(void **state)
{
    (void)state;
    qr_style s;
    qr_diags *d = qr_diags_new();
    bool ok = load("{\n  \"lang\": \"en-GB\",\n  \"leading\": 1.2,\n}\n", &s, d);
    assert_false(ok);
    const qr_diag *g = only_diag(d, QR_ERROR);
    assert_string_equal(g->message, "trailing comma before '}'");
    assert_int_equal(g->line, 3);   /* at the trailing comma */
    assert_int_equal(g->col, 17);
    qr_diags_free(d);

    d = qr_diags_new();
    ok = load("{\n  \"lang\": \"en-GB\"\n  \"leading\": 1.2\n}\n", &s, d);
    assert_false(ok);
    g = only_diag(d, QR_ERROR);
    assert_string_equal(g->message, "missing ',' before this member");
    assert_int_equal(g->line, 3);
    assert_int_equal(g->col, 3);
    qr_diags_free(d);

    d = qr_diags_new();
    ok = load("{\n  lang: 1\n}\n", &s, d);
    assert_false(ok);
    g = only_diag(d, QR_ERROR);
    assert_string_equal(g->message, "expected a member name in double "
                                    "quotes, found 'l'");
    assert_int_equal(g->line, 2);
    assert_int_equal(g->col, 3);
    qr_diags_free(d);

    d = qr_diags_new();
    ok = load("[1, 2]", &s, d);
    assert_false(ok);
    g = only_diag(d, QR_ERROR);
    assert_string_equal(g->message, "the top level must be an object "
                                    "({ ... }), found an array");
    assert_int_equal(g->line, 1);
    assert_int_equal(g->col, 1);
    qr_diags_free(d);

    d = qr_diags_new();
    ok = load("{\"page\": \"A4\"}", &s, d);
    assert_false(ok);
    g = only_diag(d, QR_ERROR);
    assert_string_equal(g->message, "'A4' is not an object of keys");
    assert_string_equal(g->path, "/page");
    assert_int_equal(g->col, 10);
    qr_diags_free(d);

    d = qr_diags_new();
    qr_style_default(&s);
    ok = qr_style_load("/nonexistent/style.json", &s, d);
    assert_false(ok);
    g = only_diag(d, QR_ERROR);
    assert_string_equal(g->file, "/nonexistent/style.json");
    assert_non_null(strstr(g->message, "cannot read style file"));
    qr_diags_free(d);
}

/* A style is read by the same JSON reader as data: every broken text gets
 * the same message at the same place, whichever kind of file it is. */
static void test_syntax_same_as_data(void **state)
{
    (void)state;
    const char *broken[] = {
        "{\n  \"lang\": \"en-GB\",\n  \"leading\": 1.2,\n}\n",   /* trailing comma */
        "{\"page\": {\"size\": [\"A4\",]}}",
        "{\"lang\": \"en-GB\" \"leading\": 1.2}",
        "{\"leading\": 01}",
        "{\"status\": {\"marks\": True}}",
        "{'lang': \"cy\"}",
        "{\"lang\": \"cy\"",
        "",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        qr_style s;
        qr_diags *ds = qr_diags_new(), *dd = qr_diags_new();
        assert_false(load(broken[i], &s, ds));
        char *path = qr_xasprintf("%s/s.json", tmpdir);
        qr_data *data = qr_data_parse(broken[i], strlen(broken[i]), path, dd);
        assert_null(data);
        const qr_diag *gs = only_diag(ds, QR_ERROR);
        const qr_diag *gd = only_diag(dd, QR_ERROR);
        if (strcmp(gs->message, gd->message) != 0)
            fail_msg("text %zu: style says \"%s\", data says \"%s\"", i,
                     gs->message, gd->message);
        assert_string_equal(gs->file, gd->file);
        assert_int_equal(gs->line, gd->line);
        assert_int_equal(gs->col, gd->col);
        free(path);
        qr_diags_free(ds);
        qr_diags_free(dd);
    }
}

/* Pointers are RFC 6901's: a key holding '/' or '~' is escaped, and still
 * located; a byte-order mark is skipped as in data. */
static void test_pointer_escapes_and_bom(void **state)
{
    (void)state;
    qr_style s;
    qr_diags *d = qr_diags_new();
    assert_true(load("\xEF\xBB\xBF{\"fonts\": {\"a/b~c\": 1, "
                          "\"body\": \"Verdana\"}}", &s, d));
    const qr_diag *g = only_diag(d, QR_WARNING);
    assert_string_equal(g->path, "/fonts/a~1b~0c");
    assert_int_equal(g->line, 1);
    assert_int_equal(g->col, 22);
    assert_string_equal(s.body_family, "Verdana");
    qr_diags_free(d);
}

static void test_logo_relative_to_style(void **state)
{
    (void)state;
    char *logo = write_style("crest.png", "not really a png");
    free(logo);
    qr_style s;
    qr_diags *d = qr_diags_new();
    assert_true(load("{\"logo\": {\"file\": \"crest.png\", \"width\": 90}}",
                     &s, d));
    char *want = qr_xasprintf("%s/crest.png", tmpdir);
    assert_string_equal(s.logo, want);
    assert_close(s.logo_width, 90);
    assert_true(load("{\"logo\": \"crest.png\"}", &s, d));
    assert_string_equal(s.logo, want);
    free(want);
    assert_int_equal(qr_diags_len(d), 0);

    assert_false(load("{\"logo\": {\"file\": \"missing.png\"}}", &s, d));
    const qr_diag *g = only_diag(d, QR_ERROR);
    assert_non_null(strstr(g->message, "logo: cannot read image"));
    assert_string_equal(g->path, "/logo/file");
    assert_non_null(strstr(g->message, "missing.png"));
    assert_string_equal(s.logo, "");
    qr_diags_free(d);

    /* the logo is a file in the style's directory tree: not an absolute
     * path, not a way out by "..", not a symlink that leads out */
    char *outside = qr_xasprintf("%s-outside.png", tmpdir);
    assert_true(qr_write_atomic(outside, "x", 1));
    char *link = qr_xasprintf("%s/link.png", tmpdir);
    assert_int_equal(symlink(outside, link), 0);
    const char *bad[][2] = {
        {"{\"logo\": \"/etc/hostname\"}", "is an absolute path"},
        {"{\"logo\": \"../x.png\"}", NULL},
        {"{\"logo\": \"link.png\"}", "is outside the directory"},
    };
    char *up = qr_xasprintf("{\"logo\": \"../%s\"}", strrchr(outside, '/') + 1);
    bad[1][0] = up;
    bad[1][1] = "is outside the directory";
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = qr_diags_new();
        assert_false(load(bad[i][0], &s, d));
        g = only_diag(d, QR_ERROR);
        assert_non_null(strstr(g->message, bad[i][1]));
        assert_string_equal(s.logo, "");
        qr_diags_free(d);
    }
    unlink(link);
    unlink(outside);
    free(up);
    free(link);
    free(outside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_council_json_is_the_default),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_page_sizes),
        cmocka_unit_test(test_colours),
        cmocka_unit_test(test_bad_length_message),
        cmocka_unit_test(test_every_bad_value_reported),
        cmocka_unit_test(test_unknown_key_warning),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_syntax_same_as_data),
        cmocka_unit_test(test_pointer_escapes_and_bom),
        cmocka_unit_test(test_logo_relative_to_style),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
