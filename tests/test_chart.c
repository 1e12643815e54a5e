/* test_chart.c — the chart stage: the block language and its errors (with
 * file:line:col), text alternatives made from the numbers, and drawing into
 * a display list: every item inside the box, bars proportional to their
 * values, line points in period order, the target line at the value's y. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quire/chart.h"
#include "quire/util.h"

#define EPS 0.01f

static const char RAG[] =
    "type: bar\n"
    "title: Actions by RAG status\n"
    "x-label: Number of actions\n"
    "total: actions\n"
    "bar: Red | 4 | red\n"
    "bar: Amber | 12 | amber\n"
    "bar: Green | 24 | green\n";

static const char KPI[] =
    "type: line\n"
    "title: Average caseload per social worker\n"
    "y-label: Cases\n"
    "unit: cases\n"
    "target: 18\n"
    "# the series\n"
    "line: Harwood | blue\n"
    "point: Oct 24 | 26\n"
    "point: Nov 24 | 25\n"
    "point: Dec 24 | 25.5\n"
    "point: Jan 25 | 24\n"
    "point: Feb 25 | 22\n"
    "point: Mar 25 | 21\n";

static qr_chart *parse_ok(const char *src)
{
    qr_diags *d = qr_diags_new();
    qr_chart *c = qr_chart_parse(src, strlen(src), "t.md", 10, d);
    if (!c) {
        qr_diags_print(d, stderr);
        fail_msg("chart did not parse");
    }
    assert_int_equal(qr_diags_len(d), 0);
    qr_diags_free(d);
    return c;
}

static void test_alt_bar(void **state)
{
    (void)state;
    qr_chart *c = parse_ok(RAG);
    assert_int_equal(qr_chart_kind(c), QR_CHART_BAR);
    assert_string_equal(qr_chart_alt(c), "Bar chart: Actions by RAG status. "
                                         "Red 4, Amber 12, Green 24 (40 "
                                         "actions).");
    qr_chart_free(c);
    /* units attach: "%" without a space, words with one; no total */
    c = parse_ok("type: bar\nunit: %\nbar: Met | 74.5\nbar: Not met | "
                 "25.5\n");
    assert_string_equal(qr_chart_alt(c), "Bar chart. Met 74.5%, Not met "
                                         "25.5%.");
    qr_chart_free(c);
}

static void test_alt_line(void **state)
{
    (void)state;
    qr_chart *c = parse_ok(KPI);
    assert_int_equal(qr_chart_kind(c), QR_CHART_LINE);
    assert_string_equal(qr_chart_alt(c),
                        "Line chart: Average caseload per social worker. "
                        "Harwood: Oct 24 26 cases, Nov 24 25 cases, Dec 24 "
                        "25.5 cases, Jan 25 24 cases, Feb 25 22 cases, Mar "
                        "25 21 cases. Target: 18 cases.");
    qr_chart_free(c);
    /* points with no 'line' form one series named after the title */
    c = parse_ok("type: line\ntitle: Visits\npoint: Jan | 1,200\npoint: "
                 "Feb | 1,350\ntarget: 1300 | Plan\n");
    assert_string_equal(qr_chart_alt(c), "Line chart: Visits. Visits: Jan "
                                         "1,200, Feb 1,350. Plan: 1300.");
    qr_chart_free(c);
}

typedef struct want_err {
    int line, col;
    const char *msg;
} want_err;

/* Parse src (first line = line 10 of t.md) expecting exactly these errors
 * in order. */
