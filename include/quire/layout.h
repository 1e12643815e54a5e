/* layout.h — the layout stage (the typesetter): document tree + style +
 * metrics in, display list out.
 *
 * The display list is plain data: pages of positioned items in points with a
 * top-left origin (y grows downwards; the PDF writer flips it once). Text
 * items are runs of one face at one size on a baseline. Every item carries
 * its role and the logical structure element it belongs to, so bookmarks and
 * tagging need only the display list. Layout never includes hpdf.h.
 *
 * Failure: qr_layout_run returns NULL after adding an error; building and
 * joining display lists cannot fail.
 */
#ifndef QUIRE_LAYOUT_H
#define QUIRE_LAYOUT_H

#include <stddef.h>
#include <stdio.h>
#include "quire/diag.h"
#include "quire/fonts.h"
#include "quire/parse.h"
#include "quire/style.h"
#include "quire/util.h"

#define QR_MAX_PAGES 10000     /* a document longer than this is an error */

typedef enum qr_item_kind {
    QR_ITEM_TEXT,     /* text at baseline (x, y), width w, font, size, color */
    QR_ITEM_LINE,     /* from (x, y) to (x2, y2), line_width, color */
    QR_ITEM_RECT,     /* top-left (x, y), w, h; fill and/or stroke */
    QR_ITEM_IMAGE,    /* top-left (x, y), w, h; uri = file; alt */
    QR_ITEM_LINK,     /* clickable area (x, y, w, h); uri, or "#name" */
    QR_ITEM_ANCHOR,   /* destination at (x, y): name; level > 0 = outline
                         entry with title in text */
    QR_ITEM_PATH      /* polyline pts[2*npts] (x, y pairs), closed flag;
                         fill and/or stroke (charts) */
} qr_item_kind;

/* Roles carried for tagging (PDF structure types). */
typedef enum qr_role {
    QR_ROLE_NONE,
    QR_ROLE_DOCUMENT,
    QR_ROLE_H1, QR_ROLE_H2, QR_ROLE_H3, QR_ROLE_H4, QR_ROLE_H5, QR_ROLE_H6,
    QR_ROLE_P,
    QR_ROLE_L, QR_ROLE_LI, QR_ROLE_LBL, QR_ROLE_LBODY,
    QR_ROLE_TABLE, QR_ROLE_TR, QR_ROLE_TH, QR_ROLE_TD,
    QR_ROLE_BLOCKQUOTE,
    QR_ROLE_CODE,
    QR_ROLE_FIGURE,
    QR_ROLE_LINK,
    QR_ROLE_SECT,
    QR_ROLE_TOC, QR_ROLE_TOCI,  /* a table of contents and its entries */
    QR_ROLE_ARTIFACT   /* running header/footer, rules, page furniture */
} qr_role;

typedef struct qr_item {
    qr_item_kind kind;
    qr_role role;
    int elem;              /* structure element index, -1 for artifacts */
    float x, y, w, h;
    float x2, y2;          /* LINE end */
    /* TEXT */
    qr_font_slot font;
    float size;
    const char *text;      /* UTF-8; also ANCHOR title */
    size_t len;
    qr_rgb color;          /* text or stroke colour */
    float angle;           /* TEXT: degrees anticlockwise about (x, y), the
                              baseline turned from the horizontal (the
                              DRAFT mark); 0 for all other text */
    /* LINE, RECT, PATH */
    float line_width;
    int has_fill, has_stroke;
    qr_rgb fill;
    const float *pts;
    size_t npts;
    int closed;
    /* IMAGE, LINK, ANCHOR */
    const char *uri;       /* image file, link target ("#name" internal) */
    struct qr_image *image;/* IMAGE: the image layout read and measured, which
                              the PDF stage embeds (image.h); the display
                              list holds a reference */
    const char *name;      /* ANCHOR name */
    const char *alt;       /* IMAGE alt text */
    int level;             /* ANCHOR outline level (1-6), 0 = none */
} qr_item;

typedef struct qr_page {
    float width, height;
    const qr_item *items;
    size_t nitems;
} qr_page;

/* A logical structure element (for tagged PDF): role, parent element (-1 for
 * the root), alt text for figures, scope for TH ("Column"/"Row"). */
typedef struct qr_elem {
    qr_role role;
    int parent;
    const char *alt;
    const char *scope;
} qr_elem;

typedef struct qr_layout_opts {
    const char *title;     /* {title} in header/footer */
    const char *meeting;   /* {meeting} */
    const char *item;      /* {item} */
    int first_page;        /* number of the first page ({page}), 1 */
    int total_pages;       /* {pages}; 0 = this document's page count */
    const char *base_dir;  /* relative image paths resolve here, and must
                              stay inside it; NULL = the working directory */
    const char *mark;      /* centred in the top margin of every page, in
                              bold (QR_MARK_EXEMPT, QR_MARK_MEMBERS); NULL =
                              none */
    int draft;             /* a grey diagonal DRAFT under every page's
                              content */
    const char *draft_note;/* with draft: a small note at each page foot
                              (watch: the build time); NULL = none */
    const char *page_prefix; /* printed before {page} and {pages}: "S"
                                numbers a supplement S1, S2 …; NULL = none */
} qr_layout_opts;

