/* layout_page.c — the layout stage, pagination: the chain of boxes built by
 * layout.c (layout_int.h) in; pages of the display list (layout.h) out,
 * then the running header and footer.
 *
 * One forward pass. Each page takes boxes until one does not fit, then
 * breaks at the last legal place on the page (never after a box marked
 * keep-with-next: widows, orphans, headings, short list items, a table
 * header). If that leaves an inserted hyphen on the page's last line, the
 * paragraph is broken again with that line barred from hyphenating and the
 * page is tried again (a bounded number of times). Backtracking never goes
 * further than one page, so the pass is linear in the document. A table
 * continued from the previous page gets its header row again, and a table
 * row continued from it a "(continued)" band (layout_table.c).
 *
 * Then the furniture, all artifacts: the running header and footer, the
 * style's logo, the mark of a document that must not be published (NOT
 * FOR PUBLICATION) and the DRAFT stamp. Each is text laid out like a
 * paragraph's line (the same measuring, and a character the face lacks
 * comes from the fallback face), so the display list — and --dump=pages —
 * shows everything the PDF stage draws.
 */
#include "layout_int.h"
#include "quire/image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIT_EPSILON_PT 0.01f       /* rounding slack when a box fits exactly */
#define MAX_REBREAKS_PER_PAGE 3    /* hyphen avoidance tries on one page */
#define MAX_REBREAK_LINES 400      /* longer paragraphs are not re-broken */
#define MAX_TAKEOVER_LINES 2       /* lines moved over to avoid a hyphen */

/* The draft stamp: light grey "DRAFT" along the page diagonal, under the
 * content (it is the first thing on the page, so text stays readable over
 * it), and the note small at the page foot. */
#define DRAFT_WORD "DRAFT"
#define DRAFT_GREY 0.85f
#define DRAFT_DIAG_FRACTION 0.6f    /* word length / page diagonal */
#define DRAFT_CAP_RATIO 0.7f        /* cap height / size, to centre it */
#define DRAFT_MEASURE_SIZE 100.0f   /* measured at this size, then scaled */
#define DRAFT_NOTE_SIZE 7.0f
#define DRAFT_NOTE_GREY 0.45f
#define DRAFT_NOTE_BASELINE 12.0f   /* above the page bottom */

static void lay_page_open(layout *L, size_t page);

/* ---- emitting ---- */

typedef struct emitter {
    float *pts;                    /* scratch for shifted paths */
    size_t cpts;
} emitter;

static void emit_item(layout *L, emitter *E, size_t page, const ritem *ri,
                     float dy, float stretch_up, int artifact)
{
    qr_item it = ri->it;
    it.y += dy;
    if (it.kind == QR_ITEM_LINE) it.y2 += dy;
    if (ri->stretch && stretch_up > 0) {
        it.y -= stretch_up;
        it.h += stretch_up;
    }
    if (it.kind == QR_ITEM_PATH && it.pts && it.npts) {
        if (E->cpts < it.npts * 2) {
            E->cpts = it.npts * 2;
            E->pts = qr_xrealloc(E->pts, E->cpts * sizeof *E->pts);
        }
        for (size_t i = 0; i < it.npts; i++) {
            E->pts[2 * i] = it.pts[2 * i];
            E->pts[2 * i + 1] = it.pts[2 * i + 1] + dy;
        }
        it.pts = E->pts;
    }
    if (artifact) {
        it.role = QR_ROLE_ARTIFACT;
        it.elem = -1;
    }
    qr_pages_add_item(L->out, page, &it);
}

static void emit_box(layout *L, emitter *E, size_t page, const box *b,
                     float y, float stretch_up, int artifact)
{
    for (size_t j = b->it0; j < b->it0 + b->nit; j++) {
        const ritem *ri = &L->pool[j];
        if (artifact && (ri->it.kind == QR_ITEM_LINK ||
                         ri->it.kind == QR_ITEM_ANCHOR))
            continue;
        emit_item(L, E, page, ri, y, stretch_up, artifact);
    }
}

