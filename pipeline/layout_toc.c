/* layout_toc.c — the layout stage, the table of contents: where a template
 * has a line holding only <!-- contents -->, one entry for each heading of
 * level 1 or 2 after it, with the page the heading lands on, each entry a
 * link to its heading.
 *
 * The page numbers come from laying the paper out: qr_layout_run lays it
 * out with the numbers it has (none at first), reads the anchors of the
 * headings back from the display list (lay_toc_update) and lays it out
 * again until the numbers it printed are the ones it finds, as the agenda
 * of a pack is made. An entry's title is the heading's outline title, so
 * section numbers ("4. The action plan") come with it.
 */
#include "layout_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOC_MAX_LEVEL 2            /* headings listed: levels 1 and 2 */
#define TOC_NUMBER_SAMPLE "0000"   /* room kept for the page numbers */
#define TOC_GAP_EM 0.5f            /* around the leader dots, in body em */
#define TOC_LEADER ". "            /* one step of the leader dots */
#define TOC_SUB_SPACE 0.35f        /* space above a level-2 entry, x paragraph_space */

typedef struct toc_entry {
    char *title;                   /* the heading's outline title */
    int heading;                   /* its number among all headings, from 1 */
    int level;
    int page;                      /* printed page number, 0 = not known */
} toc_entry;

struct lay_toc {
    toc_entry *e;
    size_t n, cap;
    int top, nested;               /* the shallowest level listed; any deeper */
};

/* Headings are numbered in document order, as layout names their anchors
 * ("h1", "h2", ...): a walk of the tree in the order layout visits it. */
lay_toc *lay_toc_scan(const qr_doc *doc)
{
    const qr_block *b = qr_doc_root(doc);
    lay_toc *T = NULL;
    int headings = 0;
    while (b) {
        if (b->kind == QR_BLK_HEADING) {
            headings++;
            if (T && b->level <= TOC_MAX_LEVEL) {
                QR_GROW(T->e, T->n, T->cap, 16);
                qr_buf t;
                qr_buf_init(&t);
                qr_block_text(b, &t);
                T->e[T->n++] = (toc_entry){qr_buf_detach(&t, NULL), headings,
                                           b->level, 0};
            }
        } else if (b->kind == QR_BLK_CONTENTS && !T) {
            T = qr_xcalloc(1, sizeof *T);
        }
        if (b->first_child) {
            b = b->first_child;
            continue;
        }
        while (b && !b->next) b = b->parent;
        if (b) b = b->next;
    }
    if (T && T->n) {
        T->top = T->e[0].level;
        for (size_t i = 0; i < T->n; i++)
            if (T->e[i].level < T->top) T->top = T->e[i].level;
        for (size_t i = 0; i < T->n; i++)
            if (T->e[i].level > T->top) T->nested = 1;
    }
    return T;
}

void lay_toc_free(lay_toc *T)
{
    if (!T) return;
    for (size_t i = 0; i < T->n; i++) free(T->e[i].title);
    free(T->e);
    free(T);
}

/* The entry of anchor `name` ("h7"), or NULL. */
static toc_entry *entry_of(lay_toc *T, const char *name)
{
    int k;
    char tail;
    if (!name || sscanf(name, "h%d%c", &k, &tail) != 1) return NULL;
    for (size_t i = 0; i < T->n; i++)
        if (T->e[i].heading == k) return &T->e[i];
    return NULL;
}

bool lay_toc_update(lay_toc *T, const qr_pages *p, int first_page)
{
    bool changed = false;
    for (size_t pg = 0; pg < qr_pages_count(p); pg++) {
        const qr_page *page = qr_pages_get(p, pg);
        for (size_t j = 0; j < page->nitems; j++) {
            const qr_item *it = &page->items[j];
            if (it->kind != QR_ITEM_ANCHOR) continue;
            toc_entry *e = entry_of(T, it->name);
            if (!e) continue;
            int n = first_page + (int)pg;
            if (e->page != n) {
                e->page = n;
                changed = true;
            }
            if (strlen(e->title) != it->len ||
                memcmp(e->title, it->text, it->len) != 0) {
                free(e->title);
                e->title = qr_xstrndup(it->text, it->len);
                changed = true;
            }
        }
    }
    return changed;
}

/* The last line box of the entry just laid out: its baseline and where
 * its text ends. */
static void last_line(const layout *L, float *baseline, float *end)
{
    const box *bx = &L->boxes[L->tail];
    for (size_t j = bx->it0; j < bx->it0 + bx->nit; j++) {
        const qr_item *it = &L->pool[j].it;
        if (it->kind != QR_ITEM_TEXT) continue;
        *baseline = it->y;
        if (it->x + it->w > *end) *end = it->x + it->w;
    }
}

/* Leader dots from `from` to `to` on the baseline: furniture, not text a
 * screen reader should read out. */
