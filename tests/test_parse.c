/* test_parse.c — the parse stage: Markdown into Quire's document tree.
 *
 * Unit cases per construct, hostile inputs (deep nesting, pathological
 * emphasis, huge paragraphs and tables), invalid UTF-8, the dump format, and
 * a corpus run over every example of the CommonMark and GFM specs checking
 * that no text is lost between cmark's tree and ours.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "quire/parse.h"
#include "quire/util.h"

/* ---- helpers ---- */

static qr_doc *parse(const char *md, qr_diags **d)
{
    *d = qr_diags_new();
    qr_doc *doc = qr_parse_markdown(md, strlen(md), "t.md", *d);
    assert_non_null(doc);
    return doc;
}

static const qr_block *child(const qr_block *b, size_t i)
{
    assert_non_null(b);
    const qr_block *c = b->first_child;
    while (c && i--) c = c->next;
    assert_non_null(c);
    return c;
}

static void assert_run(const qr_run *r, qr_run_kind kind, const char *text,
                       unsigned flags, const char *url)
{
    assert_int_equal(r->kind, kind);
    assert_string_equal(r->text, text);
    assert_int_equal(r->len, strlen(text));
    assert_int_equal(r->flags, flags);
    if (url) {
        assert_non_null(r->url);
        assert_string_equal(r->url, url);
    } else {
        assert_null(r->url);
    }
}

static char *block_text(const qr_block *b)
{
    qr_buf buf;
    qr_buf_init(&buf);
    qr_block_text(b, &buf);
    qr_buf_putc(&buf, '\0');
    return qr_buf_detach(&buf, NULL);
}

static char *dump(const qr_doc *doc)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    assert_non_null(f);
    qr_doc_dump(doc, f);
    fclose(f);
    return s;
}

/* ---- cases ---- */

