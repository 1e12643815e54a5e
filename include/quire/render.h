/* render.h — the paper orchestrator: runs the stages in order for one paper
 * (load → validate → derive → expand → parse → layout → pdf) and maps later
 * stages' diagnostics back to template lines through the source map.
 * Only this module, main.c and the pack/build orchestrators know the order
 * of stages.
 *
 * Failure: qr_paper_prepare and qr_paper_layout return NULL, and
 * qr_output_check false, after adding errors; qr_render and qr_paper_render
 * return a qr_status, the exit status of `quire render` and `quire check`.
 */
#ifndef QUIRE_RENDER_H
#define QUIRE_RENDER_H

#include <stdbool.h>
#include <stdio.h>
#include "quire/diag.h"
#include "quire/util.h"

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

/* A document whose data is a view made from another file rather than a
 * data file read as it is: the minutes or the record of decisions of a
 * meeting file. The orchestrator that builds the view decides what it
 * holds, so what the view leaves out (a private minute's text in public
 * minutes) never reaches the template, layout or PDF. */
typedef struct qr_render_view {
    const char *json;     /* the view: a JSON object with no "paper" member */
    size_t len;
    const char *name;     /* the file it was made from (messages, file list) */
    const char *title;    /* the PDF title; NULL: the first heading */
    const char *meeting;  /* {meeting} in running heads, the PDF subject */
    const char *author;   /* the PDF author; may be NULL */
    const char *date;     /* ISO date: the creation date unless
                           * SOURCE_DATE_EPOCH is set */
    int exempt;           /* holds exempt information: every page NOT FOR
                           * PUBLICATION, written mode 0600 */
} qr_render_view;

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
    const qr_render_view *view; /* instead of data_path: a view (above) */
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
    int self_numbered;          /* the document numbers itself (minutes,
                                 * decisions): the style's section and
                                 * paragraph numbering is off */
    /* In a pack: the context the paper is printed in (item number,
     * committee, date, time …; docs/meeting.md), which its template sees
     * as `pack`, in place of any `pack` of the data's own. NULL for a
     * paper on its own. Borrowed; used while the paper is prepared. */
    const struct cJSON *pack;
    qr_format format;           /* QR_FORMAT_PDF unless set */
    /* The process ends soon after qr_paper_render returns (the command
     * line's render, a build's worker): the paper's memory is left to the
     * exit rather than freed piece by piece (its fonts' cache entries are
     * still written). A later call frees the paper left before. */
    int exiting;
} qr_render_req;

/* A paper prepared up to layout: data loaded, validated and derived, the
 * template expanded and parsed, the style and fonts loaded. The pack and
 * build orchestrators lay a prepared paper out with their own page
 * numbering, or render it straight to PDF. */
typedef struct qr_paper qr_paper;

/* Prepare the paper named by req (stop and out_path are ignored; dump is
 * honoured for md and doc). Returns NULL after adding errors (bad data,
 * template or style: QR_EINPUT to a command). */
qr_paper *qr_paper_prepare(const qr_render_req *req, qr_diags *d);
void qr_paper_free(qr_paper *p);             /* NULL is a no-op */

/* Lay the paper out. opts may be NULL (page 1 of its own count; title,
 * meeting and item from the data); a NULL title, meeting, item or base_dir
 * in opts is the paper's own (base_dir: its template directory), and a
 * first_page of 0 is 1. Diagnostics are re-located at template lines. NULL
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
 * diagnostics at template lines. True, or false after adding an error (no
 * page may be published then; *out is still set). */
struct qr_html_meta;
void qr_paper_html_meta(const qr_paper *p, struct qr_html_meta *meta);
bool qr_paper_html(qr_paper *p, const struct qr_html_meta *meta, char **out,
                  size_t *len, qr_diags *d);

/* Borrowed parts of a prepared paper. */
const struct qr_style *qr_paper_style(const qr_paper *p);
const struct qr_fonts *qr_paper_fonts(const qr_paper *p);
const char *qr_paper_title(const qr_paper *p);    /* data title or first heading */
const char *qr_paper_meeting(const qr_paper *p);  /* "Cabinet – 21 June 2018" or "" */
const char *qr_paper_item(const qr_paper *p);     /* agenda item or "" */
/* The paper's data (after derive): its root object. */
struct cJSON;
const struct cJSON *qr_paper_root(const qr_paper *p);
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
/* True when the paper's data carries paper.exempt (Schedule 12A): its pages
 * are marked NOT FOR PUBLICATION (QR_MARK_EXEMPT) by qr_paper_layout,
 * whatever mark the caller asks for, and qr_paper_meta sets
 * meta.exempt, so the PDF is written mode 0600. */
bool qr_paper_exempt(const qr_paper *p);
/* Files the paper was made from (data, template, partials, style), for
 * watch and build. */
size_t qr_paper_nfiles(const qr_paper *p);
const char *qr_paper_file(const qr_paper *p, size_t i);
/* PDF metadata for this paper (strings borrowed from p). */
void qr_paper_meta(const qr_paper *p, struct qr_pdf_meta *meta);

/* May the output be written at `path`? Refuses (false, with an error
 * naming the path) an existing path that is not a regular file once
 * symlinks are followed — a device, FIFO, socket or directory, which an
 * atomic rename would replace or fail on — and a path that is the same
 * file (device and inode) as any input in the record, so a mistyped -o
 * cannot destroy the data, template or meeting file it was made from.
 * Every command that writes a document calls it after its inputs are read
 * and before anything is written. A refusal is bad input: the command
 * exits with QR_EINPUT. */
bool qr_output_check(const char *path, const struct qr_inputs *inputs,
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
qr_status qr_paper_render(const qr_render_req *req, qr_diags *d,
                          char ***files);
/* qr_paper_render without the list of files. */
qr_status qr_render(const qr_render_req *req, qr_diags *d);

/* The creation time for output: SOURCE_DATE_EPOCH when set and valid (only
 * digits, at most QR_PDF_EPOCH_MAX: a date a PDF can state), else
 * `fallback` (e.g. a date from the data; -1 = none). An invalid value adds
 * a warning to d and is ignored. */
long long qr_source_epoch(long long fallback, qr_diags *d);

#endif
