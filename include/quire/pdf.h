/* pdf.h — the pdf stage: the only module that calls libharu. Display list +
 * fonts in, PDF bytes out: embedded subset TrueType fonts with a correct
 * ToUnicode map, outlines from heading anchors, internal and web links,
 * document metadata, deterministic bytes (dates only from the caller).
 * Every PDF is tagged (a structure tree from the display list's roles and
 * elements; furniture as artifacts) and written with compressed object
 * streams (PDF 1.7); on request it is PDF/A-2b.
 *
 * Failure: qr_pdf_render and qr_pdf_render_imports return false after
 * adding an error (the imports' caller adds its own). qr_pdf_write
 * returns a qr_status, since the exit status must tell a refused input
 * (QR_EINPUT) from a file that cannot be written (QR_EOUTPUT).
 */
#ifndef QUIRE_PDF_H
#define QUIRE_PDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "quire/diag.h"
#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/util.h"

typedef struct qr_pdf_meta {
    const char *title;     /* /Title; NULL = none */
    const char *author;
    const char *subject;
    const char *keywords;
    const char *lang;      /* /Lang; NULL = "en-GB" */
    long long epoch;       /* creation date (SOURCE_DATE_EPOCH), -1 = none;
                              outside 0..QR_PDF_EPOCH_MAX no date is written */
    /* Fields below default to 0/NULL = off. */
    int pdfa;              /* 1: PDF/A-2b (XMP metadata, sRGB output intent) */
    int page_label_start;  /* n > 0: decimal page labels n, n+1, ... */
    const char *page_label_prefix; /* before each label ("S": S1, S2 …);
                                      NULL = none */
    int exempt;            /* 1: holds exempt information: qr_pdf_write
                              writes the file mode 0600 */
} qr_pdf_meta;

/* The last second a PDF or XMP date can state (four-digit years):
 * 9999-12-31T23:59:59Z. */
#define QR_PDF_EPOCH_MAX 253402300799LL

/* The ICC profile PDF/A output embeds (Debian package icc-profiles-free). */
#define QR_PDF_SRGB_ICC "/usr/share/color/icc/sRGB.icc"

/* An object of another PDF that the pages draw (an imported appendix's
 * font, image, colour space …), serialised by the caller with its
 * references renumbered into this file. */
typedef struct qr_pdf_obj {
    char *text;            /* a plain object: all of it; a stream: its
                              dictionary's entries, without << >> and
                              without /Length */
    size_t len;
    char *data;            /* a stream's data as stored; NULL: plain */
    size_t data_len;
    bool deflate;          /* a stream without /Filter: may be deflated */
} qr_pdf_obj;

/* The structure tree of a tagged PDF whose pages are imported, rebuilt
 * for grafting into the pages' document (docs/architecture.md, "Keeping a
 * tagged appendix's structure"). Elements come parents first; each one's
 * kids are kids[kid .. kid + nkids), in reading order. */
typedef struct qr_pdf_bytes {
    const char *s;         /* NULL: absent */
    size_t len;
} qr_pdf_bytes;

/* The text entries an element keeps, as the source's bytes (a PDF text
 * string is PDFDocEncoding or UTF-16BE: either is copied as it is). */
enum { QR_GRAFT_ALT, QR_GRAFT_ACTUAL, QR_GRAFT_E, QR_GRAFT_LANG,
       QR_GRAFT_T, QR_GRAFT_NTEXT };

/* One entry of an element's attribute objects (its /A, and its classes'
 * through the /ClassMap): key = value in attribute object `obj` (0, 1 …
 * in order). An array is an entry of type '[' followed by its n items
 * (key NULL, never arrays). */
typedef struct qr_pdf_attr {
    int obj;
    const char *key;       /* without the slash; NULL: an array's item */
    char type;             /* 'n' name, 'r' number, 'b' boolean,
                              's' string, '[' array */
    double num;            /* 'r'; 'b': 0 or 1 */
    qr_pdf_bytes str;      /* 'n' (without the slash), 's' */
    size_t n;              /* '[': items that follow */
} qr_pdf_attr;

