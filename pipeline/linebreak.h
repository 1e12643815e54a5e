/* linebreak.h — private to the layout stage: breaking one paragraph of
 * styled text into lines.
 *
 * In: spans of styled text (one face, size, colour and link each) and the
 * measure. Out: lines of positioned fragments. Break opportunities come from
 * libunibreak (UAX #14); en-GB hyphenation from libhyphen where it improves
 * the paragraph; total-fit (Knuth–Plass) or greedy choice of breaks; left or
 * justified alignment (justification positions fragments itself, since
 * libharu's word spacing does nothing with two-byte fonts). Characters the
 * span's face lacks are set in the fallback face; a character no face has
 * is a warning naming the Markdown line.
 *
 * Failure: Nothing here fails: a word wider than the measure is broken
 * between characters, and a character no face has is a warning.
 */
#ifndef QUIRE_LINEBREAK_H
#define QUIRE_LINEBREAK_H

#include <stddef.h>
#include "quire/diag.h"
#include "quire/fonts.h"
#include "quire/style.h"
#include "quire/util.h"

enum {
    LB_NO_HYPHENATE = 1u << 0,  /* code, URLs: never hyphenate this span */
    LB_HARD_BREAK = 1u << 1,    /* a forced line break (text ignored) */
    LB_NO_BREAK = 1u << 2,      /* no break opportunity inside this span */
    LB_STRIKE = 1u << 3         /* drawn struck through (a look: frags keep it) */
};

typedef struct lb_span {
    const char *text;           /* UTF-8 */
    size_t len;
    qr_font_slot font;          /* the face asked for (fallback is automatic) */
    float size;                 /* points */
    qr_rgb color;
    const char *url;            /* link target, or NULL */
    int link;                   /* which link of the text (qr_run.link), 0 none */
    unsigned flags;
    int line;                   /* Markdown source line, for diagnostics */
} lb_span;

/* Code points a warning was given for: one set per document, so each
 * character no font has is said once (lb_warn_missing). Zero it to start;
 * lb_seen_clear frees it. */
typedef struct lb_seen {
    uint32_t *v;
    size_t n, cap;
} lb_seen;

void lb_seen_clear(lb_seen *w);

/* Warn at file:line that no font has cp, unless `seen` already holds it;
 * `want` is the face tried first (the fallback was tried after it) and
 * `where` (may be NULL) says where on the page, as "in a chart". */
void lb_warn_missing(lb_seen *seen, qr_diags *d, const char *file, int line,
                     uint32_t cp, qr_font_slot want, const char *where);

/* What the metrics answer for the first code points of each face (has a
 * glyph, advance), kept for a document's paragraphs rather than asked
 * again in each. For the metrics it was made with (others ignore it); one
 * thread at a time, as the metrics' own cache. */
typedef struct lb_glyphs lb_glyphs;
lb_glyphs *lb_glyphs_new(const qr_metrics *m);
void lb_glyphs_free(lb_glyphs *g);

typedef struct lb_opts {
    float width;                /* measure of every line, points */
    float first_indent;         /* extra indent of the first line (may be 0) */
    qr_align align;
    qr_breaking breaking;
    int hyphenate;
    int hyph_min_word;          /* letters a word needs to be hyphenated;
                                   0 = the default (5) */
    /* Lines (0-based) that must not end with a hyphen — e.g. the last line
     * of a page, found by pagination; NULL/0 for none. */
    const int *no_hyphen_lines;
    size_t n_no_hyphen_lines;
    const char *md_name;        /* file name for diagnostics */
    lb_seen *seen;              /* characters already warned about in the
                                   document; NULL: this paragraph's own */
    lb_glyphs *glyphs;          /* the document's glyph cache for these
                                   metrics; NULL: this paragraph's own */
} lb_opts;

/* One positioned piece of a line: a single face/size/colour/link/strike. */
typedef struct lb_frag {
    float x;                    /* from the line's start, points */
    float w;                    /* advance width, points */
    qr_font_slot font;          /* the face actually used (maybe fallback) */
    float size;
    qr_rgb color;
    const char *url;
    int link;                   /* the span's link number, 0 none */
    int strike;                 /* the span had LB_STRIKE */
    const char *text;           /* UTF-8, owned by the result */
    size_t len;
} lb_frag;

typedef struct lb_line {
    const lb_frag *frags;
    size_t nfrags;
    float width;                /* width of the content as set, points:
                                   trailing spaces excluded, an inserted
                                   hyphen included, first_indent not
                                   counted; a justified line's is the
                                   measure (less first_indent on line 0) */
    float ascent, descent;      /* max over fragments, points (descent < 0) */
    int hyphenated;             /* the line ends with an inserted hyphen */
} lb_line;

typedef struct lb_result lb_result;

/* Break spans into lines. Never fails: a word wider than the measure is
 * broken between characters. Warnings (missing glyphs) go to d (may be
 * NULL). Spans with no text give zero lines. Returns a result the caller
 * frees with lb_result_free. */
lb_result *lb_break(const lb_span *spans, size_t nspans, const lb_opts *opts,
                    const qr_metrics *m, qr_diags *d);
void lb_result_free(lb_result *r);
size_t lb_nlines(const lb_result *r);
const lb_line *lb_get_line(const lb_result *r, size_t i);

/* Width in points of text set in `font` at `size`, with per-character
 * fallback as lb_break does (for table column measurement). */
float lb_measure(const char *text, size_t len, qr_font_slot font, float size,
                 const qr_metrics *m);
/* The same with the document's glyph cache (lb_glyphs_new), NULL none. */
float lb_measure_g(const char *text, size_t len, qr_font_slot font,
                   float size, const qr_metrics *m, lb_glyphs *g);
/* Width of the widest unbreakable piece (word) of the spans: the minimum
 * width a table column needs to avoid breaking inside words. */
float lb_min_width(const lb_span *spans, size_t nspans, const qr_metrics *m);
/* The spans flattened once for both: lb_prep_min_width is lb_min_width,
 * lb_break_prep is lb_break (once per lb_prep; the spans must outlive it).
 * lb_prepare gives NULL where lb_min_width would give 0 without looking
 * (no metrics or no spans). */
typedef struct lb_prep lb_prep;
lb_prep *lb_prepare(const lb_span *spans, size_t nspans, const qr_metrics *m,
                    lb_glyphs *g);
float lb_prep_min_width(const lb_prep *pr);
lb_result *lb_break_prep(lb_prep *pr, const lb_opts *opts, qr_diags *d);
void lb_prep_free(lb_prep *pr);

/* libunibreak's UAX #14 opportunities for the UTF-8 text s (language
 * "en"), one per byte into brks as set_linebreaks_utf8 writes them, the
 * same answers for less work (linebreak.c). lb_init first. */
void lb_uax14(const char *s, size_t len, char *brks);

/* Write the hyphenation points learned since the cache's copy was read
 * back to the cache (best effort; nothing when none were learned). */
void lb_save_learned(void);

/* Global one-time initialisation (libunibreak tables, the hyphenation
 * memo; the hyphenation dictionary itself only when the memo is missing
 * or empty, else on the first word it lacks); safe to call repeatedly. */
void lb_init(void);

/* lb_init, and the hyphenation dictionary loaded whatever the memo holds:
 * before forking workers, which would otherwise each load it for their
 * first new word. Safe to call repeatedly. */
void lb_init_hyph_dict(void);

/* Compile the en-GB dictionary lb_init loads into its image in dir (made
 * when missing): qr_layout_hyph_image. */
qr_status lb_write_hyph_image(const char *dir, qr_diags *d);

#endif
