/* test_build.c — the build orchestrator's pure parts: manifest loading
 * (defaults, globs, packs, located errors), path folding, shards as an exact
 * partition, the content hash (regular files only, never blocking) and the
 * escaping of names in the log. End-to-end builds are in
 * tests/e2e/build.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/build.h"
#include "quire/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void put(const char *name, const char *text)
{
    char *p = qr_xasprintf("%s/%s", dir, name);
    assert_true(qr_write_atomic(p, text, strlen(text)));
    free(p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/quire-test-build.XXXXXX");
    assert_non_null(mkdtemp(dir));
    char *sub = qr_xasprintf("%s/data", dir);
    mkdir(sub, 0777);
    free(sub);
    put("data/progress-b.json", "{}");
    put("data/progress-a.json", "{}");
    put("data/other.json", "{}");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = qr_xasprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return 0;
}

static qr_manifest *load(const char *text, const char *out, qr_diags *d)
{
    put("m.json", text);
    char *p = qr_xasprintf("%s/m.json", dir);
    qr_manifest *m = qr_manifest_load(p, out, d);
    free(p);
    return m;
}

static void test_path_join(void **state)
{
    (void)state;
    struct { const char *dir, *rel, *want; } cases[] = {
        {"samples", "../templates/a.md", "templates/a.md"},
        {"samples", "x.json", "samples/x.json"},
        {".", "./a/./b", "a/b"},
        {NULL, "a/../../b", "../b"},
        {"/srv/q", "/etc/x", "/etc/x"},
        {"/srv", "../../x", "/x"},
        {"a", "..", "."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = qr_path_join(cases[i].dir, cases[i].rel);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
    char *d = qr_path_dir("a/b/c.md");
    assert_string_equal(d, "a/b");
    free(d);
    d = qr_path_dir("c.md");
    assert_string_equal(d, ".");
    free(d);
}

static void test_fnv(void **state)
{
    (void)state;
    /* published FNV-1a 64 test vectors */
    assert_true(qr_fnv64(QR_FNV64_INIT, "", 0) == 0xcbf29ce484222325ULL);
    assert_true(qr_fnv64(QR_FNV64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(qr_fnv64(QR_FNV64_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
    char *p = qr_xasprintf("%s/data/other.json", dir);
    assert_true(qr_hash_file(p) == qr_filehash_of("{}", 2));
    free(p);
    assert_true(qr_hash_file("/nonexistent/quire") == 0);
}

/* Only regular files are hashed, and opening one never blocks: a FIFO with
 * no writer, a device or a folder among the recorded inputs of a build must
 * not hang its skip check. */
static void test_hash_refuses_special_files(void **state)
{
    (void)state;
    char *fifo = qr_xasprintf("%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_true(qr_hash_file(fifo) == 0);
    unlink(fifo);
    free(fifo);
    assert_true(qr_hash_file("/dev/zero") == 0);
    assert_true(qr_hash_file("/dev/null") == 0);
    assert_true(qr_hash_file(dir) == 0);
}

/* A name in the log cannot break or forge a line. */
static void test_escape(void **state)
{
    (void)state;
    struct { const char *in, *want; } cases[] = {
        {"progress/a.pdf", "progress/a.pdf"},
        {"a\nbuilt x.pdf", "a\\nbuilt x.pdf"},
        {"tab\there\r", "tab\\there\\r"},
        {"back\\slash", "back\\\\slash"},
        {"esc\033[2J", "esc\\x1b[2J"},
        {"del\177", "del\\x7f"},
        {"B\xc3\xbcrger.pdf", "B\xc3\xbcrger.pdf"},   /* UTF-8 stays */
        {"bad\xff.pdf", "bad\\xff.pdf"},                /* not UTF-8 */
        {"c1\xc2\x9b", "c1\\xc2\\x9b"},              /* U+009B CSI */
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = qr_build_escape(cases[i].in);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

/* Minutes are full and public like packs, named "-minutes" by default;
 * a record of decisions is always public and takes no "public" key. */
static void test_manifest_minutes_decisions(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    qr_manifest *m = load(
        "{\"minutes\": [{\"meeting\": \"m/cabinet.json\", \"public\": \"both\"}],\n"
        " \"decisions\": [{\"meeting\": \"m/cabinet.json\"}]}\n", NULL, d);
    assert_non_null(m);
    assert_int_equal(qr_manifest_njobs(m), 3);
    const qr_job *j = qr_manifest_job(m, 0);
    assert_int_equal(j->kind, QR_JOB_MINUTES);
    assert_string_equal(j->name, "cabinet-minutes.pdf");
    assert_int_equal(j->public_pack, 0);
    j = qr_manifest_job(m, 1);
    assert_int_equal(j->kind, QR_JOB_MINUTES);
    assert_string_equal(j->name, "cabinet-minutes-public.pdf");
    assert_int_equal(j->public_pack, 1);
    j = qr_manifest_job(m, 2);
    assert_int_equal(j->kind, QR_JOB_DECISIONS);
    assert_string_equal(j->name, "cabinet-decisions.pdf");
    char *s = qr_xasprintf("%s/m/cabinet.json", dir);
    assert_string_equal(j->meeting, s);
    free(s);
    qr_manifest_free(m);

    m = load("{\"decisions\": [{\"meeting\": \"c.json\", \"public\": true}]}",
             NULL, d);
    assert_null(m);
    const qr_diag *g = qr_diags_get(d, qr_diags_len(d) - 1);
    assert_string_equal(g->path, "/decisions/0/public");
    qr_diags_free(d);
}

static void test_manifest_defaults_globs_packs(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    qr_manifest *m = load(
        "{\"defaults\": {\"template\": \"t/report.md\", \"style\": \"s.json\","
        "               \"out\": \"build-out\"},\n"
        " \"papers\": [{\"data\": \"data/other.json\"},\n"
        "            {\"template\": \"notes.md\", \"style\": null,"
        "             \"output\": \"misc/notes.pdf\"}],\n"
        " \"globs\": [{\"data\": \"data/progress-*.json\","
        "             \"output\": \"progress/{name}.pdf\"}],\n"
        " \"packs\": [{\"meeting\": \"cabinet.json\", \"public\": \"both\"}]}\n",
        NULL, d);
    assert_non_null(m);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    char *want_out = qr_xasprintf("%s/build-out", dir);
    assert_string_equal(qr_manifest_out_dir(m), want_out);
    assert_int_equal(qr_manifest_njobs(m), 6);

    const qr_job *j = qr_manifest_job(m, 0);
    assert_int_equal(j->kind, QR_JOB_PAPER);
    assert_string_equal(j->name, "other.pdf");
    char *s = qr_xasprintf("%s/t/report.md", dir);
    assert_string_equal(j->template_path, s);
    free(s);
    s = qr_xasprintf("%s/s.json", dir);
    assert_string_equal(j->style, s);
    free(s);
    s = qr_xasprintf("%s/other.pdf", want_out);
    assert_string_equal(j->output, s);
    free(s);
    assert_int_equal(j->strict, 1);

    j = qr_manifest_job(m, 1);
    assert_null(j->data);
    assert_null(j->style);             /* null: the built-in style */
    assert_string_equal(j->name, "misc/notes.pdf");

    /* glob matches in sorted order, named by {name} */
    assert_string_equal(qr_manifest_job(m, 2)->name, "progress/progress-a.pdf");
    assert_string_equal(qr_manifest_job(m, 3)->name, "progress/progress-b.pdf");

    j = qr_manifest_job(m, 4);
    assert_int_equal(j->kind, QR_JOB_PACK);
    assert_string_equal(j->name, "cabinet.pdf");
    assert_int_equal(j->public_pack, 0);
    j = qr_manifest_job(m, 5);
    assert_string_equal(j->name, "cabinet-public.pdf");
    assert_int_equal(j->public_pack, 1);
    assert_null(qr_manifest_job(m, 6));
    qr_manifest_free(m);

    /* --out overrides the manifest's folder */
    m = load("{\"defaults\": {\"out\": \"x\"}, \"papers\": []}", "elsewhere/", d);
    assert_non_null(m);
    assert_string_equal(qr_manifest_out_dir(m), "elsewhere");
    qr_manifest_free(m);
    free(want_out);
    qr_diags_free(d);
}

static void test_manifest_errors(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    /* every problem is reported, each at its line */
    qr_manifest *m = load(
        "{\"papers\": [\n"
        "  {\"data\": \"data/other.json\", \"template\": \"a.md\"},\n"
        "  {\"data\": 7, \"template\": \"a.md\"},\n"
        "  {\"data\": \"data/other.json\", \"template\": \"b.md\"},\n"
        "  {\"template\": \"c.md\", \"output\": \"../escape.pdf\"},\n"
        "  {\"data\": \"data/progress-a.json\"}\n"
        " ],\n"
        " \"packs\": [{\"output\": \"p.pdf\"}],\n"
        " \"colour\": \"blue\"}\n",
        NULL, d);
    assert_null(m);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 6);
    assert_int_equal(qr_diags_count(d, QR_WARNING), 0);
    int lines[6], k = 0;
    for (size_t i = 0; i < qr_diags_len(d); i++) {
        const qr_diag *g = qr_diags_get(d, i);
        if (g->severity == QR_ERROR) lines[k++] = g->line;
    }
    assert_int_equal(lines[0], 9);   /* unknown key (the top level first) */
    assert_int_equal(lines[1], 3);   /* data not a string */
    assert_int_equal(lines[2], 4);   /* second job writing other.pdf */
    assert_int_equal(lines[3], 5);   /* output outside the folder */
    assert_int_equal(lines[4], 6);   /* no template */
    assert_int_equal(lines[5], 8);   /* pack without meeting */
    const qr_diag *g = qr_diags_get(d, 0);
    assert_string_equal(g->message, "unknown key 'colour' (known: defaults, "
                                    "papers, globs, packs, minutes, decisions)");
    g = qr_diags_get(d, 2);
    assert_non_null(strstr(g->message, "other.pdf"));
    qr_diags_free(d);

    /* a syntax error is located too */
    d = qr_diags_new();
    assert_null(load("{\"papers\": [\n  {\"data\": }\n]}", NULL, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    assert_int_equal(qr_diags_get(d, 0)->line, 2);
    qr_diags_free(d);
}

static void test_shards_partition(void **state)
{
    (void)state;
    enum { NAMES = 500, MAXN = 7 };
    for (int n = 1; n <= MAXN; n++) {
        int sizes[MAXN + 1] = {0};
        for (int i = 0; i < NAMES; i++) {
            char name[64];
            snprintf(name, sizeof name, "progress/paper-%03d.pdf", i);
            int in = 0;
            for (int k = 1; k <= n; k++) {
                if (qr_job_in_shard(name, k, n)) {
                    in++;
                    sizes[k]++;
                }
            }
            assert_int_equal(in, 1);   /* exactly one shard */
        }
        /* and the shares are roughly even */
        for (int k = 1; k <= n; k++)
            assert_true(sizes[k] > NAMES / n / 2);
    }
    /* stable: the same name always lands in the same shard */
    assert_int_equal(qr_job_in_shard("a.pdf", 1, 3), qr_job_in_shard("a.pdf", 1, 3));
    assert_true(qr_job_in_shard("anything.pdf", 0, 0));
}

/* A misspelt or repeated key in a manifest is an error at its line: a
 * quiet "pubilc" would build the full pack where a public one was meant. */
static void test_manifest_strict_keys(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    assert_null(load("{\"packs\": [\n"
                     "  {\"meeting\": \"cabinet.json\", \"pubilc\": true}],\n"
                     " \"Defaults\": {}}\n", NULL, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 2);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_string_equal(g->path, "/Defaults");
    assert_int_equal(g->line, 3);
    assert_string_equal(g->message, "unknown key 'Defaults': did you mean "
                                    "'defaults'? (known: defaults, papers, "
                                    "globs, packs, minutes, decisions)");
    g = qr_diags_get(d, 1);
    assert_string_equal(g->path, "/packs/0/pubilc");
    assert_int_equal(g->line, 2);
    assert_int_equal(g->col, 41);
    assert_string_equal(g->message, "unknown key 'pubilc': did you mean "
                                    "'public'? (known: meeting, output, "
                                    "public, public_output, draft, html)");
    qr_diags_free(d);

    d = qr_diags_new();
    assert_null(load("{\"packs\": [\n"
                     "  {\"meeting\": \"cabinet.json\", \"public\": true,\n"
                     "   \"public\": false}]}\n", NULL, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    g = qr_diags_get(d, 0);
    assert_int_equal(g->line, 3);
    assert_int_equal(g->col, 4);
    assert_string_equal(g->message, "duplicate key \"public\" in /packs/0 "
                                    "(first at 2:31)");
    qr_diags_free(d);

    /* many unknown keys: ten shown, the rest counted */
    qr_buf b;
    qr_buf_init(&b);
    qr_buf_puts(&b, "{\"defaults\": {");
    for (int i = 0; i < 1000; i++) qr_buf_printf(&b, "\"x%d\": 1, ", i);
    qr_buf_puts(&b, "\"draft\": true}}");
    d = qr_diags_new();
    assert_null(load(b.data, NULL, d));
    assert_int_equal(qr_diags_count(d, QR_ERROR), 11);
    g = qr_diags_get(d, 10);
    assert_string_equal(g->path, "/defaults");
    assert_string_equal(g->message, "990 more unknown keys not shown");
    qr_diags_free(d);
    qr_buf_free(&b);
}

/* "html": the HTML copy beside each PDF (NAME.html; a pack's pages in a
 * folder named after the PDF), from "defaults" or the job (which wins). */
static void test_manifest_html(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    qr_manifest *m = load(
        "{\"defaults\": {\"template\": \"t.md\", \"html\": true},\n"
        " \"papers\": [{\"output\": \"a/one.pdf\"},\n"
        "            {\"output\": \"two.pdf\", \"html\": false},\n"
        "            {\"output\": \"three.html\"}],\n"
        " \"packs\": [{\"meeting\": \"cabinet.json\", \"public\": \"both\"},\n"
        "           {\"meeting\": \"x.json\", \"output\": \"bare\"}],\n"
        " \"minutes\": [{\"meeting\": \"cabinet.json\", \"html\": false}]}\n",
        NULL, d);
    assert_non_null(m);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 0);
    assert_int_equal(qr_manifest_njobs(m), 7);
    const qr_job *j = qr_manifest_job(m, 0);
    assert_string_equal(j->html_name, "a/one.html");
    char *s = qr_xasprintf("%s/a/one.html", qr_manifest_out_dir(m));
    assert_string_equal(j->html, s);
    free(s);
    assert_null(qr_manifest_job(m, 1)->html);      /* the job's false wins */
    assert_null(qr_manifest_job(m, 2)->html);      /* HTML already */
    assert_string_equal(qr_manifest_job(m, 3)->html_name, "cabinet");
    assert_string_equal(qr_manifest_job(m, 4)->html_name, "cabinet-public");
    assert_string_equal(qr_manifest_job(m, 5)->html_name, "bare-html");
    assert_null(qr_manifest_job(m, 6)->html);
    qr_manifest_free(m);

    /* a job's true wins over the defaults' false (the default) */
    m = load("{\"decisions\": [{\"meeting\": \"c.json\", \"html\": true}]}",
             NULL, d);
    assert_non_null(m);
    assert_string_equal(qr_manifest_job(m, 0)->html_name, "c-decisions.html");
    qr_manifest_free(m);

    /* errors, each at its JSON pointer */
    static const struct {
        const char *manifest, *path, *message;
    } bad[] = {
        {"{\"defaults\": {\"html\": \"yes\"}}", "/defaults/html",
         "'html' must be true or false"},
        {"{\"packs\": [{\"meeting\": \"c.json\", \"html\": 1}]}",
         "/packs/0/html", "'html' must be true or false"},
        {"{\"papers\": [{\"template\": \"t.md\", \"output\": \"p.html\","
         " \"html\": true}]}", "/papers/0/html",
         "'html' writes an HTML copy beside a PDF, but the output 'p.html' "
         "is HTML already"},
        {"{\"defaults\": {\"html\": true}, \"papers\": [{\"template\": "
         "\"t.md\", \"output\": \"p.html\"}, {\"template\": \"t.md\", "
         "\"output\": \"p.pdf\"}]}", "/papers/1/output",
         "two jobs write 'p.html'; give each its own output (here, its "
         "HTML copy)"},
        {"{\"packs\": [{\"meeting\": \"c.json\", \"html\": true}],"
         " \"papers\": [{\"template\": \"t.md\", \"output\": \"c/x.pdf\"}]}",
         "/packs/0/html", "'c' and 'c/x.pdf' overlap: one is the folder "
         "of a pack's HTML pages; give each its own output"},
        {"{\"html\": true}", "/html",
         "unknown key 'html' here: put it in \"defaults\" to apply it to "
         "every job (known: defaults, papers, globs, packs, minutes, "
         "decisions)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        qr_diags *e = qr_diags_new();
        assert_null(load(bad[i].manifest, NULL, e));
        assert_int_equal(qr_diags_count(e, QR_ERROR), 1);
        const qr_diag *g = qr_diags_get(e, 0);
        assert_string_equal(g->path, bad[i].path);
        assert_true(g->line > 0);
        assert_string_equal(g->message, bad[i].message);
        qr_diags_free(e);
    }
    qr_diags_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_join),
        cmocka_unit_test(test_fnv),
        cmocka_unit_test(test_hash_refuses_special_files),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_manifest_defaults_globs_packs),
        cmocka_unit_test(test_manifest_minutes_decisions),
        cmocka_unit_test(test_manifest_errors),
        cmocka_unit_test(test_manifest_strict_keys),
        cmocka_unit_test(test_manifest_html),
        cmocka_unit_test(test_shards_partition),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
