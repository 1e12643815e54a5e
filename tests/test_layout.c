/* test_layout.c — the layout stage: Markdown (qr_parse_markdown) with the
 * default house style and fixed-advance fake metrics in; checks on the
 * display list out. layout_check.h's invariants run after every layout.
 *
 * Fake metrics: every glyph 500/1000 em, so 12 pt body text is 6 pt a
 * character; A4 with the default margins holds about 80 characters a line
 * and 46 lines a page.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <math.h>

#include "quire/layout.h"
#include "quire/parse.h"
#include "quire/style.h"
#include "quire/util.h"
#include "layout_check.h"

#define FAKE_ADVANCE 500.0f

typedef struct run {
    qr_style st;
    qr_doc *doc;
    qr_pages *p;
    qr_diags *d;
    qr_fake_font fake;
    qr_metrics m;
} run;

static const uint32_t missing_cps[] = {0x25E6, 0};

/* Lay out md with the default style, as changed by `tweak` if given. */
static run *lay_with(const char *md, void (*tweak)(qr_style *),
                     const qr_layout_opts *opts)
{
    run *r = qr_xcalloc(1, sizeof *r);
    qr_style_default(&r->st);
    if (tweak) tweak(&r->st);
    r->d = qr_diags_new();
    r->doc = qr_parse_markdown(md, strlen(md), "t.md", r->d);
    assert_non_null(r->doc);
    r->fake.advance = FAKE_ADVANCE;
    r->fake.missing = missing_cps;
    r->m = qr_metrics_fake(&r->fake);
    r->p = qr_layout_run(r->doc, &r->st, &r->m, opts, "t.md", r->d);
    return r;
}

static run *lay(const char *md)
{
    run *r = lay_with(md, NULL, NULL);
    assert_non_null(r->p);
    assert_layout_ok(r->p, &r->st);
    return r;
}

static void run_free(run *r)
{
    qr_pages_free(r->p);
    qr_doc_free(r->doc);
    qr_diags_free(r->d);
    free(r);
}

/* Markdown builder */
static char *cat(char *s, const char *add)
{
    size_t a = s ? strlen(s) : 0, b = strlen(add);
    s = qr_xrealloc(s, a + b + 1);
    memcpy(s + a, add, b + 1);
    return s;
}

/* n words of filler text ("lorem0 lorem1 ..."), no hyphens. */
static char *words(char *s, int n, const char *stem)
{
    char w[64];
    for (int i = 0; i < n; i++) {
        snprintf(w, sizeof w, "%s%s%d", i ? " " : "", stem, i % 10);
        s = cat(s, w);
    }
    return s;
}

/* one-line paragraphs */
static char *fillers(char *s, int n)
{
    for (int i = 0; i < n; i++) s = cat(s, "Filler line of text.\n\n");
    return s;
}

static int text_eq(const qr_item *it, const char *s)
{
    return it->kind == QR_ITEM_TEXT && it->len == strlen(s) &&
           memcmp(it->text, s, it->len) == 0;
}

/* The first text item (any page) equal to s, with its page. */
static const qr_item *find_text(const qr_pages *p, const char *s, size_t *page)
{
    for (size_t i = 0; i < qr_pages_count(p); i++) {
        const qr_page *pg = qr_pages_get(p, i);
        for (size_t j = 0; j < pg->nitems; j++)
            if (text_eq(&pg->items[j], s)) {
                if (page) *page = i;
                return &pg->items[j];
            }
    }
    return NULL;
}

/* First text item starting with prefix. */
static const qr_item *find_prefix(const qr_pages *p, const char *s,
                                  size_t *page)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < qr_pages_count(p); i++) {
        const qr_page *pg = qr_pages_get(p, i);
        for (size_t j = 0; j < pg->nitems; j++) {
            const qr_item *it = &pg->items[j];
            if (it->kind == QR_ITEM_TEXT && it->len >= n &&
                memcmp(it->text, s, n) == 0) {
                if (page) *page = i;
                return it;
            }
        }
    }
    return NULL;
}

static size_t count_kind(const qr_pages *p, qr_item_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < qr_pages_count(p); i++) {
        const qr_page *pg = qr_pages_get(p, i);
        for (size_t j = 0; j < pg->nitems; j++)
            if (pg->items[j].kind == k) n++;
    }
    return n;
}

/* Distinct baselines of the text of role `role` on page i. */
static int lines_of_role(const qr_pages *p, size_t i, qr_role role)
{
    const qr_page *pg = qr_pages_get(p, i);
    float last = -1;
    int n = 0;
    for (size_t j = 0; j < pg->nitems; j++) {
        const qr_item *it = &pg->items[j];
        if (it->kind == QR_ITEM_TEXT && it->role == role && it->y > last + 0.01f) {
            n++;
            last = it->y;
        }
    }
    return n;
}

/* Lines on page i of the paragraph whose first text starts with prefix. */
static int lines_of_para(const qr_pages *p, size_t i, int elem)
{
    const qr_page *pg = qr_pages_get(p, i);
    float last = -1;
    int n = 0;
    for (size_t j = 0; j < pg->nitems; j++) {
        const qr_item *it = &pg->items[j];
        if (it->kind == QR_ITEM_TEXT && it->elem == elem && it->y > last + 0.01f) {
            n++;
            last = it->y;
        }
    }
    return n;
}

/* ---- flow ---- */

static void test_long_paragraph_flows(void **state)
{
    (void)state;
    char *md = words(NULL, 3000, "flowing");
    run *r = lay(md);
    size_t np = qr_pages_count(r->p);
    assert_true(np >= 3);
    for (size_t i = 0; i < np; i++)
        assert_true(lines_of_role(r->p, i, QR_ROLE_P) >= 2);
    /* a full page is really full: the first page holds more than 40 lines */
    assert_true(lines_of_role(r->p, 0, QR_ROLE_P) > 40);
    run_free(r);
    free(md);
}

static void test_heading_moves_with_paragraph(void **state)
{
    (void)state;
    int moved = 0;
    for (int n = 26; n <= 36; n++) {
        char *md = fillers(NULL, n);
        md = cat(md, "## Heading at the foot\n\n");
        md = words(md, 40, "body");   /* three lines */
        run *r = lay(md);
        size_t hp, bp;
        assert_non_null(find_text(r->p, "Heading at the foot", &hp));
        assert_non_null(find_prefix(r->p, "body0", &bp));
        assert_int_equal(hp, bp);
        /* moved although the fillers all fitted on page 1 */
        if (hp == 1 && lines_of_role(r->p, 0, QR_ROLE_P) == n) moved = 1;
        run_free(r);
        free(md);
    }
    assert_true(moved);
}

