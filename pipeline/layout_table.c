/* layout_table.c — the layout stage, GFM tables: a table block (parse.h) in;
 * one box per row (or per band of lines of a row taller than a page) in the
 * vertical chain (layout_int.h) out.
 *
 * Column widths follow the automatic table layout of browsers (CSS 2.1
 * §17.5.2.2): each column has a minimum width (its widest word) and a
 * preferred width (its widest cell on one line); the table takes the full
 * text width. Cells wrap through linebreak.c. The header row is bold on a
 * fill, kept with the first body row and repeated by pagination on every
 * continuation page. Work is linear in the number of cells.
 *
 * A body row of ROW_SPLIT_MIN_LINES lines or more is a chain of one box
 * per line (a band), so a page can end inside it rather than leave the
 * rest of the page blank; at least ROW_SPLIT_KEEP lines stay on each side.
 * Where a page starts inside a row, pagination puts a band reading
 * "1.3 (continued)" (the row's first cell) above the rest of it.
 */
#include "layout_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct cell {
    lb_span *spans;
    size_t nspans;
    lb_prep *prep;              /* flattened once, measured, then broken */
    float min, pref;
    const qr_rgb *mark;         /* status swatch colour, or NULL */
} cell;

/* Hyphenation in a cell is a last resort: only when its column is
 * narrower than its longest word, and only in words this long. */
#define CELL_HYPH_MIN_WORD 8

/* Rows shorter than this move whole; longer ones split between lines,
 * keeping this many lines together at the page foot and head. */
#define ROW_SPLIT_MIN_LINES 4
#define ROW_SPLIT_KEEP 2
#define CONTINUED " (continued)"

/* A status swatch: a square this share of the font size, then a gap. */
#define MARK_SIDE_EM 0.72f
#define MARK_GAP_EM 0.4f

/* The style's colour for a cell holding only a RAG status word, or NULL. */
static const qr_rgb *status_mark(const qr_style *st, const lb_span *sp,
                                 size_t n)
{
    if (!st->status_marks) return NULL;
    char word[16];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (sp[i].flags & LB_HARD_BREAK) return NULL;
        if (len + sp[i].len >= sizeof word) return NULL;
        memcpy(word + len, sp[i].text, sp[i].len);
        len += sp[i].len;
    }
    while (len && word[len - 1] == ' ') len--;
    size_t start = 0;
    while (start < len && word[start] == ' ') start++;
    word[len] = '\0';
    const char *w = word + start;
    int i = qr_vocab_find_label(&qr_vocab_status, w);
    return i >= 0 ? &st->status_colour[i] : NULL;
}

/* Whether a cell says nothing: empty, spaces, or only dashes ("–" for no
 * figure). A column of such cells needs no more room than its header. */
static bool blank_cell(const lb_span *sp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (sp[i].flags & LB_HARD_BREAK) continue;
        for (size_t k = 0; k < sp[i].len;) {
            uint32_t cp;
            int len = qr_utf8_decode(sp[i].text + k, sp[i].len - k, &cp);
            if (len <= 0) return false;
            k += (size_t)len;
            if (cp != ' ' && cp != '-' && cp != 0x2013 && cp != 0x2014 &&
                cp != 0x00A0)
                return false;
        }
    }
    return true;
}

/* The single-line width of a cell: widest piece between hard breaks. */
static float natural_width(const lb_span *sp, size_t n, const qr_metrics *m,
                           lb_glyphs *g)
{
    float best = 0, cur = 0;
    for (size_t i = 0; i < n; i++) {
        if (sp[i].flags & LB_HARD_BREAK) {
            if (cur > best) best = cur;
            cur = 0;
            continue;
        }
        cur += lb_measure_g(sp[i].text, sp[i].len, sp[i].font, sp[i].size, m,
                            g);
    }
    return cur > best ? cur : best;
}

