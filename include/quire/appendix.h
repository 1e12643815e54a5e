/* appendix.h — appendices that arrive as PDF files (a letter from Ofsted, a
 * signed plan): opened, checked and described for the pack's layout, then
 * drawn onto the pack's placeholder pages by a final pass over the pack's
 * bytes. The only module that calls libqpdf (through its C API).
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
 * technology as the rest of the pack can.
 *
 * Failure: qr_appendix_open returns NULL and qr_appendix_merge false
 * after adding errors; the getters cannot fail.
 */
#ifndef QUIRE_APPENDIX_H
#define QUIRE_APPENDIX_H

#include <stdbool.h>
#include <stddef.h>
#include "quire/diag.h"

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

/* The final pass: read the pack's PDF bytes, draw each imported page under
 * the content of its placeholder (which holds only the pack's footer, an
 * artifact, so it stays on top as an overlay), give the placeholder the
 * imported page's /Rotate, and write the whole again with object streams
 * and a deterministic /ID. Only the page's content and its resources are
 * taken from the appendix (as a Form XObject): its annotations, page
 * actions (/AA), the catalogue's /OpenAction, JavaScript, embedded files,
 * forms and outlines are never copied, so none can reach the pack.
 * Returns true with *out (caller frees) and *outlen, or false after adding
 * an error naming `name` (the output). */
bool qr_appendix_merge(const char *in, size_t n, const qr_appendix_place *pl,
                      size_t npl, const char *name, char **out,
                      size_t *outlen, qr_diags *d);

#endif
