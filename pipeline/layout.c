/* layout.c — the layout stage, block layout: the document tree (parse.h),
 * house style (style.h) and font metrics (fonts.h) in; a chain of boxes
 * (layout_int.h) out, which layout_page.c cuts into pages of the display
 * list (layout.h).
 *
 * Paragraph text is broken by linebreak.c (UAX #14, en-GB hyphenation); this
 * file decides where blocks go: headings, paragraphs, lists with hanging
 * markers, task boxes, block quotes, code, rules, images, council numbering,
 * and the tagged-PDF structure elements of each. Tables are in
 * layout_table.c. Governing specs: CommonMark + GFM for what the blocks mean,
 * and the widow/orphan/keep rules of ordinary book typesetting.
 */
#include "layout_int.h"
#include "quire/chart.h"
#include "quire/image.h"
#include "quire/input.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Named dimensions that are not (yet) in the house style. */
#define QUOTE_BAR_WIDTH_PT 3.0f    /* left bar of a block quote */
#define MARKER_GAP_EM 0.5f         /* list marker to item text, in body em */
#define CHECKBOX_EM 0.7f           /* side of a task box, in body em */
#define CHECK_STROKE_EM 0.07f      /* task box and tick stroke, in body em */
#define CODE_PAD_PT 4.0f           /* code block background around its text */
#define CODE_TAB_COLUMNS 4         /* tab stops in code blocks */
#define NUMBER_GUTTER_PT 36.0f     /* council paragraph numbers ("3.12") */
#define ITEM_KEEP_LINES 4          /* list items this short never split */
#define TIGHT_ITEM_SPACE 0.25f     /* space between tight items, x paragraph_space */
#define STRIKE_RISE_EM 0.3f        /* strikethrough above the baseline */
#define STRIKE_WIDTH_EM 0.06f
#define QUOTE_SPACE_FACTOR 2.0f    /* space around a block quote, in paragraph spaces */
#define MIN_MEASURE_EM 12.0f       /* nesting stops indenting below this measure, in body ems */
#define PX_TO_PT 0.75f             /* image pixels at 96 dpi */
#define PIN_TOP 2                  /* pending item placed at the box top */

typedef struct ctx {
    float x, w;                 /* the measure of this container */
    int parent;                 /* structure element */
    int list_depth;
    float after;                /* space after a paragraph here */
    int top;                    /* direct child of the document */
} ctx;

static void do_block(layout *L, const qr_block *b, const ctx *c);

/* ---- pools ---- */

qr_item lay_item(qr_item_kind kind, qr_role role, int elem)
{
    qr_item it;
    memset(&it, 0, sizeof it);
    it.kind = kind;
    it.role = role;
    it.elem = elem;
    return it;
}

size_t lay_push_item(layout *L, const qr_item *it, int stretch)
{
    QR_GROW(L->pool, L->npool, L->cpool, 256);
    L->pool[L->npool].it = *it;
    L->pool[L->npool].stretch = stretch;
    L->pool[L->npool].col = L->cell_col;
    if (L->nboxes) {
        box *bx = &L->boxes[L->nboxes - 1];
        if (bx->it0 + bx->nit == L->npool) bx->nit++;
    }
    return L->npool++;
}

int lay_new_box(layout *L, float h, unsigned flags)
{
    QR_GROW(L->boxes, L->nboxes, L->cboxes, 256);
    box *b = &L->boxes[L->nboxes];
    memset(b, 0, sizeof *b);
    b->h = h;
    b->flags = flags;
    b->it0 = L->npool;
    b->next = b->prev = -1;
    b->table = b->para = b->cont = -1;
    return (int)L->nboxes++;
}

/* Append the chain first..last (already linked among themselves). */
void lay_link_tail(layout *L, int first, int last)
{
    if (first < 0) return;
    if (L->tail < 0) {
        L->head = first;
    } else {
        L->boxes[L->tail].next = first;
        L->boxes[first].prev = L->tail;
    }
    L->tail = last;
}

/* Glue for the next box, and the explicit page break if one is pending. */
float lay_take_space(layout *L, unsigned *flags)
{
    float g = L->space;
    L->space = 0;
    if (L->break_pending) {
        *flags |= BOX_BREAK_BEFORE;
        if (L->orient_pending != QR_ORIENT_SAME)
            *flags |= BOX_ORIENT | (L->orient_pending == QR_ORIENT_LANDSCAPE
                                        ? BOX_LANDSCAPE : 0u);
        L->break_pending = 0;
        L->orient_pending = QR_ORIENT_SAME;
    }
    return g;
}

/* Landscape is the style's page with its long side across, portrait with
 * it down, whichever way the style gives it; the margins keep their sides
 * of the page. */
bool lay_orient(layout *L, int landscape)
{
    const qr_style *st = L->st;
    float lo = st->page_width, hi = st->page_height;
    if (lo > hi) {
        lo = st->page_height;
        hi = st->page_width;
    }
    L->landscape = landscape;
    L->page_w = landscape ? hi : lo;
    L->page_h = landscape ? lo : hi;
    L->frame_x = st->margin_left;
    L->frame_w = L->page_w - st->margin_left - st->margin_right;
    L->body_top = st->margin_top;
    L->body_bottom = L->page_h - st->margin_bottom;
    if (L->frame_w < st->body_size * 4 ||
        L->body_bottom - L->body_top < st->body_size * st->leading * 4)
        return false;
    return true;
}

void lay_orient_as(layout *L, size_t page)
{
    const qr_page *pg = qr_pages_get(L->out, page);
    lay_orient(L, pg->width > pg->height);
}

static void want_space(layout *L, float s)
{
    if (s > L->space) L->space = s;
}

/* Quote bars beside box b (whose height is known). */
void lay_add_bars(layout *L, int b)
{
    for (size_t i = 0; i < L->nbars; i++) {
        qr_item it = lay_item(QR_ITEM_RECT, QR_ROLE_ARTIFACT, -1);
        it.x = L->bars[i].x;
        it.y = 0;
        it.w = QUOTE_BAR_WIDTH_PT;
        it.h = L->boxes[b].h;
        it.has_fill = 1;
        it.fill = L->st->quote_bar_color;
        lay_push_item(L, &it, !L->bars[i].fresh);
        L->bars[i].fresh = 0;
    }
}

float lay_ascent(const layout *L, qr_font_slot f, float size)
{
    float a = 800, dd = -200;
    L->m->vmetrics(L->m->ctx, f, &a, &dd);
    return a * size / 1000.0f;
}

float lay_descent(const layout *L, qr_font_slot f, float size)
{
    float a = 800, dd = -200;
    L->m->vmetrics(L->m->ctx, f, &a, &dd);
    return dd * size / 1000.0f;
}

/* Pending marker items: y relative to the first baseline of the next box,
 * or to its top (PIN_TOP). */
static void pend(layout *L, const qr_item *it, int pin)
{
    QR_GROW(L->pending, L->npending, L->cpending, 8);
    L->pending[L->npending].it = *it;
    L->pending[L->npending].stretch = pin;
    L->npending++;
}

