/* pack_appendix.h — private to the pack stage: an agenda item's
 * appendices (pack_appendix.c), from the meeting file's "appendices" to
 * pages in the pack's display list: placeholders for a PDF appendix's
 * imported pages (appendix.h), which the PDF stage draws on them, and the
 * laid-out pages of a Quire paper appendix, which pack.c prepares and lays
 * out with its items' papers (the one paper pipeline, render.h). Only
 * pack.c and its tests include it.
 *
 * Failure (docs/architecture.md, "How a function reports failure"):
 * qr_pack_appx_prepare, qr_pack_appx_layout, qr_pack_appx_public_check and
 * qr_pack_appx_write return false after adding errors to the caller's
 * qr_diags; qr_pack_appx_layout's page count comes back in an
 * out-parameter, and qr_pack_appx_write says in one whether a false was
 * a refused input (exit 1) rather than an unwritable file (exit 3).
 */
#ifndef QUIRE_PACK_APPENDIX_H
#define QUIRE_PACK_APPENDIX_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "quire/appendix.h"
#include "quire/diag.h"
#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/load.h"
#include "quire/parse.h"
#include "quire/pdf.h"
#include "quire/render.h"
#include "quire/style.h"
#include "quire/util.h"

typedef struct qr_pack_appx {
    char letter[4];           /* "A" … "ZZ" */
    const char *title;        /* borrowed from the meeting tree */
    char *pdf_path;           /* resolved against the meeting file; NULL
                                 for a paper appendix */
    char *data_path, *tpl_path, *style_path;   /* a paper appendix's
                                 (resolved; data and style may be NULL) */
    char ptr[96];             /* its "pdf" or "paper" in the meeting file:
                                 messages */
    int exempt;               /* Schedule 12A paragraph, 0 = open */
    const char *reason;
    int late;                 /* the supplement that publishes it on its
                                 own; 0 = with its item */
    const char *late_date, *late_reason;   /* "published", "late_reason" */
    char late_ptr[96];        /* its "published" in the meeting file */
    int withheld;             /* public pack: a notice; file never opened */
    qr_appendix *doc;         /* the opened file (not withheld) */
    qr_paper *paper;          /* the prepared paper (not withheld), set by
                                 pack.c, which owns its preparation */
    qr_diags *warnings;       /* a paper's, of its latest layout: pack.c
                                 reports them once, after the last pass */
    qr_doc *notice;           /* withheld: the notice's document */
    qr_pages **pages;         /* the latest layout, one list per page */
    size_t npages;
    int laid_first, laid_total;
    int counted;              /* placeholders: pages counted by the latest
                                 pass, laid out (pages) or not yet */
    size_t pack_page;         /* where its first page landed in the pack */
} qr_pack_appx;

typedef struct qr_pack_appxs {
    qr_pack_appx *v;
    size_t n;
    int any_exempt;
    int shows;                /* which of them this document shows: those
                                 whose `late` is this (0: those published
                                 with the item); set before prepare */
    const char *item_reason;  /* the item's exempt reason, for the notice
                                 of an appendix shown without its item */
    const char *item_number, *item_title;   /* set by prepare, borrowed */
    const char *page_prefix;  /* before the page numbers ("S"), or NULL */
    int draft;                /* the DRAFT stamp on every page (--draft) */
    /* Lays out a paper appendix from its options (first page, total,
     * title, mark): pack.c's, which lays out every paper of the pack the
     * same way and checks its fonts against the pack's. NULL pages after
     * adding errors. Set before layout when any appendix is a paper. */
    qr_pages *(*lay_paper)(void *ctx, const struct qr_pack_appxs *a,
                           qr_pack_appx *x, const qr_layout_opts *o,
                           qr_diags *d);
    void *lay_ctx;
} qr_pack_appxs;

/* Check an item's "appendices" (NULL: none) at JSON pointer `item_ptr`
 * ("/items/3"), every problem located in the meeting file; paths resolve
 * against `dir` ("" = the working directory). `has_paper`: appendices
 * belong to a paper (a standing item has none). */
void qr_pack_appx_check(qr_pack_appxs *a, const cJSON *arr,
                        const char *item_ptr, int has_paper,
                        const qr_data *mdata, const char *dir, qr_diags *d);

/* Is any appendix published late on its own in supplement `n`? */
bool qr_pack_appx_late_in(const qr_pack_appxs *a, int n);

