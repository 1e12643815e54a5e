/* pdf.h — the pdf stage: the only module that calls libharu. Display list +
 * fonts in, PDF bytes out: embedded subset TrueType fonts with a correct
 * ToUnicode map, outlines from heading anchors, internal and web links,
 * document metadata, deterministic bytes (dates only from the caller).
 */
#ifndef QUIRE_PDF_H
#define QUIRE_PDF_H

#include <stddef.h>
#include "quire/diag.h"
#include "quire/fonts.h"
#include "quire/layout.h"

typedef struct qr_pdf_meta {
    const char *title;     /* /Title; NULL = none */
    const char *author;
    const char *subject;
    const char *keywords;
    const char *lang;      /* "en-GB" */
    long long epoch;       /* creation date (SOURCE_DATE_EPOCH), -1 = none */
} qr_pdf_meta;

/* Render the pages into PDF bytes. On success returns 0 and sets *out (the
 * caller frees) and *len; on failure adds an error and returns -1. */
int qr_pdf_render(const qr_pages *pages, const qr_fonts *fonts,
                  const qr_pdf_meta *meta, char **out, size_t *len,
                  qr_diags *d);

/* qr_pdf_render, then write atomically to `path` (temporary file in the
 * same directory, renamed on success). Returns QR_OK, or QR_EOUTPUT after
 * adding an error naming the path; the previous file is left untouched. */
int qr_pdf_write(const qr_pages *pages, const qr_fonts *fonts,
                 const qr_pdf_meta *meta, const char *path, qr_diags *d);

#endif
