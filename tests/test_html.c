/* test_html.c — the HTML back end: escaping, which link targets become an
 * href, contrast, the structure a paper's Markdown becomes (headings,
 * council numbering, captions, front sheet, RAG swatches, charts, task
 * lists, a second document after the paper), and a property test: 10,000
 * random strings full of markup, quotes, javascript: URLs and </script>
 * go through the real path of data into a page — Mustache values in
 * text, a link and a table — and come out as text: the page's tags are
 * exactly those of the same template with harmless values, every
 * attribute is one the back end writes, every href is allowed, and each
 * string reads back literally. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cJSON.h>

#include "quire/expand.h"
#include "quire/html.h"
#include "quire/parse.h"
#include "quire/style.h"
#include "quire/util.h"

/* ---- helpers ---- */

static char *page_of(const char *md, const qr_style *st, bool *ok)
{
    qr_diags *d = qr_diags_new();
    qr_doc *doc = qr_parse_markdown(md, strlen(md), "t.md", d);
    assert_non_null(doc);
    qr_style def;
    if (!st) {
        qr_style_default(&def);
        st = &def;
    }
    qr_html_meta meta = {.title = "A paper", .lang = "en-GB"};
    char *out = NULL;
    size_t len = 0;
    bool r = qr_html_render(doc, st, &meta, "t.md", d, &out, &len);
    if (ok) *ok = r;
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    qr_doc_free(doc);
    qr_diags_free(d);
    return out;
}

static char *escaped(const char *s)
{
    qr_buf b;
    qr_buf_init(&b);
    qr_html_escape(&b, s, strlen(s));
    return qr_buf_detach(&b, NULL);
}

#define assert_has(hay, needle)                                               \
    do {                                                                      \
        if (!strstr((hay), (needle)))                                         \
            fail_msg("'%s' not found in:\n%s", (needle), (hay));              \
    } while (0)

/* ---- escaping and links ---- */

static void test_escape(void **state)
{
    (void)state;
    char *e = escaped("<a href=\"x\" title='y'>&amp;</a>");
    assert_string_equal(e, "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;"
                           "&amp;amp;&lt;/a&gt;");
    free(e);
    /* controls HTML forbids become U+FFFD; tab, newline and text stay */
    e = escaped("a\x01" "b\tc\nd\x7f" "é–\r\x9f");
    assert_string_equal(e, "a\xEF\xBF\xBD" "b\tc\nd\xEF\xBF\xBD" "é–\r"
                           "\xEF\xBF\xBD");
    free(e);
}