static void expect_errors(const char *src, const want_err *w, size_t n)
{
    qr_diags *d = qr_diags_new();
    qr_chart *c = qr_chart_parse(src, strlen(src), "t.md", 10, d);
    assert_null(c);
    if (qr_diags_len(d) != n) {
        qr_diags_print(d, stderr);
        fail_msg("expected %zu errors, got %zu", n, qr_diags_len(d));
    }
    for (size_t i = 0; i < n; i++) {
        const qr_diag *g = qr_diags_get(d, i);
        assert_int_equal(g->severity, QR_ERROR);
        assert_string_equal(g->file, "t.md");
        if (strcmp(g->message, w[i].msg) != 0)
            fail_msg("error %zu\n  got:  %s\n  want: %s", i, g->message,
                     w[i].msg);
        if (g->line != w[i].line || g->col != w[i].col)
            fail_msg("error %zu (%s) at %d:%d, want %d:%d", i, g->message,
                     g->line, g->col, w[i].line, w[i].col);
        assert_non_null(g->source);
    }
    qr_diags_free(d);
}

static void test_errors(void **state)
{
    (void)state;
    /* every problem in one run, each at its own line */
    static const want_err many[] = {
        {11, 1, "unknown chart key 'colour' (expected one of: type, title, "
                "x-label, y-label, unit, total, legend, min, max, target, "
                "bar, line, point)"},
        {12, 12, "bar value 'four' is not a number"},
        {13, 18, "'purple-ish' is not a colour (expected #rrggbb, a status "
                 "(not_started, red, amber, green, complete) or one of: "
                 "red, green, blue, grey, black, purple, turquoise, pink, "
                 "light-blue, orange, yellow)"},
        {14, 1, "expected 'key: value' (for example 'title: Actions by RAG "
                "status')"},
        {15, 1, "'point' belongs in a line chart, not a bar chart"},
        {16, 10, "bar value -2 is negative (bars start at 0)"},
        {17, 1, "'type' is given twice"},
        {18, 6, "expected 'bar: LABEL | VALUE | COLOUR' (colour optional)"},
    };
    expect_errors("type: bar\n"
                  "colour: red\n"
                  "bar: Red | four | red\n"
                  "bar: Amber | 3 | purple-ish\n"
                  "just words\n"
                  "point: Jan | 3\n"
                  "bar: X | -2\n"
                  "type: line\n"
                  "bar: Green\n",
                  many, sizeof many / sizeof many[0]);

    static const want_err notype[] = {
        {10, 1, "'type' must come first (type: bar or type: line)"},
    };
    expect_errors("title: Nothing\nbar: A | 1\n", notype, 1);
    static const want_err blank[] = {
        {10, 1, "chart has no 'type' (expected 'type: bar' or 'type: line' "
                "on the first line)"},
    };
    expect_errors("# nothing but a comment\n", blank, 1);

    static const want_err badtype[] = {
        {10, 7, "'pie' is not a chart type (expected bar or line)"}};
    expect_errors("type: pie\nbar: A | 1\n", badtype, 1);

    static const want_err empty[] = {{10, 1, "bar chart has no 'bar' lines"}};
    expect_errors("type: bar\ntitle: Empty\n", empty, 1);

    static const want_err nopoints[] = {
        {10, 1, "line chart has no 'point' lines"}};
    expect_errors("type: line\ntarget: 3\n", nopoints, 1);

    static const want_err uneven[] = {
        {14, 1, "line 'B' has 1 of 2 points (every line needs one per "
                "period, like 'A')"}};
    expect_errors("type: line\nline: A\npoint: Jan | 1\npoint: Feb | 2\n"
                  "line: B\npoint: Jan | 3\n", uneven, 1);

    static const want_err target[] = {
        {11, 9, "target '' is not a number"},
        {12, 1, "'bar' belongs in a bar chart, not a line chart"}};
    expect_errors("type: line\ntarget: | Goal\nbar: A | 1\npoint: J | 1\n",
                  target, 2);

    static const want_err range[] = {{10, 1, "min must be less than max"}};
    expect_errors("type: line\nmin: 5\nmax: 5\npoint: J | 1\n", range, 1);
}

/* ---- drawing ----------------------------------------------------------- */

static qr_fake_font FAKE = {500, NULL};

typedef struct box {
    float x, y, w, h;
} box;

