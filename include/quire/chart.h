/* chart.h — charts, for the layout stage: a fenced ```chart block of the
 * expanded Markdown (a small line-based language, docs/charts.md) parsed
 * into a chart, measured, and drawn as vector items (LINE, RECT, PATH, TEXT)
 * into a display list, with a text alternative generated from the numbers.
 *
 * The template writes the numbers into the block; this module never reads
 * JSON. Layout calls it for code blocks whose info string is "chart":
 *
 *     qr_chart *c = qr_chart_parse(b->literal, b->literal_len, md_name,
 *                                  b->line + 1, d);
 *     if (c) {
 *         float h = qr_chart_height(c, width, style, metrics);
 *         ... break the page if h does not fit ...
 *         int el = qr_pages_add_elem(pages, QR_ROLE_FIGURE, parent,
 *                                    qr_chart_alt(c), NULL);
 *         qr_chart_draw(c, pages, page, x, y, width, style, metrics, el);
 *         y += h;
 *         qr_chart_free(c);
 *     }   (on NULL: errors were added; lay the block out as code)
 *
 * Coordinates are points, top-left origin, y downwards, like the rest of
 * the display list.
 *
 * Failure: qr_chart_parse returns NULL after adding errors; measuring and
 * drawing a parsed chart cannot fail.
 */
#ifndef QUIRE_CHART_H
#define QUIRE_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include "quire/diag.h"
#include "quire/fonts.h"
#include "quire/layout.h"
#include "quire/style.h"

typedef enum qr_chart_type {
    QR_CHART_BAR,    /* horizontal bars, one per category */
    QR_CHART_LINE    /* one or more series over labelled periods */
} qr_chart_type;

typedef struct qr_chart qr_chart;

/* Parse src[0..len), the text inside the fence. `file` and `line` (the
 * 1-based line of src's first line in `file`) locate diagnostics: every
 * problem is reported as file:line:col with the chart line as source, and
 * parsing goes on to report the rest. Returns NULL when there was any
 * error; the caller frees a result with qr_chart_free. */
qr_chart *qr_chart_parse(const char *src, size_t len, const char *file,
                         int line, qr_diags *d);
void qr_chart_free(qr_chart *c);              /* NULL is a no-op */

qr_chart_type qr_chart_kind(const qr_chart *c);

/* The text alternative, made from the numbers, e.g.
 * "Bar chart: Actions by RAG status. Red 4, Amber 12, Green 24 (40 actions)."
 * Borrowed; valid while c lives. */
const char *qr_chart_alt(const qr_chart *c);

/* Height in points the chart takes when drawn `width` points wide
 * (title, plot, axes, labels, legend). */
float qr_chart_height(const qr_chart *c, float width, const qr_style *style,
                      const qr_metrics *m);

/* Draw the chart into page `page` of `pages` with its top-left corner at
 * (x, y), `width` wide and qr_chart_height(...) high; every item lies inside
 * that box. Items get role QR_ROLE_FIGURE and structure element `elem`;
 * when elem >= 0 its alt text is set to qr_chart_alt(c). Text uses the body
 * face (QR_FONT_REGULAR, the title QR_FONT_BOLD) at style->small_size,
 * measured through m. Returns the height used. */
float qr_chart_draw(const qr_chart *c, qr_pages *pages, size_t page, float x,
                    float y, float width, const qr_style *style,
                    const qr_metrics *m, int elem);

/* ---- the model, read-only ----------------------------------------------
 * For a back end that draws the chart itself from the same numbers (the
 * HTML copy draws SVG and a table of the values). Strings are borrowed:
 * valid while c lives; NULL where the block did not give the key. */
const char *qr_chart_title(const qr_chart *c);
const char *qr_chart_xlabel(const qr_chart *c);
const char *qr_chart_ylabel(const qr_chart *c);
const char *qr_chart_unit(const qr_chart *c);
/* Is a legend drawn (the block's 'legend', else the type's default)? */
bool qr_chart_legend(const qr_chart *c);

/* A bar chart is one series of bars; a line chart has one or more. */
size_t qr_chart_nseries(const qr_chart *c);
const char *qr_chart_series_label(const qr_chart *c, size_t s); /* bar: NULL */
qr_rgb qr_chart_series_colour(const qr_chart *c, size_t s);     /* line only */
size_t qr_chart_nvalues(const qr_chart *c, size_t s);

typedef struct qr_chart_value {
    const char *label;   /* the bar's label, or the point's period */
    const char *text;    /* the number as the block wrote it */
    double value;
    double pos;          /* a point's time position (its index when none
                            was given); a bar's index */
    qr_rgb colour;       /* the bar's (status colours from style), or the
                            series' */
} qr_chart_value;
qr_chart_value qr_chart_get(const qr_chart *c, size_t s, size_t i,
                            const qr_style *style);

/* True and the target line's value, number as written and label, or false
 * when the chart has no target line. */
bool qr_chart_target(const qr_chart *c, double *value, const char **text,
                     const char **label);
/* A number as written with the chart's unit ("74%", "21 cases"), as the
 * PDF labels it; appended to out. */
struct qr_buf;
void qr_chart_format_value(const qr_chart *c, const char *text,
                           struct qr_buf *out);

/* The value axis the PDF draws: lo to hi in steps of step, tick labels
 * with `decimals` decimals (qr_chart_tick_text). */
typedef struct qr_chart_axis {
    double lo, hi, step;
    int decimals;
} qr_chart_axis;
void qr_chart_value_axis(const qr_chart *c, qr_chart_axis *axis);
void qr_chart_tick_text(const qr_chart_axis *axis, double v, char *out,
                        size_t n);

#endif
