/* layout_check.h — invariants of a laid-out display list, for any test that
 * runs the layout stage. Header-only.
 *
 *   int layout_check(const qr_pages *p, const qr_style *st,
 *                    char *msg, size_t n);
 *
 * returns 0 when every invariant holds, else writes the first violation to
 * msg and returns 1. With cmocka included first, assert_layout_ok(p, st)
 * fails the test with that message.
 *
 * Invariants (text extents use the fake metrics' ascent 0.8 em and descent
 * 0.2 em):
 *  1. frame: every item but page furniture (artifact text) lies inside the
 *     margins; furniture lies on the page.
 *  2. elements: elem -1 only for artifacts, else a valid element index.
 *  3. no overlapping text: two text items whose x-ranges overlap either
 *     share a baseline without overlapping horizontally, or their extents
 *     are disjoint vertically.
 *  4. a heading is never the last text on a page (but the last page).
 *  5. widows and orphans: a paragraph (P element, with its links) with two
 *     or more lines has at least min(widows, orphans, lines) lines on every
 *     page it touches.
 *  6. a table spanning pages shows its header texts above its body rows on
 *     every page.
 *  7. the last body line of a page (but the last) does not end in a hyphen
 *     layout inserted (U+00AD, drawn as "-"): no word split across pages.
 */
#ifndef QUIRE_TEST_LAYOUT_CHECK_H
#define QUIRE_TEST_LAYOUT_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "quire/layout.h"

#define LC_EPS 0.05f
#define LC_ASC 0.8f
#define LC_DESC 0.2f