static const float *shift_pts(layout *L, const float *pts, size_t n, float dy)
{
    float *q = qr_arena_alloc(L->arena, n * 2 * sizeof *q);
    for (size_t i = 0; i < n; i++) {
        q[2 * i] = pts[2 * i];
        q[2 * i + 1] = pts[2 * i + 1] + dy;
    }
    return q;
}

/* Move pending items into the open box, whose first baseline is `baseline`
 * below its top. */
static void attach_items(layout *L, const ritem *src, size_t n, float baseline)
{
    for (size_t i = 0; i < n; i++) {
        qr_item it = src[i].it;
        float dy = src[i].stretch == PIN_TOP ? 0 : baseline;
        it.y += dy;
        if (it.kind == QR_ITEM_PATH && it.pts)
            it.pts = shift_pts(L, it.pts, it.npts, dy);
        lay_push_item(L, &it, 0);
    }
}

static void attach_pending(layout *L, float baseline)
{
    attach_items(L, L->pending, L->npending, baseline);
    L->npending = 0;
}

/* ---- inline runs ---- */

static qr_font_slot slot_for(unsigned flags, qr_font_slot base)
{
    /* headings are set in the heading face, whatever their emphasis */
    if (base == QR_FONT_HEADING && !(flags & QR_RUN_CODE)) return base;
    int bold = (flags & QR_RUN_BOLD) || base == QR_FONT_BOLD ||
               base == QR_FONT_BOLD_ITALIC || base == QR_FONT_MONO_BOLD;
    int italic = (flags & QR_RUN_ITALIC) || base == QR_FONT_ITALIC ||
                 base == QR_FONT_BOLD_ITALIC;
    if ((flags & QR_RUN_CODE) || base == QR_FONT_MONO ||
        base == QR_FONT_MONO_BOLD)
        return bold ? QR_FONT_MONO_BOLD : QR_FONT_MONO;
    if (bold) return italic ? QR_FONT_BOLD_ITALIC : QR_FONT_BOLD;
    return italic ? QR_FONT_ITALIC : QR_FONT_REGULAR;
}

static lb_span text_span(const char *s, size_t n, qr_font_slot f, float size,
                         qr_rgb color, int line)
{
    lb_span sp;
    memset(&sp, 0, sizeof sp);
    sp.text = s;
    sp.len = n;
    sp.font = f;
    sp.size = size;
    sp.color = color;
    sp.line = line;
    return sp;
}

/* Spans for runs [r0, r1) of b; image runs contribute their alt text. The
 * array lives in the layout arena (a paragraph keeps it for re-breaking). */
static size_t runs_to_spans(layout *L, const qr_block *b, size_t r0, size_t r1,
                            qr_font_slot base, float size, qr_rgb color,
                            lb_span **out)
{
    lb_span *sp = qr_arena_alloc(L->arena, (r1 - r0 + 1) * sizeof *sp);
    size_t n = 0;
    float code_scale = L->st->body_size > 0
                           ? L->st->code_size / L->st->body_size : 1.0f;
    for (size_t i = r0; i < r1; i++) {
        const qr_run *r = &b->runs[i];
        lb_span s;
        switch (r->kind) {
        case QR_RUN_SOFTBREAK:
            s = text_span(" ", 1, slot_for(0, base), size, color, r->line);
            break;
        case QR_RUN_HARDBREAK:
            s = text_span("", 0, slot_for(0, base), size, color, r->line);
            s.flags = LB_HARD_BREAK;
            break;
        case QR_RUN_IMAGE:
        case QR_RUN_TEXT:
        default: {
            if (!r->len) continue;
            qr_font_slot f = slot_for(r->flags, base);
            float sz = (r->flags & QR_RUN_CODE) ? size * code_scale : size;
            qr_rgb col = (r->flags & QR_RUN_LINK) ? L->st->link_color : color;
            s = text_span(r->text, r->len, f, sz, col, r->line);
            if (r->flags & (QR_RUN_CODE | QR_RUN_LINK))
                s.flags |= LB_NO_HYPHENATE;
            if (r->flags & QR_RUN_LINK) {
                s.url = r->url;
                s.link = r->link;
            }
            if (r->flags & QR_RUN_STRIKE) s.flags |= LB_STRIKE;
            break;
        }
        }
        sp[n++] = s;
    }
    *out = sp;
    return n;
}

size_t lay_runs_to_spans(layout *L, const qr_block *b, qr_font_slot base,
                         float size, qr_rgb color, lb_span **out)
{
    return runs_to_spans(L, b, 0, b->nruns, base, size, color, out);
}

/* The Link element of link number `link` of this text: one per link, made
 * when its first piece is placed, so the pieces of a link broken across
 * lines (or pages) are one element and two links to one target are two. */
static int link_elem(layout *L, linkmap *lm, int link)
{
    size_t i = (size_t)link - 1;
    if (i >= lm->cap) {
        size_t cap = lm->cap ? lm->cap : 4;
        while (cap <= i) cap *= 2;
        lm->elems = qr_xrealloc(lm->elems, cap * sizeof *lm->elems);
        for (size_t k = lm->cap; k < cap; k++) lm->elems[k] = -1;
        lm->cap = cap;
    }
    if (lm->elems[i] < 0)
        lm->elems[i] = qr_pages_add_elem(L->out, QR_ROLE_LINK, lm->parent,
                                         NULL, NULL);
    return lm->elems[i];
}

void lay_linkmap_reset(linkmap *lm, int parent)
{
    for (size_t k = 0; k < lm->cap; k++) lm->elems[k] = -1;
    lm->parent = parent;
}

void lay_linkmap_free(linkmap *lm)
{
    free(lm->elems);
    memset(lm, 0, sizeof *lm);
}

/* Items for one broken line whose start is at x and baseline `baseline`
 * below the open box's top: text, link areas, strikethrough rules. */
void lay_line_items(layout *L, const lb_line *ln, float x, float baseline,
                    qr_role role, int elem, linkmap *lm)
{
    for (size_t i = 0; i < ln->nfrags; i++) {
        const lb_frag *f = &ln->frags[i];
        if (!f->len) continue;
        const char *url = f->url;
        int e = elem;
        qr_role r = role;
        if (url && f->link > 0 && lm) {
            e = link_elem(L, lm, f->link);
            r = QR_ROLE_LINK;
        }
        qr_item it = lay_item(QR_ITEM_TEXT, r, e);
        it.x = x + f->x;
        it.y = baseline;
        it.w = f->w;
        it.font = f->font;
        it.size = f->size;
        it.text = qr_arena_strndup(L->arena, f->text, f->len);
        it.len = f->len;
        it.color = f->color;
        lay_push_item(L, &it, 0);
        if (url) {
            float a = lay_ascent(L, f->font, f->size);
            float dd = lay_descent(L, f->font, f->size);
            qr_item lk = lay_item(QR_ITEM_LINK, QR_ROLE_LINK, e);
            lk.x = x + f->x;
            lk.y = baseline - a;
            lk.w = f->w;
            lk.h = a - dd;
            lk.uri = qr_arena_strdup(L->arena, url);
            lay_push_item(L, &lk, 0);
        }
        if (f->strike) {
            qr_item st = lay_item(QR_ITEM_LINE, QR_ROLE_ARTIFACT, -1);
            st.x = x + f->x;
            st.x2 = st.x + f->w;
            st.y = st.y2 = baseline - f->size * STRIKE_RISE_EM;
            st.line_width = f->size * STRIKE_WIDTH_EM;
            st.color = f->color;
            lay_push_item(L, &st, 0);
        }
    }
}

