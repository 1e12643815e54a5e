/* layout_int.h — private to the layout stage: the vertical list that block
 * layout (layout.c, layout_table.c) builds and pagination (layout_page.c)
 * cuts into pages.
 *
 * Block layout turns the document tree into a chain of boxes, like TeX's
 * vertical list: each box is one line of a paragraph, one table row, one
 * code line, an image..., with its height, the glue above it (dropped at a
 * page top) and flags that say where a page may not break (widows, orphans,
 * headings kept with what follows, short list items kept whole). Items of a
 * box are kept in one pool with y relative to the box top. Boxes are linked
 * by index so that pagination can replace the lines of one paragraph (to
 * avoid a hyphen at a page foot) without moving the rest of the document.
 *
 * Failure: lay_orient and lay_paginate return false (lay_paginate after
 * adding an error); the box builders return indices and cannot fail.
 */
#ifndef QUIRE_LAYOUT_INT_H
#define QUIRE_LAYOUT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "quire/layout.h"
#include "quire/util.h"
#include "linebreak.h"

enum {
    BOX_KEEP_NEXT = 1u << 0,    /* no page break between this box and the next */
    BOX_BREAK_BEFORE = 1u << 1, /* explicit page break before this box */
    BOX_HYPHEN = 1u << 2,       /* paragraph line ending with an inserted hyphen */
    BOX_TABLE_HEAD = 1u << 3,   /* the header row of a table */
    BOX_ROW_OPEN = 1u << 4,     /* a band of a split row: no rule below it */
    BOX_ORIENT = 1u << 5,       /* the page starting here is turned: */
    BOX_LANDSCAPE = 1u << 6,    /* landscape if set, else portrait */
    /* what a box that starts a page carries for it */
    BOX_PAGE_START = BOX_BREAK_BEFORE | BOX_ORIENT | BOX_LANDSCAPE
};

/* An item of a box; y is relative to the box top. A "stretch" item (a block
 * quote bar) also covers the glue above its box unless the box opens a page,
 * so the bar is unbroken between the boxes of one quote. */
typedef struct ritem {
    qr_item it;
    int stretch;
    int col;                    /* table cell items: column + 1, else 0 */
} ritem;

typedef struct box {
    float h;                    /* height, points */
    float gap;                  /* glue above, dropped at a page top */
    unsigned flags;
    size_t it0, nit;            /* items L->pool[it0 .. it0+nit) */
    int next, prev;             /* the chain, -1 at its ends */
    int table;                  /* index in L->tables, -1 none */
    int cont;                   /* a band of a split table row after its
                                   first: the box (outside the chain) that
                                   heads the row's continuation when a page
                                   starts here, -1 none */
    int para;                   /* index in L->paras (re-breakable), -1 none */
    int line;                   /* line index within that paragraph */
    float lw;                   /* the line's width and bytes: tells whether */
    size_t lbytes;              /* a re-broken line is still the same */
} box;

/* Link structure elements of one paragraph, reused when it is re-broken:
 * elems[k] is the element of link number k + 1 (qr_run.link), -1 until its
 * first piece is placed. Indexed by number, a paragraph of many links costs
 * linear time. */
typedef struct linkmap {
    int *elems;
    size_t cap;
    int parent;                 /* the paragraph's element */
} linkmap;

/* A quote bar active while building a box. */
typedef struct bar {
    float x;
    int fresh;                  /* no box yet in this quote: don't stretch */
} bar;

/* Everything needed to break a body paragraph again and rebuild its boxes. */
typedef struct para {
    lb_span *spans;
    size_t nspans;
    lb_opts opts;
    int *nohyph;                /* lines that must not end with a hyphen */
    size_t nnohyph;
    float x;                    /* left of the lines */
    float lh, asc;              /* line pitch and nominal ascent */
    float base;                 /* baseline below a line's top */
    float gap;                  /* glue above the first line */
    unsigned first_flags;       /* BOX_BREAK_BEFORE for the first line */
    qr_role role;
    int elem;
    ritem *first_items;         /* markers etc., y relative to the baseline */
    size_t nfirst;
    bar *bars;                  /* quote bars of the lines */
    size_t nbars;
    int keep_all;               /* all lines chained (short list item) */
    int first_box, nboxes;      /* the boxes of its lines in the chain */
    linkmap links;
} para;

typedef struct tbl {
    int head_first, head_last;  /* header row boxes, for repetition */
    float head_h;               /* their height */
    float x, w;                 /* frame */
} tbl;