/* The bands of a split table row from box `first` (top at y) to the last
 * before `brk` that belongs to the row. Each band holds one line of every
 * cell; they are emitted cell by cell (the rules first), so the content
 * stream, and text extraction with it, reads a cell's lines together as
 * for a row that is not split. Returns the last band emitted. */
static int emit_bands(layout *L, emitter *E, size_t page, int first, int brk,
                      float y, float stretch_up)
{
    int last = first;
    int maxcol = 0;
    for (int j = first;; j = L->boxes[j].next) {
        const box *b = &L->boxes[j];
        for (size_t k = b->it0; k < b->it0 + b->nit; k++)
            if (L->pool[k].col > maxcol) maxcol = L->pool[k].col;
        last = j;
        if (!(b->flags & BOX_ROW_OPEN) || b->next < 0 || b->next == brk)
            break;
    }
    for (int col = 0; col <= maxcol; col++) {
        float by = y;
        for (int j = first;; j = L->boxes[j].next) {
            const box *b = &L->boxes[j];
            for (size_t k = b->it0; k < b->it0 + b->nit; k++)
                if (L->pool[k].col == col)
                    emit_item(L, E, page, &L->pool[k], by,
                              j == first ? stretch_up : 0, 0);
            by += b->h;
            if (j == last) break;
        }
    }
    return last;
}

/* ---- re-breaking a paragraph to move a hyphen off a page foot ---- */

static bool same_line(const box *b, const lb_line *ln)
{
    size_t bytes = 0;
    for (size_t f = 0; f < ln->nfrags; f++) bytes += ln->frags[f].len;
    float dw = b->lw - ln->width;
    return bytes == b->lbytes && dw < FIT_EPSILON_PT && dw > -FIT_EPSILON_PT;
}

/* The paragraph of box `last` (the last line on a page starting at box
 * `*first`) ends that line with a hyphen. Break it again without; if the
 * lines on earlier pages stay the same, splice the new lines in and return
 * true (*first may change). Returns false when nothing was changed. */
static bool rebreak(layout *L, int *first, int last)
{
    box *lb = &L->boxes[last];
    para *P = &L->paras[lb->para];
    if (P->nboxes > MAX_REBREAK_LINES) return false;
    /* the paragraph's first line on this page */
    int k0b = last;
    while (k0b != *first && L->boxes[k0b].prev >= 0 &&
           L->boxes[L->boxes[k0b].prev].para == lb->para)
        k0b = L->boxes[k0b].prev;
    size_t k0 = (size_t)L->boxes[k0b].line;

    P->nohyph = qr_xrealloc(P->nohyph, (P->nnohyph + 1) * sizeof *P->nohyph);
    P->nohyph[P->nnohyph++] = lb->line;
    P->opts.no_hyphen_lines = P->nohyph;
    P->opts.n_no_hyphen_lines = P->nnohyph;
    qr_diags *quiet = qr_diags_new();   /* already reported at first break */
    lb_result *r = lb_break(P->spans, P->nspans, &P->opts, L->m, quiet);
    qr_diags_free(quiet);
    /* lines already on earlier pages must not move */
    int ok = lb_nlines(r) > k0;
    int bx = P->first_box;
    for (size_t k = 0; ok && k < k0; k++, bx = L->boxes[bx].next)
        if (bx < 0 || !same_line(&L->boxes[bx], lb_get_line(r, k))) ok = 0;
    if (!ok) {
        P->nnohyph--;
        lb_result_free(r);
        return false;
    }
    /* the old lines from k0 to the paragraph's end */
    int old_last = k0b;
    while (L->boxes[old_last].next >= 0 &&
           L->boxes[L->boxes[old_last].next].para == lb->para &&
           L->boxes[L->boxes[old_last].next].line > L->boxes[old_last].line)
        old_last = L->boxes[old_last].next;
    unsigned keep_last = L->boxes[old_last].flags & BOX_KEEP_NEXT;
    int before = L->boxes[k0b].prev, after = L->boxes[old_last].next;
    int pi = lb->para;
    int nf, nl;
    lay_para_boxes(L, pi, r, k0, &nf, &nl);
    P = &L->paras[pi];
    if (k0 == 0) {
        P->first_box = nf;
    }
    P->nboxes = (int)lb_nlines(r);
    lb_result_free(r);
    if (nf < 0) return false;
    if (k0 > 0) {
        /* the first new line is a continuation: no glue, no page break */
        L->boxes[nf].gap = 0;
        L->boxes[nf].flags &= ~(unsigned)BOX_BREAK_BEFORE;
    }
    L->boxes[nl].flags |= keep_last;
    if (before >= 0) {
        L->boxes[before].next = nf;
        L->boxes[nf].prev = before;
    } else {
        L->head = nf;
    }
    if (after >= 0) {
        L->boxes[after].prev = nl;
        L->boxes[nl].next = after;
    } else {
        L->tail = nl;
    }
    if (*first == k0b) *first = nf;
    return true;
}