static void test_heading_chain_kept_together(void **state)
{
    (void)state;
    for (int n = 26; n <= 36; n++) {
        char *md = fillers(NULL, n);
        md = cat(md, "## Section\n\n### Subsection\n\n");
        md = words(md, 40, "chain");
        run *r = lay(md);
        size_t a, b, c;
        assert_non_null(find_text(r->p, "Section", &a));
        assert_non_null(find_text(r->p, "Subsection", &b));
        assert_non_null(find_prefix(r->p, "chain0", &c));
        assert_int_equal(a, b);
        assert_int_equal(b, c);
        run_free(r);
        free(md);
    }
}

static int para_elem_of(const qr_pages *p, const char *prefix)
{
    const qr_item *it = find_prefix(p, prefix, NULL);
    assert_non_null(it);
    return it->elem;
}

static void test_three_line_paragraph_never_splits(void **state)
{
    (void)state;
    for (int n = 40; n <= 46; n++) {
        char *md = fillers(NULL, n - 10);
        md = words(md, 300, "lead");  /* a long paragraph before */
        md = cat(md, "\n\n");
        md = words(md, 30, "three");  /* three lines */
        run *r = lay(md);
        int e = para_elem_of(r->p, "three0");
        int split = 0, total = 0;
        for (size_t i = 0; i < qr_pages_count(r->p); i++) {
            int k = lines_of_para(r->p, i, e);
            if (k) split++;
            total += k;
        }
        assert_int_equal(total, 3);
        assert_int_equal(split, 1);
        run_free(r);
        free(md);
    }
}

static void test_four_line_paragraph_splits_two_two(void **state)
{
    (void)state;
    int split_seen = 0;
    for (int n = 28; n <= 36; n++) {
        char *md = fillers(NULL, n);
        md = words(md, 52, "four");  /* four lines */
        run *r = lay(md);
        int e = para_elem_of(r->p, "four0");
        int total = 0, pages = 0;
        for (size_t i = 0; i < qr_pages_count(r->p); i++) {
            int k = lines_of_para(r->p, i, e);
            if (k) {
                pages++;
                assert_true(k >= 2);
            }
            total += k;
        }
        assert_int_equal(total, 4);
        if (pages == 2) split_seen = 1;
        run_free(r);
        free(md);
    }
    assert_true(split_seen);
}

/* Ordinary prose with long words that en-GB hyphenation splits. */
static char *hyphenable(char *s, int n)
{
    static const char *w[] = {
        "the", "accountability", "of", "our", "organisational", "board",
        "for", "safeguarding", "is", "shared", "and", "independently",
        "reviewed", "by", "the", "commissioning", "team", "each", "month",
        "so", "that", "recommendations", "are", "met", "on", "time"};
    size_t nw = sizeof w / sizeof *w;
    for (int i = 0; i < n; i++) {
        if (i) s = cat(s, " ");
        s = cat(s, w[(size_t)(i * 7) % nw]);
    }
    return s;
}

static void test_no_hyphen_at_page_foot(void **state)
{
    (void)state;
    int hyphens = 0;
    for (int n = 0; n < 12; n++) {
        char *md = fillers(NULL, n);
        md = hyphenable(md, 1500);
        md = cat(md, "\n");
        run *r = lay(md);   /* the checker: no hyphen on a page's last line */
        assert_true(qr_pages_count(r->p) >= 3);
        /* hyphenation is on: some lines inside pages do end in a hyphen */
        for (size_t i = 0; i < qr_pages_count(r->p); i++) {
            const qr_page *pg = qr_pages_get(r->p, i);
            for (size_t j = 0; j < pg->nitems; j++) {
                const qr_item *it = &pg->items[j];
                if (it->kind == QR_ITEM_TEXT && it->role == QR_ROLE_P &&
                    it->len >= 2 &&
                    memcmp(it->text + it->len - 2, "\xC2\xAD", 2) == 0)
                    hyphens++;
            }
        }
        run_free(r);
        free(md);
    }
    assert_true(hyphens > 0);
}

/* ---- lists ---- */

static void test_nested_list_markers(void **state)
{
    (void)state;
    run *r = lay("- one\n  - two\n    - three\n      - four\n");
    const char *marks[4] = {"\xE2\x80\xA2", "\xE2\x80\x93", "\xE2\x97\xA6",
                            "\xE2\x80\xA2"};
    const char *texts[4] = {"one", "two", "three", "four"};
    const qr_page *pg = qr_pages_get(r->p, 0);
    float prev_x = 0;
    int found = 0;
    for (int k = 0; k < 4; k++) {
        const qr_item *t = find_text(r->p, texts[k], NULL);
        assert_non_null(t);
        assert_true(t->x > prev_x + r->st.list_indent - 0.1f);
        prev_x = t->x;
        /* the marker: same baseline, right-aligned left of the text */
        for (size_t j = 0; j < pg->nitems; j++) {
            const qr_item *m = &pg->items[j];
            if (m->kind == QR_ITEM_TEXT && m->y == t->y && m->x < t->x) {
                assert_true(text_eq(m, marks[k]));
                assert_int_equal(m->role, QR_ROLE_LBL);
                assert_true(m->x + m->w <= t->x);
                found++;
            }
        }
    }
    assert_int_equal(found, 4);
    /* the white bullet is missing from the fake body face: fallback */
    const qr_item *w = find_text(r->p, "\xE2\x97\xA6", NULL);
    assert_int_equal(w->font, QR_FONT_FALLBACK);
    /* structure: L > LI > Lbl, LBody > P */
    const qr_item *one = find_text(r->p, "one", NULL);
    const qr_elem *pe = qr_pages_elem(r->p, (size_t)one->elem);
    assert_int_equal(pe->role, QR_ROLE_P);
    const qr_elem *body = qr_pages_elem(r->p, (size_t)pe->parent);
    assert_int_equal(body->role, QR_ROLE_LBODY);
    assert_int_equal(qr_pages_elem(r->p, (size_t)body->parent)->role,
                     QR_ROLE_LI);
    run_free(r);
}

static void test_ordered_start_and_delim(void **state)
{
    (void)state;
    run *r = lay("3. three\n4. four\n\npara\n\n7) seven\n8) eight\n");
    assert_non_null(find_text(r->p, "3.", NULL));
    assert_non_null(find_text(r->p, "4.", NULL));
    assert_non_null(find_text(r->p, "7)", NULL));
    assert_non_null(find_text(r->p, "8)", NULL));
    assert_null(find_text(r->p, "1. ", NULL));
    /* hanging: the numbers end at the same x, the texts start at one x */
    const qr_item *a = find_text(r->p, "3.", NULL);
    const qr_item *b = find_text(r->p, "7)", NULL);
    const qr_item *ta = find_text(r->p, "three", NULL);
    const qr_item *tb = find_text(r->p, "seven", NULL);
    assert_float_equal(a->x + a->w, b->x + b->w, 0.01);
    assert_float_equal(ta->x, tb->x, 0.01);
    run_free(r);
}