static void test_href_allowed(void **state)
{
    (void)state;
    const char *yes[] = {"https://example.org/", "HTTP://x", "mailto:a@b.c",
                         "#h3", "  https://x", "ht\ttps://x"};
    const char *no[] = {"javascript:alert(1)", "JaVaScRiPt:alert(1)",
                        "java\tscript:alert(1)", "java\nscript:x",
                        " javascript:x", "\x01javascript:x", "data:text/html,x",
                        "vbscript:x", "file:///etc/passwd", "report.pdf",
                        "//evil.example/", "", "https", "httpsx://y"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (!qr_html_href_allowed(yes[i])) fail_msg("refused '%s'", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (qr_html_href_allowed(no[i])) fail_msg("allowed '%s'", no[i]);
}

static void test_contrast(void **state)
{
    (void)state;
    qr_rgb white = {1, 1, 1}, black = {0, 0, 0};
    qr_rgb link = {0x1d / 255.0f, 0x70 / 255.0f, 0xb8 / 255.0f};
    assert_true(qr_html_contrast(white, black) > 20.99);
    assert_true(qr_html_contrast(black, white) > 20.99);
    double c = qr_html_contrast(link, white);
    assert_true(c > 5.1 && c < 5.25);   /* GOV.UK's link blue: 5.17 */
}

/* A pale house link colour is darkened to 4.5:1 in the page's CSS. */
static void test_pale_link_colour_is_darkened(void **state)
{
    (void)state;
    qr_style st;
    qr_style_default(&st);
    st.link_color = (qr_rgb){1.0f, 0.85f, 0.3f};  /* 1.4:1 on white */
    char *p = page_of("[x](https://example.org)\n", &st, NULL);
    const char *a = strstr(p, "\na{color:#");
    assert_non_null(a);
    unsigned v;
    assert_int_equal(sscanf(a + 10, "%6x", &v), 1);
    qr_rgb got = {(v >> 16) / 255.0f, ((v >> 8) & 255) / 255.0f,
                  (v & 255) / 255.0f};
    assert_true(qr_html_contrast(got, (qr_rgb){1, 1, 1}) >= 4.5);
    free(p);
}

/* A house style's font names go into CSS strings, which HTML does not
 * unescape: nothing in them can end the string or the style element. */
static void test_font_names_cannot_leave_the_style(void **state)
{
    (void)state;
    qr_style st;
    qr_style_default(&st);
    snprintf(st.body_family, sizeof st.body_family,
             "Arial\"}</style><script>x()</script>");
    snprintf(st.mono_family, sizeof st.mono_family, "Mono';&lt;");
    char *p = page_of("Text.\n", &st, NULL);
    const char *end = strstr(p, "</style>");
    assert_non_null(end);
    assert_null(strstr(end + 1, "</style>"));   /* the one style element */
    assert_null(strstr(p, "<script"));
    assert_has(p, "font-family:\"Arialstylescriptxscript\",");
    assert_has(p, "font-family:\"Monolt\",monospace");
    free(p);
}

/* ---- structure ---- */

static void test_page_head(void **state)
{
    (void)state;
    char *p = page_of("# Title\n\nText.\n", NULL, NULL);
    assert_true(strncmp(p, "<!DOCTYPE html>\n<html lang=\"en-GB\">", 35) == 0);
    assert_has(p, "<title>A paper</title>");
    assert_has(p, "<meta name=\"viewport\"");
    assert_has(p, "<main>\n<h1 id=\"h1\">Title</h1>\n<p>Text.</p>\n</main>");
    assert_has(p, "@media print{");
    free(p);
}

static void test_numbering_follows_the_style(void **state)
{
    (void)state;
    qr_style st;
    qr_style_default(&st);
    st.number_sections = 1;
    st.number_paragraphs = 1;
    const char *md = "# Paper\n\nIntro.\n\n## Summary\n\nOne.\n\nTwo.\n\n"
                     "- not numbered\n\n## Detail\n\nThree.\n";
    char *p = page_of(md, &st, NULL);
    assert_has(p, "<p>Intro.</p>");   /* before the first section */
    assert_has(p, "<h2 id=\"h2\"><span class=\"snum\">1.</span> Summary</h2>");
    assert_has(p, "<span class=\"pnum\">1.1</span> One.");
    assert_has(p, "<span class=\"pnum\">1.2</span> Two.");
    assert_has(p, "<li>not numbered\n</li>");
    assert_has(p, "<span class=\"snum\">2.</span> Detail");
    assert_has(p, "<span class=\"pnum\">2.1</span> Three.");
    free(p);
    st.number_sections = 0;        /* a style that numbers nothing */
    st.number_paragraphs = 0;
    p = page_of(md, &st, NULL);
    assert_null(strstr(p, "pnum\">"));
    assert_null(strstr(p, "snum\">"));
    free(p);
}

static void test_tables(void **state)
{
    (void)state;
    const char *md = "**Table 1: Actions**\n\n"
                     "| Ref | Status | Count |\n| --- | --- | --: |\n"
                     "| 1.1 | Amber | 3 |\n| 1.2 | Amberish | 4 |\n";
    char *p = page_of(md, NULL, NULL);
    assert_has(p, "<caption id=\"t1\"><strong>Table 1: Actions</strong>"
                  "</caption>");
    assert_has(p, "aria-labelledby=\"t1\"");
    assert_null(strstr(p, "<p><strong>Table 1"));   /* said once */
    assert_has(p, "<th scope=\"col\">Ref</th>");
    assert_has(p, "<th scope=\"col\" class=\"r\">Count</th>");
    assert_has(p, "<td class=\"rag rag-2\">Amber</td>");
    assert_has(p, "<td>Amberish</td>");   /* only a whole status word */

    assert_has(p, "<td class=\"r\">3</td>");
    free(p);
    /* a table with no caption is named by its headings */
    p = page_of("| A <b> | B |\n| --- | --- |\n| 1 | 2 |\n", NULL, NULL);
    assert_has(p, "aria-label=\"Table: A &lt;b&gt;, B\"");
    free(p);
}

static void test_front_sheet_is_a_definition_list(void **state)
{
    (void)state;
    char *p = page_of("**Portfolio:** Children  \n**Wards:** All\n\n"
                      "**Cabinet – 1 June**  \nItem 5\n", NULL, NULL);
    assert_has(p, "<dl class=\"particulars\">\n"
                  "<dt><strong>Portfolio:</strong></dt><dd> Children</dd>\n"
                  "<dt><strong>Wards:</strong></dt><dd> All</dd>\n</dl>");
    assert_has(p, "<p><strong>Cabinet – 1 June</strong><br>\nItem 5</p>");
    free(p);
}

static void test_lists_and_blocks(void **state)
{
    (void)state;
    char *p = page_of("3. three\n4. four\n\n- [x] done\n- [ ] open\n\n"
                      "> quoted\n\n---\n\n<!-- pagebreak -->\n\n"
                      "```\na < b\n```\n\n~~old~~ *new* `x<y`\n", NULL, NULL);
    assert_has(p, "<ol start=\"3\">\n<li>three\n</li>");
    assert_has(p, "<input type=\"checkbox\" disabled checked "
                  "aria-label=\"Done\"> done");
    assert_has(p, "aria-label=\"Not done\"> open");
    assert_has(p, "<blockquote>\n<p>quoted</p>\n</blockquote>");
    assert_has(p, "<hr>");
    assert_has(p, "<div class=\"page-break\"></div>");
    assert_has(p, "<pre><code>a &lt; b</code></pre>");
    assert_has(p, "<del>old</del> <em>new</em> <code>x&lt;y</code>");
    free(p);
}

static void test_links(void **state)
{
    (void)state;
    char *p = page_of("[site](https://example.org/?a=1&b=\"2\") "
                      "[mail](mailto:a@b.c) [up](#h1) "
                      "[bad](javascript:alert(1))\n", NULL, NULL);
    assert_has(p, "<a href=\"https://example.org/?a=1&amp;b=&quot;2&quot;\">site</a>");
    assert_has(p, "<a href=\"mailto:a@b.c\">mail</a>");
    assert_has(p, "<a href=\"#h1\">up</a>");
    assert_null(strstr(p, "javascript"));   /* parse refused it: text only */
    assert_has(p, " bad</p>");
    free(p);
}

/* A second document after the paper (a pack's list of appendices): in
 * <main> after it, not numbered by the paper's style, its "#name" links
 * looked up in the link table like the paper's. */
static void test_after_document(void **state)
{
    (void)state;
    qr_style st;
    qr_style_default(&st);
    st.number_sections = 1;
    st.number_paragraphs = 1;
    qr_diags *d = qr_diags_new();
    const char *md = "# Paper\n\n## Summary\n\nOne.\n";
    const char *amd = "## Appendices\n\n- [Appendix A](#item-8-appendix-A)\n\n"
                      "Text.\n";
    qr_doc *doc = qr_parse_markdown(md, strlen(md), "t.md", d);
    qr_doc *after = qr_parse_markdown(amd, strlen(amd), "a.md", d);
    const char *from[] = {"#item-8-appendix-A"};
    const char *to[] = {"item-8-appendix-A.pdf"};
    qr_html_meta meta = {.title = "A paper", .links_from = from,
                         .links_to = to, .nlinks = 1, .after = after};
    char *out = NULL;
    size_t len = 0;
    assert_true(qr_html_render(doc, &st, &meta, "t.md", d, &out, &len));
    assert_has(out, "<span class=\"snum\">1.</span> Summary");
    assert_has(out, "<h2 id=\"h3\">Appendices</h2>");
    assert_has(out, "<a href=\"item-8-appendix-A.pdf\">Appendix A</a>");
    assert_has(out, "<p>Text.</p>\n</main>");
    assert_true(strstr(out, "One.") < strstr(out, "Appendices"));
    free(out);
    qr_doc_free(after);
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_charts(void **state)
{
    (void)state;
    char *p = page_of("```chart\ntype: bar\ntitle: By status\ntotal: actions\n"
                      "bar: Red | 4 | red\nbar: Green | 6 | green\n```\n\n"
                      "```chart\ntype: line\ntitle: Caseload\nunit: cases\n"
                      "target: 18\nline: Harwood | blue\npoint: Q1 | 21\n"
                      "point: Q2 | 19\n```\n",
                      NULL, NULL);
    assert_has(p, "<svg role=\"img\" viewBox=\"0 0 480 ");
    assert_has(p, "<title>By status</title>\n<desc>Bar chart: By status. "
                  "Red 4, Green 6 (10 actions).</desc>");
    assert_has(p, "fill=\"#d4351c\"");   /* the status colour */
    assert_has(p, "<th scope=\"row\">Red</th><td class=\"r\">4</td>");
    assert_has(p, "<title>Caseload</title>");
    assert_has(p, "<polyline class=\"series\" stroke=\"#1d70b8\"");
    assert_has(p, "<th scope=\"row\">Q2</th><td class=\"r\">19 cases</td>");
    assert_has(p, "<p>Target: 18 cases</p>");
    assert_has(p, ">Target 18 cases</text>");
    free(p);
}

/* Images are data: URIs of what image.h read: a JPEG's own bytes, a PNG
 * encoded again from its samples; a refused image is an error, left out. */
static void test_images_are_data_uris(void **state)
{
    (void)state;
    static const unsigned char jpeg[] = {
        0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00,
        0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x02, 0x00, 0x04, 0x03,
        0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01, 0xff, 0xd9};
    char dir[] = "/tmp/test_html.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *path = qr_xasprintf("%s/p.jpg", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(jpeg, 1, sizeof jpeg, f), sizeof jpeg);
    fclose(f);
    const char *md = "![A \"quoted\" crest](p.jpg)\n\n![out](../x.png)\n";
    qr_diags *d = qr_diags_new();
    qr_doc *doc = qr_parse_markdown(md, strlen(md), "t.md", d);
    qr_style st;
    qr_style_default(&st);
    qr_html_meta meta = {.title = "t", .base_dir = dir};
    char *out = NULL;
    size_t len;
    assert_false(qr_html_render(doc, &st, &meta, "t.md", d, &out, &len));
    qr_buf want;
    qr_buf_init(&want);
    qr_buf_puts(&want, "<img width=\"4\" height=\"2\" alt=\"A &quot;quoted"
                       "&quot; crest\" src=\"data:image/jpeg;base64,");
    /* base64 of the file, computed independently of html.c */
    static const char B64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < sizeof jpeg; i += 3) {
        unsigned v = (unsigned)jpeg[i] << 16 |
                     (i + 1 < sizeof jpeg ? (unsigned)jpeg[i + 1] << 8 : 0) |
                     (i + 2 < sizeof jpeg ? jpeg[i + 2] : 0);
        qr_buf_putc(&want, B64[v >> 18 & 63]);
        qr_buf_putc(&want, B64[v >> 12 & 63]);
        qr_buf_putc(&want, i + 1 < sizeof jpeg ? B64[v >> 6 & 63] : '=');
        qr_buf_putc(&want, i + 2 < sizeof jpeg ? B64[v & 63] : '=');
    }
    qr_buf_puts(&want, "\">");
    assert_has(out, want.data);
    assert_null(strstr(out, "alt=\"out\""));   /* outside: left out */
    assert_int_equal(qr_diags_count(d, QR_ERROR), 1);
    assert_has(qr_diags_get(d, 0)->message, "../x.png");
    qr_buf_free(&want);
    free(out);
    qr_doc_free(doc);
    qr_diags_free(d);
    remove(path);
    rmdir(dir);
    free(path);
}

/* A bar label wider than the label column goes on two lines rather than
 * off the drawing's edge. */
static void test_long_bar_labels_wrap(void **state)
{
    (void)state;
    char *p = page_of("```chart\ntype: bar\nbar: Children in need of help "
                      "and protection & more | 4\nbar: Short | 2\n```\n",
                      NULL, NULL);
    assert_has(p, "<tspan x=\"");
    assert_has(p, ">Children in need of help</tspan>");
    assert_has(p, ">and protection &amp; more</tspan></text>");
    assert_has(p, "text-anchor=\"end\">Short</text>");
    free(p);
}

static void test_bad_chart_is_an_error(void **state)
{
    (void)state;
    bool ok;
    char *p = page_of("```chart\ntype: pie\n```\n", NULL, &ok);
    assert_false(ok);
    assert_has(p, "<pre><code>type: pie</code></pre>");
    free(p);
}

/* ---- the property test ---- */

static const char *const PIECES[] = {
    "<", ">", "&", "\"", "'", "</script>", "<script>alert(1)</script>",
    "javascript:alert(1)", "JaVaScRiPt:", "java\tscript:", "&amp;", "&#x3c;",
    "&lt;", "<img src=x onerror=alert(1)>", "\" onmouseover=\"x", "' x='",
    "<!--", "-->", "]]>", "<svg/onload=alert(1)>", "*", "_", "`", "[", "]",
    "(", ")", "|", "\\", "#", "!", "{{", "}}", " ", "a", "b", "é", "–", "“",
    "x", "1", ".", ":", "/", "=", "%", "?",
};
#define NPIECES (sizeof PIECES / sizeof *PIECES)

static char *random_string(unsigned *seed)
{
    qr_buf b;
    qr_buf_init(&b);
    int n = 1 + rand_r(seed) % 12;
    qr_buf_puts(&b, "x");   /* never empty, never only spaces */
    for (int i = 0; i < n; i++) qr_buf_puts(&b, PIECES[rand_r(seed) % NPIECES]);
    qr_buf_puts(&b, "x");
    return qr_buf_detach(&b, NULL);
}

/* The template: values in a heading, a paragraph, a link's text and
 * target, and table cells. */
static const char TEMPLATE[] =
    "# {{a}}\n\n"
    "{{b}} [{{c}}]({{u}}) and [{{a}}](https://example.org/{{u}})\n\n"
    "| Name | {{a}} |\n| --- | --- |\n| {{b}} | {{c}} |\n";

/* Attribute names the back end writes. */
static int attribute_ours(const char *name, size_t n)
{
    static const char *const OK[] = {"id", "class", "href", "scope", "role",
                                     "tabindex", "aria-label",
                                     "aria-labelledby", "lang", "charset",
                                     "name", "content", "start", "viewBox",
                                     "x", "y", "x1", "y1", "x2", "y2",
                                     "width", "height", "fill", "stroke",
                                     "points", "text-anchor", "font-weight",
                                     "alt", "src", "type", "disabled",
                                     "checked", "data-furniture"};
    for (size_t i = 0; i < sizeof OK / sizeof *OK; i++)
        if (strlen(OK[i]) == n && strncmp(OK[i], name, n) == 0) return 1;
    return 0;
}

/* Decode the character references qr_html_escape writes. */
static void unescape(qr_buf *out, const char *s, size_t n)
{
    static const char *const REFS[][2] = {{"&amp;", "&"}, {"&lt;", "<"},
                                          {"&gt;", ">"}, {"&quot;", "\""},
                                          {"&#39;", "'"}};
    for (size_t i = 0; i < n;) {
        int hit = 0;
        for (size_t k = 0; k < 5 && !hit; k++) {
            size_t l = strlen(REFS[k][0]);
            if (i + l <= n && strncmp(s + i, REFS[k][0], l) == 0) {
                qr_buf_puts(out, REFS[k][1]);
                i += l;
                hit = 1;
            }
        }
        if (!hit) qr_buf_putc(out, s[i++]);
    }
}

/* Walk the page's <main>: the tag names in order go to tags (one per line,
 * without <a>, whose presence depends on whether {{u}} made a link target
 * at all); the text, decoded, to text. Fails on an attribute the back end
 * does not write, a raw '<' in text, or an href that is not allowed. */
static void scan(const char *page, qr_buf *tags, qr_buf *text)
{
    const char *s = strstr(page, "<main>"), *end = strstr(page, "</main>");
    assert_non_null(s);
    assert_non_null(end);
    while (s < end) {
        if (*s != '<') {
            const char *lt = memchr(s, '<', (size_t)(end - s));
            if (!lt) lt = end;
            unescape(text, s, (size_t)(lt - s));
            s = lt;
            continue;
        }
        const char *gt = memchr(s, '>', (size_t)(end - s));
        assert_non_null(gt);
        const char *p = s + 1;
        size_t nl = strspn(p, "/abcdefghijklmnopqrstuvwxyz0123456789");
        int link = (nl == 1 && p[0] == 'a') || (nl == 2 && !strncmp(p, "/a", 2));
        if (!link) {
            qr_buf_append(tags, p, nl);
            qr_buf_putc(tags, '\n');
        }
        p += nl;
        while (p < gt) {
            while (p < gt && *p == ' ') p++;
            size_t an = strcspn(p, "= >");
            if (an == 0) break;
            if (!attribute_ours(p, an))
                fail_msg("attribute '%.*s' in %.*s", (int)an, p,
                         (int)(gt - s + 1), s);
            const char *name = p;
            p += an;
            if (*p != '=') continue;
            assert_int_equal(p[1], '"');
            const char *q = strchr(p + 2, '"');
            assert_true(q && q < gt);
            if (an == 4 && strncmp(name, "href", 4) == 0) {
                qr_buf v;
                qr_buf_init(&v);
                unescape(&v, p + 2, (size_t)(q - p - 2));
                if (!qr_html_href_allowed(v.data ? v.data : ""))
                    fail_msg("href '%s' is not allowed", v.data);
                assert_true(strncmp(v.data, "https://example.org/", 20) == 0);
                qr_buf_free(&v);
            }
            p = q + 1;
        }
        qr_buf_putc(text, ' ');
        s = gt + 1;
    }
}

static char *render_with(const cJSON *data)
{
    qr_diags *d = qr_diags_new();
    qr_expand_opts o = {.strict = 1};
    qr_expansion *e = qr_expand_string(TEMPLATE, strlen(TEMPLATE), "t.md",
                                       data, &o, d);
    assert_non_null(e);
    size_t len;
    const char *md = qr_expansion_text(e, &len);
    qr_doc *doc = qr_parse_markdown(md, len, "(expanded markdown)", d);
    assert_non_null(doc);
    qr_style st;
    qr_style_default(&st);
    qr_html_meta meta = {.title = "t"};
    char *out = NULL;
    qr_html_render(doc, &st, &meta, "(expanded markdown)", d, &out, &len);
    qr_doc_free(doc);
    qr_expansion_free(e);
    qr_diags_free(d);
    return out;
}

static cJSON *data_of(const char *a, const char *b, const char *c,
                      const char *u)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "a", a);
    cJSON_AddStringToObject(o, "b", b);
    cJSON_AddStringToObject(o, "c", c);
    cJSON_AddStringToObject(o, "u", u);
    return o;
}