static void test_heading_paragraph(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("## Summary of *findings*\n\nPlain **bold** `code`\n"
                        "next line  \nafter ~~old~~ text\n", &d);
    const qr_block *root = qr_doc_root(doc);
    assert_int_equal(root->kind, QR_BLK_DOCUMENT);
    assert_int_equal(root->nchildren, 2);

    const qr_block *h = child(root, 0);
    assert_int_equal(h->kind, QR_BLK_HEADING);
    assert_int_equal(h->level, 2);
    assert_int_equal(h->line, 1);
    assert_int_equal(h->nruns, 2);
    assert_run(&h->runs[0], QR_RUN_TEXT, "Summary of ", 0, NULL);
    assert_run(&h->runs[1], QR_RUN_TEXT, "findings", QR_RUN_ITALIC, NULL);
    assert_ptr_equal(h->parent, root);

    const qr_block *p = child(root, 1);
    assert_int_equal(p->kind, QR_BLK_PARAGRAPH);
    assert_int_equal(p->line, 3);
    assert_int_equal(p->nruns, 10);
    assert_run(&p->runs[0], QR_RUN_TEXT, "Plain ", 0, NULL);
    assert_run(&p->runs[1], QR_RUN_TEXT, "bold", QR_RUN_BOLD, NULL);
    assert_run(&p->runs[2], QR_RUN_TEXT, " ", 0, NULL);
    assert_run(&p->runs[3], QR_RUN_TEXT, "code", QR_RUN_CODE, NULL);
    assert_int_equal(p->runs[4].kind, QR_RUN_SOFTBREAK);
    assert_run(&p->runs[5], QR_RUN_TEXT, "next line", 0, NULL);
    assert_int_equal(p->runs[5].line, 4);
    assert_int_equal(p->runs[6].kind, QR_RUN_HARDBREAK);
    assert_run(&p->runs[7], QR_RUN_TEXT, "after ", 0, NULL);
    assert_int_equal(p->runs[7].line, 5);
    assert_run(&p->runs[8], QR_RUN_TEXT, "old", QR_RUN_STRIKE, NULL);
    assert_run(&p->runs[9], QR_RUN_TEXT, " text", 0, NULL);

    char *t = block_text(p);
    assert_string_equal(t, "Plain bold code next line after old text");
    free(t);
    assert_int_equal(qr_diags_len(d), 0);
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_nested_emphasis_and_merge(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("***both*** and **b *bi* b** a\\*b &amp; c\n", &d);
    const qr_block *p = child(qr_doc_root(doc), 0);
    assert_int_equal(p->nruns, 6);
    assert_run(&p->runs[0], QR_RUN_TEXT, "both", QR_RUN_BOLD | QR_RUN_ITALIC,
               NULL);
    assert_run(&p->runs[1], QR_RUN_TEXT, " and ", 0, NULL);
    assert_run(&p->runs[2], QR_RUN_TEXT, "b ", QR_RUN_BOLD, NULL);
    assert_run(&p->runs[3], QR_RUN_TEXT, "bi", QR_RUN_BOLD | QR_RUN_ITALIC,
               NULL);
    assert_run(&p->runs[4], QR_RUN_TEXT, " b", QR_RUN_BOLD, NULL);
    /* escapes and entities split cmark's text nodes; runs merge again */
    assert_run(&p->runs[5], QR_RUN_TEXT, " a*b & c", 0, NULL);
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_links_and_images(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("See [the **plan**](https://x.gov.uk/p \"T\"), "
                        "https://www.ofsted.gov.uk and <mailto:a@b.org>.\n", &d);
    const qr_block *p = child(qr_doc_root(doc), 0);
    assert_int_equal(p->nruns, 8);
    assert_run(&p->runs[0], QR_RUN_TEXT, "See ", 0, NULL);
    assert_run(&p->runs[1], QR_RUN_TEXT, "the ", QR_RUN_LINK,
               "https://x.gov.uk/p");
    assert_run(&p->runs[2], QR_RUN_TEXT, "plan", QR_RUN_LINK | QR_RUN_BOLD,
               "https://x.gov.uk/p");
    assert_run(&p->runs[3], QR_RUN_TEXT, ", ", 0, NULL);
    assert_run(&p->runs[4], QR_RUN_TEXT, "https://www.ofsted.gov.uk",
               QR_RUN_LINK, "https://www.ofsted.gov.uk");
    assert_run(&p->runs[5], QR_RUN_TEXT, " and ", 0, NULL);
    assert_run(&p->runs[6], QR_RUN_TEXT, "mailto:a@b.org", QR_RUN_LINK,
               "mailto:a@b.org");
    assert_run(&p->runs[7], QR_RUN_TEXT, ".", 0, NULL);
    qr_doc_free(doc);
    qr_diags_free(d);

    doc = parse("![Bar chart of *RAG* counts](chart.png) after\n\n"
                "[![logo](l.png)](https://c.gov.uk)\n", &d);
    p = child(qr_doc_root(doc), 0);
    assert_int_equal(p->nruns, 2);
    assert_run(&p->runs[0], QR_RUN_IMAGE, "Bar chart of RAG counts", 0,
               "chart.png");
    assert_run(&p->runs[1], QR_RUN_TEXT, " after", 0, NULL);
    char *t = block_text(p);
    assert_string_equal(t, "Bar chart of RAG counts after");
    free(t);
    p = child(qr_doc_root(doc), 1);
    assert_int_equal(p->nruns, 1);
    assert_run(&p->runs[0], QR_RUN_IMAGE, "logo", QR_RUN_LINK, "l.png");
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_link_trailing_text(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("[a](#u1)[b](#u1)[c](#u2).\n", &d);
    const qr_block *p = child(qr_doc_root(doc), 0);
    /* two links to one target stay two links: runs merge only within a
     * link, and each run names its link by number */
    assert_int_equal(p->nruns, 4);
    assert_run(&p->runs[0], QR_RUN_TEXT, "a", QR_RUN_LINK, "#u1");
    assert_run(&p->runs[1], QR_RUN_TEXT, "b", QR_RUN_LINK, "#u1");
    assert_run(&p->runs[2], QR_RUN_TEXT, "c", QR_RUN_LINK, "#u2");
    assert_run(&p->runs[3], QR_RUN_TEXT, ".", 0, NULL);
    for (int i = 0; i < 4; i++)
        assert_int_equal(p->runs[i].link, i < 3 ? i + 1 : 0);
    qr_doc_free(doc);
    qr_diags_free(d);

    /* the runs of one link share its number, whatever their style; the
     * count starts again in each block */
    doc = parse("x [**b** i](#u) y [z](#u)\n\n[w](#u)\n", &d);
    p = child(qr_doc_root(doc), 0);
    assert_int_equal(p->nruns, 5);
    assert_run(&p->runs[1], QR_RUN_TEXT, "b", QR_RUN_LINK | QR_RUN_BOLD, "#u");
    assert_run(&p->runs[2], QR_RUN_TEXT, " i", QR_RUN_LINK, "#u");
    assert_int_equal(p->runs[0].link, 0);
    assert_int_equal(p->runs[1].link, 1);
    assert_int_equal(p->runs[2].link, 1);
    assert_int_equal(p->runs[3].link, 0);
    assert_int_equal(p->runs[4].link, 2);
    p = child(qr_doc_root(doc), 1);
    assert_int_equal(p->runs[0].link, 1);
    qr_doc_free(doc);
    qr_diags_free(d);
}

/* Links a published PDF may carry: http, https, mailto and #name. Any
 * other scheme, or a relative path, is an error at the link's line and
 * column, and its text stays as plain text. */
static void test_link_schemes(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("[a](https://x.org) [b](HTTP://x.org) [c](mailto:a@b.org) "
                        "[d](#top) <https://y.org> www.z.org\n\n"
                        "x [e](file:///etc/passwd)\n"
                        "[f](javascript:alert(1)) [g](data:text/html,hi)\n"
                        "[h](report.pdf) [i](/etc/passwd) <ftp://x.org/> "
                        "<smb://host/share> [j]()\n", &d);
    const qr_block *p = child(qr_doc_root(doc), 0);
    size_t links = 0;
    for (size_t i = 0; i < p->nruns; i++)
        if (p->runs[i].flags & QR_RUN_LINK) links++;
    assert_int_equal(links, 6);
    p = child(qr_doc_root(doc), 1);
    for (size_t i = 0; i < p->nruns; i++) {
        assert_int_equal(p->runs[i].flags & QR_RUN_LINK, 0);
        assert_null(p->runs[i].url);
    }
    assert_int_equal(qr_diags_count(d, QR_ERROR), 8);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_string_equal(g->file, "t.md");
    assert_int_equal(g->line, 3);
    assert_int_equal(g->col, 3);
    assert_non_null(strstr(g->message, "link to 'file:///etc/passwd' uses a "
                                       "scheme that is not allowed"));
    g = qr_diags_get(d, 3);
    assert_int_equal(g->line, 5);
    assert_int_equal(g->col, 1);
    assert_non_null(strstr(g->message, "link to 'report.pdf' has no scheme"));
    g = qr_diags_get(d, 7);
    assert_non_null(strstr(g->message, "link to '' is empty"));
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_lists(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("3) three\n4) four\n   * nested\n   * more\n\n"
                        "+ loose\n\n+ items\n\n"
                        "- [x] done\n- [ ] not yet\n", &d);
    const qr_block *root = qr_doc_root(doc);
    assert_int_equal(root->nchildren, 3);

    const qr_block *ol = child(root, 0);
    assert_int_equal(ol->kind, QR_BLK_LIST);
    assert_true(ol->ordered);
    assert_int_equal(ol->start, 3);
    assert_int_equal(ol->delim, ')');
    assert_true(ol->tight);
    assert_int_equal(ol->nchildren, 2);
    const qr_block *it = child(ol, 1);
    assert_int_equal(it->kind, QR_BLK_ITEM);
    assert_false(it->task);
    assert_int_equal(it->nchildren, 2);
    assert_int_equal(child(it, 0)->kind, QR_BLK_PARAGRAPH);
    const qr_block *nested = child(it, 1);
    assert_int_equal(nested->kind, QR_BLK_LIST);
    assert_false(nested->ordered);
    assert_int_equal(nested->delim, '*');
    assert_int_equal(nested->nchildren, 2);
    char *t = block_text(child(child(nested, 1), 0));
    assert_string_equal(t, "more");
    free(t);

    const qr_block *loose = child(root, 1);
    assert_int_equal(loose->delim, '+');
    assert_false(loose->tight);

    const qr_block *tasks = child(root, 2);
    assert_int_equal(tasks->delim, '-');
    assert_true(child(tasks, 0)->task);
    assert_true(child(tasks, 0)->checked);
    assert_true(child(tasks, 1)->task);
    assert_false(child(tasks, 1)->checked);
    t = block_text(child(child(tasks, 1), 0));
    assert_string_equal(t, "not yet");
    free(t);
    qr_doc_free(doc);
    qr_diags_free(d);

    doc = parse("1. a\n1. b\n", &d);
    ol = child(qr_doc_root(doc), 0);
    assert_int_equal(ol->start, 1);
    assert_int_equal(ol->delim, '.');
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_quote_and_code(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("> Quoted *words*\n> > inner\n\n"
                        "```chart type=bar\na: 1\nb: 2\n```\n\n"
                        "    indented\n", &d);
    const qr_block *root = qr_doc_root(doc);
    const qr_block *q = child(root, 0);
    assert_int_equal(q->kind, QR_BLK_QUOTE);
    assert_int_equal(q->nchildren, 2);
    assert_int_equal(child(q, 0)->kind, QR_BLK_PARAGRAPH);
    assert_int_equal(child(q, 1)->kind, QR_BLK_QUOTE);
    assert_int_equal(child(child(q, 1), 0)->line, 2);

    const qr_block *c = child(root, 1);
    assert_int_equal(c->kind, QR_BLK_CODE);
    assert_string_equal(c->info, "chart type=bar");
    assert_string_equal(c->literal, "a: 1\nb: 2\n");
    assert_int_equal(c->literal_len, 10);
    assert_int_equal(c->line, 4);

    c = child(root, 2);
    assert_int_equal(c->kind, QR_BLK_CODE);
    assert_string_equal(c->info, "");
    assert_string_equal(c->literal, "indented\n");
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_tables(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("| Ref | Action | Status | Notes |\n"
                        "|:----|:------:|-------:|-------|\n"
                        "| 1.1 | **Audit** cases | Amber |\n"
                        "| 1.2 | x | Red | a | extra |\n", &d);
    const qr_block *t = child(qr_doc_root(doc), 0);
    assert_int_equal(t->kind, QR_BLK_TABLE);
    assert_int_equal(t->ncols, 4);
    assert_string_equal(t->align, "lcrn");
    assert_int_equal(t->nchildren, 3);
    const qr_block *hdr = child(t, 0);
    assert_int_equal(hdr->kind, QR_BLK_TABLE_ROW);
    assert_true(hdr->header);
    assert_int_equal(hdr->nchildren, 4);
    char *s = block_text(child(hdr, 1));
    assert_string_equal(s, "Action");
    free(s);

    const qr_block *r1 = child(t, 1);
    assert_false(r1->header);
    assert_int_equal(r1->nchildren, 4);   /* padded */
    const qr_block *cell = child(r1, 1);
    assert_int_equal(cell->kind, QR_BLK_TABLE_CELL);
    assert_int_equal(cell->nruns, 2);
    assert_run(&cell->runs[0], QR_RUN_TEXT, "Audit", QR_RUN_BOLD, NULL);
    assert_run(&cell->runs[1], QR_RUN_TEXT, " cases", 0, NULL);
    assert_int_equal(child(r1, 3)->nruns, 0);

    const qr_block *r2 = child(t, 2);
    assert_int_equal(r2->nchildren, 4);   /* extra cell dropped */
    s = block_text(child(r2, 3));
    assert_string_equal(s, "a");
    free(s);
    assert_int_equal(r2->line, 4);
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_pagebreaks(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("one\n\n<!-- pagebreak -->\n\ntwo\n\n"
                        "  <!--PageBreak   -->  \n\n\\newpage\n\n"
                        "<!-- not a break -->\n\n\\newpage and more\n", &d);
    const qr_block *root = qr_doc_root(doc);
    assert_int_equal(root->nchildren, 7);
    assert_int_equal(child(root, 1)->kind, QR_BLK_PAGEBREAK);
    assert_int_equal(child(root, 1)->line, 3);
    assert_int_equal(child(root, 3)->kind, QR_BLK_PAGEBREAK);
    assert_int_equal(child(root, 4)->kind, QR_BLK_PAGEBREAK);
    assert_int_equal(child(root, 4)->nruns, 0);
    const qr_block *html = child(root, 5);
    assert_int_equal(html->kind, QR_BLK_PARAGRAPH);
    char *s = block_text(html);
    assert_string_equal(s, "<!-- not a break -->");
    free(s);
    assert_int_equal(child(root, 6)->kind, QR_BLK_PARAGRAPH);
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_orientation_switches(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("one\n\n<!-- landscape -->\n\ntwo\n\n"
                        "  <!--PORTRAIT-->\n\n<!-- pagebreak -->\n\n"
                        "<!-- landscape please -->\n\n<!-- Contents -->\n",
                        &d);
    const qr_block *root = qr_doc_root(doc);
    assert_int_equal(root->nchildren, 7);
    assert_int_equal(child(root, 6)->kind, QR_BLK_CONTENTS);
    assert_int_equal(child(root, 6)->line, 13);
    assert_int_equal(child(root, 1)->kind, QR_BLK_PAGEBREAK);
    assert_int_equal(child(root, 1)->orient, QR_ORIENT_LANDSCAPE);
    assert_int_equal(child(root, 1)->line, 3);
    assert_int_equal(child(root, 3)->kind, QR_BLK_PAGEBREAK);
    assert_int_equal(child(root, 3)->orient, QR_ORIENT_PORTRAIT);
    assert_int_equal(child(root, 4)->orient, QR_ORIENT_SAME);
    /* any other comment is text, as before */
    assert_int_equal(child(root, 5)->kind, QR_BLK_PARAGRAPH);
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_html_kept_as_text(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("<div class=\"x\">\nSchedule 12A\n</div>\n\n"
                        "Text with <span>inline</span> html.\n", &d);
    const qr_block *p = child(qr_doc_root(doc), 0);
    assert_int_equal(p->kind, QR_BLK_PARAGRAPH);
    assert_int_equal(p->nruns, 5);
    assert_run(&p->runs[0], QR_RUN_TEXT, "<div class=\"x\">", 0, NULL);
    assert_int_equal(p->runs[1].kind, QR_RUN_HARDBREAK);
    assert_run(&p->runs[2], QR_RUN_TEXT, "Schedule 12A", 0, NULL);
    assert_int_equal(p->runs[2].line, 2);
    assert_run(&p->runs[4], QR_RUN_TEXT, "</div>", 0, NULL);

    p = child(qr_doc_root(doc), 1);
    assert_int_equal(p->nruns, 1);
    assert_run(&p->runs[0], QR_RUN_TEXT,
               "Text with <span>inline</span> html.", 0, NULL);
    qr_doc_free(doc);
    qr_diags_free(d);
}

static int max_depth(const qr_block *root)
{
    int depth = 0, best = 0;
    const qr_block *b = root;
    while (b) {
        if (depth > best) best = depth;
        if (b->first_child) {
            b = b->first_child;
            depth++;
            continue;
        }
        while (b && !b->next) {
            b = b->parent;
            depth--;
        }
        if (b) b = b->next;
    }
    return best;
}

static void check_deep(const char *md, size_t len, int per_level)
{
    qr_diags *d = qr_diags_new();
    qr_doc *doc = qr_parse_markdown(md, len, "deep.md", d);
    assert_non_null(doc);
    assert_int_equal(qr_diags_count(d, QR_WARNING), 1);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_string_equal(g->file, "deep.md");
    assert_int_equal(g->line, 1);
    assert_non_null(strstr(g->message, "nested"));
    /* bounded depth; the innermost text survives */
    int depth = max_depth(qr_doc_root(doc));
    assert_true(depth <= QR_MAX_MARKDOWN_NESTING * per_level + 2);
    assert_true(depth >= QR_MAX_MARKDOWN_NESTING);
    char *s = dump(doc);
    assert_non_null(strstr(s, "\"deepest\""));
    free(s);
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    enum { LEVELS = 10000 };
    char *md = qr_xmalloc(LEVELS * 2 + 16);
    size_t n = 0;
    for (int i = 0; i < LEVELS; i++) md[n++] = '>';
    memcpy(md + n, " deepest\n", 9);
    n += 9;
    check_deep(md, n, 1);

    n = 0;
    for (int i = 0; i < LEVELS; i++) {
        md[n++] = '-';
        md[n++] = ' ';
    }
    memcpy(md + n, "deepest\n", 8);
    n += 8;
    check_deep(md, n, 2);
    free(md);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    const char md[] = "# Title\nab\xff" "cd\n";
    qr_doc *doc = qr_parse_markdown(md, sizeof md - 1, "bad.md", d);
    assert_null(doc);
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    const qr_diag *g = qr_diags_get(d, 0);
    assert_string_equal(g->file, "bad.md");
    assert_int_equal(g->line, 2);
    assert_int_equal(g->col, 3);
    assert_non_null(strstr(g->message, "byte 10"));
    qr_diags_free(d);

    /* a truncated sequence at the very end */
    d = qr_diags_new();
    doc = qr_parse_markdown("ok \xe2\x82", 5, "bad.md", d);
    assert_null(doc);
    assert_non_null(strstr(qr_diags_get(d, 0)->message, "byte 3"));
    qr_diags_free(d);
}

static void test_empty_and_crlf(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    qr_doc *doc = qr_parse_markdown("", 0, "e.md", d);
    assert_non_null(doc);
    assert_int_equal(qr_doc_root(doc)->nchildren, 0);
    qr_doc_free(doc);
    qr_doc_free(NULL);

    const char *crlf = "* a\r\n* b\r\n\r\n<!-- pagebreak -->\r\n";
    doc = qr_parse_markdown(crlf, strlen(crlf), "e.md", d);
    assert_non_null(doc);
    const qr_block *l = child(qr_doc_root(doc), 0);
    assert_int_equal(l->delim, '*');
    assert_int_equal(l->nchildren, 2);
    assert_int_equal(child(qr_doc_root(doc), 1)->kind, QR_BLK_PAGEBREAK);
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_dump_format(void **state)
{
    (void)state;
    qr_diags *d;
    qr_doc *doc = parse("## Summary\n\n1. **Fix** [it](#u)\n   - [x] \"q\"\n\n"
                        "```c\nx\n```\n\n| a |\n|--:|\n| ![i](p) |\n\n---\n", &d);
    char *s = dump(doc);
    assert_string_equal(s,
        "document\n"
        "  heading level=2 line=1\n"
        "    text \"Summary\"\n"
        "  list ordered start=1 delim='.' tight=1 line=3\n"
        "    item line=3\n"
        "      paragraph line=3\n"
        "        text \"Fix\" [b]\n"
        "        text \" \"\n"
        "        text \"it\" [l] url=\"#u\"\n"
        "      list bullet='-' tight=1 line=4\n"
        "        item task checked=1 line=4\n"
        "          paragraph line=4\n"
        "            text \"\\\"q\\\"\"\n"
        "  code info=\"c\" line=6\n"
        "    literal \"x\\n\"\n"
        "  table ncols=1 align=\"r\" line=10\n"
        "    row header=1 line=10\n"
        "      cell line=10\n"
        "        text \"a\"\n"
        "    row header=0 line=12\n"
        "      cell line=12\n"
        "        image \"i\" url=\"p\"\n"
        "  thematic_break line=14\n");
    free(s);
    qr_doc_free(doc);
    qr_diags_free(d);
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_pathological(void **state)
{
    (void)state;
    qr_buf md;
    qr_buf_init(&md);
    double t0 = seconds();

    for (int i = 0; i < 10000; i++) qr_buf_puts(&md, "*a ");
    qr_diags *d = qr_diags_new();
    qr_doc *doc = qr_parse_markdown(md.data, md.len, "p.md", d);
    const qr_block *p = child(qr_doc_root(doc), 0);
    assert_int_equal(p->nruns, 1);          /* merged into one run */
    assert_int_equal(p->runs[0].len, md.len - 1);
    qr_doc_free(doc);

    md.len = 0;
    for (int i = 0; i < 1000000; i++) qr_buf_putc(&md, 'x');
    doc = qr_parse_markdown(md.data, md.len, "p.md", d);
    p = child(qr_doc_root(doc), 0);
    assert_int_equal(p->nruns, 1);
    assert_int_equal(p->runs[0].len, 1000000);
    qr_doc_free(doc);

    md.len = 0;
    qr_buf_puts(&md, "| a | b |\n|---|---|\n");
    for (int i = 0; i < 10000; i++) qr_buf_printf(&md, "| %d | *%d* |\n", i, i);
    doc = qr_parse_markdown(md.data, md.len, "p.md", d);
    const qr_block *t = child(qr_doc_root(doc), 0);
    assert_int_equal(t->nchildren, 10001);
    assert_int_equal(t->last_child->line, 10002);
    qr_doc_free(doc);

    /* deeply nested emphasis: the style stack is a heap array */
    md.len = 0;
    for (int i = 0; i < 5000; i++) qr_buf_puts(&md, "*a ");
    qr_buf_putc(&md, 'x');
    for (int i = 0; i < 4999; i++) qr_buf_puts(&md, "* b");
    qr_buf_putc(&md, '*');
    doc = qr_parse_markdown(md.data, md.len, "p.md", d);
    p = child(qr_doc_root(doc), 0);
    assert_int_equal(p->nruns, 1);
    assert_int_equal(p->runs[0].flags, QR_RUN_ITALIC);
    assert_int_equal(p->runs[0].len, md.len - 10000);
    qr_doc_free(doc);

    assert_int_equal(qr_diags_len(d), 0);
    /* generous: these take milliseconds; quadratic behaviour takes minutes */
    assert_true(seconds() - t0 < 20.0);
    qr_diags_free(d);
    qr_buf_free(&md);
}

/* ---- the spec corpus ---- */

/* The in-repository copy (tests/spec/README.md); tests run from the
 * repository root. A missing file fails the test. */
#define SPEC_DIR "tests/spec/commonmark"

static char *read_spec(const char *file, size_t *len)
{
    char *path = qr_xasprintf("%s/%s", SPEC_DIR, file);
    char *s = qr_read_file(path, len, 0);
    if (!s) print_message("%s: cannot read\n", path);
    free(path);
    return s;
}

static int is_space_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void put_nospace(qr_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_space_byte(s[i])) qr_buf_putc(b, s[i]);
}

/* Every literal of cmark's own tree (text, code, raw HTML, code blocks)
 * in document order, without white space. */
static void cmark_text(const char *md, size_t len, qr_buf *out)
{
    cmark_gfm_core_extensions_ensure_registered();
    cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
    const char *exts[] = { "table", "strikethrough", "autolink", "tasklist" };
    for (int i = 0; i < 4; i++)
        cmark_parser_attach_syntax_extension(p,
                                             cmark_find_syntax_extension(exts[i]));
    cmark_parser_feed(p, md, len);
    cmark_node *root = cmark_parser_finish(p);
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        if (ev != CMARK_EVENT_ENTER) continue;
        cmark_node *n = cmark_iter_get_node(it);
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_TEXT: case CMARK_NODE_CODE: case CMARK_NODE_HTML_INLINE:
        case CMARK_NODE_CODE_BLOCK: case CMARK_NODE_HTML_BLOCK: {
            const char *l = cmark_node_get_literal(n);
            if (l) put_nospace(out, l, strlen(l));
            break;
        }
        default: break;
        }
    }
    cmark_iter_free(it);
    cmark_node_free(root);
    cmark_parser_free(p);
}

static void quire_text(const qr_doc *doc, qr_buf *out)
{
    const qr_block *b = qr_doc_root(doc);
    while (b) {
        if (b->kind == QR_BLK_CODE) put_nospace(out, b->literal, b->literal_len);
        if (b->kind == QR_BLK_PAGEBREAK) qr_buf_puts(out, "<!--pagebreak-->");
        for (size_t i = 0; i < b->nruns; i++)
            put_nospace(out, b->runs[i].text, b->runs[i].len);
        if (b->first_child) { b = b->first_child; continue; }
        while (b && !b->next) b = b->parent;
        if (b) b = b->next;
    }
}

/* Runs every example of one spec file; returns how many were checked. */
static int run_spec(const char *file)
{
    size_t len;
    char *spec = read_spec(file, &len);
    assert_non_null(spec);
    static const char fence[] = "```````````````````````````````` example";
    int count = 0, lost = 0;
    char *p = spec;
    qr_buf md, want, got;
    qr_buf_init(&md); qr_buf_init(&want); qr_buf_init(&got);
    while ((p = strstr(p, fence)) != NULL) {
        if (p != spec && p[-1] != '\n') { p++; continue; }
        p = strchr(p, '\n');
        if (!p) break;
        p++;
        md.len = 0;
        /* the Markdown runs up to a line holding only "." */
        while (*p && !(p[0] == '.' && (p[1] == '\n' || p[1] == '\0'))) {
            char *e = strchr(p, '\n');
            size_t n = e ? (size_t)(e - p) + 1 : strlen(p);
            for (size_t i = 0; i < n; i++) {
                if (strncmp(p + i, "\xe2\x86\x92", 3) == 0) {  /* → is a tab */
                    qr_buf_putc(&md, '\t');
                    i += 2;
                } else {
                    qr_buf_putc(&md, p[i]);
                }
            }
            p += n;
        }
        qr_buf_putc(&md, '\0');
        md.len--;
        qr_diags *d = qr_diags_new();
        qr_doc *doc = qr_parse_markdown(md.data, md.len, file, d);
        assert_non_null(doc);
        /* the specs' examples link to relative paths and odd schemes, which
         * a paper may not (test_link_schemes); nothing else is an error */
        for (size_t k = 0; k < qr_diags_len(d); k++) {
            const qr_diag *g = qr_diags_get(d, k);
            if (g->severity == QR_ERROR)
                assert_ptr_equal(strstr(g->message, "link to '"), g->message);
        }

        want.len = 0; got.len = 0;
        cmark_text(md.data, md.len, &want);
        quire_text(doc, &got);
        /* a page-break comment is the one HTML that does not stay text */
        qr_buf_putc(&want, '\0');
        qr_buf_putc(&got, '\0');
        if (strcmp(want.data, got.data) != 0) {
            lost++;
            print_message("%s example %d: text differs\n  cmark: %s\n  quire: %s\n",
                          file, count + 1, want.data, got.data);
        }
        /* dump and plain text must not crash either */
        char *s = dump(doc);
        assert_non_null(s);
        free(s);
        for (const qr_block *b = qr_doc_root(doc)->first_child; b; b = b->next) {
            char *t = block_text(b);
            free(t);
        }
        qr_doc_free(doc);
        qr_diags_free(d);
        count++;
    }
    qr_buf_free(&md); qr_buf_free(&want); qr_buf_free(&got);
    free(spec);
    assert_int_equal(lost, 0);
    return count;
}

static void test_spec_corpus(void **state)
{
    (void)state;
    assert_int_equal(run_spec("commonmark-spec.txt"), 655);
    assert_int_equal(run_spec("gfm-spec.txt"), 673);
    assert_true(run_spec("gfm-extensions.txt") > 0);
    assert_true(run_spec("gfm-regression.txt") > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heading_paragraph),
        cmocka_unit_test(test_nested_emphasis_and_merge),
        cmocka_unit_test(test_links_and_images),
        cmocka_unit_test(test_link_trailing_text),
        cmocka_unit_test(test_link_schemes),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_quote_and_code),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_pagebreaks),
        cmocka_unit_test(test_orientation_switches),
        cmocka_unit_test(test_html_kept_as_text),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_empty_and_crlf),
        cmocka_unit_test(test_dump_format),
        cmocka_unit_test(test_pathological),
        cmocka_unit_test(test_spec_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