static void test_task_items_draw_boxes(void **state)
{
    (void)state;
    run *r = lay("- [ ] to do\n- [x] done\n");
    size_t boxes = 0, ticks = 0;
    const qr_page *pg = qr_pages_get(r->p, 0);
    const qr_item *done = find_text(r->p, "done", NULL);
    assert_non_null(done);
    for (size_t j = 0; j < pg->nitems; j++) {
        const qr_item *it = &pg->items[j];
        if (it->kind == QR_ITEM_RECT && it->has_stroke && !it->has_fill) {
            boxes++;
            assert_true(it->x + it->w <= done->x);
        }
        if (it->kind == QR_ITEM_PATH) {
            ticks++;
            assert_true(it->npts >= 3);
            assert_true(it->has_stroke);
            /* the tick sits in the second item's box, near its baseline */
            assert_true(it->pts[1] > done->y - done->size &&
                        it->pts[1] < done->y + 1);
        }
        /* no bullet glyph for task items */
        assert_false(text_eq(it, "\xE2\x80\xA2"));
    }
    assert_int_equal(boxes, 2);
    assert_int_equal(ticks, 1);
    run_free(r);
}

static void test_short_list_item_moves_whole(void **state)
{
    (void)state;
    for (int n = 28; n <= 36; n++) {
        char *md = fillers(NULL, n);
        md = cat(md, "- ");
        md = words(md, 50, "item");   /* four lines in an item */
        md = cat(md, "\n");
        run *r = lay(md);
        int e = para_elem_of(r->p, "item0");
        int pages = 0;
        for (size_t i = 0; i < qr_pages_count(r->p); i++)
            if (lines_of_para(r->p, i, e)) pages++;
        assert_int_equal(pages, 1);
        run_free(r);
        free(md);
    }
}

/* ---- tables ---- */

static char *table_md(int rows)
{
    char *md = cat(NULL, "| Ref | Action | Owner |\n|---:|---|:---:|\n");
    char line[256];
    for (int i = 0; i < rows; i++) {
        snprintf(line, sizeof line, "| %d.%d | Complete the review of "
                 "placements number %d | Head of Service |\n", i / 4 + 1,
                 i % 4 + 1, i);
        md = cat(md, line);
    }
    return md;
}

static void test_table_spans_pages_with_header(void **state)
{
    (void)state;
    char *md = table_md(40);
    run *r = lay(md);   /* the checker asserts the header on every page */
    assert_true(qr_pages_count(r->p) >= 2);
    /* page 2 starts with the header text, then a body row */
    const qr_page *pg = qr_pages_get(r->p, 1);
    const qr_item *first = NULL;
    for (size_t j = 0; j < pg->nitems; j++)
        if (pg->items[j].kind == QR_ITEM_TEXT &&
            (!first || pg->items[j].y < first->y))
            first = &pg->items[j];
    assert_non_null(first);
    assert_int_equal(first->role, QR_ROLE_ARTIFACT);
    assert_true(text_eq(first, "Ref") || text_eq(first, "Action") ||
                text_eq(first, "Owner"));
    /* the header fill is drawn on page 2 too */
    int fill = 0;
    for (size_t j = 0; j < pg->nitems; j++)
        if (pg->items[j].kind == QR_ITEM_RECT && pg->items[j].has_fill)
            fill = 1;
    assert_true(fill);
    /* header cells are bold TH with scope Column */
    const qr_item *ref = find_text(r->p, "Ref", NULL);
    assert_int_equal(ref->font, QR_FONT_BOLD);
    const qr_elem *th = qr_pages_elem(r->p, (size_t)ref->elem);
    assert_int_equal(th->role, QR_ROLE_TH);
    assert_string_equal(th->scope, "Column");
    run_free(r);
    free(md);
}

static void test_table_header_not_alone_at_foot(void **state)
{
    (void)state;
    for (int n = 28; n <= 36; n++) {
        char *md = fillers(NULL, n);
        char *t = table_md(3);
        md = cat(md, t);
        run *r = lay(md);
        size_t hp, bp;
        assert_non_null(find_text(r->p, "Ref", &hp));
        assert_non_null(find_text(r->p, "1.1", &bp));
        assert_int_equal(hp, bp);
        run_free(r);
        free(md);
        free(t);
    }
}

static void test_table_column_widths(void **state)
{
    (void)state;
    run *r = lay("| No | Description |\n|---|---|\n"
                 "| 1 | The council will recruit and retain permanent social "
                 "workers so that caseloads fall to the target in every "
                 "assessment team across the borough |\n"
                 "| 22 | Short |\n");
    const qr_item *no = find_text(r->p, "No", NULL);
    const qr_item *desc = find_text(r->p, "Description", NULL);
    assert_non_null(no);
    assert_non_null(desc);
    float col1 = desc->x - no->x;
    float frame = r->st.page_width - r->st.margin_left - r->st.margin_right;
    assert_true(col1 < frame / 4);
    /* the long cell wraps to several lines inside its column */
    assert_true(lines_of_role(r->p, 0, QR_ROLE_TD) >= 3);
    run_free(r);
}

/* A column of dashes ("–" for no figure) is as wide as its header, even
 * when the table has room to spare: the room goes to the other columns. */
static void test_table_blank_column_header_wide(void **state)
{
    (void)state;
    run *r = lay("| Ref | Update | Progress | Owner |\n|---|---|---|---|\n"
                 "| 1.1 | Done in May | – | Head of Service |\n"
                 "| 1.2 | Started | | Head of Service |\n");
    const qr_item *prog = find_text(r->p, "Progress", NULL);
    const qr_item *owner = find_text(r->p, "Owner", NULL);
    assert_non_null(prog);
    assert_non_null(owner);
    float col = owner->x - prog->x;     /* both left-aligned */
    assert_float_equal(col, prog->w + 2 * r->st.table_padding, 0.05);
    run_free(r);
}

/* A long row that does not fit the space left on a page splits between
 * lines rather than leaving the page part blank: at least two lines on
 * each side, "(continued)" with the row's first cell above the rest, the
 * header repeated; a short row moves whole. */