typedef struct qr_pdf_graft_elem {
    const char *type;      /* a standard structure type: "P", "H1", "Span" */
    qr_pdf_bytes text[QR_GRAFT_NTEXT];
    const qr_pdf_attr *attrs;
    size_t nattrs;
    int parent;            /* -1: one of the tree's top elements */
    size_t kid, nkids;
} qr_pdf_graft_elem;

/* A kid: element `elem`, or (elem -1) marked content `mcid` of the form
 * drawn for import `import` (an index of qr_pdf_imports.v). */
typedef struct qr_pdf_graft_kid {
    int elem;
    size_t import;
    int mcid;
} qr_pdf_graft_kid;

typedef struct qr_pdf_graft {
    const qr_pdf_graft_elem *elems;
    size_t nelems;
    const qr_pdf_graft_kid *kids;
    size_t nkids;
} qr_pdf_graft;

/* A page of another PDF drawn on page `page` as a Form XObject: inside
 * the page's first /Figure marked-content sequence (so tagged by that
 * Figure, and under everything drawn after it), or first on the page when
 * it has none. With a graft, that Figure becomes an artifact, the form is
 * drawn just before it, outside any marked content, and carries
 * /StructParents; the graft's top elements take the Figure element's
 * place in the structure tree (where the first import sharing the graft
 * found it; the other pages' Figures are dropped). */
typedef struct qr_pdf_import {
    size_t page;           /* 0-based page of the pages rendered */
    double bbox[4];        /* the form's /BBox: the imported page's box */
    double matrix[6];      /* applied before moving bbox's origin to 0 0 */
    bool flate;            /* data is Flate-compressed, as stored */
    const char *data;      /* the form's content */
    size_t len;
    const qr_pdf_graft *graft; /* shared by the imports of one PDF; NULL:
                                  tagged by the page's Figure alone */
} qr_pdf_import;

typedef struct qr_pdf_imports {
    const qr_pdf_import *v;
    size_t n;
    uint64_t id;           /* mixed into the /ID: a hash of the sources */
    /* Called once while saving, with the number of the first object it
     * may make: sets res[k] (n of them, initialised) to import k's
     * /Resources dictionary ("<< … >>") and *objs to the objects they
     * refer to, numbered base, base + 1, … (the caller frees each text
     * and data, then the array). False after adding an error to d. */
    bool (*objects)(void *ctx, size_t base, qr_buf *res, qr_pdf_obj **objs,
                    size_t *nobjs, qr_diags *d);
    void *ctx;
} qr_pdf_imports;

/* Render the pages into PDF bytes. On success sets *out (the caller frees)
 * and *len; returns false after adding an error. */
bool qr_pdf_render(const qr_pages *pages, const qr_fonts *fonts,
                   const qr_pdf_meta *meta, char **out, size_t *len,
                   qr_diags *d);

/* qr_pdf_render, drawing imported pages (NULL: none) onto their pages in
 * the same pass: the file is written once, by Quire's writer, and nothing
 * reads it back. */
bool qr_pdf_render_imports(const qr_pages *pages, const qr_fonts *fonts,
                           const qr_pdf_meta *meta,
                           const qr_pdf_imports *imports, char **out,
                           size_t *len, qr_diags *d);

/* Whether a render may deflate on a helper thread while it draws (the
 * default, with a second processor): a build whose workers already keep
 * every processor busy turns it off, since the thread and its compressor
 * would cost each paper time and gain none. */
void qr_pdf_set_deflate_ahead(bool on);

/* qr_pdf_render, then write atomically to `path` (temporary file in the
 * same directory, renamed on success). Returns QR_OK; QR_EINPUT after
 * adding an error when the PDF stage refuses an input (a corrupt image,
 * text that cannot be embedded); QR_EOUTPUT after adding an error naming
 * the path when the file cannot be made or written. On failure the previous
 * file is left untouched. */
qr_status qr_pdf_write(const qr_pages *pages, const qr_fonts *fonts,
                       const qr_pdf_meta *meta, const char *path,
                       qr_diags *d);

#endif