/* ---- pagination ---- */

/* The "(continued)" band to put above box `first` when a page starts
 * inside a split table row, or -1. */
static int row_continued(const layout *L, int first)
{
    const box *b = &L->boxes[first];
    if (b->cont < 0 || b->prev < 0 ||
        !(L->boxes[b->prev].flags & BOX_ROW_OPEN))
        return -1;
    return b->cont;
}

bool lay_paginate(layout *L)
{
    emitter E = {NULL, 0};
    /* pages start in the style's orientation; a box that starts a page
     * may turn it and the pages after it */
    lay_orient(L, L->st->page_width > L->st->page_height);
    const float top = L->body_top;
    int cur = L->head;
    if (cur < 0) lay_page_open(L, qr_pages_add_page(L->out, L->page_w, L->page_h));
    while (cur >= 0) {
        unsigned start = L->boxes[cur].flags;
        if (start & BOX_ORIENT) lay_orient(L, (start & BOX_LANDSCAPE) != 0);
        const float bottom = L->body_bottom;
        if (qr_pages_count(L->out) >= QR_MAX_PAGES) {
            qr_diag_add(L->d, QR_ERROR, L->md_name, 0, 0, NULL, NULL,
                        "document would have more than %d pages",
                        QR_MAX_PAGES);
            free(E.pts);
            return false;
        }
        int first = cur, brk = -1, cont = -1;
        for (int attempt = 0;; attempt++) {
            /* a table continued from the previous page repeats its header */
            const box *cb = &L->boxes[first];
            cont = -1;
            float y = top;
            if (cb->table >= 0 && !(cb->flags & BOX_TABLE_HEAD) &&
                cb->prev >= 0 && L->boxes[cb->prev].table == cb->table &&
                L->tables[cb->table].head_first >= 0) {
                cont = cb->table;
                y += L->tables[cont].head_h;
            }
            /* a row continued from the previous page is headed by its
             * "(continued)" band */
            int rowcont = row_continued(L, first);
            if (rowcont >= 0) y += L->boxes[rowcont].h;
            int i = first, last_legal = -1;
            brk = -1;
            while (i >= 0) {
                const box *bx = &L->boxes[i];
                if (i != first) {
                    int keep = L->boxes[bx->prev].flags & BOX_KEEP_NEXT;
                    if (bx->flags & BOX_BREAK_BEFORE) {
                        brk = i;
                        break;
                    }
                    if (y + bx->gap + bx->h > bottom + FIT_EPSILON_PT) {
                        brk = !keep ? i : last_legal >= 0 ? last_legal : i;
                        break;
                    }
                    if (!keep) last_legal = i;
                    y += bx->gap;
                }
                y += bx->h;
                i = bx->next;
            }
            /* no inserted hyphen on the page's last line: break the
             * paragraph again, or else take that line over */
            int again = 0, taken = 0;
            while (brk >= 0 && !(L->boxes[brk].flags & BOX_BREAK_BEFORE)) {
                int last = L->boxes[brk].prev;
                const box *lb = &L->boxes[last];
                if (!(lb->flags & BOX_HYPHEN) || lb->para < 0) break;
                if (attempt < MAX_REBREAKS_PER_PAGE &&
                    rebreak(L, &first, last)) {
                    again = 1;
                    break;
                }
                if (last == first || taken == MAX_TAKEOVER_LINES ||
                    (L->boxes[lb->prev].flags & BOX_KEEP_NEXT))
                    break;
                brk = last;
                taken++;
            }
            if (!again) break;
        }

        size_t page = qr_pages_add_page(L->out, L->page_w, L->page_h);
        lay_page_open(L, page);
        float y = top;
        if (cont >= 0) {
            const tbl *T = &L->tables[cont];
            for (int h = T->head_first; h >= 0; h = L->boxes[h].next) {
                emit_box(L, &E, page, &L->boxes[h], y, 0, 1);
                y += L->boxes[h].h;
                if (h == T->head_last) break;
            }
        }
        int rowcont = row_continued(L, first);
        if (rowcont >= 0) {
            emit_box(L, &E, page, &L->boxes[rowcont], y, 0, 1);
            y += L->boxes[rowcont].h;
        }
        int last = -1;
        for (int i = first; i >= 0 && i != brk; i = L->boxes[i].next) {
            const box *bx = &L->boxes[i];
            float g = i == first ? 0 : bx->gap;
            y += g;
            if (bx->flags & BOX_ROW_OPEN) {
                /* the bands of a split row on this page, cell by cell */
                last = emit_bands(L, &E, page, i, brk, y, g);
                for (int j = i;; j = L->boxes[j].next) {
                    y += L->boxes[j].h;
                    if (j == last) break;
                }
                i = last;
                continue;
            }
            emit_box(L, &E, page, bx, y, g, 0);
            y += bx->h;
            last = i;
        }
        /* a row split over the page foot still needs its closing rule */
        if (last >= 0 && brk >= 0 && (L->boxes[last].flags & BOX_ROW_OPEN) &&
            L->boxes[last].table >= 0) {
            const tbl *T = &L->tables[L->boxes[last].table];
            ritem ri;
            memset(&ri, 0, sizeof ri);
            ri.it = lay_item(QR_ITEM_LINE, QR_ROLE_ARTIFACT, -1);
            ri.it.x = T->x;
            ri.it.x2 = T->x + T->w;
            ri.it.line_width = L->st->rule_width;
            ri.it.color = L->st->rule_color;
            emit_item(L, &E, page, &ri, y, 0, 0);
        }
        cur = brk;
    }
    free(E.pts);
    return true;
}

