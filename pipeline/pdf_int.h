/* pdf_int.h — private glue between the fonts module and the PDF writer (both
 * owned by the same stage pair). Not a public contract: only fonts.c, pdf.c
 * and their tests include it.
 *
 * Failure: qr_fonts_face returns NULL when the face cannot be opened,
 * and qr_fonts_error says why.
 */
#ifndef QUIRE_PDF_INT_H
#define QUIRE_PDF_INT_H

#include <hb.h>
#include "quire/fonts.h"

/* The HarfBuzz face of a slot (borrowed, valid while f lives), so the PDF
 * stage can subset the very face layout measured without reopening it.
 * Opened on first use: a warm render whose metrics all came from the
 * cache never opens one, nor loads HarfBuzz. NULL when it cannot be opened
 * (HarfBuzz cannot be loaded, the file went since the set was loaded);
 * qr_fonts_error then says why. Like the metrics, not for two threads at
 * once. */
hb_face_t *qr_fonts_face(const qr_fonts *f, qr_font_slot slot);

/* Which face of the set a slot is set in: slots of one number share one
 * face (one font file and index). */
int qr_fonts_face_number(const qr_fonts *f, qr_font_slot slot);

/* Why a face of f could not be opened when it was needed, or NULL. */
const char *qr_fonts_error(const qr_fonts *f);

#endif