/* Every item lies inside b (text by its advance box: ascent 0.8 em above
 * the baseline, descent 0.2 em below). */
static void assert_inside(const qr_page *pg, box b)
{
    for (size_t i = 0; i < pg->nitems; i++) {
        const qr_item *it = &pg->items[i];
        float x0, y0, x1, y1;
        switch (it->kind) {
        case QR_ITEM_TEXT:
            x0 = it->x, x1 = it->x + it->w;
            y0 = it->y - 0.8f * it->size, y1 = it->y + 0.2f * it->size;
            break;
        case QR_ITEM_LINE:
            x0 = fminf(it->x, it->x2), x1 = fmaxf(it->x, it->x2);
            y0 = fminf(it->y, it->y2), y1 = fmaxf(it->y, it->y2);
            break;
        case QR_ITEM_PATH:
            x0 = x1 = it->pts[0], y0 = y1 = it->pts[1];
            for (size_t k = 0; k < it->npts; k++) {
                x0 = fminf(x0, it->pts[2 * k]), x1 = fmaxf(x1, it->pts[2 * k]);
                y0 = fminf(y0, it->pts[2 * k + 1]);
                y1 = fmaxf(y1, it->pts[2 * k + 1]);
            }
            break;
        default:
            x0 = it->x, x1 = it->x + it->w, y0 = it->y, y1 = it->y + it->h;
        }
        if (x0 < b.x - EPS || x1 > b.x + b.w + EPS || y0 < b.y - EPS ||
            y1 > b.y + b.h + EPS)
            fail_msg("item %zu (kind %d, '%.*s') at [%.2f,%.2f]-[%.2f,%.2f] "
                     "leaves the box [%.2f,%.2f]-[%.2f,%.2f]", i, it->kind,
                     (int)it->len, it->text ? it->text : "", x0, y0, x1, y1,
                     b.x, b.y, b.x + b.w, b.y + b.h);
        assert_int_equal(it->role, QR_ROLE_FIGURE);
    }
}

static int has_text(const qr_page *pg, const char *s)
{
    for (size_t i = 0; i < pg->nitems; i++)
        if (pg->items[i].kind == QR_ITEM_TEXT && pg->items[i].len == strlen(s) &&
            memcmp(pg->items[i].text, s, pg->items[i].len) == 0)
            return 1;
    return 0;
}

static void test_draw_bars(void **state)
{
    (void)state;
    qr_style st;
    qr_style_default(&st);
    qr_metrics m = qr_metrics_fake(&FAKE);
    qr_chart *c = parse_ok(RAG);
    qr_pages *p = qr_pages_new();
    size_t pg = qr_pages_add_page(p, st.page_width, st.page_height);
    int el = qr_pages_add_elem(p, QR_ROLE_FIGURE, -1, NULL, NULL);
    box b = {70, 200, 400, 0};
    b.h = qr_chart_height(c, b.w, &st, &m);
    assert_true(b.h > 3 * st.small_size);
    float used = qr_chart_draw(c, p, pg, b.x, b.y, b.w, &st, &m, el);
    assert_float_equal(used, b.h, EPS);
    const qr_page *page = qr_pages_get(p, pg);
    assert_inside(page, b);
    /* the alt text is on the figure's structure element */
    assert_string_equal(qr_pages_elem(p, (size_t)el)->alt,
                        qr_chart_alt(c));
    /* three bars, in the RAG colours, widths proportional to 4:12:24 */
    const qr_item *bars[3];
    size_t nb = 0;
    for (size_t i = 0; i < page->nitems; i++)
        if (page->items[i].kind == QR_ITEM_RECT && nb < 3)
            bars[nb++] = &page->items[i];
    assert_int_equal(nb, 3);
    assert_float_equal(bars[1]->w / bars[0]->w, 3.0, 1e-3);
    assert_float_equal(bars[2]->w / bars[0]->w, 6.0, 1e-3);
    assert_float_equal(bars[0]->x, bars[2]->x, EPS);       /* common base */
    assert_true(bars[0]->y < bars[1]->y && bars[1]->y < bars[2]->y);
    assert_float_equal(bars[0]->fill.r, 0xd4 / 255.0, 1e-3); /* red */
    assert_float_equal(bars[2]->fill.g, 0x70 / 255.0, 1e-3); /* green */
    for (size_t i = 0; i < page->nitems; i++)
        assert_int_equal(page->items[i].elem, el);
    /* labels, value labels, title, axis label */
    assert_true(has_text(page, "Actions by RAG status"));
    assert_true(has_text(page, "Amber"));
    assert_true(has_text(page, "24"));
    assert_true(has_text(page, "Number of actions"));
    qr_pages_free(p);
    qr_chart_free(c);
}