/* Open every PDF appendix the pack shows (those whose `late` is a->shows;
 * the others are never opened). In a public pack an exempt appendix, or
 * one of an exempt item, becomes a notice (its files are not opened), and
 * an item withheld as a whole (`item_withheld`) shows none. A paper
 * appendix the pack shows and does not withhold is left for the caller to
 * prepare (qr_pack_appx_wants_paper). Returns false after errors. */
bool qr_pack_appx_prepare(qr_pack_appxs *a, const char *item_number,
                         const char *item_title, int item_exempt,
                         int item_withheld, int public_pack,
                         const char *meeting_line, qr_diags *d);

/* After prepare: is appendix i a paper the pack shows, to be prepared
 * into its `paper`? */
bool qr_pack_appx_wants_paper(const qr_pack_appxs *a, size_t i);

/* Lay out the placeholders, notices and papers (a->lay_paper) from pack page `first` of
 * `total`, the number of pages in *count. False after an error. */
bool qr_pack_appx_layout(qr_pack_appxs *a, const qr_style *style,
                         const qr_metrics *metrics, const char *meeting_line,
                         const char *item_number, const char *item_mark,
                         int first, int total, int *count, qr_diags *d);

/* The pages appendix i occupies in the pack as the latest layout placed
 * it: false when the pack does not show it (an appendix of a withheld
 * item, or not laid out yet). */
bool qr_pack_appx_range(const qr_pack_appxs *a, size_t i, int *first,
                        int *last);

/* Append the pages to the pack's display list under structure element
 * `sect`, each appendix with an outline entry "Appendix A: Title" below
 * the item's (a paper appendix's headings below that, its anchors and
 * internal links renamed into "item-8-appendix-A-…"). `item_bookmark` (NULL: the paper has placed it) is the
 * item's own entry, "Item 7: Title", put first on the first page, for
 * appendices shown without their paper. */
void qr_pack_appx_join(qr_pack_appxs *a, qr_pages *all, int sect,
                       const char *item_anchor, const char *item_bookmark);

/* A public pack's safeguard: no appendix it shows may be the file of an
 * appendix it withholds (same device and inode: links and other spellings
 * too), and the output may not be one either (nothing withheld is in the
 * record of inputs the output is checked against). Only stat is used on
 * withheld files. Returns false after an error for each clash. */
bool qr_pack_appx_public_check(const qr_pack_appxs *const *items, size_t n,
                              const char *out_path, const qr_data *mdata,
                              qr_diags *d);

/* Paths of the opened PDF files, for the pack's list of inputs (a paper
 * appendix's files are its paper's: qr_paper_file). */
size_t qr_pack_appx_nfiles(const qr_pack_appxs *a);
const char *qr_pack_appx_file(const qr_pack_appxs *a, size_t i);

void qr_pack_appx_free(qr_pack_appxs *a);

/* Literal Markdown text: every ASCII punctuation character escaped and
 * line ends made spaces, so a title can start no list or heading. */
void qr_pack_appx_md_text(qr_buf *b, const char *s);

/* The public notice's words for an exempt appendix, as Markdown: the
 * paragraph of Schedule 12A, `sep`, then the reason (from the meeting
 * file). The PDF pack's notice page and the HTML pack's list of an
 * item's appendices both say it this way. */
void qr_pack_appx_notice_md(qr_buf *b, int paragraph, const char *reason,
                            const char *sep);

/* The HTML pack's copy of PDF appendix i (opened by prepare) as a PDF of
 * its own, in *out (caller frees): its pages alone, imported and drawn
 * exactly as the pack draws them (qr_pack_appx_write's render), on
 * placeholders with no footer, marked `item_mark` (an exempt appendix:
 * not for publication), with meta's title and dates; `name` (the output)
 * names it in messages. False after adding errors. */
bool qr_pack_appx_pdf_copy(qr_pack_appxs *a, size_t i, const qr_style *style,
                           const qr_fonts *fonts, const char *meeting_line,
                           const char *item_anchor, const char *item_mark,
                           const qr_pdf_meta *meta, const char *name,
                           char **out, size_t *len, qr_diags *d);

/* Write the pack: qr_pdf_write when no item has an opened appendix;
 * otherwise render, drawing the imported page of every placeholder of
 * `items[0..n)` and write atomically. False after an error; *refused is
 * then true when the PDF stage refused an input (qr_pdf_write's
 * QR_EINPUT), false when the file could not be made or written. */
bool qr_pack_appx_write(const qr_pack_appxs *const *items, size_t n,
                        const qr_pages *pages, const qr_fonts *fonts,
                        const qr_pdf_meta *meta, const char *path,
                        bool *refused, qr_diags *d);

#endif