static void leaders(layout *L, float from, float to, float baseline)
{
    float size = L->st->body_size;
    float step = lb_measure(TOC_LEADER, 2, QR_FONT_REGULAR, size, L->m);
    if (step <= 0) return;
    int n = (int)((to - from) / step);
    if (n < 2) return;
    qr_buf dots;
    qr_buf_init(&dots);
    for (int i = 0; i < n; i++) qr_buf_puts(&dots, TOC_LEADER);
    dots.len--;                                /* no space after the last */
    qr_item it = lay_item(QR_ITEM_TEXT, QR_ROLE_ARTIFACT, -1);
    it.w = lb_measure(dots.data, dots.len, QR_FONT_REGULAR, size, L->m);
    it.x = to - it.w;
    it.y = baseline;
    it.font = QR_FONT_REGULAR;
    it.size = size;
    it.text = qr_arena_strndup(L->arena, dots.data, dots.len);
    it.len = dots.len;
    it.color = L->st->text_color;
    lay_push_item(L, &it, 0);
    qr_buf_free(&dots);
}

/* One entry: the title, a link to its heading, wrapped in the measure
 * less the number column; leader dots; the page number at the right of
 * the last line, in the same link. */
static void entry(layout *L, const lay_toc *T, const toc_entry *e, float x,
                  float w, float numcol, int toc)
{
    const qr_style *st = L->st;
    float size = st->body_size;
    float gap = TOC_GAP_EM * size;
    float numw = lb_measure(TOC_NUMBER_SAMPLE, strlen(TOC_NUMBER_SAMPLE),
                            QR_FONT_REGULAR, size, L->m);
    /* the shallowest entries at the margin, in bold when others are
     * under them */
    float indent = (float)(e->level - T->top) * st->list_indent;
    int bold = T->nested && e->level == T->top;
    char url[32], num[16];
    snprintf(url, sizeof url, "#h%d", e->heading);
    snprintf(num, sizeof num, "%d", e->page);
    int item = qr_pages_add_elem(L->out, QR_ROLE_TOCI, toc, NULL, NULL);
    int para = qr_pages_add_elem(L->out, QR_ROLE_P, item, NULL, NULL);
    lb_span *sp = qr_arena_alloc(L->arena, sizeof *sp);
    memset(sp, 0, sizeof *sp);
    sp->text = e->title;
    sp->len = strlen(e->title);
    sp->font = bold ? QR_FONT_BOLD : QR_FONT_REGULAR;
    sp->size = size;
    sp->color = st->text_color;
    sp->flags = LB_NO_HYPHENATE;
    sp->url = qr_arena_strdup(L->arena, url);
    sp->link = 1;
    int pi = lay_text_entry(L, sp, 1, x + indent, w - indent - numw - gap,
                            para);
    int link = L->paras[pi].links.elems ? L->paras[pi].links.elems[0] : para;
    float baseline = 0, end = x + indent;
    last_line(L, &baseline, &end);
    float right = x + w;
    float nw = lb_measure(num, strlen(num), QR_FONT_REGULAR, size, L->m);
    /* every entry's dots end at one place, so they line up */
    leaders(L, end + gap, right - numcol - gap, baseline);
    /* the number is the entry's text; its area, a second annotation of
     * the title's link, so the link reads as the heading alone */
    qr_item it = lay_item(QR_ITEM_TEXT, QR_ROLE_P, para);
    it.x = right - nw;
    it.y = baseline;
    it.w = nw;
    it.font = QR_FONT_REGULAR;
    it.size = size;
    it.text = qr_arena_strdup(L->arena, num);
    it.len = strlen(num);
    it.color = st->text_color;
    lay_push_item(L, &it, 0);
    float a = lay_ascent(L, QR_FONT_REGULAR, size);
    qr_item lk = lay_item(QR_ITEM_LINK, QR_ROLE_LINK, link);
    lk.x = it.x;
    lk.y = baseline - a;
    lk.w = nw;
    lk.h = a - lay_descent(L, QR_FONT_REGULAR, size);
    lk.uri = sp->url;
    lay_push_item(L, &lk, 0);
}

void lay_contents(layout *L, float x, float w, int parent)
{
    const lay_toc *T = L->toc;
    if (!T || !T->n) return;
    int toc = qr_pages_add_elem(L->out, QR_ROLE_TOC, parent, NULL, NULL);
    float numcol = 0;
    for (size_t i = 0; i < T->n; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", T->e[i].page);
        float nw = lb_measure(num, strlen(num), QR_FONT_REGULAR,
                              L->st->body_size, L->m);
        if (nw > numcol) numcol = nw;
    }
    for (size_t i = 0; i < T->n; i++) {
        float space = T->e[i].level > T->top
                          ? L->st->paragraph_space * TOC_SUB_SPACE
                          : L->st->paragraph_space;
        if (i > 0 || L->space < space) L->space = space;
        entry(L, T, &T->e[i], x, w, numcol, toc);
    }
    L->space = L->st->paragraph_space;
}