/* ---- running header and footer ---- */

static void expand_fields(const layout *L, const char *tpl, int page,
                          int pages, qr_buf *out)
{
    const qr_layout_opts *o = L->opts;
    struct { const char *name; const char *val; } f[3] = {
        {"{title}", o->title}, {"{meeting}", o->meeting}, {"{item}", o->item}};
    out->len = 0;
    qr_buf_puts(out, "");
    for (const char *s = tpl; *s;) {
        const char *pre = o->page_prefix ? o->page_prefix : "";
        if (strncmp(s, "{page}", 6) == 0) {
            qr_buf_printf(out, "%s%d", pre, page);
            s += 6;
            continue;
        }
        if (strncmp(s, "{pages}", 7) == 0) {
            qr_buf_printf(out, "%s%d", pre, pages);
            s += 7;
            continue;
        }
        int done = 0;
        for (int i = 0; i < 3 && !done; i++) {
            size_t n = strlen(f[i].name);
            if (strncmp(s, f[i].name, n) == 0) {
                qr_buf_puts(out, f[i].val ? f[i].val : "");
                s += n;
                done = 1;
            }
        }
        if (!done) qr_buf_putc(out, *s++);
    }
}

/* The running header and footer come from the style and the paper's
 * title, not a template line: a character no font has is said as being
 * there, once in the paper like any other. */
static void furniture_glyphs(layout *L, const char *text)
{
    for (size_t k = 0, n = strlen(text); k < n;) {
        uint32_t cp;
        int len = qr_utf8_decode(text + k, n - k, &cp);
        if (len <= 0) break;
        k += (size_t)len;
        if (cp != ' ' && !L->m->has_glyph(L->m->ctx, QR_FONT_REGULAR, cp) &&
            !L->m->has_glyph(L->m->ctx, QR_FONT_FALLBACK, cp))
            lb_warn_missing(&L->missing, L->d, L->md_name, 0, cp,
                            QR_FONT_REGULAR, "in the running header or footer");
    }
}

