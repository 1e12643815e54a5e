/* appendix.h — appendices that arrive as PDF files (a letter from Ofsted, a
 * signed plan): opened, checked and described for the pack's layout, then
 * drawn onto the pack's placeholder pages by the PDF stage as it writes
 * the pack. The only module that calls libqpdf (through its C API).
 *
 * The file is read once through qr_input_read (so it is recorded like any
 * other input, and refused when it is a FIFO or a directory) and parsed
 * from those bytes: libqpdf never opens the path itself.
 *
 * What is refused, each a located error naming the item and the file: not
 * a PDF; damaged (any warning or error while reading it or decoding a
 * page's content — a repaired file may have lost pages or text without
 * telling); encrypted, with or without a user password (a pack cannot
 * re-encrypt one part, and an owner's restrictions must not be laundered
 * into a published pack); no pages; more than QR_APPENDIX_MAX_PAGES pages
 * or QR_APPENDIX_MAX_BYTES bytes; a page whose Flate-compressed content
 * inflates past QR_APPENDIX_MAX_CONTENT; a page whose MediaBox is missing,
 * degenerate or larger than QR_APPENDIX_MAX_SIDE points. An untagged file
 * is accepted with a warning: its pages cannot be read by assistive
 * technology as the rest of the pack can. A tagged file's structure tree
 * is walked, bounded, and checked against its pages' marked content when
 * it is opened, and kept for the pack (qr_pdf_graft); a tree that cannot
 * be trusted is a warning naming the fault, and the file is then used as
 * an untagged one.
 *
 * Failure: qr_appendix_open and qr_appendix_imports_new return NULL after
 * adding errors; the getters cannot fail.
 */
#ifndef QUIRE_APPENDIX_H
#define QUIRE_APPENDIX_H

#include <stdbool.h>
#include <stddef.h>
#include "quire/diag.h"
#include "quire/pdf.h"

/* A council's appendix is a letter or a plan of tens of pages; these are
 * far beyond any real one and keep a hostile file from taking the machine. */
#define QR_APPENDIX_MAX_PAGES 2000
#define QR_APPENDIX_MAX_BYTES (200u * 1024u * 1024u)
/* A page's content, decompressed: real pages need kilobytes to a few
 * megabytes; a few hundred bytes of Flate can claim gigabytes. */
#define QR_APPENDIX_MAX_CONTENT (256u * 1024u * 1024u)
/* 14,400 pt (200 in) is the largest page PDF allows (ISO 32000-1 C.2). */
#define QR_APPENDIX_MAX_SIDE 14400.0

typedef struct qr_appendix_page {
    double x0, y0, x1, y1;   /* MediaBox, normalised (x0 < x1, y0 < y1) */
    int rotate;              /* /Rotate: 0, 90, 180 or 270 */
} qr_appendix_page;

typedef struct qr_appendix qr_appendix;

/* Open and check the PDF at `path`. `who` names the appendix in messages
 * ("item 8, appendix A"). Returns NULL after adding errors to d; a warning
 * (untagged) may be added on success. */
qr_appendix *qr_appendix_open(const char *path, const char *who, qr_diags *d);
void qr_appendix_free(qr_appendix *a);                 /* NULL is a no-op */

size_t qr_appendix_npages(const qr_appendix *a);
const qr_appendix_page *qr_appendix_page_at(const qr_appendix *a, size_t i);
/* Does the file say it is tagged: /MarkInfo /Marked true and a
 * /StructTreeRoot in its catalogue? */
bool qr_appendix_tagged(const qr_appendix *a);
/* The size of page i as shown (width and height after /Rotate). */
void qr_appendix_page_size(const qr_appendix *a, size_t i, double *w,
                           double *h);

/* One placeholder page of the pack and the imported page drawn on it. */
typedef struct qr_appendix_place {
    size_t pack_page;          /* 0-based page of the pack */
    const qr_appendix *from;
    size_t page;               /* 0-based page of `from` */
} qr_appendix_place;

/* The imported pages, for the PDF stage to draw on their placeholders as
 * it writes the pack (qr_pdf_render_imports): each page's content and
 * resources become a Form XObject drawn under the placeholder's content
 * (which holds only the pack's footer and marks, artifacts, so they stay
 * on top), upright (the imported /Rotate applied, so the placeholder has
 * none). Only the page's content and the resources it can use are taken,
 * and within them no page, catalogue, annotation, action, file
 * specification or JavaScript: an appendix's annotations, page actions
 * (/AA), /OpenAction, JavaScript, embedded files, forms and outlines never
 * reach the pack. An appendix whose structure tree is kept gives its
 * imports that tree (qr_pdf_import.graft), its kids naming imports
 * rather than pages. The /ID takes in a hash of the appendices' bytes.
 * `pl` must outlive the result. Returns NULL after adding an error naming
 * `name` (the output); the stage's save fails, naming it too, when
 * libqpdf reports damage while the objects are copied. */
typedef struct qr_appendix_imports qr_appendix_imports;
qr_appendix_imports *qr_appendix_imports_new(const qr_appendix_place *pl,
                                             size_t npl, const char *name,
                                             qr_diags *d);
const qr_pdf_imports *qr_appendix_imports_pdf(const qr_appendix_imports *x);
void qr_appendix_imports_free(qr_appendix_imports *x);   /* NULL: no-op */

#endif