/* The text as Markdown shows it: leading and trailing spaces of a block
 * are not part of it. */
static void assert_literal(const char *text, const char *s)
{
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ') n--;
    while (n && *s == ' ') s++, n--;
    char *want = qr_xstrndup(s, n);
    if (!strstr(text, want))
        fail_msg("'%s' does not read back literally from:\n%s", want, text);
    free(want);
}

static void test_random_strings_stay_text(void **state)
{
    (void)state;
    cJSON *plain = data_of("x", "x", "x", "x");
    char *base = render_with(plain);
    qr_buf want, ignore;
    qr_buf_init(&want);
    qr_buf_init(&ignore);
    scan(base, &want, &ignore);
    free(base);
    cJSON_Delete(plain);
    unsigned seed = 20261202;
    for (int i = 0; i < 10000; i++) {
        char *v[4];
        for (int k = 0; k < 4; k++) v[k] = random_string(&seed);
        cJSON *data = data_of(v[0], v[1], v[2], v[3]);
        char *page = render_with(data);
        qr_buf tags, text;
        qr_buf_init(&tags);
        qr_buf_init(&text);
        scan(page, &tags, &text);
        if (strcmp(tags.data, want.data) != 0)
            fail_msg("tags differ for a='%s' b='%s' c='%s' u='%s':\n%s\n"
                     "instead of\n%s", v[0], v[1], v[2], v[3], tags.data,
                     want.data);
        if (strcasestr(page, "<script") || strcasestr(page, "<svg") ||
            strcasestr(page, "<img"))
            fail_msg("markup from the data in:\n%s", page);
        for (int k = 0; k < 3; k++) assert_literal(text.data, v[k]);
        qr_buf_free(&tags);
        qr_buf_free(&text);
        free(page);
        cJSON_Delete(data);
        for (int k = 0; k < 4; k++) free(v[k]);
    }
    qr_buf_free(&want);
    qr_buf_free(&ignore);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_href_allowed),
        cmocka_unit_test(test_contrast),
        cmocka_unit_test(test_pale_link_colour_is_darkened),
        cmocka_unit_test(test_font_names_cannot_leave_the_style),
        cmocka_unit_test(test_page_head),
        cmocka_unit_test(test_numbering_follows_the_style),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_front_sheet_is_a_definition_list),
        cmocka_unit_test(test_lists_and_blocks),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_after_document),
        cmocka_unit_test(test_charts),
        cmocka_unit_test(test_images_are_data_uris),
        cmocka_unit_test(test_long_bar_labels_wrap),
        cmocka_unit_test(test_bad_chart_is_an_error),
        cmocka_unit_test(test_random_strings_stay_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