/* One line of furniture text, broken as a paragraph's line is (runs split
 * by face, kerning, the fallback face for a character the face lacks), no
 * wider than `width`. Caller frees. */
static lb_result *one_line(layout *L, const char *text, qr_font_slot font,
                           float size, qr_rgb color, float width)
{
    lb_span sp;
    memset(&sp, 0, sizeof sp);
    sp.text = text;
    sp.len = strlen(text);
    sp.font = font;
    sp.size = size;
    sp.color = color;
    sp.flags = LB_NO_HYPHENATE;
    lb_opts o;
    memset(&o, 0, sizeof o);
    o.width = width;
    o.align = QR_ALIGN_LEFT;
    o.breaking = QR_BREAK_GREEDY;
    o.md_name = L->md_name;
    o.seen = &L->missing;
    o.glyphs = L->glyphs;
    return lb_break(&sp, 1, &o, L->m, L->d);
}

/* The runs of line ln as artifacts, its start at (x, baseline), scaled by
 * `scale` (sizes, widths and offsets) and turned `angle` degrees
 * anticlockwise about its start. */
static void place_runs(layout *L, size_t page, const lb_line *ln, float x,
                       float baseline, float scale, float angle)
{
    double a = angle * M_PI / 180.0;
    float c = (float)cos(a), s = (float)sin(a);
    for (size_t i = 0; i < ln->nfrags; i++) {
        const lb_frag *f = &ln->frags[i];
        if (!f->len) continue;
        float dx = f->x * scale;
        qr_item it = lay_item(QR_ITEM_TEXT, QR_ROLE_ARTIFACT, -1);
        it.x = x + c * dx;
        it.y = baseline - s * dx;       /* y grows downwards */
        it.w = f->w * scale;
        it.font = f->font;
        it.size = f->size * scale;
        it.text = f->text;
        it.len = f->len;
        it.color = f->color;
        it.angle = angle;
        qr_pages_add_item(L->out, page, &it);
    }
}

/* One line of furniture in [x0, x0 + width]: align 0 left, 1 centre,
 * 2 right. */
static void furniture_line(layout *L, size_t page, const char *text,
                           qr_font_slot font, float size, qr_rgb color,
                           float x0, float width, int align, float baseline)
{
    if (!text || !text[0]) return;
    furniture_glyphs(L, text);
    lb_result *r = one_line(L, text, font, size, color, width);
    if (lb_nlines(r) > 0) {
        const lb_line *ln = lb_get_line(r, 0);
        float x = x0;
        if (align == 1) x += (width - ln->width) / 2;
        else if (align == 2) x += width - ln->width;
        place_runs(L, page, ln, x, baseline, 1, 0);
    }
    lb_result_free(r);
}

/* What a page gets before its content: the DRAFT stamp, under everything
 * drawn after it. */
static void lay_page_open(layout *L, size_t page)
{
    const qr_layout_opts *o = L->opts;
    if (!o->draft) return;
    /* the page's own size: a landscape page is turned */
    const qr_page *pg = qr_pages_get(L->out, page);
    float w = pg->width, h = pg->height, diag = hypotf(w, h);
    qr_rgb grey = {DRAFT_GREY, DRAFT_GREY, DRAFT_GREY};
    lb_result *r = one_line(L, DRAFT_WORD, QR_FONT_BOLD, DRAFT_MEASURE_SIZE,
                            grey, diag * 1000);
    const lb_line *ln = lb_nlines(r) > 0 ? lb_get_line(r, 0) : NULL;
    if (ln && ln->width > 0) {
        float k = DRAFT_DIAG_FRACTION * diag / ln->width;
        float c = w / diag, s = h / diag;
        float tw = ln->width * k, cap = DRAFT_CAP_RATIO * DRAFT_MEASURE_SIZE * k;
        /* the word centred on the page centre along the diagonal, in
         * y-up coordinates */
        float x = w / 2 - c * tw / 2 + s * cap / 2;
        float y = h / 2 - s * tw / 2 - c * cap / 2;
        place_runs(L, page, ln, x, h - y, k,
                   (float)(atan2(h, w) * 180.0 / M_PI));
    }
    lb_result_free(r);
    qr_rgb note_grey = {DRAFT_NOTE_GREY, DRAFT_NOTE_GREY, DRAFT_NOTE_GREY};
    furniture_line(L, page, o->draft_note, QR_FONT_REGULAR, DRAFT_NOTE_SIZE,
                   note_grey, 0, w, 1, h - DRAFT_NOTE_BASELINE);
}