static void test_table_row_splits_at_lines(void **state)
{
    (void)state;
    int split_seen = 0;
    for (int n = 20; n <= 34; n += 2) {
        char *md = fillers(NULL, n);
        md = cat(md, "| Ref | Update |\n|---|---|\n| 1.1 | short |\n| 7.3 | ");
        md = words(md, 120, "upd");
        md = cat(md, " |\n| 7.4 | one | \n");
        run *r = lay(md);
        /* the long row's words run over two pages: the cell's lines */
        size_t first_page = 0, last_page = 0, lines = 0;
        int seen = 0;
        size_t per_page[64] = {0};
        for (size_t pgi = 0; pgi < qr_pages_count(r->p) && pgi < 64; pgi++) {
            const qr_page *pg = qr_pages_get(r->p, pgi);
            for (size_t j = 0; j < pg->nitems; j++) {
                const qr_item *it = &pg->items[j];
                if (it->kind != QR_ITEM_TEXT || it->role != QR_ROLE_TD ||
                    strncmp(it->text, "upd", 3) != 0)
                    continue;
                if (!seen) first_page = pgi;
                seen = 1;
                last_page = pgi;
                per_page[pgi]++;
                lines++;
            }
        }
        assert_true(lines >= 6);
        if (last_page != first_page) {
            split_seen = 1;
            assert_int_equal(last_page, first_page + 1);
            assert_true(per_page[first_page] >= 2);
            assert_true(per_page[last_page] >= 2);
            /* the continued part is headed by the header and the marker */
            const qr_page *pg = qr_pages_get(r->p, last_page);
            int marker = 0, header = 0;
            for (size_t j = 0; j < pg->nitems; j++) {
                const qr_item *it = &pg->items[j];
                if (it->kind != QR_ITEM_TEXT) continue;
                if (text_eq(it, "7.3 (continued)")) {
                    marker = 1;
                    assert_int_equal(it->role, QR_ROLE_ARTIFACT);
                }
                if (text_eq(it, "Ref")) header = 1;
            }
            assert_true(marker);
            assert_true(header);
            /* the page before is filled to within a few lines */
            const qr_page *pp = qr_pages_get(r->p, first_page);
            float low = 0;
            for (size_t j = 0; j < pp->nitems; j++)
                if (pp->items[j].role != QR_ROLE_ARTIFACT &&
                    pp->items[j].y > low)
                    low = pp->items[j].y;
            float body_bottom = r->st.page_height - r->st.margin_bottom;
            assert_true(body_bottom - low < 4 * r->st.table_size * r->st.leading);
        }
        /* one-line rows never split */
        size_t p1, p2;
        assert_non_null(find_text(r->p, "7.4", &p1));
        assert_non_null(find_text(r->p, "one", &p2));
        assert_int_equal(p1, p2);
        run_free(r);
        free(md);
    }
    assert_true(split_seen);
}

static void test_table_alignment(void **state)
{
    (void)state;
    run *r = lay("| Left | Right | Centre |\n|:--|--:|:-:|\n"
                 "| a | b | c |\n| aaaa | bbbb | cccc |\n");
    const qr_item *b = find_text(r->p, "b", NULL);
    const qr_item *bb = find_text(r->p, "bbbb", NULL);
    const qr_item *c = find_text(r->p, "c", NULL);
    const qr_item *cc = find_text(r->p, "cccc", NULL);
    const qr_item *a = find_text(r->p, "a", NULL);
    const qr_item *aa = find_text(r->p, "aaaa", NULL);
    assert_float_equal(a->x, aa->x, 0.01);
    assert_float_equal(b->x + b->w, bb->x + bb->w, 0.01);
    assert_float_equal(c->x + c->w / 2, cc->x + cc->w / 2, 0.01);
    run_free(r);
}

static void test_table_long_word_fits(void **state)
{
    (void)state;
    char *md = cat(NULL, "| A | B | C |\n|---|---|---|\n| ");
    for (int i = 0; i < 300; i++) md = cat(md, "x");
    md = cat(md, " | ");
    for (int i = 0; i < 200; i++) md = cat(md, "y");
    md = cat(md, " | short |\n");
    run *r = lay(md);   /* the checker keeps every glyph inside the frame */
    assert_true(lines_of_role(r->p, 0, QR_ROLE_TD) >= 3);
    run_free(r);
    free(md);
}

static void test_table_ten_thousand_rows_fast(void **state)
{
    (void)state;
    char *md = table_md(10000);
    run *r = lay_with(md, NULL, NULL);
    assert_non_null(r->p);
    assert_true(qr_pages_count(r->p) > 100);
    char msg[512];
    assert_int_equal(layout_check(r->p, &r->st, msg, sizeof msg), 0);
    run_free(r);
    free(md);
}

/* Quotes and lists nested a hundred deep stop indenting before the text
 * would leave the page (tests/regress/layout/deep-quotes.md). */
static void test_deep_nesting_stays_in_frame(void **state)
{
    (void)state;
    char *md = NULL;
    for (int i = 0; i < 100; i++) md = cat(md, "> ");
    md = cat(md, "deeply quoted text that must stay inside the frame\n\n");
    for (int i = 0; i < 100; i++) {
        char line[256];
        snprintf(line, sizeof line, "%*s- level %d\n", i * 2, "", i);
        md = cat(md, line);
    }
    run *r = lay(md);   /* asserts the invariants: nothing outside the frame */
    run_free(r);
    free(md);
}

/* ---- other blocks ---- */

static void test_page_break(void **state)
{
    (void)state;
    run *r = lay("Before.\n\n<!-- pagebreak -->\n\nAfter.\n");
    assert_int_equal(qr_pages_count(r->p), 2);
    size_t p1, p2;
    assert_non_null(find_text(r->p, "Before.", &p1));
    assert_non_null(find_text(r->p, "After.", &p2));
    assert_int_equal(p1, 0);
    assert_int_equal(p2, 1);
    /* the text after a break starts at the top of the frame */
    const qr_item *a = find_text(r->p, "After.", NULL);
    const qr_item *b = find_text(r->p, "Before.", NULL);
    assert_float_equal(a->y, b->y, 0.01);
    run_free(r);
}

/* The widest text item of a page: how wide its lines are set. */
static float widest_line(const qr_pages *p, size_t page)
{
    const qr_page *pg = qr_pages_get(p, page);
    float w = 0;
    for (size_t j = 0; j < pg->nitems; j++)
        if (pg->items[j].kind == QR_ITEM_TEXT &&
            pg->items[j].role == QR_ROLE_P && pg->items[j].w > w)
            w = pg->items[j].w;
    return w;
}