/* Column widths summing to w (see the comment at the top). */
static void column_widths(const float *mn, const float *pref,
                          const char *blank, int ncols, float w, float *out)
{
    float smin = 0, spref = 0, sgrow = 0;
    for (int c = 0; c < ncols; c++) {
        smin += mn[c];
        spref += pref[c];
        if (!blank[c]) sgrow += pref[c];
    }
    if (spref <= w && spref > 0) {
        /* the room to spare goes to the columns with something to say: a
         * column of dashes keeps the width of its header */
        for (int c = 0; c < ncols; c++)
            out[c] = sgrow <= 0 ? pref[c] * w / spref
                     : blank[c] ? pref[c]
                                : pref[c] + (w - spref) * pref[c] / sgrow;
    } else if (smin <= w) {
        /* Columns whose whole preferred width is within a fair share of
         * what is left keep it (short dates, statuses and grades stay on
         * one line, as in LaTeX's tabulary); the wide columns then share
         * the rest, each its minimum plus a part in proportion to how much
         * more it would like. */
        char *fixed = qr_xcalloc((size_t)ncols, 1);
        float left = w;
        int nfree = ncols, changed = 1;
        while (changed && nfree > 1) {
            changed = 0;
            float fair = left / nfree;
            for (int c = 0; c < ncols && nfree > 1; c++) {
                if (!fixed[c] && pref[c] <= fair) {
                    fixed[c] = 1;
                    out[c] = pref[c];
                    left -= pref[c];
                    nfree--;
                    changed = 1;
                }
            }
        }
        float fmin = 0, fdiff = 0;
        for (int c = 0; c < ncols; c++)
            if (!fixed[c]) {
                fmin += mn[c];
                fdiff += pref[c] - mn[c];
            }
        if (left < fmin) {
            /* the short columns left too little: share by the old rule */
            memset(fixed, 0, (size_t)ncols);
            left = w;
            fmin = smin;
            fdiff = spref - smin;
            nfree = ncols;
        }
        float give = left - fmin;
        for (int c = 0; c < ncols; c++)
            if (!fixed[c])
                out[c] = mn[c] + (fdiff > 0 ? give * (pref[c] - mn[c]) / fdiff
                                            : give / nfree);
        free(fixed);
    } else {
        /* even the longest words don't fit: narrow columns keep their
         * minimum and the widest share what is left equally, breaking
         * inside their words */
        char *fixed = qr_xcalloc((size_t)ncols, 1);
        float left = w;
        int nfree = ncols, changed = 1;
        while (changed && nfree > 0) {
            changed = 0;
            float cap = left / nfree;
            for (int c = 0; c < ncols; c++) {
                if (!fixed[c] && mn[c] <= cap) {
                    fixed[c] = 1;
                    out[c] = mn[c];
                    left -= mn[c];
                    nfree--;
                    changed = 1;
                }
            }
        }
        for (int c = 0; c < ncols; c++)
            if (!fixed[c]) out[c] = left / nfree;
        free(fixed);
    }
}

static void rule(layout *L, float x1, float y1, float x2, float y2)
{
    qr_item it = lay_item(QR_ITEM_LINE, QR_ROLE_ARTIFACT, -1);
    it.x = x1;
    it.y = y1;
    it.x2 = x2;
    it.y2 = y2;
    it.line_width = L->st->rule_width;
    it.color = L->st->rule_color;
    lay_push_item(L, &it, 0);
}

typedef struct rowctx {
    float x, w;
    const float *colw;
    const char *align;
    int ncols;
    float pad, lh, base;
    int ti;
    int first;                  /* the table's first box not yet made */
    const qr_rgb **marks;       /* this row's status swatches, per column */
    float size;                 /* the table's font size */
} rowctx;

/* One box for lines [l0, l1) of every cell of a row (the whole row when
 * it fits a page). */