/* ---- paragraphs (re-breakable text blocks) ---- */

static lb_result *para_break(layout *L, para *P)
{
    P->opts.no_hyphen_lines = P->nohyph;
    P->opts.n_no_hyphen_lines = P->nnohyph;
    return lb_break(P->spans, P->nspans, &P->opts, L->m, L->d);
}

typedef struct textopts {
    float x, w, size;
    qr_font_slot font;          /* nominal face, for the line's ascent */
    qr_role role;
    int elem;
    int hyphenate;
    int keep;                   /* chain every line and keep with the next */
} textopts;

/* Break spans and append their lines to the chain; pending markers and
 * quote bars go with the lines. Returns the paragraph's index. */
static int text_block(layout *L, lb_span *spans, size_t n, const textopts *t)
{
    QR_GROW(L->paras, L->nparas, L->cparas, 64);
    int pi = (int)L->nparas++;
    para *P = &L->paras[pi];
    memset(P, 0, sizeof *P);
    P->spans = spans;
    P->nspans = n;
    P->opts.width = t->w;
    P->opts.align = t->role == QR_ROLE_P ? L->st->align : QR_ALIGN_LEFT;
    P->opts.breaking = L->st->breaking;
    P->opts.hyphenate = t->hyphenate && L->st->hyphenate;
    P->opts.md_name = L->md_name;
    P->opts.seen = &L->missing;
    P->opts.glyphs = L->glyphs;
    P->x = t->x;
    P->lh = t->size * L->st->leading;
    P->asc = lay_ascent(L, t->font, t->size);
    P->base = (P->lh - (P->asc - lay_descent(L, t->font, t->size))) / 2 +
              P->asc;
    P->gap = lay_take_space(L, &P->first_flags);
    P->role = t->role;
    P->elem = t->elem;
    P->keep_all = t->keep;
    P->links.parent = t->elem;
    if (L->npending) {
        P->first_items = qr_arena_alloc(L->arena,
                                        L->npending * sizeof *P->first_items);
        memcpy(P->first_items, L->pending, L->npending * sizeof *L->pending);
        P->nfirst = L->npending;
        L->npending = 0;
    }
    if (L->nbars) {
        P->bars = qr_arena_alloc(L->arena, L->nbars * sizeof *P->bars);
        memcpy(P->bars, L->bars, L->nbars * sizeof *L->bars);
        P->nbars = L->nbars;
        for (size_t i = 0; i < L->nbars; i++) L->bars[i].fresh = 0;
    }
    lb_result *r = para_break(L, P);
    int first, last;
    lay_para_boxes(L, pi, r, 0, &first, &last);
    lb_result_free(r);
    P = &L->paras[pi];
    if (first < 0) {
        /* no text at all: an empty line still carries markers, anchors */
        first = last = lay_new_box(L, P->lh, P->first_flags);
        L->boxes[first].gap = P->gap;
        attach_items(L, P->first_items, P->nfirst, P->base);
    }
    if (t->keep) L->boxes[last].flags |= BOX_KEEP_NEXT;
    lay_link_tail(L, first, last);
    return pi;
}

int lay_text_entry(layout *L, lb_span *spans, size_t n, float x, float w,
                   int elem)
{
    textopts t = {.x = x, .w = w, .size = L->st->body_size,
                  .font = QR_FONT_REGULAR, .role = QR_ROLE_P, .elem = elem,
                  .hyphenate = 0, .keep = 0};
    return text_block(L, spans, n, &t);
}

/* Build boxes for lines [from, n) of r, linked among themselves but not
 * into the chain. */
void lay_para_boxes(layout *L, int pi, lb_result *r, size_t from, int *first,
                    int *last)
{
    para *P = &L->paras[pi];
    size_t n = lb_nlines(r);
    int orphans = L->st->orphans > 1 ? L->st->orphans : 1;
    int widows = L->st->widows > 1 ? L->st->widows : 1;
    *first = *last = -1;
    for (size_t k = from; k < n; k++) {
        P = &L->paras[pi];
        const lb_line *ln = lb_get_line(r, k);
        float content = ln->ascent - ln->descent;
        float h = P->lh;
        /* half the leading above the nominal ascent; a line with taller
         * content (a fallback glyph, a bigger span) grows the box */
        float base_off = P->base;
        if (ln->ascent > P->asc) {
            base_off += ln->ascent - P->asc;
            h += ln->ascent - P->asc;
        }
        if (content > h) h = content;
        unsigned flags = 0;
        if (k == 0) flags |= P->first_flags;
        if (ln->hyphenated) flags |= BOX_HYPHEN;
        if (k + 1 < n) {
            if (P->keep_all || (int)(k + 1) < orphans ||
                (int)(n - k - 1) < widows)
                flags |= BOX_KEEP_NEXT;
        }
        int b = lay_new_box(L, h, flags);
        L->boxes[b].gap = k == 0 ? P->gap : 0;
        L->boxes[b].para = pi;
        L->boxes[b].line = (int)k;
        L->boxes[b].lw = ln->width;
        for (size_t f = 0; f < ln->nfrags; f++)
            L->boxes[b].lbytes += ln->frags[f].len;
        for (size_t i = 0; i < P->nbars; i++) {
            qr_item it = lay_item(QR_ITEM_RECT, QR_ROLE_ARTIFACT, -1);
            it.x = P->bars[i].x;
            it.w = QUOTE_BAR_WIDTH_PT;
            it.h = h;
            it.has_fill = 1;
            it.fill = L->st->quote_bar_color;
            lay_push_item(L, &it, k > 0 || !P->bars[i].fresh);
        }
        if (k == 0) attach_items(L, P->first_items, P->nfirst, base_off);
        lay_line_items(L, ln, P->x, base_off, P->role, P->elem, &P->links);
        if (*last >= 0) {
            L->boxes[*last].next = b;
            L->boxes[b].prev = *last;
        } else {
            *first = b;
        }
        *last = b;
    }
    P = &L->paras[pi];
    if (from == 0) {
        P->first_box = *first;
        P->nboxes = (int)n;
    }
}

/* ---- blocks ---- */

static float body_lh(const layout *L)
{
    return L->st->body_size * L->st->leading;
}

/* A box for a block that has no lines (empty item, figure, rule): takes
 * the pending glue and markers. */
