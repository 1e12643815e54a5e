/* test_expand.c — unit tests for the expand stage (pipeline/expand.c):
 * Markdown escaping checked through cmark-gfm itself, strict-mode errors
 * with exact messages and positions, partial lookup on a real directory
 * tree (.., absolute, symlink escape, recursion cap, missing file), syntax
 * errors, the source map, the file list and size/depth limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "quire/expand.h"
#include "quire/diag.h"
#include "quire/util.h"

#include <cjson/cJSON.h>
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------- helpers */

static const qr_expand_opts QUIRE = {0, 1, NULL};
static const qr_expand_opts LAX = {0, 0, NULL};
static const qr_expand_opts SPEC = {1, 0, NULL};

/* Expand `tpl` against JSON text `json`; returns a copy of the output or
 * NULL, leaving diagnostics in *dp (caller frees both). */
static char *run(const char *tpl, const char *json, const qr_expand_opts *o,
                 qr_diags **dp)
{
    cJSON *data = json ? cJSON_Parse(json) : NULL;
    if (json) assert_non_null(data);
    qr_diags *d = qr_diags_new();
    qr_expansion *e = qr_expand_string(tpl, strlen(tpl), "t.md", data, o, d);
    char *out = e ? qr_xstrdup(qr_expansion_text(e, NULL)) : NULL;
    qr_expansion_free(e);
    cJSON_Delete(data);
    if (dp) *dp = d;
    else qr_diags_free(d);
    return out;
}

static void expect_out(const char *tpl, const char *json,
                       const qr_expand_opts *o, const char *want)
{
    qr_diags *d;
    char *out = run(tpl, json, o, &d);
    if (!out) {
        for (size_t i = 0; i < qr_diags_len(d); i++) {
            char *m = qr_diag_format(qr_diags_get(d, i));
            print_error("%s\n", m);
            free(m);
        }
    }
    assert_non_null(out);
    assert_string_equal(out, want);
    free(out);
    qr_diags_free(d);
}

static void expect_diag(const qr_diags *d, size_t i, const char *file,
                        int line, int col, const char *msg)
{
    assert_true(qr_diags_len(d) > i);
    const qr_diag *g = qr_diags_get(d, i);
    assert_int_equal(g->severity, QR_ERROR);
    assert_string_equal(g->file, file);
    assert_string_equal(g->message, msg);
    assert_int_equal(g->line, line);
    assert_int_equal(g->col, col);
}

/* ------------------------------------------------- escaping round trips */

static cmark_node *md_parse(const char *md)
{
    cmark_gfm_core_extensions_ensure_registered();
    cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
    const char *exts[] = {"table", "strikethrough", "autolink", "tasklist"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        cmark_syntax_extension *x = cmark_find_syntax_extension(exts[i]);
        assert_non_null(x);
        cmark_parser_attach_syntax_extension(p, x);
    }
    cmark_parser_feed(p, md, strlen(md));
    cmark_node *doc = cmark_parser_finish(p);
    cmark_parser_free(p);
    return doc;
}

/* A link the autolink extension made from a bare e-mail address in text:
 * its only child is text equal to its destination (less "mailto:"). The
 * text still reads literally, so it is accepted. */
static int is_autolink(cmark_node *link)
{
    cmark_node *c = cmark_node_first_child(link);
    if (!c || cmark_node_next(c) || cmark_node_get_type(c) != CMARK_NODE_TEXT)
        return 0;
    const char *url = cmark_node_get_url(link);
    const char *txt = cmark_node_get_literal(c);
    if (!url || !txt) return 0;
    if (strncmp(url, "mailto:", 7) == 0) url += 7;
    return strcmp(url, txt) == 0;
}

/* Plain text of an inline container that may hold only text and line
 * breaks: anything else (emphasis, link, code, HTML, strikethrough) means
 * the escaping let Markdown through. */