static void test_landscape_pages(void **state)
{
    (void)state;
    char *para = words(NULL, 60, "wide");
    char *md = cat(NULL, "Before. ");
    md = cat(md, para);
    md = cat(md, "\n\n<!-- landscape -->\n\n");
    md = cat(md, para);
    md = cat(md, "\n\n<!-- portrait -->\n\nAfter. ");
    md = cat(md, para);
    md = cat(md, "\n");
    run *r = lay(md);
    assert_int_equal(qr_pages_count(r->p), 3);
    float pw = r->st.page_width, ph = r->st.page_height;
    const qr_page *p1 = qr_pages_get(r->p, 0), *p2 = qr_pages_get(r->p, 1),
                  *p3 = qr_pages_get(r->p, 2);
    assert_float_equal(p1->width, pw, 0.01);
    assert_float_equal(p2->width, ph, 0.01);   /* turned: 842 x 595 */
    assert_float_equal(p2->height, pw, 0.01);
    assert_float_equal(p3->width, pw, 0.01);
    /* lines on the landscape page fill its wider frame */
    float frame_l = ph - r->st.margin_left - r->st.margin_right;
    float frame_p = pw - r->st.margin_left - r->st.margin_right;
    assert_true(widest_line(r->p, 1) > frame_p + 1);
    assert_true(widest_line(r->p, 1) <= frame_l + 0.01f);
    assert_true(widest_line(r->p, 2) <= frame_p + 0.01f);
    /* the footer sits in the landscape page's own foot, centred on it */
    const qr_item *f = find_text(r->p, "Page 2 of 3", NULL);
    assert_non_null(f);
    assert_true(f->y > pw - r->st.margin_bottom && f->y < pw);
    assert_float_equal(f->x + f->w / 2, ph / 2 + (r->st.margin_left -
                                                   r->st.margin_right) / 2,
                       0.01);
    run_free(r);
    free(md);
    free(para);
}

/* <!-- contents -->: an entry per heading after it, with the page it is
 * on and a link to its anchor. */
static void test_contents_entries(void **state)
{
    (void)state;
    run *r = lay("# Paper\n\n<!-- contents -->\n\n## One\n\nText.\n\n"
                 "<!-- pagebreak -->\n\n## Two\n\nText.\n");
    assert_int_equal(qr_pages_count(r->p), 2);
    size_t pg;
    const qr_item *two = find_text(r->p, "2", &pg);
    assert_non_null(two);
    assert_int_equal(pg, 0);
    const qr_item *one = find_text(r->p, "1", &pg);
    assert_non_null(one);
    /* numbers end at the right of the frame */
    float right = r->st.page_width - r->st.margin_right;
    assert_float_equal(two->x + two->w, right, 0.01);
    assert_float_equal(one->x + one->w, right, 0.01);
    /* each entry links to its heading's anchor (h2, h3: "Paper" is h1) */
    int links = 0;
    const qr_page *p0 = qr_pages_get(r->p, 0);
    for (size_t j = 0; j < p0->nitems; j++) {
        const qr_item *it = &p0->items[j];
        if (it->kind == QR_ITEM_LINK && it->uri &&
            (strcmp(it->uri, "#h2") == 0 || strcmp(it->uri, "#h3") == 0))
            links++;
    }
    assert_int_equal(links, 4);    /* title and number of each entry */
    assert_int_equal(qr_diags_len(r->d), 0);
    run_free(r);
}

static void test_footer_page_of_n(void **state)
{
    (void)state;
    char *md = cat(NULL, "One\n\n<!-- pagebreak -->\n\nTwo\n\n"
                         "<!-- pagebreak -->\n\nThree\n");
    run *r = lay(md);
    assert_int_equal(qr_pages_count(r->p), 3);
    for (size_t i = 0; i < 3; i++) {
        char want[32];
        snprintf(want, sizeof want, "Page %zu of 3", i + 1);
        const qr_page *pg = qr_pages_get(r->p, i);
        int found = 0;
        for (size_t j = 0; j < pg->nitems; j++) {
            const qr_item *it = &pg->items[j];
            if (text_eq(it, want)) {
                found = 1;
                assert_int_equal(it->role, QR_ROLE_ARTIFACT);
                assert_int_equal(it->elem, -1);
                assert_true(it->y > r->st.page_height - r->st.margin_bottom);
                /* centred */
                float mid = it->x + it->w / 2;
                assert_float_equal(mid, r->st.page_width / 2 +
                                   (r->st.margin_left - r->st.margin_right) / 2,
                                   0.01);
                assert_float_equal(it->size, r->st.small_size, 0.001);
            }
        }
        assert_true(found);
    }
    run_free(r);
    free(md);
}

static void footer_fields(qr_style *s)
{
    snprintf(s->footer_center, sizeof s->footer_center,
             "{title} - item {item} - {meeting} - {page}/{pages}");
    snprintf(s->header_right, sizeof s->header_right, "{unknown}");
}

static void test_footer_fields_and_numbering(void **state)
{
    (void)state;
    qr_layout_opts o = {.title = "Paper", .meeting = "Cabinet", .item = "7", .first_page = 5, .total_pages = 40};
    run *r = lay_with("Hello\n", footer_fields, &o);
    assert_non_null(r->p);
    assert_non_null(find_text(r->p, "Paper - item 7 - Cabinet - 5/40", NULL));
    assert_non_null(find_text(r->p, "{unknown}", NULL));
    run_free(r);
}

/* The marks are furniture on the display list: NOT FOR PUBLICATION
 * centred in the top margin of every page in bold, the DRAFT stamp first
 * on every page (under the content) along the diagonal, its note at the
 * foot; all artifacts, measured like any line of text. */