static int plain_box(layout *L, float h, float baseline)
{
    unsigned flags = 0;
    float g = lay_take_space(L, &flags);
    int b = lay_new_box(L, h, flags);
    L->boxes[b].gap = g;
    lay_add_bars(L, b);
    attach_pending(L, baseline);
    lay_link_tail(L, b, b);
    return b;
}

static int utf8_first(const char *s, uint32_t *cp)
{
    return qr_utf8_decode(s, strlen(s), cp);
}

/* A marker text right-aligned so that it ends at x_end, on the baseline. */
static void pend_marker(layout *L, const char *s, float x_end, int elem)
{
    qr_font_slot f = QR_FONT_REGULAR;
    uint32_t cp = 0;
    if (utf8_first(s, &cp) && !L->m->has_glyph(L->m->ctx, f, cp))
        f = QR_FONT_FALLBACK;
    float w = lb_measure(s, strlen(s), f, L->st->body_size, L->m);
    qr_item it = lay_item(QR_ITEM_TEXT, QR_ROLE_LBL, elem);
    it.x = x_end - w;
    it.y = 0;
    it.w = w;
    it.font = f;
    it.size = L->st->body_size;
    it.text = s;
    it.len = strlen(s);
    it.color = L->st->text_color;
    pend(L, &it, 0);
}

static void pend_checkbox(layout *L, float x_end, int checked, int elem)
{
    float s = L->st->body_size * CHECKBOX_EM;
    float lw = L->st->body_size * CHECK_STROKE_EM;
    qr_item box = lay_item(QR_ITEM_RECT, QR_ROLE_LBL, elem);
    box.x = x_end - s;
    box.y = -s;
    box.w = s;
    box.h = s;
    box.has_stroke = 1;
    box.line_width = lw;
    box.color = L->st->text_color;
    pend(L, &box, 0);
    if (checked) {
        /* a tick: down-stroke from the left, long up-stroke to the right */
        float pts[6] = {box.x + 0.2f * s, box.y + 0.55f * s,
                        box.x + 0.42f * s, box.y + 0.8f * s,
                        box.x + 0.85f * s, box.y + 0.18f * s};
        float *q = qr_arena_alloc(L->arena, sizeof pts);
        memcpy(q, pts, sizeof pts);
        qr_item tick = lay_item(QR_ITEM_PATH, QR_ROLE_LBL, elem);
        tick.pts = q;
        tick.npts = 3;
        tick.has_stroke = 1;
        tick.line_width = lw * 1.5f;
        tick.color = L->st->text_color;
        pend(L, &tick, 0);
    }
}

/* A number hung in the gutter. Its text ends with a space, drawn as
 * nothing, so that copied and tagged text reads "1. Summary" and "3.2
 * That…", never "1.Summary". */
static void pend_number(layout *L, const char *num, float x, int elem,
                        qr_role role, qr_font_slot f, float size, qr_rgb color)
{
    qr_item it = lay_item(QR_ITEM_TEXT, role, elem);
    char *text = qr_arena_alloc(L->arena, strlen(num) + 2);
    memcpy(text, num, strlen(num));
    text[strlen(num)] = ' ';
    text[strlen(num) + 1] = '\0';
    it.x = x;
    it.y = 0;
    it.w = lb_measure(num, strlen(num), f, size, L->m);
    it.font = f;
    it.size = size;
    it.text = text;
    it.len = strlen(text);
    it.color = color;
    pend(L, &it, 0);
}

/* The length of a number written by hand at the start of s[0..n), the
 * spaces after it included, or 0: "1. " or "2.3 " before a heading's
 * words. A lone "10 " is no number ("10 children were seen"), and with
 * `dotted_only` neither is "1. ": a paragraph's number has two parts,
 * "3.2 ". */
static size_t hand_number(const char *s, size_t n, int dotted_only,
                          int more)
{
    size_t i = 0, groups = 0;
    for (;;) {
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == d) break;
        groups++;
        if (i < n && s[i] == '.') i++;
        else break;
    }
    if (groups == 0 || (dotted_only && groups < 2)) return 0;
    /* "1 Summary": neither a dot nor a second group */
    if (groups == 1 && (i == 0 || s[i - 1] != '.')) return 0;
    size_t k = i;
    while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
    /* `more`: the text goes on in the next run ("3.2 " then emphasis) */
    return k > i && (k < n || more) ? k : 0;
}

/* Drop the first `len` bytes of the first span (a hand number). */
static void skip_prefix(lb_span *sp, size_t n, size_t len)
{
    if (n && sp[0].len >= len) {
        sp[0].text += len;
        sp[0].len -= len;
    }
}

static void do_heading(layout *L, const qr_block *b, const ctx *c)
{
    const qr_style *st = L->st;
    int level = b->level < 1 ? 1 : b->level > 6 ? 6 : b->level;
    float size = st->heading_size[level - 1];
    if (size <= 0) size = st->body_size;
    int elem = qr_pages_add_elem(L->out, (qr_role)(QR_ROLE_H1 + level - 1),
                                 c->parent, NULL, NULL);
    float x = c->x, w = c->w;
    char num[32] = "";
    if (level == 2 && c->top) {
        L->section++;
        L->paragraph = 0;
        if (st->number_sections) snprintf(num, sizeof num, "%d.", L->section);
    }
    /* the section number hangs in the number gutter, and the heading's
     * text (wrapped lines too) starts where the section's text does */
    int hang = num[0] != 0;
    if (hang) {
        x = L->frame_x + NUMBER_GUTTER_PT;
        w = L->frame_x + L->frame_w - x;
    }

    lb_span *spans;
    size_t n = lay_runs_to_spans(L, b, QR_FONT_HEADING, size,
                                 st->heading_color, &spans);
    size_t by_hand = num[0] && n ? hand_number(spans[0].text, spans[0].len, 0,
                                               n > 1)
                                 : 0;
    if (by_hand) {
        qr_diag_add(L->d, QR_WARNING, L->md_name, b->line, 0, NULL, NULL,
                    "heading '%.*s…' is numbered by hand, and the style "
                    "numbers sections: remove '%.*s' from the template "
                    "(the style's number %s is printed)",
                    (int)(spans[0].len < 40 ? spans[0].len : 40),
                    spans[0].text, (int)by_hand, spans[0].text, num);
        skip_prefix(spans, n, by_hand);
    }

    qr_buf title;
    qr_buf_init(&title);
    if (num[0]) {
        qr_buf_puts(&title, num);
        qr_buf_putc(&title, ' ');
    }
    qr_block_text(b, &title);
    char name[32];
    snprintf(name, sizeof name, "h%d", ++L->anchors);
    qr_item an = lay_item(QR_ITEM_ANCHOR, (qr_role)(QR_ROLE_H1 + level - 1),
                          elem);
    an.x = c->x;
    an.y = 0;
    an.name = qr_arena_strdup(L->arena, name);
    an.level = level;
    /* the bookmark reads "1. Summary", never "1. 1. Summary" */
    size_t skip = num[0] ? strlen(num) + 1 : 0;
    char *text = qr_arena_strndup(L->arena, title.data ? title.data : "",
                                  title.len);
    if (by_hand && title.len >= skip + by_hand)
        memmove(text + skip, text + skip + by_hand,
                title.len - skip - by_hand + 1);
    an.text = text;
    an.len = strlen(text);
    qr_buf_free(&title);
    want_space(L, st->heading_space_before * body_lh(L));
    pend(L, &an, PIN_TOP);

    if (hang)
        pend_number(L, num, L->frame_x, elem,
                    (qr_role)(QR_ROLE_H1 + level - 1), QR_FONT_HEADING, size,
                    st->heading_color);

    textopts t = {.x = x, .w = w, .size = size, .font = QR_FONT_HEADING,
                  .role = (qr_role)(QR_ROLE_H1 + level - 1), .elem = elem,
                  .hyphenate = 0, .keep = 1};
    if (n == 0) {
        n = 1;
        spans = qr_arena_alloc(L->arena, sizeof *spans);
        spans[0] = text_span("", 0, QR_FONT_HEADING, size, st->heading_color,
                             b->line);
    }
    text_block(L, spans, n, &t);
    L->space = st->heading_space_after * body_lh(L);
}