static int row_box(layout *L, rowctx *rc, lb_result **res, const int *elems,
                   int header, size_t l0, size_t l1, int top_pad,
                   int bottom_pad, qr_role role, linkmap *lms)
{
    const qr_style *st = L->st;
    float h = (float)(l1 - l0) * rc->lh + (top_pad ? rc->pad : 0) +
              (bottom_pad ? rc->pad : 0);
    unsigned flags = 0;
    float gap = 0;
    if (rc->first) gap = lay_take_space(L, &flags);
    if (!bottom_pad) flags |= BOX_ROW_OPEN;
    int b = lay_new_box(L, h, flags);
    L->boxes[b].gap = gap;
    L->boxes[b].table = rc->ti;
    if (header) {
        qr_item fill = lay_item(QR_ITEM_RECT, QR_ROLE_ARTIFACT, -1);
        fill.x = rc->x;
        fill.w = rc->w;
        fill.h = h;
        fill.has_fill = 1;
        fill.fill = st->table_header_fill;
        lay_push_item(L, &fill, 0);
    }
    lay_add_bars(L, b);
    float y0 = top_pad ? rc->pad : 0;
    rc->first = 0;
    float cx = rc->x;
    for (int c = 0; c < rc->ncols; c++) {
        L->cell_col = c + 1;
        float inner = rc->colw[c] - 2 * rc->pad;
        size_t n = lb_nlines(res[c]);
        for (size_t k = l0; k < l1 && k < n; k++) {
            const lb_line *ln = lb_get_line(res[c], k);
            const qr_rgb *mark = rc->marks ? rc->marks[c] : NULL;
            float side = MARK_SIDE_EM * rc->size;
            float step = mark ? side + MARK_GAP_EM * rc->size : 0;
            float shift = 0;
            char a = rc->align ? rc->align[c] : 'n';
            if (a == 'r') shift = inner - ln->width - step;
            else if (a == 'c') shift = (inner - ln->width - step) / 2;
            if (shift < 0) shift = 0;
            if (mark && k == 0) {
                /* decorative: the word beside it carries the status */
                qr_item sw = lay_item(QR_ITEM_RECT, QR_ROLE_ARTIFACT, -1);
                sw.x = cx + rc->pad + shift;
                sw.y = y0 + rc->base - side;
                sw.w = side;
                sw.h = side;
                sw.has_fill = 1;
                sw.fill = *mark;
                lay_push_item(L, &sw, 0);
            }
            shift += step;
            lay_line_items(L, ln, cx + rc->pad + shift,
                           y0 + (float)(k - l0) * rc->lh + rc->base, role,
                           elems[c], &lms[c]);
        }
        cx += rc->colw[c];
    }
    L->cell_col = 0;
    if (top_pad && header) rule(L, rc->x, 0, rc->x + rc->w, 0);
    if (bottom_pad) rule(L, rc->x, h, rc->x + rc->w, h);
    rule(L, rc->x, 0, rc->x, h);
    rule(L, rc->x + rc->w, 0, rc->x + rc->w, h);
    return b;
}

/* The band that heads the rest of a row split over a page: the text of
 * the row's first cell when it is one line (a reference such as "1.3"),
 * then "(continued)", in italic. Page furniture, like the repeated header:
 * the row's words are read once. A box outside the chain (pagination
 * places it). */
static int continued_box(layout *L, rowctx *rc, lb_result *first_cell,
                         float size)
{
    qr_buf t;
    qr_buf_init(&t);
    const lb_line *ln = lb_nlines(first_cell) == 1 ? lb_get_line(first_cell, 0)
                                                   : NULL;
    for (size_t f = 0; ln && f < ln->nfrags; f++)
        qr_buf_append(&t, ln->frags[f].text, ln->frags[f].len);
    qr_buf_puts(&t, t.len ? CONTINUED : CONTINUED + 1);
    float h = rc->lh + rc->pad;
    int mb = lay_new_box(L, h, 0);
    L->boxes[mb].table = rc->ti;
    qr_item it = lay_item(QR_ITEM_TEXT, QR_ROLE_ARTIFACT, -1);
    it.x = rc->x + rc->pad;
    it.y = rc->pad + rc->base;
    it.font = QR_FONT_ITALIC;
    it.size = size;
    it.text = qr_arena_strndup(L->arena, t.data, t.len);
    it.len = t.len;
    it.w = lb_measure(t.data, t.len, QR_FONT_ITALIC, size, L->m);
    it.color = L->st->text_color;
    lay_push_item(L, &it, 0);
    rule(L, rc->x, 0, rc->x, h);
    rule(L, rc->x + rc->w, 0, rc->x + rc->w, h);
    qr_buf_free(&t);
    return mb;
}

/* A table whose longest words do not fit a portrait page side by side
 * has words broken inside; on a landscape page they may fit. Said at the
 * table's line, naming the switch that turns the page. */
static void too_wide(layout *L, const qr_block *t, const float *mn,
                     int ncols, float w)
{
    float smin = 0;
    for (int c = 0; c < ncols; c++) smin += mn[c];
    if (L->landscape || smin <= w + 0.01f) return;
    /* turned, the page is wider by the difference of its sides */
    float turned = w + fabsf(L->st->page_height - L->st->page_width);
    if (smin <= turned + 0.01f)
        qr_diag_add(L->d, QR_WARNING, L->md_name, t->line, 1, NULL, NULL,
                    "table is too wide for a portrait page: its %d columns "
                    "need %.0f pt for their longest words and the text is "
                    "%.0f pt wide, so words are broken; put the table on "
                    "landscape pages between <!-- landscape --> and "
                    "<!-- portrait --> lines", ncols, smin, w);
    else
        qr_diag_add(L->d, QR_WARNING, L->md_name, t->line, 1, NULL, NULL,
                    "table is too wide for a portrait page, and for a "
                    "landscape one (<!-- landscape -->): its %d columns "
                    "need %.0f pt for their longest words and the text is "
                    "%.0f pt wide (%.0f pt turned), so words are broken; "
                    "split the table or shorten its longest words",
                    ncols, smin, w, turned);
}