static void test_marks_on_every_page(void **state)
{
    (void)state;
    qr_layout_opts o = {.mark = QR_MARK_EXEMPT, .draft = 1,
                        .draft_note = "Draft built 21 June 2018"};
    run *r = lay_with("One\n\n<!-- pagebreak -->\n\nTwo\n", NULL, &o);
    assert_non_null(r->p);
    assert_int_equal(qr_pages_count(r->p), 2);
    float w = r->st.page_width, h = r->st.page_height;
    for (size_t i = 0; i < 2; i++) {
        const qr_page *pg = qr_pages_get(r->p, i);
        const qr_item *d = &pg->items[0];
        assert_true(text_eq(d, "DRAFT"));
        assert_int_equal(d->role, QR_ROLE_ARTIFACT);
        assert_int_equal(d->font, QR_FONT_BOLD);
        assert_float_equal(d->angle, atan2f(h, w) * 180 / (float)M_PI, 0.01);
        /* 0.6 of the diagonal long */
        assert_float_equal(d->w, 0.6f * hypotf(w, h), 0.1);
        int mark = 0, note = 0;
        for (size_t j = 0; j < pg->nitems; j++) {
            const qr_item *it = &pg->items[j];
            if (text_eq(it, QR_MARK_EXEMPT)) {
                mark++;
                assert_int_equal(it->role, QR_ROLE_ARTIFACT);
                assert_int_equal(it->elem, -1);
                assert_int_equal(it->font, QR_FONT_BOLD);
                assert_float_equal(it->size, r->st.body_size, 0.001);
                assert_true(it->y < r->st.margin_top);
                assert_float_equal(it->x + it->w / 2, w / 2, 0.01);
                assert_float_equal(it->angle, 0, 0);
            }
            if (text_eq(it, "Draft built 21 June 2018")) {
                note++;
                assert_int_equal(it->role, QR_ROLE_ARTIFACT);
                assert_float_equal(it->y, h - 12, 0.01);
            }
        }
        assert_int_equal(mark, 1);
        assert_int_equal(note, 1);
    }
    run_free(r);
    /* no marks unless asked */
    r = lay("One\n");
    const qr_page *pg = qr_pages_get(r->p, 0);
    for (size_t j = 0; j < pg->nitems; j++) {
        assert_false(text_eq(&pg->items[j], "DRAFT"));
        assert_false(text_eq(&pg->items[j], QR_MARK_EXEMPT));
    }
    run_free(r);
    /* a character the bold face lacks comes from the fallback face, as in
     * a paragraph */
    qr_layout_opts f = {.mark = "NOT \xE2\x97\xA6 FOR"};
    r = lay_with("One\n", NULL, &f);
    assert_non_null(r->p);
    int fallback = 0;
    pg = qr_pages_get(r->p, 0);
    for (size_t j = 0; j < pg->nitems; j++)
        fallback += pg->items[j].font == QR_FONT_FALLBACK_BOLD &&
                    pg->items[j].y < r->st.margin_top;
    assert_int_equal(fallback, 1);
    run_free(r);
}

static void test_code_block_preserves_spacing(void **state)
{
    (void)state;
    run *r = lay("Text\n\n```\nint  x =   1;\n    indented\n\n\tafter tab\n```\n");
    const qr_item *a = find_text(r->p, "int  x =   1;", NULL);
    const qr_item *b = find_text(r->p, "    indented", NULL);
    const qr_item *c = find_text(r->p, "    after tab", NULL);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_float_equal(a->x, b->x, 0.01);
    assert_int_equal(a->font, QR_FONT_MONO);
    assert_float_equal(a->size, r->st.code_size, 0.001);
    /* the empty line keeps its height: three line pitches from b to c */
    assert_float_equal(c->y - b->y, 2 * r->st.code_size * r->st.leading,
                       0.01);
    /* background fill behind the code */
    int bg = 0;
    const qr_page *pg = qr_pages_get(r->p, 0);
    for (size_t j = 0; j < pg->nitems; j++) {
        const qr_item *it = &pg->items[j];
        if (it->kind == QR_ITEM_RECT && it->has_fill &&
            it->x <= a->x && it->y <= a->y - a->size * 0.8f)
            bg = 1;
    }
    assert_true(bg);
    assert_int_equal(qr_pages_elem(r->p, (size_t)a->elem)->role,
                     QR_ROLE_CODE);
    run_free(r);
}

static void test_code_long_line_wraps_at_characters(void **state)
{
    (void)state;
    char *md = cat(NULL, "```\n");
    for (int i = 0; i < 200; i++) md = cat(md, "ab");
    md = cat(md, "\n```\n");
    run *r = lay(md);
    assert_true(lines_of_role(r->p, 0, QR_ROLE_CODE) >= 4);
    run_free(r);
    free(md);
}

static void test_heading_anchors(void **state)
{
    (void)state;
    run *r = lay("# Title\n\n## First *part*\n\ntext\n\n### Sub\n\nmore\n");
    const char *names[3] = {"h1", "h2", "h3"};
    /* the default style numbers sections: the outline reads "1. …" */
    const char *titles[3] = {"Title", "1. First part", "Sub"};
    int levels[3] = {1, 2, 3};
    size_t k = 0;
    const qr_page *pg = qr_pages_get(r->p, 0);
    for (size_t j = 0; j < pg->nitems; j++) {
        const qr_item *it = &pg->items[j];
        if (it->kind != QR_ITEM_ANCHOR) continue;
        assert_true(k < 3);
        assert_string_equal(it->name, names[k]);
        assert_int_equal(it->level, levels[k]);
        assert_int_equal(it->len, strlen(titles[k]));
        assert_memory_equal(it->text, titles[k], it->len);
        const qr_item *t = find_prefix(r->p, k == 1 ? "First" : titles[k],
                                       NULL);
        assert_true(it->y <= t->y - t->size * 0.8f);
        k++;
    }
    assert_int_equal(k, 3);
    const qr_item *t = find_text(r->p, "Title", NULL);
    assert_int_equal(t->font, QR_FONT_HEADING);
    assert_float_equal(t->size, r->st.heading_size[0], 0.001);
    assert_int_equal(qr_pages_elem(r->p, (size_t)t->elem)->role, QR_ROLE_H1);
    run_free(r);
}

static void test_links(void **state)
{
    (void)state;
    run *r = lay("See [the report](https://example.org/r) for details.\n");
    const qr_page *pg = qr_pages_get(r->p, 0);
    int links = 0;
    for (size_t j = 0; j < pg->nitems; j++) {
        const qr_item *it = &pg->items[j];
        if (it->kind != QR_ITEM_LINK) continue;
        links++;
        assert_string_equal(it->uri, "https://example.org/r");
        assert_true(it->w > 0 && it->h > 0);
        const qr_elem *e = qr_pages_elem(r->p, (size_t)it->elem);
        assert_int_equal(e->role, QR_ROLE_LINK);
        assert_int_equal(qr_pages_elem(r->p, (size_t)e->parent)->role,
                         QR_ROLE_P);
    }
    assert_true(links >= 1);
    const qr_item *t = find_prefix(r->p, "the report", NULL);
    if (!t) t = find_prefix(r->p, "the", NULL);
    assert_non_null(t);
    assert_float_equal(t->color.b, r->st.link_color.b, 0.001);
    run_free(r);
}

/* The LINK items of page 0, in order: up to max, their count returned. */
static size_t link_items(const qr_pages *p, const qr_item **out, size_t max)
{
    const qr_page *pg = qr_pages_get(p, 0);
    size_t n = 0;
    for (size_t j = 0; j < pg->nitems; j++)
        if (pg->items[j].kind == QR_ITEM_LINK && n < max)
            out[n++] = &pg->items[j];
    return n;
}

/* One Link element per link: two links to one address in a paragraph are
 * two elements, and a link broken across lines is one element with an
 * area on each line. */