/* ---- images ---- */

/* A Markdown image: read, checked and measured once by the document's
 * image set (image.h), which the PDF stage then embeds from the display
 * list. The source must be a file in the template's directory tree; a
 * refused or unreadable image is an error at the image's place in the
 * Markdown (render relocates it to the template line), and the figure is
 * left out. */
static void do_figure(layout *L, const qr_run *r, const ctx *c, int parent)
{
    char *err = NULL;
    qr_image *im = qr_image_set_get(L->images, r->url,
                                    L->opts ? L->opts->base_dir : NULL, &err);
    if (!im) {
        qr_diag_add(L->d, QR_ERROR, L->md_name, r->line, r->col, NULL, NULL,
                    "%s", err ? err : "cannot read image");
        free(err);
        return;
    }
    char *alt = qr_arena_strndup(L->arena, r->text, r->len);
    int elem = qr_pages_add_elem(L->out, QR_ROLE_FIGURE, parent, alt, NULL);
    float w = im->width * PX_TO_PT, h = im->height * PX_TO_PT;
    if (w > c->w) {
        h *= c->w / w;
        w = c->w;
    }
    float room = L->body_bottom - L->body_top;
    if (h > room) {
        w *= room / h;
        h = room;
    }
    int b = plain_box(L, h, lay_ascent(L, QR_FONT_REGULAR, L->st->body_size));
    qr_item it = lay_item(QR_ITEM_IMAGE, QR_ROLE_FIGURE, elem);
    it.x = c->x;
    it.y = 0;
    it.w = w;
    it.h = h;
    /* the source as the template named it, under the template's directory
     * (not the resolved path, which would make the PDF's ID depend on where
     * the folder is) */
    const char *base = L->opts ? L->opts->base_dir : NULL;
    char *shown = base && *base ? qr_xasprintf("%s/%s", base, r->url)
                                : qr_xstrdup(r->url);
    it.uri = qr_arena_strdup(L->arena, shown);
    free(shown);
    it.image = im;
    it.alt = alt;
    lay_push_item(L, &it, 0);
    (void)b;
}

/* ---- paragraphs ---- */

static void do_paragraph(layout *L, const qr_block *b, const ctx *c)
{
    const qr_style *st = L->st;
    bool has_text = qr_block_has_text(b);
    int elem = has_text ? qr_pages_add_elem(L->out, QR_ROLE_P, c->parent,
                                            NULL, NULL)
                        : c->parent;
    /* In a numbered section a paragraph's number hangs in the gutter: the
     * council's own ("3.2 …", as the data gives it) or else the style's. */
    int numbered = has_text && c->top && L->section > 0 &&
                   (st->number_sections || st->number_paragraphs);
    size_t own = 0;
    if (numbered && b->nruns && b->runs[0].kind == QR_RUN_TEXT)
        own = hand_number(b->runs[0].text, b->runs[0].len, 1,
                          b->nruns > 1);
    if (own) {
        char *ref = qr_arena_strndup(L->arena, b->runs[0].text, own);
        while (own && (ref[strlen(ref) - 1] == ' ' ||
                       ref[strlen(ref) - 1] == '\t'))
            ref[strlen(ref) - 1] = '\0';
        pend_number(L, ref, L->frame_x, elem, QR_ROLE_P, QR_FONT_REGULAR,
                    st->body_size, st->text_color);
        ++L->paragraph;
    } else if (numbered && st->number_paragraphs) {
        char num[32];
        snprintf(num, sizeof num, "%d.%d", L->section, ++L->paragraph);
        pend_number(L, num, L->frame_x, elem, QR_ROLE_P, QR_FONT_REGULAR,
                    st->body_size, st->text_color);
    }
    textopts t = {.x = c->x, .w = c->w, .size = st->body_size,
                  .font = QR_FONT_REGULAR, .role = QR_ROLE_P, .elem = elem,
                  .hyphenate = 1, .keep = 0};
    size_t r0 = 0;
    for (size_t i = 0; i <= b->nruns; i++) {
        if (i < b->nruns && b->runs[i].kind != QR_RUN_IMAGE) continue;
        /* text before this image (or the end) */
        int text = 0;
        for (size_t j = r0; j < i; j++)
            if (!qr_run_blank(&b->runs[j])) text = 1;
        if (text) {
            lb_span *spans;
            size_t n = runs_to_spans(L, b, r0, i, QR_FONT_REGULAR,
                                     st->body_size, st->text_color, &spans);
            if (r0 == 0) skip_prefix(spans, n, own);
            text_block(L, spans, n, &t);
        }
        if (i < b->nruns) do_figure(L, &b->runs[i], c, elem);
        r0 = i + 1;
    }
    if (L->npending) plain_box(L, body_lh(L), lay_ascent(L, QR_FONT_REGULAR,
                                                         st->body_size));
    L->space = c->after;
}

/* ---- code ---- */

typedef struct codeline {
    layout *L;
    const qr_block *b;
    float x, w, size, lh;
    float base;                 /* baseline below the line's top */
    int elem;
    int nlines, total;
    int first_box, last_box;
    qr_buf text;                /* the visual line being built */
    qr_font_slot run_font;
    float run_x, run_w;
} codeline;

static void code_flush_run(codeline *cl)
{
    if (!cl->text.len) return;
    qr_item it = lay_item(QR_ITEM_TEXT, QR_ROLE_CODE, cl->elem);
    it.x = cl->x + cl->run_x;
    it.y = cl->base;
    it.w = cl->run_w;
    it.font = cl->run_font;
    it.size = cl->size;
    it.text = qr_arena_strndup(cl->L->arena, cl->text.data, cl->text.len);
    it.len = cl->text.len;
    it.color = cl->L->st->text_color;
    lay_push_item(cl->L, &it, 0);
    cl->run_x += cl->run_w;
    cl->run_w = 0;
    cl->text.len = 0;
}