void lay_table(layout *L, const qr_block *t, float x, float w, int parent)
{
    const qr_style *st = L->st;
    int ncols = t->ncols > 0 ? t->ncols : 1;
    size_t nrows = t->nchildren;
    if (!nrows) return;
    float pad = st->table_padding;
    float size = st->table_size > 0 ? st->table_size : st->body_size;

    /* measure every cell */
    cell *cells = qr_xcalloc(nrows * (size_t)ncols, sizeof *cells);
    float *mn = qr_xcalloc((size_t)ncols * 3, sizeof *mn);
    float *pref = mn + ncols, *colw = mn + 2 * ncols;
    char *blank = qr_xmalloc((size_t)ncols);
    memset(blank, 1, (size_t)ncols);
    for (int c = 0; c < ncols; c++) mn[c] = pref[c] = 2 * pad;
    size_t r = 0;
    for (const qr_block *row = t->first_child; row; row = row->next, r++) {
        int c = 0;
        for (const qr_block *ce = row->first_child; ce && c < ncols;
             ce = ce->next, c++) {
            cell *cl = &cells[r * (size_t)ncols + (size_t)c];
            cl->nspans = lay_runs_to_spans(
                L, ce, row->header ? QR_FONT_BOLD : QR_FONT_REGULAR, size,
                row->header ? st->table_header_text : st->text_color,
                &cl->spans);
            cl->prep = cl->nspans ? lb_prepare(cl->spans, cl->nspans, L->m,
                                               L->glyphs)
                                  : NULL;
            float a = lb_prep_min_width(cl->prep) + 2 * pad;
            float b = natural_width(cl->spans, cl->nspans, L->m, L->glyphs) +
                      2 * pad;
            if (!row->header) {
                cl->mark = status_mark(st, cl->spans, cl->nspans);
                if (!blank_cell(cl->spans, cl->nspans)) blank[c] = 0;
            }
            if (cl->mark) {
                a += (MARK_SIDE_EM + MARK_GAP_EM) * size;
                b += (MARK_SIDE_EM + MARK_GAP_EM) * size;
            }
            if (a > mn[c]) mn[c] = a;
            if (b > pref[c]) pref[c] = b;
        }
    }
    for (int c = 0; c < ncols; c++)
        if (pref[c] < mn[c]) pref[c] = mn[c];
    too_wide(L, t, mn, ncols, w);
    column_widths(mn, pref, blank, ncols, w, colw);

    QR_GROW(L->tables, L->ntables, L->ctables, 8);
    int ti = (int)L->ntables++;
    tbl *T = &L->tables[ti];
    T->head_first = T->head_last = -1;
    T->head_h = 0;
    T->x = x;
    T->w = w;

    int telem = qr_pages_add_elem(L->out, QR_ROLE_TABLE, parent, NULL, NULL);
    rowctx rc = {.x = x, .w = w, .colw = colw, .align = t->align,
                 .ncols = ncols, .pad = pad, .lh = size * st->leading,
                 .ti = ti, .first = 1};
    float asc = lay_ascent(L, QR_FONT_REGULAR, size);
    rc.base = (rc.lh - (asc - lay_descent(L, QR_FONT_REGULAR, size))) / 2 +
              asc;
    float room = L->body_bottom - L->body_top;

    lb_result **res = qr_xcalloc((size_t)ncols, sizeof *res);
    int *elems = qr_xcalloc((size_t)ncols, sizeof *elems);
    const qr_rgb **marks = qr_xcalloc((size_t)ncols, sizeof *marks);
    rc.marks = marks;
    rc.size = size;
    linkmap *lms = qr_xcalloc((size_t)ncols, sizeof *lms);
    lb_span empty;
    memset(&empty, 0, sizeof empty);
    empty.text = "";
    empty.font = QR_FONT_REGULAR;
    empty.size = size;
    r = 0;
    for (const qr_block *row = t->first_child; row; row = row->next, r++) {
        int header = row->header;
        qr_role role = header ? QR_ROLE_TH : QR_ROLE_TD;
        int tr = qr_pages_add_elem(L->out, QR_ROLE_TR, telem, NULL, NULL);
        size_t nl = 1;
        for (int c = 0; c < ncols; c++) {
            cell *cl = &cells[r * (size_t)ncols + (size_t)c];
            elems[c] = qr_pages_add_elem(L->out, role, tr, NULL,
                                         header ? "Column" : NULL);
            lay_linkmap_reset(&lms[c], elems[c]);
            lb_opts o;
            memset(&o, 0, sizeof o);
            o.width = colw[c] - 2 * pad;
            marks[c] = cl->mark;
            if (cl->mark) o.width -= (MARK_SIDE_EM + MARK_GAP_EM) * size;
            if (o.width < 1) o.width = 1;
            o.align = QR_ALIGN_LEFT;
            o.breaking = st->breaking;
            /* a column as wide as its longest word breaks only between
             * words */
            o.hyphenate = st->hyphenate && colw[c] < mn[c] - 0.01f;
            o.hyph_min_word = CELL_HYPH_MIN_WORD;
            o.md_name = L->md_name;
            o.seen = &L->missing;
            o.glyphs = L->glyphs;
            if (cl->prep) {
                res[c] = lb_break_prep(cl->prep, &o, L->d);
                lb_prep_free(cl->prep);
                cl->prep = NULL;
            } else {
                res[c] = cl->nspans ? lb_break(cl->spans, cl->nspans, &o,
                                               L->m, L->d)
                                    : lb_break(&empty, 1, &o, L->m, L->d);
            }
            if (lb_nlines(res[c]) > nl) nl = lb_nlines(res[c]);
        }
        float h = (float)nl * rc.lh + 2 * pad;
        float limit = room - (header ? 0 : L->tables[ti].head_h);
        int first_box = -1, last_box = -1;
        int pend_first = rc.first;
        int head_box = -1;          /* the row's own first box */
        int split = nl > 1 && (h > limit ||
                               (!header && nl >= ROW_SPLIT_MIN_LINES));
        if (!split) {
            first_box = last_box = row_box(L, &rc, res, elems, header, 0, nl,
                                           1, 1, role, lms);
        } else {
            /* one box per line, breakable between lines; a row that fits
             * a page keeps ROW_SPLIT_KEEP lines on each side of a break */
            int keep = !header && nl >= 2 * ROW_SPLIT_KEEP;
            for (size_t k = 0; k < nl; k++) {
                int b = row_box(L, &rc, res, elems, header, k, k + 1, k == 0,
                                k + 1 == nl, role, lms);
                if (keep && (k + 1 < ROW_SPLIT_KEEP ||
                             k + ROW_SPLIT_KEEP >= nl) && k + 1 < nl)
                    L->boxes[b].flags |= BOX_KEEP_NEXT;
                if (last_box >= 0) {
                    L->boxes[last_box].next = b;
                    L->boxes[b].prev = last_box;
                } else {
                    first_box = b;
                }
                last_box = b;
            }
            if (!header) {
                int mb = continued_box(L, &rc, res[0], size);
                for (int b = L->boxes[first_box].next; b >= 0;
                     b = L->boxes[b].next) {
                    L->boxes[b].cont = mb;
                    if (b == last_box) break;
                }
            }
        }
        head_box = first_box;
        if (pend_first && L->npending) {
            /* a list marker before the table: on the first row's first
             * baseline, in a box of its own with zero height */
            int mb = lay_new_box(L, 0, 0);
            L->boxes[mb].table = ti;
            L->boxes[mb].gap = L->boxes[first_box].gap;
            L->boxes[mb].flags = L->boxes[first_box].flags & BOX_PAGE_START;
            L->boxes[first_box].gap = 0;
            L->boxes[first_box].flags &= ~(unsigned)BOX_PAGE_START;
            L->boxes[mb].flags |= BOX_KEEP_NEXT;
            for (size_t i = 0; i < L->npending; i++) {
                qr_item it = L->pending[i].it;
                it.y += pad + rc.base;
                lay_push_item(L, &it, 0);
            }
            L->npending = 0;
            L->boxes[mb].next = first_box;
            L->boxes[first_box].prev = mb;
            first_box = mb;
        }
        for (int c = 0; c < ncols; c++) lb_result_free(res[c]);
        if (header) {
            for (int b = first_box; b >= 0; b = L->boxes[b].next) {
                L->boxes[b].flags |= BOX_TABLE_HEAD | BOX_KEEP_NEXT;
                if (b == last_box) break;
            }
            tbl *T2 = &L->tables[ti];
            if (T2->head_first < 0) T2->head_first = head_box;
            T2->head_last = last_box;
            T2->head_h += h;
        }
        lay_link_tail(L, first_box, last_box);
    }
    for (int c = 0; c < ncols; c++) {
        lay_linkmap_free(&lms[c]);
    }
    free(lms);
    free(elems);
    free(marks);
    free(res);
    free(mn);
    free(blank);
    for (size_t i = 0; i < nrows * (size_t)ncols; i++)
        lb_prep_free(cells[i].prep);
    free(cells);
}