static void test_link_elements_per_link(void **state)
{
    (void)state;
    run *r = lay("See [the report](https://example.org/r) and "
                 "[again](https://example.org/r), then a link whose words "
                 "run on: [lorem0 lorem1 lorem2 lorem3 lorem4 lorem5 lorem6 "
                 "lorem7 lorem8 lorem9](https://example.org/r).\n");
    const qr_item *lk[16];
    size_t n = link_items(r->p, lk, 16);
    assert_int_equal(n, 4);             /* the third is on two lines */
    assert_int_not_equal(lk[0]->elem, lk[1]->elem);
    assert_int_not_equal(lk[1]->elem, lk[2]->elem);
    assert_int_equal(lk[2]->elem, lk[3]->elem);
    assert_true(lk[3]->y > lk[2]->y);   /* the next line */
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(lk[i]->uri, "https://example.org/r");
        assert_int_equal(qr_pages_elem(r->p, (size_t)lk[i]->elem)->role,
                         QR_ROLE_LINK);
    }
    /* each link's text belongs to its own element */
    assert_int_equal(find_text(r->p, "the report", NULL)->elem, lk[0]->elem);
    assert_int_equal(find_text(r->p, "again", NULL)->elem, lk[1]->elem);
    run_free(r);
}

/* Strikethrough is a flag of the text, not a mark in the link target: a
 * target that starts with byte 0x1f is just a target. No Markdown makes
 * one (parse refuses a target without a scheme), so the parsed run is
 * changed before layout. */
static void test_strike_not_in_url(void **state)
{
    (void)state;
    qr_diags *d = qr_diags_new();
    const char *md = "A [target](https://example.org/x) and ~~[gone]"
                     "(https://example.org/y)~~.\n";
    qr_doc *doc = qr_parse_markdown(md, strlen(md), "t.md", d);
    assert_non_null(doc);
    const qr_block *para = qr_doc_root(doc)->first_child;
    qr_run *runs = (qr_run *)para->runs;
    assert_true(runs[1].flags & QR_RUN_LINK);
    runs[1].url = "\x1f" "https://example.org/x";
    qr_style st;
    qr_style_default(&st);
    qr_fake_font fake = {.advance = FAKE_ADVANCE, .missing = missing_cps};
    qr_metrics m = qr_metrics_fake(&fake);
    qr_pages *p = qr_layout_run(doc, &st, &m, NULL, "t.md", d);
    assert_non_null(p);
    const qr_item *lk[4];
    assert_int_equal(link_items(p, lk, 4), 2);
    assert_string_equal(lk[0]->uri, "\x1f" "https://example.org/x");
    assert_string_equal(lk[1]->uri, "https://example.org/y");
    /* one strikethrough, through "gone" only */
    const qr_item *t = find_text(p, "target", NULL), *g = find_text(p, "gone", NULL);
    const qr_page *pg = qr_pages_get(p, 0);
    int lines = 0;
    for (size_t j = 0; j < pg->nitems; j++) {
        const qr_item *it = &pg->items[j];
        if (it->kind != QR_ITEM_LINE) continue;
        lines++;
        assert_true(it->x >= g->x - 0.01f && it->x2 <= g->x + g->w + 0.01f);
        assert_true(it->x2 <= t->x || it->x >= t->x + t->w);
    }
    assert_int_equal(lines, 1);
    qr_pages_free(p);
    qr_doc_free(doc);
    qr_diags_free(d);
}

static void test_inline_styles(void **state)
{
    (void)state;
    run *r = lay("**bold** *it* ***both*** `code` ~~gone~~\n");
    assert_int_equal(find_prefix(r->p, "bold", NULL)->font, QR_FONT_BOLD);
    assert_int_equal(find_prefix(r->p, "it", NULL)->font, QR_FONT_ITALIC);
    assert_int_equal(find_prefix(r->p, "both", NULL)->font,
                     QR_FONT_BOLD_ITALIC);
    assert_int_equal(find_prefix(r->p, "code", NULL)->font, QR_FONT_MONO);
    const qr_item *g = find_prefix(r->p, "gone", NULL);
    assert_non_null(g);
    /* a line through the struck fragment */
    int strike = 0;
    const qr_page *pg = qr_pages_get(r->p, 0);
    for (size_t j = 0; j < pg->nitems; j++) {
        const qr_item *it = &pg->items[j];
        if (it->kind == QR_ITEM_LINE && it->y < g->y && it->y > g->y - g->size &&
            it->x >= g->x - 0.01f && it->x2 <= g->x + g->w + 0.01f)
            strike = 1;
    }
    assert_true(strike);
    run_free(r);
}

static void test_quote_rule_image(void **state)
{
    (void)state;
    run *r = lay("> Quoted words\n>\n> More quoted\n\n---\n\n"
                 "![Chart of caseloads](no-such-file.png)\n");
    const qr_item *q = find_text(r->p, "Quoted words", NULL);
    assert_non_null(q);
    assert_true(q->x >= r->st.margin_left + r->st.quote_indent - 0.01f);
    const qr_page *pg = qr_pages_get(r->p, 0);
    int bars = 0, rules = 0, images = 0;
    for (size_t j = 0; j < pg->nitems; j++) {
        const qr_item *it = &pg->items[j];
        if (it->kind == QR_ITEM_RECT && it->has_fill &&
            it->x < q->x && it->y < q->y)
            bars++;
        if (it->kind == QR_ITEM_LINE && it->x2 - it->x > 400) rules++;
        if (it->kind == QR_ITEM_IMAGE) images++;
    }
    assert_true(bars >= 1);
    assert_int_equal(rules, 1);
    /* an image that cannot be read is an error at its line and column, and
     * no figure (nothing is guessed about a file that was not read) */
    assert_int_equal(images, 0);
    assert_int_equal(qr_diags_count(r->d, QR_ERROR), 1);
    const qr_diag *g = qr_diags_get(r->d, 0);
    assert_int_equal(g->line, 7);
    assert_int_equal(g->col, 1);
    assert_non_null(strstr(g->message, "cannot read image"));
    assert_non_null(strstr(g->message, "no-such-file.png"));
    /* the bar is unbroken from the first quoted line to the last */
    const qr_item *q2 = find_text(r->p, "More quoted", NULL);
    float top = 1e9f, bottom = 0;
    for (size_t j = 0; j < pg->nitems; j++) {
        const qr_item *it = &pg->items[j];
        if (it->kind == QR_ITEM_RECT && it->has_fill && it->x < q->x &&
            it->w < 10) {
            if (it->y < top) top = it->y;
            if (it->y + it->h > bottom) bottom = it->y + it->h;
        }
    }
    assert_true(top < q->y - q->size * 0.8f);
    assert_true(bottom > q2->y);
    run_free(r);
}