/* Start the box of one visual code line. */
static void code_box(codeline *cl)
{
    layout *L = cl->L;
    unsigned flags = 0;
    float gap = 0;
    if (cl->first_box < 0) gap = lay_take_space(L, &flags);
    int b = lay_new_box(L, cl->lh, flags);
    L->boxes[b].gap = gap;
    qr_item bg = lay_item(QR_ITEM_RECT, QR_ROLE_ARTIFACT, -1);
    bg.x = cl->x - CODE_PAD_PT;
    bg.y = 0;
    bg.w = cl->w + 2 * CODE_PAD_PT;
    bg.h = cl->lh;
    bg.has_fill = 1;
    bg.fill = L->st->code_fill;
    lay_push_item(L, &bg, 0);
    lay_add_bars(L, b);
    if (cl->first_box < 0) {
        attach_pending(L, cl->base);
        cl->first_box = b;
    } else {
        L->boxes[cl->last_box].next = b;
        L->boxes[b].prev = cl->last_box;
    }
    cl->last_box = b;
    cl->run_x = 0;
    cl->run_w = 0;
    cl->nlines++;
}

static void code_char(codeline *cl, uint32_t cp, const char *s, int n)
{
    layout *L = cl->L;
    qr_font_slot f = QR_FONT_MONO;
    if (!L->m->has_glyph(L->m->ctx, f, cp)) {
        f = QR_FONT_FALLBACK;
        if (!L->m->has_glyph(L->m->ctx, f, cp))
            lb_warn_missing(&L->missing, L->d, L->md_name, cl->b->line, cp,
                            QR_FONT_MONO, NULL);
    }
    float cw = L->m->advance(L->m->ctx, f, cp) * cl->size / 1000.0f;
    if (cl->run_x + cl->run_w + cw > cl->w && cl->run_x + cl->run_w > 0) {
        code_flush_run(cl);
        code_box(cl);
    }
    if (f != cl->run_font) {
        code_flush_run(cl);
        cl->run_font = f;
    }
    qr_buf_append(&cl->text, s, (size_t)n);
    cl->run_w += cw;
}

/* A ```chart block: the chart stage draws into a scratch page at the
 * origin; its items are moved into one box of the vertical list, as one
 * Figure whose alt text the chart made from its numbers. */
/* A chart's labels have no source line of their own: a character no
 * font has is said at the chart's fence. */
static void chart_glyphs(layout *L, const qr_page *P, int line)
{
    for (size_t i = 0; i < P->nitems; i++) {
        const qr_item *it = &P->items[i];
        if (it->kind != QR_ITEM_TEXT) continue;
        for (size_t k = 0; k < it->len;) {
            uint32_t cp;
            int n = qr_utf8_decode(it->text + k, it->len - k, &cp);
            if (n <= 0) break;
            k += (size_t)n;
            if (cp != ' ' && !L->m->has_glyph(L->m->ctx, it->font, cp))
                lb_warn_missing(&L->missing, L->d, L->md_name, line, cp,
                                it->font, "in a chart");
        }
    }
}

static void do_chart(layout *L, const qr_chart *ch, const ctx *c, int line)
{
    float w = c->w;
    float h = qr_chart_height(ch, w, L->st, L->m);
    int elem = qr_pages_add_elem(L->out, QR_ROLE_FIGURE, c->parent,
                                 qr_chart_alt(ch), NULL);
    if (!L->scratch) L->scratch = qr_pages_new();
    size_t pg = qr_pages_add_page(L->scratch, w, h);
    qr_chart_draw(ch, L->scratch, pg, 0, 0, w, L->st, L->m, -1);
    want_space(L, L->st->paragraph_space);
    plain_box(L, h, lay_ascent(L, QR_FONT_REGULAR, L->st->body_size));
    const qr_page *P = qr_pages_get(L->scratch, pg);
    chart_glyphs(L, P, line);
    for (size_t i = 0; i < P->nitems; i++) {
        qr_item it = P->items[i];
        it.x += c->x;
        if (it.kind == QR_ITEM_LINE) it.x2 += c->x;
        if (it.kind == QR_ITEM_PATH && it.npts) {
            float *pts = qr_arena_alloc(L->arena, it.npts * 2 * sizeof *pts);
            for (size_t k = 0; k < it.npts; k++) {
                pts[2 * k] = it.pts[2 * k] + c->x;
                pts[2 * k + 1] = it.pts[2 * k + 1];
            }
            it.pts = pts;
        }
        it.role = QR_ROLE_FIGURE;
        it.elem = elem;
        lay_push_item(L, &it, 0);
    }
    want_space(L, L->st->paragraph_space);
}

static void do_code(layout *L, const qr_block *b, const ctx *c)
{
    const qr_style *st = L->st;
    if (!b->literal_len) return;
    if (b->info && strcmp(b->info, "chart") == 0) {
        /* the chart's first line is the one after the opening fence */
        qr_chart *ch = qr_chart_parse(b->literal, b->literal_len, L->md_name,
                                      b->line + 1, L->d);
        if (ch) {
            do_chart(L, ch, c, b->line);
            qr_chart_free(ch);
            return;
        }
        /* errors were reported; show the block as code */
    }
    codeline cl;
    memset(&cl, 0, sizeof cl);
    cl.L = L;
    cl.b = b;
    cl.x = c->x + CODE_PAD_PT;
    cl.w = c->w - 2 * CODE_PAD_PT;
    if (cl.w < st->code_size) cl.w = st->code_size;
    cl.size = st->code_size;
    cl.lh = cl.size * st->leading;
    float asc = lay_ascent(L, QR_FONT_MONO, cl.size);
    cl.base = (cl.lh - (asc - lay_descent(L, QR_FONT_MONO, cl.size))) / 2 +
              asc;
    cl.elem = qr_pages_add_elem(L->out, QR_ROLE_CODE, c->parent, NULL, NULL);
    cl.first_box = cl.last_box = -1;
    cl.run_font = QR_FONT_MONO;
    qr_buf_init(&cl.text);
    want_space(L, st->paragraph_space);

    const char *s = b->literal;
    size_t n = b->literal_len;
    if (n && s[n - 1] == '\n') n--;
    size_t i = 0;
    while (i <= n) {
        code_box(&cl);
        int col = 0;
        while (i < n && s[i] != '\n') {
            uint32_t cp;
            int k = qr_utf8_decode(s + i, n - i, &cp);
            if (k <= 0) k = 1;
            if (cp == '\t') {
                do {
                    code_char(&cl, ' ', " ", 1);
                } while (++col % CODE_TAB_COLUMNS);
            } else {
                code_char(&cl, cp, s + i, k);
                col++;
            }
            i += (size_t)k;
        }
        code_flush_run(&cl);
        i++;
    }
    /* widows and orphans, as for paragraphs; pad the first and last line */
    int orphans = st->orphans > 1 ? st->orphans : 1;
    int widows = st->widows > 1 ? st->widows : 1;
    int k = 0;
    for (int bx = cl.first_box; bx >= 0; bx = L->boxes[bx].next, k++) {
        if (k + 1 < cl.nlines &&
            (k + 1 < orphans || cl.nlines - k - 1 < widows))
            L->boxes[bx].flags |= BOX_KEEP_NEXT;
    }
    /* grow the background of the first and last line by the padding */
    box *fb = &L->boxes[cl.first_box], *lb = &L->boxes[cl.last_box];
    fb->h += CODE_PAD_PT;
    for (size_t j = fb->it0; j < fb->it0 + fb->nit; j++) {
        qr_item *it = &L->pool[j].it;
        if (it->kind == QR_ITEM_RECT && it->role == QR_ROLE_ARTIFACT) {
            it->h += CODE_PAD_PT;   /* background and quote bars */
        } else {
            it->y += CODE_PAD_PT;
            if (it->kind == QR_ITEM_PATH && it->pts)
                it->pts = shift_pts(L, it->pts, it->npts, CODE_PAD_PT);
        }
    }
    lb->h += CODE_PAD_PT;
    for (size_t j = lb->it0; j < lb->it0 + lb->nit; j++)
        if (L->pool[j].it.kind == QR_ITEM_RECT &&
            L->pool[j].it.role == QR_ROLE_ARTIFACT)
            L->pool[j].it.h += CODE_PAD_PT;
    lay_link_tail(L, cl.first_box, cl.last_box);
    qr_buf_free(&cl.text);
    L->space = c->after > st->paragraph_space ? c->after : st->paragraph_space;
}