/* A bar coloured "red" takes the house style's red, as the status
 * swatches in tables do; an explicit #rrggbb stays as written. */
static void test_status_colours_from_style(void **state)
{
    (void)state;
    qr_style st;
    qr_style_default(&st);
    st.status_colour[QR_RAG_RED] = (qr_rgb){0.0f, 0.0f, 1.0f};
    qr_metrics m = qr_metrics_fake(&FAKE);
    qr_chart *c = parse_ok("type: bar\nbar: Red | 4 | red\nbar: Other | 2 | #00ff00\n");
    qr_pages *p = qr_pages_new();
    size_t pg = qr_pages_add_page(p, st.page_width, st.page_height);
    qr_chart_draw(c, p, pg, 70, 200, 400, &st, &m, -1);
    const qr_page *page = qr_pages_get(p, pg);
    int blue = 0, green = 0;
    for (size_t i = 0; i < page->nitems; i++) {
        const qr_item *it = &page->items[i];
        if (it->kind != QR_ITEM_RECT || !it->has_fill) continue;
        if (it->fill.b > 0.99f && it->fill.r < 0.01f && it->fill.g < 0.01f) blue++;
        if (it->fill.g > 0.99f && it->fill.r < 0.01f && it->fill.b < 0.01f) green++;
    }
    assert_true(blue >= 1);
    assert_true(green >= 1);
    qr_pages_free(p);
    qr_chart_free(c);
}

static void test_draw_lines(void **state)
{
    (void)state;
    qr_style st;
    qr_style_default(&st);
    qr_metrics m = qr_metrics_fake(&FAKE);
    qr_chart *c = parse_ok(KPI);
    qr_pages *p = qr_pages_new();
    size_t pg = qr_pages_add_page(p, st.page_width, st.page_height);
    box b = {56, 100, 480, 0};
    b.h = qr_chart_height(c, b.w, &st, &m);
    float used = qr_chart_draw(c, p, pg, b.x, b.y, b.w, &st, &m, -1);
    assert_float_equal(used, b.h, EPS);
    const qr_page *page = qr_pages_get(p, pg);
    assert_inside(page, b);
    const qr_item *line = NULL;
    for (size_t i = 0; i < page->nitems; i++)
        if (page->items[i].kind == QR_ITEM_PATH) line = &page->items[i];
    assert_non_null(line);
    assert_int_equal(line->npts, 6);
    static const double v[6] = {26, 25, 25.5, 24, 22, 21};
    /* x strictly increasing, evenly spaced; y linear in the value, higher
     * values higher on the page */
    float dx = line->pts[2] - line->pts[0];
    double slope = (line->pts[11] - line->pts[1]) / (v[5] - v[0]);
    assert_true(slope < 0);
    for (size_t i = 1; i < 6; i++) {
        assert_true(line->pts[2 * i] > line->pts[2 * i - 2]);
        assert_float_equal(line->pts[2 * i] - line->pts[2 * i - 2], dx, EPS);
        double want = line->pts[1] + slope * (v[i] - v[0]);
        assert_float_equal(line->pts[2 * i + 1], want, 0.01);
    }
    /* the target: dashed segments all at the y of 18 on the same scale */
    double ty = line->pts[1] + slope * (18 - v[0]);
    int dashes = 0;
    for (size_t i = 0; i < page->nitems; i++) {
        const qr_item *it = &page->items[i];
        if (it->kind != QR_ITEM_LINE || fabsf(it->y - (float)ty) > 0.01f ||
            it->y != it->y2 || it->x2 - it->x > 4.01f)
            continue;
        dashes++;
    }
    assert_true(dashes > 10);
    /* period labels, the latest always; target label; legend */
    assert_true(has_text(page, "Mar 25"));
    assert_true(has_text(page, "Target 18 cases"));
    assert_true(has_text(page, "Harwood"));
    assert_true(has_text(page, "Cases"));
    qr_pages_free(p);
    qr_chart_free(c);
}

