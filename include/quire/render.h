/* render.h — the paper orchestrator: runs the stages in order for one paper
 * (load → validate → derive → expand → parse → layout → pdf) and maps later
 * stages' diagnostics back to template lines through the source map.
 * Only this module, main.c and the pack/build orchestrators know the order
 * of stages.
 */
#ifndef QUIRE_RENDER_H
#define QUIRE_RENDER_H

#include <stdio.h>
#include "quire/diag.h"

typedef enum qr_dump {
    QR_DUMP_NONE,
    QR_DUMP_MD,      /* the expanded Markdown */
    QR_DUMP_DOC,     /* the document tree */
    QR_DUMP_PAGES    /* the display list */
} qr_dump;

typedef enum qr_stop {
    QR_STOP_PDF,     /* render: write the PDF */
    QR_STOP_EXPAND,  /* check: validate and expand only */
    QR_STOP_LAYOUT   /* lay out, write nothing */
} qr_stop;

/* What render writes: a PDF, or the accessible HTML copy (html.h) of the
 * same expanded, parsed paper. */
typedef enum qr_format {
    QR_FORMAT_PDF,
    QR_FORMAT_HTML
} qr_format;

/* The format an output's name asks for: HTML when it ends in .html or .htm
 * (any case), else PDF. render, watch and build's paper jobs all decide so. */
qr_format qr_format_of(const char *out_path);

typedef struct qr_render_req {
    const char *data_path;      /* NULL: no data (a plain Markdown file) */
    const char *template_path;  /* required */
    const char *style_path;     /* NULL: the default house style */
    const char *out_path;       /* required for QR_STOP_PDF */
    int strict;                 /* missing template names are errors */
    qr_stop stop;
    qr_dump dump;               /* print this product to dump_to */
    FILE *dump_to;
    int pdfa;                   /* write PDF/A-2b */
    const char *lang;           /* document language; NULL: the style's */
    int draft;                  /* stamp a diagonal DRAFT on every page */
    const char *draft_note;     /* text beside it (watch: the build time) */
    qr_format format;           /* QR_FORMAT_PDF unless set */
} qr_render_req;

/* A paper prepared up to layout: data loaded, validated and derived, the
 * template expanded and parsed, the style and fonts loaded. The pack and
 * build orchestrators lay a prepared paper out with their own page
 * numbering, or render it straight to PDF. */
typedef struct qr_paper qr_paper;

/* Prepare the paper named by req (stop and out_path are ignored; dump is
 * honoured for md and doc). Returns NULL and sets *status (QR_EINPUT)
 * after adding errors. */
qr_paper *qr_paper_prepare(const qr_render_req *req, qr_diags *d,
                           int *status);
void qr_paper_free(qr_paper *p);             /* NULL is a no-op */

/* Lay the paper out. opts may be NULL (page 1 of its own count; title,
 * meeting and item from the data); a NULL opts->base_dir is the paper's
 * template directory. Diagnostics are re-located at template lines. NULL
 * after adding an error: any error of layout's (an image refused, a bad
 * chart block) means no display list. */
struct qr_layout_opts;
struct qr_pages;
struct qr_pdf_meta;
struct qr_fonts;
struct qr_style;
struct qr_pages *qr_paper_layout(qr_paper *p,
                                 const struct qr_layout_opts *opts,
                                 qr_diags *d);

/* The HTML copy of a prepared paper (html.h): meta gets the paper's
 * title, language, meeting, author, exemption and template directory
 * (qr_paper_html_meta), then qr_paper_html writes the page into *out
 * (caller frees), reading images into the paper's record and re-locating
 * diagnostics at template lines. 0, or -1 after adding an error (no page
 * may be published then; *out is still set). */
struct qr_html_meta;
void qr_paper_html_meta(const qr_paper *p, struct qr_html_meta *meta);
int qr_paper_html(qr_paper *p, const struct qr_html_meta *meta, char **out,
                  size_t *len, qr_diags *d);