/* ---- lists and quotes ---- */

static const char *bullet_for(int depth)
{
    static const char *bullets[] = {"\xE2\x80\xA2", "\xE2\x80\x93",
                                    "\xE2\x97\xA6"};
    return bullets[depth % 3];
}

static void do_children(layout *L, const qr_block *b, const ctx *c)
{
    for (const qr_block *ch = b->first_child; ch; ch = ch->next)
        do_block(L, ch, c);
}

/* The indent of a nested list or quote: the style's, unless that would
 * leave a measure narrower than MIN_MEASURE_EM; deep nesting then stops
 * moving right instead of running off the page. */
static float nest_indent(const layout *L, const ctx *c, float want)
{
    float min = MIN_MEASURE_EM * L->st->body_size;
    if (c->w - want >= min) return want;
    return c->w > min ? c->w - min : 0;
}

static void do_list(layout *L, const qr_block *b, const ctx *c)
{
    const qr_style *st = L->st;
    int lelem = qr_pages_add_elem(L->out, QR_ROLE_L, c->parent, NULL, NULL);
    float item_space = b->tight ? st->paragraph_space * TIGHT_ITEM_SPACE
                                : st->paragraph_space;
    float gap = st->body_size * MARKER_GAP_EM;
    int number = b->start;
    want_space(L, st->paragraph_space);
    for (const qr_block *it = b->first_child; it; it = it->next) {
        int li = qr_pages_add_elem(L->out, QR_ROLE_LI, lelem, NULL, NULL);
        int lbl = qr_pages_add_elem(L->out, QR_ROLE_LBL, li, NULL, NULL);
        int body = qr_pages_add_elem(L->out, QR_ROLE_LBODY, li, NULL, NULL);
        ctx in = *c;
        float indent = nest_indent(L, c, st->list_indent);
        in.x = c->x + indent;
        in.w = c->w - indent;
        in.parent = body;
        in.list_depth = c->list_depth + 1;
        in.after = item_space;
        in.top = 0;
        if (in.w < st->body_size) in.w = st->body_size;
        if (it != b->first_child) want_space(L, item_space);
        if (it->task) {
            pend_checkbox(L, in.x - gap, it->checked, lbl);
        } else if (b->ordered) {
            char num[32];
            snprintf(num, sizeof num, "%d%c", number,
                     b->delim == ')' ? ')' : '.');
            pend_marker(L, qr_arena_strdup(L->arena, num), in.x - gap, lbl);
        } else {
            pend_marker(L, bullet_for(c->list_depth), in.x - gap, lbl);
        }
        number++;
        int before = L->tail;
        if (it->first_child)
            do_children(L, it, &in);
        if (L->npending)
            plain_box(L, body_lh(L), lay_ascent(L, QR_FONT_REGULAR,
                                                st->body_size));
        /* a short item moves whole */
        int first = before >= 0 ? L->boxes[before].next : L->head;
        int count = 0;
        for (int bx = first; bx >= 0 && count <= ITEM_KEEP_LINES;
             bx = L->boxes[bx].next)
            count++;
        if (count <= ITEM_KEEP_LINES) {
            for (int bx = first; bx >= 0 && bx != L->tail;
                 bx = L->boxes[bx].next) {
                L->boxes[bx].flags |= BOX_KEEP_NEXT;
                if (L->boxes[bx].para >= 0)
                    L->paras[L->boxes[bx].para].keep_all = 1;
            }
        }
    }
    L->space = c->after > st->paragraph_space ? c->after : st->paragraph_space;
    if (c->list_depth > 0) L->space = c->after;
}

static void do_quote(layout *L, const qr_block *b, const ctx *c)
{
    const qr_style *st = L->st;
    int elem = qr_pages_add_elem(L->out, QR_ROLE_BLOCKQUOTE, c->parent, NULL,
                                 NULL);
    /* a quote stands apart from the paragraphs around it */
    float apart = st->paragraph_space * QUOTE_SPACE_FACTOR;
    want_space(L, apart);
    QR_GROW(L->bars, L->nbars, L->cbars, 8);
    L->bars[L->nbars].x = c->x;
    L->bars[L->nbars].fresh = 1;
    L->nbars++;
    ctx in = *c;
    float indent = nest_indent(L, c, st->quote_indent);
    in.x = c->x + indent;
    in.w = c->w - indent;
    if (in.w < st->body_size) in.w = st->body_size;
    in.parent = elem;
    in.top = 0;
    in.after = st->paragraph_space;
    do_children(L, b, &in);
    L->nbars--;
    L->space = c->after > apart ? c->after : apart;
}

static void do_rule(layout *L, const ctx *c)
{
    want_space(L, L->st->paragraph_space);
    float h = body_lh(L);
    int b = plain_box(L, h, h / 2);
    qr_item it = lay_item(QR_ITEM_LINE, QR_ROLE_ARTIFACT, -1);
    it.x = c->x;
    it.x2 = c->x + c->w;
    it.y = it.y2 = h / 2;
    it.line_width = L->st->rule_width;
    it.color = L->st->rule_color;
    lay_push_item(L, &it, 0);
    (void)b;
    L->space = L->st->paragraph_space;
}

static const char *orient_name(qr_orient o)
{
    return o == QR_ORIENT_LANDSCAPE ? "landscape" : "portrait";
}

/* A page break; <!-- landscape --> and <!-- portrait --> also turn the
 * pages after it, and the blocks after it are set to their text width.
 * Only a switch between top-level blocks can do that: a list or quote
 * around it already has its measure. */
