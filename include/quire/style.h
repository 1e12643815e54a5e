/* style.h — the house style: page, fonts, sizes, colours, header/footer and
 * numbering, loaded from a style JSON (templates/styles/NAME.json) over the
 * defaults. Templates carry content; the style carries looks.
 *
 * Units are points (1/72 inch) unless a name says otherwise. In the JSON,
 * lengths may be numbers (points) or strings with a unit: "25mm", "2.5cm",
 * "1in", "12pt". Colours are "#rrggbb".
 *
 * Failure: qr_style_load returns false after adding errors, leaving the
 * style as it was.
 */
#ifndef QUIRE_STYLE_H
#define QUIRE_STYLE_H

#include <stdbool.h>
#include "quire/vocab.h"
#include "quire/diag.h"

#define QR_FAMILY_MAX 64
#define QR_FIELD_MAX 256

typedef struct qr_rgb {
    float r, g, b;          /* 0..1 */
} qr_rgb;

typedef enum qr_align { QR_ALIGN_LEFT, QR_ALIGN_JUSTIFY } qr_align;
typedef enum qr_breaking { QR_BREAK_TOTAL_FIT, QR_BREAK_GREEDY } qr_breaking;

typedef struct qr_style {
    /* page */
    float page_width, page_height;                 /* A4: 595.28 x 841.89 */
    float margin_top, margin_right, margin_bottom, margin_left;
    /* fonts, by family name (resolved through fontconfig) */
    char body_family[QR_FAMILY_MAX];               /* "Arial" */
    char heading_family[QR_FAMILY_MAX];            /* "" = body family */
    char mono_family[QR_FAMILY_MAX];               /* "Liberation Mono" */
    char fallback_family[QR_FAMILY_MAX];           /* "DejaVu Sans" */
    /* sizes */
    float body_size;                               /* 12 */
    float leading;                                 /* line height / size, 1.25 */
    float heading_size[6];                         /* H1..H6 */
    float heading_space_before, heading_space_after; /* in body lines */
    float paragraph_space;                         /* after a paragraph, pt */
    float code_size;                               /* monospace size */
    float small_size;                              /* header/footer, table */
    float table_size;                              /* text in tables */
    float list_indent;                             /* per level, pt */
    float quote_indent;
    float table_padding;                           /* cell padding, pt */
    float rule_width;                              /* table rules, pt */
    /* colours */
    qr_rgb text_color, heading_color, link_color, rule_color,
        table_header_fill, table_header_text, quote_bar_color, code_fill;
    /* RAG status marks: a table cell whose whole text is a status label
     * (vocab.h: "Red", "Amber", "Green", "Complete", "Not started", as
     * derive's status_label writes them) gets a swatch of the status
     * colour before the word. The word always stays: status is never
     * colour alone. Colours are indexed by qr_rag. */
    int status_marks;                              /* 1 = draw swatches */
    qr_rgb status_colour[QR_RAG_COUNT];
    /* paragraphs */
    qr_align align;
    qr_breaking breaking;
    int hyphenate;                                 /* en-GB hyphenation */
    int widows, orphans;                           /* minimum lines, 2 */
    /* numbering: top-level sections 1, 2, 3 and paragraphs 3.1, 3.2 */
    int number_sections;
    int number_paragraphs;
    /* running header and footer; fields {page} {pages} {title} {meeting}
     * {item}; empty = none */
    char header_left[QR_FIELD_MAX], header_right[QR_FIELD_MAX];
    char footer_left[QR_FIELD_MAX], footer_center[QR_FIELD_MAX],
        footer_right[QR_FIELD_MAX];
    char logo[QR_FIELD_MAX];                       /* image on page 1, "" none */
    float logo_width;
    char lang[16];                                 /* "en-GB" */
} qr_style;

/* Fill s with the defaults: a UK council report — A4, Arial-metric 12 pt,
 * left-aligned, single column, "Page {page} of {pages}" centred footer. */
void qr_style_default(qr_style *s);

/* Load the style JSON at `path` over the defaults already in s. Unknown keys
 * are warnings; bad values are errors at file:line:col. Returns false after
 * adding errors (s is then unchanged). */
bool qr_style_load(const char *path, qr_style *s, qr_diags *d);

#endif