/* The table of contents being made (layout_toc.c). */
typedef struct lay_toc lay_toc;

typedef struct layout {
    const qr_doc *doc;
    const qr_style *st;
    const qr_metrics *m;
    const qr_layout_opts *opts;
    const char *md_name;
    qr_diags *d;
    qr_pages *out;
    qr_arena *arena;            /* strings and arrays of the vertical list */
    qr_pages *scratch;          /* charts drawn here, then copied into boxes */

    ritem *pool;
    size_t npool, cpool;
    box *boxes;
    size_t nboxes, cboxes;
    int head, tail;             /* the chain */
    para *paras;
    size_t nparas, cparas;
    tbl *tables;
    size_t ntables, ctables;

    /* state while building */
    float space;                /* glue for the next box (collapsed: max) */
    int cell_col;               /* column + 1 of the table cell whose items
                                   are being pushed, else 0 */
    int break_pending;          /* next box starts a page */
    qr_orient orient_pending;   /* and its pages are turned this way */
    ritem *pending;             /* marker items for the next line */
    size_t npending, cpending;
    bar *bars;
    size_t nbars, cbars;
    int anchors;                /* headings seen, for anchor names */
    int section, paragraph;     /* council numbering */
    float frame_x, frame_w;     /* text frame of the current page */
    float body_top, body_bottom;
    float page_w, page_h;       /* the current page (lay_orient) */
    int landscape;              /* its long side across */
    int failed;                 /* sticky error (too many pages) */
    struct qr_image_set *images;/* the document's images, read once each */
    const lay_toc *toc;         /* entries for <!-- contents -->, or NULL */
    lb_seen missing;            /* characters no font has, warned about once
                                   each in the paper, wherever they are */
    lb_glyphs *glyphs;          /* the line breaker's glyph cache for m */
} layout;

/* layout.c helpers shared with the table code */
size_t lay_push_item(layout *L, const qr_item *it, int stretch);
/* Returns the new box's index. */
int lay_new_box(layout *L, float h, unsigned flags);
void lay_link_tail(layout *L, int first, int last);
void lay_add_bars(layout *L, int b);
float lay_ascent(const layout *L, qr_font_slot f, float size);
float lay_descent(const layout *L, qr_font_slot f, float size);
size_t lay_runs_to_spans(layout *L, const qr_block *b, qr_font_slot base,
                         float size, qr_rgb color, lb_span **out);
void lay_line_items(layout *L, const lb_line *ln, float x, float baseline,
                    qr_role role, int elem, linkmap *lm);
float lay_take_space(layout *L, unsigned *flags);
/* Turn the current page (landscape 1 or 0): its size, text frame and
 * foot. Returns false when the margins leave no room for text (the caller
 * says so: it knows the line). */
bool lay_orient(layout *L, int landscape);
/* Turn the current page as the page `page` of the display list is. */
void lay_orient_as(layout *L, size_t page);
qr_item lay_item(qr_item_kind kind, qr_role role, int elem);

/* Forget the elements, for the next text with links under `parent`. */
void lay_linkmap_reset(linkmap *lm, int parent);
void lay_linkmap_free(linkmap *lm);

/* A table of contents entry's title: a paragraph of body text in element
 * `elem`, never hyphenated (layout.c). Returns the paragraph's index. */
int lay_text_entry(layout *L, lb_span *spans, size_t n, float x, float w,
                   int elem);

/* layout_toc.c: NULL when doc has no <!-- contents -->. lay_toc_update
 * reads the headings' pages and titles back from a laid-out paper and
 * returns true when they differ from what the entries said (a question,
 * not a failure). */
lay_toc *lay_toc_scan(const qr_doc *doc);
bool lay_toc_update(lay_toc *T, const qr_pages *p, int first_page);
void lay_toc_free(lay_toc *T);
void lay_contents(layout *L, float x, float w, int parent);

/* layout_table.c */
void lay_table(layout *L, const qr_block *t, float x, float w, int parent);

/* layout_page.c */
void lay_para_boxes(layout *L, int pi, lb_result *r, size_t from,
                    int *first, int *last);
/* Cut the chain into pages. Returns false after adding an error (more
 * than QR_MAX_PAGES pages). */
bool lay_paginate(layout *L);
void lay_furniture(layout *L);
/* Images come from image.h's set, one per layout run (L->images). */

#endif