static int lc_fail(char *msg, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int lc_fail(char *msg, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    return 1;
}

static int lc_is_heading(qr_role r)
{
    return r >= QR_ROLE_H1 && r <= QR_ROLE_H6;
}

/* The P element an element belongs to (itself or a Link inside it), -1. */
static int lc_para_of(const qr_pages *p, int e)
{
    while (e >= 0) {
        const qr_elem *el = qr_pages_elem(p, (size_t)e);
        if (el->role == QR_ROLE_P) return e;
        if (el->role != QR_ROLE_LINK) return -1;
        e = el->parent;
    }
    return -1;
}

/* The Table element of a TH/TD element, -1. */
static int lc_table_of(const qr_pages *p, int e)
{
    while (e >= 0) {
        const qr_elem *el = qr_pages_elem(p, (size_t)e);
        if (el->role == QR_ROLE_TABLE) return e;
        if (el->role != QR_ROLE_TD && el->role != QR_ROLE_TH &&
            el->role != QR_ROLE_TR && el->role != QR_ROLE_LINK)
            return -1;
        e = el->parent;
    }
    return -1;
}

static qr_role lc_elem_role(const qr_pages *p, int e)
{
    return e >= 0 ? qr_pages_elem(p, (size_t)e)->role : QR_ROLE_ARTIFACT;
}

static int lc_inside(float x, float y, float x0, float y0, float x1, float y1)
{
    return x >= x0 - LC_EPS && x <= x1 + LC_EPS && y >= y0 - LC_EPS &&
           y <= y1 + LC_EPS;
}

static int lc_frame(const qr_pages *p, const qr_style *st, char *msg,
                    size_t n)
{
    float x0 = st->margin_left, y0 = st->margin_top;
    size_t ne = qr_pages_nelems(p);
    for (size_t i = 0; i < qr_pages_count(p); i++) {
        const qr_page *pg = qr_pages_get(p, i);
        /* each page's own frame: a landscape page is wider */
        float x1 = pg->width - st->margin_right;
        float y1 = pg->height - st->margin_bottom;
        for (size_t j = 0; j < pg->nitems; j++) {
            const qr_item *it = &pg->items[j];
            if (it->elem < -1 || (it->elem >= 0 && (size_t)it->elem >= ne))
                return lc_fail(msg, n, "page %zu item %zu: bad elem %d",
                               i + 1, j, it->elem);
            if (it->elem == -1 && it->role != QR_ROLE_ARTIFACT)
                return lc_fail(msg, n, "page %zu item %zu: elem -1 but not "
                               "an artifact", i + 1, j);
            if (it->elem >= 0 && it->role == QR_ROLE_ARTIFACT)
                return lc_fail(msg, n, "page %zu item %zu: artifact with "
                               "elem %d", i + 1, j, it->elem);
            float ax0 = x0, ay0 = y0, ax1 = x1, ay1 = y1;
            if (it->kind == QR_ITEM_TEXT && it->role == QR_ROLE_ARTIFACT &&
                (it->y < y0 || it->y > y1)) {
                ax0 = 0;
                ay0 = 0;
                ax1 = pg->width;
                ay1 = pg->height;
            }
            float lw = it->line_width / 2 + LC_EPS;
            int ok = 1;
            switch (it->kind) {
            case QR_ITEM_TEXT:
                ok = lc_inside(it->x, it->y - LC_ASC * it->size, ax0, ay0,
                               ax1, ay1) &&
                     lc_inside(it->x + it->w, it->y + LC_DESC * it->size,
                               ax0, ay0, ax1, ay1);
                break;
            case QR_ITEM_LINE:
                ok = lc_inside(it->x, it->y, ax0 - lw, ay0 - lw, ax1 + lw,
                               ay1 + lw) &&
                     lc_inside(it->x2, it->y2, ax0 - lw, ay0 - lw, ax1 + lw,
                               ay1 + lw);
                break;
            case QR_ITEM_RECT:
            case QR_ITEM_IMAGE:
            case QR_ITEM_LINK:
                ok = lc_inside(it->x, it->y, ax0 - lw, ay0 - lw, ax1 + lw,
                               ay1 + lw) &&
                     lc_inside(it->x + it->w, it->y + it->h, ax0 - lw,
                               ay0 - lw, ax1 + lw, ay1 + lw);
                break;
            case QR_ITEM_ANCHOR:
                ok = lc_inside(it->x, it->y, ax0, ay0, ax1, ay1);
                break;
            case QR_ITEM_PATH:
                for (size_t k = 0; k < it->npts && ok; k++)
                    ok = lc_inside(it->pts[2 * k], it->pts[2 * k + 1],
                                   ax0 - lw, ay0 - lw, ax1 + lw, ay1 + lw);
                break;
            }
            if (!ok)
                return lc_fail(msg, n, "page %zu item %zu (kind %d, \"%.*s\")"
                               " at %.2f,%.2f size %.2fx%.2f outside the "
                               "frame", i + 1, j, (int)it->kind,
                               it->text ? (int)it->len : 0,
                               it->text ? it->text : "", it->x, it->y, it->w,
                               it->h);
        }
    }
    return 0;
}

static int lc_overlap(const qr_pages *p, char *msg, size_t n)
{
    for (size_t i = 0; i < qr_pages_count(p); i++) {
        const qr_page *pg = qr_pages_get(p, i);
        for (size_t a = 0; a < pg->nitems; a++) {
            const qr_item *A = &pg->items[a];
            if (A->kind != QR_ITEM_TEXT || !A->len) continue;
            for (size_t b = a + 1; b < pg->nitems; b++) {
                const qr_item *B = &pg->items[b];
                if (B->kind != QR_ITEM_TEXT || !B->len) continue;
                float ox = (A->x + A->w < B->x + B->w ? A->x + A->w
                                                      : B->x + B->w) -
                           (A->x > B->x ? A->x : B->x);
                if (ox <= LC_EPS) continue;
                float dy = A->y - B->y;
                if (dy < LC_EPS && dy > -LC_EPS)
                    return lc_fail(msg, n, "page %zu: text \"%.*s\" and "
                                   "\"%.*s\" overlap on one baseline",
                                   i + 1, (int)A->len, A->text, (int)B->len,
                                   B->text);
                float at = A->y - LC_ASC * A->size, ab = A->y + LC_DESC * A->size;
                float bt = B->y - LC_ASC * B->size, bb = B->y + LC_DESC * B->size;
                if (at < bb - LC_EPS && bt < ab - LC_EPS)
                    return lc_fail(msg, n, "page %zu: lines \"%.*s\" (y %.2f)"
                                   " and \"%.*s\" (y %.2f) overlap", i + 1,
                                   (int)A->len, A->text, A->y, (int)B->len,
                                   B->text, B->y);
            }
        }
    }
    return 0;
}

/* The last body text item of a page: greatest baseline, then rightmost. */
static const qr_item *lc_last_text(const qr_page *pg)
{
    const qr_item *best = NULL;
    for (size_t j = 0; j < pg->nitems; j++) {
        const qr_item *it = &pg->items[j];
        if (it->kind != QR_ITEM_TEXT || it->role == QR_ROLE_ARTIFACT ||
            !it->len)
            continue;
        if (!best || it->y > best->y + LC_EPS ||
            (it->y > best->y - LC_EPS && it->x > best->x))
            best = it;
    }
    return best;
}

static int lc_feet(const qr_pages *p, char *msg, size_t n)
{
    size_t np = qr_pages_count(p);
    for (size_t i = 0; i + 1 < np; i++) {
        const qr_item *last = lc_last_text(qr_pages_get(p, i));
        if (!last) continue;
        if (lc_is_heading(lc_elem_role(p, last->elem)))
            return lc_fail(msg, n, "page %zu ends with heading text "
                           "\"%.*s\"", i + 1, (int)last->len, last->text);
        if (lc_para_of(p, last->elem) >= 0 && last->len >= 2 &&
            memcmp(last->text + last->len - 2, "\xC2\xAD", 2) == 0)
            return lc_fail(msg, n, "page %zu ends with a hyphenated line "
                           "(\"%.*s\")", i + 1, (int)last->len, last->text);
    }
    return 0;
}

static int lc_widows(const qr_pages *p, const qr_style *st, char *msg,
                     size_t n)
{
    size_t ne = qr_pages_nelems(p), np = qr_pages_count(p);
    /* lines of each P on each page: count distinct baselines per page */
    int *total = calloc(ne ? ne : 1, sizeof *total);
    int *here = calloc(ne ? ne : 1, sizeof *here);
    float *lasty = calloc(ne ? ne : 1, sizeof *lasty);
    int *pages_seen = calloc(ne ? ne : 1, sizeof *pages_seen);
    int *minhere = calloc(ne ? ne : 1, sizeof *minhere);
    int rc = 0;
    for (size_t e = 0; e < ne; e++) minhere[e] = 1 << 30;
    for (size_t i = 0; i < np; i++) {
        const qr_page *pg = qr_pages_get(p, i);
        memset(here, 0, ne * sizeof *here);
        for (size_t j = 0; j < pg->nitems; j++) {
            const qr_item *it = &pg->items[j];
            if (it->kind != QR_ITEM_TEXT || it->role == QR_ROLE_ARTIFACT)
                continue;
            int e = lc_para_of(p, it->elem);
            if (e < 0) continue;
            /* items of one paragraph come in line order */
            if (here[e] == 0 || it->y > lasty[e] + LC_EPS) {
                here[e]++;
                lasty[e] = it->y;
            }
        }
        for (size_t e = 0; e < ne; e++) {
            if (!here[e]) continue;
            total[e] += here[e];
            pages_seen[e]++;
            if (here[e] < minhere[e]) minhere[e] = here[e];
        }
    }
    int need = st->widows < st->orphans ? st->widows : st->orphans;
    for (size_t e = 0; e < ne && !rc; e++) {
        if (pages_seen[e] < 2) continue;
        int want = need < total[e] ? need : total[e];
        if (minhere[e] < want)
            rc = lc_fail(msg, n, "paragraph elem %zu (%d lines) has only %d "
                         "line(s) on one of its pages", e, total[e],
                         minhere[e]);
    }
    free(total);
    free(here);
    free(lasty);
    free(pages_seen);
    free(minhere);
    return rc;
}

static int lc_tables(const qr_pages *p, char *msg, size_t n)
{
    size_t ne = qr_pages_nelems(p), np = qr_pages_count(p);
    for (size_t t = 0; t < ne; t++) {
        if (qr_pages_elem(p, t)->role != QR_ROLE_TABLE) continue;
        /* the header texts, from their first page */
        const qr_item **heads = NULL;
        size_t nh = 0;
        for (size_t i = 0; i < np && !nh; i++) {
            const qr_page *pg = qr_pages_get(p, i);
            for (size_t j = 0; j < pg->nitems; j++) {
                const qr_item *it = &pg->items[j];
                if (it->kind == QR_ITEM_TEXT &&
                    lc_elem_role(p, it->elem) == QR_ROLE_TH &&
                    lc_table_of(p, it->elem) == (int)t) {
                    heads = realloc(heads, (nh + 1) * sizeof *heads);
                    heads[nh++] = it;
                }
            }
        }
        for (size_t i = 0; i < np; i++) {
            const qr_page *pg = qr_pages_get(p, i);
            float top = 1e30f;
            for (size_t j = 0; j < pg->nitems; j++) {
                const qr_item *it = &pg->items[j];
                if (it->kind == QR_ITEM_TEXT &&
                    lc_elem_role(p, it->elem) == QR_ROLE_TD &&
                    lc_table_of(p, it->elem) == (int)t && it->y < top)
                    top = it->y;
            }
            if (top > 1e29f) continue;
            for (size_t h = 0; h < nh; h++) {
                int found = 0;
                for (size_t j = 0; j < pg->nitems && !found; j++) {
                    const qr_item *it = &pg->items[j];
                    found = it->kind == QR_ITEM_TEXT && it->y < top &&
                            it->len == heads[h]->len &&
                            memcmp(it->text, heads[h]->text, it->len) == 0 &&
                            (it->role == QR_ROLE_ARTIFACT ||
                             lc_elem_role(p, it->elem) == QR_ROLE_TH);
                }
                if (!found) {
                    int rc = lc_fail(msg, n, "page %zu: table elem %zu "
                                     "lacks its header \"%.*s\"", i + 1, t,
                                     (int)heads[h]->len, heads[h]->text);
                    free(heads);
                    return rc;
                }
            }
        }
        free(heads);
    }
    return 0;
}

static int layout_check(const qr_pages *p, const qr_style *st, char *msg,
                        size_t n)
{
    msg[0] = '\0';
    if (!p) return lc_fail(msg, n, "no display list");
    if (qr_pages_count(p) == 0) return lc_fail(msg, n, "no pages");
    return lc_frame(p, st, msg, n) || lc_overlap(p, msg, n) ||
           lc_feet(p, msg, n) || lc_widows(p, st, msg, n) ||
           lc_tables(p, msg, n);
}

#ifdef cmocka_unit_test
#define assert_layout_ok(p, st)                                         \
    do {                                                                \
        char lc_msg_[512];                                              \
        if (layout_check((p), (st), lc_msg_, sizeof lc_msg_))           \
            fail_msg("layout invariant: %s", lc_msg_);                  \
    } while (0)
#endif

#endif