static void plain_text(cmark_node *parent, qr_buf *b)
{
    for (cmark_node *n = cmark_node_first_child(parent); n;
         n = cmark_node_next(n)) {
        cmark_node_type ty = cmark_node_get_type(n);
        if (ty == CMARK_NODE_TEXT) {
            qr_buf_puts(b, cmark_node_get_literal(n));
        } else if (ty == CMARK_NODE_LINEBREAK || ty == CMARK_NODE_SOFTBREAK) {
            qr_buf_putc(b, '\n');
        } else if (ty == CMARK_NODE_LINK && is_autolink(n)) {
            /* GFM links a bare URL; its text still reads literally. */
            plain_text(n, b);
        } else {
            fail_msg("markup node '%s' in escaped text: %s",
                     cmark_node_get_type_string(n),
                     cmark_render_commonmark(parent, 0, 0));
        }
    }
}

/* What a value should read as after rendering: edge newlines dropped, each
 * line without leading/trailing blanks (Markdown drops those anyway), runs
 * of blanks as one (the escaper shortens a run that would open a code
 * block). */
static char *normalise(const char *s)
{
    qr_buf b;
    qr_buf_init(&b);
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        size_t a = 0;
        while (a < n && (p[a] == ' ' || p[a] == '\t')) a++;
        while (n > a && (p[n - 1] == ' ' || p[n - 1] == '\t' ||
                         p[n - 1] == '\r'))
            n--;
        for (size_t i = a; i < n; i++) {
            int blank = p[i] == ' ' || p[i] == '\t';
            if (blank && i > a && (p[i - 1] == ' ' || p[i - 1] == '\t'))
                continue;
            qr_buf_putc(&b, blank ? ' ' : p[i]);
        }
        qr_buf_putc(&b, '\n');
        if (!e) break;
        p = e + 1;
    }
    char *r = qr_buf_detach(&b, NULL);
    size_t a = 0, n = strlen(r);
    while (a < n && r[a] == '\n') a++;
    while (n > a && r[n - 1] == '\n') n--;
    char *out = qr_xstrndup(r + a, n - a);
    free(r);
    return out;
}

static const char *hostile[] = {
    "*bold* and **strong**", "_em_ and __strong__", "# not a heading",
    "## also not ##", "1. not a list", "1) nor this", "- no bullet",
    "+ no bullet", "* no bullet", "> not a quote", "[a](b)", "![img](x.png)",
    "[ref]\n\n[ref]: http://example.com", "<b>bold</b>", "<!-- c -->",
    "`code`", "``double``", "a | b | c", "&amp; &lt; &#42; &copy;",
    "~~strike~~", "~~~\nfenced\n~~~", "```\nfenced\n```", "ends with \\",
    "back\\slash \\* star", "line one\nline two", "---", "***", "___",
    "===", "Title\n---", "Title\n===", "    indented code", "\ttab code",
    "a  \nb", "a\n\nb", "[ ] task", "- [x] done", "C# and F#", "100% <=> 5",
    "1.5 and -5 and +3", "a_b_c", "<http://example.com>",
    "line\n    indented\n- item\n1. item", "\\", "!", "~", "|", "#", "-",
    "1.", "9999999999. big", "é *ü* ✓", "see https://x.org/*a*_b_ now",
    "WWW.x.org/_y_ and www.z.com", "mail a_b@c.com or d@e.com*",
    "<a@b.com>",
};

static void check_roundtrip(const char *tpl_before, const char *tpl_after,
                            const char *value)
{
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "x", value);
    char *tpl = qr_xasprintf("%s{{x}}%s", tpl_before, tpl_after);
    qr_diags *d = qr_diags_new();
    qr_expansion *e = qr_expand_string(tpl, strlen(tpl), "t.md", data, &QUIRE,
                                       d);
    assert_non_null(e);
    const char *md = qr_expansion_text(e, NULL);
    cmark_node *doc = md_parse(md);
    cmark_node *para = cmark_node_first_child(doc);
    assert_non_null(para);
    if (cmark_node_get_type(para) != CMARK_NODE_PARAGRAPH ||
        cmark_node_next(para) != NULL)
        fail_msg("value %s became more than one paragraph: %s", value, md);
    qr_buf got;
    qr_buf_init(&got);
    plain_text(para, &got);
    char *want_raw = qr_xasprintf("%s%s%s", tpl_before, value, tpl_after);
    char *want = normalise(want_raw);
    char *have = normalise(got.data ? got.data : "");
    if (strcmp(want, have) != 0)
        fail_msg("value \"%s\": markdown \"%s\" reads \"%s\"", value, md, have);
    free(want_raw);
    free(want);
    free(have);
    qr_buf_free(&got);
    cmark_node_free(doc);
    qr_expansion_free(e);
    qr_diags_free(d);
    free(tpl);
    cJSON_Delete(data);
}