/* Borrowed parts of a prepared paper. */
const struct qr_style *qr_paper_style(const qr_paper *p);
const struct qr_fonts *qr_paper_fonts(const qr_paper *p);
const char *qr_paper_title(const qr_paper *p);    /* data title or first heading */
const char *qr_paper_meeting(const qr_paper *p);  /* "Cabinet – 21 June 2018" or "" */
const char *qr_paper_item(const qr_paper *p);     /* agenda item or "" */
/* The template's directory, where relative image paths resolve; pass it
 * as qr_layout_opts.base_dir. */
const char *qr_paper_base_dir(const qr_paper *p);
/* Every file read for the paper so far, with the hash of the bytes read
 * (input.h): data, style, template, partials, and after layout its images.
 * Prepare and layout also add what they read to the record active when
 * they were called (if any), on failure too: a build or pack that
 * activates its own record learns every input of what it made. */
struct qr_inputs;
const struct qr_inputs *qr_paper_inputs(const qr_paper *p);
/* 1 when the paper's data carries paper.exempt (Schedule 12A): its pages
 * are marked NOT FOR PUBLICATION by qr_paper_layout and qr_paper_meta sets
 * meta.exempt, so the PDF is written mode 0600. */
int qr_paper_exempt(const qr_paper *p);
/* Files the paper was made from (data, template, partials, style), for
 * watch and build. */
size_t qr_paper_nfiles(const qr_paper *p);
const char *qr_paper_file(const qr_paper *p, size_t i);
/* PDF metadata for this paper (strings borrowed from p). */
void qr_paper_meta(const qr_paper *p, struct qr_pdf_meta *meta);

/* Draw a not-for-publication mark in the top margin of pages [from, to):
 * "NOT FOR PUBLICATION" on exempt pages, and QR_MARK_MEMBERS on the other
 * pages of a members' pack that holds exempt items (the whole document
 * must not be published). `text` is ASCII; NULL means the first. */
#define QR_MARK_MEMBERS "NOT FOR PUBLICATION (members' pack)"
struct qr_pages;
void qr_mark_not_for_publication(struct qr_pages *pages, size_t from,
                                 size_t to, const char *text,
                                 const struct qr_fonts *fonts,
                                 const struct qr_style *style);

/* May the output be written at `path`? Refuses (QR_EINPUT, with an error
 * naming the path) an existing path that is not a regular file once
 * symlinks are followed — a device, FIFO, socket or directory, which an
 * atomic rename would replace or fail on — and a path that is the same
 * file (device and inode) as any input in the record, so a mistyped -o
 * cannot destroy the data, template or meeting file it was made from.
 * Every command that writes a document calls it after its inputs are read
 * and before anything is written. QR_OK otherwise. */
int qr_output_check(const char *path, const struct qr_inputs *inputs,
                    qr_diags *d);

/* Render one paper: the one paper pipeline, used by render, build and
 * watch (pack lays prepared papers out itself). Returns QR_OK, QR_EINPUT
 * (bad data, template or style, an error of a later stage, or an input that
 * changed while it was read; errors in d) or QR_EOUTPUT (cannot write; the
 * previous output is left as it was). An error counts when it was added by
 * this call. Warnings may be added on success. *files (may be NULL) gets a
 * NULL-terminated list, freed with qr_strv_free, of every file the paper
 * was made from, taken from the record of what was read — on failure too,
 * as far as the paper got, with the paths whose read failed. What was read
 * is also added to the input record active when called. */
int qr_paper_render(const qr_render_req *req, qr_diags *d, char ***files);
/* qr_paper_render without the list of files. */
int qr_render(const qr_render_req *req, qr_diags *d);

/* The creation time for output: SOURCE_DATE_EPOCH when set and valid (only
 * digits, at most QR_PDF_EPOCH_MAX: a date a PDF can state), else
 * `fallback` (e.g. a date from the data; -1 = none). An invalid value adds
 * a warning to d and is ignored. */
long long qr_source_epoch(long long fallback, qr_diags *d);

#endif
