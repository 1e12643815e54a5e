/* pdf_int.h — private glue between the fonts module and the PDF writer (both
 * owned by the same stage pair). Not a public contract: only fonts.c, pdf.c
 * and their tests include it.
 *
 * Failure: none: qr_fonts_face only borrows.
 */
#ifndef QUIRE_PDF_INT_H
#define QUIRE_PDF_INT_H

#include <hb.h>
#include "quire/fonts.h"

/* The HarfBuzz face of a slot (borrowed, valid while f lives), so the PDF
 * stage can subset the very face layout measured without reopening it. */
hb_face_t *qr_fonts_face(const qr_fonts *f, qr_font_slot slot);

#endif
