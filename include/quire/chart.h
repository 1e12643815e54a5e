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

#endif