/* The marks of documents that must not be published: every page of an
 * exempt paper, and every other page of a members' pack holding exempt
 * items (the document as a whole must not be published). */
#define QR_MARK_EXEMPT "NOT FOR PUBLICATION"
#define QR_MARK_MEMBERS "NOT FOR PUBLICATION (members' pack)"

typedef struct qr_pages qr_pages;

/* One-time set-up of the typesetter (Unicode line-break tables, the
 * words hyphenated by earlier runs, from Quire's cache; the en-GB
 * hyphenation dictionary, about 1 ms from its image, only when the cache
 * has no such words, else on the first word not among them).
 * qr_layout_run does it on first use; call it early, or on another
 * thread, to take it off the critical path. Thread-safe and idempotent. */
void qr_layout_init(void);

/* qr_layout_init with the hyphenation dictionary loaded in any case:
 * before forking workers, so that each inherits it rather than loading
 * its own for its paper's first new word. Thread-safe and idempotent. */
void qr_layout_init_full(void);

/* Keep what this process learned that a later one can reuse (the words
 * hyphenated so far) in Quire's cache; best effort. After a paper. */
void qr_layout_save_learned(void);

/* quire hyphenation: compile the hyphenation dictionary qr_layout_init
 * loads into the image it looks for (hyph_en_GB.dic.image), written to
 * dir, which is made when missing. make writes it beside build/quire and
 * make install into PREFIX/share/quire, so that even a first run with an
 * empty cache reads a compiled image (cache.h, qr_cache_shipped_path).
 * Returns QR_OK, QR_EINPUT (no readable dictionary) or QR_EOUTPUT (the
 * image cannot be written), with an error added. */
qr_status qr_layout_hyph_image(const char *dir, qr_diags *d);

/* Lay out doc. Diagnostics (e.g. a character no font has) carry the
 * Markdown line in `line` and file = `md_name`. Returns NULL after adding
 * an error (e.g. more than QR_MAX_PAGES pages). Free with qr_pages_free. */
qr_pages *qr_layout_run(const qr_doc *doc, const qr_style *style,
                        const qr_metrics *metrics, const qr_layout_opts *opts,
                        const char *md_name, qr_diags *d);
void qr_pages_free(qr_pages *p);             /* NULL is a no-op */

size_t qr_pages_count(const qr_pages *p);
const qr_page *qr_pages_get(const qr_pages *p, size_t i);   /* borrowed */
size_t qr_pages_nelems(const qr_pages *p);
const qr_elem *qr_pages_elem(const qr_pages *p, size_t i);  /* borrowed */

/* Building a display list (used by layout, and by tests and the pack stage
 * to make or join page lists). Strings and point arrays of an added item are
 * copied into the list's arena. */
qr_pages *qr_pages_new(void);
/* Append a page; returns its index. */
size_t qr_pages_add_page(qr_pages *p, float width, float height);
/* Append a copy of *item to page `page`; returns the stored item. */
qr_item *qr_pages_add_item(qr_pages *p, size_t page, const qr_item *item);
/* Append a structure element; returns its index. */
int qr_pages_add_elem(qr_pages *p, qr_role role, int parent, const char *alt,
                      const char *scope);
/* Change an element's alt text (copied). */
void qr_pages_set_alt(qr_pages *p, int elem, const char *alt);

/* Joining display lists (the pack stage). `edit` is called with a copy of
 * each item of src before it is stored in dst; it may change the copy (any
 * strings it points at need only live until it returns: they are copied),
 * may add items of its own to dst page `dst_page` first (they then come
 * before the copied item), and returns false to drop the item, true to keep
 * it. */
typedef bool (*qr_item_edit)(void *ctx, qr_pages *dst, size_t dst_page,
                             size_t src_page, qr_item *it);

/* Append every page of src to dst: page sizes, items (through `edit`, which
 * may be NULL) and structure elements, re-indexed after dst's. The roots of
 * src (elements with parent -1, normally its DOCUMENT) are merged into dst's
 * element `root` when root >= 0 — their children hang from `root` and their
 * items belong to it — and are copied as roots when root is -1. Artifacts
 * (elem -1) stay artifacts. Returns the index in dst of the first appended
 * page (qr_pages_count(dst) before the call). */
size_t qr_pages_append(qr_pages *dst, const qr_pages *src, int root,
                       qr_item_edit edit, void *ctx);

/* Stable text dump of the display list (--dump=pages): one item per line,
 * coordinates to 0.01 pt. */
void qr_pages_dump(const qr_pages *p, FILE *f);

#endif