static void do_pagebreak(layout *L, const qr_block *b, const ctx *c)
{
    L->break_pending = 1;
    L->space = 0;
    if (b->orient == QR_ORIENT_SAME) return;
    if (!c->top) {
        qr_diag_add(L->d, QR_WARNING, L->md_name, b->line, 1, NULL, NULL,
                    "<!-- %s --> inside a list or quote only starts a new "
                    "page: put it on a line of its own outside them",
                    orient_name(b->orient));
        return;
    }
    int was = L->landscape;
    if (!lay_orient(L, b->orient == QR_ORIENT_LANDSCAPE)) {
        qr_diag_add(L->d, QR_ERROR, L->md_name, b->line, 1, NULL, NULL,
                    "the page margins leave no room for text on a %s page",
                    orient_name(b->orient));
        lay_orient(L, was);
        return;
    }
    L->orient_pending = b->orient;
}

static void do_block(layout *L, const qr_block *b, const ctx *c)
{
    ctx here = *c;
    if (c->top) {
        /* the measure of the page this block is on (lay_orient) */
        here.x = L->frame_x;
        here.w = L->frame_w;
    }
    /* council numbering: blocks of a numbered section align after the
     * number gutter */
    if (c->top && (L->st->number_sections || L->st->number_paragraphs) &&
        L->section > 0 &&
        !(b->kind == QR_BLK_HEADING && b->level <= 2)) {
        here.x = L->frame_x + NUMBER_GUTTER_PT;
        here.w = L->frame_w - NUMBER_GUTTER_PT;
    }
    switch (b->kind) {
    case QR_BLK_HEADING: do_heading(L, b, &here); break;
    case QR_BLK_PARAGRAPH: do_paragraph(L, b, &here); break;
    case QR_BLK_LIST: do_list(L, b, &here); break;
    case QR_BLK_ITEM: do_children(L, b, &here); break;
    case QR_BLK_QUOTE: do_quote(L, b, &here); break;
    case QR_BLK_CODE: do_code(L, b, &here); break;
    case QR_BLK_TABLE:
        /* a top-level table keeps the full measure in a numbered section:
         * action plans have seven columns, and the gutter would squeeze
         * them to a word a line */
        want_space(L, L->st->paragraph_space);
        lay_table(L, b, c->top ? L->frame_x : here.x,
                  c->top ? L->frame_w : here.w, here.parent);
        L->space = L->st->paragraph_space;
        break;
    case QR_BLK_THEMATIC_BREAK: do_rule(L, &here); break;
    case QR_BLK_PAGEBREAK: do_pagebreak(L, b, c); break;
    case QR_BLK_CONTENTS: lay_contents(L, here.x, here.w, here.parent); break;
    case QR_BLK_DOCUMENT: do_children(L, b, &here); break;
    case QR_BLK_TABLE_ROW:
    case QR_BLK_TABLE_CELL:
        break;  /* only inside a table */
    }
}

/* ---- entry ---- */

static void layout_free_work(layout *L)
{
    for (size_t i = 0; i < L->nparas; i++) {
        lay_linkmap_free(&L->paras[i].links);
        free(L->paras[i].nohyph);
    }
    free(L->paras);
    free(L->pool);
    free(L->boxes);
    free(L->tables);
    free(L->pending);
    free(L->bars);
    qr_arena_free(L->arena);
    qr_pages_free(L->scratch);
    lb_seen_clear(&L->missing);
    lb_glyphs_free(L->glyphs);
}

void qr_layout_init(void)
{
    lb_init();
}

void qr_layout_init_full(void)
{
    lb_init_hyph_dict();
}

void qr_layout_save_learned(void)
{
    lb_save_learned();
}

qr_status qr_layout_hyph_image(const char *dir, qr_diags *d)
{
    return lb_write_hyph_image(dir, d);
}

/* One layout of the paper, with the table of contents' entries as they
 * stand (toc may be NULL). The image set is the caller's, so that passes
 * read each image once. */
static qr_pages *layout_pass(const qr_doc *doc, const qr_style *style,
                             const qr_metrics *metrics,
                             const qr_layout_opts *opts, const char *md_name,
                             qr_diags *d, const lay_toc *toc,
                             struct qr_image_set *images)
{
    layout L;
    memset(&L, 0, sizeof L);
    L.doc = doc;
    L.st = style;
    L.m = metrics;
    L.opts = opts;
    L.md_name = md_name;
    L.d = d;
    L.head = L.tail = -1;
    L.toc = toc;
    if (!lay_orient(&L, style->page_width > style->page_height)) {
        qr_diag_add(d, QR_ERROR, md_name, 0, 0, NULL, NULL,
                    "the page margins leave no room for text");
        return NULL;
    }
    lb_init();
    L.glyphs = lb_glyphs_new(metrics);
    L.out = qr_pages_new();
    L.arena = qr_arena_new();
    L.images = images;
    int root = qr_pages_add_elem(L.out, QR_ROLE_DOCUMENT, -1, NULL, NULL);
    ctx c = {.x = L.frame_x, .w = L.frame_w, .parent = root, .list_depth = 0,
             .after = style->paragraph_space, .top = 1};
    const qr_block *rb = qr_doc_root(doc);
    if (rb) do_children(&L, rb, &c);
    if (!lay_paginate(&L)) {
        layout_free_work(&L);
        qr_pages_free(L.out);
        return NULL;
    }
    lay_furniture(&L);
    layout_free_work(&L);
    return L.out;
}

/* Layouts of a paper with a table of contents, at most: its page numbers
 * settle in two or three (a number one digit longer can move a line). */
#define MAX_TOC_PASSES 5

qr_pages *qr_layout_run(const qr_doc *doc, const qr_style *style,
                        const qr_metrics *metrics, const qr_layout_opts *opts,
                        const char *md_name, qr_diags *d)
{
    static const qr_layout_opts no_opts = {.first_page = 1};
    if (!opts) opts = &no_opts;
    struct qr_image_set *images = qr_image_set_new(0);
    lay_toc *toc = lay_toc_scan(doc);
    qr_pages *p = NULL;
    /* lay out until the contents' page numbers are where the headings
     * land; only the last pass's diagnostics are kept, so each is said
     * once */
    for (int pass = 1;; pass++) {
        qr_diags *said = qr_diags_new();
        p = layout_pass(doc, style, metrics, opts, md_name, said, toc, images);
        int first = opts->first_page > 0 ? opts->first_page : 1;
        bool moved = p && toc && lay_toc_update(toc, p, first);
        if (moved && pass < MAX_TOC_PASSES) {
            qr_pages_free(p);
            qr_diags_free(said);
            continue;
        }
        if (moved)
            qr_diag_add(said, QR_WARNING, md_name, 0, 0, NULL, NULL,
                        "the table of contents' page numbers did not settle "
                        "after %d layouts: some may be wrong", pass);
        qr_diags_move(d, said);
        qr_diags_free(said);
        break;
    }
    lay_toc_free(toc);
    /* the display list holds its own references to the images it shows */
    qr_image_set_free(images);
    return p;
}