static void numbering(qr_style *s)
{
    s->number_sections = 1;
    s->number_paragraphs = 1;
}

static void test_council_numbering(void **state)
{
    (void)state;
    run *r = lay_with("# Report title\n\nIntro text.\n\n## Summary\n\nFirst "
                      "point.\n\nSecond point.\n\n## Recommendations\n\n"
                      "That Cabinet notes.\n\n- a bullet\n",
                      numbering, NULL);
    assert_non_null(r->p);
    assert_layout_ok(r->p, &r->st);
    const qr_item *s1 = find_text(r->p, "1. ", NULL);
    const qr_item *s2 = find_text(r->p, "2. ", NULL);
    const qr_item *p11 = find_text(r->p, "1.1 ", NULL);
    const qr_item *p12 = find_text(r->p, "1.2 ", NULL);
    const qr_item *p21 = find_text(r->p, "2.1 ", NULL);
    assert_non_null(s1);
    assert_non_null(s2);
    assert_non_null(p11);
    assert_non_null(p12);
    assert_non_null(p21);
    assert_null(find_text(r->p, "2.2 ", NULL));    /* lists aren't numbered */
    const qr_item *first = find_prefix(r->p, "First", NULL);
    const qr_item *that = find_prefix(r->p, "That", NULL);
    const qr_item *summ = find_text(r->p, "Summary", NULL);
    assert_float_equal(p11->y, first->y, 0.01);
    assert_float_equal(p11->x, r->st.margin_left, 0.01);
    assert_true(first->x > p11->x + p11->w);
    assert_float_equal(first->x, that->x, 0.01);
    assert_float_equal(summ->x, first->x, 0.01);   /* titles align too */
    assert_float_equal(s1->y, summ->y, 0.01);
    /* the intro before the first section is not numbered */
    const qr_item *intro = find_prefix(r->p, "Intro", NULL);
    assert_float_equal(intro->x, r->st.margin_left, 0.01);
    /* the outline entry carries the number */
    const qr_page *pg = qr_pages_get(r->p, 0);
    int ok = 0;
    for (size_t j = 0; j < pg->nitems; j++)
        if (pg->items[j].kind == QR_ITEM_ANCHOR && pg->items[j].level == 2 &&
            pg->items[j].len == strlen("1. Summary") &&
            memcmp(pg->items[j].text, "1. Summary", pg->items[j].len) == 0)
            ok = 1;
    assert_true(ok);
    run_free(r);
}

static void test_too_many_pages(void **state)
{
    (void)state;
    char *md = NULL;
    for (int i = 0; i <= QR_MAX_PAGES; i++) md = cat(md, "x\n\n\\newpage\n\n");
    run *r = lay_with(md, NULL, NULL);
    assert_null(r->p);
    int found = 0;
    for (size_t i = 0; i < qr_diags_len(r->d); i++) {
        const qr_diag *g = qr_diags_get(r->d, i);
        if (g->severity == QR_ERROR &&
            strstr(g->message, "more than 10000 pages"))
            found = 1;
    }
    assert_true(found);
    run_free(r);
    free(md);
}

static void test_structure_and_empty(void **state)
{
    (void)state;
    run *h = lay("#\n\n- \n");     /* empty heading, empty item */
    assert_int_equal(count_kind(h->p, QR_ITEM_ANCHOR), 1);
    assert_non_null(find_text(h->p, "\xE2\x80\xA2", NULL));
    run_free(h);
    run *r = lay("");
    assert_int_equal(qr_pages_count(r->p), 1);
    assert_int_equal(qr_pages_elem(r->p, 0)->role, QR_ROLE_DOCUMENT);
    assert_int_equal(qr_pages_elem(r->p, 0)->parent, -1);
    run_free(r);
    r = lay("Para\n");
    const qr_item *t = find_text(r->p, "Para", NULL);
    const qr_elem *e = qr_pages_elem(r->p, (size_t)t->elem);
    assert_int_equal(e->role, QR_ROLE_P);
    assert_int_equal(e->parent, 0);
    assert_true(count_kind(r->p, QR_ITEM_TEXT) >= 2);   /* + footer */
    run_free(r);
}

static void test_sample_paper(void **state)
{
    (void)state;
    size_t len;
    /* the sample is in the repository: a missing one is a failure */
    char *md = qr_read_file("samples/harwood-action-plan-progress.md", &len, 0);
    assert_non_null(md);
    run *r = lay(md);
    assert_true(qr_pages_count(r->p) >= 3);
    run_free(r);
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_paragraph_flows),
        cmocka_unit_test(test_heading_moves_with_paragraph),
        cmocka_unit_test(test_heading_chain_kept_together),
        cmocka_unit_test(test_three_line_paragraph_never_splits),
        cmocka_unit_test(test_four_line_paragraph_splits_two_two),
        cmocka_unit_test(test_no_hyphen_at_page_foot),
        cmocka_unit_test(test_nested_list_markers),
        cmocka_unit_test(test_ordered_start_and_delim),
        cmocka_unit_test(test_task_items_draw_boxes),
        cmocka_unit_test(test_short_list_item_moves_whole),
        cmocka_unit_test(test_table_spans_pages_with_header),
        cmocka_unit_test(test_table_header_not_alone_at_foot),
        cmocka_unit_test(test_table_column_widths),
        cmocka_unit_test(test_table_alignment),
        cmocka_unit_test(test_table_blank_column_header_wide),
        cmocka_unit_test(test_table_row_splits_at_lines),
        cmocka_unit_test(test_table_long_word_fits),
        cmocka_unit_test(test_table_ten_thousand_rows_fast),
        cmocka_unit_test(test_deep_nesting_stays_in_frame),
        cmocka_unit_test(test_page_break),
        cmocka_unit_test(test_landscape_pages),
        cmocka_unit_test(test_contents_entries),
        cmocka_unit_test(test_footer_page_of_n),
        cmocka_unit_test(test_footer_fields_and_numbering),
        cmocka_unit_test(test_marks_on_every_page),
        cmocka_unit_test(test_code_block_preserves_spacing),
        cmocka_unit_test(test_code_long_line_wraps_at_characters),
        cmocka_unit_test(test_heading_anchors),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_link_elements_per_link),
        cmocka_unit_test(test_strike_not_in_url),
        cmocka_unit_test(test_inline_styles),
        cmocka_unit_test(test_quote_rule_image),
        cmocka_unit_test(test_council_numbering),
        cmocka_unit_test(test_too_many_pages),
        cmocka_unit_test(test_structure_and_empty),
        cmocka_unit_test(test_sample_paper),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