/* Twelve long period labels in a narrow chart: labels thin out but never
 * overlap, and the latest period keeps its label. */
static void test_crowded_periods(void **state)
{
    (void)state;
    qr_style st;
    qr_style_default(&st);
    qr_metrics m = qr_metrics_fake(&FAKE);
    qr_buf src;
    qr_buf_init(&src);
    qr_buf_puts(&src, "type: line\n");
    for (int i = 1; i <= 12; i++)
        qr_buf_printf(&src, "point: September %d | %d\n", i, i * 3);
    qr_chart *c = parse_ok(src.data);
    qr_pages *p = qr_pages_new();
    size_t pg = qr_pages_add_page(p, st.page_width, st.page_height);
    box b = {40, 40, 260, 0};
    b.h = qr_chart_height(c, b.w, &st, &m);
    qr_chart_draw(c, p, pg, b.x, b.y, b.w, &st, &m, -1);
    const qr_page *page = qr_pages_get(p, pg);
    assert_inside(page, b);
    assert_true(has_text(page, "September 12"));
    float last_start = 1e9f;
    int labels = 0;
    for (size_t i = 0; i < page->nitems; i++) {
        const qr_item *it = &page->items[i];
        if (it->kind != QR_ITEM_TEXT || it->len < 9 ||
            memcmp(it->text, "September", 9) != 0)
            continue;
        labels++;
        assert_true(it->x + it->w <= last_start);
        last_start = it->x;
    }
    assert_true(labels >= 2 && labels < 12);
    qr_pages_free(p);
    qr_chart_free(c);
    qr_buf_free(&src);
}

/* Scales: ticks at round numbers that cover the data; a zero chart. */
static void test_scales(void **state)
{
    (void)state;
    qr_style st;
    qr_style_default(&st);
    qr_metrics m = qr_metrics_fake(&FAKE);
    qr_chart *c = parse_ok("type: bar\nbar: A | 0\nbar: B | 0\n");
    qr_pages *p = qr_pages_new();
    size_t pg = qr_pages_add_page(p, st.page_width, st.page_height);
    box b = {0, 0, 300, 0};
    b.h = qr_chart_height(c, b.w, &st, &m);
    qr_chart_draw(c, p, pg, 0, 0, 300, &st, &m, -1);
    assert_inside(qr_pages_get(p, pg), b);
    assert_true(has_text(qr_pages_get(p, pg), "1")); /* axis 0..1 */
    qr_chart_free(c);
    c = parse_ok("type: line\npoint: a | 0.12\npoint: b | 0.37\n");
    pg = qr_pages_add_page(p, st.page_width, st.page_height);
    qr_chart_draw(c, p, pg, 0, 0, 300, &st, &m, -1);
    assert_true(has_text(qr_pages_get(p, pg), "0.4"));
    qr_chart_free(c);
    qr_pages_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alt_bar),
        cmocka_unit_test(test_alt_line),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_draw_bars),
        cmocka_unit_test(test_status_colours_from_style),
        cmocka_unit_test(test_draw_lines),
        cmocka_unit_test(test_crowded_periods),
        cmocka_unit_test(test_scales),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