/* The share of the top margin a first-page logo may take, centred in it. */
#define LOGO_MARGIN_SHARE 0.7f
#define LOGO_PX_TO_PT 0.75f  /* logo pixels at 96 dpi, for the aspect only */

/* The house style's logo at the top right of the first page, in the top
 * margin: decorative page furniture. The style checked, when it was
 * loaded, that the logo is a file in the style's directory tree; a logo
 * that cannot be read or is not an image is an error, not a page without
 * its logo. */
static void logo(layout *L)
{
    const qr_style *st = L->st;
    if (!st->logo[0] || qr_pages_count(L->out) == 0) return;
    char *err = NULL;
    qr_image *im = qr_image_set_get_checked(L->images, st->logo, &err);
    if (!im) {
        qr_diag_add(L->d, QR_ERROR, st->logo, 0, 0, NULL, NULL,
                    "the house style's logo: %s", err ? err : "cannot read it");
        free(err);
        return;
    }
    unsigned pw = im->width, ph = im->height;
    float w = st->logo_width > 0 ? st->logo_width : pw * LOGO_PX_TO_PT;
    float h = w * (float)ph / (float)pw;
    float room = st->margin_top * LOGO_MARGIN_SHARE;
    if (h > room) {
        w *= room / h;
        h = room;
    }
    qr_item it = lay_item(QR_ITEM_IMAGE, QR_ROLE_ARTIFACT, -1);
    it.x = L->frame_x + L->frame_w - w;
    it.y = (st->margin_top - h) / 2;
    it.w = w;
    it.h = h;
    it.uri = st->logo;
    it.image = im;
    qr_pages_add_item(L->out, 0, &it);
}

void lay_furniture(layout *L)
{
    if (qr_pages_count(L->out)) lay_orient_as(L, 0);
    if (L->opts->first_page <= 1) logo(L);
    const qr_style *st = L->st;
    size_t n = qr_pages_count(L->out);
    int first = L->opts->first_page > 0 ? L->opts->first_page : 1;
    int total = L->opts->total_pages > 0 ? L->opts->total_pages
                                         : first - 1 + (int)n;
    float asc = lay_ascent(L, QR_FONT_REGULAR, st->small_size);
    float desc = lay_descent(L, QR_FONT_REGULAR, st->small_size);
    /* each line centred vertically in its margin */
    float head_base = st->margin_top / 2 + (asc + desc) / 2;
    /* the mark is bold at body size, centred on the page in the top
     * margin (between any left and right header text) */
    const char *mark = L->opts->mark;
    float mark_base = st->margin_top / 2 +
                      (lay_ascent(L, QR_FONT_BOLD, st->body_size) +
                       lay_descent(L, QR_FONT_BOLD, st->body_size)) / 2;
    const char *tpl[5] = {st->header_left, st->header_right, st->footer_left,
                          st->footer_center, st->footer_right};
    const int align[5] = {0, 2, 0, 1, 2};
    qr_buf b;
    qr_buf_init(&b);
    for (size_t p = 0; p < n; p++) {
        /* each page's own frame and foot: landscape pages are wider */
        lay_orient_as(L, p);
        float foot_base = L->page_h - st->margin_bottom / 2 + (asc + desc) / 2;
        for (int k = 0; k < 5; k++) {
            if (!tpl[k][0]) continue;
            expand_fields(L, tpl[k], first + (int)p, total, &b);
            furniture_line(L, p, b.data, QR_FONT_REGULAR, st->small_size,
                           st->text_color, L->frame_x, L->frame_w, align[k],
                           k < 2 ? head_base : foot_base);
        }
        furniture_line(L, p, mark, QR_FONT_BOLD, st->body_size,
                       st->heading_color, 0, L->page_w, 1, mark_base);
    }
    qr_buf_free(&b);
}