static void test_escape_roundtrip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        check_roundtrip("", "", hostile[i]);
        check_roundtrip("Before ", " after.", hostile[i]);
        check_roundtrip("Para\n", "\nmore", hostile[i]);
    }
}

/* In a table row a value's newline becomes a space and '|' stays in its
 * cell. */
static void test_escape_table_cell(void **state)
{
    (void)state;
    char *out = run("| Action | Owner |\n| --- | --- |\n| {{a}} | {{b}} |\n",
                    "{\"a\": \"Fix | it\\nsoon *now*\", \"b\": \"Jo\"}",
                    &QUIRE, NULL);
    assert_non_null(out);
    assert_string_equal(out, "| Action | Owner |\n| --- | --- |\n"
                             "| Fix \\| it soon \\*now\\* | Jo |\n");
    cmark_node *doc = md_parse(out);
    cmark_node *table = cmark_node_first_child(doc);
    assert_string_equal(cmark_node_get_type_string(table), "table");
    assert_null(cmark_node_next(table));
    cmark_node *row = cmark_node_next(cmark_node_first_child(table));
    assert_non_null(row);
    cmark_node *cell = cmark_node_first_child(row);
    qr_buf b;
    qr_buf_init(&b);
    plain_text(cell, &b);
    assert_string_equal(b.data, "Fix | it soon *now*");
    qr_buf_free(&b);
    cmark_node_free(doc);
    free(out);
}

/* The escaping rules themselves, byte for byte. */
static void test_escape_rules(void **state)
{
    (void)state;
    struct { const char *in; int table; const char *out; } c[] = {
        {"plain text, 1.5", 0, "plain text, 1.5"},
        {"*a* _b_ `c` [d](e) <f> & g ~ h | i # j \\", 0,
         "\\*a\\* \\_b\\_ \\`c\\` \\[d\\](e) \\<f\\> \\& g \\~ h \\| i \\# j \\\\"},
        {"1. one", 0, "1\\. one"},
        {"2) two", 0, "2\\) two"},
        {"- x\n+ y\n= z", 0, "\\- x\\\n\\+ y\\\n\\= z"},
        {"\n\nedges\n\n", 0, "edges"},
        {"a\r\nb", 0, "a\\\nb"},
        {"a\nb", 1, "a b"},
        {"a\n    b", 0, "a\\\nb"},
        {"      code", 0, " code"},
        {"&amp;", 0, "\\&amp;"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        qr_buf b;
        qr_buf_init(&b);
        qr_markdown_escape(&b, c[i].in, strlen(c[i].in), c[i].table);
        assert_string_equal(b.data ? b.data : "", c[i].out);
        qr_buf_free(&b);
    }
}

/* ------------------------------------------------------- interpolation */

static void test_values(void **state)
{
    (void)state;
    expect_out("{{n}} {{f}} {{t}} {{b}} {{neg}} {{big}}",
               "{\"n\": 20, \"f\": 1.5, \"t\": true, \"b\": false, "
               "\"neg\": -3, \"big\": 1e20}",
               &QUIRE, "20 1.5 true false \\-3 100000000000000000000");
    expect_out("{{{md}}}|{{&md}}|{{md}}", "{\"md\": \"**b**\"}", &QUIRE,
               "**b**|**b**|\\*\\*b\\*\\*");
    /* Spec mode HTML-escapes and never reports missing names. */
    expect_out("{{h}}{{missing}}", "{\"h\": \"<&\\\">\"}", &SPEC,
               "&lt;&amp;&quot;&gt;");
    expect_out("{{missing}}.", "{}", &LAX, ".");
}

static void test_dotted_names(void **state)
{
    (void)state;
    const char *data = "{\"action_plan\": {\"as_at\": \"1 Nov\", "
                       "\"actions\": [{\"ref\": \"1.1\"}, {\"ref\": \"1.2\"}]},"
                       " \"ref\": \"top\"}";
    expect_out("{{action_plan.as_at}}", data, &QUIRE, "1 Nov");
    expect_out("{{#action_plan.actions}}[{{ref}}]{{/action_plan.actions}}",
               data, &QUIRE, "[1.1][1.2]");
    expect_out("{{action_plan.actions.1.ref}}", data, &QUIRE, "1.2");
    /* Context stack: a name missing from the item is found further out. */
    expect_out("{{#action_plan}}{{ref}} {{as_at}}{{/action_plan}}", data,
               &QUIRE, "top 1 Nov");
    expect_out("{{#action_plan.actions}}{{.}}{{/action_plan.actions}}|"
               "{{#action_plan.as_at}}{{.}}{{/action_plan.as_at}}",
               data, &QUIRE,
               "{\"ref\":\"1.1\"}{\"ref\":\"1.2\"}|1 Nov");
}

static void test_sections_absent_ok(void **state)
{
    (void)state;
    expect_out("{{#exempt}}EXEMPT {{exempt.reason}}{{/exempt}}"
               "{{^exempt}}Open{{/exempt}}",
               "{\"exempt\": null}", &QUIRE, "Open");
    expect_out("{{#nothere}}x{{/nothere}}{{^nothere}}y{{/nothere}}", "{}",
               &QUIRE, "y");
    /* Falsey: false, null, [], "" ; truthy: 0, {}, "x". */
    expect_out("{{#a}}A{{/a}}{{#b}}B{{/b}}{{#c}}C{{/c}}{{#d}}D{{/d}}"
               "{{#e}}E{{/e}}{{#f}}F{{/f}}{{#g}}G{{/g}}",
               "{\"a\": false, \"b\": null, \"c\": [], \"d\": \"\", "
               "\"e\": 0, \"f\": {}, \"g\": \"x\"}",
               &QUIRE, "EFG");
}

/* ------------------------------------------------------- strict errors */

static void test_strict_errors(void **state)
{
    (void)state;
    qr_diags *d;
    const char *tpl = "# Report\n"
                      "As at {{action_plan.as_at}}.\n"
                      "{{#items}}- {{name}} {{owner}}\n{{/items}}\n"
                      "é {{ nullish }} {{action_plan.nope}}\n";
    char *out = run(tpl,
                    "{\"action_plan\": {}, \"nullish\": null, "
                    "\"items\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}",
                    &QUIRE, &d);
    assert_null(out);
    /* Every missing name once, in order, even the one inside the loop. */
    assert_int_equal(qr_diags_len(d), 4);
    expect_diag(d, 0, "t.md", 2, 7, "no value for 'action_plan.as_at'");
    assert_string_equal(qr_diags_get(d, 0)->source,
                        "As at {{action_plan.as_at}}.");
    expect_diag(d, 1, "t.md", 3, 22, "no value for 'owner'");
    expect_diag(d, 2, "t.md", 5, 3, "no value for 'nullish'");
    expect_diag(d, 3, "t.md", 5, 17, "no value for 'action_plan.nope'");
    char *f = qr_diag_format(qr_diags_get(d, 0));
    assert_string_equal(f,
                        "t.md:2:7: error: no value for 'action_plan.as_at'");
    free(f);
    qr_diags_free(d);

    /* Non-strict renders the blanks. */
    expect_out("[{{a.b}}]", "{}", &LAX, "[]");
}

/* ------------------------------------------------------- syntax errors */

static void expect_error(const char *tpl, int line, int col, const char *msg)
{
    qr_diags *d;
    char *out = run(tpl, "{}", &QUIRE, &d);
    assert_null(out);
    expect_diag(d, 0, "t.md", line, col, msg);
    qr_diags_free(d);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_error("ok\nnot {{closed", 2, 5,
                 "unclosed tag: no '}}' after '{{'");
    expect_error("a\n  {{#list}}\nitem\n", 2, 3,
                 "section 'list' opened here is never closed");
    expect_error("{{#x}}\n{{#y}}\n{{/x}}", 3, 1, "closing 'x' but 'y' is open");
    expect_error("text {{/x}}", 1, 6, "closing 'x' but no section is open");
    expect_error("line\n{{=<% %>}}", 2, 1,
                 "unclosed tag: no '=}}' after '{{'");
    expect_error("{{= a b c =}}", 1, 1,
                 "bad set-delimiter tag: expected two delimiters without "
                 "spaces or '=', as in {{=<% %>=}}");
    expect_error("{{}}", 1, 1, "empty tag: a name is needed between '{{' and '}}'");
    expect_error("{{a b}}", 1, 1, "bad tag name 'a b': names cannot contain spaces");
    expect_error("ok\n\xc3\x28 bad", 2, 1,
                 "template is not valid UTF-8 (byte offset 3)");
    /* Custom delimiters appear in messages. */
    expect_error("{{=<% %>=}}\n<%#a%>", 2, 1,
                 "section 'a' opened here is never closed");

    /* Nesting depth. */
    qr_buf b;
    qr_buf_init(&b);
    for (int i = 0; i <= QR_MAX_SECTION_DEPTH; i++) qr_buf_puts(&b, "{{#a}}");
    qr_diags *d;
    char *out = run(b.data, "{}", &QUIRE, &d);
    assert_null(out);
    expect_diag(d, 0, "t.md", 1, QR_MAX_SECTION_DEPTH * 6 + 1,
                "sections nested deeper than 256");
    qr_diags_free(d);
    qr_buf_free(&b);

    /* Size limit. */
    size_t big = QR_MAX_TEMPLATE_BYTES + 1;
    char *huge = qr_xmalloc(big + 1);
    memset(huge, 'x', big);
    huge[big] = '\0';
    d = qr_diags_new();
    qr_expansion *e = qr_expand_string(huge, big, "huge.md", NULL, &QUIRE, d);
    assert_null(e);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    assert_string_equal(qr_diags_get(d, 0)->message,
                        "template is larger than 16777216 bytes");
    qr_diags_free(d);
    free(huge);
}

/* --------------------------------------------------------- standalone */

static void test_standalone_lines(void **state)
{
    (void)state;
    expect_out("# Actions\n"
               "{{#actions}}\n"
               "- {{ref}}\n"
               "{{/actions}}\n"
               "  {{! a comment }}\n"
               "End\n",
               "{\"actions\": [{\"ref\": \"A\"}, {\"ref\": \"B\"}]}", &QUIRE,
               "# Actions\n- A\n- B\nEnd\n");
}

/* ------------------------------------------------------------ partials */

typedef struct tree {
    char root[64];           /* the temp dir */
    char tdir[PATH_MAX];     /* root/tpl: the template directory */
} tree;

static void put(const char *dir, const char *rel, const char *text)
{
    char *p = qr_xasprintf("%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static int tree_setup(void **state)
{
    tree *t = qr_xcalloc(1, sizeof *t);
    snprintf(t->root, sizeof t->root, "/tmp/quire-expand-XXXXXX");
    if (!mkdtemp(t->root)) return -1;
    snprintf(t->tdir, sizeof t->tdir, "%s/tpl", t->root);
    char *p = qr_xasprintf("%s/partials", t->tdir);
    char *o = qr_xasprintf("%s/outside", t->root);
    if (mkdir(t->tdir, 0700) || mkdir(p, 0700) || mkdir(o, 0700)) return -1;
    put(t->tdir, "partials/implications.md",
        "## Implications\n{{#items}}\n- {{.}}\n{{/items}}\n");
    put(t->tdir, "loop.md", "x{{>loop}}");
    put(t->tdir, "p.mustache", "mustache partial\n");
    put(t->tdir, "bad.md", "fine\n{{#oops}}\n");
    put(t->tdir, "missing.md", "[{{nope}}]");
    put(o, "secret.md", "SECRET\n");
    char *target = qr_xasprintf("%s/secret.md", o);
    char *link = qr_xasprintf("%s/link.md", t->tdir);
    if (symlink(target, link)) return -1;
    char *inner = qr_xasprintf("%s/partials/inner.md", t->tdir);
    if (symlink("implications.md", inner)) return -1;
    free(target);
    free(link);
    free(inner);
    free(p);
    free(o);
    *state = t;
    return 0;
}

static int tree_teardown(void **state)
{
    tree *t = *state;
    char *cmd = qr_xasprintf("rm -rf '%s'", t->root);
    int rc = system(cmd);
    free(cmd);
    free(t);
    return rc == 0 ? 0 : -1;
}

/* Expand `tpl` as if it were the file `name` in the template directory. */
static qr_expansion *run_in(const tree *t, const char *name, const char *tpl,
                           const char *json, qr_diags *d)
{
    char *path = qr_xasprintf("%s/%s", t->tdir, name);
    put(t->tdir, name, tpl);
    cJSON *data = cJSON_Parse(json);
    qr_expansion *e = qr_expand_file(path, data, &QUIRE, d);
    cJSON_Delete(data);
    free(path);
    return e;
}

static void expect_partial_error(const tree *t, const char *tpl,
                                 const char *file, int line, int col,
                                 const char *msg)
{
    qr_diags *d = qr_diags_new();
    qr_expansion *e = run_in(t, "report.md", tpl, "{}", d);
    assert_null(e);
    char *path = qr_xasprintf("%s/%s", t->tdir, file);
    expect_diag(d, 0, path, line, col, msg);
    free(path);
    qr_diags_free(d);
}

static void test_partials_found(void **state)
{
    tree *t = *state;
    qr_diags *d = qr_diags_new();
    qr_expansion *e = run_in(t, "report.md",
                             "# Paper\n"
                             "  {{>partials/implications}}\n"
                             "{{>partials/implications}}"
                             "{{>partials/inner}}",
                             "{\"items\": [\"one\", \"two\"]}", d);
    assert_non_null(e);
    assert_string_equal(qr_expansion_text(e, NULL),
                        "# Paper\n"
                        "  ## Implications\n  - one\n  - two\n"
                        "## Implications\n- one\n- two\n"
                        "## Implications\n- one\n- two\n");
    /* Each file once: the symlink inside the tree is the same file. */
    assert_int_equal(qr_expansion_nfiles(e), 2);
    char *top = qr_xasprintf("%s/report.md", t->tdir);
    char *imp = qr_xasprintf("%s/partials/implications.md", t->tdir);
    assert_string_equal(qr_expansion_file(e, 0), top);
    assert_string_equal(qr_expansion_file(e, 1), imp);
    assert_null(qr_expansion_file(e, 2));
    /* Output line 3 ("  - one") comes from line 3 of the partial; its
     * first byte is indentation, which maps to the line's text. */
    const char *f;
    int line, col;
    assert_true(qr_expansion_origin_line(e, 3, &f, &line, &col));
    assert_string_equal(f, imp);
    assert_int_equal(line, 3);
    assert_int_equal(col, 1);
    assert_true(qr_expansion_origin_line(e, 1, &f, &line, &col));
    assert_string_equal(f, top);
    assert_int_equal(line, 1);
    free(top);
    free(imp);
    qr_expansion_free(e);
    qr_diags_free(d);

    /* The including file's extension is used. */
    d = qr_diags_new();
    e = run_in(t, "t.mustache", "{{>p}}", "{}", d);
    assert_non_null(e);
    assert_string_equal(qr_expansion_text(e, NULL), "mustache partial\n");
    qr_expansion_free(e);
    qr_diags_free(d);
}

static void test_partials_refused(void **state)
{
    tree *t = *state;
    expect_partial_error(t, "a\n  {{>../outside/secret}}", "report.md", 2, 3,
                         "partial '../outside/secret': '..' is not allowed "
                         "in partial names");
    expect_partial_error(t, "{{>partials/../loop}}", "report.md", 1, 1,
                         "partial 'partials/../loop': '..' is not allowed "
                         "in partial names");
    expect_partial_error(t, "{{>/etc/passwd}}", "report.md", 1, 1,
                         "partial '/etc/passwd': absolute paths are not "
                         "allowed");
    char *real_secret = NULL;
    {
        char *p = qr_xasprintf("%s/outside/secret.md", t->root);
        real_secret = realpath(p, NULL);
        free(p);
    }
    char *msg = qr_xasprintf("partial 'link' resolves outside the template "
                             "directory: %s/link.md is %s", t->tdir,
                             real_secret);
    expect_partial_error(t, "x {{>link}}", "report.md", 1, 3, msg);
    free(msg);
    free(real_secret);
    msg = qr_xasprintf("partial 'nothere' not found: looked for %s/nothere.md",
                       t->tdir);
    expect_partial_error(t, "{{>nothere}}", "report.md", 1, 1, msg);
    free(msg);
    /* Errors inside a partial point into the partial. */
    expect_partial_error(t, "{{>bad}}", "bad.md", 2, 1,
                         "section 'oops' opened here is never closed");
    expect_partial_error(t, "{{>missing}}", "missing.md", 1, 2,
                         "no value for 'nope'");

    /* Recursion is capped, and reported once. */
    qr_diags *d = qr_diags_new();
    qr_expansion *e = run_in(t, "report.md", "{{>loop}}", "{}", d);
    assert_null(e);
    assert_int_equal(qr_diags_len(d), 1);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_true(strncmp(g->message, "partials nested deeper than 32: ",
                        strlen("partials nested deeper than 32: ")) == 0);
    char *loop = qr_xasprintf("%s/loop.md", t->tdir);
    assert_string_equal(g->file, loop);
    assert_int_equal(g->line, 1);
    assert_int_equal(g->col, 2);
    free(loop);
    qr_diags_free(d);
}

/* In-memory partials (spec mode) and inheritance through them. */
static void test_memory_partials(void **state)
{
    (void)state;
    cJSON *partials = cJSON_Parse("{\"base\": \"<{{$body}}default{{/body}}>\","
                                  " \"item\": \"* {{name}}\\n\"}");
    qr_expand_opts o = {1, 0, partials};
    expect_out("{{<base}}{{$body}}over{{/body}}{{/base}}\n"
               "{{#list}}\n  {{>item}}\n{{/list}}\n{{>absent}}.",
               "{\"list\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}", &o,
               "<over>\n  * a\n  * b\n.");
    cJSON_Delete(partials);
}

/* ----------------------------------------------------------- source map */

/* A value inside a fenced code block (a chart) cannot leave it: its line
 * breaks become spaces, so no line of it can close the fence and start
 * Markdown of its own; and it is not backslash-escaped, which a code block
 * would print. Outside the fence the usual escapes apply again. */
static void test_value_in_fence(void **state)
{
    (void)state;
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "x",
                            "A*b\n```\n# Injected\n![i](/etc/passwd)\n~~~");
    const char *tpl = "```chart\ntitle: {{x}}\n```\n\n~~~~\n{{x}}\n~~~~\n\n{{x}}\n";
    qr_diags *d = qr_diags_new();
    qr_expansion *e = qr_expand_string(tpl, strlen(tpl), "t.md", data, &QUIRE,
                                       d);
    assert_non_null(e);
    const char *md = qr_expansion_text(e, NULL);
    assert_string_equal(md,
        "```chart\ntitle: A*b ``` # Injected ![i](/etc/passwd) ~~~\n```\n\n"
        "~~~~\nA*b ``` # Injected ![i](/etc/passwd) ~~~\n~~~~\n\n"
        "A\\*b\\\n\\`\\`\\`\\\n\\# Injected\\\n!\\[i\\](/etc/passwd)\\\n\\~\\~\\~\n");
    qr_expansion_free(e);
    qr_diags_free(d);
    cJSON_Delete(data);
}

static void test_source_map(void **state)
{
    (void)state;
    cJSON *data = cJSON_Parse("{\"name\": \"World\", \"list\": [1, 2]}");
    const char *tpl = "Hello {{name}}!\n{{#list}}\n- {{.}}\n{{/list}}\nEnd";
    qr_diags *d = qr_diags_new();
    qr_expansion *e = qr_expand_string(tpl, strlen(tpl), "map.md", data,
                                       &QUIRE, d);
    assert_non_null(e);
    size_t len;
    const char *out = qr_expansion_text(e, &len);
    assert_string_equal(out, "Hello World!\n- 1\n- 2\nEnd");
    const char *f;
    int line, col;
    /* Copied text: exact position. */
    assert_true(qr_expansion_origin(e, 0, &f, &line, &col));
    assert_string_equal(f, "map.md");
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    assert_true(qr_expansion_origin(e, 4, &f, &line, &col));
    assert_int_equal(col, 5);
    /* The value maps to its tag. */
    assert_true(qr_expansion_origin(e, 8, &f, &line, &col));
    assert_int_equal(line, 1);
    assert_int_equal(col, 7);
    /* Text after the value: its own position. */
    assert_true(qr_expansion_origin(e, 11, &f, &line, &col));
    assert_int_equal(col, 15);
    /* Lines from a loop point at the loop body. */
    assert_true(qr_expansion_origin_line(e, 2, &f, &line, &col));
    assert_int_equal(line, 3);
    assert_int_equal(col, 1);
    assert_true(qr_expansion_origin_line(e, 3, &f, &line, &col));
    assert_int_equal(line, 3);
    assert_true(qr_expansion_origin(e, 19, &f, &line, &col));
    assert_int_equal(line, 3);
    assert_int_equal(col, 3);
    assert_true(qr_expansion_origin_line(e, 4, &f, &line, &col));
    assert_int_equal(line, 5);
    /* Out of range. */
    assert_false(qr_expansion_origin(e, len, &f, &line, &col));
    assert_false(qr_expansion_origin_line(e, 5, &f, &line, &col));
    assert_false(qr_expansion_origin_line(e, 0, &f, &line, &col));
    assert_int_equal(qr_expansion_nfiles(e), 1);
    assert_string_equal(qr_expansion_file(e, 0), "map.md");
    qr_expansion_free(e);
    qr_diags_free(d);
    cJSON_Delete(data);
}

/* -------------------------------------------------------------- scale */

static void test_many_sections(void **state)
{
    (void)state;
    enum { N = 100000 };
    qr_buf b;
    qr_buf_init(&b);
    for (int i = 0; i < N; i++) qr_buf_puts(&b, "{{#on}}x{{/on}}{{^on}}y{{/on}}\n");
    cJSON *data = cJSON_Parse("{\"on\": true}");
    qr_diags *d = qr_diags_new();
    qr_expansion *e = qr_expand_string(b.data, b.len, "big.md", data, &QUIRE,
                                       d);
    assert_non_null(e);
    size_t len;
    const char *out = qr_expansion_text(e, &len);
    assert_int_equal(len, 2 * N);
    for (size_t i = 0; i < len; i += 2) {
        assert_int_equal(out[i], 'x');
        assert_int_equal(out[i + 1], '\n');
    }
    const char *f;
    int line, col;
    assert_true(qr_expansion_origin_line(e, N, &f, &line, &col));
    assert_int_equal(line, N);
    assert_int_equal(col, 8);
    qr_expansion_free(e);
    qr_diags_free(d);
    cJSON_Delete(data);
    qr_buf_free(&b);

    /* A long list over one section. */
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < N; i++) cJSON_AddItemToArray(arr, cJSON_CreateNumber(i));
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "n", arr);
    const char *tpl = "{{#n}}{{.}},{{/n}}";
    d = qr_diags_new();
    e = qr_expand_string(tpl, strlen(tpl), "list.md", root, &QUIRE, d);
    assert_non_null(e);
    out = qr_expansion_text(e, &len);
    assert_true(strncmp(out, "0,1,2,", 6) == 0);
    assert_true(len > 5 * N);
    qr_expansion_free(e);
    qr_diags_free(d);
    cJSON_Delete(root);
}

/* A block that contains itself must stop, with an error. */
static void test_self_block(void **state)
{
    (void)state;
    cJSON *partials = cJSON_Parse("{\"p\": \"{{$b}}{{/b}}\"}");
    qr_expand_opts o = {1, 0, partials};
    qr_diags *d;
    char *out = run("{{<p}}{{$b}}[{{$b}}{{/b}}]{{/b}}{{/p}}", "{}", &o, &d);
    assert_null(out);
    assert_true(qr_diags_count(d, QR_ERROR) >= 1);
    qr_diags_free(d);
    cJSON_Delete(partials);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_rules),
        cmocka_unit_test(test_escape_roundtrip),
        cmocka_unit_test(test_escape_table_cell),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_dotted_names),
        cmocka_unit_test(test_sections_absent_ok),
        cmocka_unit_test(test_strict_errors),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_standalone_lines),
        cmocka_unit_test_setup_teardown(test_partials_found, tree_setup,
                                        tree_teardown),
        cmocka_unit_test_setup_teardown(test_partials_refused, tree_setup,
                                        tree_teardown),
        cmocka_unit_test(test_memory_partials),
        cmocka_unit_test(test_source_map),
        cmocka_unit_test(test_value_in_fence),
        cmocka_unit_test(test_many_sections),
        cmocka_unit_test(test_self_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
